//===- Sgd.h - Stochastic gradient descent ------------------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_SGD_H
#define KILN_TRAINER_SGD_H

#include "schema/Model.h"
#include "trainer/Tensor.h"

#include <map>
#include <string>
#include <vector>

namespace kiln::train {

struct SgdOptions {
  double learningRate = 0.01; // Keras defaults
  double momentum = 0.0;
  bool nesterov = false;
};

/// Keras' SGD, per parameter w with gradient g and velocity v (slot "v"):
///   v ← μ·v − η·g
///   w ← w + v                (classic momentum)
///   w ← w + μ·v − η·g        (Nesterov)
/// With μ = 0: w ← w − η·g, and no slot is kept.
class Sgd {
public:
  explicit Sgd(SgdOptions options) : options(options) {}

  void step(const std::vector<Parameter *> &params);
  double learningRate() const { return options.learningRate; }
  void setLearningRate(double lr) { options.learningRate = lr; }
  int64_t iterations() const { return steps; }

  /// Slots and hyperparameters in the model file's form.
  OptimizerState state() const;

private:
  SgdOptions options;
  std::map<std::string, Matrix> velocity;
  int64_t steps = 0;
};

} // namespace kiln::train

#endif // KILN_TRAINER_SGD_H
