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
/// as a [rows, cols] matrix; `t` is validated and holds rows·cols values
/// (the loader and the callers check shapes).
inline Matrix toMatrix(const kiln::Tensor &t, Eigen::Index rows,
                       Eigen::Index cols) {
  std::vector<float> v = t.realValues();
  return Eigen::Map<const Matrix>(v.data(), rows, cols);
}

} // namespace kiln::train

#endif // KILN_TRAINER_MODELTENSORS_H
