//===- Schedule.h - Learning-rate schedules -----------------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The schedules of the book and of Keras, as functions of a counter t: the
// optimizer's update count (Keras LearningRateSchedule, the default) or the
// epoch index (Keras' LearningRateScheduler callback, `perEpoch`). Every
// schedule except performance scheduling is a pure function of t, so a
// resumed run recomputes the same rates; performance scheduling keeps its
// state (current rate, best value, wait and cooldown counters) in the model
// file.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_SCHEDULE_H
#define KILN_TRAINER_SCHEDULE_H

#include "schema/Model.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kiln::train {

/// An epoch's metrics by Keras name: "loss", "accuracy", "val_loss",
/// "val_accuracy", "lr".
using Logs = std::map<std::string, double>;

/// The metrics a schedule or callback may monitor, in the order the model
/// file numbers them.
const std::vector<std::string> &monitorNames();
/// Whether larger values of `monitor` are better (Keras' mode "auto":
/// accuracies go up, losses go down).
bool monitorIncreases(const std::string &monitor);
/// Where tracking the best value of `monitor` starts: −∞ or +∞.
double worstValue(const std::string &monitor);
/// Keras' _is_improvement: `value` beats `reference` by more than
/// `minDelta` in the monitor's direction.
bool improves(const std::string &monitor, double value, double reference,
              double minDelta);
/// `logs[monitor]` into `value`, or an error from `who` that names what the
/// logs do have.
Status monitoredValue(const std::string &who, const std::string &monitor,
                      const Logs &logs, double &value);

struct ScheduleOptions {
  ScheduleKind kind = ScheduleKind::Constant;
  /// η0: the rate at t = 0 (1cycle: the start and end of the cycle).
  double initialLearningRate = 0.01;
  /// Count epochs instead of optimizer updates.
  bool perEpoch = false;

  /// Power: η0 / (1 + t/s)^c; exponential: η0 · r^(t/s) (⌊t/s⌋ when
  /// staircase); cosine: s is the length of the decay.
  double decaySteps = 1;
  double power = 1;
  double decayRate = 0.1;
  bool staircase = false;

  /// Piecewise constant: values[i] while boundaries[i−1] < t <= boundaries[i]
  /// (Keras PiecewiseConstantDecay); one more value than boundaries.
  std::vector<double> boundaries, values;

  /// Performance scheduling (Keras ReduceLROnPlateau): after `patience`
  /// epochs without an improvement of at least `minDelta` in `monitor`, the
  /// rate becomes max(rate · factor, minLearningRate), then `cooldown`
  /// epochs pass before waiting starts again.
  std::string monitor = "val_loss";
  double factor = 0.1;
  int patience = 10;
  double minDelta = 1e-4;
  int cooldown = 0;
  double minLearningRate = 0;

  /// 1cycle (Smith 2018, as in the book): η0 → maxLearningRate linearly over
  /// the first half of the cycle, back to η0 over the second, then linearly
  /// down to lastLearningRate over the last `lastSteps`. totalSteps 0 means
  /// the whole fit; lastSteps 0 means ⌊total/10⌋ + 1; lastLearningRate 0
  /// means η0/1000. With momentum (SGD), momentum goes maxMomentum →
  /// minMomentum → maxMomentum opposite the rate.
  double maxLearningRate = 0;
  int64_t totalSteps = 0;
  int64_t lastSteps = 0;
  double lastLearningRate = 0;
  double maxMomentum = 0.95, minMomentum = 0.85;

  /// Cosine decay (Keras CosineDecay): η0 · ((1−α)·½(1 + cos(π·min(t,s)/s))
  /// + α), s = decaySteps.
  double alpha = 0;

  /// Linear warm-up for any kind: for t < warmupSteps the rate goes from
  /// warmupStart to the schedule's η(0); the schedule then runs on
  /// t − warmupSteps.
  int64_t warmupSteps = 0;
  double warmupStart = 0;

  static ScheduleOptions oneCycle(double maxLearningRate,
                                  int64_t totalSteps = 0);
};

/// The Keras-style name of a schedule kind ("exponential", "one_cycle",
/// ...), and back.
const char *scheduleName(ScheduleKind kind);
std::optional<ScheduleKind> parseScheduleName(const std::string &name);
/// Every name parseScheduleName accepts, for error messages.
std::string scheduleNames();

class Schedule {
public:
  explicit Schedule(ScheduleOptions options);

  /// Checks the options; names the first bad one.
  Status validate() const;
  /// Fixes what "the whole fit" means (1cycle with totalSteps 0).
  void prepare(int64_t stepsPerEpoch, int epochs);

  /// The rate for the update after `step` updates, in epoch `epoch`.
  double learningRate(int64_t step, int epoch) const;
  /// The momentum for that update when the schedule cycles momentum.
  std::optional<double> momentum(int64_t step, int epoch) const;
  /// Performance scheduling's step: reads `monitor` from `logs`. Sets
  /// `reduced` when the rate dropped. Fails if the metric is missing.
  Status onEpochEnd(const Logs &logs, bool &reduced);

  const ScheduleOptions &getOptions() const { return options; }
  /// Options and mutable state, in the model file's form.
  ScheduleState state() const;
  /// The schedule `state` describes, with its mutable state.
  static Status restore(const ScheduleState &state,
                        std::unique_ptr<Schedule> &out);

private:
  double undelayed(double t) const;

  ScheduleOptions options;
  /// Performance scheduling's state.
  double currentRate;
  double best;
  int wait = 0, cooldownCounter = 0;
};

} // namespace kiln::train

#endif // KILN_TRAINER_SCHEDULE_H
