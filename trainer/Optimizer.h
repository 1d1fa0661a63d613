//===- Optimizer.h - Optimizers with per-parameter slots ---------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_OPTIMIZER_H
#define KILN_TRAINER_OPTIMIZER_H

#include "schema/Model.h"
#include "trainer/Tensor.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kiln::train {

/// Common options (Keras names). Defaults are the Keras defaults of Adam and
/// friends; SGD's learning rate default (0.01) is set by makeSgd.
struct OptimizerOptions {
  double learningRate = 0.001;
  double momentum = 0.0;           // SGD
  bool nesterov = false;           // SGD
  double beta1 = 0.9;              // Adam, AdaMax, Nadam, AdamW
  double beta2 = 0.999;            // Adam, AdaMax, Nadam, AdamW
  double rho = 0.9;                // RMSProp
  double epsilon = 1e-7;           // all adaptive ones
  double initialAccumulator = 0.1; // AdaGrad
  double weightDecay = 0.004;      // AdamW
  /// Gradient clipping, applied before the update (0 = off), Keras
  /// semantics: each element to [−clipValue, clipValue]; each parameter's
  /// gradient to norm <= clipNorm; all gradients together to global norm
  /// <= globalClipNorm.
  double clipValue = 0;
  double clipNorm = 0;
  double globalClipNorm = 0;
};

/// Applies the clipping `options` asks for to the gradients of `params`.
void clipGradients(const std::vector<Parameter *> &params,
                   const OptimizerOptions &options);

/// An optimizer: step() applies one update to every parameter, keeping its
/// state in slots named "<parameter>/<slot>" (saved in the model file).
/// Frozen layers' parameters are never passed in, so they get no slots.
class Optimizer {
public:
  Optimizer(OptimizerKind kind, OptimizerOptions options)
      : kind(kind), options(options) {}
  virtual ~Optimizer() = default;

  void step(const std::vector<Parameter *> &params);
  double learningRate() const { return options.learningRate; }
  void setLearningRate(double lr) { options.learningRate = lr; }
  /// SGD's momentum (1cycle cycles it); ignored by the other kinds.
  void setMomentum(double momentum) { options.momentum = momentum; }
  int64_t iterations() const { return steps; }
  OptimizerState state() const;
  const OptimizerOptions &getOptions() const { return options; }

protected:
  /// Updates one parameter at step t (1 for the first step).
  virtual void update(Parameter &p, int64_t t) = 0;
  /// The slot `name` of `p`, created filled with `init`.
  Matrix &slot(const Parameter &p, const std::string &name, float init = 0);
  /// Hook for state shared by all parameters (Nadam's momentum schedule).
  virtual void beginStep(int64_t) {}
  /// Hook for restoring that shared state after `t` steps.
  virtual void restoreSharedState(int64_t t) {}

  OptimizerKind kind;
  OptimizerOptions options;

private:
  std::map<std::string, Matrix> slots;
  int64_t steps = 0;

  friend Status restoreOptimizer(const OptimizerState &state,
                                 std::unique_ptr<Optimizer> &out);
};

/// SGD (plain, momentum, Nesterov), AdaGrad, RMSProp, Adam, AdaMax, Nadam,
/// AdamW; equations in Optimizer.cpp.
std::unique_ptr<Optimizer> makeOptimizer(OptimizerKind kind,
                                         OptimizerOptions options);

/// The optimizer `state` (from Optimizer::state(), usually read from a model
/// file) describes, continuing where it stopped: same hyperparameters,
/// slots and iteration count. Fails on unknown hyperparameters and on slots
/// whose values are not finite.
Status restoreOptimizer(const OptimizerState &state,
                        std::unique_ptr<Optimizer> &out);

} // namespace kiln::train

#endif // KILN_TRAINER_OPTIMIZER_H
