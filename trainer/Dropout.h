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

/// Dropout, active in training (or MC sampling), identity at inference.
///  - Training: element (row, unit) of step t is kept iff
///    kiln_rng_uniform_at(seed, streamId, t, row·units + unit) >= rate.
///  - Monte-Carlo sampling (inference with mcDropout): unit u of sample s is
///    kept iff kiln_rng_u16_at(seed, streamId, s, u)·2^-16 >= rate, for
///    every row: 16 random bits per unit, one Philox block per eight units
///    (kiln/rng.h), which compiled code generates in vector registers at
///    half the cost of 32 bits per unit. A unit is then dropped with
///    probability ceil(rate·2^16)/2^16, within 2^-16 of the rate. Training
///    keeps 24-bit uniforms: it has no such cost to save, and its trained
///    weights stay what they were. Keyed without the row, a row's
///    masks do not depend on the batch it is predicted in (batches of 64 or one
///    by one draw the same), and each example still sees `samples` independent
///    masks, which is all its MC mean and spread are estimated from. (Keras'
///    training=True call draws per row, so its results change with the batch
///    composition.)
///  - Standard (inverted): kept elements are scaled by 1/(1 − rate), so the
///    expectation is unchanged.
///  - Alpha (SELU paper, Keras AlphaDropout): dropped elements become
///    α' = −λα (SELU's negative saturation), then y = a·x' + b with
///    a = ((1 − p)(1 + p·α'²))^(−½), b = −a·α'·p, which keeps a standardized
///    input's mean 0 and variance 1.
class Dropout : public Layer {
public:
  Dropout(std::string name, float rate,
          DropoutKind kind = DropoutKind::Standard)
      : Layer(std::move(name)), rate(rate), kind(kind) {}
  Status build(const std::vector<int64_t> &inputShape, kiln_rng_t &) override;
  std::vector<int64_t> outputShape() const override { return shape; }
  const Matrix &forward(const Matrix &x,
                        const ForwardContext &context) override;
  const Matrix &backward(const Matrix &dy) override;
  bool drawsWhenSampling() const override { return rate > 0; }
  kiln::Layer toModelLayer() const override {
    return kiln::Layer{name(), trainable, DropoutLayer{rate, kind}};
  }

private:
  float rate;
  std::vector<float> uniforms;
  DropoutKind kind;
  std::vector<int64_t> shape;
  bool active = false;
  Matrix mask, out, dx;
};

} // namespace kiln::train

#endif // KILN_TRAINER_DROPOUT_H
