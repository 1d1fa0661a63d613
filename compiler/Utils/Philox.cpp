//===- Philox.cpp - The runtime's Philox4x32-10 in arith ops --------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Mirrors runtime/src/rng.c exactly:
//   counter = (block lo, block hi, sample, stream | 2^31), block = index / 4
//   key     = (seed lo, seed hi)
//   10 rounds: (hi0, lo0) = M0·x0, (hi1, lo1) = M1·x2 (32×32 → 64 bits),
//              x = (hi1 ^ x1 ^ k0, lo1, hi0 ^ x3 ^ k1, lo0),
//              the key bumped by (W0, W1) before every round but the first
//   word index mod 4 of the result (the runtime maps it to (u >> 8)·2^-24;
//   the dropout lowering compares the word itself, see NNToLinalg.cpp).
//
//===----------------------------------------------------------------------===//

#include "compiler/Utils/Philox.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

std::array<Value, 4> kiln::buildPhiloxBlock(OpBuilder &b, Location loc,
                                            Value seed, uint32_t stream,
                                            Value sample, Value block) {
  Type i32 = b.getI32Type();
  auto c32 = [&](uint32_t v) -> Value {
    return b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(int32_t(v)));
  };
  auto lo = [&](Value v64) -> Value {
    return b.create<arith::TruncIOp>(loc, i32, v64);
  };
  auto hi = [&](Value v64) -> Value {
    return lo(b.create<arith::ShRUIOp>(
        loc, v64, b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(32))));
  };
  std::array<Value, 4> x = {lo(block), hi(block), sample,
                            c32(stream | 0x80000000u)};
  Value k[2] = {lo(seed), hi(seed)};
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k[0] = b.create<arith::AddIOp>(loc, k[0], c32(0x9E3779B9u));
      k[1] = b.create<arith::AddIOp>(loc, k[1], c32(0xBB67AE85u));
    }
    auto p0 = b.create<arith::MulUIExtendedOp>(loc, c32(0xD2511F53u), x[0]);
    auto p1 = b.create<arith::MulUIExtendedOp>(loc, c32(0xCD9E8D57u), x[2]);
    Value y0 = b.create<arith::XOrIOp>(
        loc, b.create<arith::XOrIOp>(loc, p1.getHigh(), x[1]), k[0]);
    Value y2 = b.create<arith::XOrIOp>(
        loc, b.create<arith::XOrIOp>(loc, p0.getHigh(), x[3]), k[1]);
    x = {y0, p1.getLow(), y2, p0.getLow()};
  }
  return x;
}
