//===- HeaderEmitter.h - The C header of a compiled model --------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_TARGET_HEADEREMITTER_H
#define KILN_COMPILER_TARGET_HEADEREMITTER_H

#include "compiler/Utils/Constants.h"

#include <string>

namespace kiln {
struct Model;
} // namespace kiln

namespace mlir::kiln {

/// What the header says about how the library was compiled.
struct HeaderInfo {
  bool foldedBatchNorm = true;
  bool fusedActivations = true;
  /// How Dense weights are stored (kilnc --quantize).
  Precision weights = Precision::f32;
  /// Vector width of the Dense kernels in bits (0: reference lowering).
  unsigned vectorBits = 0;
  /// Rows per internal call (a batch is split into calls of at most this
  /// many rows) and the stack bytes such a call uses for intermediates.
  int64_t rowsPerCall = 0;
  int64_t stackBytes = 0;
  /// The library exports NAME_predict_mc and NAME_predict_mc_samples (the
  /// model has dropout), which process batches in pieces of mcRowsPerCall
  /// and samplesRowsPerCall rows, and, for a classifier (`entropy`),
  /// NAME_predictive_entropy.
  bool monteCarlo = false;
  int64_t mcRowsPerCall = 0;
  /// Samples NAME_predict_mc runs through the layers together when a piece
  /// has mcRowsPerCall rows (the layers before the first dropout run once
  /// for them).
  int64_t mcSamplesPerPass = 0;
  int64_t samplesRowsPerCall = 0;
  bool entropy = false;
};

/// The header users include: shapes, precision, normalization, classes,
/// status codes and the predict function, documented. `name` is the C
/// prefix (validated by the caller), `source` the model file.
std::string emitHeader(const ::kiln::Model &model, const std::string &name,
                       const std::string &source, const HeaderInfo &info);

} // namespace mlir::kiln

#endif // KILN_COMPILER_TARGET_HEADEREMITTER_H
