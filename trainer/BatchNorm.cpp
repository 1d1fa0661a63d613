//===- BatchNorm.cpp - Batch normalization --------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Training, per feature over the N rows of a batch:
//   μ = Σx/N,  σ² = Σ(x − μ)²/N,  x̂ = (x − μ)/√(σ² + ε),  y = γx̂ + β
// Backward (μ and σ² depend on every row):
//   dβ = Σ dy,  dγ = Σ dy·x̂,  dx̂ = γ·dy
//   dx = (1/√(σ²+ε)) · (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
// Inference: the same affine map with the moving statistics, so
//   dx = γ·dy/√(v̂ + ε).
//
//===----------------------------------------------------------------------===//

#include "trainer/BatchNorm.h"
#include "trainer/ModelTensors.h"

#include <cmath>

namespace kiln::train {

Status BatchNorm::build(const std::vector<int64_t> &inputShape, kiln_rng_t &) {
  if (inputShape.empty())
    return Status::error("layer '" + name() + "' (batch_norm): empty input");
  if (!(options.epsilon > 0) || !(options.momentum >= 0) ||
      options.momentum > 1)
    return Status::error("layer '" + name() +
                         "' (batch_norm): needs epsilon > 0 and momentum in "
                         "[0, 1]");
  shape = inputShape;
  int64_t n = inputShape.back();
  gamma = {name() + "/gamma", Matrix::Ones(1, n), Matrix::Zero(1, n)};
  beta = {name() + "/beta", Matrix::Zero(1, n), Matrix::Zero(1, n)};
  movingMean = RowVector::Zero(n);
  movingVariance = RowVector::Ones(n);
  return Status::success();
}

const Matrix &BatchNorm::forward(const Matrix &x, const ForwardContext &ctx) {
  usedBatchStatistics = ctx.training && trainable;
  RowVector mean, variance;
  if (usedBatchStatistics) {
    mean = x.colwise().mean();
    variance = (x.rowwise() - mean).array().square().colwise().mean();
    const float m = float(options.momentum);
    movingMean = m * movingMean + (1 - m) * mean;
    movingVariance = m * movingVariance + (1 - m) * variance;
  } else {
    mean = movingMean;
    variance = movingVariance;
  }
  invStd = (variance.array() + float(options.epsilon)).rsqrt();
  xHat = (x.rowwise() - mean).array().rowwise() * invStd.array();
  y = (xHat.array().rowwise() * RowVector(gamma.value.row(0)).array())
          .rowwise() +
      RowVector(beta.value.row(0)).array();
  return y;
}

const Matrix &BatchNorm::backward(const Matrix &dy) {
  RowVector g = gamma.value.row(0);
  gamma.grad = (dy.array() * xHat.array()).colwise().sum();
  beta.grad = dy.colwise().sum();
  Matrix dxHat = dy.array().rowwise() * g.array();
  if (!usedBatchStatistics) {
    dx = dxHat.array().rowwise() * invStd.array();
    return dx;
  }
  RowVector meanDxHat = dxHat.colwise().mean();
  RowVector meanDxHatXHat = (dxHat.array() * xHat.array()).colwise().mean();
  dx = ((dxHat.rowwise() - meanDxHat).array() -
        xHat.array().rowwise() * meanDxHatXHat.array())
           .rowwise() *
       invStd.array();
  return dx;
}

std::vector<Parameter *> BatchNorm::parameters() {
  std::vector<Parameter *> params;
  if (options.scale)
    params.push_back(&gamma);
  if (options.center)
    params.push_back(&beta);
  return params;
}

kiln::Layer BatchNorm::toModelLayer() const {
  auto tensor = [](const Matrix &v) {
    return toModelTensor(v, {int64_t(v.size())});
  };
  BatchNormLayer bn;
  bn.gamma = tensor(gamma.value);
  bn.beta = tensor(beta.value);
  bn.movingMean = tensor(movingMean);
  bn.movingVariance = tensor(movingVariance);
  bn.epsilon = float(options.epsilon);
  bn.momentum = float(options.momentum);
  bn.center = options.center;
  bn.scale = options.scale;
  return kiln::Layer{name(), trainable, std::move(bn)};
}

} // namespace kiln::train
