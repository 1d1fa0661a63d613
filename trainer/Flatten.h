//===- Flatten.h - Flatten layer ----------------------------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Examples are stored flat already ([batch, features], row-major), so
// flattening only changes the recorded shape.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_FLATTEN_H
#define KILN_TRAINER_FLATTEN_H

#include "trainer/Layer.h"

namespace kiln::train {

class Flatten : public Layer {
public:
  using Layer::Layer;
  Status build(const std::vector<int64_t> &inputShape, kiln_rng_t &) override {
    size = 1;
    for (int64_t d : inputShape)
      size *= d;
    return Status::success();
  }
  std::vector<int64_t> outputShape() const override { return {size}; }
  // The caller keeps x and dy alive while the result is used: no copy.
  const Matrix &forward(const Matrix &x, const ForwardContext &) override {
    return x;
  }
  const Matrix &backward(const Matrix &dy) override { return dy; }
  kiln::Layer toModelLayer() const override {
    return kiln::Layer{name(), trainable, FlattenLayer()};
  }

private:
  int64_t size = 0;
};

} // namespace kiln::train

#endif // KILN_TRAINER_FLATTEN_H
