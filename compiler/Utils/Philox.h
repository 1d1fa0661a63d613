//===- Philox.h - The runtime's Philox4x32-10 in arith ops -------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// kiln_rng_uniform_at (runtime/src/rng.c) rebuilt from arith ops, so that
// compiled Monte-Carlo dropout draws bit for bit what the trainer draws.
// test/Conversion/NNToLinalg/mc-dropout.mlir checks values against the
// runtime's.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_UTILS_PHILOX_H
#define KILN_COMPILER_UTILS_PHILOX_H

#include "mlir/IR/Builders.h"

namespace mlir::kiln {

/// kiln_rng_uniform_at(seed, stream, sample, index) as an f32 value: `seed`
/// is i64, `sample` i32, `index` i64, `stream` a constant (< 2^31).
Value buildUniformAt(OpBuilder &b, Location loc, Value seed, uint32_t stream,
                     Value sample, Value index);

} // namespace mlir::kiln

#endif // KILN_COMPILER_UTILS_PHILOX_H
