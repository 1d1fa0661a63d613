//===- Workflow.cpp - Config-driven training runs -------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "trainer/Workflow.h"

#include "trainer/ActivationLayer.h"
#include "trainer/BatchNorm.h"
#include "trainer/Data.h"
#include "trainer/Dense.h"
#include "trainer/Dropout.h"
#include "trainer/Flatten.h"

#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>

namespace kiln::train {

namespace {

const std::vector<std::string> kFashionClasses = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

/// Rows of `x`/`t` whose label is in `classes`, relabelled by position.
void keepClasses(const std::vector<int> &classes, Matrix &x, Targets &t) {
  std::map<int, int> relabel;
  for (size_t i = 0; i < classes.size(); ++i)
    relabel[classes[i]] = int(i);
  std::vector<size_t> rows;
  for (size_t r = 0; r < t.labels.size(); ++r)
    if (relabel.count(t.labels[r]))
      rows.push_back(r);
  Matrix keptX;
  Targets keptT;
  gatherRows(x, t, rows, 0, rows.size(), keptX, keptT);
  for (int &label : keptT.labels)
    label = relabel[label];
  x = std::move(keptX);
  t = std::move(keptT);
}

/// The first `n` rows.
void keepFirst(int64_t n, Matrix &x, Targets &t) {
  if (n <= 0 || n >= x.rows())
    return;
  x.conservativeResize(Eigen::Index(n), x.cols());
  if (!t.labels.empty())
    t.labels.resize(size_t(n));
  if (t.values.size())
    t.values.conservativeResize(Eigen::Index(n), t.values.cols());
}

/// Moves the last `n` rows of (x, t) to (xv, tv).
void splitTail(size_t n, Matrix &x, Targets &t, Matrix &xv, Targets &tv) {
  size_t keep = size_t(x.rows()) - n;
  std::vector<size_t> tail(n);
  std::iota(tail.begin(), tail.end(), keep);
  gatherRows(x, t, tail, 0, n, xv, tv);
  keepFirst(int64_t(keep), x, t);
}

} // namespace

std::array<std::string, 4> idxFiles(const DatasetConfig &c) {
  const std::string dir = c.path + "/";
  return {dir + "train-images-idx3-ubyte.gz",
          dir + "train-labels-idx1-ubyte.gz", dir + "t10k-images-idx3-ubyte.gz",
          dir + "t10k-labels-idx1-ubyte.gz"};
}

Status loadDataset(const TrainConfig &config, Dataset &out, bool testOnly) {
  const DatasetConfig &c = config.dataset;
  out = Dataset{};
  if (c.name == "csv") {
    CsvOptions o;
    o.header = c.header;
    o.labelColumn = c.labelColumn;
    o.integerLabels = !c.autoencoder &&
                      config.loss != LossKind::MeanSquaredError &&
                      config.loss != LossKind::MeanAbsoluteError;
    std::vector<std::string> features;
    if (Status s = readCsv(c.train, o, out.xTrain, out.yTrain, features);
        !s.ok())
      return s;
    out.trainSource = c.train;
    out.testSource = c.test;
    if (!c.test.empty()) {
      if (Status s = readCsv(c.test, o, out.xTest, out.yTest, features);
          !s.ok())
        return s;
      out.hasTest = true;
    }
    out.shape = {out.xTrain.cols()};
  } else {
    const std::array<std::string, 4> files = idxFiles(c);
    out.trainSource = files[0];
    out.testSource = files[2];
    std::vector<int64_t> testShape;
    std::vector<Status> reads;
    if (!testOnly)
      reads = {readIdxImages(files[0], out.xTrain, out.shape),
               readIdxLabels(files[1], out.yTrain.labels)};
    reads.push_back(readIdxImages(files[2], out.xTest, testShape));
    reads.push_back(readIdxLabels(files[3], out.yTest.labels));
    for (const Status &s : reads)
      if (!s.ok())
        return Status::error("dataset '" + c.name + "': " + s.message());
    if (testOnly)
      out.shape = testShape;
    out.hasTest = true;
    if (c.name == "fashion_mnist")
      out.classNames = kFashionClasses;
    else
      for (int i = 0; i < 10; ++i)
        out.classNames.push_back(std::to_string(i));
  }
  // Validation rows are the last rows of the whole training file, chosen
  // before any class filter (the book's split: the last 5,000 images).
  const bool haveTrain = !testOnly || c.name == "csv"; // CSV: read whole
  size_t rows = size_t(out.xTrain.rows());
  size_t nVal = !haveTrain ? 0
                : c.validationSize > 0
                    ? size_t(c.validationSize)
                    : size_t(std::llround(double(rows) * c.validationSplit));
  if (haveTrain && nVal >= rows)
    return Status::error("dataset: " + std::to_string(nVal) +
                         " validation rows leave no training rows (of " +
                         std::to_string(rows) + ")");
  if (nVal > 0)
    splitTail(nVal, out.xTrain, out.yTrain, out.xVal, out.yVal);
  if (!c.classes.empty()) {
    if ((haveTrain ? out.yTrain : out.yTest).labels.empty())
      return Status::error("dataset.classes: the data set has no labels");
    keepClasses(c.classes, out.xTrain, out.yTrain);
    if (nVal > 0)
      keepClasses(c.classes, out.xVal, out.yVal);
    if (out.hasTest)
      keepClasses(c.classes, out.xTest, out.yTest);
    std::vector<std::string> names;
    for (int k : c.classes)
      names.push_back(size_t(k) < out.classNames.size()
                          ? out.classNames[size_t(k)]
                          : std::to_string(k));
    out.classNames = names;
    if (haveTrain && out.xTrain.rows() == 0)
      return Status::error("dataset.classes: no training rows have those "
                           "classes");
  }
  keepFirst(c.trainRows, out.xTrain, out.yTrain);
  if (c.autoencoder) {
    out.yTrain = Targets{{}, out.xTrain};
    out.yVal = Targets{{}, out.xVal};
    out.yTest = Targets{{}, out.xTest};
    out.classNames.clear();
  }
  if (out.hasTest && out.xTest.rows() == 0)
    out.hasTest = false; // the class filter left no test rows
  return Status::success();
}

Status shapeTargets(LossKind loss, int64_t outputs, Dataset &data) {
  for (auto [t, split] : {std::pair{&data.yTrain, "training"},
                          {&data.yVal, "validation"},
                          {&data.yTest, "test"}}) {
    Targets &y = *t;
    if (!y.labels.empty()) {
      const bool classes = loss == LossKind::SparseCategoricalCrossentropy ||
                           loss == LossKind::CategoricalCrossentropy;
      const bool binary = loss == LossKind::BinaryCrossentropy ||
                          loss == LossKind::BinaryCrossentropyFromLogits;
      for (int l : y.labels) {
        if (classes && (l < 0 || l >= outputs))
          return Status::error(std::string("dataset: ") + split + " label " +
                               std::to_string(l) +
                               " is not an output of the model (it has " +
                               std::to_string(outputs) + ")");
        if (binary && l != 0 && l != 1)
          return Status::error(std::string("dataset: ") + split + " label " +
                               std::to_string(l) +
                               " is not 0 or 1, as binary cross-entropy "
                               "needs (pick two classes with "
                               "dataset.classes)");
      }
      if (loss == LossKind::SparseCategoricalCrossentropy)
        continue;
      if (loss == LossKind::CategoricalCrossentropy) {
        // One-hot rows as wide as the model's output.
        y.values = Matrix::Zero(Eigen::Index(y.labels.size()), outputs);
        for (size_t r = 0; r < y.labels.size(); ++r)
          y.values(Eigen::Index(r), y.labels[r]) = 1;
        continue;
      }
      // Binary cross-entropy, MSE, MAE on labels: one value per row, the
      // label, for a one-output model.
      if (outputs != 1)
        return Status::error(
            std::string("dataset: loss '") + lossName(loss) +
            "' on class labels needs a model with one output (it has " +
            std::to_string(outputs) +
            "); use sparse_categorical_crossentropy or "
            "categorical_crossentropy");
      y.values.resize(Eigen::Index(y.labels.size()), 1);
      for (size_t r = 0; r < y.labels.size(); ++r)
        y.values(Eigen::Index(r), 0) = float(y.labels[r]);
      y.labels.clear();
      continue;
    }
    if (y.values.size() && y.values.cols() != outputs)
      return Status::error(std::string("dataset: the ") + split +
                           " targets have " + std::to_string(y.values.cols()) +
                           " values per row; the model has " +
                           std::to_string(outputs) + " outputs");
    if (y.values.size() && loss == LossKind::SparseCategoricalCrossentropy)
      return Status::error("dataset: sparse_categorical_crossentropy needs "
                           "class labels; these targets are values");
  }
  return Status::success();
}

namespace {
/// Keras' automatic layer names: dense, dense_1, dense_2, ...
std::string autoName(const std::string &type, std::map<std::string, int> &n,
                     const std::vector<std::string> &taken) {
  for (;;) {
    int i = n[type]++;
    std::string name = i == 0 ? type : type + "_" + std::to_string(i);
    if (std::find(taken.begin(), taken.end(), name) == taken.end())
      return name;
  }
}

std::unique_ptr<Layer> makeLayer(const LayerConfig &l,
                                 const std::string &name) {
  std::unique_ptr<Layer> layer;
  if (l.type == LayerConfig::kFlatten) {
    layer = std::make_unique<Flatten>(name);
  } else if (l.type == LayerConfig::kDense) {
    layer = std::make_unique<Dense>(name, l.dense);
  } else if (l.type == LayerConfig::kBatchNorm) {
    layer = std::make_unique<BatchNorm>(name, l.batchNorm);
  } else if (l.type == LayerConfig::kActivation) {
    layer = std::make_unique<ActivationLayer>(name, l.activation);
  } else {
    layer = std::make_unique<Dropout>(name, float(l.rate),
                                      l.type == LayerConfig::kAlphaDropout
                                          ? DropoutKind::Alpha
                                          : DropoutKind::Standard);
  }
  layer->trainable = l.trainable;
  return layer;
}
} // namespace

Status buildModel(const TrainConfig &c, const Dataset &data,
                  Sequential &model) {
  std::vector<std::string> taken;
  if (c.transfer) {
    const TransferConfig &t = *c.transfer;
    Model source;
    if (Status s = loadModel(t.from, source); !s.ok())
      return Status::error("transfer.from: " + s.message());
    if (source.inputShape != data.shape)
      return Status::error("transfer.from: '" + t.from +
                           "' takes inputs of another shape than the data "
                           "set's examples");
    int64_t n = t.layers < 0 ? int64_t(source.layers.size()) - 1 : t.layers;
    if (n < 1 || n > int64_t(source.layers.size()))
      return Status::error("transfer.layers: " + std::to_string(t.layers) +
                           " is not a layer count of '" + t.from +
                           "' (it has " + std::to_string(source.layers.size()) +
                           ")");
    source.layers.resize(size_t(n));
    source.training.reset();
    source.classNames.clear(); // they named the dropped output layer's units
    if (Status s = model.load(source); !s.ok())
      return Status::error("transfer.from: " + s.message());
    for (Layer *l : model.layers()) {
      l->trainable = !t.freeze;
      taken.push_back(l->name());
    }
    model.setNormalization(source.normalization);
  }
  std::map<std::string, int> counters;
  for (const LayerConfig &l : c.layers) {
    std::string name =
        l.name.empty() ? autoName(l.type, counters, taken) : l.name;
    if (std::find(taken.begin(), taken.end(), name) != taken.end())
      return Status::error("layers: two layers are named '" + name + "'");
    taken.push_back(name);
    model.add(makeLayer(l, name));
  }
  if (Status s = model.build(data.shape, c.seed); !s.ok())
    return s;
  model.setName(c.name);
  if (c.dataset.standardize && !c.transfer)
    model.setNormalization(fitNormalization(data.xTrain, data.shape));
  model.setClassNames(data.classNames);
  model.setConfig(c.json);
  model.compile(c.loss, makeOptimizer(c.optimizer, c.optimizerOptions));
  if (c.schedule) {
    auto schedule = std::make_unique<Schedule>(*c.schedule);
    if (Status s = schedule->validate(); !s.ok())
      return s;
    model.setSchedule(std::move(schedule));
  }
  return Status::success();
}

std::vector<OutputPath> trainingOutputs(const TrainConfig &c,
                                        const std::string &runFile) {
  std::vector<OutputPath> outputs{{"the run file", runFile, true}};
  for (size_t i = 0; i < c.callbacks.size(); ++i)
    if (!c.callbacks[i].path.empty())
      outputs.push_back(
          {"callbacks[" + std::to_string(i) + "] (" + c.callbacks[i].type + ")",
           c.callbacks[i].path});
  return outputs;
}

/// The files a data set reads, each with how errors name it: CSV's
/// dataset.train and dataset.test (if set), or the IDX files.
static std::vector<std::pair<std::string, std::string>>
datasetFiles(const DatasetConfig &c) {
  std::vector<std::pair<std::string, std::string>> files;
  if (c.name != "csv") {
    for (const std::string &file : idxFiles(c))
      files.push_back({"dataset file '" + file + "'", file});
    return files;
  }
  for (auto [key, path] : {std::pair{"dataset.train", &c.train},
                           std::pair{"dataset.test", &c.test}})
    if (!path->empty())
      files.push_back({std::string(key) + " '" + *path + "'", *path});
  return files;
}

Status checkOutputPaths(const TrainConfig &c,
                        const std::vector<OutputPath> &outputs,
                        const std::string &input, bool resuming) {
  namespace fs = std::filesystem;
  // The directory part resolved through links (as far as it exists), the
  // file name kept: two names for a file not written yet are one file when
  // their directories are one directory. Resolved before it is normalized:
  // `linked/..` is the parent of the link's target, not `.`.
  auto normal = [](const std::string &path) {
    std::error_code ec;
    fs::path p = fs::absolute(path, ec);
    if (ec)
      return fs::path(path).lexically_normal();
    fs::path dir = fs::weakly_canonical(p.parent_path(), ec);
    return ec ? p.lexically_normal() : dir / p.filename();
  };
  // One file: the same normal path, or (for files that exist) the same
  // file through a symbolic or hard link.
  auto same = [](const fs::path &a, const fs::path &b) {
    std::error_code ec;
    return a == b || fs::equivalent(a, b, ec);
  };
  std::vector<fs::path> written;
  for (const OutputPath &o : outputs)
    written.push_back(normal(o.path));
  struct Input {
    std::string what;
    fs::path path;
    bool runFileMayReplace;
  };
  std::vector<Input> inputs;
  if (!input.empty())
    inputs.push_back({resuming ? "the run '" + input + "' being resumed"
                               : "the config '" + input + "'",
                      normal(input), resuming});
  if (c.transfer)
    inputs.push_back({"transfer.from '" + c.transfer->from + "'",
                      normal(c.transfer->from), true});
  for (const auto &[what, path] : datasetFiles(c.dataset))
    inputs.push_back({what, normal(path), false});
  for (size_t i = 0; i < outputs.size(); ++i) {
    for (size_t j = 0; j < i; ++j)
      if (same(written[i], written[j]))
        return Status::error(outputs[i].what + " and " + outputs[j].what +
                             " both write '" + outputs[i].path + "'" +
                             (outputs[j].runFile
                                  ? ", which kiln-train saves after every epoch"
                                  : "") +
                             "; name different files");
    for (const Input &in : inputs)
      if (!(outputs[i].runFile && in.runFileMayReplace) &&
          same(written[i], in.path))
        return Status::error(outputs[i].what + " would overwrite " + in.what);
  }
  return Status::success();
}

Status applyRegularizers(const TrainConfig &c, Sequential &model) {
  std::vector<Layer *> layers = model.layers();
  if (layers.size() < c.layers.size())
    return Status::error("resume: the model has fewer layers than its config");
  size_t offset = layers.size() - c.layers.size();
  for (size_t i = 0; i < c.layers.size(); ++i) {
    const LayerConfig &l = c.layers[i];
    auto *dense = dynamic_cast<Dense *>(layers[offset + i]);
    if ((l.type == LayerConfig::kDense) != (dense != nullptr))
      return Status::error("resume: layer " + std::to_string(offset + i) +
                           " of the model is not the config's '" + l.type +
                           "'");
    if (dense)
      dense->setPenalties(l.dense);
  }
  return Status::success();
}

Status prepareData(Sequential &model, LossKind loss, Dataset &data) {
  int64_t features = 1;
  for (int64_t d : model.getInputShape())
    features *= d;
  struct Split {
    Matrix *x;
    const char *name;
    const std::string &source;
  };
  const Split splits[] = {{&data.xTrain, "training", data.trainSource},
                          {&data.xVal, "validation", data.trainSource},
                          {&data.xTest, "test", data.testSource}};
  for (const Split &split : splits)
    if (split.x->rows() > 0 && split.x->cols() != features)
      return Status::error(
          "the " + std::string(split.name) + " data" +
          (split.source.empty() ? "" : " ('" + split.source + "')") + " has " +
          std::to_string(split.x->cols()) +
          " features per row; the model takes " + std::to_string(features));
  if (const auto &n = model.getNormalization())
    for (const Split &split : splits)
      if (split.x->size())
        applyNormalization(*n, *split.x);
  return shapeTargets(loss, model.layers().back()->outputShape().back(), data);
}

std::vector<std::unique_ptr<Callback>> makeCallbacks(const TrainConfig &c) {
  std::vector<std::unique_ptr<Callback>> out;
  for (const CallbackConfig &cb : c.callbacks) {
    if (cb.type == EarlyStopping::kKind)
      out.push_back(std::make_unique<EarlyStopping>(EarlyStopping::Options{
          cb.monitor, cb.minDelta, cb.patience, cb.restoreBestWeights}));
    else if (cb.type == ModelCheckpoint::kKind)
      out.push_back(std::make_unique<ModelCheckpoint>(
          ModelCheckpoint::Options{cb.path, cb.monitor, cb.saveBestOnly}));
    else if (cb.type == CsvLogger::kKind)
      out.push_back(std::make_unique<CsvLogger>(cb.path));
    else if (cb.type == TerminateOnNaN::kKind)
      out.push_back(std::make_unique<TerminateOnNaN>());
    else if (cb.type == LearningCurves::kKind)
      out.push_back(std::make_unique<LearningCurves>(cb.path));
  }
  // A second callback of a kind is named kind_1, and so on: states in the
  // model file are keyed by name.
  std::map<std::string, int> seen;
  for (auto &cb : out)
    if (int n = seen[cb->name()]++)
      cb->setName(cb->name() + "_" + std::to_string(n));
  return out;
}

} // namespace kiln::train
