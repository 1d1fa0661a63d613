//===- kiln-run.cpp - Evaluate a model file on a data set -----------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
//   kiln-run model.kiln [--data fashion_mnist[:DIR] | mnist[:DIR] | csv:FILE]
//            [--split test|validation|train] [--mc N --seed S]
//            [--predict 0,5,10-12]
//
// Without --data, the data set of the run that trained the model (its
// kiln-train config in the file), with the same classes and validation rows.
// Inputs go through the model file's normalization, like compiled libraries.
//
//===----------------------------------------------------------------------===//

#include "trainer/Config.h"
#include "trainer/Workflow.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

#include <cmath>
#include <cstdio>

using namespace kiln;
using namespace kiln::train;
namespace cl = llvm::cl;

static int fail(const std::string &message) {
  std::fprintf(stderr, "kiln-run: error: %s\n", message.c_str());
  return 1;
}

/// "0,5,10-12" as row indices below `rows`.
static Status parseRows(const std::string &text, int64_t rows,
                        std::vector<int64_t> &out) {
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(text).split(parts, ',', -1, false);
  for (llvm::StringRef part : parts) {
    auto [from, to] = part.split('-');
    int64_t a, b;
    if (from.trim().getAsInteger(10, a) ||
        (to.empty() ? (b = a, false) : to.trim().getAsInteger(10, b)) ||
        a < 0 || b < a)
      return Status::error("--predict: '" + part.str() +
                           "' is not a row or a range of rows");
    if (b >= rows)
      return Status::error("--predict: row " + std::to_string(b) +
                           " is past the last row (" +
                           std::to_string(rows - 1) + ")");
    for (int64_t r = a; r <= b; ++r)
      out.push_back(r);
  }
  return Status::success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // Only the tool's own options in --help, not libLLVM's hundreds.
  cl::OptionCategory category("kiln-run options");
  cl::opt<std::string> input(cl::Positional, cl::desc("<model.kiln>"),
                             cl::Required, cl::cat(category));
  cl::opt<std::string> dataFlag(
      "data",
      cl::desc("fashion_mnist[:DIR], mnist[:DIR] or csv:FILE (default: the "
               "data set the model was trained on)"),
      cl::cat(category));
  cl::opt<std::string> labelColumn(
      "label-column", cl::desc("CSV: the label column"), cl::cat(category));
  cl::opt<std::string> split("split", cl::desc("test, validation or train"),
                             cl::init("test"), cl::cat(category));
  cl::opt<unsigned> mc("mc", cl::desc("Monte-Carlo dropout samples"),
                       cl::init(0), cl::cat(category));
  cl::opt<uint64_t> seed("seed", cl::desc("Monte-Carlo dropout seed"),
                         cl::init(42), cl::cat(category));
  cl::opt<std::string> predict(
      "predict", cl::desc("Print the outputs of these rows, e.g. 0,5,10-12"),
      cl::cat(category));
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "Kiln model runner\n");

  Model file;
  if (Status s = loadModel(input, file); !s.ok())
    return fail(s.message()); // names the file
  TrainConfig config;
  if (file.training && !file.training->config.empty()) {
    if (Status s = parseConfig(file.training->config, {}, config); !s.ok())
      return fail(input + ": stored configuration: " + s.message());
  } else if (dataFlag.empty()) {
    return fail(input + ": has no training configuration; say which data "
                        "to use with --data");
  }
  if (file.training && !file.training->loss.empty())
    if (std::optional<LossKind> loss = parseLossName(file.training->loss))
      config.loss = *loss;
  if (!dataFlag.empty()) {
    auto [kind, where] = llvm::StringRef(dataFlag).split(':');
    DatasetConfig d;
    d.name = kind.str();
    if (d.name == "csv") {
      d.train = where.str();
      d.labelColumn = labelColumn;
      if (d.train.empty())
        return fail("--data csv:FILE needs a file");
    } else if (d.name == "fashion_mnist" || d.name == "mnist") {
      if (d.name == "mnist")
        d.path = "/usr/share/datasets/mnist";
      if (!where.empty())
        d.path = where.str();
    } else {
      return fail("--data: unknown data set '" + d.name +
                  "' (valid: csv, fashion_mnist, mnist)");
    }
    // Keep what the model's outputs mean: the run's class selection and
    // whether it reconstructs its inputs; and its label column unless
    // --label-column names another.
    d.classes = config.dataset.classes;
    d.autoencoder = config.dataset.autoencoder;
    if (d.labelColumn.empty() && config.dataset.name == "csv")
      d.labelColumn = config.dataset.labelColumn;
    config.dataset = d;
    if (d.name == "csv")
      split = "train"; // the file is the data
  }
  if (split != "test" && split != "validation" && split != "train")
    return fail("--split: unknown value '" + split.getValue() +
                "' (valid: test, validation, train)");

  // The test split of an IDX data set needs none of the 60,000 training
  // images.
  Dataset data;
  if (Status s = loadDataset(config, data, /*testOnly=*/split == "test");
      !s.ok())
    return fail(s.message());
  Sequential model;
  file.training.reset(); // inference only
  if (Status s = model.load(file); !s.ok())
    return fail(input + ": " + s.message());
  model.compile(config.loss, nullptr);
  if (Status s = prepareData(model, config.loss, data); !s.ok())
    return fail(s.message());
  const Matrix &x = split == "test"         ? data.xTest
                    : split == "validation" ? data.xVal
                                            : data.xTrain;
  const Targets &y = split == "test"         ? data.yTest
                     : split == "validation" ? data.yVal
                                             : data.yTrain;
  if (x.rows() == 0)
    return fail("the " + split.getValue() + " split has no rows");
  std::printf("%s: %lld rows of %s (%s)\n", file.name.c_str(),
              (long long)x.rows(), config.dataset.name.c_str(),
              split.getValue().c_str());
  Evaluation e = model.evaluate(x, y);
  if (!y.labels.empty())
    std::printf("loss %.4f  accuracy %.4f\n", e.loss, e.accuracy);
  else
    std::printf("loss %.4f\n", e.loss);

  if (mc > 0) {
    Sequential::MonteCarlo r = model.predictMc(x, mc, seed);
    double stdSum = 0;
    for (Eigen::Index i = 0; i < r.mean.rows(); ++i) {
      Eigen::Index best = 0;
      r.mean.row(i).maxCoeff(&best);
      stdSum += r.stddev(i, best);
    }
    std::printf("MC dropout (%u samples, seed %llu):", unsigned(mc),
                (unsigned long long)seed.getValue());
    if (!y.labels.empty())
      std::printf("  accuracy %.4f", accuracy(r.mean, y.labels, 0));
    std::printf("  mean std of the predicted class %.4f\n",
                stdSum / double(r.mean.rows()));
  }

  if (!predict.empty()) {
    std::vector<int64_t> rows;
    if (Status s = parseRows(predict, x.rows(), rows); !s.ok())
      return fail(s.message());
    // Only the chosen rows go through the model.
    Matrix chosen(Eigen::Index(rows.size()), x.cols());
    for (size_t i = 0; i < rows.size(); ++i)
      chosen.row(Eigen::Index(i)) = x.row(rows[i]);
    Matrix outputs = model.predict(chosen);
    for (size_t i = 0; i < rows.size(); ++i) {
      int64_t r = rows[i];
      auto p = outputs.row(Eigen::Index(i));
      Eigen::Index best = 0;
      p.maxCoeff(&best);
      std::printf("row %lld:", (long long)r);
      if (!y.labels.empty())
        std::printf(" label %d", y.labels[size_t(r)]);
      std::printf(" predicted %lld", (long long)best);
      if (size_t(best) < data.classNames.size())
        std::printf(" (%s)", data.classNames[size_t(best)].c_str());
      std::printf("  [");
      for (Eigen::Index c = 0; c < p.cols(); ++c)
        std::printf(c ? " %.4f" : "%.4f", p(c));
      std::printf("]\n");
    }
  }
  return 0;
}
