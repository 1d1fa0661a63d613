//===- ConfigTest.cpp - kiln-train's JSON configuration -------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Defaults and conversions; the error messages are checked end to end in
// test/tools/kiln-train/errors.test.
//
//===----------------------------------------------------------------------===//

#include "trainer/Config.h"

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::train;

namespace {

TrainConfig parse(const std::string &text,
                  const std::vector<std::string> &overrides = {}) {
  TrainConfig c;
  Status s = parseConfig(text, overrides, c);
  EXPECT_TRUE(s.ok()) << s.message();
  return c;
}

const char *kMinimal = R"({"layers": [{"type": "dense", "units": 3}]})";

TEST(ConfigTest, KerasDefaults) {
  TrainConfig c = parse(kMinimal);
  EXPECT_EQ(c.epochs, 10);
  EXPECT_EQ(c.batchSize, 32);
  EXPECT_EQ(c.seed, 42u);
  EXPECT_EQ(c.optimizer, OptimizerKind::Sgd);
  EXPECT_EQ(c.optimizerOptions.learningRate, 0.01);
  EXPECT_EQ(c.loss, LossKind::SparseCategoricalCrossentropy);
  EXPECT_EQ(c.dataset.name, "fashion_mnist");
  ASSERT_EQ(c.layers.size(), 1u);
  EXPECT_EQ(c.layers[0].dense.activation.kind, ActivationKind::Identity);
  EXPECT_EQ(c.layers[0].dense.kernelInitializer.mode,
            Initializer::Mode::FanAvg);
  // "adam" as a string: Keras' defaults, learning rate 0.001.
  c = parse(kMinimal, {"optimizer=adam"});
  EXPECT_EQ(c.optimizer, OptimizerKind::Adam);
  EXPECT_EQ(c.optimizerOptions.learningRate, 0.001);
  EXPECT_EQ(c.optimizerOptions.beta2, 0.999);
}

TEST(ConfigTest, ParametersOfActivationsInitializersSchedules) {
  TrainConfig c = parse(R"({
    "optimizer": {"type": "sgd", "learning_rate": 0.05, "momentum": 0.9},
    "layers": [
      {"type": "Dense", "units": 4,
       "activation": {"name": "leaky_relu", "alpha": 0.2},
       "kernel_initializer": {"name": "variance_scaling", "scale": 2,
                              "mode": "fan_out", "distribution": "uniform"},
       "kernel_regularizer": {"l1": 0.01, "l2": 0.02},
       "kernel_constraint": {"max_norm": 2}},
      {"type": "AlphaDropout", "rate": 0.1},
      {"type": "activation", "activation": "silu"}],
    "schedule": {"type": "exponential", "decay_steps": 100}})");
  const DenseOptions &d = c.layers[0].dense;
  EXPECT_EQ(c.layers[0].type, "dense");
  EXPECT_FLOAT_EQ(d.activation.alpha, 0.2f);
  EXPECT_EQ(d.kernelInitializer.scale, 2);
  EXPECT_EQ(d.kernelInitializer.mode, Initializer::Mode::FanOut);
  EXPECT_EQ(d.kernelInitializer.distribution,
            Initializer::Distribution::Uniform);
  EXPECT_EQ(d.kernelRegularizer.l1, 0.01);
  EXPECT_EQ(d.kernelRegularizer.l2, 0.02);
  EXPECT_EQ(d.kernelConstraint.maxValue, 2);
  EXPECT_EQ(c.layers[1].type, "alpha_dropout");
  EXPECT_EQ(c.layers[2].activation.kind, ActivationKind::Swish);
  // A schedule starts from the optimizer's rate unless told otherwise.
  ASSERT_TRUE(c.schedule);
  EXPECT_EQ(c.schedule->initialLearningRate, 0.05);
  EXPECT_EQ(c.schedule->decaySteps, 100);
  // 1cycle starts at a tenth of its peak (the book's default).
  c = parse(kMinimal, {R"(schedule={"type": "one_cycle", "max_lr": 0.05})"});
  EXPECT_EQ(c.schedule->kind, ScheduleKind::OneCycle);
  EXPECT_DOUBLE_EQ(c.schedule->initialLearningRate, 0.005);
}

TEST(ConfigTest, OverridesAndTheStoredJson) {
  TrainConfig c = parse(kMinimal, {"epochs=3", "layers[0].units=7",
                                   "schedule.type=cosine_decay",
                                   "schedule.decay_steps=50"});
  EXPECT_EQ(c.epochs, 3);
  EXPECT_EQ(c.layers[0].dense.units, 7);
  EXPECT_EQ(c.schedule->kind, ScheduleKind::CosineDecay);
  // The stored JSON is the config after overrides; it parses to the same.
  TrainConfig again = parse(c.json);
  EXPECT_EQ(again.json, c.json);
  EXPECT_EQ(again.layers[0].dense.units, 7);
  // A value that is not JSON is a string.
  c = parse(kMinimal, {"name=my model"});
  EXPECT_EQ(c.name, "my model");
  TrainConfig bad;
  EXPECT_FALSE(parseConfig(kMinimal, {"epochs"}, bad).ok());
  EXPECT_FALSE(parseConfig(kMinimal, {"epochs=-1"}, bad).ok());
  EXPECT_FALSE(parseConfig("[1, 2]", {}, bad).ok());
  EXPECT_FALSE(parseConfig(R"({"layers": []})", {}, bad).ok());
}

} // namespace
