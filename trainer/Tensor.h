//===- Tensor.h - The trainer's matrices and parameters ----------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Everything the trainer computes is a [batch, features] row-major float
// matrix: dense networks need nothing else, and row-major keeps one
// example's features contiguous, as in the model file and compiled code.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_TENSOR_H
#define KILN_TRAINER_TENSOR_H

#include <Eigen/Core>

#include <string>

namespace kiln::train {

using Matrix =
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic, Eigen::RowMajor>;

/// A trainable tensor and its gradient, named "<layer>/<parameter>" (the
/// name optimizer slots are keyed by).
struct Parameter {
  std::string name;
  Matrix value;
  Matrix grad;
  /// ℓ1/ℓ2 penalty factors (0: none); see Regularizers.h.
  double l1 = 0, l2 = 0;
  /// max_norm over columns applied after each step (0: none).
  double maxNorm = 0;
};

} // namespace kiln::train

#endif // KILN_TRAINER_TENSOR_H
