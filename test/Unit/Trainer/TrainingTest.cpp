//===- TrainingTest.cpp - fit: learning, determinism, freezing, data ------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "trainer/Data.h"
#include "trainer/Dense.h"
#include "trainer/Dropout.h"
#include "trainer/Sequential.h"

#include <gtest/gtest.h>

#include <fstream>
#include <zlib.h>

using namespace kiln;
using namespace kiln::train;

namespace {

/// Two Gaussian-ish blobs in 4-D: label = (x0 + x1 > 0).
void blobs(Matrix &x, Targets &t, int n, uint64_t seed) {
  kiln_rng_t rng;
  kiln_rng_seed(&rng, seed, 3);
  x.resize(n, 4);
  t.labels.resize(size_t(n));
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < 4; ++j)
      x(i, j) = kiln_rng_normal_f32(&rng);
    t.labels[size_t(i)] = x(i, 0) + x(i, 1) > 0;
  }
}

std::unique_ptr<Sequential> makeModel(uint64_t seed) {
  auto m = std::make_unique<Sequential>();
  m->add(std::make_unique<Dense>(
      "dense",
      DenseOptions::make(8, Activation::withDefaults(ActivationKind::Elu))));
  m->add(std::make_unique<Dropout>("dropout", 0.2f));
  m->add(std::make_unique<Dense>(
      "dense_1", DenseOptions::make(
                     2, Activation::withDefaults(ActivationKind::Softmax))));
  EXPECT_TRUE(m->build({4}, seed).ok());
  OptimizerOptions sgd;
  sgd.learningRate = 0.1;
  sgd.momentum = 0.9;
  m->compile(LossKind::SparseCategoricalCrossentropy,
             makeOptimizer(OptimizerKind::Sgd, sgd));
  return m;
}

TEST(TrainingTest, LearnsASeparableProblem) {
  Matrix x;
  Targets t;
  blobs(x, t, 2000, 1);
  auto model = makeModel(7);
  History h;
  FitOptions options;
  options.epochs = 5;
  options.validationSplit = 0.2;
  ASSERT_TRUE(model->fit(x, t, options, h).ok());
  EXPECT_LT(h.loss.back(), h.loss.front());
  EXPECT_GT(h.valAccuracy.back(), 0.95);
  EXPECT_EQ(h.valLoss.size(), 5u);
}

TEST(TrainingTest, SameSeedSameWeightsBitwise) {
  Matrix x;
  Targets t;
  blobs(x, t, 500, 2);
  std::vector<float> weights[2];
  for (int run = 0; run < 2; ++run) {
    auto model = makeModel(3);
    History h;
    FitOptions options;
    options.epochs = 2;
    ASSERT_TRUE(model->fit(x, t, options, h).ok());
    for (train::Layer *l : model->layers())
      for (Parameter *p : l->parameters())
        weights[run].insert(weights[run].end(), p->value.data(),
                            p->value.data() + p->value.size());
  }
  EXPECT_EQ(weights[0], weights[1]);
}

TEST(TrainingTest, FrozenLayerStaysBitwiseUnchanged) {
  Matrix x;
  Targets t;
  blobs(x, t, 300, 4);
  auto model = makeModel(5);
  train::Layer *first = model->layers()[0];
  first->trainable = false;
  Matrix before = first->parameters()[0]->value;
  History h;
  ASSERT_TRUE(model->fit(x, t, FitOptions{}, h).ok());
  EXPECT_TRUE((first->parameters()[0]->value.array() == before.array()).all());
  EXPECT_FALSE((model->layers()[2]->parameters()[0]->value.array() == 0).all());
}

TEST(TrainingTest, RejectsNaNInputsAndBadLabels) {
  Matrix x;
  Targets t;
  blobs(x, t, 10, 6);
  auto model = makeModel(1);
  History h;
  x(3, 2) = std::nanf("");
  Status s = model->fit(x, t, FitOptions{}, h);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "fit: the inputs contain NaN or infinite values");
  x(3, 2) = 0;
  t.labels[4] = 5;
  s = model->fit(x, t, FitOptions{}, h);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "fit: label 5 of row 4 is not in [0, 2)");
}

TEST(TrainingTest, SavedModelLoadsAndPredictsTheSame) {
  Matrix x;
  Targets t;
  blobs(x, t, 200, 8);
  auto model = makeModel(9);
  History h;
  ASSERT_TRUE(model->fit(x, t, FitOptions{}, h).ok());
  Model file = model->toModel(std::nullopt, {"neg", "pos"});
  std::vector<uint8_t> bytes;
  Status s = serializeModel(file, bytes);
  ASSERT_TRUE(s.ok()) << s.message();
  Model back;
  ASSERT_TRUE(parseModel(bytes.data(), bytes.size(), back).ok());
  ASSERT_EQ(back.layers.size(), 3u);
  EXPECT_EQ(std::get<DenseLayer>(back.layers[0].params).kernel.toF32(),
            std::vector<float>(
                model->layers()[0]->parameters()[0]->value.data(),
                model->layers()[0]->parameters()[0]->value.data() + 32));
  ASSERT_TRUE(back.training.has_value());
  EXPECT_EQ(back.training->optimizer.slots.size(), 4u); // v per parameter
}

/// Writes an IDX file (gzip) with the given header words and payload.
std::string writeIdx(const std::string &name, std::vector<uint32_t> header,
                     const std::vector<unsigned char> &payload) {
  std::string path = ::testing::TempDir() + name;
  gzFile f = gzopen(path.c_str(), "wb");
  for (uint32_t w : header) {
    unsigned char b[4] = {uint8_t(w >> 24), uint8_t(w >> 16), uint8_t(w >> 8),
                          uint8_t(w)};
    gzwrite(f, b, 4);
  }
  if (!payload.empty())
    gzwrite(f, payload.data(), unsigned(payload.size()));
  gzclose(f);
  return path;
}

TEST(DataTest, ReadsImagesAndLabels) {
  std::vector<unsigned char> pixels(2 * 2 * 3);
  for (size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = uint8_t(i * 20);
  Matrix images;
  std::vector<int64_t> shape;
  ASSERT_TRUE(
      readIdxImages(writeIdx("img.gz", {0x803, 2, 2, 3}, pixels), images, shape)
          .ok());
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(images.rows(), 2);
  ASSERT_EQ(images.cols(), 6);
  EXPECT_FLOAT_EQ(images(1, 5), 220.0f / 255.0f);
  std::vector<int> labels;
  ASSERT_TRUE(
      readIdxLabels(writeIdx("lbl.gz", {0x801, 3}, {7, 0, 9}), labels).ok());
  EXPECT_EQ(labels, (std::vector<int>{7, 0, 9}));
}

TEST(DataTest, ClearErrors) {
  Matrix images;
  std::vector<int64_t> shape;
  std::vector<int> labels;
  Status s = readIdxImages("/nonexistent/x.gz", images, shape);
  EXPECT_EQ(s.message(),
            "cannot open '/nonexistent/x.gz': No such file or directory");
  std::string wrong = writeIdx("wrong.gz", {0x801, 3}, {1, 2, 3});
  s = readIdxImages(wrong, images, shape);
  EXPECT_EQ(s.message(), wrong + ": not an IDX file of this kind (magic "
                                 "0x00000801, expected 0x00000803)");
  std::string shortFile = writeIdx("short.gz", {0x803, 2, 2, 2}, {1, 2, 3});
  s = readIdxImages(shortFile, images, shape);
  EXPECT_EQ(s.message(), shortFile + ": truncated or unreadable image data");
  std::string zero = writeIdx("zero.gz", {0x801, 0}, {});
  s = readIdxLabels(zero, labels);
  EXPECT_EQ(s.message(), zero + ": implausible dimension 0");
}

TEST(DataTest, Normalization) {
  Matrix x(3, 2);
  x << 1, 10, 2, 10, 3, 10;
  Normalization n = fitNormalization(x, {2});
  EXPECT_FLOAT_EQ(n.mean.toF32()[0], 2.0f);
  EXPECT_FLOAT_EQ(n.std.toF32()[0], std::sqrt(2.0f / 3.0f));
  EXPECT_FLOAT_EQ(n.std.toF32()[1], 1e-7f); // constant feature: floored
  applyNormalization(n, x);
  EXPECT_NEAR(x(2, 0), 1.0 / std::sqrt(2.0 / 3.0), 1e-6);
  EXPECT_FLOAT_EQ(x(0, 1), 0.0f);
}

} // namespace
