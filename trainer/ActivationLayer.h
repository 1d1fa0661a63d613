//===- ActivationLayer.h - An activation as a layer ---------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// keras.layers.Activation, and PReLU (keras.layers.PReLU: a learnable slope
// per position of the last axis) and RReLU as layers.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_ACTIVATIONLAYER_H
#define KILN_TRAINER_ACTIVATIONLAYER_H

#include "trainer/Activations.h"
#include "trainer/Layer.h"

namespace kiln::train {

class ActivationLayer : public Layer {
public:
  ActivationLayer(std::string name, Activation act)
      : Layer(std::move(name)), function(std::move(act)) {}

  Status build(const std::vector<int64_t> &inputShape, kiln_rng_t &) override {
    shape = inputShape;
    return function.build(name(), inputShape.empty() ? 1 : inputShape.back());
  }
  std::vector<int64_t> outputShape() const override { return shape; }
  const Matrix &forward(const Matrix &x, const ForwardContext &ctx) override {
    input = x;
    function.forward(x, y, ctx, streamId);
    return y;
  }
  const Matrix &backward(const Matrix &dy) override {
    function.backward(input, y, dy, dx);
    return dx;
  }
  std::vector<Parameter *> parameters() override {
    if (Parameter *p = function.parameter())
      return {p};
    return {};
  }
  kiln::Layer toModelLayer() const override {
    return kiln::Layer{name(), trainable,
                       ::kiln::ActivationLayer{function.toModel()}};
  }

private:
  ActivationFunction function;
  std::vector<int64_t> shape;
  Matrix input, y, dx;
};

} // namespace kiln::train

#endif // KILN_TRAINER_ACTIVATIONLAYER_H
