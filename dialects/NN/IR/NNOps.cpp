//===- NNOps.cpp - nn op verifiers ----------------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Shape rules ODS cannot state. A dimension that is dynamic on one side is
// accepted (the batch usually is); two static ones must agree.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/IR/NNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace mlir::nn;

#define GET_OP_CLASSES
#include "dialects/NN/IR/NNOps.cpp.inc"

namespace {
/// Two dimensions are compatible if either is dynamic or they are equal.
bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

std::string dimString(int64_t d) {
  return ShapedType::isDynamic(d) ? "?" : std::to_string(d);
}

/// Checks an optional PReLU slope operand against the activation and the
/// size of the axis it scales.
LogicalResult verifySlope(Operation *op, ActivationKind kind, Value slope,
                          int64_t units) {
  if (kind == ActivationKind::prelu && !slope)
    return op->emitOpError("prelu requires a slope operand");
  if (kind != ActivationKind::prelu && slope)
    return op->emitOpError("slope operand is only allowed with prelu");
  if (slope) {
    int64_t n = cast<RankedTensorType>(slope.getType()).getDimSize(0);
    if (!compatible(n, units))
      return op->emitOpError("slope has ")
             << dimString(n) << " elements, expected " << dimString(units);
  }
  return success();
}
} // namespace

//===----------------------------------------------------------------------===//
// DenseOp
//===----------------------------------------------------------------------===//

ActivationKind DenseOp::getActivationKind() {
  if (std::optional<ActivationAttr> act = getActivation())
    return act->getKind();
  return ActivationKind::identity;
}

LogicalResult DenseOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto weightType = cast<RankedTensorType>(getWeight().getType());
  auto outputType = cast<RankedTensorType>(getOutput().getType());
  Type elementType = inputType.getElementType();
  // f32 layers may keep their weights in 16 bits (nn-quantize): the
  // kernel widens them, exactly, and computes in f32.
  Type weightElement = weightType.getElementType();
  bool narrowWeights =
      elementType.isF32() && (weightElement.isF16() || weightElement.isBF16());
  if ((weightElement != elementType && !narrowWeights) ||
      outputType.getElementType() != elementType ||
      (getBias() &&
       cast<RankedTensorType>(getBias().getType()).getElementType() !=
           elementType))
    return emitOpError("input, weight, bias and output must have the same "
                       "element type (or f32 with f16/bf16 weights)");
  if (weightType.isDynamicDim(0) || weightType.isDynamicDim(1))
    return emitOpError("weight must have a static shape");
  int64_t inputs = weightType.getDimSize(0), units = weightType.getDimSize(1);
  if (!compatible(inputType.getDimSize(1), inputs))
    return emitOpError("input has ")
           << dimString(inputType.getDimSize(1)) << " features, but weight "
           << "expects " << inputs;
  if (!compatible(outputType.getDimSize(1), units))
    return emitOpError("output has ") << dimString(outputType.getDimSize(1))
                                      << " units, but weight has " << units;
  if (!compatible(inputType.getDimSize(0), outputType.getDimSize(0)))
    return emitOpError("output batch size ")
           << dimString(outputType.getDimSize(0))
           << " differs from input batch size "
           << dimString(inputType.getDimSize(0));
  if (Value bias = getBias()) {
    int64_t n = cast<RankedTensorType>(bias.getType()).getDimSize(0);
    if (!compatible(n, units))
      return emitOpError("bias has ")
             << dimString(n) << " elements, expected " << units;
  }
  return verifySlope(*this, getActivationKind(), getSlope(), units);
}

//===----------------------------------------------------------------------===//
// BatchNormOp
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  if (inputType.getRank() < 2)
    return emitOpError("input must have a batch and a feature dimension");
  int64_t features = inputType.getDimSize(inputType.getRank() - 1);
  int64_t n = cast<RankedTensorType>(getGamma().getType()).getDimSize(0);
  if (!compatible(n, features))
    return emitOpError("parameters have ")
           << dimString(n) << " elements, but the last input dimension is "
           << dimString(features);
  float epsilon = getEpsilon().convertToFloat();
  if (!(std::isfinite(epsilon) && epsilon > 0))
    return emitOpError("epsilon must be finite and > 0");
  return success();
}

//===----------------------------------------------------------------------===//
// ActivationOp
//===----------------------------------------------------------------------===//

LogicalResult ActivationOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  if (inputType.getRank() < 1)
    return emitOpError("input must have at least one dimension");
  return verifySlope(*this, getActivation().getKind(), getSlope(),
                     inputType.getDimSize(inputType.getRank() - 1));
}

//===----------------------------------------------------------------------===//
// DropoutOp
//===----------------------------------------------------------------------===//

namespace {
LogicalResult verifyRate(Operation *op, APFloat rateAttr) {
  float rate = rateAttr.convertToFloat();
  if (!(rate >= 0 && rate < 1))
    return op->emitOpError("rate must be in [0, 1), got ") << rate;
  return success();
}
} // namespace

LogicalResult DropoutOp::verify() { return verifyRate(*this, getRate()); }

//===----------------------------------------------------------------------===//
// McDropoutOp
//===----------------------------------------------------------------------===//

namespace {
/// A Monte-Carlo dropout's units (the features of a row, flattened) index
/// its masks: they must be known.
LogicalResult verifyStaticFeatures(Operation *op, RankedTensorType type) {
  if (type.getRank() < 2 ||
      llvm::any_of(type.getShape().drop_front(), ShapedType::isDynamic))
    return op->emitOpError("needs a batch and static feature dimensions, "
                           "got ")
           << type;
  return success();
}
} // namespace

LogicalResult McDropoutOp::verify() {
  // The masks are applied to f32 rows (the trainer's type); a 16-bit model
  // runs its Monte-Carlo passes in f32 after widening.
  auto type = cast<RankedTensorType>(getInput().getType());
  if (!type.getElementType().isF32())
    return emitOpError("needs f32 elements, got ") << type.getElementType();
  if (failed(verifyStaticFeatures(*this, type)))
    return failure();
  return verifyRate(*this, getRate());
}

//===----------------------------------------------------------------------===//
// McDropoutStackOp
//===----------------------------------------------------------------------===//

LogicalResult McDropoutStackOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto outputType = cast<RankedTensorType>(getOutput().getType());
  if (!inputType.getElementType().isF32() ||
      !outputType.getElementType().isF32())
    return emitOpError("needs f32 elements, got ")
           << inputType.getElementType() << " and "
           << outputType.getElementType();
  if (failed(verifyStaticFeatures(*this, inputType)))
    return failure();
  if (outputType.getRank() != inputType.getRank())
    return emitOpError("input and output must have a batch and the same "
                       "feature dimensions");
  // The stacked rows are count × the input's: a dynamic dimension.
  if (!outputType.isDynamicDim(0))
    return emitOpError("output dimension 0 (samples × rows) must be dynamic");
  for (int64_t d = 1; d < inputType.getRank(); ++d)
    if (inputType.getDimSize(d) != outputType.getDimSize(d))
      return emitOpError("output dimension ")
             << d << " is " << dimString(outputType.getDimSize(d))
             << ", but the input's is " << dimString(inputType.getDimSize(d));
  return verifyRate(*this, getRate());
}

//===----------------------------------------------------------------------===//
// FlattenOp
//===----------------------------------------------------------------------===//

LogicalResult FlattenOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto outputType = cast<RankedTensorType>(getOutput().getType());
  if (inputType.getElementType() != outputType.getElementType())
    return emitOpError("input and output element types differ");
  if (inputType.getRank() < 2)
    return emitOpError("input must have a batch and a feature dimension");
  if (!compatible(inputType.getDimSize(0), outputType.getDimSize(0)))
    return emitOpError("flatten must keep the batch dimension");
  int64_t features = 1;
  for (int64_t d : inputType.getShape().drop_front()) {
    if (ShapedType::isDynamic(d))
      return emitOpError("feature dimensions must be static");
    features *= d;
  }
  if (outputType.getDimSize(1) != features)
    return emitOpError("output has ") << dimString(outputType.getDimSize(1))
                                      << " features, expected " << features;
  return success();
}

//===----------------------------------------------------------------------===//
// NormalizeOp
//===----------------------------------------------------------------------===//

LogicalResult NormalizeOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto meanType = cast<RankedTensorType>(getMean().getType());
  if (inputType.getRank() < 2)
    return emitOpError("input must have a batch and a feature dimension");
  if (meanType.getShape() != inputType.getShape().drop_front())
    return emitOpError("mean and std must have the shape of one example "
                       "(the input without its batch dimension)");
  return success();
}
