//===- Dense.cpp - Fully connected layer ----------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Forward z = xW + b, y = f(z). Backward, for a batch (rows of x):
//   dz = f'(z) ⊙ dy,  dW = xᵀ dz,  db = Σ_rows dz,  dx = dz Wᵀ.
// All through Eigen products (no hand-written GEMM).
//
//===----------------------------------------------------------------------===//

#include "trainer/Dense.h"
#include "trainer/ModelTensors.h"

#include "trainer/Activations.h"

namespace kiln::train {

Status Dense::build(const std::vector<int64_t> &inputShape, kiln_rng_t &rng) {
  if (inputShape.size() != 1)
    return Status::error("layer '" + name() +
                         "' (dense): needs a flat input; add a flatten layer");
  if (options.units < 1)
    return Status::error("layer '" + name() + "' (dense): units must be >= 1");
  activation = ActivationFunction(options.activation);
  if (Status s = activation.build(name(), options.units); !s.ok())
    return s;
  int64_t in = inputShape[0], out = options.units;
  kernel.name = name() + "/kernel";
  kernel.value.resize(in, out);
  options.kernelInitializer.fill(kernel.value, in, out, rng);
  kernel.grad = Matrix::Zero(in, out);
  if (options.useBias) {
    bias.name = name() + "/bias";
    bias.value.resize(1, out);
    options.biasInitializer.fill(bias.value, in, out, rng);
    bias.grad = Matrix::Zero(1, out);
  }
  setPenalties(options);
  return Status::success();
}

void Dense::setPenalties(const DenseOptions &o) {
  options.kernelRegularizer = o.kernelRegularizer;
  options.biasRegularizer = o.biasRegularizer;
  options.kernelConstraint = o.kernelConstraint;
  options.biasConstraint = o.biasConstraint;
  kernel.l1 = o.kernelRegularizer.l1;
  kernel.l2 = o.kernelRegularizer.l2;
  kernel.maxNorm = o.kernelConstraint.maxValue;
  bias.l1 = o.biasRegularizer.l1;
  bias.l2 = o.biasRegularizer.l2;
  bias.maxNorm = o.biasConstraint.maxValue;
}

const Matrix &Dense::forward(const Matrix &x, const ForwardContext &ctx) {
  input = x;
  z.resize(x.rows(), options.units);
  z.noalias() = x * kernel.value;
  if (options.useBias)
    z.rowwise() += RowVector(bias.value.row(0));
  activation.forward(z, y, ctx, streamId);
  return y;
}

const Matrix &Dense::backward(const Matrix &dy) {
  Matrix dzLocal;
  activation.backward(z, y, dy, dzLocal);
  return backwardFromPreActivation(dzLocal);
}

const Matrix &Dense::backwardFromPreActivation(const Matrix &dzIn) {
  dz = dzIn;
  kernel.grad.noalias() = input.transpose() * dz;
  if (options.useBias)
    bias.grad = dz.colwise().sum();
  if (!needsInputGradient) {
    dx.resize(0, 0);
    return dx;
  }
  dx.resize(dz.rows(), kernel.value.rows());
  dx.noalias() = dz * kernel.value.transpose();
  return dx;
}

std::vector<Parameter *> Dense::parameters() {
  std::vector<Parameter *> params{&kernel};
  if (options.useBias)
    params.push_back(&bias);
  if (Parameter *slopes = activation.parameter())
    params.push_back(slopes);
  return params;
}

kiln::Layer Dense::toModelLayer() const {
  DenseLayer d;
  d.units = options.units;
  d.useBias = options.useBias;
  d.activation = activation.toModel();
  d.kernel = toModelTensor(kernel.value);
  if (options.useBias)
    d.bias = toModelTensor(bias.value, {options.units});
  // Saved like Keras' layer config, so a resumed or transferred layer keeps
  // training under the same penalties.
  d.penalties = options.penalties();
  return kiln::Layer{name(), trainable, std::move(d)};
}

} // namespace kiln::train
