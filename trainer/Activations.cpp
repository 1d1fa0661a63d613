//===- Activations.cpp - Activation functions and derivatives -------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Derivatives, written in terms of what the forward pass already computed:
//   sigmoid' = y(1 − y)          tanh' = 1 − y²
//   elu'     = x > 0 ? 1 : y + α  (y = α(eˣ − 1) there)
//   selu'    = x > 0 ? λ : y + λα
//   gelu'    = Φ(x) + x·φ(x)     swish' = σ(x) + x·σ(x)(1 − σ(x))
//   prelu    y = x > 0 ? x : αⱼx (αⱼ learnable, j the last-axis index);
//            dx = x > 0 ? dy : αⱼdy,  dL/dαⱼ = Σ_{x ≤ 0} x·dy
//   rrelu    training: y = x > 0 ? x : a·x, a ~ U(lower, upper) per element
//            (dx uses the same a); inference: a = (lower + upper)/2, as in
//            Xu et al. 2015 and torch.nn.RReLU
// relu'(0) = 0, as in Keras and PyTorch.
//
//===----------------------------------------------------------------------===//

#include "trainer/Activations.h"
#include "trainer/ModelTensors.h"

#include <unsupported/Eigen/SpecialFunctions>

#include <cmath>

namespace kiln::train {

namespace {
constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;
} // namespace

void activationForward(const Activation &act, const Matrix &x, Matrix &y) {
  y.resize(x.rows(), x.cols());
  const float a = act.alpha, s = act.scale;
  switch (act.kind) {
  case ActivationKind::Identity:
    y = x;
    return;
  case ActivationKind::Relu:
    y = x.cwiseMax(0.0f);
    return;
  case ActivationKind::Sigmoid:
    y = x.array().logistic();
    return;
  case ActivationKind::Tanh:
    y = x.array().tanh();
    return;
  case ActivationKind::LeakyRelu:
    y = x.unaryExpr([a](float v) { return v > 0 ? v : a * v; });
    return;
  // elu(x) = max(x, 0) + α·expm1(min(x, 0)): every step is one of Eigen's
  // vectorized packet ops (Eigen 3.4's select() is not, and would call
  // libm's scalar expm1f per element: 8% of a training step).
  case ActivationKind::Elu:
    y = x.cwiseMax(0.0f).array() + a * x.cwiseMin(0.0f).array().expm1();
    return;
  case ActivationKind::Selu:
    y = s * (x.cwiseMax(0.0f).array() + a * x.cwiseMin(0.0f).array().expm1());
    return;
  case ActivationKind::Gelu:
    y = 0.5f * x.array() * (1 + (x.array() * kInvSqrt2).erf());
    return;
  case ActivationKind::Swish:
    y = x.array() * x.array().logistic();
    return;
  case ActivationKind::Softmax:
    // Subtracting the row maximum keeps exp() from overflowing.
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
      float m = x.row(r).maxCoeff();
      y.row(r) = (x.row(r).array() - m).exp();
      y.row(r) /= y.row(r).sum();
    }
    return;
  case ActivationKind::RRelu: {
    const float mean = 0.5f * (act.lower + act.upper);
    y = x.unaryExpr([mean](float v) { return v > 0 ? v : mean * v; });
    return;
  }
  case ActivationKind::PRelu:
    break;
  }
  y = x; // PReLU needs its slopes: ActivationFunction handles it
}

void activationBackward(const Activation &act, const Matrix &x, const Matrix &y,
                        const Matrix &dy, Matrix &dx) {
  const float a = act.alpha, s = act.scale;
  switch (act.kind) {
  case ActivationKind::Identity:
    dx = dy;
    return;
  case ActivationKind::Relu:
    dx = (x.array() > 0).select(dy, 0.0f);
    return;
  case ActivationKind::Sigmoid:
    dx = dy.array() * y.array() * (1 - y.array());
    return;
  case ActivationKind::Tanh:
    dx = dy.array() * (1 - y.array().square());
    return;
  case ActivationKind::LeakyRelu:
    dx = (x.array() > 0).select(dy, a * dy.array());
    return;
  // Plain loops over the contiguous data: the compiler vectorizes the
  // ternary into a masked blend, which Eigen 3.4's select() does not.
  case ActivationKind::Elu:
    dx.resize(dy.rows(), dy.cols());
    for (Eigen::Index i = 0; i < dy.size(); ++i)
      dx.data()[i] =
          x.data()[i] > 0 ? dy.data()[i] : dy.data()[i] * (y.data()[i] + a);
    return;
  case ActivationKind::Selu:
    dx.resize(dy.rows(), dy.cols());
    for (Eigen::Index i = 0; i < dy.size(); ++i)
      dx.data()[i] = x.data()[i] > 0 ? s * dy.data()[i]
                                     : dy.data()[i] * (y.data()[i] + s * a);
    return;
  // Whole-array Eigen expressions (vectorized erf, exp, logistic).
  case ActivationKind::Gelu: {
    auto v = x.array();
    dx = dy.array() * (0.5f * (1 + (v * kInvSqrt2).erf()) +
                       v * kInvSqrt2Pi * (-0.5f * v.square()).exp());
    return;
  }
  case ActivationKind::Swish: {
    Eigen::Array<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> sv =
        x.array().logistic();
    dx = dy.array() * (sv + x.array() * sv * (1 - sv));
    return;
  }
  case ActivationKind::Softmax: {
    Eigen::VectorXf dots = (dy.array() * y.array()).rowwise().sum();
    dx = y.array() * (dy.colwise() - dots).array();
    return;
  }
  case ActivationKind::RRelu: {
    const float mean = 0.5f * (act.lower + act.upper);
    dx = (x.array() > 0).select(dy, mean * dy.array());
    return;
  }
  case ActivationKind::PRelu:
    break;
  }
  dx = dy; // PReLU needs its slopes: ActivationFunction handles it
}

Status ActivationFunction::build(const std::string &owner, int64_t units) {
  if (act.kind != ActivationKind::PRelu)
    return Status::success();
  slopes.name = owner + "/prelu_alpha";
  slopes.value = Matrix::Zero(1, units); // keras.layers.PReLU: zeros
  if (act.preluAlpha) {
    std::vector<float> v = act.preluAlpha->realValues();
    if (int64_t(v.size()) != units)
      return Status::error("layer '" + owner + "': prelu_alpha has " +
                           std::to_string(v.size()) + " values for " +
                           std::to_string(units) + " units");
    for (int64_t j = 0; j < units; ++j)
      slopes.value(0, j) = v[size_t(j)];
  }
  slopes.grad = Matrix::Zero(1, units);
  return Status::success();
}

void ActivationFunction::forward(const Matrix &x, Matrix &y,
                                 const ForwardContext &ctx, uint32_t stream) {
  randomSlopesUsed = false;
  if (act.kind == ActivationKind::PRelu) {
    const Eigen::Index units = slopes.value.cols();
    y.resize(x.rows(), x.cols());
    for (Eigen::Index r = 0; r < x.rows(); ++r)
      for (Eigen::Index c = 0; c < x.cols(); ++c) {
        float v = x(r, c);
        y(r, c) = v > 0 ? v : slopes.value(0, c % units) * v;
      }
    return;
  }
  if (act.kind == ActivationKind::RRelu && ctx.training) {
    randomSlopesUsed = true;
    randomSlopes.resize(x.rows(), x.cols());
    const float width = act.upper - act.lower;
    for (Eigen::Index r = 0; r < x.rows(); ++r)
      for (Eigen::Index c = 0; c < x.cols(); ++c) {
        uint64_t index = uint64_t(r) * uint64_t(x.cols()) + uint64_t(c);
        randomSlopes(r, c) =
            act.lower +
            width * kiln_rng_uniform_at(ctx.seed, stream, ctx.step, index);
      }
    y = (x.array() > 0).select(x, randomSlopes.cwiseProduct(x));
    return;
  }
  activationForward(act, x, y);
}

void ActivationFunction::backward(const Matrix &x, const Matrix &y,
                                  const Matrix &dy, Matrix &dx) {
  if (act.kind == ActivationKind::PRelu) {
    const Eigen::Index units = slopes.value.cols();
    dx.resize(x.rows(), x.cols());
    slopes.grad.setZero();
    for (Eigen::Index r = 0; r < x.rows(); ++r)
      for (Eigen::Index c = 0; c < x.cols(); ++c) {
        float v = x(r, c), g = dy(r, c);
        if (v > 0) {
          dx(r, c) = g;
        } else {
          dx(r, c) = slopes.value(0, c % units) * g;
          slopes.grad(0, c % units) += v * g;
        }
      }
    return;
  }
  if (randomSlopesUsed) {
    dx = (x.array() > 0).select(dy, randomSlopes.cwiseProduct(dy));
    return;
  }
  activationBackward(act, x, y, dy, dx);
}

Activation ActivationFunction::toModel() const {
  Activation a = act;
  if (act.kind == ActivationKind::PRelu)
    a.preluAlpha = toModelTensor(slopes.value, {slopes.value.cols()});
  return a;
}

} // namespace kiln::train
