//===- NNToLinalg.cpp - nn -> linalg on tensors ---------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The reference lowering: straightforward linalg that any backend can take,
// and against which the fast kernels (convert-nn-to-vector: packed weights,
// register blocking) are checked. The activations' arithmetic lives in
// compiler/Utils/NNMath.cpp, shared with those kernels.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/Passes.h"
#include "compiler/Utils/Functions.h"
#include "compiler/Utils/NNMath.h"
#include "compiler/Utils/Philox.h"

#include "dialects/NN/IR/NNOps.h"

#include "kiln/rng.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <limits>

namespace mlir::kiln {
#define GEN_PASS_DEF_CONVERTNNTOLINALGPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::nn;

namespace {

using utils::IteratorType;

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
          loc, type, inputs, kiln::emptyLike(b, loc, x), maps, parallel,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value v = args[0];
            unsigned next = 1;
            if (bias)
              v = nb.create<arith::AddFOp>(nl, v, args[next++]);
            Value s = slope ? args[next] : Value();
            if (act && act.isElementwise())
              v = kiln::buildActivation(nb, nl, act, v, s);
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
    Value zero =
        kiln::floatConstant(rewriter, loc, resultType.getElementType(), 0.0);
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
                        // 16-bit weights widen exactly to f32.
                        Value w = a[1];
                        if (w.getType() != a[0].getType())
                          w = b.create<arith::ExtFOp>(l, a[0].getType(), w);
                        Value p = b.create<arith::MulFOp>(l, a[0], w);
                        b.create<linalg::YieldOp>(
                            l, b.create<arith::AddFOp>(l, a[2], p).getResult());
                      })
                  .getResult(0);
    ActivationAttr act = op.getActivationAttr();
    if (adaptor.getBias() || (act && !act.isIdentity()))
      y = epilogue(rewriter, loc, y, adaptor.getBias(), act,
                   adaptor.getSlope());
    if (act && act.getKind() == ActivationKind::softmax)
      y = kiln::buildSoftmax(rewriter, loc, y);
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
                  ? kiln::buildSoftmax(rewriter, op.getLoc(), x)
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
          loc, type, inputs, kiln::emptyLike(builder, loc, x), maps, parallel,
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
              l, b.create<arith::AddFOp>(l, a[4],
                                         kiln::floatConstant(b, l, t, eps)));
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

/// The body of nn.mc_dropout's private function (see McDropoutOpLowering)
/// in its entry block: arguments (x [rows, ...], seed, sample, rows per
/// sample), x's `units` features per row.
void buildMcDropoutBody(OpBuilder &rewriter, McDropoutOp op,
                        RankedTensorType type, int64_t units,
                        Block &entryBlock) {
  Location loc = op.getLoc();
  unsigned rank = type.getRank();
  Block *entry = &entryBlock;
  Value x = entry->getArgument(0), seed = entry->getArgument(1),
        sample = entry->getArgument(2), perSample = entry->getArgument(3);
  double p = op.getRate().convertToDouble();
  bool alpha = op.getKind() == DropoutKind::alpha;
  // Alpha dropout's affine map (SELU paper; trainer/Dropout.h).
  const double alphaP = -1.0507009873554805 * 1.6732632423543772;
  const double a = 1.0 / std::sqrt((1 - p) * (1 + p * alphaP * alphaP));
  const double bShift = -a * alphaP * p;
  float kept = alpha ? float(a) : float(1.0 / (1.0 - p));
  float shift = float(bShift);
  float dropped = alpha ? float(a * alphaP + bShift) : 0.f;
  uint32_t stream = op.getStream();
  float rate = op.getRate().convertToFloat();
  Type f32 = rewriter.getF32Type();

  // Keep decisions in registers, one sample and one group of 128 units
  // at a time, in kiln_rng_u16_at's layout (kiln/rng.h): 16 Philox
  // blocks side by side in the lanes of four vector<16xi32> words, so
  // half d % 2 of word d / 2 holds the 16 random bits of units
  // 128·g + 16·d .. 128·g + 16·d + 15 in lane order. Unit u is kept
  // iff bits >= ceil(rate·2^16): the trainer's u >= rate for
  // u = bits·2^-16 (rate·2^16 is exact). A group's eight decision
  // vectors then rewrite every row of the sample in place; no mask is
  // stored anywhere. One block per eight units is half the Philox work
  // of 32 bits per unit, which was a quarter of the time of 100
  // samples of fmnist-mlp with dropout before its last two layers.
  constexpr int64_t kLanes = KILN_RNG_U16_LANES, kGroup = KILN_RNG_U16_GROUP;
  static_assert(kGroup == 8 * kLanes, "8 halves of 4 words per lane");
  uint64_t threshold =
      static_cast<uint64_t>(std::ceil(static_cast<double>(rate) * 65536.0));
  assert(threshold <= 65536 && "rate must be below 1");
  assert(units / 8 < (int64_t(1) << 32) && "blocks must fit 32 bits");
  Type i32 = rewriter.getI32Type();
  auto i32Vec = VectorType::get({kLanes}, i32);
  auto f32Vec = VectorType::get({kLanes}, f32);
  auto splatI32 = [&](OpBuilder &b, Location l, uint32_t v) -> Value {
    return b.create<arith::ConstantOp>(
        l, DenseElementsAttr::get(i32Vec, APInt(32, v)));
  };
  auto splatF32 = [&](OpBuilder &b, Location l, float v) -> Value {
    return b.create<arith::ConstantOp>(l, DenseElementsAttr::get(f32Vec, v));
  };
  auto forLoop =
      [](OpBuilder &b, Location l, Value lb, Value ub, Value step, Value init,
         function_ref<Value(OpBuilder &, Location, Value, Value)> body) {
        return b
            .create<scf::ForOp>(
                l, lb, ub, step, ValueRange{init},
                [&](OpBuilder &nb, Location nl, Value iv, ValueRange args) {
                  nb.create<scf::YieldOp>(nl, body(nb, nl, iv, args[0]));
                })
            .getResult(0);
      };
  // x holds `count` = rows / rows_per_sample samples, sample-major.
  Value rows = rewriter.create<tensor::DimOp>(loc, x, 0);
  Value count = rewriter.create<arith::DivUIOp>(loc, rows, perSample);
  Value x2 = x;
  auto flatType = RankedTensorType::get({ShapedType::kDynamic, units}, f32);
  if (rank > 2) {
    ReassociationIndices features;
    for (unsigned d = 1; d < rank; ++d)
      features.push_back(d);
    x2 = rewriter.create<tensor::CollapseShapeOp>(
        loc, flatType, x, SmallVector<ReassociationIndices>{{0}, features});
  }
  // Group g's vectors [0, vectors) of the rows [first, end), the last
  // vector masked to `lastLanes` units when it is short.
  auto group = [&](OpBuilder &b, Location l, Value g, Value sampleIndex,
                   Value first, Value end, int64_t vectors, int64_t lastLanes,
                   Value acc) -> Value {
    SmallVector<int32_t> iota(kLanes);
    for (int64_t lane = 0; lane < kLanes; ++lane)
      iota[lane] = static_cast<int32_t>(lane);
    Value blockBase = b.create<arith::IndexCastUIOp>(
        l, i32,
        b.create<arith::MulIOp>(l, g,
                                b.create<arith::ConstantIndexOp>(l, kLanes)));
    Value blocks = b.create<arith::AddIOp>(
        l, b.create<vector::BroadcastOp>(l, i32Vec, blockBase),
        b.create<arith::ConstantOp>(
            l, DenseElementsAttr::get(i32Vec, ArrayRef<int32_t>(iota))));
    std::array<Value, 4> words = kiln::buildPhilox(
        b, l, seed, stream, sampleIndex, blocks,
        b.create<arith::ConstantOp>(l, b.getI32IntegerAttr(0)));
    SmallVector<Value> keeps, scales;
    for (int64_t d = 0; d < vectors; ++d) {
      Value bits =
          d % 2
              ? b.create<arith::ShRUIOp>(l, words[d / 2], splatI32(b, l, 16))
                    .getResult()
              : b.create<arith::AndIOp>(l, words[d / 2], splatI32(b, l, 0xFFFF))
                    .getResult();
      Value keep = b.create<arith::CmpIOp>(
          l, arith::CmpIPredicate::uge, bits,
          splatI32(b, l, static_cast<uint32_t>(threshold)));
      keeps.push_back(keep);
      // Standard dropout multiplies by kept-or-0, as the trainer's
      // mask product does (bitwise the same, NaN and signed zeros
      // included).
      if (!alpha)
        scales.push_back(b.create<arith::SelectOp>(
            l, keep, splatF32(b, l, kept), splatF32(b, l, 0.f)));
    }
    Value padding = kiln::floatConstant(b, l, f32, 0.0);
    Value c1 = b.create<arith::ConstantIndexOp>(l, 1);
    return forLoop(
        b, l, first, end, c1, acc,
        [&](OpBuilder &rb, Location rl, Value r, Value acc) {
          for (int64_t d = 0; d < vectors; ++d) {
            Value col = rb.create<arith::AddIOp>(
                rl,
                rb.create<arith::MulIOp>(
                    rl, g, rb.create<arith::ConstantIndexOp>(rl, kGroup)),
                rb.create<arith::ConstantIndexOp>(rl, d * kLanes));
            bool inBounds = d + 1 < vectors || lastLanes == kLanes;
            Value v = rb.create<vector::TransferReadOp>(
                rl, f32Vec, acc, ValueRange{r, col}, padding,
                ArrayRef<bool>{inBounds});
            Value y;
            if (alpha) {
              // Alpha dropout's affine map where kept, its constant
              // where dropped, as the trainer selects.
              Value t = rb.create<arith::AddFOp>(
                  rl, rb.create<arith::MulFOp>(rl, v, splatF32(rb, rl, kept)),
                  splatF32(rb, rl, shift));
              y = rb.create<arith::SelectOp>(rl, keeps[d], t,
                                             splatF32(rb, rl, dropped));
            } else {
              y = rb.create<arith::MulFOp>(rl, v, scales[d]);
            }
            acc = rb.create<vector::TransferWriteOp>(rl, y, acc,
                                                     ValueRange{r, col},
                                                     ArrayRef<bool>{inBounds})
                      .getResult();
          }
          return acc;
        });
  };
  int64_t fullGroups = units / kGroup, tailUnits = units % kGroup;
  Value c0 = rewriter.create<arith::ConstantIndexOp>(loc, 0);
  Value c1 = rewriter.create<arith::ConstantIndexOp>(loc, 1);
  Value y = forLoop(
      rewriter, loc, c0, count, c1, x2,
      [&](OpBuilder &b, Location l, Value s, Value acc) {
        Value sampleIndex = b.create<arith::AddIOp>(
            l, sample, b.create<arith::IndexCastUIOp>(l, i32, s));
        Value first = b.create<arith::MulIOp>(l, s, perSample);
        Value end = b.create<arith::AddIOp>(l, first, perSample);
        if (fullGroups > 0)
          acc = forLoop(b, l, b.create<arith::ConstantIndexOp>(l, 0),
                        b.create<arith::ConstantIndexOp>(l, fullGroups),
                        b.create<arith::ConstantIndexOp>(l, 1), acc,
                        [&](OpBuilder &gb, Location gl, Value g, Value acc) {
                          return group(gb, gl, g, sampleIndex, first, end,
                                       kGroup / kLanes, kLanes, acc);
                        });
        if (tailUnits > 0) {
          int64_t lastLanes = tailUnits % kLanes;
          acc = group(b, l, b.create<arith::ConstantIndexOp>(l, fullGroups),
                      sampleIndex, first, end,
                      llvm::divideCeil(tailUnits, kLanes),
                      lastLanes ? lastLanes : kLanes, acc);
        }
        return acc;
      });
  if (rank > 2) {
    ReassociationIndices features;
    SmallVector<OpFoldResult> shape{rows};
    for (unsigned d = 1; d < rank; ++d) {
      features.push_back(d);
      shape.push_back(rewriter.getIndexAttr(type.getDimSize(d)));
    }
    y = rewriter.create<tensor::ExpandShapeOp>(
        loc, type, y, SmallVector<ReassociationIndices>{{0}, features}, shape);
  }
  rewriter.create<func::ReturnOp>(loc, y);
}

/// nn.mc_dropout -> a call of a private function that loops over the
/// samples in its input and, per sample, over groups of 128 units: the
/// keep decisions of a group (the runtime's kiln_rng_u16_at(seed, stream,
/// sample, unit)·2^-16 >= rate, Philox rebuilt in arith by
/// compiler/Utils/Philox.cpp) are computed once in vector registers and
/// applied to every row of the sample in place, as the trainer's Dropout
/// does (trainer/Dropout.cpp).
struct McDropoutOpLowering : public OpConversionPattern<McDropoutOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(McDropoutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    unsigned rank = type.getRank();
    // Units: the features of a row, flattened row-major as the trainer's
    // matrices hold them.
    if (rank < 2 ||
        llvm::any_of(type.getShape().drop_front(), ShapedType::isDynamic))
      return rewriter.notifyMatchFailure(op, "needs static features");
    int64_t units = 1;
    for (int64_t d : type.getShape().drop_front())
      units *= d;
    // One private function per dropout layer (shape, rate, kind, stream):
    // the Monte-Carlo functions (@F_mc, @F_mc_samples) share it, which
    // halves the Philox code LLVM compiles. Its input is its destination
    // too (`bufferization.writable`): a dropout's input is never read again.
    ModuleOp module = op->getParentOfType<ModuleOp>();
    std::string key;
    llvm::raw_string_ostream os(key);
    // The rate by its bits: printed as a double it keeps 6 digits, and two
    // rates equal to 6 digits would share a function.
    os << type << op.getRate().bitcastToAPInt().getZExtValue() << " "
       << int(op.getKind()) << " " << op.getStream();
    SmallVector<Type> argTypes{type, rewriter.getI64Type(),
                               rewriter.getI32Type(), rewriter.getIndexType()};
    // Never inlined: kiln-allocs-to-stack counts the deepest callee's
    // frame, not the sum that several inlined dropout frames could take.
    auto fn = kiln::getOrCreatePrivateFunction(
        rewriter, module, loc,
        llvm::formatv("__kiln_mc_dropout_{0}", op.getStream()).str(), os.str(),
        rewriter.getFunctionType(argTypes, {type}),
        /*writableArg=*/0, [&](OpBuilder &b, Block &entry) {
          buildMcDropoutBody(b, op, type, units, entry);
        });
    Value y = rewriter
                  .create<func::CallOp>(loc, fn,
                                        ValueRange{x, adaptor.getSeed(),
                                                   adaptor.getSample(),
                                                   adaptor.getRowsPerSample()})
                  .getResult(0);
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
                           math::MathDialect, scf::SCFDialect,
                           tensor::TensorDialect, func::FuncDialect,
                           vector::VectorDialect>();
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
               NormalizeOpLowering, FlattenOpLowering, McDropoutOpLowering>(
      patterns.getContext());
}
