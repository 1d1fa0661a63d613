//===- TrainingTest.cpp - fit: learning, determinism, freezing, data ------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "trainer/ActivationLayer.h"
#include "trainer/BatchNorm.h"
#include "trainer/Data.h"
#include "trainer/Dense.h"
#include "trainer/Dropout.h"
#include "trainer/Flatten.h"
#include "trainer/Sequential.h"
#include "trainer/Workflow.h"

#include "TrainerTestUtil.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <zlib.h>

using namespace kiln;
using namespace kiln::train;
using kiln::train::testing::blobs;
using kiln::train::testing::failsWith;
using kiln::train::testing::throughFile;

namespace {

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
  auto [x, t] = blobs(2000, 1);
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
  auto [x, t] = blobs(500, 2);
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
  auto [x, t] = blobs(300, 4);
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
  auto [x, t] = blobs(10, 6);
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
  auto [x, t] = blobs(200, 8);
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

/// Every layer kind the file stores, PReLU and RReLU included, so a resume
/// has BN moving statistics, PReLU slopes, random slopes and dropout masks
/// to get right.
std::unique_ptr<Sequential> makeRichModel(OptimizerKind kind) {
  auto m = std::make_unique<Sequential>("rich");
  m->add(std::make_unique<Flatten>("flatten"));
  m->add(std::make_unique<BatchNorm>("bn_in"));
  m->add(std::make_unique<Dense>(
      "dense",
      DenseOptions::make(6, Activation::withDefaults(ActivationKind::RRelu))));
  m->add(std::make_unique<Dropout>("dropout", 0.25f));
  m->add(std::make_unique<Dense>("dense_1", DenseOptions::make(5)));
  m->add(std::make_unique<BatchNorm>("bn"));
  m->add(std::make_unique<train::ActivationLayer>(
      "prelu", Activation::withDefaults(ActivationKind::PRelu)));
  m->add(std::make_unique<Dense>(
      "out", DenseOptions::make(
                 2, Activation::withDefaults(ActivationKind::Softmax))));
  EXPECT_TRUE(m->build({2, 2}, 11).ok());
  OptimizerOptions o;
  o.learningRate = 0.01;
  o.momentum = 0.9;
  o.clipNorm = 5;
  m->compile(LossKind::SparseCategoricalCrossentropy, makeOptimizer(kind, o));
  return m;
}

class ResumeTest : public ::testing::TestWithParam<OptimizerKind> {};

TEST_P(ResumeTest, ResumedTrainingIsBitwiseTheUninterruptedOne) {
  auto [x, t] = blobs(300, 12);
  FitOptions options;
  options.epochs = 3;
  // Three steps per epoch: Nadam's momentum product Π_t ≈ 0.45^t is still
  // large enough at the resume point for a wrong Π to change the weights.
  options.batchSize = 100;
  options.seed = 5;
  auto straight = makeRichModel(GetParam());
  History h1;
  ASSERT_TRUE(straight->fit(x, t, options, h1).ok());

  auto first = makeRichModel(GetParam());
  History h2;
  options.epochs = 1;
  ASSERT_TRUE(first->fit(x, t, options, h2).ok());
  auto resumed = throughFile(*first);
  EXPECT_EQ(resumed->epochsCompleted(), 1);
  EXPECT_EQ(resumed->getOptimizer()->iterations(),
            first->getOptimizer()->iterations());
  options.initialEpoch = resumed->epochsCompleted();
  options.epochs = 3;
  ASSERT_TRUE(resumed->fit(x, t, options, h2).ok());

  ASSERT_EQ(h2.loss.size(), 3u);
  EXPECT_EQ(h1.loss, h2.loss);
  std::vector<Matrix> a = straight->getWeights(), b = resumed->getWeights();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(a[i], b[i]) << "tensor " << i;
}

INSTANTIATE_TEST_SUITE_P(
    Optimizers, ResumeTest,
    ::testing::Values(OptimizerKind::Sgd, OptimizerKind::Adagrad,
                      OptimizerKind::RmsProp, OptimizerKind::Adam,
                      OptimizerKind::AdaMax, OptimizerKind::Nadam,
                      OptimizerKind::AdamW));

TEST(TrainingTest, LoadedModelPredictsBitwiseTheSame) {
  auto [x, t] = blobs(100, 13);
  auto model = makeRichModel(OptimizerKind::Adam);
  History h;
  ASSERT_TRUE(model->fit(x, t, FitOptions{}, h).ok());
  auto back = throughFile(*model);
  EXPECT_EQ(model->predict(x), back->predict(x));
  EXPECT_EQ(model->predict(x, 256, true, 3, 1),
            back->predict(x, 256, true, 3, 1));
  // The optimizer's hyperparameters come back too.
  EXPECT_EQ(back->getOptimizer()->getOptions().clipNorm, 5.0);
  EXPECT_EQ(back->getOptimizer()->getOptions().momentum, 0.9);
}

TEST(TrainingTest, LoadErrors) {
  auto model = makeRichModel(OptimizerKind::Sgd);
  Model file = model->toModel(std::nullopt, {});
  Status s = model->load(file);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(failsWith(s, "already has layers"));

  Model noLoss = file;
  noLoss.training->loss = "hinge";
  Sequential a;
  s = a.load(noLoss);
  EXPECT_TRUE(failsWith(s, "loss 'hinge' is not a known loss"));

  // Files from before TrainingState.loss name it in the config.
  Model legacy = file;
  legacy.training->loss = "";
  legacy.training->config = "loss=sparse_categorical_crossentropy";
  Sequential c;
  EXPECT_TRUE(c.load(legacy).ok());

  Model badSlot = file;
  badSlot.training->optimizer.hyperparameters.push_back({"warp", 1, {}});
  Sequential b;
  s = b.load(badSlot);
  EXPECT_TRUE(failsWith(s, "unknown hyperparameter 'warp'"));
}

TEST(TrainingTest, ValidationDataAndLearningRateInHistory) {
  Matrix x, xv;
  Targets t, tv;
  blobs(x, t, 200, 14);
  blobs(xv, tv, 50, 15);
  auto model = makeModel(3);
  FitOptions options;
  options.epochs = 2;
  options.validationX = &xv;
  options.validationY = &tv;
  options.validationSplit = 0.5; // ignored: validation data is given
  History h;
  ASSERT_TRUE(model->fit(x, t, options, h).ok());
  ASSERT_EQ(h.valLoss.size(), 2u);
  EXPECT_DOUBLE_EQ(h.valLoss.back(), model->evaluate(xv, tv).loss);
  EXPECT_EQ(h.learningRate, (std::vector<double>{0.1, 0.1}));
  options.initialEpoch = 3;
  EXPECT_FALSE(model->fit(x, t, options, h).ok());
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

/// A model file whose weights are 16-bit or quantized loads with their
/// real values (it read them through an f32-only accessor, which gave no
/// values and a read through a null map).
TEST(TrainingTest, LoadsHalfAndQuantizedWeights) {
  kiln::Model m;
  m.name = "half";
  m.inputShape = {2};
  DenseLayer d;
  d.units = 2;
  d.activation = kiln::Activation::withDefaults(kiln::ActivationKind::Identity);
  // IEEE half bit patterns written out (not through the codec under test),
  // little-endian.
  auto halves = [](std::initializer_list<uint16_t> bits) {
    std::vector<uint8_t> bytes;
    for (uint16_t h : bits)
      bytes.insert(bytes.end(), {uint8_t(h & 0xFF), uint8_t(h >> 8)});
    return bytes;
  };
  const float w[4] = {0.5f, -1.25f, 3.0f, 0.099975586f};
  d.kernel.dtype = kiln::DType::F16;
  d.kernel.shape = {2, 2};
  d.kernel.data = halves({0x3800, 0xBD00, 0x4200, 0x2E66});
  // bias: int8 with scale 0.5 and zero point 2: 0.5·(q − 2)
  d.bias = kiln::Tensor{};
  d.bias->dtype = kiln::DType::I8;
  d.bias->shape = {2};
  d.bias->data = {7, 0};
  d.bias->quantization = kiln::Quantization{{0.5f}, {2}, -1};
  m.layers.push_back(kiln::Layer{"dense", true, d});
  ASSERT_TRUE(kiln::validateModel(m).ok()) << kiln::validateModel(m).message();
  Sequential model;
  Status s = model.load(m);
  ASSERT_TRUE(s.ok()) << s.message();
  auto *dense = dynamic_cast<Dense *>(model.layers()[0]);
  ASSERT_NE(dense, nullptr);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(dense->kernel.value(i / 2, i % 2), w[i]) << i;
  EXPECT_EQ(dense->bias.value(0, 0), 2.5f);
  EXPECT_EQ(dense->bias.value(0, 1), -1.0f);
  // A 16-bit normalization applies its real values too.
  kiln::Normalization n;
  for (kiln::Tensor *t : {&n.mean, &n.std}) {
    t->dtype = kiln::DType::F16;
    t->shape = {2};
  }
  n.mean.data = halves({0x3C00, 0xC000}); // 1, −2
  n.std.data = halves({0x3800, 0x4400});  // 0.5, 4
  Matrix x(1, 2);
  x << 2.0f, 2.0f;
  applyNormalization(n, x);
  EXPECT_EQ(x(0, 0), 2.0f); // (2 − 1)/0.5
  EXPECT_EQ(x(0, 1), 1.0f); // (2 + 2)/4
}

/// kiln-run --split test: an IDX data set's test files alone, no training
/// files needed (here there are none), with the class filter applied.
TEST(DataTest, TestOnlyReadsOnlyTheTestFiles) {
  std::string dir = ::testing::TempDir() + "idx_test_only";
  ASSERT_EQ(
      ::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str()), 0);
  std::vector<unsigned char> pixels(3 * 2 * 2, 7);
  std::rename(writeIdx("t_img.gz", {0x803, 3, 2, 2}, pixels).c_str(),
              (dir + "/t10k-images-idx3-ubyte.gz").c_str());
  std::rename(writeIdx("t_lbl.gz", {0x801, 3}, {4, 1, 4}).c_str(),
              (dir + "/t10k-labels-idx1-ubyte.gz").c_str());
  TrainConfig c;
  c.dataset.name = "mnist";
  c.dataset.path = dir;
  c.dataset.validationSize = 5000;
  c.dataset.classes = {4};
  Dataset data;
  Status s = loadDataset(c, data, /*testOnly=*/true);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(data.xTrain.rows(), 0);
  EXPECT_EQ(data.xVal.rows(), 0);
  EXPECT_EQ(data.xTest.rows(), 2);
  EXPECT_EQ(data.xTest.cols(), 4);
  EXPECT_EQ(data.yTest.labels, (std::vector<int>{0, 0}));
  EXPECT_EQ(data.shape, (std::vector<int64_t>{2, 2}));
  // Everything needs the training files.
  EXPECT_TRUE(failsWith(loadDataset(c, data), "train-images-idx3-ubyte.gz"));
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

std::string writeText(const std::string &name, const std::string &text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(DataTest, ReadsCsvWithHeaderAndLabelColumn) {
  std::string path = writeText("iris.csv", "sepal,label,petal\n"
                                           "5.1, 0, 1.4\r\n"
                                           "\n"
                                           "6.2,2,-4.5e-1\n");
  Matrix x;
  Targets y;
  std::vector<std::string> names;
  CsvOptions options;
  options.labelColumn = "label";
  Status s = readCsv(path, options, x, y, names);
  ASSERT_TRUE(s.ok()) << s.message();
  Matrix expected(2, 2);
  expected << 5.1f, 1.4f, 6.2f, -0.45f;
  EXPECT_EQ(x, expected);
  EXPECT_EQ(y.labels, (std::vector<int>{0, 2}));
  EXPECT_EQ(names, (std::vector<std::string>{"sepal", "petal"}));

  // No header, label by index, values for regression.
  std::string plain = writeText("plain.csv", "1;2;3\n4;5;6\n");
  options = CsvOptions{};
  options.header = false;
  options.delimiter = ';';
  options.labelColumn = "0";
  options.integerLabels = false;
  ASSERT_TRUE(readCsv(plain, options, x, y, names).ok());
  EXPECT_EQ(y.values, (Matrix(2, 1) << 1, 4).finished());
  EXPECT_EQ(x, (Matrix(2, 2) << 2, 3, 5, 6).finished());
  EXPECT_EQ(names, (std::vector<std::string>{"c1", "c2"}));
}

TEST(DataTest, CsvErrorsNameFileLineAndColumn) {
  Matrix x;
  Targets y;
  std::vector<std::string> names;
  auto error = [&](const std::string &text, CsvOptions options = {}) {
    std::string path = writeText("bad.csv", text);
    Status s = readCsv(path, options, x, y, names);
    EXPECT_FALSE(s.ok());
    return s.message().substr(path.size());
  };
  EXPECT_EQ(error("a,b\n1,2\n3\n"), ":3: 1 fields, expected 2");
  EXPECT_EQ(error("a,b\n1,x\n"), ":2: column 2: 'x' is not a number");
  EXPECT_EQ(error("a,b\nnan,1\n"),
            ":2: column 1: 'nan' is not a finite float value");
  EXPECT_EQ(error("a,b\n1,1.5\n"),
            ":2: column 2: label '1.5' is not a class index (integer >= 0)");
  EXPECT_EQ(error("a,b\n"), ": no data rows");
  EXPECT_EQ(error("a\n1\n"),
            ":1: needs at least two columns (features and a label), found 1");
  CsvOptions named;
  named.labelColumn = "species";
  EXPECT_EQ(error("a,b\n1,2\n", named), ": no label column 'species'");
  Status s = readCsv("/nonexistent.csv", {}, x, y, names);
  EXPECT_EQ(s.message(),
            "cannot open '/nonexistent.csv': No such file or directory");
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
