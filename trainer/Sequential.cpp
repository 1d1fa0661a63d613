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

#include "trainer/Activations.h"
#include "trainer/Dense.h"
#include "trainer/Regularizers.h"

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
  for (auto &layer : stack) {
    if (Status s = layer->build(shape, rng); !s.ok())
      return s;
    shape = layer->outputShape();
  }
  // Only layers after the first parameterized one need dL/d(input); the
  // layers before it (flatten, dropout on the input) pass it to nobody.
  bool seenParameters = false;
  for (auto &layer : stack) {
    layer->needsInputGradient = seenParameters;
    seenParameters |= !layer->parameters().empty();
  }
  return Status::success();
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
  const Matrix *h = &x;
  for (auto &layer : stack)
    h = &layer->forward(*h, context);
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

namespace {
/// Copies rows `index[begin, begin+n)` of `x` and their targets.
void gather(const Matrix &x, const Targets &t, const std::vector<size_t> &index,
            size_t begin, size_t n, Matrix &xb, Targets &tb) {
  xb.resize(Eigen::Index(n), x.cols());
  tb.labels.resize(t.labels.empty() ? 0 : n);
  if (t.values.size())
    tb.values.resize(Eigen::Index(n), t.values.cols());
  for (size_t r = 0; r < n; ++r) {
    Eigen::Index src = Eigen::Index(index[begin + r]);
    xb.row(Eigen::Index(r)) = x.row(src);
    if (!t.labels.empty())
      tb.labels[r] = t.labels[size_t(src)];
    if (t.values.size())
      tb.values.row(Eigen::Index(r)) = t.values.row(src);
  }
}
} // namespace

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
  size_t n = size_t(x.rows());
  size_t nVal = size_t(std::llround(double(n) * options.validationSplit));
  size_t nTrain = n - nVal;
  if (nTrain == 0)
    return Status::error("fit: no training rows left after the split");
  fitSeed = options.seed;

  std::vector<Parameter *> params;
  for (auto &layer : stack)
    if (layer->trainable)
      for (Parameter *p : layer->parameters())
        params.push_back(p);

  std::vector<size_t> order(nTrain), valOrder(nVal);
  std::iota(order.begin(), order.end(), 0);
  std::iota(valOrder.begin(), valOrder.end(), nTrain);
  kiln_rng_t shuffleRng;
  kiln_rng_seed(&shuffleRng, options.seed, 1);
  Matrix xb;
  Targets tb;
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    auto start = std::chrono::steady_clock::now();
    if (options.shuffle) // Fisher-Yates; the multiply-shift index is unbiased
      for (size_t i = nTrain - 1; i > 0; --i) // enough for i < 2^32
        std::swap(
            order[i],
            order[(uint64_t(kiln_rng_next_u32(&shuffleRng)) * (i + 1)) >> 32]);
    double lossSum = 0, accSum = 0;
    for (size_t b = 0; b < nTrain; b += options.batchSize) {
      size_t count = std::min(options.batchSize, nTrain - b);
      gather(x, y, order, b, count, xb, tb);
      ForwardContext ctx{true, false, fitSeed, step++};
      const Matrix &out = forward(xb, ctx);
      lossSum += lossValue(lossKind, out, tb, 0, count) * double(count);
      if (!tb.labels.empty())
        accSum += accuracy(out, tb.labels, 0) * double(count);
      backward(out, tb, 0);
      // ℓ1/ℓ2: the penalty is part of the reported loss, its gradient part
      // of the update; max-norm constraints apply after the step.
      double penalty = 0;
      for (Parameter *p : params) {
        Regularizer r{p->l1, p->l2};
        if (r.active()) {
          penalty += r.penalty(p->value);
          r.addGradient(p->value, p->grad);
        }
      }
      lossSum += penalty * double(count);
      optimizer->step(params);
      for (Parameter *p : params)
        MaxNorm{p->maxNorm}.apply(p->value);
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    history.loss.push_back(lossSum / double(nTrain));
    history.accuracy.push_back(accSum / double(nTrain));
    history.seconds.push_back(seconds);
    if (nVal > 0) {
      Matrix xv;
      Targets tv;
      gather(x, y, valOrder, 0, nVal, xv, tv);
      Evaluation e = evaluate(xv, tv);
      history.valLoss.push_back(e.loss);
      history.valAccuracy.push_back(e.accuracy);
    }
    if (options.onEpochEnd)
      options.onEpochEnd(epoch, history);
  }
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
    m.training = std::move(t);
  }
  return m;
}

} // namespace kiln::train
