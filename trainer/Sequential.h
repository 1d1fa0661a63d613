//===- Sequential.h - A stack of layers, Keras style --------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_SEQUENTIAL_H
#define KILN_TRAINER_SEQUENTIAL_H

#include "trainer/Layer.h"
#include "trainer/Loss.h"
#include "trainer/Optimizer.h"
#include "trainer/Schedule.h"

#include <csignal>
#include <functional>
#include <memory>
#include <optional>

namespace kiln::train {

class Callback;

struct FitOptions {
  /// The index of the last epoch to run, plus one (Keras: training runs
  /// epochs [initialEpoch, epochs)).
  int epochs = 1;
  /// Resume at this epoch; each epoch's shuffle depends only on the seed
  /// and the epoch index, so a resumed run repeats an uninterrupted one.
  int initialEpoch = 0;
  size_t batchSize = 32;
  bool shuffle = true;
  /// Hold out this fraction of the training data, taken from the end (as
  /// Keras does), for validation.
  double validationSplit = 0;
  /// Validation rows given explicitly (Keras' validation_data); when set,
  /// validationSplit is ignored. Both must outlive fit().
  const Matrix *validationX = nullptr;
  const Targets *validationY = nullptr;
  uint64_t seed = 42;
  /// Called in order at the start, after each update, after each epoch and
  /// at the end (see Callbacks.h). Not owned.
  std::vector<Callback *> callbacks;
  /// Called after each epoch, after the callbacks, with its index and the
  /// model's whole history (kiln-train saves its resume file here); an
  /// error stops fit.
  std::function<Status(int, const struct History &)> onEpochEnd;
  /// When this becomes non-zero (a signal handler sets it), fit stops after
  /// the current update, leaving the model resumable mid-epoch
  /// (interrupted() is then true).
  const volatile std::sig_atomic_t *interrupt = nullptr;
  /// The run's last epoch, for a schedule that spans the whole run (1cycle
  /// with no total steps) when the run takes several fits (kiln-train's
  /// transfer phases); 0: this fit's `epochs`. The first fit fixes it.
  int scheduleEpochs = 0;
};

/// Per-epoch values, Keras' History.history (learningRate: the rate the
/// epoch ended with).
struct History {
  std::vector<double> loss, accuracy, valLoss, valAccuracy, learningRate,
      seconds;
};

struct Evaluation {
  double loss = 0, accuracy = 0;
};

class Sequential {
public:
  explicit Sequential(std::string name = "model")
      : modelName(std::move(name)) {}

  void add(std::unique_ptr<Layer> layer);
  /// Builds every layer for examples of `inputShape`, drawing initial
  /// weights from stream 0 of `seed`. Layers that load() built keep their
  /// weights (transfer learning: load a prefix, add a new head, build).
  Status build(std::vector<int64_t> inputShape, uint64_t seed);
  void compile(LossKind loss, std::unique_ptr<Optimizer> optimizer);

  /// Trains on rows of `x`; fails (before any update) on NaN/Inf inputs or
  /// labels out of range.
  Status fit(const Matrix &x, const Targets &y, const FitOptions &options,
             History &history);
  /// One update on one batch (Keras train_on_batch); the batch loss with
  /// penalties. The model must be compiled.
  double trainOnBatch(const Matrix &x, const Targets &y);
  /// Weights, optimizer state and update counter, to undo training (the LR
  /// finder explores rates, then puts the model back).
  struct Snapshot {
    std::vector<Matrix> weights;
    OptimizerState optimizer;
    uint32_t step = 0;
  };
  Snapshot snapshot() const;
  Status restore(const Snapshot &snapshot);

  Evaluation evaluate(const Matrix &x, const Targets &y,
                      size_t batchSize = 256);
  /// Inference-mode outputs; with `mcDropout`, dropout stays active and
  /// draws masks for (`seed`, `sample`).
  Matrix predict(const Matrix &x, size_t batchSize = 256,
                 bool mcDropout = false, uint64_t seed = 0,
                 uint32_t sample = 0);

  /// Monte-Carlo dropout: `samples` stochastic passes (samples 0, 1, ...
  /// of `seed`, dropout kept active), reduced per output to the mean and the
  /// population standard deviation (divisor `samples`, as numpy.std) by
  /// Welford's recurrence in double. The masks are those of compiled
  /// libraries' NAME_predict_mc (see Dropout.h).
  struct MonteCarlo {
    Matrix mean, stddev;
  };
  MonteCarlo predictMc(const Matrix &x, uint32_t samples, uint64_t seed,
                       size_t batchSize = 256);

  std::vector<Layer *> layers();
  /// The shape of one example, without the batch (set by build or load).
  const std::vector<int64_t> &getInputShape() const { return inputShape; }
  Optimizer *getOptimizer() { return optimizer.get(); }
  /// A learning-rate schedule that sets the optimizer's rate before every
  /// update (and SGD's momentum for 1cycle); saved with the model.
  void setSchedule(std::unique_ptr<Schedule> s) { schedule = std::move(s); }
  Schedule *getSchedule() { return schedule.get(); }
  /// Epochs completed (what to pass as FitOptions::initialEpoch to resume).
  int epochsCompleted() const { return epochs; }
  /// Whether the last fit() stopped at FitOptions::interrupt.
  bool interrupted() const { return wasInterrupted; }
  /// Whether a callback (early stopping) ended the last fit before its
  /// epochs; a fit() resuming it returns at once.
  bool stoppedEarlyByCallback() const { return stoppedEarly; }
  /// Every epoch trained so far, across fit() calls and resumes (the model
  /// file keeps all but the wall-clock seconds, so that a resumed run's file
  /// is bitwise an uninterrupted one's).
  const History &history() const { return trainHistory; }

  /// Every weight, trainable or not (BatchNorm's moving statistics too), in
  /// layer order: a snapshot for setWeights (Keras get_weights).
  std::vector<Matrix> getWeights() const;
  /// Sets them back; an error naming the tensor, and no change, unless
  /// the count and every shape match (values from a file are checked
  /// finite when it is loaded).
  Status setWeights(const std::vector<Matrix> &weights);
  /// setWeights' check alone: an error naming the first tensor whose count
  /// or shape does not match.
  Status checkWeights(const std::vector<Matrix> &weights) const;

  /// Stored in the model file by toModel().
  void setNormalization(std::optional<Normalization> n) {
    normalization = std::move(n);
  }
  const std::optional<Normalization> &getNormalization() const {
    return normalization;
  }
  void setName(std::string name) { modelName = std::move(name); }
  void setClassNames(std::vector<std::string> names) {
    classNames = std::move(names);
  }
  /// The configuration the run was started with (kiln-train's JSON).
  void setConfig(std::string config) { trainingConfig = std::move(config); }

  /// The model file form: layers, input normalization, class names, and the
  /// training state (optimizer slots, counters, fit seed, loss, schedule,
  /// the state of the callbacks of the running fit, history, and a partial
  /// epoch if fit was interrupted).
  Model toModel() const;
  Model toModel(std::optional<Normalization> normalization,
                std::vector<std::string> classNames) const;
  /// Rebuilds a model from its file form (this Sequential must be empty):
  /// layers with their weights and trainable flags, and, when the file has a
  /// training state, the loss, the optimizer with its slots and the
  /// counters, so fit() continues as if never interrupted. Dense layers
  /// get their stored penalties (regularizers and max-norm constraints).
  Status load(const Model &model);

private:
  std::string modelName;
  std::vector<std::unique_ptr<Layer>> stack;
  std::vector<int64_t> inputShape;
  LossKind lossKind = LossKind::SparseCategoricalCrossentropy;
  std::unique_ptr<Optimizer> optimizer;
  /// Layers [0, built) have weights.
  size_t built = 0;
  uint64_t fitSeed = 0;
  uint32_t step = 0;
  int epochs = 0;
  std::unique_ptr<Schedule> schedule;
  std::optional<Normalization> normalization;
  std::vector<std::string> classNames;
  std::string trainingConfig;
  History trainHistory;
  /// Callback states read by load(), handed to the callbacks of the next
  /// fit() by name.
  std::vector<CallbackState> loadedCallbacks;
  /// The running fit's callbacks (their states go into toModel()).
  std::vector<Callback *> activeCallbacks;
  /// A partial epoch `epochs`: batches done and their loss and accuracy
  /// sums (weighted by rows).
  int64_t partialBatches = 0;
  double partialLoss = 0, partialAccuracy = 0;
  bool wasInterrupted = false;
  /// The target epochs of the fit that produced this state, and whether a
  /// callback ended that fit early (both saved, so a resumed run continues
  /// that fit, and only that fit, or knows it is over).
  int fitEpochs = 0;
  bool stoppedEarly = false;

  const Matrix &forward(const Matrix &x, const ForwardContext &context);
  /// Layers [begin, end) of the stack on `x`.
  const Matrix &forwardLayers(const Matrix &x, const ForwardContext &context,
                              size_t begin, size_t end);
  /// Forward, backward, penalties, update and constraints on one batch;
  /// returns its loss and sets its accuracy (0 without labels).
  double trainBatch(const Matrix &xb, const Targets &tb,
                    const std::vector<Parameter *> &params,
                    double &batchAccuracy);
  std::vector<Parameter *> trainableParameters();
  void markInputGradients();
  void backward(const Matrix &y, const Targets &t, size_t begin);
};

} // namespace kiln::train

#endif // KILN_TRAINER_SEQUENTIAL_H
