//===- Activations.h - Activation functions and derivatives ------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_ACTIVATIONS_H
#define KILN_TRAINER_ACTIVATIONS_H

#include "schema/Model.h"
#include "trainer/Tensor.h"

namespace kiln::train {

/// True if the trainer can train with `kind` (PReLU's learnable slopes and
/// RReLU's random training slopes are not implemented yet).
bool isTrainable(ActivationKind kind);

/// y = f(x); softmax acts on each row.
void activationForward(const Activation &act, const Matrix &x, Matrix &y);

/// dx = dL/dx from dy = dL/dy, given the forward's x and y. Softmax uses
/// its Jacobian: dx = y ⊙ (dy − rowsum(dy ⊙ y)).
void activationBackward(const Activation &act, const Matrix &x, const Matrix &y,
                        const Matrix &dy, Matrix &dx);

} // namespace kiln::train

#endif // KILN_TRAINER_ACTIVATIONS_H
