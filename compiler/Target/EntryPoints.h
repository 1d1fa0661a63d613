//===- EntryPoints.h - What a compiled library exports ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The facts about the entry points that the object emitter builds them
// from and the header documents, decided once by the driver.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_TARGET_ENTRYPOINTS_H
#define KILN_COMPILER_TARGET_ENTRYPOINTS_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir::kiln {

/// NAME_predict_mc and NAME_predict_mc_samples of a model with dropout,
/// both through the runtime's MC driver (kiln/mc.h), and, for a
/// classifier, NAME_predictive_entropy.
struct McEntryPoints {
  /// The per-sample function (nn-monte-carlo's @F_mc_samples).
  std::string implementation;
  /// Rows per call of it in NAME_predict_mc_samples and in NAME_predict_mc,
  /// whose stack also holds, per row, the outputs of `samplesPerCall`
  /// samples (floats) and the running mean and M2 (2 doubles per output):
  /// the layers before the first dropout run once for every
  /// `samplesPerCall` samples of a full piece of rows.
  int64_t samplesRowsPerCall = 0;
  int64_t rowsPerCall = 0;
  int64_t samplesPerCall = 0;
  /// Floats per example out (O).
  int64_t outputSize = 0;

  /// NAME_predict_mc's own stack per row (its budget) and the buffers it
  /// allocates for rowsPerCall rows.
  int64_t stackBytesPerRow() const {
    return outputSize * (samplesPerCall * int64_t(sizeof(float)) +
                         2 * int64_t(sizeof(double)));
  }
  int64_t scratchFloats() const {
    return rowsPerCall * outputSize * samplesPerCall;
  }
  int64_t accumulatorDoubles() const { return 2 * rowsPerCall * outputSize; }
  /// Exports NAME_predictive_entropy (a classifier's MC mean -> entropy).
  bool entropy = false;
};

/// The public entry point kilnc wraps around the model function.
struct EntryPoint {
  /// Exported C symbol, e.g. "fmnist_predict".
  std::string symbol;
  /// The lowered model function (becomes internal).
  std::string implementation;
  /// Per-example input and output shapes (no batch dimension).
  std::vector<int64_t> inputShape, outputShape;
  /// The entry point calls the model function on at most this many rows at
  /// a time (bounding its stack use); 0: the whole batch at once.
  int64_t rowsPerCall = 0;
  /// The Monte-Carlo entry points (`symbol`_mc, `symbol`_mc_samples),
  /// when the model has dropout.
  std::optional<McEntryPoints> mc;
};

} // namespace mlir::kiln

#endif // KILN_COMPILER_TARGET_ENTRYPOINTS_H
