//===- NNMath.h - Activations and softmax in arith/math/linalg ---*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// One definition of each activation's arithmetic, shared by the reference
// lowering (scalars inside linalg.generic bodies) and the vector kernels
// (whole vector<Nxf32> accumulators), so the two cannot drift apart.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_UTILS_NNMATH_H
#define KILN_COMPILER_UTILS_NNMATH_H

#include "dialects/NN/IR/NNAttrs.h"

#include "mlir/IR/Builders.h"

namespace mlir::kiln {

/// The constant `v` of float type `type`, or its splat if `type` is a vector
/// of floats.
Value floatConstant(OpBuilder &b, Location loc, Type type, double v);

/// The constant of integer type `type` (or its splat if `type` is a vector
/// of integers) whose bits are the low bits of `bits`.
Value intConstant(OpBuilder &b, Location loc, Type type, uint64_t bits);

/// The vector [0, 1, ..., n − 1] of `type`, a vector of n i32.
Value laneIndices(OpBuilder &b, Location loc, VectorType type);

/// `dest` with `src` copied into its slice at `offsets` of `sizes` (unit
/// strides), as linalg.copy into the extracted slice, inserted back: one
/// loop once bufferized, in place, where a tensor.insert_slice of `src`
/// would become a memref.copy between strided views (a call to the MLIR
/// runner's memrefCopy, which a kilnc library does not link).
Value copyIntoSlice(OpBuilder &b, Location loc, Value src, Value dest,
                    ArrayRef<OpFoldResult> offsets,
                    ArrayRef<OpFoldResult> sizes);

/// tensor.empty with the shape of `like` (dynamic sizes read from `like`),
/// optionally without its last dimension.
Value emptyLike(OpBuilder &b, Location loc, Value like, bool dropLast = false);

/// expm1(x) for a float or a vector of floats, within 1 ulp for x ≤ 0
/// (0.87 ulp at most over every f32 from −20 to −1e-30 in a C replica
/// against expm1 in double; test/Conversion/NNToVector/elu-ulp.mlir checks
/// the compiled code against libm) and cheaper than math.expm1 once
/// approximated (see NNMath.cpp). x is clamped to [−87, 88].
Value buildExpm1(OpBuilder &b, Location loc, Value x);

/// Applies the elementwise activation `act` to `x`, a float or a vector of
/// floats; `slope` is PReLU's slope of the same type (null otherwise).
Value buildActivation(OpBuilder &b, Location loc, nn::ActivationAttr act,
                      Value x, Value slope);

/// What a dropout layer of `rate` and `kind` does to an input x in
/// training (and in Monte-Carlo sampling): a kept unit becomes
/// kept·x + shift, a dropped one the constant `dropped`.
///   standard: kept = 1/(1 − rate), shift = 0, dropped = 0;
///   alpha (SELU paper; trainer/Dropout.h), with α' = −λα:
///     kept = a = ((1 − rate)(1 + rate·α'^2))^-1/2, shift = −a·α'·rate,
///     dropped = a·α' + shift.
struct DropoutMap {
  double kept, shift, dropped;
};
DropoutMap getDropoutMap(float rate, nn::DropoutKind kind);

/// Softmax over the last axis of the tensor `y` (any rank >= 1), as linalg.
Value buildSoftmax(OpBuilder &b, Location loc, Value y);

} // namespace mlir::kiln

#endif // KILN_COMPILER_UTILS_NNMATH_H
