//===- RegularizerTest.cpp - ℓ1/ℓ2 penalties and max-norm -----------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "trainer/Dense.h"
#include "trainer/Regularizers.h"
#include "trainer/Sequential.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace kiln;
using namespace kiln::train;

namespace {

TEST(RegularizerTest, PenaltyValues) {
  Matrix w(2, 2);
  w << 1, -2, 0.5, 0;
  EXPECT_DOUBLE_EQ((Regularizer{0.01, 0}.penalty(w)), 0.01 * 3.5);
  EXPECT_DOUBLE_EQ((Regularizer{0, 0.1}.penalty(w)), 0.1 * 5.25);
  EXPECT_DOUBLE_EQ((Regularizer{0.01, 0.1}.penalty(w)), 0.035 + 0.525);
}

TEST(RegularizerTest, GradientIsThePenaltysDerivative) {
  Matrix w(1, 3);
  w << 0.7f, -1.3f, 0.2f;
  Regularizer r{0.05, 0.2};
  Matrix g = Matrix::Zero(1, 3);
  r.addGradient(w, g);
  const double h = 1e-3;
  for (int i = 0; i < 3; ++i) {
    Matrix up = w, down = w;
    up(0, i) += float(h);
    down(0, i) -= float(h);
    double numeric = (r.penalty(up) - r.penalty(down)) / (2 * h);
    EXPECT_NEAR(g(0, i), numeric, 1e-4);
  }
}

TEST(RegularizerTest, MaxNormCapsEachUnitsColumn) {
  Matrix w(2, 3);
  w << 3, 0.3f, 0, //
      4, 0.4f, 2;  // column norms 5, 0.5, 2
  MaxNorm{1.0}.apply(w);
  EXPECT_NEAR(w.col(0).norm(), 1.0, 1e-6);
  EXPECT_NEAR(w(0, 0) / w(1, 0), 0.75, 1e-6); // direction kept
  EXPECT_NEAR(w(0, 1), 0.3f, 1e-6);           // under the limit: unchanged
  EXPECT_NEAR(w.col(2).norm(), 1.0, 1e-6);
}

TEST(RegularizerTest, ReportedInTheLossAndAppliedInFit) {
  // One Dense with a huge ℓ2 and zero-loss targets: the reported loss is the
  // penalty, and training shrinks the weights toward 0.
  Sequential model;
  DenseOptions options;
  options.units = 2;
  options.kernelRegularizer = {0, 10.0};
  options.kernelConstraint = {0.5};
  model.add(std::make_unique<Dense>("dense", options));
  ASSERT_TRUE(model.build({3}, 1).ok());
  OptimizerOptions sgd;
  sgd.learningRate = 0.01;
  model.compile(LossKind::MeanSquaredError,
                makeOptimizer(OptimizerKind::Sgd, sgd));
  Matrix x = Matrix::Zero(4, 3); // x = 0: the data loss is exactly 0
  Targets t;
  t.values = Matrix::Zero(4, 2);
  Parameter *kernel = model.layers()[0]->parameters()[0];
  double before = 10.0 * kernel->value.cast<double>().squaredNorm();
  History h;
  FitOptions fit;
  fit.batchSize = 4;
  ASSERT_TRUE(model.fit(x, t, fit, h).ok());
  EXPECT_NEAR(h.loss[0], before, 1e-5 * before);
  for (Eigen::Index c = 0; c < 2; ++c)
    EXPECT_LE(kernel->value.col(c).norm(), 0.5 + 1e-6);
}

} // namespace
