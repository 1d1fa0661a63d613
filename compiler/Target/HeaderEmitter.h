//===- HeaderEmitter.h - The C header of a compiled model --------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_TARGET_HEADEREMITTER_H
#define KILN_COMPILER_TARGET_HEADEREMITTER_H

#include "compiler/Target/EntryPoints.h"
#include "compiler/Utils/Constants.h"

#include <optional>

#include <string>
#include <vector>

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
  /// The shape of one example's output (the last layer's).
  std::vector<int64_t> outputShape;
  /// The Monte-Carlo entry points, when the model has dropout.
  std::optional<McEntryPoints> monteCarlo;
};

/// The header users include: shapes, precision, normalization, classes,
/// status codes and the predict function, documented. `name` is the C
/// prefix (validated by the caller), `source` the model file.
std::string emitHeader(const ::kiln::Model &model, const std::string &name,
                       const std::string &source, const HeaderInfo &info);

} // namespace mlir::kiln

#endif // KILN_COMPILER_TARGET_HEADEREMITTER_H
