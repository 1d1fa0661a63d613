//===- fmnist_mlp.cpp - Train the book's Fashion-MNIST MLP ---------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// 784 -> Dense300 ELU he_normal -> Dense100 ELU he_normal -> Dense10 softmax,
// SGD lr 0.01, batch 32, the last 5,000 training images held out for
// validation, pixels scaled to [0, 1]. Prints one line per epoch and the
// test accuracy, and saves the model (-o).
//
//   fmnist-mlp [--epochs N] [--data DIR] [--seed S] [-o model.kiln]
//
//===----------------------------------------------------------------------===//

#include "trainer/Data.h"
#include "trainer/Dense.h"
#include "trainer/Dropout.h"
#include "trainer/Flatten.h"
#include "trainer/Sequential.h"

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

using namespace kiln;
using namespace kiln::train;

static int fail(const std::string &message) {
  std::fprintf(stderr, "fmnist-mlp: error: %s\n", message.c_str());
  return 1;
}

/// `text` as a number, or nullopt unless all of it is one.
static std::optional<double> number(const char *text) {
  char *end = nullptr;
  double v = std::strtod(text, &end);
  if (end == text || *end != '\0')
    return std::nullopt;
  return v;
}

int main(int argc, char **argv) {
  int epochs = 10;
  uint64_t seed = 42;
  double dropout = 0, lr = 0;
  std::string optimizerName = "sgd";
  std::string data = "/usr/share/datasets/fashion-mnist", output;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> const char * {
      return i + 1 < argc ? argv[++i] : nullptr;
    };
    const char *v = nullptr;
    std::optional<double> n;
    if ((arg == "--epochs" || arg == "--data" || arg == "--seed" ||
         arg == "-o" || arg == "--dropout" || arg == "--optimizer" ||
         arg == "--lr") &&
        !(v = value()))
      return fail("option '" + arg + "' needs a value");
    if ((arg == "--epochs" || arg == "--dropout" || arg == "--lr") &&
        !(n = number(v)))
      return fail("option '" + arg + "' needs a number, not '" + v + "'");
    if (arg == "--epochs")
      epochs = int(*n);
    else if (arg == "--data")
      data = v;
    else if (arg == "--seed") {
      char *end = nullptr;
      seed = std::strtoull(v, &end, 10);
      if (end == v || *end != '\0')
        return fail("option '--seed' needs an integer, not '" + std::string(v) +
                    "'");
    } else if (arg == "-o")
      output = v;
    else if (arg == "--dropout")
      dropout = *n;
    else if (arg == "--optimizer")
      optimizerName = v;
    else if (arg == "--lr")
      lr = *n;
    else
      return fail("unknown option '" + arg +
                  "' (valid: --epochs, --data, --seed, -o, --dropout, "
                  "--optimizer, --lr)");
  }
  if (epochs < 1)
    return fail("--epochs must be >= 1");
  if (lr < 0)
    return fail("--lr must be >= 0 (0: the optimizer's default)");
  if (!(dropout >= 0 && dropout < 1))
    return fail("--dropout must be in [0, 1)");
  if (optimizerName != "sgd" && optimizerName != "nadam")
    return fail("--optimizer '" + optimizerName +
                "' is not one of: sgd, nadam");

  Matrix xTrain, xTest;
  Targets yTrain, yTest;
  std::vector<int64_t> shape;
  for (Status s :
       {readIdxImages(data + "/train-images-idx3-ubyte.gz", xTrain, shape),
        readIdxLabels(data + "/train-labels-idx1-ubyte.gz", yTrain.labels),
        readIdxImages(data + "/t10k-images-idx3-ubyte.gz", xTest, shape),
        readIdxLabels(data + "/t10k-labels-idx1-ubyte.gz", yTest.labels)})
    if (!s.ok())
      return fail(s.message());

  // With --dropout, the book's MC-dropout model: Dropout before every
  // Dense layer.
  Sequential model("fmnist_mlp");
  model.add(std::make_unique<Flatten>("flatten"));
  Initializer he = *Initializer::named("he_normal");
  Activation elu = Activation::withDefaults(ActivationKind::Elu);
  int drops = 0;
  auto maybeDropout = [&]() {
    if (dropout > 0)
      model.add(std::make_unique<Dropout>(
          drops++ ? "dropout_" + std::to_string(drops - 1) : "dropout",
          float(dropout)));
  };
  maybeDropout();
  model.add(std::make_unique<Dense>("dense", DenseOptions::make(300, elu, he)));
  maybeDropout();
  model.add(
      std::make_unique<Dense>("dense_1", DenseOptions::make(100, elu, he)));
  maybeDropout();
  model.add(std::make_unique<Dense>(
      "dense_2", DenseOptions::make(
                     10, Activation::withDefaults(ActivationKind::Softmax))));
  if (Status s = model.build(shape, seed); !s.ok())
    return fail(s.message());
  OptimizerOptions opt;
  opt.learningRate = lr > 0 ? lr : (optimizerName == "sgd" ? 0.01 : 0.001);
  model.compile(LossKind::SparseCategoricalCrossentropy,
                makeOptimizer(optimizerName == "sgd" ? OptimizerKind::Sgd
                                                     : OptimizerKind::Nadam,
                              opt));

  FitOptions fit;
  fit.epochs = epochs;
  fit.batchSize = 32;
  fit.validationSplit = 5000.0 / 60000.0;
  fit.seed = seed;
  fit.onEpochEnd = [&](int epoch, const History &h) {
    std::printf("epoch %2d/%d  loss %.4f  accuracy %.4f  val_loss %.4f  "
                "val_accuracy %.4f  %.2f s\n",
                epoch + 1, epochs, h.loss.back(), h.accuracy.back(),
                h.valLoss.back(), h.valAccuracy.back(), h.seconds.back());
    std::fflush(stdout);
    return Status::success();
  };
  History history;
  if (Status s = model.fit(xTrain, yTrain, fit, history); !s.ok())
    return fail(s.message());
  Evaluation test = model.evaluate(xTest, yTest);
  double total = 0;
  for (double s : history.seconds)
    total += s;
  std::printf("test loss %.4f  test accuracy %.4f  (%.2f s per epoch)\n",
              test.loss, test.accuracy, total / epochs);
  if (dropout > 0) {
    // MC dropout as the compiled NAME_predict_mc computes it: 100 samples,
    // seed 42, the class of the highest mean probability.
    Sequential::MonteCarlo mc = model.predictMc(xTest, 100, 42);
    std::printf("MC dropout (100 samples, seed 42): test accuracy %.4f\n",
                accuracy(mc.mean, yTest.labels, 0));
  }

  if (!output.empty()) {
    const std::vector<std::string> classes = {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    if (Status s = saveModel(model.toModel(std::nullopt, classes), output);
        !s.ok())
      return fail(s.message());
    std::printf("saved %s\n", output.c_str());
  }
  return 0;
}
