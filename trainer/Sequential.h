//===- Sequential.h - A stack of layers, Keras style --------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_SEQUENTIAL_H
#define KILN_TRAINER_SEQUENTIAL_H

#include "trainer/Layer.h"
#include "trainer/Loss.h"
#include "trainer/Optimizer.h"

#include <functional>
#include <memory>
#include <optional>

namespace kiln::train {

struct FitOptions {
  /// The index of the last epoch to run, plus one (Keras: training runs
  /// epochs [initialEpoch, epochs)).
  int epochs = 1;
  /// Resume at this epoch; each epoch's shuffle depends only on the seed
  /// and the epoch index, so a resumed run repeats an uninterrupted one.
  int initialEpoch = 0;
  size_t batchSize = 32;
  bool shuffle = true;
  /// Hold out this fraction of the training data, taken from the end (as
  /// Keras does), for validation.
  double validationSplit = 0;
  /// Validation rows given explicitly (Keras' validation_data); when set,
  /// validationSplit is ignored. Both must outlive fit().
  const Matrix *validationX = nullptr;
  const Targets *validationY = nullptr;
  uint64_t seed = 42;
  /// Called after each epoch with its index and the history so far.
  std::function<void(int, const struct History &)> onEpochEnd;
};

/// Per-epoch values, Keras' History.history (learningRate: the rate the
/// epoch ended with).
struct History {
  std::vector<double> loss, accuracy, valLoss, valAccuracy, learningRate,
      seconds;
};

struct Evaluation {
  double loss = 0, accuracy = 0;
};

class Sequential {
public:
  explicit Sequential(std::string name = "model")
      : modelName(std::move(name)) {}

  void add(std::unique_ptr<Layer> layer);
  /// Builds every layer for examples of `inputShape`, drawing initial
  /// weights from stream 0 of `seed`.
  Status build(std::vector<int64_t> inputShape, uint64_t seed);
  void compile(LossKind loss, std::unique_ptr<Optimizer> optimizer);

  /// Trains on rows of `x`; fails (before any update) on NaN/Inf inputs or
  /// labels out of range.
  Status fit(const Matrix &x, const Targets &y, const FitOptions &options,
             History &history);
  Evaluation evaluate(const Matrix &x, const Targets &y,
                      size_t batchSize = 256);
  /// Inference-mode outputs; with `mcDropout`, dropout stays active and
  /// draws masks for (`seed`, `sample`).
  Matrix predict(const Matrix &x, size_t batchSize = 256,
                 bool mcDropout = false, uint64_t seed = 0,
                 uint32_t sample = 0);

  /// Monte-Carlo dropout: `samples` stochastic passes (samples 0, 1, ...
  /// of `seed`, dropout kept active), reduced per output to the mean and the
  /// population standard deviation (divisor `samples`, as numpy.std) by
  /// Welford's recurrence in double. The masks are those of compiled
  /// libraries' NAME_predict_mc (see Dropout.h).
  struct MonteCarlo {
    Matrix mean, stddev;
  };
  MonteCarlo predictMc(const Matrix &x, uint32_t samples, uint64_t seed,
                       size_t batchSize = 256);

  std::vector<Layer *> layers();
  Optimizer *getOptimizer() { return optimizer.get(); }
  /// Epochs completed (what to pass as FitOptions::initialEpoch to resume).
  int epochsCompleted() const { return epochs; }
  /// The model file form, with input normalization if given and the
  /// training state: optimizer slots, step and epoch, fit seed, loss.
  Model toModel(std::optional<Normalization> normalization,
                std::vector<std::string> classNames) const;
  /// Rebuilds a model from its file form (this Sequential must be empty):
  /// layers with their weights and trainable flags, and, when the file has a
  /// training state, the loss, the optimizer with its slots and the
  /// counters, so fit() continues as if never interrupted. Regularizers and
  /// constraints are not stored in the file: add them to the layers again.
  Status load(const Model &model);

private:
  std::string modelName;
  std::vector<std::unique_ptr<Layer>> stack;
  std::vector<int64_t> inputShape;
  LossKind lossKind = LossKind::SparseCategoricalCrossentropy;
  std::unique_ptr<Optimizer> optimizer;
  uint64_t fitSeed = 0;
  uint32_t step = 0;
  int epochs = 0;

  const Matrix &forward(const Matrix &x, const ForwardContext &context);
  void markInputGradients();
  void backward(const Matrix &y, const Targets &t, size_t begin);
};

} // namespace kiln::train

#endif // KILN_TRAINER_SEQUENTIAL_H
