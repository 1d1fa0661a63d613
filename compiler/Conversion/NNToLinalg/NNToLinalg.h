//===- NNToLinalg.h - nn -> linalg on tensors --------------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_CONVERSION_NNTOLINALG_NNTOLINALG_H
#define KILN_COMPILER_CONVERSION_NNTOLINALG_NNTOLINALG_H

namespace mlir {
class RewritePatternSet;

namespace kiln {

/// Patterns lowering nn.dense, nn.batch_norm, nn.activation, nn.normalize
/// and nn.flatten to linalg/tensor/arith/math. nn.dropout has no pattern.
void populateNNToLinalgConversionPatterns(RewritePatternSet &patterns);

} // namespace kiln
} // namespace mlir

#endif // KILN_COMPILER_CONVERSION_NNTOLINALG_NNTOLINALG_H
