//===- MonteCarloTest.cpp - MC dropout in the trainer ---------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Sequential::predictMc: masks keyed by (seed, layer, sample, unit) (see
// Dropout.h), Welford mean and population standard deviation.
//
//===----------------------------------------------------------------------===//

#include "kiln/mc.h"

#include "trainer/Dense.h"
#include "trainer/Dropout.h"
#include "trainer/Sequential.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace kiln;
using namespace kiln::train;

namespace {

Matrix randomRows(int64_t rows, int64_t cols, uint64_t seed) {
  kiln_rng_t rng;
  kiln_rng_seed(&rng, seed, 0);
  Matrix m(rows, cols);
  for (int64_t i = 0; i < m.size(); ++i)
    m.data()[i] = kiln_rng_normal_f32(&rng);
  return m;
}

std::unique_ptr<Sequential> droppy(bool withDropout) {
  auto model = std::make_unique<Sequential>("mc");
  Activation relu = Activation::withDefaults(ActivationKind::Relu);
  model->add(std::make_unique<Dense>("dense", DenseOptions::make(16, relu)));
  if (withDropout)
    model->add(std::make_unique<Dropout>("dropout", 0.3f));
  model->add(std::make_unique<Dense>(
      "dense_1",
      DenseOptions::make(8, Activation::withDefaults(ActivationKind::Selu))));
  if (withDropout)
    model->add(
        std::make_unique<Dropout>("alpha_dropout", 0.1f, DropoutKind::Alpha));
  model->add(std::make_unique<Dense>("dense_2", DenseOptions::make(3)));
  EXPECT_TRUE(model->build({5}, 3).ok());
  return model;
}

} // namespace

TEST(MonteCarloTest, SameAcrossBatchSplitsAndBitwiseAcrossRuns) {
  auto model = droppy(true);
  Matrix x = randomRows(10, 5, 1);
  Sequential::MonteCarlo all = model->predictMc(x, 20, 9);
  Sequential::MonteCarlo again = model->predictMc(x, 20, 9);
  EXPECT_EQ(all.mean, again.mean);
  EXPECT_EQ(all.stddev, again.stddev);
  // One row at a time: the same masks, so the same values up to the
  // rounding of Eigen's products, whose kernels depend on the batch size
  // (compiled libraries are bitwise batch-invariant; see
  // test/Integration/random-models.test).
  for (int64_t r = 0; r < x.rows(); ++r) {
    Sequential::MonteCarlo one = model->predictMc(x.middleRows(r, 1), 20, 9);
    for (int64_t c = 0; c < 3; ++c) {
      EXPECT_NEAR(all.mean(r, c), one.mean(0, c), 1e-5) << "row " << r;
      EXPECT_NEAR(all.stddev(r, c), one.stddev(0, c), 1e-5) << "row " << r;
    }
  }
  // Another seed gives other masks.
  EXPECT_NE(all.mean, model->predictMc(x, 20, 10).mean);
}

TEST(MonteCarloTest, StdIsZeroWithoutDropoutAndPositiveWithIt) {
  Matrix x = randomRows(4, 5, 2);
  auto plain = droppy(false);
  Sequential::MonteCarlo p = plain->predictMc(x, 10, 1);
  EXPECT_EQ(p.stddev, Matrix::Zero(4, 3));
  EXPECT_EQ(p.mean, plain->predict(x)); // every sample is the same pass
  auto model = droppy(true);
  Sequential::MonteCarlo m = model->predictMc(x, 10, 1);
  EXPECT_GT(m.stddev.minCoeff(), 0.f);
}

TEST(MonteCarloTest, WelfordMatchesTwoPassMeanAndStd) {
  auto model = droppy(true);
  Matrix x = randomRows(3, 5, 4);
  const uint32_t samples = 7;
  Sequential::MonteCarlo mc = model->predictMc(x, samples, 5);
  Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(3, 3);
  std::vector<Eigen::MatrixXd> ys;
  for (uint32_t s = 0; s < samples; ++s) {
    ys.push_back(model->predict(x, 256, true, 5, s).cast<double>());
    sum += ys.back();
  }
  Eigen::MatrixXd mean = sum / samples;
  Eigen::MatrixXd var = Eigen::MatrixXd::Zero(3, 3);
  for (const auto &y : ys)
    var.array() += (y - mean).array().square();
  var /= samples;
  for (int64_t r = 0; r < 3; ++r)
    for (int64_t c = 0; c < 3; ++c) {
      EXPECT_NEAR(mc.mean(r, c), mean(r, c), 1e-6);
      EXPECT_NEAR(mc.stddev(r, c), std::sqrt(var(r, c)), 1e-6);
    }
}

// predictMc runs the layers before the first dropout once per batch for
// all samples: bitwise what sample-by-sample predict passes reduce to,
// with batches of 4 rows over 10 (a last, short one).
TEST(MonteCarloTest, SharedLayersGiveTheSamplesOfPredict) {
  auto model = droppy(true);
  Matrix x = randomRows(10, 5, 6);
  const uint32_t samples = 5;
  Sequential::MonteCarlo mc = model->predictMc(x, samples, 8, 4);
  std::vector<double> mean(30, 0.0), m2(30, 0.0);
  for (uint32_t s = 0; s < samples; ++s) {
    Matrix y = model->predict(x, 4, true, 8, s);
    kiln_welford_add(mean.data(), m2.data(), y.data(), 30, s + 1);
  }
  Matrix expectedMean(10, 3), expectedStd(10, 3);
  kiln_welford_finish(mean.data(), m2.data(), 30, samples, expectedMean.data(),
                      expectedStd.data());
  EXPECT_EQ(mc.mean, expectedMean);
  EXPECT_EQ(mc.stddev, expectedStd);
}

TEST(MonteCarloTest, DropsAboutRateOfTheUnits) {
  // Dropout on ones: each unit is 0 or 1/(1 − p). Over 4000 units the
  // dropped count is Binomial(4000, 0.3): mean 1200, σ ≈ 29; 5σ bound.
  Sequential model("drop");
  model.add(std::make_unique<Dropout>("dropout", 0.3f));
  ASSERT_TRUE(model.build({4000}, 1).ok());
  Matrix ones = Matrix::Ones(2, 4000);
  for (uint32_t sample : {0u, 1u, 2u}) {
    Matrix y = model.predict(ones, 256, true, 77, sample);
    int64_t dropped = (y.row(0).array() == 0).count();
    EXPECT_NEAR(double(dropped), 1200.0, 5 * 29.0) << "sample " << sample;
    EXPECT_EQ(Matrix(y.row(0)), Matrix(y.row(1))); // one mask per sample
    for (Eigen::Index c = 0; c < y.cols(); ++c)
      EXPECT_TRUE(y(0, c) == 0.f || y(0, c) == 1.f / 0.7f);
  }
}

TEST(MonteCarloTest, LinearNetworkMeanConvergesToTheDeterministicOutput) {
  // With no nonlinearity after it, inverted dropout is unbiased: the MC mean
  // tends to the deterministic output, within 5 standard errors.
  Sequential model("linear");
  model.add(std::make_unique<Dense>("dense", DenseOptions::make(12)));
  model.add(std::make_unique<Dropout>("dropout", 0.2f));
  model.add(std::make_unique<Dense>("dense_1", DenseOptions::make(2)));
  ASSERT_TRUE(model.build({4}, 8).ok());
  Matrix x = randomRows(3, 4, 6);
  const uint32_t samples = 4000;
  Sequential::MonteCarlo mc = model.predictMc(x, samples, 3);
  Matrix det = model.predict(x);
  for (int64_t i = 0; i < det.size(); ++i)
    EXPECT_NEAR(mc.mean.data()[i], det.data()[i],
                5 * mc.stddev.data()[i] / std::sqrt(double(samples)) + 1e-6)
        << "output " << i;
}
