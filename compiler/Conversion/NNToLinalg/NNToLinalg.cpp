//===- NNToLinalg.cpp - nn -> linalg on tensors ---------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The reference lowering: straightforward linalg that any backend can take,
// and against which the fast kernels (packed weights, register blocking) are
// checked. Every activation is written out in arith/math so the numerics are
// visible here:
//   sigmoid(x) = 1 / (1 + e^-x)             (e^-x -> inf gives 0, no NaN)
//   elu(x)     = x > 0 ? x : α·expm1(x)     (expm1 is exact near 0)
//   selu(x)    = λ·elu_α(x)
//   gelu(x)    = x/2 · (1 + erf(x/√2))      (the exact form Keras/PyTorch use)
//   swish(x)   = x · sigmoid(x)
//   rrelu      = leaky_relu with slope (lower + upper)/2 at inference
//   softmax(x) = e^(x - max x) / Σ e^(x - max x) over the last axis
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/Passes.h"

#include "dialects/NN/IR/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

namespace mlir::kiln {
#define GEN_PASS_DEF_CONVERTNNTOLINALGPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::nn;

namespace {

using utils::IteratorType;

Value floatConst(OpBuilder &b, Location loc, Type type, double v) {
  return b.create<arith::ConstantOp>(loc, type, b.getFloatAttr(type, v));
}

/// tensor.empty with the shape of `like` (dynamic sizes read from `like`),
/// optionally without its last dimension.
Value emptyLike(OpBuilder &b, Location loc, Value like, bool dropLast = false) {
  auto type = cast<RankedTensorType>(like.getType());
  SmallVector<OpFoldResult> sizes;
  int64_t rank = type.getRank() - (dropLast ? 1 : 0);
  for (int64_t i = 0; i < rank; ++i) {
    if (type.isDynamicDim(i))
      sizes.push_back(b.create<tensor::DimOp>(loc, like, i).getResult());
    else
      sizes.push_back(b.getIndexAttr(type.getDimSize(i)));
  }
  return b.create<tensor::EmptyOp>(loc, sizes, type.getElementType());
}

/// Applies an elementwise activation to the scalar `x`; `slope` is PReLU's
/// per-unit slope (null otherwise).
Value activationScalar(OpBuilder &b, Location loc, ActivationAttr act, Value x,
                       Value slope) {
  Type t = x.getType();
  Value zero = floatConst(b, loc, t, 0.0);
  Value one = floatConst(b, loc, t, 1.0);
  auto positive = [&]() {
    return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x, zero);
  };
  auto leaky = [&](Value a) -> Value {
    Value ax = b.create<arith::MulFOp>(loc, a, x);
    return b.create<arith::SelectOp>(loc, positive(), x, ax);
  };
  auto sigmoid = [&](Value v) -> Value {
    Value e = b.create<math::ExpOp>(loc, b.create<arith::NegFOp>(loc, v));
    return b.create<arith::DivFOp>(loc, one,
                                   b.create<arith::AddFOp>(loc, one, e));
  };
  auto elu = [&](double alpha) -> Value {
    Value neg = b.create<arith::MulFOp>(loc, floatConst(b, loc, t, alpha),
                                        b.create<math::ExpM1Op>(loc, x));
    return b.create<arith::SelectOp>(loc, positive(), x, neg);
  };
  switch (act.getKind()) {
  case ActivationKind::identity:
    return x;
  case ActivationKind::relu:
    return b.create<arith::MaximumFOp>(loc, x, zero);
  case ActivationKind::leaky_relu:
    return leaky(floatConst(b, loc, t, *act.getAlphaValue()));
  case ActivationKind::rrelu:
    return leaky(floatConst(b, loc, t,
                            (*act.getLowerValue() + *act.getUpperValue()) / 2));
  case ActivationKind::prelu:
    return leaky(slope);
  case ActivationKind::elu:
    return elu(*act.getAlphaValue());
  case ActivationKind::selu:
    return b.create<arith::MulFOp>(loc,
                                   floatConst(b, loc, t, *act.getScaleValue()),
                                   elu(*act.getAlphaValue()));
  case ActivationKind::sigmoid:
    return sigmoid(x);
  case ActivationKind::tanh:
    return b.create<math::TanhOp>(loc, x);
  case ActivationKind::gelu: {
    Value scaled =
        b.create<arith::MulFOp>(loc, x, floatConst(b, loc, t, M_SQRT1_2));
    Value erf = b.create<math::ErfOp>(loc, scaled);
    Value halfX = b.create<arith::MulFOp>(loc, x, floatConst(b, loc, t, 0.5));
    return b.create<arith::MulFOp>(loc, halfX,
                                   b.create<arith::AddFOp>(loc, one, erf));
  }
  case ActivationKind::swish:
    return b.create<arith::MulFOp>(loc, x, sigmoid(x));
  case ActivationKind::softmax:
    break;
  }
  llvm_unreachable("softmax is not elementwise");
}

/// Softmax over the last axis of `y` (any rank >= 1).
Value softmaxLastAxis(OpBuilder &b, Location loc, Value y) {
  auto type = cast<RankedTensorType>(y.getType());
  unsigned rank = type.getRank();
  Type et = type.getElementType();
  AffineMap full = b.getMultiDimIdentityMap(rank);
  AffineMap reduced = full.dropResult(rank - 1);
  SmallVector<IteratorType> reduceIters(rank, IteratorType::parallel);
  reduceIters.back() = IteratorType::reduction;
  SmallVector<IteratorType> parallel(rank, IteratorType::parallel);

  auto reduce = [&](Value input, double init, bool isMax) {
    Value acc = emptyLike(b, loc, y, /*dropLast=*/true);
    acc = b.create<linalg::FillOp>(loc, floatConst(b, loc, et, init), acc)
              .getResult(0);
    return b
        .create<linalg::GenericOp>(
            loc, acc.getType(), input, acc, ArrayRef<AffineMap>{full, reduced},
            reduceIters,
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value r = isMax
                            ? nb.create<arith::MaximumFOp>(nl, args[0], args[1])
                                  .getResult()
                            : nb.create<arith::AddFOp>(nl, args[0], args[1])
                                  .getResult();
              nb.create<linalg::YieldOp>(nl, r);
            })
        .getResult(0);
  };
  auto elementwise = [&](Value a, Value rowValue, bool isExp) {
    return b
        .create<linalg::GenericOp>(
            loc, type, ValueRange{a, rowValue}, emptyLike(b, loc, y),
            ArrayRef<AffineMap>{full, reduced, full}, parallel,
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value r =
                  isExp ? nb.create<math::ExpOp>(nl, nb.create<arith::SubFOp>(
                                                         nl, args[0], args[1]))
                              .getResult()
                        : nb.create<arith::DivFOp>(nl, args[0], args[1])
                              .getResult();
              nb.create<linalg::YieldOp>(nl, r);
            })
        .getResult(0);
  };
  Value max = reduce(y, -std::numeric_limits<double>::infinity(), true);
  Value exps = elementwise(y, max, /*isExp=*/true);
  Value sum = reduce(exps, 0.0, false);
  return elementwise(exps, sum, /*isExp=*/false);
}

/// One generic over `x` applying an optional bias (last axis), then an
/// elementwise activation with optional slope (last axis).
Value epilogue(OpBuilder &b, Location loc, Value x, Value bias,
               ActivationAttr act, Value slope) {
  auto type = cast<RankedTensorType>(x.getType());
  unsigned rank = type.getRank();
  AffineMap full = b.getMultiDimIdentityMap(rank);
  AffineMap last = AffineMap::get(rank, 0, b.getAffineDimExpr(rank - 1));
  SmallVector<Value> inputs{x};
  SmallVector<AffineMap> maps{full};
  if (bias) {
    inputs.push_back(bias);
    maps.push_back(last);
  }
  if (slope) {
    inputs.push_back(slope);
    maps.push_back(last);
  }
  maps.push_back(full);
  SmallVector<IteratorType> parallel(rank, IteratorType::parallel);
  return b
      .create<linalg::GenericOp>(
          loc, type, inputs, emptyLike(b, loc, x), maps, parallel,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value v = args[0];
            unsigned next = 1;
            if (bias)
              v = nb.create<arith::AddFOp>(nl, v, args[next++]);
            Value s = slope ? args[next] : Value();
            if (act && act.isElementwise())
              v = activationScalar(nb, nl, act, v, s);
            nb.create<linalg::YieldOp>(nl, v);
          })
      .getResult(0);
}

/// nn.dense -> fill + matmul + epilogue (+ softmax).
struct DenseOpLowering : public OpConversionPattern<DenseOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DenseOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Value x = adaptor.getInput();
    SmallVector<Value> dynamicSizes;
    if (resultType.isDynamicDim(0))
      dynamicSizes.push_back(rewriter.create<tensor::DimOp>(loc, x, 0));
    Value init = rewriter.create<tensor::EmptyOp>(
        loc, resultType.getShape(), resultType.getElementType(), dynamicSizes);
    Value zero = floatConst(rewriter, loc, resultType.getElementType(), 0.0);
    Value filled =
        rewriter.create<linalg::FillOp>(loc, zero, init).getResult(0);
    // y[i, j] += x[i, k] · w[k, j] as a generic whose loops run (i, k, j):
    // linalg.matmul lowers to (i, j, k), where the innermost loop strides
    // through the [in][out] weights by `out` floats. With j innermost it
    // walks one weight row and one output row contiguously, which LLVM
    // vectorizes.
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr i = getAffineDimExpr(0, ctx), k = getAffineDimExpr(1, ctx),
               j = getAffineDimExpr(2, ctx);
    SmallVector<AffineMap> maps{AffineMap::get(3, 0, {i, k}, ctx),
                                AffineMap::get(3, 0, {k, j}, ctx),
                                AffineMap::get(3, 0, {i, j}, ctx)};
    SmallVector<IteratorType> iterators{IteratorType::parallel,
                                        IteratorType::reduction,
                                        IteratorType::parallel};
    Value y = rewriter
                  .create<linalg::GenericOp>(
                      loc, resultType, ValueRange{x, adaptor.getWeight()},
                      filled, maps, iterators,
                      [](OpBuilder &b, Location l, ValueRange a) {
                        Value p = b.create<arith::MulFOp>(l, a[0], a[1]);
                        b.create<linalg::YieldOp>(
                            l, b.create<arith::AddFOp>(l, a[2], p).getResult());
                      })
                  .getResult(0);
    ActivationAttr act = op.getActivationAttr();
    if (adaptor.getBias() || (act && !act.isIdentity()))
      y = epilogue(rewriter, loc, y, adaptor.getBias(), act,
                   adaptor.getSlope());
    if (act && act.getKind() == ActivationKind::softmax)
      y = softmaxLastAxis(rewriter, loc, y);
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// nn.activation -> one elementwise generic, or the softmax sequence.
struct ActivationOpLowering : public OpConversionPattern<ActivationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ActivationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ActivationAttr act = op.getActivation();
    Value x = adaptor.getInput();
    Value y = act.getKind() == ActivationKind::softmax
                  ? softmaxLastAxis(rewriter, op.getLoc(), x)
                  : epilogue(rewriter, op.getLoc(), x, Value(), act,
                             adaptor.getSlope());
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// One parallel generic over `x` (identity map) that also reads `params`
/// through `paramMap`; `body` receives (x, params...) and yields the result.
Value mapWithParams(
    OpBuilder &builder, Location loc, Value x, ValueRange params,
    AffineMap paramMap,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  auto type = cast<RankedTensorType>(x.getType());
  AffineMap full = builder.getMultiDimIdentityMap(type.getRank());
  SmallVector<Value> inputs{x};
  inputs.append(params.begin(), params.end());
  SmallVector<AffineMap> maps{full};
  maps.append(params.size(), paramMap);
  maps.push_back(full);
  SmallVector<IteratorType> parallel(type.getRank(), IteratorType::parallel);
  return builder
      .create<linalg::GenericOp>(
          loc, type, inputs, emptyLike(builder, loc, x), maps, parallel,
          [&](OpBuilder &b, Location l, ValueRange args) {
            b.create<linalg::YieldOp>(l, body(b, l, args.drop_back()));
          })
      .getResult(0);
}

/// nn.batch_norm -> gamma·(x − mean)/sqrt(var + eps) + beta per last-axis
/// feature, in one generic.
struct BatchNormOpLowering : public OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value x = adaptor.getInput();
    unsigned rank = cast<RankedTensorType>(x.getType()).getRank();
    AffineMap last =
        AffineMap::get(rank, 0, rewriter.getAffineDimExpr(rank - 1));
    double eps = op.getEpsilon().convertToDouble();
    Value y = mapWithParams(
        rewriter, op.getLoc(), x,
        {adaptor.getGamma(), adaptor.getBeta(), adaptor.getMean(),
         adaptor.getVariance()},
        last, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          // a = (x, gamma, beta, mean, variance)
          Type t = a[0].getType();
          Value centered = b.create<arith::SubFOp>(l, a[0], a[3]);
          Value denom = b.create<math::SqrtOp>(
              l, b.create<arith::AddFOp>(l, a[4], floatConst(b, l, t, eps)));
          Value norm = b.create<arith::DivFOp>(l, centered, denom);
          Value scaled = b.create<arith::MulFOp>(l, a[1], norm);
          return b.create<arith::AddFOp>(l, scaled, a[2]);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// nn.normalize -> (x − mean)/std, mean/std indexed without the batch dim.
struct NormalizeOpLowering : public OpConversionPattern<NormalizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(NormalizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value x = adaptor.getInput();
    unsigned rank = cast<RankedTensorType>(x.getType()).getRank();
    AffineMap features = rewriter.getMultiDimIdentityMap(rank).dropResult(0);
    Value y = mapWithParams(
        rewriter, op.getLoc(), x, {adaptor.getMean(), adaptor.getStd()},
        features, [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value centered = b.create<arith::SubFOp>(l, a[0], a[1]);
          return b.create<arith::DivFOp>(l, centered, a[2]);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// nn.flatten -> tensor.collapse_shape [[0], [1, ..., n-1]].
struct FlattenOpLowering : public OpConversionPattern<FlattenOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FlattenOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(adaptor.getInput().getType());
    ReassociationIndices features;
    for (int64_t i = 1; i < type.getRank(); ++i)
      features.push_back(i);
    SmallVector<ReassociationIndices> groups{{0}, features};
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, op.getType(), adaptor.getInput(), groups);
    return success();
  }
};

struct ConvertNNToLinalgPass
    : public kiln::impl::ConvertNNToLinalgPassBase<ConvertNNToLinalgPass> {
  void runOnOperation() override {
    // Say why dropout cannot be lowered here rather than letting the
    // conversion report a bare "failed to legalize".
    WalkResult dropout = getOperation().walk([](DropoutOp op) {
      op.emitOpError("cannot be lowered by convert-nn-to-linalg: run "
                     "nn-strip-dropout for deterministic inference");
      return WalkResult::interrupt();
    });
    if (dropout.wasInterrupted())
      return signalPassFailure();

    ConversionTarget target(getContext());
    target.addIllegalDialect<NNDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect,
                           func::FuncDialect>();
    RewritePatternSet patterns(&getContext());
    kiln::populateNNToLinalgConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::kiln::populateNNToLinalgConversionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<DenseOpLowering, ActivationOpLowering, BatchNormOpLowering,
               NormalizeOpLowering, FlattenOpLowering>(patterns.getContext());
}
