//===- Float16.h - f32 <-> f16/bf16 bit patterns ------------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The 16-bit float encodings of .kiln tensors (DType::F16, DType::BF16) and
// of kilnc --quantize, on bit patterns: the model loader widens stored
// values through these, and the compiler rounds weights with them (APFloat
// costs ~100 ns a conversion; wide's 2.1M weights made kilnc 0.55 s).
// test/Unit/Compiler/Float16Test.cpp checks them against APFloat.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_SCHEMA_FLOAT16_H
#define KILN_SCHEMA_FLOAT16_H

#include <cstdint>
#include <cstring>

namespace kiln {

namespace detail {
inline uint32_t floatBits(float v) {
  uint32_t x;
  std::memcpy(&x, &v, 4);
  return x;
}
inline float bitsFloat(uint32_t x) {
  float v;
  std::memcpy(&v, &x, 4);
  return v;
}
} // namespace detail

/// IEEE binary16 to float; exact, since every half is a float.
inline float halfToFloat(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1fu, fraction = bits & 0x3ffu;
  if (exponent == 0) // zero or subnormal: fraction·2^-24, exact
    return detail::bitsFloat(
        detail::floatBits(static_cast<float>(fraction) * 0x1p-24f) | sign);
  if (exponent == 31) // infinity or NaN
    return detail::bitsFloat(sign | 0x7f800000u | (fraction << 13));
  return detail::bitsFloat(sign | ((exponent + 112) << 23) | (fraction << 13));
}

/// bfloat16 to float: the top half of an f32.
inline float bfloat16ToFloat(uint16_t bits) {
  return detail::bitsFloat(static_cast<uint32_t>(bits) << 16);
}

/// `value` rounded to bfloat16 (nearest, ties to even), and whether a
/// finite value overflowed to infinity.
inline uint16_t floatToBfloat16(float value, bool *overflow = nullptr) {
  uint32_t x = detail::floatBits(value), magnitude = x & 0x7fffffffu;
  if (overflow)
    *overflow = false;
  if (magnitude > 0x7f800000u) // NaN: keep it quiet
    return static_cast<uint16_t>((x >> 16) | 0x40);
  // Add half an ulp of bf16 minus one, plus the lowest kept bit (ties
  // to even), then truncate; a carry out of the largest finite value
  // gives infinity.
  uint32_t rounded = x + 0x7fffu + ((x >> 16) & 1u);
  if (overflow && magnitude < 0x7f800000u &&
      (rounded & 0x7fffffffu) >= 0x7f800000u)
    *overflow = true;
  return static_cast<uint16_t>(rounded >> 16);
}

/// `value` rounded to IEEE binary16 (nearest, ties to even), and whether a
/// finite value overflowed to infinity.
inline uint16_t floatToHalf(float value, bool *overflow = nullptr) {
  uint32_t x = detail::floatBits(value);
  uint32_t sign = x & 0x80000000u, magnitude = x & 0x7fffffffu;
  if (overflow)
    *overflow = false;
  uint16_t half = static_cast<uint16_t>(sign >> 16);
  if (magnitude >= 0x7f800000u) // inf or NaN
    return half | 0x7c00u | (magnitude > 0x7f800000u ? 0x200u : 0u);
  if (magnitude >= 0x477ff000u) { // >= 65520: rounds to infinity
    if (overflow)
      *overflow = true;
    return half | 0x7c00u;
  }
  if (magnitude >= 0x38800000u) { // normal: >= 2^-14
    // Rebias the exponent (127 -> 15) and keep 10 of 23 fraction bits,
    // rounding the dropped 13 to nearest, ties to even; a carry into the
    // exponent is the correct next binade.
    uint32_t h = (magnitude - 0x38000000u) >> 13;
    uint32_t dropped = magnitude & 0x1fffu;
    if (dropped > 0x1000u || (dropped == 0x1000u && (h & 1u)))
      ++h;
    return half | static_cast<uint16_t>(h);
  }
  // Subnormal f16: round(|value|·2^24) to nearest, ties to even (1024, the
  // result when it rounds up to 2^-14, is the smallest normal's pattern).
  uint32_t exponent = magnitude >> 23;
  if (exponent < 102) // below 2^-25: rounds to 0
    return half;
  uint32_t significand = (magnitude & 0x7fffffu) | 0x800000u;
  uint32_t shift = 126 - exponent; // |value|·2^24 = significand·2^-shift
  uint32_t q = significand >> shift, r = significand & ((1u << shift) - 1);
  uint32_t halfway = 1u << (shift - 1);
  if (r > halfway || (r == halfway && (q & 1u)))
    ++q;
  return half | static_cast<uint16_t>(q);
}

} // namespace kiln

#endif // KILN_SCHEMA_FLOAT16_H
