//===- LayerStatisticsTest.cpp - Initializers and dropout, statistically
//---===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Fixed seeds: every bound is several standard errors wide (noted per test),
// so these are deterministic and fail only if the statistic is wrong.
//
//===----------------------------------------------------------------------===//

#include "trainer/ActivationLayer.h"
#include "trainer/Dropout.h"
#include "trainer/Initializers.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace kiln::train;

namespace {

struct Case {
  const char *name;
  double expectedVariance; // for fan_in 400, fan_out 100
};

class InitializerTest : public ::testing::TestWithParam<Case> {};

// Sample variance of 40000 draws: relative standard error sqrt(2/n) = 0.7%
// for normals (less for uniforms); bound 4%. Mean bound: 5 standard errors.
TEST_P(InitializerTest, VarianceFromTheTable) {
  Initializer init = *Initializer::named(GetParam().name);
  EXPECT_DOUBLE_EQ(init.variance(400, 100), GetParam().expectedVariance);
  Matrix m(400, 100);
  kiln_rng_t rng;
  kiln_rng_seed(&rng, 11, 0);
  init.fill(m, 400, 100, rng);
  double mean = m.cast<double>().mean();
  double var = (m.cast<double>().array() - mean).square().mean();
  double sigma = std::sqrt(GetParam().expectedVariance);
  EXPECT_LT(std::fabs(mean), 5 * sigma / std::sqrt(double(m.size())));
  EXPECT_NEAR(var / GetParam().expectedVariance, 1.0, 0.04);
  if (std::string(GetParam().name).find("uniform") != std::string::npos)
    EXPECT_LE(m.cwiseAbs().maxCoeff(), std::sqrt(3.0) * sigma * (1 + 1e-6));
  else // truncated at two standard deviations of the underlying normal
    EXPECT_LE(m.cwiseAbs().maxCoeff(), 2 * sigma / 0.87962566103423978 + 1e-6);
}

INSTANTIATE_TEST_SUITE_P(
    Keras, InitializerTest,
    ::testing::Values(Case{"glorot_uniform", 1.0 / 250}, // 1/fan_avg
                      Case{"glorot_normal", 1.0 / 250},
                      Case{"he_uniform", 2.0 / 400}, // 2/fan_in
                      Case{"he_normal", 2.0 / 400},
                      Case{"lecun_uniform", 1.0 / 400}, // 1/fan_in
                      Case{"lecun_normal", 1.0 / 400}),
    [](const ::testing::TestParamInfo<Case> &info) {
      return std::string(info.param.name);
    });

TEST(InitializerTest, UnknownName) {
  EXPECT_FALSE(Initializer::named("xavier").has_value());
}

// 100000 elements, rate 0.3: dropped count sd = sqrt(n p (1-p)) = 145; bound
// 5 sd. Mean of kept*scale of ones: 1 ± 5 sd of a scaled Bernoulli mean.
TEST(DropoutTest, DropsRateAndKeepsExpectation) {
  Dropout drop("dropout", 0.3f);
  kiln_rng_t rng;
  ASSERT_TRUE(drop.build({1000}, rng).ok());
  Matrix x = Matrix::Ones(100, 1000);
  Matrix y = drop.forward(x, ForwardContext{true, false, 5, 0});
  double dropped = double((y.array() == 0).count());
  double n = double(x.size());
  EXPECT_NEAR(dropped, 0.3 * n, 5 * std::sqrt(n * 0.3 * 0.7));
  EXPECT_FLOAT_EQ(y.maxCoeff(), 1.0f / 0.7f);
  double sd = std::sqrt(0.3 / 0.7 / n);
  EXPECT_NEAR(y.cast<double>().mean(), 1.0, 5 * sd);
}

TEST(DropoutTest, IdentityAtInferenceActiveForMonteCarlo) {
  Dropout drop("dropout", 0.5f);
  kiln_rng_t rng;
  ASSERT_TRUE(drop.build({10}, rng).ok());
  Matrix x = Matrix::Constant(4, 10, 2.0f);
  EXPECT_EQ(drop.forward(x, ForwardContext{}), x);
  Matrix mc = drop.forward(x, ForwardContext{false, true, 1, 0});
  EXPECT_GT((mc.array() == 0).count(), 0);
}

TEST(RReluTest, TrainingSlopesAreUniformInferenceUsesTheMean) {
  kiln::Activation act =
      kiln::Activation::withDefaults(kiln::ActivationKind::RRelu);
  ActivationLayer layer("rrelu", act);
  kiln_rng_t rng;
  ASSERT_TRUE(layer.build({1000}, rng).ok());
  Matrix x = Matrix::Constant(10, 1000, -1.0f);
  Matrix y = layer.forward(x, ForwardContext{true, false, 3, 0});
  // y = −a with a ~ U(1/8, 1/3): mean 0.22917, standard deviation
  // (1/3 − 1/8)/√12 = 0.0601, so the mean of 10,000 slopes has a standard
  // error of 6.0e-4; allow 5 of them.
  Eigen::ArrayXf a = -Eigen::Map<const Eigen::ArrayXf>(y.data(), y.size());
  EXPECT_GE(a.minCoeff(), 1.0f / 8.0f);
  EXPECT_LE(a.maxCoeff(), 1.0f / 3.0f);
  EXPECT_NEAR(a.mean(), (1.0 / 8 + 1.0 / 3) / 2, 3e-3);
  double variance = (a - a.mean()).square().mean();
  EXPECT_NEAR(std::sqrt(variance), (1.0 / 3 - 1.0 / 8) / std::sqrt(12.0), 3e-3);
  // Another step draws other slopes; positive inputs pass unchanged.
  Matrix y2 = layer.forward(x, ForwardContext{true, false, 3, 1});
  EXPECT_NE(y, y2);
  Matrix ones = Matrix::Constant(2, 1000, 1.0f);
  EXPECT_EQ(layer.forward(ones, ForwardContext{true, false, 3, 0}), ones);
  // Inference: the mean slope everywhere.
  Matrix yi = layer.forward(x, ForwardContext{});
  EXPECT_TRUE((yi.array() == -(1.0f / 8 + 1.0f / 3) / 2).all());
}

TEST(DropoutTest, MaskIsAPureFunctionOfSeedStepAndIndex) {
  Dropout a("a", 0.5f), b("b", 0.5f);
  kiln_rng_t rng;
  ASSERT_TRUE(a.build({8}, rng).ok());
  ASSERT_TRUE(b.build({8}, rng).ok());
  Matrix x = Matrix::Ones(3, 8);
  ForwardContext ctx{true, false, 17, 4};
  Matrix first = a.forward(x, ctx);
  EXPECT_EQ(b.forward(x, ctx), first); // same stream id (0), same mask
  b.streamId = 1;
  EXPECT_NE(b.forward(x, ctx), first);
  ctx.step = 5;
  EXPECT_NE(a.forward(x, ctx), first);
}

// A standardized input keeps mean 0 and variance 1 through alpha dropout
// (the property it exists for). 200000 N(0, 1) inputs: standard errors
// ~0.0022 (mean) and ~0.0032 (variance) plus the mask's sampling noise;
// bounds 0.02. Dropped elements all take the value a·α' + b, at rate p
// (binomial sd sqrt(n p (1-p)); bound 5 sd).
TEST(DropoutTest, AlphaDropoutKeepsMeanAndVariance) {
  for (float rate : {0.05f, 0.1f, 0.3f}) {
    Dropout drop("alpha", rate, kiln::DropoutKind::Alpha);
    kiln_rng_t rng;
    ASSERT_TRUE(drop.build({1000}, rng).ok());
    Matrix x(200, 1000);
    kiln_rng_seed(&rng, 21, 0);
    for (Eigen::Index i = 0; i < x.size(); ++i)
      x.data()[i] = kiln_rng_normal_f32(&rng);
    Matrix y = drop.forward(x, ForwardContext{true, false, 3, 0});
    double mean = y.cast<double>().mean();
    double var = (y.cast<double>().array() - mean).square().mean();
    EXPECT_NEAR(mean, 0.0, 0.02) << "rate " << rate;
    EXPECT_NEAR(var, 1.0, 0.02) << "rate " << rate;
    double p = rate, alphaP = -1.0507009873554805 * 1.6732632423543772;
    double a = 1 / std::sqrt((1 - p) * (1 + p * alphaP * alphaP));
    float dropped = float(a * alphaP - a * alphaP * p);
    double n = double(y.size());
    EXPECT_NEAR(double((y.array() == dropped).count()), p * n,
                5 * std::sqrt(n * p * (1 - p)));
    EXPECT_EQ(drop.forward(x, ForwardContext{}), x); // identity at inference
  }
}

TEST(DropoutTest, RateOutOfRange) {
  Dropout drop("d", 1.0f);
  kiln_rng_t rng;
  kiln::Status s = drop.build({3}, rng);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "layer 'd' (dropout): rate 1.000000 must be in [0, 1)");
}

} // namespace
