//===- BatchNorm.h - Batch normalization -------------------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_BATCHNORM_H
#define KILN_TRAINER_BATCHNORM_H

#include "trainer/Layer.h"

namespace kiln::train {

struct BatchNormOptions {
  double momentum = 0.99; // Keras defaults
  double epsilon = 1e-3;
  bool center = true; // learn β
  bool scale = true;  // learn γ
};

/// Keras' BatchNormalization over the features: in training it normalizes
/// with the batch's mean and (biased) variance and updates the moving
/// averages v̂ ← v̂·momentum + v·(1 − momentum); at inference (and when
/// frozen, as in Keras) it uses the moving statistics.
class BatchNorm : public Layer {
public:
  BatchNorm(std::string name, BatchNormOptions options = {})
      : Layer(std::move(name)), options(options) {}
  Status build(const std::vector<int64_t> &inputShape, kiln_rng_t &) override;
  std::vector<int64_t> outputShape() const override { return shape; }
  const Matrix &forward(const Matrix &x,
                        const ForwardContext &context) override;
  const Matrix &backward(const Matrix &dy) override;
  std::vector<Parameter *> parameters() override;
  kiln::Layer toModelLayer() const override;

  Parameter gamma, beta;
  RowVector movingMean, movingVariance;

private:
  BatchNormOptions options;
  std::vector<int64_t> shape;
  bool usedBatchStatistics = false;
  Matrix xHat, y, dx;
  RowVector invStd;
};

} // namespace kiln::train

#endif // KILN_TRAINER_BATCHNORM_H
