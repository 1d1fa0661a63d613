//===- Callbacks.h - Keras-style training callbacks --------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Callbacks hook into Sequential::fit at the start, after every update,
// after every epoch (validation done, schedule stepped) and at the end. A
// callback's state (best value, wait counter, best weights, log offset) goes
// into the model file under its name, so a resumed run continues it: fit
// calls onTrainBegin, then restore() with the state the model was loaded
// with.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_CALLBACKS_H
#define KILN_TRAINER_CALLBACKS_H

#include "trainer/Schedule.h"
#include "trainer/Tensor.h"

#include <cstdio>
#include <string>
#include <vector>

namespace kiln::train {

class Sequential;
struct History;

class Callback {
public:
  /// `name` keys the callback's state in the model file; unique per fit.
  explicit Callback(std::string name) : callbackName(std::move(name)) {}
  virtual ~Callback() = default;
  const std::string &name() const { return callbackName; }
  /// Two callbacks of one kind in a fit need distinct names (fit rejects
  /// duplicates); kiln-train numbers them Keras-style (csv_logger_1, ...).
  void setName(std::string name) { callbackName = std::move(name); }

  virtual Status onTrainBegin(Sequential &model, int epochs) {
    return Status::success();
  }
  /// After update `step` (0-based over the whole run) of `epoch`, whose
  /// batch had `loss` (penalties included).
  virtual Status onBatchEnd(Sequential &model, int epoch, int64_t step,
                            double loss) {
    return Status::success();
  }
  /// After epoch `epoch`; set `stop` to end training after it.
  virtual Status onEpochEnd(Sequential &model, int epoch, const Logs &logs,
                            bool &stop) {
    return Status::success();
  }
  /// After the last epoch (not when fit was interrupted).
  virtual Status onTrainEnd(Sequential &model, const History &history) {
    return Status::success();
  }
  /// The metric this callback reads from the logs, if any: fit() rejects a
  /// validation metric when there is no validation data, before training.
  virtual std::string monitor() const { return ""; }
  virtual CallbackState state() const { return {callbackName, {}, {}}; }
  /// Takes a state saved by state() for a fit of `model` (checked against
  /// it where the state holds weights).
  virtual Status restore(const CallbackState &state, const Sequential &model) {
    return Status::success();
  }

private:
  std::string callbackName;
};

/// Keras EarlyStopping: stops after `patience` epochs in which `monitor`
/// did not improve by more than `minDelta`. With restoreBestWeights, the
/// weights of the best epoch are put back when it stops early (as Keras
/// does: a run that ends at `epochs` keeps its last weights).
class EarlyStopping : public Callback {
public:
  struct Options {
    std::string monitor = "val_loss";
    double minDelta = 0;
    int patience = 0;
    bool restoreBestWeights = false;
  };
  explicit EarlyStopping(Options options)
      : Callback(kKind), options(std::move(options)) {}
  /// The kind's name in configs and model files.
  static constexpr const char *kKind = "early_stopping";
  Status onTrainBegin(Sequential &model, int epochs) override;
  Status onEpochEnd(Sequential &model, int epoch, const Logs &logs,
                    bool &stop) override;
  std::string monitor() const override { return options.monitor; }
  CallbackState state() const override;
  Status restore(const CallbackState &state, const Sequential &model) override;
  /// The epoch training stopped after, or -1.
  int stoppedEpoch() const { return stopped; }
  int bestEpoch() const { return best; }

private:
  Options options;
  double bestValue = 0;
  int wait = 0, best = -1, stopped = -1;
  std::vector<Matrix> bestWeights;
};

/// Keras ModelCheckpoint: saves the model (with its training state) to
/// `path` after each epoch, or only when `monitor` improved. The file is
/// written to a temporary name and renamed, so it is never half-written.
class ModelCheckpoint : public Callback {
public:
  struct Options {
    std::string path;
    std::string monitor = "val_loss";
    bool saveBestOnly = false;
  };
  explicit ModelCheckpoint(Options options)
      : Callback(kKind), options(std::move(options)) {}
  static constexpr const char *kKind = "model_checkpoint";
  std::string monitor() const override {
    return options.saveBestOnly ? options.monitor : "";
  }
  Status onTrainBegin(Sequential &model, int epochs) override;
  Status onEpochEnd(Sequential &model, int epoch, const Logs &logs,
                    bool &stop) override;
  CallbackState state() const override;
  Status restore(const CallbackState &state, const Sequential &model) override;

private:
  Options options;
  double bestValue = 0;
};

/// Keras CSVLogger: one row per epoch, "epoch" then the logs by name. Its
/// state is the file's length after the last row it wrote; a resumed run
/// truncates rows written after the checkpoint it resumes from.
class CsvLogger : public Callback {
public:
  explicit CsvLogger(std::string path)
      : Callback(kKind), path(std::move(path)) {}
  static constexpr const char *kKind = "csv_logger";
  ~CsvLogger() override;
  Status onTrainBegin(Sequential &model, int epochs) override;
  Status onEpochEnd(Sequential &model, int epoch, const Logs &logs,
                    bool &stop) override;
  Status onTrainEnd(Sequential &model, const History &history) override;
  CallbackState state() const override;
  Status restore(const CallbackState &state, const Sequential &model) override;

private:
  std::string path;
  std::FILE *file = nullptr;
  long length = 0;
  bool resumed = false;
};

/// Keras TerminateOnNaN, stricter: a NaN or infinite batch loss fails fit
/// with an error naming the epoch and step, before anything is saved.
class TerminateOnNaN : public Callback {
public:
  TerminateOnNaN() : Callback(kKind) {}
  static constexpr const char *kKind = "terminate_on_nan";
  Status onBatchEnd(Sequential &model, int epoch, int64_t step,
                    double loss) override;
};

/// Progress on `out`: on a terminal, a bar redrawn during the epoch; else one
/// line per epoch with the logs, the epoch time and the ETA.
class ProgressLogger : public Callback {
public:
  ProgressLogger(std::FILE *out, bool terminal, int64_t stepsPerEpoch)
      : Callback("progress"), out(out), terminal(terminal),
        stepsPerEpoch(stepsPerEpoch) {}
  Status onTrainBegin(Sequential &model, int epochs) override;
  Status onBatchEnd(Sequential &model, int epoch, int64_t step,
                    double loss) override;
  Status onEpochEnd(Sequential &model, int epoch, const Logs &logs,
                    bool &stop) override;

private:
  std::FILE *out;
  bool terminal;
  int64_t stepsPerEpoch, batchInEpoch = 0;
  /// The epoch's batch losses so far: the bar shows their mean, as Keras.
  double lossSum = 0;
  int epochs = 0, epochsRun = 0;
  double secondsRun = 0, epochStart = 0;
};

/// Writes SVG learning curves (loss and accuracy, training and validation,
/// per epoch) to `path` at the end of training.
class LearningCurves : public Callback {
public:
  explicit LearningCurves(std::string path)
      : Callback(kKind), path(std::move(path)) {}
  static constexpr const char *kKind = "learning_curves";
  Status onTrainEnd(Sequential &model, const History &history) override;

private:
  std::string path;
};

} // namespace kiln::train

#endif // KILN_TRAINER_CALLBACKS_H
