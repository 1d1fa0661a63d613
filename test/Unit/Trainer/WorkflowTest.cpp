//===- WorkflowTest.cpp - Data sets, transfer learning, autoencoders ------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "trainer/Workflow.h"
#include "trainer/Dense.h"

#include "TrainerTestUtil.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace kiln;
using namespace kiln::train;
using kiln::train::testing::blobs;
using kiln::train::testing::failsWith;

namespace {

/// Normal points in 4-D labelled by x0: 0 below −0.5, 2 above 0.5, else 1.
std::string writeCsv(const std::string &name, int rows, uint64_t seed) {
  auto [x, t] = blobs(rows, seed);
  std::string path = ::testing::TempDir() + "kiln_wf_" + name;
  std::ofstream out(path);
  out << "a,b,c,d,label\n";
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < 4; ++c)
      out << x(r, c) << ",";
    out << (x(r, 0) < -0.5f ? 0 : x(r, 0) > 0.5f ? 2 : 1) << "\n";
  }
  return path;
}

LayerConfig dense(int64_t units, ActivationKind act) {
  LayerConfig l;
  l.type = "dense";
  l.dense.units = units;
  l.dense.activation = Activation::withDefaults(act);
  return l;
}

TEST(WorkflowTest, ClassesRowsAndValidation) {
  TrainConfig c;
  c.dataset.name = "csv";
  c.dataset.train = writeCsv("classes.csv", 400, 1);
  c.dataset.labelColumn = "label";
  c.dataset.classes = {2, 0};
  c.dataset.validationSize = 20;
  c.dataset.trainRows = 50;
  Dataset all, d;
  TrainConfig everything = c;
  everything.dataset.classes.clear();
  everything.dataset.validationSize = 0;
  everything.dataset.trainRows = 0;
  ASSERT_TRUE(loadDataset(everything, all).ok());
  ASSERT_TRUE(loadDataset(c, d).ok());
  // Validation: the last 20 rows of the file, then only classes 0 and 2.
  size_t keptVal = 0;
  for (size_t r = 380; r < 400; ++r)
    keptVal += all.yTrain.labels[r] != 1;
  EXPECT_EQ(size_t(d.xVal.rows()), keptVal);
  EXPECT_LT(keptVal, 20u);
  EXPECT_EQ(d.xTrain.rows(), 50);
  // Class 2 is now 0 and class 0 is 1; the rows keep their order.
  Eigen::Index first = 0;
  while (all.yTrain.labels[size_t(first)] == 1)
    ++first;
  EXPECT_EQ(d.xTrain.row(0), all.xTrain.row(first));
  EXPECT_EQ(d.yTrain.labels[0], all.yTrain.labels[size_t(first)] == 2 ? 0 : 1);
  for (int l : d.yTrain.labels)
    EXPECT_TRUE(l == 0 || l == 1);

  c.dataset.validationSize = 10000;
  EXPECT_TRUE(failsWith(loadDataset(c, d), "leave no training rows"));
  // Targets take the loss's form once the model's outputs are known.
  c.dataset.validationSize = 0;
  c.dataset.classes.clear();
  ASSERT_TRUE(loadDataset(c, d).ok());
  Dataset oneHot = d;
  ASSERT_TRUE(shapeTargets(LossKind::CategoricalCrossentropy, 4, oneHot).ok());
  EXPECT_EQ(oneHot.yTrain.values.cols(), 4); // the model's width, not 3
  EXPECT_EQ(oneHot.yTrain.values.row(0).sum(), 1.0f);
  Dataset binary = d;
  EXPECT_TRUE(failsWith(shapeTargets(LossKind::BinaryCrossentropy, 1, binary),
                        "label 2 is not 0 or 1"));
  Dataset mse = d;
  EXPECT_TRUE(failsWith(shapeTargets(LossKind::MeanSquaredError, 3, mse),
                        "needs a model with one output (it has 3)"));
  Dataset scalar = d;
  ASSERT_TRUE(shapeTargets(LossKind::MeanSquaredError, 1, scalar).ok());
  EXPECT_EQ(scalar.yTrain.values(0, 0), float(d.yTrain.labels[0]));
  Dataset narrow = d;
  EXPECT_TRUE(failsWith(
      shapeTargets(LossKind::SparseCategoricalCrossentropy, 2, narrow),
      "label 2 is not an output of the model (it has 2)"));

  // Regression targets (values) split and cut like labels.
  TrainConfig ae = c;
  ae.dataset.autoencoder = true;
  ae.dataset.validationSplit = 0.25;
  ae.dataset.trainRows = 50;
  Dataset values;
  ASSERT_TRUE(loadDataset(ae, values).ok());
  EXPECT_EQ(values.yTrain.values.rows(), 50);
  EXPECT_EQ(values.yVal.values.rows(), 100);
  EXPECT_EQ(values.yVal.values, values.xVal);
}

/// The book's recipe: reuse all but the output layer of model A, frozen,
/// train the new head, then unfreeze and train everything.
TEST(WorkflowTest, TransferFreezesThenUnfreezes) {
  TrainConfig a;
  a.dataset.name = "csv";
  a.dataset.train = writeCsv("a.csv", 600, 2);
  a.dataset.labelColumn = "label";
  a.layers = {dense(8, ActivationKind::Elu), dense(8, ActivationKind::Elu),
              dense(3, ActivationKind::Softmax)};
  // The first layer's penalties travel with it through the model file.
  a.layers[0].dense.kernelRegularizer = Regularizer{0.002, 0.003};
  a.layers[0].dense.biasRegularizer = Regularizer{0, 0.004};
  a.layers[0].dense.kernelConstraint = MaxNorm{2.5};
  a.epochs = 3;
  a.optimizerOptions.learningRate = 0.1;
  Dataset data;
  ASSERT_TRUE(loadDataset(a, data).ok());
  Sequential modelA;
  ASSERT_TRUE(buildModel(a, data, modelA).ok());
  History h;
  FitOptions fit;
  fit.epochs = 3;
  ASSERT_TRUE(modelA.fit(data.xTrain, data.yTrain, fit, h).ok());
  std::string pathA = ::testing::TempDir() + "kiln_wf_a.kiln";
  ASSERT_TRUE(saveModel(modelA.toModel(), pathA).ok());

  TrainConfig b = a;
  b.dataset.classes = {0, 2};
  b.layers = {dense(2, ActivationKind::Softmax)};
  b.transfer = TransferConfig{pathA, -1, true, 0, 0};
  Dataset dataB;
  ASSERT_TRUE(loadDataset(b, dataB).ok());
  Sequential modelB;
  ASSERT_TRUE(buildModel(b, dataB, modelB).ok());
  std::vector<train::Layer *> layers = modelB.layers();
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(layers[2]->name(), "dense_2"); // A's names are taken
  EXPECT_FALSE(layers[0]->trainable);
  EXPECT_TRUE(layers[2]->trainable);
  const auto *first = dynamic_cast<Dense *>(layers[0]);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->kernel.l1, 0.002);
  EXPECT_EQ(first->kernel.l2, 0.003);
  EXPECT_EQ(first->bias.l2, 0.004);
  EXPECT_EQ(first->kernel.maxNorm, 2.5);
  EXPECT_EQ(first->getOptions().kernelConstraint.maxValue, 2.5);
  EXPECT_EQ(dynamic_cast<Dense *>(layers[1])->kernel.l2, 0.0);
  std::vector<Matrix> reused = modelA.getWeights();
  reused.resize(4); // two Dense layers: kernel and bias each
  ASSERT_TRUE(modelB.fit(dataB.xTrain, dataB.yTrain, fit, h).ok());
  std::vector<Matrix> afterFrozen = modelB.getWeights();
  for (size_t i = 0; i < 4; ++i)
    EXPECT_EQ(afterFrozen[i], reused[i]) << "tensor " << i;
  EXPECT_GT(h.accuracy.back(), 0.8);

  for (train::Layer *l : modelB.layers())
    l->trainable = true;
  fit.initialEpoch = 3;
  fit.epochs = 4;
  ASSERT_TRUE(modelB.fit(dataB.xTrain, dataB.yTrain, fit, h).ok());
  EXPECT_NE(modelB.getWeights()[0], reused[0]);

  b.transfer->layers = 7;
  Sequential bad;
  EXPECT_TRUE(failsWith(buildModel(b, dataB, bad), "not a layer count"));
}

/// Output paths: none twice (compared as normal absolute paths), none over
/// a dataset file; only the run file may replace the model transferred
/// from.
TEST(WorkflowTest, OutputPathsNeitherCollideNorOverwriteInputs) {
  TrainConfig c;
  c.dataset.name = "csv";
  c.dataset.train = "data/train.csv";
  c.transfer = TransferConfig{};
  c.transfer->from = "a.kiln";
  CallbackConfig log;
  log.type = "csv_logger";
  log.path = "log.csv";
  c.callbacks = {CallbackConfig{}, log};
  EXPECT_TRUE(checkOutputPaths(c, trainingOutputs(c, "a.kiln")).ok());
  EXPECT_TRUE(failsWith(checkOutputPaths(c, trainingOutputs(c, "x/../log.csv")),
                        "callbacks[1] (csv_logger) and the run file both "
                        "write 'log.csv', which kiln-train saves after every "
                        "epoch"));
  EXPECT_TRUE(
      failsWith(checkOutputPaths(c, trainingOutputs(c, "./data/train.csv")),
                "the run file would overwrite dataset.train 'data/train.csv'"));
  c.callbacks[1].path = "a.kiln";
  EXPECT_TRUE(failsWith(checkOutputPaths(c, trainingOutputs(c, "b.kiln")),
                        "callbacks[1] (csv_logger) would overwrite "
                        "transfer.from 'a.kiln'"));
  EXPECT_TRUE(checkOutputPaths(c, {{"--lr-csv", "lr.csv"}}).ok());
  EXPECT_TRUE(
      failsWith(checkOutputPaths(c, {{"--lr-csv", "run.json"}}, "./run.json"),
                "--lr-csv would overwrite the config './run.json'"));
  // Resuming: the run file may replace the run resumed, nothing else may.
  c.callbacks[1].path = "log.csv";
  EXPECT_TRUE(
      checkOutputPaths(c, trainingOutputs(c, "run.kiln"), "run.kiln", true)
          .ok());
  EXPECT_TRUE(
      checkOutputPaths(c, trainingOutputs(c, "new.kiln"), "run.kiln", true)
          .ok());
  c.callbacks[1].path = "run.kiln";
  EXPECT_TRUE(failsWith(
      checkOutputPaths(c, trainingOutputs(c, "new.kiln"), "run.kiln", true),
      "callbacks[1] (csv_logger) would overwrite the run 'run.kiln' being "
      "resumed"));
  EXPECT_TRUE(failsWith(
      checkOutputPaths(c, {{"--lr-csv", "./run.kiln"}}, "run.kiln", true),
      "--lr-csv would overwrite the run 'run.kiln' being resumed"));
}

/// An IDX data set's files are inputs too, a link to an input is that
/// input, and a file through a linked directory is that file.
TEST(WorkflowTest, OutputPathsSeeIdxFilesAndLinks) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() /
                 ("kiln-outputs-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string train = (dir / "train.csv").string();
  std::ofstream(train) << "x,label\n1,0\n";
  fs::path link = dir / "link.csv";
  fs::create_symlink(train, link);
  TrainConfig c;
  c.dataset.name = "csv";
  c.dataset.train = train;
  EXPECT_TRUE(
      failsWith(checkOutputPaths(c, {{"--lr-csv", link.string()}}),
                "--lr-csv would overwrite dataset.train '" + train + "'"));
  c.dataset.name = "fashion_mnist";
  c.dataset.path = dir.string();
  std::string labels = (dir / "t10k-labels-idx1-ubyte.gz").string();
  EXPECT_TRUE(
      failsWith(checkOutputPaths(c, {{"--lr-svg", labels}}),
                "--lr-svg would overwrite dataset file '" + labels + "'"));
  EXPECT_TRUE(checkOutputPaths(c, {{"--lr-svg", link.string()}}).ok());
  // Through a linked directory, a file not written yet is still one file.
  fs::create_directory(dir / "real");
  fs::create_directory_symlink("real", dir / "linked");
  std::string viaLink = (dir / "linked" / "best.kiln").string();
  c.callbacks = {CallbackConfig{}};
  c.callbacks[0].type = "model_checkpoint";
  c.callbacks[0].path = (dir / "real" / "best.kiln").string();
  EXPECT_TRUE(failsWith(
      checkOutputPaths(c, trainingOutputs(c, viaLink)),
      "callbacks[0] (model_checkpoint) and the run file both write '" +
          c.callbacks[0].path + "'"));
  EXPECT_TRUE(checkOutputPaths(
                  c, trainingOutputs(c, (dir / "linked" / "run.kiln").string()))
                  .ok());
  // `..` after a link is the parent of the link's target: deep/x, not x.
  fs::create_directories(dir / "deep" / "er");
  fs::create_directory_symlink("deep/er", dir / "nested");
  c.callbacks[0].path = (dir / "deep" / "best.kiln").string();
  EXPECT_TRUE(failsWith(
      checkOutputPaths(
          c,
          trainingOutputs(c, (dir / "nested" / ".." / "best.kiln").string())),
      "both write"));
  EXPECT_TRUE(
      checkOutputPaths(c, trainingOutputs(c, (dir / "best.kiln").string()))
          .ok());
  fs::remove_all(dir);
}

/// --resume: the configured Dense layers train under the configuration's
/// penalties: the stored ones unless --set changed them, and the configured
/// ones for a file written before penalties were stored.
TEST(WorkflowTest, ResumeTakesTheConfiguredPenalties) {
  TrainConfig c;
  c.dataset.name = "csv";
  c.dataset.train = writeCsv("resume.csv", 60, 5);
  c.dataset.labelColumn = "label";
  c.layers = {dense(4, ActivationKind::Relu),
              dense(3, ActivationKind::Softmax)};
  c.layers[0].dense.kernelRegularizer = Regularizer{0, 0.01};
  Dataset data;
  ASSERT_TRUE(loadDataset(c, data).ok());
  Sequential built;
  ASSERT_TRUE(buildModel(c, data, built).ok());
  Model file = built.toModel();
  ASSERT_TRUE(std::get<DenseLayer>(file.layers[0].params).penalties);

  // Loaded with the stored 0.01, which the unchanged config keeps.
  Sequential resumed;
  ASSERT_TRUE(resumed.load(file).ok());
  EXPECT_EQ(dynamic_cast<Dense *>(resumed.layers()[0])->kernel.l2, 0.01);
  ASSERT_TRUE(applyRegularizers(c, resumed).ok());
  EXPECT_EQ(dynamic_cast<Dense *>(resumed.layers()[0])->kernel.l2, 0.01);
  // --set changes it to 0.5.
  TrainConfig changed = c;
  changed.layers[0].dense.kernelRegularizer = Regularizer{0, 0.5};
  ASSERT_TRUE(applyRegularizers(changed, resumed).ok());
  EXPECT_EQ(dynamic_cast<Dense *>(resumed.layers()[0])->kernel.l2, 0.5);

  // An older file has none stored: the configured ones apply.
  std::get<DenseLayer>(file.layers[0].params).penalties.reset();
  Sequential old;
  ASSERT_TRUE(old.load(file).ok());
  EXPECT_EQ(dynamic_cast<Dense *>(old.layers()[0])->kernel.l2, 0.0);
  ASSERT_TRUE(applyRegularizers(c, old).ok());
  EXPECT_EQ(dynamic_cast<Dense *>(old.layers()[0])->kernel.l2, 0.01);

  // A config whose layers do not match the model's is an error.
  TrainConfig wrong = c;
  wrong.layers[0].type = LayerConfig::kDropout;
  EXPECT_TRUE(failsWith(applyRegularizers(wrong, old),
                        "resume: layer 0 of the model is not the config's "
                        "'dropout'"));
}

/// Unsupervised pretraining: a dense autoencoder learns to reconstruct its
/// inputs; its encoder then starts a classifier.
TEST(WorkflowTest, AutoencoderPretraining) {
  TrainConfig ae;
  ae.dataset.name = "csv";
  ae.dataset.train = writeCsv("ae.csv", 600, 3);
  ae.dataset.labelColumn = "label";
  ae.dataset.autoencoder = true;
  ae.loss = LossKind::MeanSquaredError;
  ae.layers = {dense(3, ActivationKind::Selu),
               dense(4, ActivationKind::Identity)};
  ae.optimizerOptions.learningRate = 0.05;
  Dataset data;
  ASSERT_TRUE(loadDataset(ae, data).ok());
  EXPECT_EQ(data.yTrain.values, data.xTrain);
  EXPECT_TRUE(data.yTrain.labels.empty());
  Sequential model;
  ASSERT_TRUE(buildModel(ae, data, model).ok());
  History h;
  FitOptions fit;
  fit.epochs = 5;
  ASSERT_TRUE(model.fit(data.xTrain, data.yTrain, fit, h).ok());
  EXPECT_LT(h.loss.back(), 0.5 * h.loss.front());
  std::string path = ::testing::TempDir() + "kiln_wf_ae.kiln";
  ASSERT_TRUE(saveModel(model.toModel(), path).ok());

  TrainConfig clf;
  clf.dataset = ae.dataset;
  clf.dataset.autoencoder = false;
  clf.layers = {dense(3, ActivationKind::Softmax)};
  clf.transfer = TransferConfig{path, 1, false, 0, 0};
  clf.optimizerOptions.learningRate = 0.1;
  Dataset labelled;
  ASSERT_TRUE(loadDataset(clf, labelled).ok());
  Sequential classifier;
  ASSERT_TRUE(buildModel(clf, labelled, classifier).ok());
  ASSERT_EQ(classifier.layers().size(), 2u);
  EXPECT_EQ(classifier.getWeights()[0], model.getWeights()[0]);
  ASSERT_TRUE(classifier.fit(labelled.xTrain, labelled.yTrain, fit, h).ok());
  EXPECT_GT(h.accuracy.back(), 0.7);
}

} // namespace
