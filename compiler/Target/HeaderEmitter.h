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
  /// The stack bytes a call of any entry point uses for intermediates.
  int64_t stackBytes = 0;
};

/// The header users include: shapes, precision, normalization, classes,
/// status codes and the predict functions of `entry`, documented. `name` is
/// the C prefix (validated by the caller), `source` the model file.
std::string emitHeader(const ::kiln::Model &model, const std::string &name,
                       const std::string &source, const EntryPoint &entry,
                       const HeaderInfo &info);

} // namespace mlir::kiln

#endif // KILN_COMPILER_TARGET_HEADEREMITTER_H
