//===- Schedule.cpp - Learning-rate schedules -----------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "trainer/Schedule.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kiln::train {

const std::vector<std::string> &monitorNames() {
  static const std::vector<std::string> names = {"loss", "accuracy", "val_loss",
                                                 "val_accuracy"};
  return names;
}

bool monitorIncreases(const std::string &monitor) {
  return monitor.find("acc") != std::string::npos;
}

double worstValue(const std::string &monitor) {
  return monitorIncreases(monitor) ? -std::numeric_limits<double>::infinity()
                                   : std::numeric_limits<double>::infinity();
}

// Keras writes ReduceLROnPlateau's test as value < reference − minDelta and
// EarlyStopping's as value + minDelta < reference; both here use the latter
// (they differ only in the rounding of the sum).
bool improves(const std::string &monitor, double value, double reference,
              double minDelta) {
  return monitorIncreases(monitor) ? value - minDelta > reference
                                   : value + minDelta < reference;
}

Status monitoredValue(const std::string &who, const std::string &monitor,
                      const Logs &logs, double &value) {
  auto it = logs.find(monitor);
  if (it != logs.end()) {
    value = it->second;
    return Status::success();
  }
  std::string have;
  for (const auto &[name, v] : logs)
    have += (have.empty() ? "" : ", ") + name;
  return Status::error(who + ": monitor '" + monitor +
                       "' is not available (have: " + have +
                       "; validation metrics need validation data)");
}

ScheduleOptions ScheduleOptions::oneCycle(double maxLearningRate,
                                          int64_t totalSteps) {
  ScheduleOptions o;
  o.kind = ScheduleKind::OneCycle;
  o.maxLearningRate = maxLearningRate;
  o.initialLearningRate = maxLearningRate / 10;
  o.totalSteps = totalSteps;
  return o;
}

namespace {
struct KindName {
  ScheduleKind kind;
  const char *name;
};
constexpr KindName kKindNames[] = {
    {ScheduleKind::Constant, "constant"},
    {ScheduleKind::Power, "power"},
    {ScheduleKind::Exponential, "exponential"},
    {ScheduleKind::PiecewiseConstant, "piecewise_constant"},
    {ScheduleKind::Performance, "reduce_lr_on_plateau"},
    {ScheduleKind::OneCycle, "one_cycle"},
    {ScheduleKind::CosineDecay, "cosine_decay"},
};
} // namespace

const char *scheduleName(ScheduleKind kind) {
  for (const KindName &k : kKindNames)
    if (k.kind == kind)
      return k.name;
  return "unknown";
}

std::optional<ScheduleKind> parseScheduleName(const std::string &name) {
  for (const KindName &k : kKindNames)
    if (name == k.name)
      return k.kind;
  return std::nullopt;
}

std::string scheduleNames() {
  std::string names;
  for (const KindName &k : kKindNames)
    names += std::string(names.empty() ? "" : ", ") + k.name;
  return names;
}

Schedule::Schedule(ScheduleOptions o)
    : options(std::move(o)), currentRate(options.initialLearningRate),
      best(worstValue(options.monitor)) {}

Status Schedule::validate() const {
  const ScheduleOptions &o = options;
  auto bad = [&](const std::string &what) {
    return Status::error(std::string("schedule '") + scheduleName(o.kind) +
                         "': " + what);
  };
  if (!(o.initialLearningRate >= 0) || !std::isfinite(o.initialLearningRate))
    return bad("initial learning rate must be finite and >= 0");
  if (o.warmupSteps < 0 || !(o.warmupStart >= 0))
    return bad("warm-up steps and start rate must be >= 0");
  switch (o.kind) {
  case ScheduleKind::Constant:
    break;
  case ScheduleKind::Power:
  case ScheduleKind::Exponential:
  case ScheduleKind::CosineDecay:
    if (!(o.decaySteps > 0))
      return bad("decay_steps must be > 0");
    if (o.kind == ScheduleKind::Exponential && !(o.decayRate > 0))
      return bad("decay_rate must be > 0");
    if (o.kind == ScheduleKind::CosineDecay && !(o.alpha >= 0 && o.alpha <= 1))
      return bad("alpha must be in [0, 1]");
    break;
  case ScheduleKind::PiecewiseConstant:
    if (o.values.size() != o.boundaries.size() + 1)
      return bad("needs one more value than boundaries (" +
                 std::to_string(o.boundaries.size()) + " boundaries, " +
                 std::to_string(o.values.size()) + " values)");
    for (size_t i = 1; i < o.boundaries.size(); ++i)
      if (!(o.boundaries[i] > o.boundaries[i - 1]))
        return bad("boundaries must increase");
    break;
  case ScheduleKind::Performance:
    if (std::find(monitorNames().begin(), monitorNames().end(), o.monitor) ==
        monitorNames().end())
      return bad("monitor '" + o.monitor +
                 "' is not one of: loss, accuracy, val_loss, val_accuracy");
    if (!(o.factor > 0 && o.factor < 1))
      return bad("factor must be in (0, 1)");
    if (o.patience < 0 || o.cooldown < 0 || !(o.minDelta >= 0) ||
        !(o.minLearningRate >= 0))
      return bad("patience, cooldown, min_delta and min_lr must be >= 0");
    break;
  case ScheduleKind::OneCycle:
    if (!(o.maxLearningRate > 0))
      return bad("max_lr must be > 0");
    if (o.totalSteps < 0 || o.lastSteps < 0)
      return bad("steps must be >= 0");
    if (o.totalSteps > 0 && o.lastSteps >= o.totalSteps)
      return bad("last_steps must be smaller than the total");
    break;
  }
  return Status::success();
}

void Schedule::prepare(int64_t stepsPerEpoch, int epochs) {
  ScheduleOptions &o = options;
  if (o.kind != ScheduleKind::OneCycle)
    return;
  if (o.totalSteps == 0)
    o.totalSteps = o.perEpoch ? epochs : stepsPerEpoch * epochs;
  if (o.lastSteps == 0)
    o.lastSteps = o.totalSteps / 10 + 1;
  if (o.lastLearningRate == 0)
    o.lastLearningRate = o.initialLearningRate / 1000;
}

double Schedule::undelayed(double t) const {
  const ScheduleOptions &o = options;
  const double eta0 = o.initialLearningRate;
  switch (o.kind) {
  case ScheduleKind::Constant:
    return eta0;
  case ScheduleKind::Power:
    // η0 / (1 + t/s)^c; Keras InverseTimeDecay is c = 1, decay = 1/s.
    return eta0 / std::pow(1 + t / o.decaySteps, o.power);
  case ScheduleKind::Exponential: {
    // η0 · r^(t/s), r = 0.1 in the book.
    double p = t / o.decaySteps;
    return eta0 * std::pow(o.decayRate, o.staircase ? std::floor(p) : p);
  }
  case ScheduleKind::PiecewiseConstant: {
    size_t i = 0;
    while (i < o.boundaries.size() && t > o.boundaries[i])
      ++i;
    return o.values[i];
  }
  case ScheduleKind::Performance:
    return currentRate;
  case ScheduleKind::OneCycle: {
    // Three linear pieces over [0, h), [h, 2h), [2h, T], h = ⌊(T − L)/2⌋.
    const double total = double(o.totalSteps);
    const double half = double((o.totalSteps - o.lastSteps) / 2);
    auto lerp = [&](double t0, double t1, double r0, double r1) {
      return t1 > t0 ? r0 + (r1 - r0) * (t - t0) / (t1 - t0) : r1;
    };
    if (t < half)
      return lerp(0, half, eta0, o.maxLearningRate);
    if (t < 2 * half)
      return lerp(half, 2 * half, o.maxLearningRate, eta0);
    if (t < total)
      return lerp(2 * half, total, eta0, o.lastLearningRate);
    return o.lastLearningRate;
  }
  case ScheduleKind::CosineDecay: {
    const double pi = 3.14159265358979323846;
    double decayed =
        0.5 * (1 + std::cos(pi * std::min(t, o.decaySteps) / o.decaySteps));
    return eta0 * ((1 - o.alpha) * decayed + o.alpha);
  }
  }
  return eta0;
}

double Schedule::learningRate(int64_t step, int epoch) const {
  const ScheduleOptions &o = options;
  double t = o.perEpoch ? double(epoch) : double(step);
  double w = double(o.warmupSteps);
  if (t < w)
    return o.warmupStart + (undelayed(0) - o.warmupStart) * t / w;
  return undelayed(t - w);
}

std::optional<double> Schedule::momentum(int64_t step, int epoch) const {
  const ScheduleOptions &o = options;
  if (o.kind != ScheduleKind::OneCycle)
    return std::nullopt;
  double t =
      (o.perEpoch ? double(epoch) : double(step)) - double(o.warmupSteps);
  if (t < 0)
    return o.maxMomentum;
  const double half = double((o.totalSteps - o.lastSteps) / 2);
  if (half <= 0)
    return o.maxMomentum;
  if (t < half)
    return o.maxMomentum + (o.minMomentum - o.maxMomentum) * t / half;
  if (t < 2 * half)
    return o.minMomentum + (o.maxMomentum - o.minMomentum) * (t - half) / half;
  return o.maxMomentum;
}

Status Schedule::onEpochEnd(const Logs &logs, bool &reduced) {
  reduced = false;
  const ScheduleOptions &o = options;
  if (o.kind != ScheduleKind::Performance)
    return Status::success();
  double current;
  if (Status s = monitoredValue("schedule 'reduce_lr_on_plateau'", o.monitor,
                                logs, current);
      !s.ok())
    return s;
  // Keras ReduceLROnPlateau.on_epoch_end, step for step.
  // in_cooldown() is asked again after the decrement, so the epoch that
  // ends the cooldown already counts towards patience.
  if (cooldownCounter > 0) {
    --cooldownCounter;
    wait = 0;
  }
  if (improves(o.monitor, current, best, o.minDelta)) {
    best = current;
    wait = 0;
  } else if (cooldownCounter == 0) {
    if (++wait >= o.patience) {
      if (currentRate > o.minLearningRate) {
        currentRate = std::max(currentRate * o.factor, o.minLearningRate);
        reduced = true;
        cooldownCounter = o.cooldown;
      }
      wait = 0;
    }
  }
  return Status::success();
}

namespace {
/// The options as (file name, value) pairs, for writing and reading.
template <typename Options, typename Fn>
void forEachScalar(Options &o, Fn fn) {
  fn("initial_learning_rate", o.initialLearningRate);
  fn("decay_steps", o.decaySteps);
  fn("power", o.power);
  fn("decay_rate", o.decayRate);
  fn("factor", o.factor);
  fn("min_delta", o.minDelta);
  fn("min_lr", o.minLearningRate);
  fn("max_lr", o.maxLearningRate);
  fn("last_lr", o.lastLearningRate);
  fn("max_momentum", o.maxMomentum);
  fn("min_momentum", o.minMomentum);
  fn("alpha", o.alpha);
  fn("warmup_start", o.warmupStart);
}

/// The integer options as (file name, value) pairs; stored as doubles.
template <typename Options, typename Fn>
void forEachInteger(Options &o, Fn fn) {
  fn("patience", o.patience);
  fn("cooldown", o.cooldown);
  fn("total_steps", o.totalSteps);
  fn("last_steps", o.lastSteps);
  fn("warmup_steps", o.warmupSteps);
}
} // namespace

ScheduleState Schedule::state() const {
  const ScheduleOptions &o = options;
  ScheduleState s;
  s.kind = o.kind;
  forEachScalar(o, [&](const char *name, double v) {
    s.params.push_back({name, v, {}});
  });
  int monitor =
      int(std::find(monitorNames().begin(), monitorNames().end(), o.monitor) -
          monitorNames().begin());
  s.params.push_back({"per_epoch", o.perEpoch ? 1.0 : 0.0, {}});
  s.params.push_back({"staircase", o.staircase ? 1.0 : 0.0, {}});
  s.params.push_back({"monitor", double(monitor), {}});
  forEachInteger(o, [&](const char *name, auto v) {
    s.params.push_back({name, double(v), {}});
  });
  s.params.push_back({"boundaries", 0, o.boundaries});
  s.params.push_back({"values", 0, o.values});
  s.state = {{"lr", currentRate, {}},
             {"best", best, {}},
             {"wait", double(wait), {}},
             {"cooldown_counter", double(cooldownCounter), {}}};
  return s;
}

Status Schedule::restore(const ScheduleState &s,
                         std::unique_ptr<Schedule> &out) {
  ScheduleOptions o;
  o.kind = s.kind;
  std::map<std::string, const Param *> byName;
  for (const Param &p : s.params)
    byName[p.name] = &p;
  auto get = [&](const char *name) -> const Param * {
    auto it = byName.find(name);
    return it == byName.end() ? nullptr : it->second;
  };
  forEachScalar(o, [&](const char *name, double &v) {
    if (const Param *p = get(name))
      v = p->value;
  });
  Status bad = Status::success();
  auto integer = [&](const char *name, auto &v) {
    if (const Param *p = get(name); p && bad.ok())
      bad = paramInteger(*p, "training: schedule:", v);
  };
  int monitor = 2;
  integer("monitor", monitor);
  forEachInteger(o, integer);
  if (!bad.ok())
    return bad;
  if (monitor < 0 || size_t(monitor) >= monitorNames().size())
    return Status::error("training: schedule: monitor index " +
                         std::to_string(monitor) + " is unknown");
  o.monitor = monitorNames()[size_t(monitor)];
  if (const Param *p = get("per_epoch"))
    o.perEpoch = p->value != 0;
  if (const Param *p = get("staircase"))
    o.staircase = p->value != 0;
  if (const Param *p = get("boundaries"))
    o.boundaries = p->values;
  if (const Param *p = get("values"))
    o.values = p->values;
  auto schedule = std::make_unique<Schedule>(o);
  if (Status st = schedule->validate(); !st.ok())
    return Status::error("training: " + st.message());
  for (const Param &p : s.state) {
    if (p.name == "lr")
      schedule->currentRate = p.value;
    else if (p.name == "best")
      schedule->best = p.value;
    else if (p.name == "wait" || p.name == "cooldown_counter")
      if (Status st = paramInteger(
              p, "training: schedule:",
              p.name == "wait" ? schedule->wait : schedule->cooldownCounter);
          !st.ok())
        return st;
  }
  out = std::move(schedule);
  return Status::success();
}

} // namespace kiln::train
