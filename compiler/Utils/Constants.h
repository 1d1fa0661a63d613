//===- Constants.h - Reading and making float tensor constants -----*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Weights reach the passes either as `dense_resource` blobs (the importer's
// form, so they never pass through text) or as literal `dense` attributes
// (hand-written tests). Passes that compute with weights at compile time
// (BatchNorm folding, weight packing) read and write both through here.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_UTILS_CONSTANTS_H
#define KILN_COMPILER_UTILS_CONSTANTS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Value.h"
#include "llvm/Support/CommandLine.h"

namespace mlir::kiln {

/// The values of an f32, f16 or bf16 tensor constant (blob or literal), or
/// failure if `value` is not one.
FailureOr<SmallVector<double>> getConstantValues(Value value);

/// A constant of `type` (f32, f16 or bf16 elements) holding `values`, each
/// rounded to the element type to nearest, ties to even: a blob named
/// `blobName` when `like` is defined by a blob constant (or `like` is null
/// and `preferBlob`), else a literal. Callers check the range first: a
/// value beyond the type's largest finite one becomes infinity.
Value createFloatConstant(OpBuilder &builder, Location loc, Value like,
                          RankedTensorType type, ArrayRef<float> values,
                          StringRef blobName, bool preferBlob = false);

/// The bit pattern of `value` rounded to `type` (f16 or bf16; nearest,
/// ties to even), and whether a finite value overflowed to infinity.
uint16_t roundToBits16(float value, FloatType type, bool *overflow = nullptr);

/// The f32 value of an f16 or bf16 bit pattern (exact).
float bits16ToFloat(uint16_t bits, FloatType type);

/// How Dense weights are stored (nn-quantize, kilnc --quantize);
/// arithmetic is f32 in every case.
enum class Precision { f32, f16, bf16 };

/// "f32", "f16" or "bf16" (the --quantize and nn-quantize spelling of
/// 16-bit weights; theirs for f32 is "none").
StringRef stringifyPrecision(Precision precision);

/// The choices of every option that takes a Precision (kilnc --quantize,
/// nn-to-llvm's quantize=, nn-quantize's precision=), spelled once.
inline llvm::cl::ValuesClass getPrecisionValues() {
  return llvm::cl::values(
      clEnumValN(Precision::f32, "none", "f32 weights"),
      clEnumValN(Precision::f16, "f16",
                 "IEEE half: 11 significant bits, |w| <= 65504"),
      clEnumValN(Precision::bf16, "bf16",
                 "bfloat16: 8 significant bits, f32's range"));
}

/// The element type of `precision` in `context`.
FloatType getWeightElementType(MLIRContext *context, Precision precision);

/// What a pass made from a constant, found again for the same constant
/// under another attribute: BatchNorm folding makes a new blob in every
/// function, so the Monte-Carlo entry points (clones of the model
/// function) hold equal weights under different blob names. Blobs are
/// matched by type and bytes, literals by attribute (they are uniqued).
class ConstantCache {
public:
  /// The result recorded for `source` or for an equal constant, or null.
  Attribute lookup(Attribute source);
  void insert(Attribute source, Attribute result);

private:
  DenseMap<Attribute, Attribute> byAttribute;
  /// Blobs by a hash of type and bytes: (source, result) pairs.
  DenseMap<uint64_t, SmallVector<std::pair<Attribute, Attribute>, 1>> byContent;
};

} // namespace mlir::kiln

#endif // KILN_COMPILER_UTILS_CONSTANTS_H
