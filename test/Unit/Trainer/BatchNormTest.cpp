//===- BatchNormTest.cpp - BatchNormalization -----------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Gradients against central differences (training mode, where μ and σ²
// depend on every row, and inference mode), batch statistics, the moving
// averages against their recurrence computed in double, and inference with
// the moving statistics.
//
//===----------------------------------------------------------------------===//

#include "trainer/BatchNorm.h"

#include "test/Unit/Trainer/GradientCheck.h"

#include <gtest/gtest.h>

#include <functional>

#include <cmath>

using namespace kiln;
using namespace kiln::train;

namespace {

/// Values in [-1, 2): off-centre, so the batch statistics matter.
Matrix shifted(Eigen::Index rows, Eigen::Index cols, uint64_t seed) {
  return (gradcheck::randomMatrix(rows, cols, seed).array() * 1.5f + 0.5f)
      .matrix();
}

using gradcheck::expectGradient;

class BatchNormGradientTest : public ::testing::TestWithParam<bool> {};

TEST_P(BatchNormGradientTest, GammaBetaInput) {
  bool training = GetParam();
  BatchNorm bn("bn");
  kiln_rng_t rng;
  ASSERT_TRUE(bn.build({4}, rng).ok());
  bn.gamma.value = shifted(1, 4, 1);
  bn.beta.value = shifted(1, 4, 2);
  bn.movingMean = RowVector(shifted(1, 4, 3).row(0));
  bn.movingVariance = RowVector::Constant(4, 0.7f);
  Matrix x = shifted(6, 4, 4), w = shifted(6, 4, 5);
  ForwardContext ctx;
  ctx.training = training;
  auto loss = [&] { return double(bn.forward(x, ctx).cwiseProduct(w).sum()); };
  loss();
  Matrix dx = bn.backward(w);
  Matrix dGamma = bn.gamma.grad, dBeta = bn.beta.grad;
  expectGradient(bn.gamma.value, dGamma, loss, "gamma");
  expectGradient(bn.beta.value, dBeta, loss, "beta");
  expectGradient(x, dx, loss, "input");
}

INSTANTIATE_TEST_SUITE_P(Modes, BatchNormGradientTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool> &info) {
                           return info.param ? "Training" : "Inference";
                         });

TEST(BatchNormTest, BatchStatisticsNormalize) {
  BatchNorm bn("bn");
  kiln_rng_t rng;
  ASSERT_TRUE(bn.build({3}, rng).ok());
  Matrix x = shifted(50, 3, 6) * 4.0f;
  x.col(1).array() += 10.0f;
  ForwardContext ctx;
  ctx.training = true;
  Matrix y = bn.forward(x, ctx);
  for (Eigen::Index c = 0; c < 3; ++c) {
    double mean = y.col(c).cast<double>().mean();
    double var = (y.col(c).cast<double>().array() - mean).square().mean();
    EXPECT_NEAR(mean, 0.0, 1e-5);
    // ε = 1e-3 shrinks the variance slightly: σ²/(σ² + ε).
    double sigma2 =
        (x.col(c).cast<double>().array() - x.col(c).cast<double>().mean())
            .square()
            .mean();
    EXPECT_NEAR(var, sigma2 / (sigma2 + 1e-3), 1e-5);
  }
}

TEST(BatchNormTest, MovingAveragesFollowTheRecurrence) {
  BatchNorm bn("bn", BatchNormOptions{0.9, 1e-3, true, true});
  kiln_rng_t rng;
  ASSERT_TRUE(bn.build({2}, rng).ok());
  double mm[2] = {0, 0}, mv[2] = {1, 1};
  ForwardContext ctx;
  ctx.training = true;
  for (int step = 0; step < 5; ++step) {
    Matrix x = shifted(8, 2, 10 + uint64_t(step));
    bn.forward(x, ctx);
    for (int c = 0; c < 2; ++c) {
      double mean = x.col(c).cast<double>().mean();
      double var = (x.col(c).cast<double>().array() - mean).square().mean();
      mm[c] = 0.9 * mm[c] + 0.1 * mean;
      mv[c] = 0.9 * mv[c] + 0.1 * var;
    }
  }
  for (int c = 0; c < 2; ++c) {
    EXPECT_NEAR(bn.movingMean(c), mm[c], 1e-6);
    EXPECT_NEAR(bn.movingVariance(c), mv[c], 1e-6);
  }
}

TEST(BatchNormTest, InferenceUsesMovingStatistics) {
  BatchNorm bn("bn");
  kiln_rng_t rng;
  ASSERT_TRUE(bn.build({2}, rng).ok());
  bn.movingMean << 1.0f, -1.0f;
  bn.movingVariance << 3.999f, 0.999f; // + ε = 4, 1
  bn.gamma.value << 2.0f, 1.0f;
  bn.beta.value << 0.5f, 0.0f;
  Matrix x(1, 2);
  x << 3.0f, 1.0f;
  Matrix y = bn.forward(x, ForwardContext{});
  EXPECT_NEAR(y(0, 0), 2.0 * (3 - 1) / 2.0 + 0.5, 1e-6);
  EXPECT_NEAR(y(0, 1), 1.0 * (1 + 1) / 1.0, 1e-6);
  EXPECT_EQ(bn.movingMean(0), 1.0f); // not updated
}

TEST(BatchNormTest, CenterAndScaleSwitches) {
  BatchNorm bn("bn", BatchNormOptions{0.99, 1e-3, false, true});
  kiln_rng_t rng;
  ASSERT_TRUE(bn.build({2}, rng).ok());
  ASSERT_EQ(bn.parameters().size(), 1u);
  EXPECT_EQ(bn.parameters()[0]->name, "bn/gamma");
  kiln::Layer l = bn.toModelLayer();
  const auto &saved = std::get<BatchNormLayer>(l.params);
  EXPECT_FALSE(saved.center);
  EXPECT_EQ(saved.beta.toF32(), std::vector<float>(2, 0.0f));
}

} // namespace
