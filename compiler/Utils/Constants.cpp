//===- Constants.cpp - Reading and making f32 tensor constants ------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "compiler/Utils/Constants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

FailureOr<SmallVector<double>> kiln::getConstantValues(Value value) {
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return failure();
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.getElementType().isF32())
    return failure();
  SmallVector<double> out;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    for (float v : dense.getValues<float>())
      out.push_back(v);
    return out;
  }
  if (auto blob = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    std::optional<ArrayRef<float>> data = blob.tryGetAsArrayRef();
    if (!data)
      return failure();
    out.assign(data->begin(), data->end());
    return out;
  }
  return failure();
}

Value kiln::createF32Constant(OpBuilder &builder, Location loc, Value like,
                              RankedTensorType type, ArrayRef<float> values,
                              StringRef blobName, bool preferBlob) {
  Attribute likeAttr;
  if (like)
    (void)matchPattern(like, m_Constant(&likeAttr));
  bool blob =
      like ? likeAttr && isa<DenseResourceElementsAttr>(likeAttr) : preferBlob;
  TypedAttr attr;
  if (blob)
    attr = cast<TypedAttr>(DenseF32ResourceElementsAttr::get(
        type, blobName,
        HeapAsmResourceBlob::allocateAndCopyInferAlign(values)));
  else
    attr = DenseElementsAttr::get(type, values);
  return builder.create<arith::ConstantOp>(loc, type, attr);
}
