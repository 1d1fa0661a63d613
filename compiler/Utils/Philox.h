//===- Philox.h - The runtime's Philox4x32-10 in arith ops --*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The runtime's coordinate Philox blocks (runtime/src/rng.c) rebuilt from
// arith ops, so that compiled Monte-Carlo dropout draws bit for bit what
// the trainer draws (test/Integration/random-models.test compares the two).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_UTILS_PHILOX_H
#define KILN_COMPILER_UTILS_PHILOX_H

#include "mlir/IR/Builders.h"

#include <array>

namespace mlir::kiln {

/// The four words of the Philox block with counter (blockLo, blockHi,
/// sample, stream | 2^31) and key `seed`: `seed` is i64, `sample` and
/// `stream` (< 2^31) i32. `blockLo` and `blockHi` are i32, or vectors of
/// i32 with one block per lane, and the words are of their type (scalar
/// operands are broadcast).
std::array<Value, 4> buildPhilox(OpBuilder &b, Location loc, Value seed,
                                 Value stream, Value sample, Value blockLo,
                                 Value blockHi);

/// The 16 random bits of units 128·g + 16·d + lane, d = 0..7, of sample
/// `sample` (i32) in stream `stream` (i32) for key `seed` (i64), in
/// kiln_rng_u16_at's layout (kiln/rng.h): the 16 Philox blocks 16·g + lane
/// side by side in the lanes of four vector<16xi32> words, half d % 2 of
/// word d / 2 holding units 128·g + 16·d + lane. Returns the eight
/// vector<16xi32> of bits (in [0, 2^16)); `group` is an index.
std::array<Value, 8> buildUnitBits16(OpBuilder &b, Location loc, Value seed,
                                     Value stream, Value sample, Value group);

} // namespace mlir::kiln

#endif // KILN_COMPILER_UTILS_PHILOX_H
