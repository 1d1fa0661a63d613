//===- Sequential.cpp - A stack of layers, Keras style --------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Determinism: initial weights come from stream 0 of the build seed, the
// epoch shuffles from stream 1 of the fit seed, dropout masks from
// coordinates (fit seed, layer stream, step, element). Nothing depends on
// time, addresses or threads, so one seed gives bitwise-identical weights.
//
//===----------------------------------------------------------------------===//

#include "trainer/Sequential.h"
#include "trainer/ModelTensors.h"

#include "trainer/ActivationLayer.h"
#include "trainer/Activations.h"
#include "trainer/BatchNorm.h"
#include "trainer/Callbacks.h"
#include "trainer/Data.h"
#include "trainer/Dense.h"
#include "trainer/Dropout.h"
#include "trainer/Flatten.h"
#include "trainer/Regularizers.h"

#include "kiln/mc.h"

#include <cassert>
#include <chrono>
#include <cmath>
#include <numeric>

namespace kiln::train {

void Sequential::add(std::unique_ptr<Layer> layer) {
  layer->streamId = uint32_t(stack.size()) + 1;
  stack.push_back(std::move(layer));
}

Status Sequential::build(std::vector<int64_t> shape, uint64_t seed) {
  inputShape = shape;
  kiln_rng_t rng;
  kiln_rng_seed(&rng, seed, 0);
  // Layers built already (loaded from another model for transfer learning)
  // keep their weights; the new ones draw theirs in order.
  for (size_t i = 0; i < stack.size(); ++i) {
    if (i >= built)
      if (Status s = stack[i]->build(shape, rng); !s.ok())
        return s;
    shape = stack[i]->outputShape();
  }
  built = stack.size();
  markInputGradients();
  return Status::success();
}

void Sequential::markInputGradients() {
  // Only layers after the first parameterized one need dL/d(input); the
  // layers before it (flatten, dropout on the input) pass it to nobody.
  bool seenParameters = false;
  for (auto &layer : stack) {
    layer->needsInputGradient = seenParameters;
    seenParameters |= !layer->parameters().empty();
  }
}

void Sequential::compile(LossKind loss, std::unique_ptr<Optimizer> opt) {
  lossKind = loss;
  optimizer = std::move(opt);
}

std::vector<Layer *> Sequential::layers() {
  std::vector<Layer *> out;
  for (auto &l : stack)
    out.push_back(l.get());
  return out;
}

const Matrix &Sequential::forward(const Matrix &x,
                                  const ForwardContext &context) {
  return forwardLayers(x, context, 0, stack.size());
}

const Matrix &Sequential::forwardLayers(const Matrix &x,
                                        const ForwardContext &context,
                                        size_t begin, size_t end) {
  const Matrix *h = &x;
  for (size_t i = begin; i < end; ++i)
    h = &stack[i]->forward(*h, context);
  return *h;
}

void Sequential::backward(const Matrix &y, const Targets &t, size_t begin) {
  size_t last = stack.size() - 1;
  auto *dense = dynamic_cast<Dense *>(stack[last].get());
  const Matrix *grad;
  Matrix dz;
  if (dense && lossKind == LossKind::SparseCategoricalCrossentropy &&
      dense->getOptions().activation.kind == ActivationKind::Softmax) {
    // Softmax + cross-entropy: dL/dz = (p − onehot)/n.
    dz = y / float(y.rows());
    for (Eigen::Index r = 0; r < y.rows(); ++r)
      dz(r, t.labels[begin + size_t(r)]) -= 1.0f / float(y.rows());
    grad = &dense->backwardFromPreActivation(dz);
  } else {
    lossGradient(lossKind, y, t, begin, size_t(y.rows()), dz);
    grad = &stack[last]->backward(dz);
  }
  for (size_t i = last; i-- > 0 && stack[i + 1]->needsInputGradient;)
    grad = &stack[i]->backward(*grad);
}

Status Sequential::fit(const Matrix &x, const Targets &y,
                       const FitOptions &options, History &history) {
  if (!optimizer)
    return Status::error("fit: compile() the model first");
  if (!x.allFinite())
    return Status::error("fit: the inputs contain NaN or infinite values");
  int64_t outputs = stack.back()->outputShape().back();
  for (size_t i = 0; i < y.labels.size(); ++i)
    if (y.labels[i] < 0 || y.labels[i] >= outputs)
      return Status::error("fit: label " + std::to_string(y.labels[i]) +
                           " of row " + std::to_string(i) + " is not in [0, " +
                           std::to_string(outputs) + ")");
  const bool explicitValidation = options.validationX && options.validationY;
  if (explicitValidation && !options.validationX->allFinite())
    return Status::error(
        "fit: the validation inputs contain NaN or infinite values");
  size_t n = size_t(x.rows());
  size_t nVal = explicitValidation
                    ? 0
                    : size_t(std::llround(double(n) * options.validationSplit));
  size_t nTrain = n - nVal;
  if (nTrain == 0)
    return Status::error("fit: no training rows left after the split");
  if (options.initialEpoch < 0 || options.initialEpoch > options.epochs)
    return Status::error("fit: initial epoch " +
                         std::to_string(options.initialEpoch) +
                         " is not in [0, epochs]");
  if (options.batchSize == 0)
    return Status::error("fit: batch size must be >= 1");
  const int64_t stepsPerEpoch =
      int64_t((nTrain + options.batchSize - 1) / options.batchSize);
  // A partial epoch (from an interrupted run) resumes only where it stopped.
  if (partialBatches > 0 &&
      (options.initialEpoch != epochs || partialBatches >= stepsPerEpoch))
    return Status::error(
        "fit: the model stopped inside epoch " + std::to_string(epochs + 1) +
        " after " + std::to_string(partialBatches) +
        " batches; resume with initial epoch " + std::to_string(epochs) +
        " and the same data and batch size");
  // The saved callback states and the early-stop mark belong to the fit
  // that wrote them: they carry over only to the same fit resumed (same
  // target epochs, from where it stopped); another fit starts fresh, as in
  // Keras.
  const bool resuming =
      fitEpochs == options.epochs && options.initialEpoch == epochs;
  if (resuming && stoppedEarly)
    return Status::success(); // that fit already ended (early stopping)
  if (!resuming)
    loadedCallbacks.clear();
  for (size_t i = 0; i < options.callbacks.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (options.callbacks[i]->name() == options.callbacks[j]->name())
        return Status::error("fit: two callbacks are named '" +
                             options.callbacks[i]->name() +
                             "'; their saved states would mix (rename one)");
  // Monitors of validation metrics need validation rows: say so now, not
  // after the first epoch.
  if (nVal == 0 && !explicitValidation) {
    std::vector<std::pair<std::string, std::string>> monitors;
    if (schedule && schedule->getOptions().kind == ScheduleKind::Performance)
      monitors.push_back({"the schedule", schedule->getOptions().monitor});
    for (const Callback *cb : options.callbacks)
      monitors.push_back({cb->name(), cb->monitor()});
    for (const auto &[who, m] : monitors)
      if (m.rfind("val_", 0) == 0)
        return Status::error("fit: " + who + " monitors '" + m +
                             "' but there is no validation data (give "
                             "validation rows or a validation split)");
  }
  fitSeed = options.seed;
  fitEpochs = options.epochs;
  stoppedEarly = false;
  wasInterrupted = false;
  if (schedule) {
    schedule->prepare(stepsPerEpoch, options.scheduleEpochs > 0
                                         ? options.scheduleEpochs
                                         : options.epochs);
    if (Status s = schedule->validate(); !s.ok())
      return s;
  }

  // Callbacks start fresh, then take the state the model was loaded with.
  activeCallbacks = options.callbacks;
  // On the way out, an interrupted fit keeps its callbacks' states for
  // toModel() and the fit that resumes it; a finished one drops them.
  struct Deactivate {
    Sequential &model;
    ~Deactivate() {
      if (model.wasInterrupted)
        for (Callback *cb : model.activeCallbacks)
          model.loadedCallbacks.push_back(cb->state());
      model.activeCallbacks.clear();
    }
  } deactivate{*this};
  for (Callback *cb : activeCallbacks) {
    if (Status s = cb->onTrainBegin(*this, options.epochs); !s.ok())
      return s;
    for (const CallbackState &state : loadedCallbacks)
      if (state.name == cb->name())
        if (Status s = cb->restore(state, *this); !s.ok())
          return s;
  }
  loadedCallbacks.clear();

  std::vector<Parameter *> params = trainableParameters();

  std::vector<size_t> order(nTrain), valOrder(nVal);
  std::iota(valOrder.begin(), valOrder.end(), nTrain);
  Matrix xb, xv;
  Targets tb, tv;
  if (nVal > 0)
    gatherRows(x, y, valOrder, 0, nVal, xv, tv);
  bool stop = false;
  for (int epoch = options.initialEpoch; epoch < options.epochs && !stop;
       ++epoch) {
    auto start = std::chrono::steady_clock::now();
    // Each epoch's order is a function of (seed, epoch) alone: random
    // stream 1 + epoch (stream 0 draws the initial weights).
    if (options.shuffle)
      order = shuffledRows(nTrain, options.seed, 1 + uint64_t(epoch));
    else
      std::iota(order.begin(), order.end(), 0);
    double lossSum = partialLoss, accSum = partialAccuracy;
    size_t firstRow = size_t(partialBatches) * options.batchSize;
    partialBatches = 0;
    partialLoss = partialAccuracy = 0;
    for (size_t b = firstRow; b < nTrain; b += options.batchSize) {
      size_t count = std::min(options.batchSize, nTrain - b);
      gatherRows(x, y, order, b, count, xb, tb);
      if (schedule) {
        optimizer->setLearningRate(
            schedule->learningRate(optimizer->iterations(), epoch));
        if (std::optional<double> m =
                schedule->momentum(optimizer->iterations(), epoch);
            m && optimizer->getOptions().momentum > 0)
          optimizer->setMomentum(*m);
      }
      double batchAccuracy = 0;
      double batchLoss = trainBatch(xb, tb, params, batchAccuracy);
      accSum += batchAccuracy * double(count);
      lossSum += batchLoss * double(count);
      for (Callback *cb : activeCallbacks)
        if (Status s = cb->onBatchEnd(*this, epoch, optimizer->iterations() - 1,
                                      batchLoss);
            !s.ok())
          return s;
      if (options.interrupt && *options.interrupt &&
          b + options.batchSize < nTrain) {
        // Stop between two updates of this epoch; toModel() records where.
        partialBatches = int64_t(b / options.batchSize) + 1;
        partialLoss = lossSum;
        partialAccuracy = accSum;
        wasInterrupted = true;
        return Status::success();
      }
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    epochs = epoch + 1;
    Logs logs{{"loss", lossSum / double(nTrain)},
              {"accuracy", accSum / double(nTrain)},
              {"lr", optimizer->learningRate()}};
    if (nVal > 0 || explicitValidation) {
      Evaluation e = explicitValidation
                         ? evaluate(*options.validationX, *options.validationY)
                         : evaluate(xv, tv);
      logs["val_loss"] = e.loss;
      logs["val_accuracy"] = e.accuracy;
    }
    for (History *h : {&history, &trainHistory}) {
      h->loss.push_back(logs["loss"]);
      h->accuracy.push_back(logs["accuracy"]);
      h->learningRate.push_back(logs["lr"]);
      h->seconds.push_back(seconds);
      if (logs.count("val_loss")) {
        h->valLoss.push_back(logs["val_loss"]);
        h->valAccuracy.push_back(logs["val_accuracy"]);
      }
    }
    if (schedule) {
      bool reduced = false;
      if (Status s = schedule->onEpochEnd(logs, reduced); !s.ok())
        return s;
    }
    for (Callback *cb : activeCallbacks)
      if (Status s = cb->onEpochEnd(*this, epoch, logs, stop); !s.ok())
        return s;
    // Recorded before the epoch's save, so a resumed run knows this fit
    // ended here.
    stoppedEarly = stop && epoch + 1 < options.epochs;
    if (options.onEpochEnd)
      if (Status s = options.onEpochEnd(epoch, trainHistory); !s.ok())
        return s;
    if (!stop && options.interrupt && *options.interrupt &&
        epoch + 1 < options.epochs) {
      wasInterrupted = true;
      return Status::success();
    }
  }
  for (Callback *cb : activeCallbacks)
    if (Status s = cb->onTrainEnd(*this, trainHistory); !s.ok())
      return s;
  return Status::success();
}

double Sequential::trainBatch(const Matrix &xb, const Targets &tb,
                              const std::vector<Parameter *> &params,
                              double &batchAccuracy) {
  ForwardContext ctx{true, false, fitSeed, step++};
  const Matrix &out = forward(xb, ctx);
  double loss = lossValue(lossKind, out, tb, 0, size_t(xb.rows()));
  batchAccuracy = tb.labels.empty() ? 0 : accuracy(out, tb.labels, 0);
  backward(out, tb, 0);
  // ℓ1/ℓ2: the penalty is part of the reported loss, its gradient part of
  // the update; max-norm constraints apply after the step.
  for (Parameter *p : params) {
    Regularizer r{p->l1, p->l2};
    if (r.active()) {
      loss += r.penalty(p->value);
      r.addGradient(p->value, p->grad);
    }
  }
  optimizer->step(params);
  for (Parameter *p : params)
    MaxNorm{p->maxNorm}.apply(p->value);
  return loss;
}

std::vector<Parameter *> Sequential::trainableParameters() {
  std::vector<Parameter *> params;
  for (auto &layer : stack)
    if (layer->trainable)
      for (Parameter *p : layer->parameters())
        params.push_back(p);
  return params;
}

double Sequential::trainOnBatch(const Matrix &x, const Targets &y) {
  double batchAccuracy;
  return trainBatch(x, y, trainableParameters(), batchAccuracy);
}

Sequential::Snapshot Sequential::snapshot() const {
  return {getWeights(), optimizer ? optimizer->state() : OptimizerState{},
          step};
}

Status Sequential::restore(const Snapshot &s) {
  if (Status st = setWeights(s.weights); !st.ok())
    return st;
  step = s.step;
  if (!optimizer)
    return Status::success();
  std::unique_ptr<Optimizer> opt;
  if (Status st = restoreOptimizer(s.optimizer, opt); !st.ok())
    return st;
  optimizer = std::move(opt);
  return Status::success();
}

Evaluation Sequential::evaluate(const Matrix &x, const Targets &y,
                                size_t batchSize) {
  Evaluation e;
  size_t n = size_t(x.rows());
  for (size_t b = 0; b < n; b += batchSize) {
    size_t count = std::min(batchSize, n - b);
    Matrix out = forward(x.middleRows(Eigen::Index(b), Eigen::Index(count)),
                         ForwardContext{});
    e.loss += lossValue(lossKind, out, y, b, count) * double(count);
    if (!y.labels.empty())
      e.accuracy += accuracy(out, y.labels, b) * double(count);
  }
  e.loss /= double(n);
  e.accuracy /= double(n);
  return e;
}

Matrix Sequential::predict(const Matrix &x, size_t batchSize, bool mcDropout,
                           uint64_t seed, uint32_t sample) {
  Matrix result(x.rows(), stack.back()->outputShape().back());
  for (Eigen::Index b = 0; b < x.rows(); b += Eigen::Index(batchSize)) {
    Eigen::Index count = std::min(Eigen::Index(batchSize), x.rows() - b);
    ForwardContext ctx{false, mcDropout, seed, sample};
    result.middleRows(b, count) = forward(x.middleRows(b, count), ctx);
  }
  return result;
}

Sequential::MonteCarlo Sequential::predictMc(const Matrix &x, uint32_t samples,
                                             uint64_t seed, size_t batchSize) {
  // Welford in double through the runtime, as compiled libraries reduce
  // their samples (kiln/mc.h), so both give the same statistics whenever
  // their samples agree.
  //
  // The layers before the first that draws when sampling (a dropout) give
  // every sample the same outputs, so they run once per batch for all the
  // samples, as in compiled libraries; every sample then runs the rest on
  // the same input, so each row's outputs are bitwise those of
  // predict(x, batchSize, true, seed, s).
  MonteCarlo mc;
  if (samples == 0)
    return mc;
  size_t firstDropout = 0;
  while (firstDropout < stack.size() &&
         !stack[firstDropout]->drawsWhenSampling())
    ++firstDropout;
  Eigen::Index outputs = stack.back()->outputShape().back();
  std::vector<double> mean(size_t(x.rows() * outputs), 0.0),
      m2(mean.size(), 0.0);
  mc.mean.resize(x.rows(), outputs);
  mc.stddev.resize(x.rows(), outputs);
  for (Eigen::Index b = 0; b < x.rows(); b += Eigen::Index(batchSize)) {
    Eigen::Index count = std::min(Eigen::Index(batchSize), x.rows() - b);
    Matrix shared = forwardLayers(x.middleRows(b, count), ForwardContext{}, 0,
                                  firstDropout);
    // Row-major: the batch's outputs are one run of the reductions.
    size_t at = size_t(b * outputs);
    for (uint32_t s = 0; s < samples; ++s) {
      const Matrix &y =
          forwardLayers(shared, ForwardContext{false, true, seed, s},
                        firstDropout, stack.size());
      assert(y.rows() == count && y.cols() == outputs);
      kiln_welford_add(mean.data() + at, m2.data() + at, y.data(),
                       size_t(y.size()), s + 1);
    }
  }
  kiln_welford_finish(mean.data(), m2.data(), mean.size(), samples,
                      mc.mean.data(), mc.stddev.data());
  return mc;
}

namespace {
/// Calls `f` on every weight tensor of `stack` in getWeights' order: each
/// layer's parameters, then a BatchNorm's moving mean and variance.
template <typename F>
void forEachWeight(const std::vector<std::unique_ptr<Layer>> &stack, F &&f) {
  for (const auto &layer : stack) {
    for (Parameter *p : layer->parameters())
      f(p->value);
    if (auto *bn = dynamic_cast<BatchNorm *>(layer.get())) {
      f(bn->movingMean);
      f(bn->movingVariance);
    }
  }
}
} // namespace

std::vector<Matrix> Sequential::getWeights() const {
  std::vector<Matrix> weights;
  forEachWeight(stack, [&](const auto &w) { weights.push_back(w); });
  return weights;
}

Status Sequential::checkWeights(const std::vector<Matrix> &weights) const {
  size_t count = 0;
  std::string error;
  forEachWeight(stack, [&](const auto &w) {
    size_t i = count++;
    if (!error.empty() || i >= weights.size())
      return;
    if (weights[i].rows() != w.rows() || weights[i].cols() != w.cols())
      error = "weights: tensor " + std::to_string(i) + " is " +
              std::to_string(weights[i].rows()) + "x" +
              std::to_string(weights[i].cols()) + ", the model's is " +
              std::to_string(w.rows()) + "x" + std::to_string(w.cols());
  });
  if (weights.size() != count)
    return Status::error("weights: " + std::to_string(weights.size()) +
                         " tensors given, the model has " +
                         std::to_string(count));
  return error.empty() ? Status::success() : Status::error(error);
}

Status Sequential::setWeights(const std::vector<Matrix> &weights) {
  // Checked before anything changes.
  if (Status s = checkWeights(weights); !s.ok())
    return s;
  size_t i = 0;
  forEachWeight(stack, [&](auto &w) { w = weights[i++]; });
  return Status::success();
}

Model Sequential::toModel() const { return toModel(normalization, classNames); }

Model Sequential::toModel(std::optional<Normalization> normalization,
                          std::vector<std::string> classNames) const {
  Model m;
  m.name = modelName;
  m.producer = "kiln-train 0.1.0";
  m.inputShape = inputShape;
  m.normalization = std::move(normalization);
  m.classNames = std::move(classNames);
  for (const auto &layer : stack)
    m.layers.push_back(layer->toModelLayer());
  if (optimizer) {
    TrainingState t;
    t.optimizer = optimizer->state();
    t.step = step;
    t.epoch = epochs;
    // Every random draw of fit() is a function of this seed and the
    // counters above (see the top of this file).
    t.rng.words = {fitSeed};
    t.config = trainingConfig;
    t.loss = lossName(lossKind);
    if (schedule)
      t.schedule = schedule->state();
    // Stateless callbacks (progress, terminate_on_nan) store nothing.
    if (!activeCallbacks.empty()) {
      for (const Callback *cb : activeCallbacks)
        if (CallbackState st = cb->state();
            !st.state.empty() || !st.tensors.empty())
          t.callbacks.push_back(std::move(st));
    } else {
      t.callbacks = loadedCallbacks;
    }
    const History &h = trainHistory;
    t.history = {{"loss", h.loss},
                 {"accuracy", h.accuracy},
                 {"val_loss", h.valLoss},
                 {"val_accuracy", h.valAccuracy},
                 {"lr", h.learningRate}};
    if (fitEpochs > 0)
      t.progress.push_back({"fit_epochs", double(fitEpochs), {}});
    if (stoppedEarly)
      t.progress.push_back({"stopped", 1, {}});
    if (partialBatches > 0) {
      t.progress.push_back({"batches", double(partialBatches), {}});
      t.progress.push_back({"loss_sum", partialLoss, {}});
      t.progress.push_back({"accuracy_sum", partialAccuracy, {}});
    }
    m.training = std::move(t);
  }
  return m;
}

namespace {
Matrix rowOf(const Tensor &t) { return toMatrix(t, 1, t.numElements()); }

/// The trainer layer for a model file layer, built and holding its weights.
Status makeLayer(const kiln::Layer &spec, const std::vector<int64_t> &shape,
                 kiln_rng_t &rng, std::unique_ptr<Layer> &out) {
  const LayerParams &p = spec.params;
  if (std::holds_alternative<FlattenLayer>(p)) {
    out = std::make_unique<Flatten>(spec.name);
  } else if (const auto *d = std::get_if<DenseLayer>(&p)) {
    DenseOptions o;
    o.units = d->units;
    o.useBias = d->useBias;
    o.activation = d->activation;
    if (d->penalties)
      o.setPenalties(*d->penalties);
    out = std::make_unique<Dense>(spec.name, o);
  } else if (const auto *bn = std::get_if<BatchNormLayer>(&p)) {
    out = std::make_unique<BatchNorm>(
        spec.name,
        BatchNormOptions{bn->momentum, bn->epsilon, bn->center, bn->scale});
  } else if (const auto *act = std::get_if<::kiln::ActivationLayer>(&p)) {
    out = std::make_unique<ActivationLayer>(spec.name, act->activation);
  } else if (const auto *drop = std::get_if<DropoutLayer>(&p)) {
    out = std::make_unique<Dropout>(spec.name, drop->rate, drop->kind);
  } else {
    return Status::error("layer '" + spec.name + "': unknown kind");
  }
  out->trainable = spec.trainable;
  if (Status s = out->build(shape, rng); !s.ok())
    return s;
  // Weights: build() drew fresh ones; replace them with the file's.
  if (const auto *d = std::get_if<DenseLayer>(&p)) {
    auto &dense = static_cast<Dense &>(*out);
    dense.kernel.value = toMatrix(d->kernel, dense.kernel.value.rows(),
                                  dense.kernel.value.cols());
    if (d->useBias && d->bias)
      dense.bias.value = rowOf(*d->bias);
  } else if (const auto *bn = std::get_if<BatchNormLayer>(&p)) {
    auto &norm = static_cast<BatchNorm &>(*out);
    norm.gamma.value = rowOf(bn->gamma);
    norm.beta.value = rowOf(bn->beta);
    norm.movingMean = rowOf(bn->movingMean);
    norm.movingVariance = rowOf(bn->movingVariance);
  }
  return Status::success();
}
} // namespace

Status Sequential::load(const Model &model) {
  if (!stack.empty())
    return Status::error("load: the model already has layers");
  // The file's shapes and values were checked by the loader, but a Model
  // built in memory may not have been.
  if (Status s = validateModel(model); !s.ok())
    return s;
  modelName = model.name;
  kiln_rng_t rng;
  kiln_rng_seed(&rng, 0, 0);
  std::vector<int64_t> shape = model.inputShape;
  for (const kiln::Layer &spec : model.layers) {
    std::unique_ptr<Layer> layer;
    if (Status s = makeLayer(spec, shape, rng, layer); !s.ok())
      return s;
    shape = layer->outputShape();
    add(std::move(layer));
  }
  inputShape = model.inputShape;
  built = stack.size();
  markInputGradients();
  normalization = model.normalization;
  classNames = model.classNames;
  if (!model.training)
    return Status::success();
  const TrainingState &t = *model.training;
  // Files written before TrainingState.loss carry it as config "loss=...".
  std::optional<LossKind> loss;
  if (!t.loss.empty())
    loss = parseLossName(t.loss);
  else if (t.config.rfind("loss=", 0) == 0)
    loss = parseLossName(t.config.substr(5));
  if (!loss)
    return Status::error("load: training state: loss '" + t.loss +
                         "' is not a known loss");
  if (t.rng.words.size() != 1)
    return Status::error("load: training state: rng has " +
                         std::to_string(t.rng.words.size()) +
                         " words, expected 1 (the fit seed)");
  if (t.step < 0 || t.step > int64_t(UINT32_MAX) || t.epoch < 0 ||
      t.epoch > int64_t(INT32_MAX))
    return Status::error("load: training state: step or epoch out of range");
  std::unique_ptr<Optimizer> opt;
  if (Status s = restoreOptimizer(t.optimizer, opt); !s.ok())
    return s;
  compile(*loss, std::move(opt));
  if (t.schedule.kind != ScheduleKind::Constant || !t.schedule.params.empty())
    if (Status s = Schedule::restore(t.schedule, schedule); !s.ok())
      return s;
  trainingConfig = t.config;
  loadedCallbacks = t.callbacks;
  trainHistory = History{};
  for (const Metric &metric : t.history) {
    std::vector<double> *to =
        metric.name == "loss"           ? &trainHistory.loss
        : metric.name == "accuracy"     ? &trainHistory.accuracy
        : metric.name == "val_loss"     ? &trainHistory.valLoss
        : metric.name == "val_accuracy" ? &trainHistory.valAccuracy
        : metric.name == "lr"           ? &trainHistory.learningRate
                                        : nullptr;
    if (to)
      *to = metric.values;
  }
  for (const Param &p : t.progress) {
    if (p.name == "batches") {
      if (Status s = paramInteger(
              p, "load: training state: progress:", partialBatches);
          !s.ok())
        return s;
    } else if (p.name == "loss_sum")
      partialLoss = p.value;
    else if (p.name == "accuracy_sum")
      partialAccuracy = p.value;
    else if (p.name == "fit_epochs") {
      if (Status s =
              paramInteger(p, "load: training state: progress:", fitEpochs);
          !s.ok())
        return s;
    } else if (p.name == "stopped")
      stoppedEarly = p.value != 0;
  }
  if (partialBatches < 0)
    return Status::error("load: training state: progress: negative batches");
  fitSeed = t.rng.words[0];
  step = uint32_t(t.step);
  epochs = int(t.epoch);
  return Status::success();
}

} // namespace kiln::train
