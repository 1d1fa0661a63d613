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

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <array>

namespace mlir::kiln {

/// The four words of the Philox block with counter (blockLo, blockHi,
/// sample, stream | 2^31) and key `seed`: `seed` is i64, `sample` and
/// `stream` (< 2^31) i32. `blockLo` is a vector of an even number of i32
/// lanes, one block per lane; `blockHi` is of its type or an i32 (then
/// broadcast), and the words are of `blockLo`'s type.
std::array<Value, 4> buildPhilox(OpBuilder &b, Location loc, Value seed,
                                 Value stream, Value sample, Value blockLo,
                                 Value blockHi);

/// The private function @__kiln_philox_u16_<hash>(seed: i64, stream: i32,
/// sample: i32, group: index) -> four vector<16xi32>: the Philox blocks
/// 16·group + lane (lane = 0..15) of counter (block, 0, sample, stream |
/// 2^31) and key `seed`, side by side, word w of block `lane` in lane
/// `lane` of result w. One copy per module serves every Monte-Carlo
/// dropout and correction: Philox's 32×32→64 multiplies are the most
/// expensive code in a module for LLVM's instruction selection.
func::FuncOp getOrCreatePhiloxGroupFunction(OpBuilder &b, ModuleOp module,
                                            Location loc);

/// The keep decisions of units 128·g + 16·d + lane, d = 0..7, of sample
/// `sample` (i32) in stream `stream` (i32) for key `seed` (i64), for a
/// dropout of `rate`, as eight vector<16xi1>: a call of `philoxGroup`
/// (getOrCreatePhiloxGroupFunction) for group `group` (an index), whose
/// word d / 2, half d % 2, holds the 16 random bits of unit
/// 128·g + 16·d + lane (kiln_rng_u16_at's layout, kiln/rng.h). A unit is
/// kept iff its bits are at least ceil(rate·2^16): the trainer's u >= rate
/// for u = bits·2^-16 (rate·2^16 is exact). Every Monte-Carlo lowering
/// draws its masks here, so they all drop the same units.
std::array<Value, 8> buildKeepMasks(OpBuilder &b, Location loc,
                                    func::FuncOp philoxGroup, Value seed,
                                    Value stream, Value sample, Value group,
                                    float rate);

} // namespace mlir::kiln

#endif // KILN_COMPILER_UTILS_PHILOX_H
