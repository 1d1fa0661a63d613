//===- ScheduleTest.cpp - Learning-rate schedules against their formulas --===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Each schedule's rate at chosen steps, computed here by hand from the
// formula in the book / Keras documentation, not by calling the schedule's
// own helpers.
//
//===----------------------------------------------------------------------===//

#include "trainer/Schedule.h"

#include "TrainerTestUtil.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace kiln;
using namespace kiln::train;
using kiln::train::testing::failsWith;

namespace {

Schedule make(ScheduleOptions o) {
  Schedule s(std::move(o));
  EXPECT_TRUE(s.validate().ok()) << s.validate().message();
  return s;
}

TEST(ScheduleTest, Power) {
  ScheduleOptions o;
  o.kind = ScheduleKind::Power;
  o.initialLearningRate = 0.01;
  o.decaySteps = 20;
  Schedule s = make(o);
  EXPECT_DOUBLE_EQ(s.learningRate(0, 0), 0.01);
  EXPECT_DOUBLE_EQ(s.learningRate(20, 0), 0.005);
  EXPECT_DOUBLE_EQ(s.learningRate(60, 0), 0.0025);
  o.power = 2;
  EXPECT_DOUBLE_EQ(make(o).learningRate(20, 0), 0.0025);
}

TEST(ScheduleTest, Exponential) {
  ScheduleOptions o;
  o.kind = ScheduleKind::Exponential;
  o.initialLearningRate = 0.01;
  o.decaySteps = 20;
  Schedule s = make(o);
  EXPECT_NEAR(s.learningRate(20, 0), 0.001, 1e-15);
  EXPECT_NEAR(s.learningRate(10, 0), 0.01 * std::sqrt(0.1), 1e-15);
  EXPECT_NEAR(s.learningRate(40, 0), 1e-4, 1e-15);
  o.staircase = true;
  EXPECT_DOUBLE_EQ(make(o).learningRate(19, 0), 0.01);
  EXPECT_NEAR(make(o).learningRate(39, 0), 0.001, 1e-15);
}

TEST(ScheduleTest, PerEpochCountsEpochs) {
  ScheduleOptions o;
  o.kind = ScheduleKind::Exponential;
  o.initialLearningRate = 0.01;
  o.decaySteps = 20;
  o.perEpoch = true;
  Schedule s = make(o);
  EXPECT_NEAR(s.learningRate(123456, 10), 0.01 * std::sqrt(0.1), 1e-15);
  EXPECT_EQ(s.learningRate(0, 3), s.learningRate(999, 3));
}

TEST(ScheduleTest, PiecewiseConstantAsKeras) {
  ScheduleOptions o;
  o.kind = ScheduleKind::PiecewiseConstant;
  o.boundaries = {5, 15};
  o.values = {0.01, 0.005, 0.001};
  Schedule s = make(o);
  EXPECT_EQ(s.learningRate(0, 0), 0.01);
  EXPECT_EQ(s.learningRate(5, 0), 0.01); // t <= b0
  EXPECT_EQ(s.learningRate(6, 0), 0.005);
  EXPECT_EQ(s.learningRate(15, 0), 0.005);
  EXPECT_EQ(s.learningRate(16, 0), 0.001);
  o.values = {0.1};
  EXPECT_FALSE(Schedule(o).validate().ok());
  o.values = {1, 2, 3};
  o.boundaries = {15, 5};
  EXPECT_FALSE(Schedule(o).validate().ok());
}

TEST(ScheduleTest, OneCycleRateAndMomentum) {
  // T = 100, L = ⌊100/10⌋ + 1 = 11, h = ⌊(100 − 11)/2⌋ = 44.
  ScheduleOptions o = ScheduleOptions::oneCycle(0.1);
  Schedule s = make(o);
  s.prepare(/*stepsPerEpoch=*/10, /*epochs=*/10);
  EXPECT_EQ(s.getOptions().lastSteps, 11);
  EXPECT_DOUBLE_EQ(s.learningRate(0, 0), 0.01);
  EXPECT_NEAR(s.learningRate(22, 0), 0.055, 1e-15);
  EXPECT_NEAR(s.learningRate(44, 0), 0.1, 1e-15);
  EXPECT_NEAR(s.learningRate(66, 0), 0.055, 1e-15);
  EXPECT_NEAR(s.learningRate(88, 0), 0.01, 1e-15);
  EXPECT_NEAR(s.learningRate(94, 0), 0.01 + (1e-5 - 0.01) * 6 / 12, 1e-15);
  EXPECT_NEAR(s.learningRate(100, 0), 1e-5, 1e-18);
  EXPECT_NEAR(*s.momentum(0, 0), 0.95, 1e-15);
  EXPECT_NEAR(*s.momentum(22, 0), 0.90, 1e-15);
  EXPECT_NEAR(*s.momentum(44, 0), 0.85, 1e-15);
  EXPECT_NEAR(*s.momentum(66, 0), 0.90, 1e-15);
  EXPECT_NEAR(*s.momentum(95, 0), 0.95, 1e-15);
}

TEST(ScheduleTest, CosineDecayWithWarmup) {
  ScheduleOptions o;
  o.kind = ScheduleKind::CosineDecay;
  o.initialLearningRate = 0.1;
  o.decaySteps = 100;
  Schedule s = make(o);
  EXPECT_NEAR(s.learningRate(50, 0), 0.05, 1e-15);
  EXPECT_NEAR(s.learningRate(100, 0), 0, 1e-15);
  EXPECT_NEAR(s.learningRate(500, 0), 0, 1e-15);
  o.alpha = 0.1;
  const double pi = 3.14159265358979323846;
  EXPECT_NEAR(make(o).learningRate(25, 0),
              0.1 * (0.9 * 0.5 * (1 + std::cos(pi / 4)) + 0.1), 1e-15);
  EXPECT_NEAR(make(o).learningRate(100, 0), 0.01, 1e-15);
  // Linear warm-up: 0 → 0.1 over 10 steps, then the decay from its start.
  o.alpha = 0;
  o.warmupSteps = 10;
  Schedule w = make(o);
  EXPECT_EQ(w.learningRate(0, 0), 0);
  EXPECT_NEAR(w.learningRate(5, 0), 0.05, 1e-15);
  EXPECT_NEAR(w.learningRate(10, 0), 0.1, 1e-15);
  EXPECT_NEAR(w.learningRate(60, 0), 0.05, 1e-15);
}

TEST(ScheduleTest, ReduceLROnPlateauOnAScriptedSequence) {
  ScheduleOptions o;
  o.kind = ScheduleKind::Performance;
  o.initialLearningRate = 0.1;
  o.patience = 2;
  o.factor = 0.5;
  o.minDelta = 0;
  o.cooldown = 1;
  Schedule s = make(o);
  const double valLoss[] = {1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85};
  // By hand: e3 is the 2nd epoch without improvement → halve, cooldown 1
  // (e4 ends it and already counts: wait 1), e5 improves, e7 is the 2nd
  // bad one again.
  const double expected[] = {0.1,  0.1,  0.1,   0.05, 0.05,
                             0.05, 0.05, 0.025, 0.025};
  for (int e = 0; e < 9; ++e) {
    bool reduced;
    ASSERT_TRUE(s.onEpochEnd({{"val_loss", valLoss[e]}}, reduced).ok());
    EXPECT_EQ(reduced, e == 3 || e == 7) << "epoch " << e;
    EXPECT_DOUBLE_EQ(s.learningRate(12345, e + 1), expected[e])
        << "epoch " << e;
  }
  // Keras asks in_cooldown() again after counting the cooldown down, so
  // with cooldown 1 the epoch after a reduction already counts: flat
  // losses reduce at epochs 3 and 5 (not 6).
  Schedule flat = make(o);
  std::vector<int> reducedAt;
  for (int e = 0; e < 7; ++e) {
    bool r;
    ASSERT_TRUE(
        flat.onEpochEnd({{"val_loss", e < 2 ? 1.0 - 0.1 * e : 0.95}}, r).ok());
    if (r)
      reducedAt.push_back(e);
  }
  EXPECT_EQ(reducedAt, (std::vector<int>{3, 5}));
  // min_lr floors the rate.
  o.minLearningRate = 0.03;
  Schedule floor = make(o);
  bool reduced;
  for (int e = 0; e < 9; ++e)
    ASSERT_TRUE(floor.onEpochEnd({{"val_loss", valLoss[e]}}, reduced).ok());
  EXPECT_DOUBLE_EQ(floor.learningRate(0, 9), 0.03);
  // A missing metric is an error that says why.
  Status missing = s.onEpochEnd({{"loss", 1.0}}, reduced);
  EXPECT_TRUE(failsWith(missing, "'val_loss' is not available"));
}

TEST(ScheduleTest, StateRoundTripContinuesTheSequence) {
  ScheduleOptions o;
  o.kind = ScheduleKind::Performance;
  o.monitor = "val_accuracy";
  o.patience = 1;
  o.cooldown = 2;
  Schedule a = make(o);
  bool reduced;
  const double acc[] = {0.5, 0.6, 0.6, 0.55, 0.7, 0.7, 0.7, 0.7};
  for (int e = 0; e < 3; ++e)
    ASSERT_TRUE(a.onEpochEnd({{"val_accuracy", acc[e]}}, reduced).ok());
  std::unique_ptr<Schedule> b;
  ASSERT_TRUE(Schedule::restore(a.state(), b).ok());
  EXPECT_EQ(b->getOptions().monitor, "val_accuracy");
  for (int e = 3; e < 8; ++e) {
    bool ra, rb;
    ASSERT_TRUE(a.onEpochEnd({{"val_accuracy", acc[e]}}, ra).ok());
    ASSERT_TRUE(b->onEpochEnd({{"val_accuracy", acc[e]}}, rb).ok());
    EXPECT_EQ(ra, rb);
    EXPECT_EQ(a.learningRate(0, e), b->learningRate(0, e));
  }
  ScheduleOptions c = ScheduleOptions::oneCycle(0.05, 1000);
  c.warmupSteps = 7;
  std::unique_ptr<Schedule> d;
  ASSERT_TRUE(Schedule::restore(make(c).state(), d).ok());
  for (int64_t t : {0, 3, 100, 500, 999})
    EXPECT_EQ(d->learningRate(t, 0), make(c).learningRate(t, 0));
}

// Integer options and counters from a run file are range-checked.
TEST(ScheduleTest, RestoreRejectsIntegersOutOfRange) {
  ScheduleOptions o;
  o.kind = ScheduleKind::Performance;
  ScheduleState bad = make(o).state();
  for (Param &p : bad.state)
    if (p.name == "wait")
      p.value = 1e30;
  std::unique_ptr<Schedule> s;
  EXPECT_TRUE(
      failsWith(Schedule::restore(bad, s), "training: schedule: 'wait' = "));
  bad = make(o).state();
  for (Param &p : bad.params)
    if (p.name == "monitor")
      p.value = 0.5;
  EXPECT_TRUE(failsWith(Schedule::restore(bad, s), "'monitor' = 0.5"));
}

TEST(ScheduleTest, NamesRoundTrip) {
  for (ScheduleKind k :
       {ScheduleKind::Constant, ScheduleKind::Power, ScheduleKind::Exponential,
        ScheduleKind::PiecewiseConstant, ScheduleKind::Performance,
        ScheduleKind::OneCycle, ScheduleKind::CosineDecay})
    EXPECT_EQ(parseScheduleName(scheduleName(k)), k);
  EXPECT_FALSE(parseScheduleName("cyclic"));
}

} // namespace
