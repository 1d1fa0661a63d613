//===- Constants.cpp - Reading and making float tensor constants ----------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "compiler/Utils/Constants.h"

#include "schema/Float16.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

using namespace mlir;

uint16_t mlir::kiln::roundToBits16(float value, FloatType type,
                                   bool *overflow) {
  if (type.isBF16())
    return ::kiln::floatToBfloat16(value, overflow);
  assert(type.isF16() && "f16 or bf16");
  return ::kiln::floatToHalf(value, overflow);
}

float mlir::kiln::bits16ToFloat(uint16_t bits, FloatType type) {
  if (type.isBF16())
    return ::kiln::bfloat16ToFloat(bits);
  assert(type.isF16() && "f16 or bf16");
  return ::kiln::halfToFloat(bits);
}

FailureOr<SmallVector<double>> mlir::kiln::getConstantValues(Value value) {
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

Value mlir::kiln::createFloatConstant(OpBuilder &builder, Location loc,
                                      Value like, RankedTensorType type,
                                      ArrayRef<float> values,
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

StringRef mlir::kiln::stringifyPrecision(Precision precision) {
  switch (precision) {
  case Precision::f16:
    return "f16";
  case Precision::bf16:
    return "bf16";
  case Precision::f32:
    break;
  }
  return "f32";
}

FloatType mlir::kiln::getWeightElementType(MLIRContext *context,
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

Attribute mlir::kiln::ConstantCache::lookup(Attribute source) {
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

void mlir::kiln::ConstantCache::insert(Attribute source, Attribute result) {
  byAttribute[source] = result;
  if (std::optional<ArrayRef<char>> bytes = blobBytes(source))
    byContent[contentHash(source, *bytes)].push_back({source, result});
}
