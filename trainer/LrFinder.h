//===- LrFinder.h - Learning-rate range test ----------------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The book's recipe for a good learning rate: train for a few hundred
// updates while the rate grows exponentially from tiny to huge, plot the
// loss against the rate on a log axis, and take a rate about ten times
// below the point where the loss shoots up (Smith 2015, fast.ai). The model
// is put back as it was afterwards.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_LRFINDER_H
#define KILN_TRAINER_LRFINDER_H

#include "trainer/Sequential.h"

namespace kiln::train {

struct LrFinderOptions {
  double minLearningRate = 1e-5, maxLearningRate = 10;
  int steps = 500;
  size_t batchSize = 32;
  uint64_t seed = 42;
  /// Stop once the smoothed loss exceeds this multiple of its minimum.
  double divergence = 4;
  /// Exponential smoothing of the loss curve (bias-corrected).
  double smoothing = 0.98;
};

struct LrFinderResult {
  std::vector<double> learningRate, loss, smoothedLoss;
  /// Where the smoothed loss bottoms out, where it shoots up (the first
  /// rate past the minimum with more than twice the minimum loss, or the
  /// last rate tried), and the suggestion: a tenth of the bottom.
  double bottom = 0, explosion = 0, suggested = 0;
};

/// Runs the range test on rows of `x`, then restores the model's weights,
/// optimizer state and counters.
Status findLearningRate(Sequential &model, const Matrix &x, const Targets &y,
                        const LrFinderOptions &options, LrFinderResult &result);

/// The curve as CSV ("learning_rate,loss,smoothed_loss") and as an SVG plot
/// with the three rates marked.
std::string lrFinderCsv(const LrFinderResult &result);
std::string lrFinderSvg(const LrFinderResult &result);

} // namespace kiln::train

#endif // KILN_TRAINER_LRFINDER_H
