//===- GradientTest.cpp - Backward passes vs central differences ----------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Central-difference checks (GradientCheck.h has the tolerance's derivation).
//
//===----------------------------------------------------------------------===//

#include "trainer/ActivationLayer.h"
#include "trainer/Activations.h"
#include "trainer/Dense.h"
#include "trainer/Dropout.h"
#include "trainer/Loss.h"

#include "test/Unit/Trainer/GradientCheck.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <functional>

using namespace kiln;
using namespace kiln::train;

namespace {

using gradcheck::expectGradient;
using gradcheck::randomMatrix;

/// L = Σ (y ⊙ w) for a fixed random w: dL/dy = w.
double weightedSum(const Matrix &y, const Matrix &w) {
  return double(y.cwiseProduct(w).sum());
}

class ActivationGradientTest : public ::testing::TestWithParam<ActivationKind> {
};

TEST_P(ActivationGradientTest, MatchesCentralDifferences) {
  Activation act = Activation::withDefaults(GetParam());
  Matrix x = 2.0f * randomMatrix(4, 5, 1);
  // Keep clear of relu's kink at 0, where the derivative is undefined.
  x = x.unaryExpr([](float v) { return std::fabs(v) < 0.05f ? 0.3f : v; });
  Matrix w = randomMatrix(4, 5, 2), y, dx;
  activationForward(act, x, y);
  activationBackward(act, x, y, w, dx);
  expectGradient(
      x, dx,
      [&] {
        Matrix out;
        activationForward(act, x, out);
        return weightedSum(out, w);
      },
      activationName(act.kind));
}

INSTANTIATE_TEST_SUITE_P(
    AllTrainable, ActivationGradientTest,
    ::testing::Values(ActivationKind::Identity, ActivationKind::Sigmoid,
                      ActivationKind::Tanh, ActivationKind::Relu,
                      ActivationKind::LeakyRelu, ActivationKind::Elu,
                      ActivationKind::Selu, ActivationKind::Softmax,
                      ActivationKind::Gelu, ActivationKind::Swish),
    [](const ::testing::TestParamInfo<ActivationKind> &info) {
      return std::string(activationName(info.param));
    });

/// Every kind as a layer, in training and in inference mode (they differ
/// for RReLU), on a two-axis input so PReLU's slopes (one per position of the
/// last axis) are shared across rows and the first axis.
class ActivationLayerGradientTest
    : public ::testing::TestWithParam<std::tuple<ActivationKind, bool>> {};

TEST_P(ActivationLayerGradientTest, InputAndSlopes) {
  auto [kind, training] = GetParam();
  Activation act = Activation::withDefaults(kind);
  if (kind == ActivationKind::PRelu) // non-zero slopes, one per last-axis unit
    act.preluAlpha = Tensor::fromF32({3}, {0.25f, -0.5f, 0.1f});
  train::ActivationLayer layer("act", act);
  layer.streamId = 4;
  kiln_rng_t rng;
  ASSERT_TRUE(layer.build({2, 3}, rng).ok());
  Matrix x = 2.0f * randomMatrix(4, 6, 21);
  x = x.unaryExpr([](float v) { return std::fabs(v) < 0.05f ? 0.3f : v; });
  Matrix w = randomMatrix(4, 6, 22);
  ForwardContext ctx{training, false, 17, 5};
  auto loss = [&] { return weightedSum(layer.forward(x, ctx), w); };
  loss();
  Matrix dx = layer.backward(w);
  expectGradient(x, dx, loss, activationName(kind));
  for (Parameter *p : layer.parameters()) {
    Matrix grad = p->grad;
    expectGradient(p->value, grad, loss, p->name);
  }
  EXPECT_EQ(layer.parameters().size(), kind == ActivationKind::PRelu ? 1u : 0u);
}

INSTANTIATE_TEST_SUITE_P(
    AllKinds, ActivationLayerGradientTest,
    ::testing::Combine(
        ::testing::Values(ActivationKind::Identity, ActivationKind::Sigmoid,
                          ActivationKind::Tanh, ActivationKind::Relu,
                          ActivationKind::LeakyRelu, ActivationKind::PRelu,
                          ActivationKind::RRelu, ActivationKind::Elu,
                          ActivationKind::Selu, ActivationKind::Softmax,
                          ActivationKind::Gelu, ActivationKind::Swish),
        ::testing::Bool()),
    [](const ::testing::TestParamInfo<std::tuple<ActivationKind, bool>> &info) {
      return std::string(activationName(std::get<0>(info.param))) +
             (std::get<1>(info.param) ? "_training" : "_inference");
    });

TEST(GradientTest, WrongGradientIsCaught) {
  // The check must be able to fail: a gradient off by 10% is reported.
  Matrix x = randomMatrix(3, 3, 3), w = randomMatrix(3, 3, 4);
  Matrix wrong = 1.1f * w;
  ::testing::TestPartResultArray failures;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::
            INTERCEPT_ONLY_CURRENT_THREAD,
        &failures);
    expectGradient(x, wrong, [&] { return weightedSum(x, w); }, "wrong");
  }
  EXPECT_GT(failures.size(), 0);
}

class DenseGradientTest
    : public ::testing::TestWithParam<std::tuple<ActivationKind, bool>> {};

TEST_P(DenseGradientTest, KernelBiasAndInput) {
  auto [kind, training] = GetParam();
  DenseOptions options;
  options.units = 3;
  options.activation = Activation::withDefaults(kind);
  if (kind == ActivationKind::PRelu)
    options.activation.preluAlpha = Tensor::fromF32({3}, {0.2f, 0.7f, -0.3f});
  Dense dense("dense", options);
  dense.streamId = 2;
  kiln_rng_t rng;
  kiln_rng_seed(&rng, 5, 0);
  ASSERT_TRUE(dense.build({4}, rng).ok());
  dense.bias.value = randomMatrix(1, 3, 6);
  Matrix x = randomMatrix(5, 4, 7), w = randomMatrix(5, 3, 8);
  ForwardContext ctx{training, false, 3, 1};
  auto loss = [&] { return weightedSum(dense.forward(x, ctx), w); };
  loss();
  Matrix dx = dense.backward(w);
  for (Parameter *p : dense.parameters()) {
    Matrix grad = p->grad;
    expectGradient(p->value, grad, loss, p->name);
  }
  expectGradient(x, dx, loss, "input");
}

INSTANTIATE_TEST_SUITE_P(
    Activations, DenseGradientTest,
    ::testing::Combine(
        ::testing::Values(ActivationKind::Identity, ActivationKind::Elu,
                          ActivationKind::Tanh, ActivationKind::PRelu,
                          ActivationKind::RRelu, ActivationKind::Softmax),
        ::testing::Bool()),
    [](const ::testing::TestParamInfo<std::tuple<ActivationKind, bool>> &info) {
      return std::string(activationName(std::get<0>(info.param))) +
             (std::get<1>(info.param) ? "_training" : "_inference");
    });

class LossGradientTest : public ::testing::TestWithParam<LossKind> {};

TEST_P(LossGradientTest, MatchesCentralDifferences) {
  LossKind kind = GetParam();
  Targets t;
  t.labels = {0, 2, 1, 2};
  Matrix y;
  switch (kind) {
  case LossKind::SparseCategoricalCrossentropy:
  case LossKind::CategoricalCrossentropy:
    // Probabilities (softmax of random logits); one-hot targets.
    activationForward(Activation::withDefaults(ActivationKind::Softmax),
                      randomMatrix(4, 3, 10), y);
    t.values = Matrix::Zero(4, 3);
    for (int r = 0; r < 4; ++r)
      t.values(r, t.labels[size_t(r)]) = 1;
    break;
  case LossKind::BinaryCrossentropy:
    activationForward(Activation::withDefaults(ActivationKind::Sigmoid),
                      randomMatrix(4, 3, 10), y);
    t.values = (randomMatrix(4, 3, 9).array() + 1) / 2; // soft labels
    break;
  default: // logits and regression outputs
    y = randomMatrix(4, 3, 10);
    t.values = (randomMatrix(4, 3, 9).array() + 1) / 2;
    break;
  }
  Matrix dy;
  lossGradient(kind, y, t, 0, 4, dy);
  expectGradient(y, dy, [&] { return lossValue(kind, y, t, 0, 4); }, "loss");
}

INSTANTIATE_TEST_SUITE_P(
    All, LossGradientTest,
    ::testing::Values(LossKind::SparseCategoricalCrossentropy,
                      LossKind::CategoricalCrossentropy,
                      LossKind::BinaryCrossentropy,
                      LossKind::BinaryCrossentropyFromLogits,
                      LossKind::MeanSquaredError, LossKind::MeanAbsoluteError));

// Sparse and one-hot categorical CE are the same loss.
TEST(LossTest, SparseAndOneHotAgree) {
  Targets t;
  t.labels = {1, 0};
  t.values = Matrix::Zero(2, 3);
  t.values(0, 1) = t.values(1, 0) = 1;
  Matrix p(2, 3);
  p << 0.2f, 0.7f, 0.1f, 0.5f, 0.25f, 0.25f;
  double expected = -(std::log(0.7) + std::log(0.5)) / 2;
  EXPECT_NEAR(lossValue(LossKind::SparseCategoricalCrossentropy, p, t, 0, 2),
              expected, 1e-6);
  EXPECT_NEAR(lossValue(LossKind::CategoricalCrossentropy, p, t, 0, 2),
              expected, 1e-6);
}

// BCE from logits equals BCE of sigmoid(logits), and stays finite at large
// |z|.
TEST(LossTest, BinaryFromLogitsMatchesProbabilities) {
  Targets t;
  t.values = Matrix(1, 3);
  t.values << 1, 0, 0.3f;
  Matrix z(1, 3);
  z << 2.0f, -1.0f, 0.5f;
  Matrix p;
  activationForward(Activation::withDefaults(ActivationKind::Sigmoid), z, p);
  EXPECT_NEAR(lossValue(LossKind::BinaryCrossentropyFromLogits, z, t, 0, 1),
              lossValue(LossKind::BinaryCrossentropy, p, t, 0, 1), 1e-6);
  Matrix big(1, 3);
  big << 100.0f, -100.0f, 0.0f;
  double l = lossValue(LossKind::BinaryCrossentropyFromLogits, big, t, 0, 1);
  EXPECT_NEAR(l, std::log(2.0) / 3, 1e-6);
}

class DropoutGradientTest : public ::testing::TestWithParam<DropoutKind> {};

TEST_P(DropoutGradientTest, BackwardUsesTheForwardMask) {
  Dropout drop("dropout", 0.5f, GetParam());
  kiln_rng_t rng;
  ASSERT_TRUE(drop.build({6}, rng).ok());
  Matrix x = randomMatrix(4, 6, 11), w = randomMatrix(4, 6, 12);
  ForwardContext ctx{true, false, 99, 3};
  auto loss = [&] { return weightedSum(drop.forward(x, ctx), w); };
  loss();
  Matrix dx = drop.backward(w);
  expectGradient(x, dx, loss, "dropout input");
}

INSTANTIATE_TEST_SUITE_P(Kinds, DropoutGradientTest,
                         ::testing::Values(DropoutKind::Standard,
                                           DropoutKind::Alpha));

} // namespace
