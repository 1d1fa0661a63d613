//===- LrFinderTest.cpp - Learning-rate range test ------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "trainer/LrFinder.h"
#include "trainer/Dense.h"

#include "TrainerTestUtil.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace kiln;
using namespace kiln::train;
using kiln::train::testing::blobs;

namespace {

std::unique_ptr<Sequential> makeModel() {
  auto m = std::make_unique<Sequential>("lr");
  m->add(std::make_unique<Dense>(
      "dense",
      DenseOptions::make(16, Activation::withDefaults(ActivationKind::Relu))));
  m->add(std::make_unique<Dense>(
      "out", DenseOptions::make(
                 2, Activation::withDefaults(ActivationKind::Softmax))));
  EXPECT_TRUE(m->build({4}, 1).ok());
  OptimizerOptions o;
  o.learningRate = 0.01;
  o.momentum = 0.9;
  m->compile(LossKind::SparseCategoricalCrossentropy,
             makeOptimizer(OptimizerKind::Sgd, o));
  return m;
}

TEST(LrFinderTest, ExponentialRatesAndTheModelPutBack) {
  auto [x, t] = blobs(1000, 1);
  auto model = makeModel();
  // Some training first, so there is optimizer state to restore.
  History h;
  FitOptions fit;
  ASSERT_TRUE(model->fit(x, t, fit, h).ok());
  std::vector<Matrix> before = model->getWeights();
  OptimizerState optimizerBefore = model->getOptimizer()->state();
  Matrix predictionBefore = model->predict(x);

  LrFinderOptions o;
  o.steps = 200;
  LrFinderResult r;
  ASSERT_TRUE(findLearningRate(*model, x, t, o, r).ok());
  // η_i = 1e-5 · 1e6^(i/199), until the loss diverged.
  ASSERT_GT(r.learningRate.size(), 50u);
  for (size_t i : {size_t(0), size_t(17), r.learningRate.size() - 1})
    EXPECT_NEAR(r.learningRate[i], 1e-5 * std::pow(1e6, double(i) / 199),
                1e-12 * r.learningRate[i]);
  // The bottom is somewhere sensible for SGD on this problem, the loss
  // rises after it, and the suggestion is a tenth of it.
  EXPECT_GT(r.bottom, 1e-3);
  EXPECT_LT(r.bottom, 10);
  EXPECT_GT(r.explosion, r.bottom);
  EXPECT_DOUBLE_EQ(r.suggested, r.bottom / 10);

  EXPECT_EQ(model->getWeights(), before);
  OptimizerState after = model->getOptimizer()->state();
  EXPECT_EQ(after.iterations, optimizerBefore.iterations);
  ASSERT_EQ(after.slots.size(), optimizerBefore.slots.size());
  for (size_t i = 0; i < after.slots.size(); ++i)
    EXPECT_EQ(after.slots[i].tensor.toF32(),
              optimizerBefore.slots[i].tensor.toF32());
  EXPECT_EQ(model->getOptimizer()->learningRate(), 0.01);
  EXPECT_EQ(model->predict(x), predictionBefore);
}

TEST(LrFinderTest, CsvAndSvg) {
  LrFinderResult r;
  r.learningRate = {1e-3, 1e-2, 1e-1};
  r.loss = {0.7, 0.5, 3.0};
  r.smoothedLoss = {0.7, 0.6, 1.2};
  r.bottom = 1e-2;
  r.explosion = 1e-1;
  r.suggested = 1e-3;
  EXPECT_EQ(lrFinderCsv(r), "learning_rate,loss,smoothed_loss\n"
                            "0.001,0.7,0.7\n0.01,0.5,0.6\n0.1,3,1.2\n");
  std::string svg = lrFinderSvg(r);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("suggested"), std::string::npos);
  EXPECT_NE(svg.find("shoots up"), std::string::npos);
}

TEST(LrFinderTest, BadOptions) {
  auto [x, t] = blobs(10, 2);
  auto model = makeModel();
  LrFinderOptions o;
  o.minLearningRate = 1;
  o.maxLearningRate = 0.1;
  LrFinderResult r;
  EXPECT_FALSE(findLearningRate(*model, x, t, o, r).ok());
}

} // namespace
