//===- Loss.h - Losses and metrics --------------------------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_LOSS_H
#define KILN_TRAINER_LOSS_H

#include "trainer/Tensor.h"

#include <optional>
#include <string>
#include <vector>

namespace kiln::train {

/// Targets: class indices (sparse CE, accuracy) or values (MSE, MAE).
struct Targets {
  std::vector<int> labels;
  Matrix values;
};

enum class LossKind {
  SparseCategoricalCrossentropy, // labels, probabilities
  CategoricalCrossentropy,       // one-hot values, probabilities
  BinaryCrossentropy,            // values in [0, 1], probabilities
  BinaryCrossentropyFromLogits,  // values in [0, 1], logits
  MeanSquaredError,
  MeanAbsoluteError,
};

/// The Keras name ("sparse_categorical_crossentropy", ...), and back.
const char *lossName(LossKind kind);
std::optional<LossKind> parseLossName(const std::string &name);

/// Mean over the batch of the per-example loss, and dL/dy.
/// Sparse categorical cross-entropy takes probabilities, clipped to
/// [1e-7, 1 − 1e-7] as Keras does.
double lossValue(LossKind kind, const Matrix &y, const Targets &t, size_t begin,
                 size_t count);
void lossGradient(LossKind kind, const Matrix &y, const Targets &t,
                  size_t begin, size_t count, Matrix &dy);

/// Fraction of rows whose argmax equals the label.
double accuracy(const Matrix &y, const std::vector<int> &labels, size_t begin);

} // namespace kiln::train

#endif // KILN_TRAINER_LOSS_H
