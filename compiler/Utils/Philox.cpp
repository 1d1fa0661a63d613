//===- Philox.cpp - The runtime's Philox4x32-10 in arith ops --------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Mirrors runtime/src/rng.c exactly:
//   counter = (block lo, block hi, sample, stream | 2^31)
//   key     = (seed lo, seed hi)
//   10 rounds: (hi0, lo0) = M0·x0, (hi1, lo1) = M1·x2 (32×32 → 64 bits),
//              x = (hi1 ^ x1 ^ k0, lo1, hi0 ^ x3 ^ k1, lo0),
//              the key bumped by (W0, W1) before every round but the first
// The key schedule is scalar (the seed is the same in every lane) and
// broadcast once per round.
//
//===----------------------------------------------------------------------===//

#include "compiler/Utils/Philox.h"

#include "compiler/Utils/Functions.h"
#include "compiler/Utils/NNMath.h"

#include "kiln/rng.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cassert>
#include <cmath>

using namespace mlir;

namespace {

/// (lo, hi) of m·x, 32×32 → 64 bits per lane. On a vector of an even
/// number of lanes, pairs of lanes are viewed as one i64 so that each
/// product is a 32×32 → 64 multiply of a masked or shifted i64 (x86's
/// vpmuludq, one instruction per eight lanes with AVX-512): arith's
/// mului_extended on vector<16xi32> became zero extensions to i64 vectors,
/// the multiplies and truncations back, twice the instructions. A lane's
/// operand is taken from, and its results put back into, the same half of
/// the same i64, so the lane order holds on either endianness.
std::pair<Value, Value> mulHiLo(OpBuilder &b, Location loc, uint32_t m,
                                Value x) {
  auto vec = cast<VectorType>(x.getType());
  assert(vec.getRank() == 1 && vec.getDimSize(0) % 2 == 0 &&
         !vec.isScalable() && "a fixed vector of an even number of lanes");
  auto wide = VectorType::get({vec.getDimSize(0) / 2}, b.getI64Type());
  auto splat = [&](uint64_t v) { return kiln::intConstant(b, loc, wide, v); };
  Value low32 = splat(0xFFFFFFFFull), c32 = splat(32), mv = splat(m);
  Value pairs = b.create<vector::BitCastOp>(loc, wide, x);
  Value pLow = b.create<arith::MulIOp>(
      loc, b.create<arith::AndIOp>(loc, pairs, low32), mv);
  Value pHigh = b.create<arith::MulIOp>(
      loc, b.create<arith::ShRUIOp>(loc, pairs, c32), mv);
  Value lo =
      b.create<arith::OrIOp>(loc, b.create<arith::AndIOp>(loc, pLow, low32),
                             b.create<arith::ShLIOp>(loc, pHigh, c32));
  Value hi = b.create<arith::OrIOp>(
      loc, b.create<arith::ShRUIOp>(loc, pLow, c32),
      b.create<arith::AndIOp>(loc, pHigh, splat(0xFFFFFFFF00000000ull)));
  return {b.create<vector::BitCastOp>(loc, vec, lo),
          b.create<vector::BitCastOp>(loc, vec, hi)};
}

} // namespace

std::array<Value, 4> kiln::buildPhilox(OpBuilder &b, Location loc, Value seed,
                                       Value stream, Value sample,
                                       Value blockLo, Value blockHi) {
  Type i32 = b.getI32Type();
  Type type = blockLo.getType();
  auto lanes = [&](Value scalar) -> Value {
    if (scalar.getType() == type)
      return scalar;
    return b.create<vector::BroadcastOp>(loc, type, scalar);
  };
  auto c32 = [&](uint32_t v) -> Value {
    return b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(int32_t(v)));
  };
  Value seedLo = b.create<arith::TruncIOp>(loc, i32, seed);
  Value seedHi = b.create<arith::TruncIOp>(
      loc, i32,
      b.create<arith::ShRUIOp>(
          loc, seed,
          b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(32))));
  // The coordinate bit keeps these counters apart from sequential streams.
  Value counter3 = b.create<arith::OrIOp>(loc, stream, c32(0x80000000u));
  std::array<Value, 4> x = {blockLo, lanes(blockHi), lanes(sample),
                            lanes(counter3)};
  Value k[2] = {seedLo, seedHi};
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k[0] = b.create<arith::AddIOp>(loc, k[0], c32(0x9E3779B9u));
      k[1] = b.create<arith::AddIOp>(loc, k[1], c32(0xBB67AE85u));
    }
    auto [lo0, hi0] = mulHiLo(b, loc, 0xD2511F53u, x[0]);
    auto [lo1, hi1] = mulHiLo(b, loc, 0xCD9E8D57u, x[2]);
    Value y0 = b.create<arith::XOrIOp>(
        loc, b.create<arith::XOrIOp>(loc, hi1, x[1]), lanes(k[0]));
    Value y2 = b.create<arith::XOrIOp>(
        loc, b.create<arith::XOrIOp>(loc, hi0, x[3]), lanes(k[1]));
    x = {y0, lo1, y2, lo0};
  }
  return x;
}

func::FuncOp kiln::getOrCreatePhiloxGroupFunction(OpBuilder &b, ModuleOp module,
                                                  Location loc) {
  constexpr int64_t kLanes = KILN_RNG_U16_LANES;
  Type i32 = b.getI32Type();
  auto i32Vec = VectorType::get({kLanes}, i32);
  auto type = b.getFunctionType({b.getI64Type(), i32, i32, b.getIndexType()},
                                {i32Vec, i32Vec, i32Vec, i32Vec});
  return getOrCreatePrivateFunction(
      b, module, loc, "__kiln_philox_u16", "philox4x32-10 16 lanes", type,
      std::nullopt, [&](OpBuilder &fb, Block &entry) {
        Value blockBase = fb.create<arith::IndexCastUIOp>(
            loc, i32,
            fb.create<arith::MulIOp>(
                loc, entry.getArgument(3),
                fb.create<arith::ConstantIndexOp>(loc, kLanes)));
        Value blocks = fb.create<arith::AddIOp>(
            loc, fb.create<vector::BroadcastOp>(loc, i32Vec, blockBase),
            laneIndices(fb, loc, i32Vec));
        std::array<Value, 4> words = buildPhilox(
            fb, loc, entry.getArgument(0), entry.getArgument(1),
            entry.getArgument(2), blocks,
            fb.create<arith::ConstantOp>(loc, fb.getI32IntegerAttr(0)));
        fb.create<func::ReturnOp>(loc, ValueRange(words));
      });
}

std::array<Value, 8> kiln::buildKeepMasks(OpBuilder &b, Location loc,
                                          func::FuncOp philoxGroup, Value seed,
                                          Value stream, Value sample,
                                          Value group, float rate) {
  constexpr int64_t kLanes = KILN_RNG_U16_LANES;
  static_assert(KILN_RNG_U16_GROUP == 8 * kLanes, "8 halves of 4 words");
  auto i32Vec = VectorType::get({kLanes}, b.getI32Type());
  auto splat = [&](uint32_t v) { return kiln::intConstant(b, loc, i32Vec, v); };
  uint64_t threshold =
      static_cast<uint64_t>(std::ceil(static_cast<double>(rate) * 65536.0));
  assert(threshold <= 65536 && "rate must be below 1");
  ValueRange words =
      b.create<func::CallOp>(loc, philoxGroup,
                             ValueRange{seed, stream, sample, group})
          .getResults();
  std::array<Value, 8> bits;
  for (int64_t d = 0; d < 8; ++d)
    bits[d] =
        d % 2
            ? b.create<arith::ShRUIOp>(loc, words[d / 2], splat(16)).getResult()
            : b.create<arith::AndIOp>(loc, words[d / 2], splat(0xFFFF))
                  .getResult();
  Value limit = splat(static_cast<uint32_t>(threshold));
  std::array<Value, 8> keeps;
  for (int64_t d = 0; d < 8; ++d)
    keeps[d] =
        b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::uge, bits[d], limit);
  return keeps;
}
