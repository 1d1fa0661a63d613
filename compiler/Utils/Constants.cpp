//===- Constants.cpp - Reading and making float tensor constants
//------------===//
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
    const llvm::fltSemantics &semantics =
        cast<FloatType>(element).getFloatSemantics();
    for (size_t i = 0; i < bytes.size(); i += 2) {
      uint16_t bits;
      std::memcpy(&bits, bytes.data() + i, 2);
      out.push_back(APFloat(semantics, APInt(16, bits)).convertToDouble());
    }
    return out;
  }
  return failure();
}

APFloat kiln::roundToType(float value, FloatType type, bool *overflow) {
  APFloat v(value);
  bool losesInfo = false;
  APFloat::opStatus status = v.convert(
      type.getFloatSemantics(), APFloat::rmNearestTiesToEven, &losesInfo);
  if (overflow)
    *overflow = (status & APFloat::opOverflow) != 0;
  return v;
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
  SmallVector<APFloat> rounded;
  rounded.reserve(values.size());
  for (float v : values)
    rounded.push_back(roundToType(v, element));
  if (blob) {
    // Little-endian 16-bit patterns, the layout LLVM's constant of the
    // tensor's element type takes.
    SmallVector<uint16_t> bits;
    bits.reserve(rounded.size());
    for (const APFloat &v : rounded)
      bits.push_back(static_cast<uint16_t>(v.bitcastToAPInt().getZExtValue()));
    attr = DenseResourceElementsAttr::get(
        type, blobName,
        HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef(bits)));
  } else {
    attr = DenseElementsAttr::get(type, rounded);
  }
  return builder.create<arith::ConstantOp>(loc, type, attr);
}
