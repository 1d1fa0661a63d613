//===- Quantize.cpp - nn-quantize: 16-bit Dense weights, f32 arithmetic ---===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Each f32 weight w becomes q = round_nearest_even(w) in the target format.
// With p significant bits (f16: 11, bf16: 8) and w in the format's normal
// range, |q − w| ≤ 2^-p·|w|; in f16's subnormal range (|w| < 2^-14) the
// error is at most half a subnormal step, 2^-25, absolute. The kernels widen
// q to f32 exactly, so a layer output y = Σ_k x_k·w_k changes by at most
// 2^-p·Σ_k |x_k·w_k| (+ 2^-25·Σ_k |x_k| for f16 subnormals), on top of the
// f32 rounding it already had.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"
#include "compiler/Utils/Constants.h"

#include "dialects/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"

#include "llvm/ADT/DenseMap.h"

#include "llvm/Support/Format.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_QUANTIZEPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// `v` as printf's %.9g: enough digits to read back the same float.
std::string number(double v) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("%.9g", v);
  return os.str();
}

struct QuantizePass : public kiln::impl::QuantizePassBase<QuantizePass> {
  using QuantizePassBase::QuantizePassBase;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    FloatType target = kiln::getWeightElementType(ctx, precision);
    if (target.isF32())
      return;
    const llvm::fltSemantics &semantics = target.getFloatSemantics();
    StringRef typeName = kiln::stringifyPrecision(precision);

    // A weight used by several Dense ops is converted once; so is one
    // weight in several functions (the Monte-Carlo entry points are clones
    // of the model function), which keeps one 16-bit copy of it.
    llvm::DenseMap<Value, Value> converted;
    kiln::ConstantCache cache;
    WalkResult result = getOperation().walk([&](nn::DenseOp dense) {
      Value weight = dense.getWeight();
      auto weightType = cast<RankedTensorType>(weight.getType());
      auto inputType = cast<RankedTensorType>(dense.getInput().getType());
      if (!weightType.getElementType().isF32() ||
          !inputType.getElementType().isF32())
        return WalkResult::advance();
      if (Value done = converted.lookup(weight)) {
        dense.getWeightMutable().assign(done);
        return WalkResult::advance();
      }
      // Weights that are not constants (function arguments) are left f32:
      // there is nothing to round at compile time.
      Attribute weightAttr;
      if (!matchPattern(weight, m_Constant(&weightAttr)))
        return WalkResult::advance();
      OpBuilder builder(ctx);
      builder.setInsertionPointAfterValue(weight);
      Value q;
      if (Attribute done = cache.lookup(weightAttr)) {
        q = builder.create<arith::ConstantOp>(weight.getLoc(),
                                              cast<TypedAttr>(done));
      } else {
        FailureOr<SmallVector<double>> values = kiln::getConstantValues(weight);
        if (failed(values))
          return WalkResult::advance();
        int64_t units = weightType.getDimSize(1);
        SmallVector<float> floats;
        floats.reserve(values->size());
        for (auto [i, v] : llvm::enumerate(*values)) {
          bool overflow = false;
          (void)kiln::roundToBits16(static_cast<float>(v), target, &overflow);
          if (overflow) {
            InFlightDiagnostic diag =
                dense.emitError("weight [")
                << static_cast<int64_t>(i) / units << "]["
                << static_cast<int64_t>(i) % units << "] = " << number(v)
                << " is beyond the range of " << typeName << " (largest "
                << number(APFloat::getLargest(semantics).convertToDouble())
                << ")";
            if (precision == kiln::Precision::f16)
              diag << "; keep f32 weights or use bf16";
            return WalkResult::interrupt();
          }
          floats.push_back(static_cast<float>(v));
        }
        auto newType = RankedTensorType::get(weightType.getShape(), target);
        q = kiln::createFloatConstant(builder, weight.getLoc(), weight, newType,
                                      floats, "quantized");
        Attribute qAttr;
        if (matchPattern(q, m_Constant(&qAttr)))
          cache.insert(weightAttr, qAttr);
      }
      converted[weight] = q;
      dense.getWeightMutable().assign(q);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    // The f32 originals are dead now (unless something else reads them).
    for (auto [old, q] : converted)
      if (old.use_empty())
        old.getDefiningOp()->erase();
  }
};

} // namespace
