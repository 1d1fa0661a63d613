//===- Constants.cpp - Reading and making float tensor constants ----------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "compiler/Utils/Constants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

using namespace mlir;

// f32 <-> f16/bf16 on bit patterns: APFloat costs ~100 ns a conversion,
// and wide's 2.1M weights went through it four times (compile 0.55 s).
// test/Transforms/quantize.mlir checks ties, subnormals and overflow, and
// random-models compares the compiled libraries with weights rounded by the
// C++ compiler's _Float16.

uint16_t kiln::roundToBits16(float value, FloatType type, bool *overflow) {
  uint32_t x;
  std::memcpy(&x, &value, 4);
  uint32_t sign = x & 0x80000000u, magnitude = x & 0x7fffffffu;
  if (overflow)
    *overflow = false;
  if (type.isBF16()) {
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
  assert(type.isF16() && "f16 or bf16");
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

float kiln::bits16ToFloat(uint16_t bits, FloatType type) {
  uint32_t x;
  if (type.isBF16()) {
    x = static_cast<uint32_t>(bits) << 16;
  } else {
    assert(type.isF16() && "f16 or bf16");
    uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
    uint32_t exponent = (bits >> 10) & 0x1fu, fraction = bits & 0x3ffu;
    if (exponent == 0) { // zero or subnormal: fraction·2^-24, exact
      float v = static_cast<float>(fraction) * 0x1p-24f;
      std::memcpy(&x, &v, 4);
      x |= sign;
    } else if (exponent == 31) {
      x = sign | 0x7f800000u | (fraction << 13);
    } else {
      x = sign | ((exponent + 112) << 23) | (fraction << 13);
    }
  }
  float v;
  std::memcpy(&v, &x, 4);
  return v;
}

FailureOr<SmallVector<double>> kiln::getConstantValues(Value value) {
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return failure();
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type)
    return failure();
  Type element = type.getElementType();
  if (!element.isF32() && !element.isF16() && !element.isBF16())
    return failure();
  SmallVector<double> out;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (element.isF32()) {
      for (float v : dense.getValues<float>())
        out.push_back(v);
      return out;
    }
    for (const APFloat &v : dense.getValues<APFloat>())
      out.push_back(v.convertToDouble());
    return out;
  }
  if (auto blob = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    std::optional<ArrayRef<float>> data = blob.tryGetAsArrayRef();
    if (!data)
      return failure();
    out.assign(data->begin(), data->end());
    return out;
  }
  // 16-bit blobs have no typed attribute class: read their raw bits.
  if (auto blob = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *handle = blob.getRawHandle().getBlob();
    if (!handle || element.isF32() ||
        handle->getData().size() !=
            2 * static_cast<size_t>(type.getNumElements()))
      return failure();
    ArrayRef<char> bytes = handle->getData();
    auto floatType = cast<FloatType>(element);
    out.reserve(bytes.size() / 2);
    for (size_t i = 0; i < bytes.size(); i += 2) {
      uint16_t bits;
      std::memcpy(&bits, bytes.data() + i, 2);
      out.push_back(bits16ToFloat(bits, floatType));
    }
    return out;
  }
  return failure();
}

Value kiln::createFloatConstant(OpBuilder &builder, Location loc, Value like,
                                RankedTensorType type, ArrayRef<float> values,
                                StringRef blobName, bool preferBlob) {
  Attribute likeAttr;
  if (like)
    (void)matchPattern(like, m_Constant(&likeAttr));
  bool blob =
      like ? likeAttr && isa<DenseResourceElementsAttr>(likeAttr) : preferBlob;
  auto element = cast<FloatType>(type.getElementType());
  TypedAttr attr;
  if (element.isF32()) {
    if (blob)
      attr = cast<TypedAttr>(DenseF32ResourceElementsAttr::get(
          type, blobName,
          HeapAsmResourceBlob::allocateAndCopyInferAlign(values)));
    else
      attr = DenseElementsAttr::get(type, values);
    return builder.create<arith::ConstantOp>(loc, type, attr);
  }
  // 16-bit patterns in host byte order, as the reader above and LLVM's
  // translation of the blob (ConstantDataArray::getRaw) take them.
  SmallVector<uint16_t> bits;
  bits.reserve(values.size());
  for (float v : values)
    bits.push_back(roundToBits16(v, element));
  if (blob) {
    attr = DenseResourceElementsAttr::get(
        type, blobName,
        HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef(bits)));
  } else {
    SmallVector<APFloat> rounded;
    for (uint16_t b : bits)
      rounded.push_back(APFloat(element.getFloatSemantics(), APInt(16, b)));
    attr = DenseElementsAttr::get(type, rounded);
  }
  return builder.create<arith::ConstantOp>(loc, type, attr);
}

FloatType kiln::getWeightElementType(MLIRContext *context,
                                     Precision precision) {
  switch (precision) {
  case Precision::f16:
    return FloatType::getF16(context);
  case Precision::bf16:
    return FloatType::getBF16(context);
  case Precision::f32:
    break;
  }
  return FloatType::getF32(context);
}

namespace {
/// The bytes of a blob constant, if `attr` is one.
std::optional<ArrayRef<char>> blobBytes(Attribute attr) {
  auto blob = dyn_cast_or_null<DenseResourceElementsAttr>(attr);
  if (!blob || !blob.getRawHandle().getBlob())
    return std::nullopt;
  return blob.getRawHandle().getBlob()->getData();
}

uint64_t contentHash(Attribute attr, ArrayRef<char> bytes) {
  return llvm::hash_combine(
      cast<TypedAttr>(attr).getType(),
      llvm::hash_combine_range(bytes.begin(), bytes.end()));
}
} // namespace

Attribute kiln::ConstantCache::lookup(Attribute source) {
  if (Attribute found = byAttribute.lookup(source))
    return found;
  std::optional<ArrayRef<char>> bytes = blobBytes(source);
  if (!bytes)
    return Attribute();
  auto it = byContent.find(contentHash(source, *bytes));
  if (it == byContent.end())
    return Attribute();
  Type type = cast<TypedAttr>(source).getType();
  for (auto &[other, result] : it->second)
    if (cast<TypedAttr>(other).getType() == type && blobBytes(other) == bytes)
      return byAttribute[source] = result;
  return Attribute();
}

void kiln::ConstantCache::insert(Attribute source, Attribute result) {
  byAttribute[source] = result;
  if (std::optional<ArrayRef<char>> bytes = blobBytes(source))
    byContent[contentHash(source, *bytes)].push_back({source, result});
}
