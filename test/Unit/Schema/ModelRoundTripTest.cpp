//===- ModelRoundTripTest.cpp - save -> load keeps every field ------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Two checks complement each other: re-serializing the loaded model must give
// the same bytes (catches a field the reader drops), and explicit field
// comparisons catch a field the writer drops (which would vanish from both
// serializations alike).
//
//===----------------------------------------------------------------------===//

#include "test/Unit/Schema/TestModels.h"

#include "schema/model_generated.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <unistd.h>

using namespace kiln;

namespace {

std::string tempDir() {
  char tmpl[] = "/tmp/kiln-roundtrip-XXXXXX";
  const char *dir = ::mkdtemp(tmpl);
  return dir ? dir : "";
}

Model roundTrip(const Model &model) {
  std::string dir = tempDir();
  EXPECT_FALSE(dir.empty());
  std::string path = dir + "/model.kiln";
  Status saved = saveModel(model, path);
  EXPECT_TRUE(saved.ok()) << saved.message();
  Model loaded;
  Status s = loadModel(path, loaded);
  EXPECT_TRUE(s.ok()) << s.message();
  ::unlink(path.c_str());
  ::rmdir(dir.c_str());
  return loaded;
}

std::vector<uint8_t> bytesOf(const Model &m) {
  std::vector<uint8_t> out;
  Status s = serializeModel(m, out);
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

TEST(ModelRoundTripTest, SmallModelBytesIdentical) {
  Model m = testmodels::makeSmallModel();
  EXPECT_EQ(bytesOf(roundTrip(m)), bytesOf(m));
}

TEST(ModelRoundTripTest, KitchenSinkBytesIdentical) {
  Model m = testmodels::makeKitchenSinkModel();
  EXPECT_EQ(bytesOf(roundTrip(m)), bytesOf(m));
}

TEST(ModelRoundTripTest, KitchenSinkFields) {
  Model m = testmodels::makeKitchenSinkModel();
  Model r = roundTrip(m);
  EXPECT_EQ(r.name, "kitchen-sink");
  EXPECT_EQ(r.producer, "kiln tests");
  EXPECT_EQ(r.inputShape, (std::vector<int64_t>{6}));
  EXPECT_EQ(r.classNames, (std::vector<std::string>{"x", "y", "z"}));
  ASSERT_EQ(r.layers.size(), m.layers.size());
  for (size_t i = 0; i < m.layers.size(); ++i) {
    EXPECT_EQ(r.layers[i].name, m.layers[i].name);
    EXPECT_EQ(r.layers[i].trainable, m.layers[i].trainable);
    EXPECT_EQ(r.layers[i].params.index(), m.layers[i].params.index());
  }

  // Every activation kind with its parameters.
  std::set<ActivationKind> kinds;
  for (const Layer &l : r.layers)
    if (const auto *a = std::get_if<ActivationLayer>(&l.params)) {
      kinds.insert(a->activation.kind);
      Activation expected = Activation::withDefaults(a->activation.kind);
      EXPECT_EQ(a->activation.alpha, expected.alpha);
      EXPECT_EQ(a->activation.scale, expected.scale);
      EXPECT_EQ(a->activation.lower, expected.lower);
      EXPECT_EQ(a->activation.upper, expected.upper);
      EXPECT_EQ(a->activation.preluAlpha.has_value(),
                a->activation.kind == ActivationKind::PRelu);
    }
  EXPECT_EQ(kinds.size(), 12u);

  // Penalties: stored on the first Dense, absent (older files) elsewhere.
  const auto &first = std::get<DenseLayer>(r.layers[1].params);
  ASSERT_TRUE(first.penalties.has_value());
  EXPECT_EQ(first.penalties->kernelL1, 0.001);
  EXPECT_EQ(first.penalties->kernelL2, 0.01);
  EXPECT_EQ(first.penalties->biasL1, 0.5);
  EXPECT_EQ(first.penalties->biasL2, 0.25);
  EXPECT_EQ(first.penalties->kernelMaxNorm, 3.0);
  EXPECT_EQ(first.penalties->biasMaxNorm, 1.5);
  for (size_t i = 2; i < r.layers.size(); ++i)
    if (const auto *d = std::get_if<DenseLayer>(&r.layers[i].params))
      EXPECT_FALSE(d->penalties.has_value()) << r.layers[i].name;

  // Every dtype, with quantization where present.
  std::set<DType> dtypes;
  for (const Layer &l : r.layers)
    if (const auto *d = std::get_if<DenseLayer>(&l.params)) {
      dtypes.insert(d->kernel.dtype);
      if (d->bias)
        dtypes.insert(d->bias->dtype);
    }
  EXPECT_EQ(dtypes.size(), 6u);
  const auto &i8 = std::get<DenseLayer>(r.layers[19].params);
  ASSERT_EQ(r.layers[19].name, "dense_i8");
  ASSERT_TRUE(i8.kernel.quantization.has_value());
  EXPECT_EQ(i8.kernel.quantization->scale,
            (std::vector<float>{0.01f, 0.02f, 0.03f, 0.04f}));
  EXPECT_EQ(i8.kernel.quantization->axis, 1);
  EXPECT_EQ(i8.kernel.data,
            std::get<DenseLayer>(m.layers[19].params).kernel.data);
  const auto &i16 = std::get<DenseLayer>(r.layers[20].params);
  EXPECT_EQ(i16.kernel.quantization->zeroPoint,
            (std::vector<int64_t>{1, 2, 3}));
  EXPECT_FALSE(r.layers[17].trainable); // dense_f16 is frozen
  EXPECT_FALSE(std::get<DenseLayer>(r.layers[17].params).useBias);

  // Training state.
  ASSERT_TRUE(r.training.has_value());
  const TrainingState &t = *r.training;
  EXPECT_EQ(t.epoch, 3);
  EXPECT_EQ(t.step, 4500);
  EXPECT_EQ(t.optimizer.kind, OptimizerKind::Nadam);
  EXPECT_EQ(t.optimizer.iterations, 4500);
  ASSERT_EQ(t.optimizer.hyperparameters.size(), 3u);
  EXPECT_EQ(t.optimizer.hyperparameters[2].name, "beta_2");
  EXPECT_EQ(t.optimizer.hyperparameters[2].value, 0.999);
  ASSERT_EQ(t.optimizer.slots.size(), 3u);
  EXPECT_EQ(t.optimizer.slots[1].name, "dense/kernel/v");
  EXPECT_EQ(t.optimizer.slots[1].tensor.data,
            m.training->optimizer.slots[1].tensor.data);
  EXPECT_EQ(t.schedule.kind, ScheduleKind::PiecewiseConstant);
  EXPECT_EQ(t.schedule.params[1].values,
            (std::vector<double>{0.1, 0.01, 0.001}));
  EXPECT_EQ(t.rng.words, m.training->rng.words);
  ASSERT_EQ(t.callbacks.size(), 1u);
  EXPECT_EQ(t.callbacks[0].name, "early_stopping");
  EXPECT_EQ(t.callbacks[0].state[1].value, 2.0);
  EXPECT_EQ(t.callbacks[0].tensors[0].tensor.shape,
            (std::vector<int64_t>{6, 5}));
  EXPECT_EQ(t.history[1].values, (std::vector<double>{0.7, 0.8, 0.82}));
  EXPECT_EQ(t.config, R"({"epochs": 10})");
  EXPECT_EQ(t.loss, "sparse_categorical_crossentropy");
}

TEST(ModelRoundTripTest, NormalizationAndWeightsExact) {
  Model m = testmodels::makeSmallModel();
  Model r = roundTrip(m);
  ASSERT_TRUE(r.normalization.has_value());
  EXPECT_EQ(r.normalization->mean.toF32(), m.normalization->mean.toF32());
  EXPECT_EQ(r.normalization->std.toF32(), m.normalization->std.toF32());
  const auto &d = std::get<DenseLayer>(r.layers[1].params);
  EXPECT_EQ(d.kernel.toF32(),
            std::get<DenseLayer>(m.layers[1].params).kernel.toF32());
  EXPECT_EQ(d.activation.kind, ActivationKind::Elu);
  EXPECT_EQ(std::get<DropoutLayer>(r.layers[3].params).rate, 0.2f);
}

// Tensor payloads are 16-byte aligned within the buffer, so compiled code
// and loaders can use f32 weights in place.
TEST(ModelRoundTripTest, TensorDataIsAligned) {
  std::vector<uint8_t> bytes = bytesOf(testmodels::makeKitchenSinkModel());
  const fb::Model *model = fb::GetModel(bytes.data());
  size_t checked = 0;
  auto check = [&](const fb::Tensor *t) {
    if (!t)
      return;
    ptrdiff_t offset = t->data()->data() - bytes.data();
    EXPECT_EQ(offset % 16, 0) << "tensor data at offset " << offset;
    ++checked;
  };
  for (const fb::Layer *l : *model->layers()) {
    if (const fb::DenseLayer *d = l->params_as_DenseLayer()) {
      check(d->kernel());
      check(d->bias());
    } else if (const fb::BatchNormLayer *bn = l->params_as_BatchNormLayer()) {
      check(bn->gamma());
      check(bn->moving_variance());
    }
  }
  for (const fb::NamedTensor *slot : *model->training()->optimizer()->slots())
    check(slot->tensor());
  EXPECT_GE(checked, 12u);
}

// Files from other writers (flatc -b from JSON) need not be aligned; the
// loader copies data out and accepts them. Simulated by loading from an odd
// address.
TEST(ModelRoundTripTest, LoadsFromUnalignedBuffer) {
  std::vector<uint8_t> bytes = bytesOf(testmodels::makeSmallModel());
  std::vector<uint8_t> shifted(bytes.size() + 1);
  std::copy(bytes.begin(), bytes.end(), shifted.begin() + 1);
  Model m;
  Status s = parseModel(shifted.data() + 1, bytes.size(), m);
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(m.layers.size(), 5u);
}

} // namespace
