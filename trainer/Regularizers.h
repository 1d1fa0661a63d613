//===- Regularizers.h - Weight penalties and constraints ---------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Keras semantics:
//   l1_l2(l1, l2): penalty l1·Σ|w| + l2·Σw² (no ½), added to the loss and
//                  reported in it; gradient l1·sign(w) + 2·l2·w.
//   max_norm(r) on a Dense kernel [in, out] (axis 0): each unit's incoming
//                  weight column w ← w · min(‖w‖, r) / (‖w‖ + 1e-7), after
//                  every optimizer step.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_REGULARIZERS_H
#define KILN_TRAINER_REGULARIZERS_H

#include "trainer/Tensor.h"

namespace kiln::train {

struct Regularizer {
  double l1 = 0, l2 = 0;
  bool active() const { return l1 != 0 || l2 != 0; }
  /// The penalty for `w`.
  double penalty(const Matrix &w) const;
  /// Adds the penalty's gradient to `grad`.
  void addGradient(const Matrix &w, Matrix &grad) const;
};

/// max_norm(maxValue) over columns (per output unit); 0 = no constraint.
struct MaxNorm {
  double maxValue = 0;
  void apply(Matrix &w) const;
};

} // namespace kiln::train

#endif // KILN_TRAINER_REGULARIZERS_H
