//===- LrFinder.cpp - Learning-rate range test ----------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "trainer/LrFinder.h"

#include "trainer/Data.h"
#include "trainer/Plot.h"

#include <cmath>
#include <cstdio>
#include <limits>

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
  std::vector<size_t> order = shuffledRows(size_t(x.rows()), o.seed, 1);

  // η_i = η_min · (η_max/η_min)^(i/(n−1)).
  const double ratio = o.maxLearningRate / o.minLearningRate;
  double average = 0, best = std::numeric_limits<double>::infinity();
  size_t bestAt = 0, next = 0;
  Matrix xb;
  Targets tb;
  std::vector<size_t> batch(std::min(o.batchSize, order.size()));
  for (int i = 0; i < o.steps; ++i) {
    double lr = o.minLearningRate * std::pow(ratio, double(i) / (o.steps - 1));
    for (size_t &row : batch) {
      row = order[next];
      next = (next + 1) % order.size();
    }
    gatherRows(x, y, batch, 0, batch.size(), xb, tb);
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
