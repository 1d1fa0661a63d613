//===- Dropout.h - Inverted dropout -------------------------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_DROPOUT_H
#define KILN_TRAINER_DROPOUT_H

#include "trainer/Layer.h"

namespace kiln::train {

/// Inverted dropout: in training (or MC sampling) each element is kept with
/// probability 1 − rate and scaled by 1/(1 − rate), so the expectation is
/// unchanged; identity at inference. The mask of element (row, unit) at step
/// t is kiln_rng_uniform_at(seed, streamId, t, row·units + unit) >= rate: a
/// pure function of those values, as in compiled MC dropout.
class Dropout : public Layer {
public:
  Dropout(std::string name, float rate) : Layer(std::move(name)), rate(rate) {}
  Status build(const std::vector<int64_t> &inputShape, kiln_rng_t &) override;
  std::vector<int64_t> outputShape() const override { return shape; }
  const Matrix &forward(const Matrix &x,
                        const ForwardContext &context) override;
  const Matrix &backward(const Matrix &dy) override;
  kiln::Layer toModelLayer() const override {
    return kiln::Layer{name(), trainable, DropoutLayer{rate}};
  }

private:
  float rate;
  std::vector<int64_t> shape;
  bool active = false;
  Matrix mask, out, dx;
};

} // namespace kiln::train

#endif // KILN_TRAINER_DROPOUT_H
