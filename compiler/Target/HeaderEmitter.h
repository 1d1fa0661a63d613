//===- HeaderEmitter.h - The C header of a compiled model --------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_TARGET_HEADEREMITTER_H
#define KILN_COMPILER_TARGET_HEADEREMITTER_H

#include <string>

namespace kiln {
struct Model;
} // namespace kiln

namespace mlir::kiln {

/// The header users include: shapes, precision, normalization, classes,
/// status codes and the predict function, documented. `name` is the C
/// prefix (validated by the caller), `source` the model file.
std::string emitHeader(const ::kiln::Model &model, const std::string &name,
                       const std::string &source, bool foldedBatchNorm,
                       bool fusedActivations);

} // namespace mlir::kiln

#endif // KILN_COMPILER_TARGET_HEADEREMITTER_H
