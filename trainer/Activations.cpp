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
// relu'(0) = 0, as in Keras and PyTorch.
//
//===----------------------------------------------------------------------===//

#include "trainer/Activations.h"

#include <cmath>

namespace kiln::train {

bool isTrainable(ActivationKind kind) {
  return kind != ActivationKind::PRelu && kind != ActivationKind::RRelu;
}

namespace {
float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }
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
    y = x.unaryExpr([](float v) { return sigmoid(v); });
    return;
  case ActivationKind::Tanh:
    y = x.array().tanh();
    return;
  case ActivationKind::LeakyRelu:
    y = x.unaryExpr([a](float v) { return v > 0 ? v : a * v; });
    return;
  // Eigen's vectorized expm1 for every element, then a select: cheaper
  // than one scalar libm call per negative element.
  case ActivationKind::Elu:
    y = (x.array() > 0).select(x, a * x.array().expm1());
    return;
  case ActivationKind::Selu:
    y = s * (x.array() > 0).select(x, a * x.array().expm1()).array();
    return;
  case ActivationKind::Gelu:
    y = x.unaryExpr(
        [](float v) { return 0.5f * v * (1 + std::erf(v * kInvSqrt2)); });
    return;
  case ActivationKind::Swish:
    y = x.unaryExpr([](float v) { return v * sigmoid(v); });
    return;
  case ActivationKind::Softmax:
    // Subtracting the row maximum keeps exp() from overflowing.
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
      float m = x.row(r).maxCoeff();
      y.row(r) = (x.row(r).array() - m).exp();
      y.row(r) /= y.row(r).sum();
    }
    return;
  case ActivationKind::PRelu:
  case ActivationKind::RRelu:
    break;
  }
  y = x; // not trainable yet; rejected when the layer is built
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
  case ActivationKind::Elu:
    dx = (x.array() > 0).select(dy, dy.array() * (y.array() + a));
    return;
  case ActivationKind::Selu:
    dx = (x.array() > 0)
             .select(s * dy.array(), dy.array() * (y.array() + s * a));
    return;
  case ActivationKind::Gelu:
    dx = dy.binaryExpr(x, [](float g, float v) {
      float cdf = 0.5f * (1 + std::erf(v * kInvSqrt2));
      float pdf = kInvSqrt2Pi * std::exp(-0.5f * v * v);
      return g * (cdf + v * pdf);
    });
    return;
  case ActivationKind::Swish:
    dx = dy.binaryExpr(x, [](float g, float v) {
      float sv = sigmoid(v);
      return g * (sv + v * sv * (1 - sv));
    });
    return;
  case ActivationKind::Softmax: {
    Eigen::VectorXf dots = (dy.array() * y.array()).rowwise().sum();
    dx = y.array() * (dy.colwise() - dots).array();
    return;
  }
  case ActivationKind::PRelu:
  case ActivationKind::RRelu:
    break;
  }
  dx = dy;
}

} // namespace kiln::train
