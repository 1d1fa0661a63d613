//===- Config.cpp - kiln-train's JSON configuration -----------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// JSON through llvm::json (LLVMSupport, already a Kiln dependency). Every
// object is read by an ObjectReader that remembers which keys it asked for,
// so a key nobody asked for is reported with the list of the valid ones.
//
//===----------------------------------------------------------------------===//

#include "trainer/Config.h"
#include "trainer/Callbacks.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace kiln::train {

namespace json = llvm::json;

namespace {

std::string join(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string out;
  for (const std::string &n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

/// The first error of a parse.
struct Errors {
  std::string first;
  void fail(const std::string &message) {
    if (first.empty())
      first = message;
  }
};

/// Reads the keys of one JSON object, type-checked, and reports the keys it
/// was never asked for.
class ObjectReader {
public:
  ObjectReader(const json::Value &value, std::string path, Errors &errors)
      : object(value.getAsObject()), path(std::move(path)), errors(errors) {
    if (!object)
      errors.fail(where() + ": expected an object");
  }
  explicit operator bool() const { return object != nullptr; }

  std::string where() const { return path.empty() ? "config" : path; }
  std::string at(const std::string &key) const {
    return path.empty() ? key : path + "." + key;
  }
  void fail(const std::string &key, const std::string &message) {
    errors.fail(at(key) + ": " + message);
  }

  const json::Value *get(const std::string &key) {
    known.push_back(key);
    return object ? object->get(key) : nullptr;
  }
  bool has(const std::string &key) const {
    return object && object->get(key) != nullptr;
  }

  void number(const std::string &key, double &out,
              double min = -std::numeric_limits<double>::infinity()) {
    if (const json::Value *v = get(key)) {
      std::optional<double> d = v->getAsNumber();
      if (!d)
        fail(key, "expected a number");
      else if (!(*d >= min) || !std::isfinite(*d))
        fail(key,
             "must be a finite number >= " + llvm::formatv("{0}", min).str());
      else
        out = *d;
    }
  }
  template <typename Int>
  void integer(const std::string &key, Int &out, int64_t min) {
    if (const json::Value *v = get(key)) {
      std::optional<int64_t> i = v->getAsInteger();
      const int64_t max = int64_t(std::numeric_limits<Int>::max() >>
                                  (std::is_same_v<Int, uint64_t> ? 1 : 0));
      if (!i)
        fail(key, "expected an integer");
      else if (*i < min || *i > max)
        fail(key, "must be in [" + std::to_string(min) + ", " +
                      std::to_string(max) + "]");
      else
        out = Int(*i);
    }
  }
  void boolean(const std::string &key, bool &out) {
    if (const json::Value *v = get(key)) {
      if (std::optional<bool> b = v->getAsBoolean())
        out = *b;
      else
        fail(key, "expected true or false");
    }
  }
  void string(const std::string &key, std::string &out) {
    if (const json::Value *v = get(key)) {
      if (std::optional<llvm::StringRef> s = v->getAsString())
        out = s->str();
      else
        fail(key, "expected a string");
    }
  }
  /// A string among `valid`.
  void choice(const std::string &key, std::string &out,
              const std::vector<std::string> &valid) {
    if (!has(key) &&
        std::find(valid.begin(), valid.end(), out) == valid.end()) {
      known.push_back(key);
      return fail(key, "is required (valid: " + join(valid) + ")");
    }
    std::string v = out;
    string(key, v);
    if (std::find(valid.begin(), valid.end(), v) == valid.end())
      fail(key, "unknown value '" + v + "' (valid: " + join(valid) + ")");
    else
      out = v;
  }
  void numbers(const std::string &key, std::vector<double> &out) {
    if (const json::Value *v = get(key)) {
      const json::Array *a = v->getAsArray();
      if (!a)
        return fail(key, "expected a list of numbers");
      out.clear();
      for (const json::Value &e : *a) {
        std::optional<double> d = e.getAsNumber();
        if (!d)
          return fail(key, "expected a list of numbers");
        out.push_back(*d);
      }
    }
  }
  void integers(const std::string &key, std::vector<int> &out) {
    std::vector<double> d;
    numbers(key, d);
    out.clear();
    for (double x : d) {
      if (x != std::floor(x) || x < 0 || x > 1e9)
        return fail(key, "expected a list of integers >= 0");
      out.push_back(int(x));
    }
  }

  /// Reports the first key that was never asked for.
  void finish() {
    if (!object)
      return;
    for (const auto &kv : *object) {
      std::string key = llvm::StringRef(kv.first).str();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        errors.fail(at(key) + ": unknown key (valid in " + where() + ": " +
                    join(known) + ")");
        return;
      }
    }
  }

private:
  const json::Object *object;
  std::string path;
  Errors &errors;
  std::vector<std::string> known;
};

std::vector<std::string> activationNames() {
  std::vector<std::string> names = {"linear", "silu"};
  for (int k = 0; k <= int(ActivationKind::Swish); ++k)
    names.push_back(activationName(ActivationKind(k)));
  return names;
}

/// Keras' two spellings of a configurable thing: its name, or an object
/// with "name" and parameters (read then by `object`). False on a bad value.
bool readNamed(const json::Value &v, const std::string &path, Errors &errors,
               std::string &name, std::optional<ObjectReader> &object) {
  if (std::optional<llvm::StringRef> s = v.getAsString()) {
    name = s->str();
    return true;
  }
  object.emplace(v, path, errors);
  if (!*object)
    return false;
  object->string("name", name);
  return true;
}

/// "relu" or {"name": "leaky_relu", "alpha": 0.2}.
void readActivation(const json::Value &v, const std::string &path,
                    Errors &errors, Activation &out) {
  std::string name;
  std::optional<ObjectReader> object;
  if (!readNamed(v, path, errors, name, object))
    return;
  if (name == "linear")
    name = "identity";
  if (name == "silu")
    name = "swish";
  std::optional<ActivationKind> kind = parseActivationName(name);
  if (!kind)
    return errors.fail(path + ": unknown activation '" + name +
                       "' (valid: " + join(activationNames()) + ")");
  out = Activation::withDefaults(*kind);
  if (!object)
    return;
  double alpha = out.alpha, scale = out.scale, lower = out.lower,
         upper = out.upper;
  if (*kind == ActivationKind::LeakyRelu || *kind == ActivationKind::Elu ||
      *kind == ActivationKind::Selu)
    object->number("alpha", alpha);
  if (*kind == ActivationKind::Selu)
    object->number("scale", scale);
  if (*kind == ActivationKind::RRelu) {
    object->number("lower", lower);
    object->number("upper", upper);
    if (!(lower <= upper))
      errors.fail(path + ": lower must be <= upper");
  }
  out.alpha = float(alpha);
  out.scale = float(scale);
  out.lower = float(lower);
  out.upper = float(upper);
  object->finish();
}

const std::vector<std::string> kInitializerNames = {
    "glorot_uniform", "glorot_normal",   "he_uniform", "he_normal",
    "lecun_uniform",  "lecun_normal",    "zeros",      "ones",
    "constant",       "variance_scaling"};

/// "he_normal", {"name": "constant", "value": 0.1} or {"name":
/// "variance_scaling", "scale": 2, "mode": "fan_in", "distribution":
/// "truncated_normal"}.
void readInitializer(const json::Value &v, const std::string &path,
                     Errors &errors, Initializer &out) {
  std::string name;
  std::optional<ObjectReader> object;
  if (!readNamed(v, path, errors, name, object))
    return;
  if (name == "constant" || name == "variance_scaling") {
    out = Initializer{};
    if (name == "constant") {
      out.kind = Initializer::Kind::Constant;
      double value = 0;
      if (object)
        object->number("value", value);
      out.value = float(value);
    } else if (object) {
      object->number("scale", out.scale, 0);
      std::string mode = "fan_in", distribution = "truncated_normal";
      object->choice("mode", mode, {"fan_in", "fan_out", "fan_avg"});
      object->choice("distribution", distribution,
                     {"truncated_normal", "untruncated_normal", "uniform"});
      out.mode = mode == "fan_in"    ? Initializer::Mode::FanIn
                 : mode == "fan_out" ? Initializer::Mode::FanOut
                                     : Initializer::Mode::FanAvg;
      out.distribution = distribution == "uniform"
                             ? Initializer::Distribution::Uniform
                         : distribution == "untruncated_normal"
                             ? Initializer::Distribution::UntruncatedNormal
                             : Initializer::Distribution::TruncatedNormal;
    }
  } else if (std::optional<Initializer> named = Initializer::named(name)) {
    out = *named;
  } else {
    return errors.fail(path + ": unknown initializer '" + name +
                       "' (valid: " + join(kInitializerNames) + ")");
  }
  if (object)
    object->finish();
}

/// {"l1": 0.0, "l2": 0.01}.
void readRegularizer(const json::Value &v, const std::string &path,
                     Errors &errors, Regularizer &out) {
  ObjectReader r(v, path, errors);
  r.number("l1", out.l1, 0);
  r.number("l2", out.l2, 0);
  r.finish();
}

/// {"max_norm": 1.0}.
void readConstraint(const json::Value &v, const std::string &path,
                    Errors &errors, MaxNorm &out) {
  ObjectReader r(v, path, errors);
  r.number("max_norm", out.maxValue, 0);
  r.finish();
}

/// Each layer type with its Keras class name, accepted too.
const std::pair<const char *, const char *> kLayerTypes[] = {
    {LayerConfig::kFlatten, "Flatten"},
    {LayerConfig::kDense, "Dense"},
    {LayerConfig::kBatchNorm, "BatchNormalization"},
    {LayerConfig::kActivation, "Activation"},
    {LayerConfig::kDropout, "Dropout"},
    {LayerConfig::kAlphaDropout, "AlphaDropout"}};

std::string layerType(std::string type) {
  for (const auto &[name, keras] : kLayerTypes)
    if (type == keras)
      return name;
  return type;
}

void readLayer(const json::Value &v, const std::string &path, Errors &errors,
               LayerConfig &out) {
  ObjectReader r(v, path, errors);
  if (!r)
    return;
  std::vector<std::string> types;
  for (const auto &[name, keras] : kLayerTypes)
    types.push_back(name);
  for (const auto &[name, keras] : kLayerTypes)
    types.push_back(keras);
  r.choice("type", out.type, types);
  out.type = layerType(out.type);
  r.string("name", out.name);
  r.boolean("trainable", out.trainable);
  if (out.type == LayerConfig::kDense) {
    DenseOptions &d = out.dense;
    r.integer("units", d.units, 1);
    if (!r.has("units"))
      r.fail("units", "is required");
    r.boolean("use_bias", d.useBias);
    if (const json::Value *a = r.get("activation"))
      readActivation(*a, r.at("activation"), errors, d.activation);
    if (const json::Value *i = r.get("kernel_initializer"))
      readInitializer(*i, r.at("kernel_initializer"), errors,
                      d.kernelInitializer);
    if (const json::Value *i = r.get("bias_initializer"))
      readInitializer(*i, r.at("bias_initializer"), errors, d.biasInitializer);
    if (const json::Value *g = r.get("kernel_regularizer"))
      readRegularizer(*g, r.at("kernel_regularizer"), errors,
                      d.kernelRegularizer);
    if (const json::Value *g = r.get("bias_regularizer"))
      readRegularizer(*g, r.at("bias_regularizer"), errors, d.biasRegularizer);
    if (const json::Value *c = r.get("kernel_constraint"))
      readConstraint(*c, r.at("kernel_constraint"), errors, d.kernelConstraint);
    if (const json::Value *c = r.get("bias_constraint"))
      readConstraint(*c, r.at("bias_constraint"), errors, d.biasConstraint);
  } else if (out.type == LayerConfig::kActivation) {
    if (const json::Value *a = r.get("activation"))
      readActivation(*a, r.at("activation"), errors, out.activation);
    else
      r.fail("activation", "is required");
  } else if (out.type == LayerConfig::kDropout ||
             out.type == LayerConfig::kAlphaDropout) {
    r.number("rate", out.rate, 0);
    if (!(out.rate < 1))
      r.fail("rate", "must be in [0, 1)");
  } else if (out.type == LayerConfig::kBatchNorm) {
    BatchNormOptions &bn = out.batchNorm;
    r.number("momentum", bn.momentum, 0);
    r.number("epsilon", bn.epsilon, 0);
    if (!(bn.momentum <= 1))
      r.fail("momentum", "must be in [0, 1]");
    if (!(bn.epsilon > 0))
      r.fail("epsilon", "must be > 0");
    r.boolean("center", bn.center);
    r.boolean("scale", bn.scale);
  }
  r.finish();
}

struct OptimizerName {
  OptimizerKind kind;
  const char *name;
  double defaultRate;
};
constexpr OptimizerName kOptimizers[] = {
    {OptimizerKind::Sgd, "sgd", 0.01},
    {OptimizerKind::Adagrad, "adagrad", 0.001},
    {OptimizerKind::RmsProp, "rmsprop", 0.001},
    {OptimizerKind::Adam, "adam", 0.001},
    {OptimizerKind::AdaMax, "adamax", 0.001},
    {OptimizerKind::Nadam, "nadam", 0.001},
    {OptimizerKind::AdamW, "adamw", 0.001},
};

void readOptimizer(const json::Value &v, Errors &errors, TrainConfig &out) {
  std::optional<ObjectReader> r;
  std::string type = "sgd";
  if (std::optional<llvm::StringRef> s = v.getAsString()) {
    type = s->str(); // "adam": Keras' string form, all defaults
  } else {
    r.emplace(v, "optimizer", errors);
    if (!*r)
      return;
    r->string("type", type);
  }
  std::vector<std::string> names;
  const OptimizerName *found = nullptr;
  for (const OptimizerName &o : kOptimizers) {
    names.push_back(o.name);
    if (type == o.name)
      found = &o;
  }
  if (!found)
    return errors.fail("optimizer.type: unknown value '" + type +
                       "' (valid: " + join(names) + ")");
  out.optimizer = found->kind;
  OptimizerOptions &o = out.optimizerOptions;
  o.learningRate = found->defaultRate;
  if (!r)
    return;
  r->number("learning_rate", o.learningRate, 0);
  r->number("clipvalue", o.clipValue, 0);
  r->number("clipnorm", o.clipNorm, 0);
  r->number("global_clipnorm", o.globalClipNorm, 0);
  switch (found->kind) {
  case OptimizerKind::Sgd:
    r->number("momentum", o.momentum, 0);
    r->boolean("nesterov", o.nesterov);
    if (!(o.momentum < 1))
      r->fail("momentum", "must be in [0, 1)");
    break;
  case OptimizerKind::Adagrad:
    r->number("initial_accumulator_value", o.initialAccumulator, 0);
    r->number("epsilon", o.epsilon, 0);
    break;
  case OptimizerKind::RmsProp:
    r->number("rho", o.rho, 0);
    r->number("epsilon", o.epsilon, 0);
    if (!(o.rho < 1))
      r->fail("rho", "must be in [0, 1)");
    break;
  case OptimizerKind::AdamW:
    r->number("weight_decay", o.weightDecay, 0);
    [[fallthrough]];
  case OptimizerKind::Adam:
  case OptimizerKind::AdaMax:
  case OptimizerKind::Nadam:
    r->number("beta_1", o.beta1, 0);
    r->number("beta_2", o.beta2, 0);
    r->number("epsilon", o.epsilon, 0);
    if (!(o.beta1 < 1))
      r->fail("beta_1", "must be in [0, 1)");
    if (!(o.beta2 < 1))
      r->fail("beta_2", "must be in [0, 1)");
    break;
  }
  r->finish();
}

void readSchedule(const json::Value &v, Errors &errors, TrainConfig &out) {
  ObjectReader r(v, "schedule", errors);
  if (!r)
    return;
  std::string type;
  r.string("type", type);
  std::optional<ScheduleKind> kind = parseScheduleName(type);
  if (type.empty())
    return errors.fail("schedule.type: is required (valid: " + scheduleNames() +
                       ")");
  if (!kind)
    return errors.fail("schedule.type: unknown value '" + type +
                       "' (valid: " + scheduleNames() + ")");
  ScheduleOptions o;
  if (*kind == ScheduleKind::OneCycle) {
    r.number("max_lr", o.maxLearningRate, 0);
    o = ScheduleOptions::oneCycle(o.maxLearningRate);
  }
  o.kind = *kind;
  if (*kind != ScheduleKind::OneCycle)
    o.initialLearningRate = out.optimizerOptions.learningRate;
  r.number("initial_learning_rate", o.initialLearningRate, 0);
  r.boolean("per_epoch", o.perEpoch);
  r.integer("warmup_steps", o.warmupSteps, 0);
  r.number("warmup_start", o.warmupStart, 0);
  switch (*kind) {
  case ScheduleKind::Constant:
    break;
  case ScheduleKind::Power:
    r.number("decay_steps", o.decaySteps, 0);
    r.number("power", o.power, 0);
    break;
  case ScheduleKind::Exponential:
    r.number("decay_steps", o.decaySteps, 0);
    r.number("decay_rate", o.decayRate, 0);
    r.boolean("staircase", o.staircase);
    break;
  case ScheduleKind::PiecewiseConstant:
    r.numbers("boundaries", o.boundaries);
    r.numbers("values", o.values);
    break;
  case ScheduleKind::Performance:
    r.choice("monitor", o.monitor, monitorNames());
    r.number("factor", o.factor, 0);
    r.integer("patience", o.patience, 0);
    r.number("min_delta", o.minDelta, 0);
    r.integer("cooldown", o.cooldown, 0);
    r.number("min_lr", o.minLearningRate, 0);
    break;
  case ScheduleKind::OneCycle:
    r.integer("total_steps", o.totalSteps, 0);
    r.integer("last_steps", o.lastSteps, 0);
    r.number("last_lr", o.lastLearningRate, 0);
    r.number("max_momentum", o.maxMomentum, 0);
    r.number("min_momentum", o.minMomentum, 0);
    break;
  case ScheduleKind::CosineDecay:
    r.number("decay_steps", o.decaySteps, 0);
    r.number("alpha", o.alpha, 0);
    break;
  }
  r.finish();
  if (errors.first.empty())
    if (Status s = Schedule(o).validate(); !s.ok())
      errors.fail("schedule: " + s.message());
  out.schedule = o;
}

void readCallback(const json::Value &v, const std::string &path, Errors &errors,
                  CallbackConfig &out) {
  ObjectReader r(v, path, errors);
  if (!r)
    return;
  r.choice("type", out.type,
           {EarlyStopping::kKind, ModelCheckpoint::kKind, CsvLogger::kKind,
            TerminateOnNaN::kKind, LearningCurves::kKind});
  const bool hasPath = out.type == ModelCheckpoint::kKind ||
                       out.type == CsvLogger::kKind ||
                       out.type == LearningCurves::kKind;
  if (out.type == EarlyStopping::kKind) {
    r.choice("monitor", out.monitor, monitorNames());
    r.integer("patience", out.patience, 0);
    r.number("min_delta", out.minDelta, 0);
    r.boolean("restore_best_weights", out.restoreBestWeights);
  } else if (out.type == ModelCheckpoint::kKind) {
    r.choice("monitor", out.monitor, monitorNames());
    r.boolean("save_best_only", out.saveBestOnly);
  }
  if (hasPath) {
    r.string("path", out.path);
    if (out.path.empty())
      r.fail("path", "is required");
  }
  r.finish();
}

void readDataset(const json::Value &v, Errors &errors, DatasetConfig &out) {
  ObjectReader r(v, "dataset", errors);
  if (!r)
    return;
  r.choice("name", out.name, {"fashion_mnist", "mnist", "csv"});
  if (out.name == "csv") {
    out.path.clear();
    r.string("train", out.train);
    r.string("test", out.test);
    r.string("label_column", out.labelColumn);
    r.boolean("header", out.header);
    if (out.train.empty())
      r.fail("train", "is required for a csv dataset");
  } else {
    if (out.name == "mnist")
      out.path = "/usr/share/datasets/mnist";
    r.string("path", out.path);
  }
  r.integer("validation_size", out.validationSize, 0);
  r.number("validation_split", out.validationSplit, 0);
  if (out.validationSize > 0 && out.validationSplit > 0)
    r.fail("validation_split", "give validation_size or validation_split, "
                               "not both");
  if (!(out.validationSplit < 1))
    r.fail("validation_split", "must be in [0, 1)");
  r.boolean("standardize", out.standardize);
  r.integers("classes", out.classes);
  r.integer("train_rows", out.trainRows, 0);
  r.boolean("autoencoder", out.autoencoder);
  r.finish();
}

void readTransfer(const json::Value &v, Errors &errors, TransferConfig &out) {
  ObjectReader r(v, "transfer", errors);
  if (!r)
    return;
  r.string("from", out.from);
  if (out.from.empty())
    r.fail("from", "is required");
  r.integer("layers", out.layers, -1);
  r.boolean("freeze", out.freeze);
  r.integer("unfreeze_after", out.unfreezeAfter, 0);
  r.number("unfreeze_learning_rate", out.unfreezeLearningRate, 0);
  r.finish();
}

std::vector<std::string> lossNames() {
  std::vector<std::string> names;
  for (int k = 0; k <= int(LossKind::MeanAbsoluteError); ++k)
    names.push_back(lossName(LossKind(k)));
  return names;
}

/// Applies "a.b[2].c=value" to `root`.
Status applyOverride(json::Value &root, const std::string &text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    return Status::error("--set '" + text + "': expected key=value");
  std::string key = text.substr(0, eq), valueText = text.substr(eq + 1);
  // "a.b[2].c" and "a.b.2.c" are the same path.
  std::string normalized;
  for (char c : key)
    normalized += c == '[' ? '.' : c == ']' ? '\0' : c;
  normalized.erase(std::remove(normalized.begin(), normalized.end(), '\0'),
                   normalized.end());
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(normalized).split(parts, '.');
  json::Value value = valueText;
  if (llvm::Expected<json::Value> parsed = json::parse(valueText))
    value = std::move(*parsed);
  else
    llvm::consumeError(parsed.takeError());
  json::Value *at = &root;
  std::string path;
  for (size_t i = 0; i < parts.size(); ++i) {
    llvm::StringRef part = parts[i];
    bool last = i + 1 == parts.size();
    if (json::Object *o = at->getAsObject()) {
      if (last) {
        (*o)[part.str()] = std::move(value);
        return Status::success();
      }
      json::Value *next = o->get(part);
      if (!next) {
        // Create intermediate objects (e.g. --set schedule.type=...).
        (*o)[part.str()] = json::Object{};
        next = o->get(part);
      }
      at = next;
    } else if (json::Array *a = at->getAsArray()) {
      size_t index;
      if (part.getAsInteger(10, index) || index >= a->size())
        return Status::error(
            "--set '" + text + "': " + (path.empty() ? "config" : path) +
            " has " + std::to_string(a->size()) + " elements; '" + part.str() +
            "' is not an index into it");
      if (last) {
        (*a)[index] = std::move(value);
        return Status::success();
      }
      at = &(*a)[index];
    } else {
      return Status::error("--set '" + text + "': '" + path +
                           "' is not an object or a list");
    }
    path += (path.empty() ? "" : ".") + part.str();
  }
  return Status::success();
}

} // namespace

Status parseConfig(const std::string &text,
                   const std::vector<std::string> &overrides,
                   TrainConfig &out) {
  llvm::Expected<json::Value> parsed = json::parse(text);
  if (!parsed)
    return Status::error("config: invalid JSON " +
                         llvm::toString(parsed.takeError()));
  json::Value root = std::move(*parsed);
  if (!root.getAsObject())
    return Status::error("config: expected an object at the top level");
  for (const std::string &o : overrides)
    if (Status s = applyOverride(root, o); !s.ok())
      return s;

  out = TrainConfig{};
  Errors errors;
  ObjectReader r(root, "", errors);
  r.string("name", out.name);
  r.integer("seed", out.seed, 0);
  r.integer("epochs", out.epochs, 1);
  r.integer("batch_size", out.batchSize, 1);
  r.boolean("shuffle", out.shuffle);
  if (const json::Value *d = r.get("dataset"))
    readDataset(*d, errors, out.dataset);
  if (const json::Value *l = r.get("layers")) {
    const json::Array *a = l->getAsArray();
    if (!a || a->empty())
      errors.fail("layers: expected a non-empty list of layers");
    else
      for (size_t i = 0; i < a->size(); ++i) {
        out.layers.emplace_back();
        readLayer((*a)[i], "layers[" + std::to_string(i) + "]", errors,
                  out.layers.back());
      }
  }
  std::string loss = lossName(out.loss);
  r.choice("loss", loss, lossNames());
  out.loss = parseLossName(loss).value_or(out.loss);
  out.optimizerOptions.learningRate = 0.01; // SGD's, when none is given
  if (const json::Value *o = r.get("optimizer"))
    readOptimizer(*o, errors, out);
  if (const json::Value *s = r.get("schedule"))
    readSchedule(*s, errors, out);
  if (const json::Value *c = r.get("callbacks")) {
    const json::Array *a = c->getAsArray();
    if (!a)
      errors.fail("callbacks: expected a list");
    else
      for (size_t i = 0; i < a->size(); ++i) {
        out.callbacks.emplace_back();
        readCallback((*a)[i], "callbacks[" + std::to_string(i) + "]", errors,
                     out.callbacks.back());
      }
  }
  if (const json::Value *t = r.get("transfer")) {
    out.transfer.emplace();
    readTransfer(*t, errors, *out.transfer);
  }
  r.finish();
  if (errors.first.empty() && out.layers.empty() && !out.transfer)
    errors.fail("layers: required (or a transfer from another model)");
  if (errors.first.empty() && out.transfer &&
      out.transfer->unfreezeLearningRate > 0 && out.schedule)
    errors.fail("transfer.unfreeze_learning_rate: has no effect with a "
                "schedule, which sets the rate before every update");
  if (!errors.first.empty())
    return Status::error(errors.first);
  out.json = llvm::formatv("{0:2}", root).str();
  return Status::success();
}

} // namespace kiln::train
