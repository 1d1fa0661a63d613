//===- TestModels.cpp - Valid models and the bad-file corpus --------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Bad files are made the way they happen in practice: a valid model's bytes
// cut short or with flipped bits, or a model whose content is wrong (written
// with serializeModelUnchecked, as a buggy or hostile writer would). The one
// case the in-memory model cannot express, an unknown union member, is built
// with the generated FlatBuffers API directly.
//
//===----------------------------------------------------------------------===//

#include "test/Unit/Schema/TestModels.h"

#include "schema/model_generated.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace kiln::testmodels {
namespace {

/// Deterministic values in [-0.5, 0.5): tests must not depend on a seed
/// that changes between runs.
std::vector<float> values(size_t n, uint32_t seed) {
  std::vector<float> out(n);
  uint32_t x = seed * 2654435761u + 1;
  for (float &v : out) {
    x = x * 1664525u + 1013904223u;
    v = float(x >> 8) / float(1 << 24) - 0.5f;
  }
  return out;
}

Tensor f32(std::vector<int64_t> shape, uint32_t seed) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return Tensor::fromF32(std::move(shape), values(size_t(n), seed));
}

Tensor filled(std::vector<int64_t> shape, float v) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return Tensor::fromF32(std::move(shape), std::vector<float>(size_t(n), v));
}

/// A tensor of a 16-bit or integer type holding a repeated bit pattern.
Tensor raw(std::vector<int64_t> shape, DType dtype, uint32_t seed) {
  Tensor t;
  t.shape = std::move(shape);
  t.dtype = dtype;
  size_t n = size_t(t.numElements());
  t.data.resize(n * dtypeSize(dtype));
  std::vector<float> v = values(n, seed);
  for (size_t i = 0; i < n; ++i) {
    switch (dtype) {
    case DType::F16: {
      // A finite half: sign, exponent 14 (0.5..1), 10 mantissa bits.
      uint16_t h = uint16_t((v[i] < 0 ? 0x8000 : 0) | (14 << 10) |
                            (uint16_t(std::fabs(v[i]) * 2048) & 0x3ff));
      std::memcpy(t.data.data() + 2 * i, &h, 2);
      break;
    }
    case DType::BF16: {
      float f = v[i];
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      uint16_t b = uint16_t(bits >> 16);
      std::memcpy(t.data.data() + 2 * i, &b, 2);
      break;
    }
    case DType::I8:
      t.data[i] = uint8_t(int8_t(v[i] * 254));
      break;
    case DType::I16: {
      int16_t q = int16_t(v[i] * 65000);
      std::memcpy(t.data.data() + 2 * i, &q, 2);
      break;
    }
    case DType::I32: {
      int32_t q = int32_t(v[i] * 1e6f);
      std::memcpy(t.data.data() + 4 * i, &q, 4);
      break;
    }
    case DType::F32:
      std::memcpy(t.data.data() + 4 * i, &v[i], 4);
      break;
    }
  }
  return t;
}

Layer dense(std::string name, int64_t in, int64_t units, ActivationKind act,
            uint32_t seed) {
  DenseLayer d;
  d.units = units;
  d.activation = Activation::withDefaults(act);
  if (act == ActivationKind::PRelu)
    d.activation.preluAlpha = filled({units}, 0.25f);
  d.kernel = f32({in, units}, seed);
  d.bias = f32({units}, seed + 1);
  return Layer{std::move(name), true, std::move(d)};
}

Layer batchNorm(std::string name, int64_t n, uint32_t seed) {
  BatchNormLayer bn;
  bn.gamma = filled({n}, 1.0f);
  bn.beta = filled({n}, 0.0f);
  bn.movingMean = f32({n}, seed);
  bn.movingVariance = filled({n}, 0.8f);
  return Layer{std::move(name), true, std::move(bn)};
}

std::vector<uint8_t> unchecked(const Model &m) {
  return serializeModelUnchecked(m);
}

DenseLayer &denseAt(Model &m, size_t i) {
  return std::get<DenseLayer>(m.layers[i].params);
}

/// A model whose only layer has union type 42, which no Kiln version
/// defines. The verifier accepts it (unknown unions verify as true for
/// forward compatibility); the reader must not.
std::vector<uint8_t> unknownLayerTypeFile() {
  flatbuffers::FlatBufferBuilder fbb;
  auto params = fb::CreateFlattenLayer(fbb).Union();
  auto name = fbb.CreateString("mystery");
  auto layer = fb::CreateLayer(fbb, name, true,
                               static_cast<fb::LayerParams>(42), params);
  std::vector<flatbuffers::Offset<fb::Layer>> layerList{layer};
  auto layers = fbb.CreateVector(layerList);
  auto shape = fbb.CreateVector(std::vector<int64_t>{4});
  fb::ModelBuilder b(fbb);
  b.add_format_version(1);
  b.add_input_shape(shape);
  b.add_layers(layers);
  fb::FinishModelBuffer(fbb, b.Finish());
  return {fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()};
}

/// Eight dense layers whose kernels all point at one 16 x 16 tensor table.
/// Apart from the sharing this is a valid model, and the verifier checks
/// each reference on its own; read naively, the model would be 8 times the
/// size of its data in the file (4096 layers sharing a 64 MiB kernel would
/// ask for 256 GiB).
std::vector<uint8_t> sharedKernelFile() {
  constexpr int64_t width = 16;
  flatbuffers::FlatBufferBuilder fbb;
  fbb.ForceDefaults(true);
  auto shape = fbb.CreateVector(std::vector<int64_t>{width, width});
  std::vector<float> weights = values(size_t(width * width), 9);
  std::vector<uint8_t> data(weights.size() * sizeof(float));
  std::memcpy(data.data(), weights.data(), data.size());
  fbb.ForceVectorAlignment(data.size(), 1, 16);
  auto kernel =
      fb::CreateTensor(fbb, shape, fb::DType::F32, fbb.CreateVector(data));
  std::vector<flatbuffers::Offset<fb::Layer>> layerList;
  for (int i = 0; i < 8; ++i) {
    auto act = fb::CreateActivation(fbb);
    auto params =
        fb::CreateDenseLayer(fbb, width, /*use_bias=*/false, act, kernel)
            .Union();
    auto name = fbb.CreateString("dense_" + std::to_string(i));
    layerList.push_back(
        fb::CreateLayer(fbb, name, true, fb::LayerParams::DenseLayer, params));
  }
  auto layers = fbb.CreateVector(layerList);
  auto inputShape = fbb.CreateVector(std::vector<int64_t>{width});
  fb::ModelBuilder b(fbb);
  b.add_format_version(1);
  b.add_input_shape(inputShape);
  b.add_layers(layers);
  fb::FinishModelBuffer(fbb, b.Finish());
  return {fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()};
}

} // namespace

Model makeSmallModel() {
  Model m;
  m.name = "small";
  m.producer = "kiln tests";
  m.inputShape = {2, 3};
  m.normalization = Normalization{f32({2, 3}, 1), filled({2, 3}, 2.0f)};
  m.classNames = {"a", "b", "c"};
  m.layers.push_back(Layer{"flatten", true, FlattenLayer()});
  m.layers.push_back(dense("dense", 6, 4, ActivationKind::Elu, 10));
  m.layers.push_back(batchNorm("batch_norm", 4, 20));
  m.layers.push_back(Layer{"dropout", true, DropoutLayer{0.2f}});
  m.layers.push_back(dense("dense_1", 4, 3, ActivationKind::Softmax, 30));
  return m;
}

Model makeKitchenSinkModel() {
  Model m;
  m.name = "kitchen-sink";
  m.producer = "kiln tests";
  m.inputShape = {6};
  m.layers.push_back(Layer{"flatten", true, FlattenLayer()});
  m.layers.push_back(dense("dense", 6, 5, ActivationKind::Relu, 1));
  // Penalties with six distinct values (no two fields can swap unseen).
  std::get<DenseLayer>(m.layers.back().params).penalties =
      DensePenalties{0.001, 0.01, 0.5, 0.25, 3.0, 1.5};
  // Every activation kind as a layer.
  const ActivationKind kinds[] = {
      ActivationKind::Identity,  ActivationKind::Sigmoid,
      ActivationKind::Tanh,      ActivationKind::Relu,
      ActivationKind::LeakyRelu, ActivationKind::PRelu,
      ActivationKind::RRelu,     ActivationKind::Elu,
      ActivationKind::Selu,      ActivationKind::Softmax,
      ActivationKind::Gelu,      ActivationKind::Swish};
  for (ActivationKind kind : kinds) {
    ActivationLayer act{Activation::withDefaults(kind)};
    if (kind == ActivationKind::PRelu)
      act.activation.preluAlpha = f32({5}, 7);
    m.layers.push_back(
        Layer{std::string("act_") + activationName(kind), true, act});
  }
  m.layers.push_back(batchNorm("batch_norm", 5, 2));
  m.layers.push_back(Layer{"dropout", true, DropoutLayer{0.1f}});
  m.layers.push_back(
      Layer{"alpha_dropout", true, DropoutLayer{0.05f, DropoutKind::Alpha}});

  // Every dtype: 16-bit floats as they are, integers with quantization.
  Layer half = dense("dense_f16", 5, 4, ActivationKind::LeakyRelu, 3);
  std::get<DenseLayer>(half.params).kernel = raw({5, 4}, DType::F16, 3);
  std::get<DenseLayer>(half.params).bias.reset();
  std::get<DenseLayer>(half.params).useBias = false;
  half.trainable = false;
  m.layers.push_back(std::move(half));

  Layer bf = dense("dense_bf16", 4, 4, ActivationKind::PRelu, 4);
  std::get<DenseLayer>(bf.params).kernel = raw({4, 4}, DType::BF16, 4);
  m.layers.push_back(std::move(bf));

  Layer q8 = dense("dense_i8", 4, 4, ActivationKind::Selu, 5);
  DenseLayer &d8 = std::get<DenseLayer>(q8.params);
  d8.kernel = raw({4, 4}, DType::I8, 5);
  d8.kernel.quantization = Quantization{{0.01f, 0.02f, 0.03f, 0.04f}, {}, 1};
  d8.bias = raw({4}, DType::I32, 6);
  d8.bias->quantization = Quantization{{0.0001f}, {0}, -1};
  m.layers.push_back(std::move(q8));

  Layer q16 = dense("dense_i16", 4, 3, ActivationKind::Gelu, 6);
  DenseLayer &d16 = std::get<DenseLayer>(q16.params);
  d16.kernel = raw({4, 3}, DType::I16, 7);
  d16.kernel.quantization = Quantization{{0.5f, 0.25f, 0.125f}, {1, 2, 3}, 1};
  m.layers.push_back(std::move(q16));
  m.classNames = {"x", "y", "z"};

  TrainingState t;
  t.epoch = 3;
  t.step = 4500;
  t.optimizer.kind = OptimizerKind::Nadam;
  t.optimizer.hyperparameters = {
      {"learning_rate", 1e-3, {}}, {"beta_1", 0.9, {}}, {"beta_2", 0.999, {}}};
  t.optimizer.slots = {{"dense/kernel/m", f32({6, 5}, 40)},
                       {"dense/kernel/v", f32({6, 5}, 41)},
                       {"dense/bias/m", f32({5}, 42)}};
  t.optimizer.iterations = 4500;
  t.schedule.kind = ScheduleKind::PiecewiseConstant;
  t.schedule.params = {{"boundaries", 0, {1000, 2000}},
                       {"values", 0, {0.1, 0.01, 0.001}}};
  t.schedule.state = {{"lr", 0.001, {}}};
  t.rng.words = {42, 7, 0x123456789abcdefull};
  t.callbacks = {{"early_stopping",
                  {{"best", 0.31, {}}, {"wait", 2, {}}},
                  {{"dense/kernel", f32({6, 5}, 50)}}}};
  t.history = {{"loss", {0.9, 0.6, 0.5}}, {"val_accuracy", {0.7, 0.8, 0.82}}};
  t.config = R"({"epochs": 10})";
  t.loss = "sparse_categorical_crossentropy";
  m.training = std::move(t);
  return m;
}

std::vector<ModelFile> validModelFiles() {
  std::vector<ModelFile> files;
  for (const auto &[name, model] :
       {std::pair{"small", makeSmallModel()},
        std::pair{"kitchen-sink", makeKitchenSinkModel()}}) {
    std::vector<uint8_t> bytes;
    Status s = serializeModel(model, bytes);
    if (!s.ok()) // a bug in the test models themselves: fail loudly
      bytes.clear();
    files.push_back({name, std::move(bytes)});
  }
  return files;
}

std::vector<BadModelFile> badModelFiles() {
  const Model good = makeSmallModel();
  const std::vector<uint8_t> bytes = unchecked(good);
  std::vector<BadModelFile> corpus;
  auto addModel = [&](std::string name, const Model &m, std::string error) {
    corpus.push_back({std::move(name), unchecked(m), std::move(error)});
  };

  corpus.push_back({"empty", {}, "empty file"});
  corpus.push_back(
      {"truncated-4", {bytes.begin(), bytes.begin() + 4}, "truncated"});
  corpus.push_back({"truncated-half",
                    {bytes.begin(), bytes.begin() + bytes.size() / 2},
                    "corrupt or truncated"});
  // The last bytes of a FlatBuffer may be alignment padding, so the tail cut
  // reaches into the last string (the model name "small").
  corpus.push_back({"truncated-tail",
                    {bytes.begin(), bytes.end() - 8},
                    "corrupt or truncated"});
  {
    std::vector<uint8_t> b = bytes;
    std::memcpy(b.data() + 4, "ONNX", 4);
    corpus.push_back({"wrong-identifier", b, "not a Kiln model file"});
  }
  // Bit flips spread over the file. Where one lands in weight bits the file
  // may still be valid, so these only promise "no crash".
  for (int k = 1; k <= 8; ++k) {
    std::vector<uint8_t> b = bytes;
    size_t pos = b.size() * size_t(k) / 9;
    b[pos] ^= uint8_t(1u << (k % 8));
    corpus.push_back({"bitflip-" + std::to_string(k), b, ""});
  }
  // Flipping the root offset's high byte always points outside the buffer.
  {
    std::vector<uint8_t> b = bytes;
    b[3] ^= 0x40;
    corpus.push_back({"bitflip-root-offset", b, "corrupt or truncated"});
  }
  {
    Model m = good; // dense grows to 5 units; batch_norm still has 4
    DenseLayer &d = denseAt(m, 1);
    d.units = 5;
    d.kernel = f32({6, 5}, 1);
    d.bias = f32({5}, 2);
    addModel("shape-mismatch-between-layers", m,
             "layer 2 'batch_norm' (batch_norm): gamma: expected shape [5], "
             "got [4]");
  }
  {
    Model m = good;
    denseAt(m, 4).kernel = f32({5, 3}, 3);
    addModel("kernel-shape", m, "kernel: expected shape [4, 3], got [5, 3]");
  }
  {
    Model m = good;
    std::vector<float> w = denseAt(m, 1).kernel.toF32();
    w[5] = std::numeric_limits<float>::quiet_NaN();
    denseAt(m, 1).kernel = Tensor::fromF32({6, 4}, w);
    addModel("nan-weight", m, "kernel: element 5 is NaN");
  }
  {
    Model m = good;
    std::vector<float> b = denseAt(m, 4).bias->toF32();
    b[1] = -std::numeric_limits<float>::infinity();
    denseAt(m, 4).bias = Tensor::fromF32({3}, b);
    addModel("inf-weight", m, "bias: element 1 is infinite");
  }
  {
    Model m = good;
    denseAt(m, 1).kernel.shape = {int64_t(1) << 40, 4};
    addModel("absurd-dimension", m, "dimension 0 is 1099511627776");
  }
  {
    Model m = good;
    denseAt(m, 1).activation.kind = static_cast<ActivationKind>(99);
    addModel("unknown-activation", m, "activation: kind: unknown value 99");
  }
  corpus.push_back(
      {"unknown-layer-type", unknownLayerTypeFile(), "unknown layer type 42"});
  {
    Model m = good;
    denseAt(m, 1).kernel.dtype = static_cast<DType>(77);
    addModel("unknown-dtype", m, "kernel: dtype: unknown value 77");
  }
  {
    Model m = good;
    std::get<DropoutLayer>(m.layers[3].params).rate = 1.5f;
    addModel("dropout-rate", m, "rate 1.5 must be in [0, 1)");
  }
  {
    Model m = good;
    m.layers[4].name = "dense";
    addModel("duplicate-names", m, "duplicate layer name 'dense'");
  }
  {
    Model m = good;
    denseAt(m, 1).bias = f32({3}, 4);
    addModel("bias-size", m, "bias: expected shape [4], got [3]");
  }
  {
    Model m = good;
    m.formatVersion = 99;
    addModel("future-version", m, "format version 99 is not supported");
  }
  {
    Model m = good;
    denseAt(m, 1).kernel.data.resize(denseAt(m, 1).kernel.data.size() - 4);
    addModel("short-tensor-data", m, "data has 92 bytes");
  }
  {
    Model m = good;
    std::get<BatchNormLayer>(m.layers[2].params).movingVariance =
        filled({4}, -1.0f);
    addModel("negative-variance", m, "moving_variance has a negative value");
  }
  {
    Model m = good;
    m.classNames = {"only", "two"};
    addModel("class-names-count", m, "class_names: 2 names for 3 outputs");
  }
  {
    Model m = good;
    m.layers.erase(m.layers.begin()); // dense directly on a [2, 3] input
    addModel("dense-needs-flat-input", m, "needs a flat input");
  }
  {
    Model m = good;
    m.inputShape = {0, 3};
    addModel("zero-input-dimension", m, "input_shape: dimension 0");
  }
  {
    Model m = good;
    denseAt(m, 1).activation = Activation::withDefaults(ActivationKind::PRelu);
    addModel("prelu-without-slope", m, "missing slope tensor prelu_alpha");
  }
  {
    Model m = good;
    m.layers.clear();
    m.classNames.clear();
    addModel("no-layers", m, "model has no layers");
  }
  {
    Model m = good;
    denseAt(m, 1).kernel.quantization = Quantization{{-0.5f}, {}, -1};
    addModel("negative-quant-scale", m, "quantization: scale");
  }
  {
    Model m = good;
    denseAt(m, 1).activation.alpha = -1.0f; // elu needs alpha > 0
    addModel("elu-alpha", m, "elu: alpha -1 must be > 0");
  }
  corpus.push_back({"shared-kernel", sharedKernelFile(),
                    "corrupt model file: data is shared between fields"});
  {
    Model m = good; // -1.0 as an f16 is 0xbc00, little-endian
    Tensor &var = std::get<BatchNormLayer>(m.layers[2].params).movingVariance;
    var.dtype = DType::F16;
    var.data = {0x00, 0x3c, 0x00, 0x3c, 0x00, 0xbc, 0x00, 0x3c};
    addModel("negative-variance-f16", m,
             "moving_variance has a negative value -1");
  }
  {
    Model m = good; // 0x7fc0 is a bf16 NaN
    Tensor &mean = std::get<BatchNormLayer>(m.layers[2].params).movingMean;
    mean.dtype = DType::BF16;
    mean.data = {0x80, 0x3f, 0xc0, 0x7f, 0x80, 0x3f, 0x80, 0x3f};
    addModel("nan-bf16", m, "moving_mean: element 1 is NaN");
  }
  return corpus;
}

void PrintTo(const BadModelFile &file, std::ostream *os) { *os << file.name; }

} // namespace kiln::testmodels
