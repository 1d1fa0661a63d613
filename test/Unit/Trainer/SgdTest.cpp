//===- SgdTest.cpp - SGD updates vs their equations in double -------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The reference is written here from Keras' documented update rules, in
// double, without calling the optimizer: v ← μv − ηg; w ← w + v (classic),
// w ← w + μv − ηg (Nesterov), w ← w − ηg (μ = 0). Gradients change each
// step (g_t = 0.1·t·(i − 1)), so the velocity matters.
//
//===----------------------------------------------------------------------===//

#include "trainer/Sgd.h"

#include <gtest/gtest.h>

using namespace kiln::train;

namespace {

void run(SgdOptions options) {
  Parameter p{"w", Matrix(1, 3), Matrix(1, 3)};
  p.value << 1.0f, -2.0f, 0.5f;
  double w[3] = {1.0, -2.0, 0.5}, v[3] = {0, 0, 0};
  Sgd sgd(options);
  for (int t = 1; t <= 5; ++t) {
    for (int i = 0; i < 3; ++i) {
      double g = 0.1 * t * (i - 1) + 0.3 * w[i]; // depends on w, like a loss
      p.grad(0, i) = float(0.1 * t * (i - 1) + 0.3 * p.value(0, i));
      double mu = options.momentum, eta = options.learningRate;
      if (mu == 0) {
        w[i] -= eta * g;
        continue;
      }
      v[i] = mu * v[i] - eta * g;
      w[i] += options.nesterov ? mu * v[i] - eta * g : v[i];
    }
    sgd.step({&p});
    for (int i = 0; i < 3; ++i)
      EXPECT_NEAR(p.value(0, i), w[i], 1e-6) << "step " << t << " i " << i;
  }
  EXPECT_EQ(sgd.iterations(), 5);
}

TEST(SgdTest, Plain) { run({0.1, 0.0, false}); }
TEST(SgdTest, Momentum) { run({0.1, 0.9, false}); }
TEST(SgdTest, Nesterov) { run({0.1, 0.9, true}); }

TEST(SgdTest, StateHasVelocitySlots) {
  Parameter p{"dense/kernel", Matrix::Ones(2, 2), Matrix::Ones(2, 2)};
  Sgd sgd({0.1, 0.9, false});
  sgd.step({&p});
  kiln::OptimizerState s = sgd.state();
  ASSERT_EQ(s.slots.size(), 1u);
  EXPECT_EQ(s.slots[0].name, "dense/kernel/v");
  EXPECT_EQ(s.slots[0].tensor.toF32(), std::vector<float>(4, -0.1f));
  EXPECT_EQ(s.iterations, 1);
}

} // namespace
