//===- ModelTensors.h - Trainer matrices <-> model-file tensors ---*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The one conversion between the trainer's row-major matrices and the
// model file's tensors, for weights, optimizer slots and callback states.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_MODELTENSORS_H
#define KILN_TRAINER_MODELTENSORS_H

#include "schema/Model.h"
#include "trainer/Tensor.h"

#include <vector>

namespace kiln::train {

/// `m`'s values, row-major, as an f32 tensor of `shape` ([rows, cols] when
/// empty).
inline kiln::Tensor toModelTensor(const Matrix &m,
                                  std::vector<int64_t> shape = {}) {
  if (shape.empty())
    shape = {m.rows(), m.cols()};
  return kiln::Tensor::fromF32(
      std::move(shape), std::vector<float>(m.data(), m.data() + m.size()));
}

/// `t`'s real values (any dtype: f16/bf16 widened, integers dequantized)
/// as a [rows, cols] matrix; empty (0 × 0) unless `t` holds exactly
/// rows·cols values.
inline Matrix toMatrix(const kiln::Tensor &t, Eigen::Index rows,
                       Eigen::Index cols) {
  std::vector<float> v = t.realValues();
  if (rows < 0 || cols < 0 || v.size() != size_t(rows) * size_t(cols))
    return Matrix();
  return Eigen::Map<const Matrix>(v.data(), rows, cols);
}

/// A two-dimensional tensor (optimizer slot, saved weights) as a matrix of
/// its shape; an error naming `what` if it is not two-dimensional or its
/// bytes do not hold its shape's values.
inline Status matrixOf(const kiln::Tensor &t, const std::string &what,
                       Matrix &out) {
  if (t.shape.size() != 2)
    return Status::error(what + " is not a matrix");
  out = toMatrix(t, t.shape[0], t.shape[1]);
  if (out.rows() != t.shape[0] || out.cols() != t.shape[1])
    return Status::error(what + ": its data does not hold its shape");
  return Status::success();
}

} // namespace kiln::train

#endif // KILN_TRAINER_MODELTENSORS_H
