//===- Float16Test.cpp - compiler/Utils' 16-bit float conversions --------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// nn-quantize rounds weights with bit arithmetic (roundToBits16) instead of
// APFloat, for speed; here it is checked against APFloat's IEEE conversion
// (nearest, ties to even) on a prime stride through all float bit
// patterns (about a million per type, every low-bit combination; a stride
// of 16, a billion comparisons, also passed but takes 20 s), on all of
// them near f16's overflow and subnormal edges of both signs, on bf16 ties
// in every binade, on NaN, and every 16-bit pattern back to float.
//
//===----------------------------------------------------------------------===//

#include "compiler/Utils/Constants.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/APFloat.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

using namespace mlir;

namespace {

/// APFloat's rounding of `bits` (an f32 pattern) to `type`, as bits, and
/// whether a finite value overflowed.
uint16_t reference(uint32_t bits, FloatType type, bool *overflow) {
  float v;
  std::memcpy(&v, &bits, 4);
  APFloat a(v);
  bool losesInfo = false;
  APFloat::opStatus status = a.convert(
      type.getFloatSemantics(), APFloat::rmNearestTiesToEven, &losesInfo);
  *overflow = (status & APFloat::opOverflow) != 0;
  return static_cast<uint16_t>(a.bitcastToAPInt().getZExtValue());
}

void checkRange(FloatType type, uint32_t first, uint32_t last, uint32_t step) {
  for (uint64_t bits = first; bits <= last; bits += step) {
    uint32_t x = static_cast<uint32_t>(bits);
    float v;
    std::memcpy(&v, &x, 4);
    if (v != v) // NaN payloads differ and nn-quantize never sees NaN
      continue;
    bool expectedOverflow = false, gotOverflow = false;
    uint16_t expected = reference(x, type, &expectedOverflow);
    uint16_t got = kiln::roundToBits16(v, type, &gotOverflow);
    ASSERT_EQ(got, expected) << std::hex << "f32 bits 0x" << x;
    ASSERT_EQ(gotOverflow, expectedOverflow) << std::hex << "f32 bits 0x" << x;
  }
}

class Float16Test : public ::testing::Test {
protected:
  MLIRContext context;
  FloatType f16 = FloatType::getF16(&context);
  FloatType bf16 = FloatType::getBF16(&context);
};

TEST_F(Float16Test, RoundingMatchesApFloatOnAStrideOfAllFloats) {
  for (FloatType type : {f16, bf16})
    checkRange(type, 0x00000000u, 0xffffffffu, 4099);
}

TEST_F(Float16Test, RoundingMatchesApFloatAtEveryPatternNearTheEdges) {
  // f16: around 65504/65520 (overflow), 2^-14 (smallest normal), 2^-24
  // (smallest subnormal) and 2^-25 (the tie to zero); bf16: around f32's
  // largest value.
  for (uint32_t sign : {0u, 0x80000000u}) {
    for (uint32_t centre :
         {0x477fe000u, 0x477ff000u, 0x38800000u, 0x33800000u, 0x33000000u})
      checkRange(f16, sign | (centre - 0x10000u), sign | (centre + 0x10000u),
                 1);
    checkRange(bf16, sign | 0x7f7f0000u, sign | 0x7f7fffffu, 1);
  }
}

TEST_F(Float16Test, BfloatTiesGoToEvenInEveryBinade) {
  // Dropped half exactly 0x8000 under both parities of the kept bit.
  for (uint32_t sign : {0u, 0x80000000u})
    for (uint32_t exponent = 0; exponent < 255; ++exponent)
      for (uint32_t kept : {0x00u, 0x01u, 0x7eu, 0x7fu}) {
        uint32_t x = sign | (exponent << 23) | (kept << 16) | 0x8000u;
        checkRange(bf16, x, x, 1);
      }
}

TEST_F(Float16Test, NaNStaysNaNWithItsSign) {
  for (FloatType type : {f16, bf16})
    for (uint32_t x : {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xff800001u}) {
      float v;
      std::memcpy(&v, &x, 4);
      uint16_t bits = kiln::roundToBits16(v, type);
      float back = kiln::bits16ToFloat(bits, type);
      EXPECT_TRUE(back != back) << std::hex << x;
      EXPECT_EQ(std::signbit(back), std::signbit(v)) << std::hex << x;
    }
}

TEST_F(Float16Test, EveryPatternConvertsBackExactly) {
  for (FloatType type : {f16, bf16})
    for (uint32_t bits = 0; bits < 0x10000u; ++bits) {
      APFloat a(type.getFloatSemantics(), APInt(16, bits));
      if (a.isNaN())
        continue;
      float got = kiln::bits16ToFloat(static_cast<uint16_t>(bits), type);
      float expected = a.convertToFloat();
      ASSERT_EQ(std::memcmp(&got, &expected, 4), 0) << std::hex << bits;
    }
}

} // namespace
