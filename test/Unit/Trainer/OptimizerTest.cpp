//===- OptimizerTest.cpp - Every optimizer vs its equation in double ------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The references below are written from Keras' documented update rules, in
// double, independently of trainer/Optimizer.cpp. The gradient depends on w
// (g = 0.3w + 0.1t(i − 1)), like a real loss, and changes every step, so
// every slot matters. Five steps; float32 vs double agree to 1e-6 relative.
//
//===----------------------------------------------------------------------===//

#include "trainer/Optimizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

using namespace kiln;
using namespace kiln::train;

namespace {

struct Reference {
  /// Per-element state (m, v, ...), any size.
  std::vector<double> a, b;
};

using RefStep = std::function<void(double &w, double g, int t, Reference &s,
                                   const OptimizerOptions &o)>;

void check(OptimizerKind kind, OptimizerOptions o, const RefStep &ref,
           const std::function<void(int)> &beforeStep = {}) {
  Parameter p{"dense/kernel", Matrix(1, 3), Matrix(1, 3)};
  p.value << 1.0f, -2.0f, 0.5f;
  double w[3] = {1.0, -2.0, 0.5};
  Reference s[3];
  for (auto &r : s)
    r.a.assign(1, 0.0), r.b.assign(1, 0.0);
  std::unique_ptr<Optimizer> opt = makeOptimizer(kind, o);
  for (int t = 1; t <= 5; ++t) {
    if (beforeStep)
      beforeStep(t);
    for (int i = 0; i < 3; ++i) {
      p.grad(0, i) = float(0.3 * p.value(0, i) + 0.1 * t * (i - 1));
      double g = 0.3 * w[i] + 0.1 * t * (i - 1);
      ref(w[i], g, t, s[i], o);
    }
    opt->step({&p});
    for (int i = 0; i < 3; ++i)
      EXPECT_NEAR(p.value(0, i), w[i], 1e-6 * std::max(1.0, std::fabs(w[i])))
          << "step " << t << " element " << i;
  }
  EXPECT_EQ(opt->iterations(), 5);
}

TEST(OptimizerTest, Sgd) {
  OptimizerOptions o;
  o.learningRate = 0.1;
  check(OptimizerKind::Sgd, o,
        [](double &w, double g, int, Reference &, const OptimizerOptions &o) {
          w -= o.learningRate * g;
        });
}

TEST(OptimizerTest, SgdMomentum) {
  OptimizerOptions o;
  o.learningRate = 0.1;
  o.momentum = 0.9;
  check(OptimizerKind::Sgd, o,
        [](double &w, double g, int, Reference &s, const OptimizerOptions &o) {
          double &v = s.a[0];
          v = o.momentum * v - o.learningRate * g;
          w += v;
        });
}

TEST(OptimizerTest, SgdNesterov) {
  OptimizerOptions o;
  o.learningRate = 0.1;
  o.momentum = 0.9;
  o.nesterov = true;
  check(OptimizerKind::Sgd, o,
        [](double &w, double g, int, Reference &s, const OptimizerOptions &o) {
          double &v = s.a[0];
          v = o.momentum * v - o.learningRate * g;
          w += o.momentum * v - o.learningRate * g;
        });
}

TEST(OptimizerTest, Adagrad) {
  OptimizerOptions o;
  o.learningRate = 0.1;
  check(
      OptimizerKind::Adagrad, o,
      [](double &w, double g, int t, Reference &s, const OptimizerOptions &o) {
        double &acc = s.a[0];
        if (t == 1)
          acc = o.initialAccumulator;
        acc += g * g;
        w -= o.learningRate * g / (std::sqrt(acc) + o.epsilon);
      });
}

TEST(OptimizerTest, RmsProp) {
  OptimizerOptions o;
  o.learningRate = 0.01;
  check(OptimizerKind::RmsProp, o,
        [](double &w, double g, int, Reference &s, const OptimizerOptions &o) {
          double &v = s.a[0];
          v = o.rho * v + (1 - o.rho) * g * g;
          w -= o.learningRate * g / (std::sqrt(v) + o.epsilon);
        });
}

void adamStep(double &w, double g, int t, Reference &s,
              const OptimizerOptions &o) {
  double &m = s.a[0], &v = s.b[0];
  m = o.beta1 * m + (1 - o.beta1) * g;
  v = o.beta2 * v + (1 - o.beta2) * g * g;
  double alpha = o.learningRate * std::sqrt(1 - std::pow(o.beta2, t)) /
                 (1 - std::pow(o.beta1, t));
  w -= alpha * m / (std::sqrt(v) + o.epsilon);
}

TEST(OptimizerTest, Adam) {
  OptimizerOptions o;
  o.learningRate = 0.01;
  check(OptimizerKind::Adam, o, adamStep);
}

TEST(OptimizerTest, AdamW) {
  OptimizerOptions o;
  o.learningRate = 0.01;
  o.weightDecay = 0.1;
  check(
      OptimizerKind::AdamW, o,
      [](double &w, double g, int t, Reference &s, const OptimizerOptions &o) {
        // The gradient was taken before the decay, as in Keras.
        w -= o.learningRate * o.weightDecay * w;
        adamStep(w, g, t, s, o);
      });
}

TEST(OptimizerTest, AdaMax) {
  OptimizerOptions o;
  o.learningRate = 0.01;
  check(
      OptimizerKind::AdaMax, o,
      [](double &w, double g, int t, Reference &s, const OptimizerOptions &o) {
        double &m = s.a[0], &u = s.b[0];
        m = o.beta1 * m + (1 - o.beta1) * g;
        u = std::max(o.beta2 * u, std::fabs(g));
        w -= o.learningRate / (1 - std::pow(o.beta1, t)) * m / (u + o.epsilon);
      });
}

TEST(OptimizerTest, Nadam) {
  OptimizerOptions o;
  o.learningRate = 0.01;
  // The momentum schedule is shared by all parameters of a step.
  double product = 1, muT = 0, muNext = 0;
  auto mu = [&](int t) {
    return o.beta1 * (1 - 0.5 * std::pow(0.96, 0.004 * t));
  };
  check(
      OptimizerKind::Nadam, o,
      [&](double &w, double g, int t, Reference &s, const OptimizerOptions &o) {
        double &m = s.a[0], &v = s.b[0];
        m = o.beta1 * m + (1 - o.beta1) * g;
        v = o.beta2 * v + (1 - o.beta2) * g * g;
        double mHat =
            muNext * m / (1 - product * muNext) + (1 - muT) * g / (1 - product);
        double vHat = v / (1 - std::pow(o.beta2, t));
        w -= o.learningRate * mHat / (std::sqrt(vHat) + o.epsilon);
      },
      [&](int t) {
        muT = mu(t);
        muNext = mu(t + 1);
        product *= muT;
      });
}

// The example of the issue (and of the book): clipnorm 1.0 scales
// [0.9, 100.0] to unit norm, [0.9, 100]/100.00405.
TEST(ClippingTest, ClipNormExample) {
  Parameter p{"w", Matrix::Zero(1, 2), Matrix(1, 2)};
  p.grad << 0.9f, 100.0f;
  OptimizerOptions o;
  o.clipNorm = 1.0;
  clipGradients({&p}, o);
  EXPECT_NEAR(p.grad(0, 0), 0.00899964, 1e-8);
  EXPECT_NEAR(p.grad(0, 1), 0.9999595, 1e-7);
}

TEST(ClippingTest, ClipValueClipsElements) {
  Parameter p{"w", Matrix::Zero(1, 3), Matrix(1, 3)};
  p.grad << 0.9f, 100.0f, -3.0f;
  OptimizerOptions o;
  o.clipValue = 1.0;
  clipGradients({&p}, o);
  EXPECT_EQ(p.grad, (Matrix(1, 3) << 0.9f, 1.0f, -1.0f).finished());
}

TEST(ClippingTest, NormsBelowTheLimitAreUntouched) {
  Parameter p{"w", Matrix::Zero(1, 2), Matrix(1, 2)};
  p.grad << 0.3f, 0.4f; // norm 0.5
  OptimizerOptions o;
  o.clipNorm = 1.0;
  o.globalClipNorm = 1.0;
  clipGradients({&p}, o);
  EXPECT_EQ(p.grad, (Matrix(1, 2) << 0.3f, 0.4f).finished());
}

TEST(ClippingTest, GlobalNormScalesAllTensorsTogether) {
  Parameter a{"a", Matrix::Zero(1, 1), Matrix(1, 1)};
  Parameter b{"b", Matrix::Zero(1, 1), Matrix(1, 1)};
  a.grad << 3.0f;
  b.grad << 4.0f; // global norm 5
  OptimizerOptions o;
  o.globalClipNorm = 1.0;
  clipGradients({&a, &b}, o);
  EXPECT_FLOAT_EQ(a.grad(0, 0), 0.6f);
  EXPECT_FLOAT_EQ(b.grad(0, 0), 0.8f);
  // Per-tensor clipnorm would have left the ratio 3:4 but each at norm <= 1.
  a.grad << 3.0f;
  b.grad << 4.0f;
  OptimizerOptions perTensor;
  perTensor.clipNorm = 1.0;
  clipGradients({&a, &b}, perTensor);
  EXPECT_FLOAT_EQ(a.grad(0, 0), 1.0f);
  EXPECT_FLOAT_EQ(b.grad(0, 0), 1.0f);
}

TEST(OptimizerTest, StateNamesSlotsPerParameter) {
  Parameter p{"dense/kernel", Matrix::Ones(2, 2), Matrix::Ones(2, 2)};
  std::unique_ptr<Optimizer> adam =
      makeOptimizer(OptimizerKind::Adam, OptimizerOptions{});
  adam->step({&p});
  OptimizerState s = adam->state();
  EXPECT_EQ(s.kind, OptimizerKind::Adam);
  ASSERT_EQ(s.slots.size(), 2u);
  EXPECT_EQ(s.slots[0].name, "dense/kernel/m");
  EXPECT_EQ(s.slots[1].name, "dense/kernel/v");
  EXPECT_EQ(s.iterations, 1);
}

} // namespace
