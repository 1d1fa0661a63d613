//===- LrFinder.cpp - Learning-rate range test ----------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "trainer/LrFinder.h"

#include "trainer/Plot.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

namespace kiln::train {

Status findLearningRate(Sequential &model, const Matrix &x, const Targets &y,
                        const LrFinderOptions &o, LrFinderResult &result) {
  Optimizer *optimizer = model.getOptimizer();
  if (!optimizer)
    return Status::error("lr finder: compile() the model first");
  if (!(o.minLearningRate > 0 && o.maxLearningRate > o.minLearningRate) ||
      o.steps < 2 || o.batchSize == 0)
    return Status::error("lr finder: needs 0 < min rate < max rate, at least "
                         "2 steps and a batch size >= 1");
  if (x.rows() == 0)
    return Status::error("lr finder: no training rows");
  if (!x.allFinite())
    return Status::error(
        "lr finder: the inputs contain NaN or infinite values");
  Sequential::Snapshot before = model.snapshot();
  result = LrFinderResult{};

  // Batches cycle through one shuffle of the rows.
  std::vector<size_t> order(size_t(x.rows()));
  std::iota(order.begin(), order.end(), 0);
  kiln_rng_t rng;
  kiln_rng_seed(&rng, o.seed, 1);
  for (size_t i = order.size() - 1; i > 0; --i)
    std::swap(order[i],
              order[(uint64_t(kiln_rng_next_u32(&rng)) * (i + 1)) >> 32]);

  // η_i = η_min · (η_max/η_min)^(i/(n−1)).
  const double ratio = o.maxLearningRate / o.minLearningRate;
  double average = 0, best = std::numeric_limits<double>::infinity();
  size_t bestAt = 0, next = 0;
  Matrix xb;
  Targets tb;
  for (int i = 0; i < o.steps; ++i) {
    double lr = o.minLearningRate * std::pow(ratio, double(i) / (o.steps - 1));
    size_t n = std::min(o.batchSize, order.size());
    xb.resize(Eigen::Index(n), x.cols());
    tb.labels.clear();
    if (y.values.size())
      tb.values.resize(Eigen::Index(n), y.values.cols());
    for (size_t r = 0; r < n; ++r, next = (next + 1) % order.size()) {
      Eigen::Index src = Eigen::Index(order[next]);
      xb.row(Eigen::Index(r)) = x.row(src);
      if (!y.labels.empty())
        tb.labels.push_back(y.labels[size_t(src)]);
      if (y.values.size())
        tb.values.row(Eigen::Index(r)) = y.values.row(src);
    }
    optimizer->setLearningRate(lr);
    double loss = model.trainOnBatch(xb, tb);
    // Bias-corrected exponential moving average (Adam's correction).
    average = o.smoothing * average + (1 - o.smoothing) * loss;
    double smoothed = average / (1 - std::pow(o.smoothing, i + 1));
    result.learningRate.push_back(lr);
    result.loss.push_back(loss);
    result.smoothedLoss.push_back(smoothed);
    if (smoothed < best) {
      best = smoothed;
      bestAt = result.learningRate.size() - 1;
    }
    if (!std::isfinite(loss) || smoothed > o.divergence * best)
      break;
  }
  result.bottom = result.learningRate[bestAt];
  result.explosion = result.learningRate.back();
  for (size_t i = bestAt; i < result.smoothedLoss.size(); ++i)
    if (!(result.smoothedLoss[i] <= 2 * best)) {
      result.explosion = result.learningRate[i];
      break;
    }
  result.suggested = result.bottom / 10;
  return model.restore(before);
}

std::string lrFinderCsv(const LrFinderResult &r) {
  std::string out = "learning_rate,loss,smoothed_loss\n";
  char line[96];
  for (size_t i = 0; i < r.learningRate.size(); ++i) {
    std::snprintf(line, sizeof line, "%.9g,%.9g,%.9g\n", r.learningRate[i],
                  r.loss[i], r.smoothedLoss[i]);
    out += line;
  }
  return out;
}

std::string lrFinderSvg(const LrFinderResult &r) {
  Chart c{
      "Learning-rate range test", "learning rate (log)", "loss", true, {}, {}};
  c.series.push_back({"loss", r.learningRate, r.loss, true});
  c.series.push_back({"smoothed", r.learningRate, r.smoothedLoss, false});
  c.markers = {{r.suggested, "suggested"},
               {r.bottom, "bottom"},
               {r.explosion, "shoots up"}};
  return renderSvg({c});
}

} // namespace kiln::train
