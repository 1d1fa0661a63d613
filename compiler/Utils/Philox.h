//===- Philox.h - The runtime's Philox4x32-10 in arith ops --*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// kiln_rng_u32_at's Philox block (runtime/src/rng.c) rebuilt from arith
// ops, so that compiled Monte-Carlo dropout draws bit for bit what the
// trainer draws (test/Integration/random-models.test compares the two).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_UTILS_PHILOX_H
#define KILN_COMPILER_UTILS_PHILOX_H

#include "mlir/IR/Builders.h"

#include <array>

namespace mlir::kiln {

/// The four i32 words of the Philox block that kiln_rng_u32_at reads for
/// indices 4·block .. 4·block + 3: `seed` is i64, `sample` i32, `block` i64,
/// `stream` a constant (< 2^31).
std::array<Value, 4> buildPhiloxBlock(OpBuilder &b, Location loc, Value seed,
                                      uint32_t stream, Value sample,
                                      Value block);

} // namespace mlir::kiln

#endif // KILN_COMPILER_UTILS_PHILOX_H
