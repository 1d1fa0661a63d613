//===- Activations.h - Activation functions and derivatives ------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_ACTIVATIONS_H
#define KILN_TRAINER_ACTIVATIONS_H

#include "schema/Model.h"
#include "trainer/Layer.h"
#include "trainer/Tensor.h"

namespace kiln::train {

/// y = f(x) for the kinds that are a fixed formula (all but PReLU, whose
/// slopes are parameters, and RReLU in training, whose slopes are random;
/// RReLU here is its inference form, slope (lower + upper)/2). Softmax acts
/// on each row.
void activationForward(const Activation &act, const Matrix &x, Matrix &y);

/// dx = dL/dx from dy = dL/dy, given the forward's x and y, for the kinds
/// activationForward handles. Softmax uses its Jacobian:
/// dx = y ⊙ (dy − rowsum(dy ⊙ y)).
void activationBackward(const Activation &act, const Matrix &x, const Matrix &y,
                        const Matrix &dy, Matrix &dx);

/// An activation with the state some kinds carry: PReLU's learnable slope
/// per unit (a Parameter named "<owner>/prelu_alpha", Keras' default
/// initial value 0) and the per-element slopes RReLU draws in training from
/// U(lower, upper) at coordinates (seed, stream, step, element), kept for
/// the backward pass. Dense layers and Activation layers both own one.
class ActivationFunction {
public:
  explicit ActivationFunction(Activation act = {}) : act(std::move(act)) {}

  /// Creates PReLU's slopes for `units` outputs (from the Activation's
  /// prelu_alpha tensor when it has one).
  Status build(const std::string &owner, int64_t units);
  void forward(const Matrix &x, Matrix &y, const ForwardContext &ctx,
               uint32_t stream);
  /// dx from dy; adds PReLU's dL/dα to its gradient.
  void backward(const Matrix &x, const Matrix &y, const Matrix &dy, Matrix &dx);
  /// PReLU's slopes, or nullptr.
  Parameter *parameter() {
    return act.kind == ActivationKind::PRelu ? &slopes : nullptr;
  }
  /// The model file's form (PReLU with its current slopes).
  Activation toModel() const;
  ActivationKind kind() const { return act.kind; }

private:
  Activation act;
  Parameter slopes;    // PReLU: [1, units]
  Matrix randomSlopes; // RReLU in training: one slope per element
  bool randomSlopesUsed = false;
};

} // namespace kiln::train

#endif // KILN_TRAINER_ACTIVATIONS_H
