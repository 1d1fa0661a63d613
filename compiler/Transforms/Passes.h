//===- Passes.h - Kiln's nn-level passes -------------------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_TRANSFORMS_PASSES_H
#define KILN_COMPILER_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

#include "compiler/Utils/Constants.h"

namespace mlir {
class RewritePatternSet;

namespace kiln {

#define GEN_PASS_DECL
#include "compiler/Transforms/Passes.h.inc"

/// Patterns that fuse an activation into the preceding Dense.
void populateFuseActivationsPatterns(RewritePatternSet &patterns);

/// Patterns that replace dropout by its input.
void populateStripDropoutPatterns(RewritePatternSet &patterns);

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

#define GEN_PASS_REGISTRATION
#include "compiler/Transforms/Passes.h.inc"

} // namespace kiln
} // namespace mlir

#endif // KILN_COMPILER_TRANSFORMS_PASSES_H
