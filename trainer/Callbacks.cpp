//===- Callbacks.cpp - Keras-style training callbacks ---------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "trainer/Callbacks.h"
#include "trainer/ModelTensors.h"

#include "trainer/Plot.h"
#include "trainer/Sequential.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln::train {

namespace {
double now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

const Param *find(const CallbackState &s, const std::string &name) {
  for (const Param &p : s.state)
    if (p.name == name)
      return &p;
  return nullptr;
}
} // namespace

//===----------------------------------------------------------------------===//
// EarlyStopping
//===----------------------------------------------------------------------===//

Status EarlyStopping::onTrainBegin(Sequential &, int) {
  bestValue = worstValue(options.monitor);
  wait = 0;
  best = stopped = -1;
  bestWeights.clear();
  return Status::success();
}

Status EarlyStopping::onEpochEnd(Sequential &model, int epoch, const Logs &logs,
                                 bool &stop) {
  double current;
  if (Status s = monitoredValue(name(), options.monitor, logs, current);
      !s.ok())
    return s;
  // Keras EarlyStopping.on_epoch_end (no baseline, start_from_epoch 0).
  if (options.restoreBestWeights && bestWeights.empty())
    bestWeights = model.getWeights();
  ++wait;
  if (improves(options.monitor, current, bestValue, options.minDelta)) {
    bestValue = current;
    best = epoch;
    if (options.restoreBestWeights)
      bestWeights = model.getWeights();
    wait = 0;
    return Status::success();
  }
  if (wait >= options.patience && epoch > 0) {
    stopped = epoch;
    stop = true;
    if (options.restoreBestWeights && !bestWeights.empty())
      if (Status s = model.setWeights(bestWeights); !s.ok())
        return Status::error("callback '" + name() +
                             "': restoring the best weights: " + s.message());
  }
  return Status::success();
}

CallbackState EarlyStopping::state() const {
  CallbackState s{name(),
                  {{"best", bestValue, {}},
                   {"wait", double(wait), {}},
                   {"best_epoch", double(best), {}},
                   {"stopped_epoch", double(stopped), {}}},
                  {}};
  for (size_t i = 0; i < bestWeights.size(); ++i) {
    const Matrix &m = bestWeights[i];
    s.tensors.push_back(
        {"best_weights/" + std::to_string(i), toModelTensor(m)});
  }
  return s;
}

Status EarlyStopping::restore(const CallbackState &s, const Sequential &model) {
  // Read into copies, so that an error leaves this callback as it was.
  const std::string what = "training: callback '" + name() + "':";
  double newBest = bestValue;
  int newWait = wait, newBestEpoch = best, newStopped = stopped;
  if (const Param *p = find(s, "best"))
    newBest = p->value;
  for (auto [key, to] :
       {std::pair{"wait", &newWait}, std::pair{"best_epoch", &newBestEpoch},
        std::pair{"stopped_epoch", &newStopped}})
    if (const Param *p = find(s, key))
      if (Status st = paramInteger(*p, what, *to); !st.ok())
        return st;
  std::vector<Matrix> weights;
  for (const NamedTensor &t : s.tensors) {
    Matrix m;
    if (Status st = matrixOf(
            t.tensor,
            "training: callback '" + name() + "': tensor '" + t.name + "'", m);
        !st.ok())
      return st;
    weights.push_back(std::move(m));
  }
  // Checked now, not when they are put back at the end of the fit.
  if (!weights.empty())
    if (Status st = model.checkWeights(weights); !st.ok())
      return Status::error(what + " best weights: " + st.message());
  bestValue = newBest;
  wait = newWait;
  best = newBestEpoch;
  stopped = newStopped;
  bestWeights = std::move(weights);
  return Status::success();
}

//===----------------------------------------------------------------------===//
// ModelCheckpoint
//===----------------------------------------------------------------------===//

Status ModelCheckpoint::onTrainBegin(Sequential &, int) {
  bestValue = worstValue(options.monitor);
  return Status::success();
}

Status ModelCheckpoint::onEpochEnd(Sequential &model, int, const Logs &logs,
                                   bool &) {
  if (options.saveBestOnly) {
    double current;
    if (Status s = monitoredValue(name(), options.monitor, logs, current);
        !s.ok())
      return s;
    if (!improves(options.monitor, current, bestValue, 0))
      return Status::success();
    bestValue = current;
  }
  if (Status s = saveModel(model.toModel(), options.path); !s.ok())
    return Status::error(name() + ": " + s.message());
  return Status::success();
}

CallbackState ModelCheckpoint::state() const {
  return {name(), {{"best", bestValue, {}}}, {}};
}

Status ModelCheckpoint::restore(const CallbackState &s, const Sequential &) {
  if (const Param *p = find(s, "best"))
    bestValue = p->value;
  return Status::success();
}

//===----------------------------------------------------------------------===//
// CsvLogger
//===----------------------------------------------------------------------===//

CsvLogger::~CsvLogger() {
  if (file)
    std::fclose(file);
}

Status CsvLogger::onTrainBegin(Sequential &model, int) {
  // A model with epochs behind it (a second phase, a resumed run) appends
  // to the log it wrote, as Keras' CSVLogger(append=True); restore() then
  // pins the exact length of a checkpoint.
  struct stat st;
  resumed = model.epochsCompleted() > 0 && ::stat(path.c_str(), &st) == 0;
  length = resumed ? long(st.st_size) : 0;
  return Status::success();
}

Status CsvLogger::onEpochEnd(Sequential &, int epoch, const Logs &logs,
                             bool &) {
  auto failed = [&](const char *what) {
    return Status::error("csv_logger: cannot " + std::string(what) + " '" +
                         path + "': " + std::strerror(errno));
  };
  if (!file) {
    if (resumed) {
      // Drop the rows of epochs after the checkpoint being resumed: they
      // will be written again.
      if (::truncate(path.c_str(), length) != 0)
        return failed("truncate");
      file = std::fopen(path.c_str(), "a");
    } else {
      file = std::fopen(path.c_str(), "w");
    }
    if (!file)
      return failed("open");
    if (!resumed) {
      std::fprintf(file, "epoch");
      for (const auto &[name, v] : logs)
        std::fprintf(file, ",%s", name.c_str());
      std::fprintf(file, "\n");
    }
  }
  std::fprintf(file, "%d", epoch);
  for (const auto &[name, v] : logs)
    std::fprintf(file, ",%.17g", v);
  std::fprintf(file, "\n");
  if (std::fflush(file) != 0)
    return failed("write");
  length = std::ftell(file);
  return Status::success();
}

Status CsvLogger::onTrainEnd(Sequential &, const History &) {
  if (file && std::fclose(file) != 0) {
    file = nullptr;
    return Status::error("csv_logger: cannot write '" + path + "'");
  }
  file = nullptr;
  return Status::success();
}

CallbackState CsvLogger::state() const {
  return {name(), {{"length", double(length), {}}}, {}};
}

Status CsvLogger::restore(const CallbackState &s, const Sequential &) {
  if (const Param *p = find(s, "length")) {
    if (Status st =
            paramInteger(*p, "training: callback '" + name() + "':", length);
        !st.ok())
      return st;
    resumed = length > 0;
  }
  return Status::success();
}

//===----------------------------------------------------------------------===//
// TerminateOnNaN
//===----------------------------------------------------------------------===//

Status TerminateOnNaN::onBatchEnd(Sequential &, int epoch, int64_t step,
                                  double loss) {
  if (std::isfinite(loss))
    return Status::success();
  return Status::error("terminate_on_nan: the loss became " +
                       std::string(std::isnan(loss) ? "NaN" : "infinite") +
                       " in epoch " + std::to_string(epoch + 1) + " (update " +
                       std::to_string(step + 1) +
                       "); training stopped, nothing was saved after it");
}

//===----------------------------------------------------------------------===//
// ProgressLogger
//===----------------------------------------------------------------------===//

Status ProgressLogger::onTrainBegin(Sequential &model, int total) {
  epochs = total;
  epochsRun = 0;
  secondsRun = 0;
  epochStart = now();
  batchInEpoch = 0;
  lossSum = 0;
  return Status::success();
}

Status ProgressLogger::onBatchEnd(Sequential &, int epoch, int64_t,
                                  double loss) {
  ++batchInEpoch;
  lossSum += loss;
  if (!terminal || (batchInEpoch % 50 != 0 && batchInEpoch != stepsPerEpoch))
    return Status::success();
  int width = 30;
  int filled = int(width * batchInEpoch / std::max<int64_t>(1, stepsPerEpoch));
  std::fprintf(out, "\repoch %d/%d [%s%s] %lld/%lld  loss %.4f", epoch + 1,
               epochs, std::string(size_t(filled), '=').c_str(),
               std::string(size_t(width - filled), ' ').c_str(),
               (long long)batchInEpoch, (long long)stepsPerEpoch,
               lossSum / double(batchInEpoch));
  std::fflush(out);
  return Status::success();
}

Status ProgressLogger::onEpochEnd(Sequential &, int epoch, const Logs &logs,
                                  bool &) {
  double seconds = now() - epochStart;
  secondsRun += seconds;
  ++epochsRun;
  double eta = secondsRun / epochsRun * double(epochs - epoch - 1);
  if (terminal)
    std::fprintf(out, "\r\033[K");
  std::fprintf(out, "epoch %d/%d", epoch + 1, epochs);
  for (const auto &[name, v] : logs)
    std::fprintf(out, name == "lr" ? "  %s %.3g" : "  %s %.4f", name.c_str(),
                 v);
  std::fprintf(out, "  %.2f s  eta %.0f s\n", seconds, eta);
  std::fflush(out);
  epochStart = now();
  batchInEpoch = 0;
  lossSum = 0;
  return Status::success();
}

//===----------------------------------------------------------------------===//
// LearningCurves
//===----------------------------------------------------------------------===//

Status LearningCurves::onTrainEnd(Sequential &, const History &h) {
  std::vector<double> epochs;
  for (size_t i = 0; i < h.loss.size(); ++i)
    epochs.push_back(double(i + 1));
  auto series = [&](const char *label, const std::vector<double> &y,
                    bool dashed) { return Series{label, epochs, y, dashed}; };
  Chart loss{"Loss", "epoch", "loss", false, {}, {}};
  loss.series.push_back(series("training", h.loss, true));
  if (!h.valLoss.empty())
    loss.series.push_back(series("validation", h.valLoss, false));
  Chart accuracy{"Accuracy", "epoch", "accuracy", false, {}, {}};
  accuracy.series.push_back(series("training", h.accuracy, true));
  if (!h.valAccuracy.empty())
    accuracy.series.push_back(series("validation", h.valAccuracy, false));
  std::string svg = renderSvg({loss, accuracy});
  if (Status s = writeFileAtomically(path, svg.data(), svg.size()); !s.ok())
    return Status::error("learning_curves: " + s.message());
  return Status::success();
}

} // namespace kiln::train
