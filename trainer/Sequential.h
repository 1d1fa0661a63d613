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
  int epochs = 1;
  size_t batchSize = 32;
  bool shuffle = true;
  /// Hold out this fraction of the training data, taken from the end (as
  /// Keras does), for validation.
  double validationSplit = 0;
  uint64_t seed = 42;
  /// Called after each epoch with its index and the history so far.
  std::function<void(int, const struct History &)> onEpochEnd;
};

/// Per-epoch values, Keras' History.history.
struct History {
  std::vector<double> loss, accuracy, valLoss, valAccuracy, seconds;
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

  std::vector<Layer *> layers();
  /// The model file form, with input normalization if given and the
  /// optimizer state.
  Model toModel(std::optional<Normalization> normalization,
                std::vector<std::string> classNames) const;

private:
  std::string modelName;
  std::vector<std::unique_ptr<Layer>> stack;
  std::vector<int64_t> inputShape;
  LossKind lossKind = LossKind::SparseCategoricalCrossentropy;
  std::unique_ptr<Optimizer> optimizer;
  uint64_t fitSeed = 0;
  uint32_t step = 0;

  const Matrix &forward(const Matrix &x, const ForwardContext &context);
  void backward(const Matrix &y, const Targets &t, size_t begin);
};

} // namespace kiln::train

#endif // KILN_TRAINER_SEQUENTIAL_H
