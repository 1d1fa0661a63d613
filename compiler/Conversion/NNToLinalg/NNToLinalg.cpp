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

/// The body of nn.mc_dropout's private function for dropouts of `rate` and
/// `kind` (see McDropoutOpLowering), in its entry block: arguments x
/// [rows, units], seed, the first sample, rows per sample and the layer's
/// stream; `philoxGroup` computes a group's random bits
/// (kiln::getOrCreatePhiloxGroupFunction).
void buildMcDropoutBody(OpBuilder &rewriter, Location loc, float rate,
                        DropoutKind kind, func::FuncOp philoxGroup,
                        Block &entry) {
  Value x = entry.getArgument(0), seed = entry.getArgument(1),
        sample = entry.getArgument(2), perSample = entry.getArgument(3),
        stream = entry.getArgument(4);
  bool alpha = kind == DropoutKind::alpha;
  kiln::DropoutMap map = kiln::getDropoutMap(rate, kind);
  float kept = float(map.kept);
  float shift = float(map.shift);
  float dropped = float(map.dropped);
  Type f32 = rewriter.getF32Type();

  // Keep decisions in registers, one sample and one group of 128 units at
  // a time (kiln::buildKeepMasks: 16 bits of the runtime's Philox per
  // unit, kept iff at least ceil(rate·2^16)). A group's eight decision
  // vectors then rewrite every row of the sample in place; no mask is
  // stored anywhere. One block per eight units is half the Philox work of
  // 32 bits per unit, which was a quarter of the time of 100 samples of
  // fmnist-mlp with dropout before its last two layers. Units past the
  // last are masked off every read and write (the last group's padding is
  // computed, never stored), so one loop serves every width: the function
  // is shared by all dropout layers of one rate and kind, and calls the
  // module's one Philox function (kiln::getOrCreatePhiloxGroupFunction).
  constexpr int64_t kLanes = KILN_RNG_U16_LANES, kGroup = KILN_RNG_U16_GROUP;
  static_assert(kGroup == 8 * kLanes, "8 halves of 4 words per lane");
  Type i32 = rewriter.getI32Type();
  auto f32Vec = VectorType::get({kLanes}, f32);
  auto splatF32 = [&](OpBuilder &b, Location l, float v) -> Value {
    return b.create<arith::ConstantOp>(l, DenseElementsAttr::get(f32Vec, v));
  };
  auto index = [](OpBuilder &b, Location l, int64_t v) -> Value {
    return b.create<arith::ConstantIndexOp>(l, v);
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
  // x holds `count` = rows / rows_per_sample samples, sample-major; its
  // units make ⌈units/128⌉ groups. (Blocks fit 32 bits below 2^35 units,
  // far beyond any tensor the loader accepts.)
  Value rows = rewriter.create<tensor::DimOp>(loc, x, 0);
  Value units = rewriter.create<tensor::DimOp>(loc, x, 1);
  Value count = rewriter.create<arith::DivUIOp>(loc, rows, perSample);
  Value groups = rewriter.create<arith::DivUIOp>(
      loc,
      rewriter.create<arith::AddIOp>(loc, units,
                                     index(rewriter, loc, kGroup - 1)),
      index(rewriter, loc, kGroup));
  Value c0 = index(rewriter, loc, 0), c1 = index(rewriter, loc, 1);
  Value y = forLoop(
      rewriter, loc, c0, count, c1, x,
      [&](OpBuilder &b, Location l, Value s, Value acc) {
        Value sampleIndex = b.create<arith::AddIOp>(
            l, sample, b.create<arith::IndexCastUIOp>(l, i32, s));
        Value first = b.create<arith::MulIOp>(l, s, perSample);
        Value end = b.create<arith::AddIOp>(l, first, perSample);
        return forLoop(
            b, l, c0, groups, c1, acc,
            [&](OpBuilder &gb, Location gl, Value g, Value acc) {
              std::array<Value, 8> keeps = kiln::buildKeepMasks(
                  gb, gl, philoxGroup, seed, stream, sampleIndex, g, rate);
              // Standard dropout multiplies by kept-or-0, as the trainer's
              // mask product does (bitwise the same, NaN and signed zeros
              // included).
              SmallVector<Value> scales;
              if (!alpha)
                for (Value keep : keeps)
                  scales.push_back(gb.create<arith::SelectOp>(
                      gl, keep, splatF32(gb, gl, kept), splatF32(gb, gl, 0.f)));
              Value padding = kiln::floatConstant(gb, gl, f32, 0.0);
              Value groupStart =
                  gb.create<arith::MulIOp>(gl, g, index(gb, gl, kGroup));
              // (r, c) -> c: a vector along a row.
              AffineMap rowMinor =
                  AffineMap::getMinorIdentityMap(2, 1, gb.getContext());
              ArrayAttr inBounds = gb.getBoolArrayAttr({true});
              SmallVector<Value> cols;
              for (int64_t d = 0; d < kGroup / kLanes; ++d)
                cols.push_back(gb.create<arith::AddIOp>(
                    gl, groupStart, index(gb, gl, d * kLanes)));
              // The group's rows: with `masks` (the lanes that are units,
              // computed once for all rows) in the last group, plain
              // in-bounds accesses in every whole one. Masked accesses
              // touch no other memory.
              auto rowsOf = [&](OpBuilder &ob, Location ol, Value acc,
                                ArrayRef<Value> masks) {
                return forLoop(
                    ob, ol, first, end, c1, acc,
                    [&](OpBuilder &rb, Location rl, Value r, Value acc) {
                      for (int64_t d = 0; d < kGroup / kLanes; ++d) {
                        Value mask = masks.empty() ? Value() : masks[d];
                        Value v = rb.create<vector::TransferReadOp>(
                            rl, f32Vec, acc, ValueRange{r, cols[d]}, rowMinor,
                            padding, mask, inBounds);
                        Value out;
                        if (alpha) {
                          // Alpha dropout's affine map where kept, its
                          // constant where dropped, as the trainer selects.
                          Value t = rb.create<arith::AddFOp>(
                              rl,
                              rb.create<arith::MulFOp>(rl, v,
                                                       splatF32(rb, rl, kept)),
                              splatF32(rb, rl, shift));
                          out = rb.create<arith::SelectOp>(
                              rl, keeps[d], t, splatF32(rb, rl, dropped));
                        } else {
                          out = rb.create<arith::MulFOp>(rl, v, scales[d]);
                        }
                        acc = rb.create<vector::TransferWriteOp>(
                                    rl, acc.getType(), out, acc,
                                    ValueRange{r, cols[d]}, rowMinor, mask,
                                    inBounds)
                                  .getResult();
                      }
                      return acc;
                    });
              };
              Value whole = gb.create<arith::CmpIOp>(
                  gl, arith::CmpIPredicate::ule,
                  gb.create<arith::AddIOp>(gl, groupStart,
                                           index(gb, gl, kGroup)),
                  units);
              return gb
                  .create<scf::IfOp>(
                      gl, whole,
                      [&](OpBuilder &tb, Location tl) {
                        tb.create<scf::YieldOp>(tl, rowsOf(tb, tl, acc, {}));
                      },
                      [&](OpBuilder &eb, Location el) {
                        auto maskType =
                            VectorType::get({kLanes}, eb.getI1Type());
                        SmallVector<Value> masks;
                        for (Value col : cols)
                          masks.push_back(eb.create<vector::CreateMaskOp>(
                              el, maskType,
                              ValueRange{eb.create<arith::SubIOp>(
                                  el, eb.create<arith::MaxUIOp>(el, units, col),
                                  col)}));
                        eb.create<scf::YieldOp>(el, rowsOf(eb, el, acc, masks));
                      })
                  .getResult(0);
            });
      });
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
    // Units: the features of a row (static, verified), flattened row-major
    // as the trainer's matrices hold them.
    int64_t units = 1;
    for (int64_t d : type.getShape().drop_front())
      units *= d;
    Type f32 = rewriter.getF32Type();
    // One private function per rate and kind, the stream and the width
    // being arguments: every dropout layer of the book's models (0.2,
    // standard) shares it, so LLVM compiles its loops once. Its input is
    // its destination too (`bufferization.writable`): a dropout's input is
    // never read again.
    std::string key;
    llvm::raw_string_ostream os(key);
    // The rate by its bits: printed as a double it keeps 6 digits, and two
    // rates equal to 6 digits would share a function.
    os << op.getRate().bitcastToAPInt().getZExtValue() << " "
       << int(op.getKind());
    auto anyType = RankedTensorType::get(
        {ShapedType::kDynamic, ShapedType::kDynamic}, f32);
    SmallVector<Type> argTypes{anyType, rewriter.getI64Type(),
                               rewriter.getI32Type(), rewriter.getIndexType(),
                               rewriter.getI32Type()};
    float rate = op.getRate().convertToFloat();
    DropoutKind kind = op.getKind();
    auto module = op->getParentOfType<ModuleOp>();
    func::FuncOp philoxGroup =
        kiln::getOrCreatePhiloxGroupFunction(rewriter, module, loc);
    // Never inlined: kiln-allocs-to-stack counts the deepest callee's
    // frame, not the sum that several inlined frames could take.
    auto fn = kiln::getOrCreatePrivateFunction(
        rewriter, module, loc, "__kiln_mc_dropout", os.str(),
        rewriter.getFunctionType(argTypes, {anyType}),
        /*writableArg=*/0, [&](OpBuilder &b, Block &entry) {
          buildMcDropoutBody(b, loc, rate, kind, philoxGroup, entry);
        });
    // [rows, units], then any shape.
    auto flatType = RankedTensorType::get({ShapedType::kDynamic, units}, f32);
    ReassociationIndices features;
    for (unsigned d = 1; d < rank; ++d)
      features.push_back(d);
    Value flat = x;
    if (rank > 2)
      flat = rewriter.create<tensor::CollapseShapeOp>(
          loc, flatType, x, SmallVector<ReassociationIndices>{{0}, features});
    Value y =
        rewriter
            .create<func::CallOp>(
                loc, fn,
                ValueRange{rewriter.create<tensor::CastOp>(loc, anyType, flat),
                           adaptor.getSeed(), adaptor.getSample(),
                           adaptor.getRowsPerSample(),
                           rewriter.create<arith::ConstantOp>(
                               loc, rewriter.getI32IntegerAttr(
                                        static_cast<int32_t>(op.getStream())))})
            .getResult(0);
    y = rewriter.create<tensor::CastOp>(loc, flat.getType(), y);
    if (rank > 2) {
      SmallVector<OpFoldResult> shape{
          rewriter.create<tensor::DimOp>(loc, x, 0).getResult()};
      for (unsigned d = 1; d < rank; ++d)
        shape.push_back(rewriter.getIndexAttr(type.getDimSize(d)));
      y = rewriter.create<tensor::ExpandShapeOp>(
          loc, type, y, SmallVector<ReassociationIndices>{{0}, features},
          shape);
    }
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// nn.mc_dropout_stack -> the input repeated `count` times along the batch
/// (copy j in rows [j·B, (j+1)·B), one block copy per sample into a buffer
/// of count·B rows), then nn.mc_dropout with B rows per sample.
struct McDropoutStackOpLowering : public OpConversionPattern<McDropoutStackOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(McDropoutStackOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value h = adaptor.getInput();
    auto type = cast<RankedTensorType>(h.getType());
    unsigned rank = type.getRank();
    Value c0 = rewriter.create<arith::ConstantIndexOp>(loc, 0);
    Value c1 = rewriter.create<arith::ConstantIndexOp>(loc, 1);
    Value batch = rewriter.create<tensor::DimOp>(loc, h, 0);
    Value count = adaptor.getCount();
    SmallVector<OpFoldResult> shape{batch};
    // Static features (verified): only the rows are dynamic.
    for (unsigned d = 1; d < rank; ++d)
      shape.push_back(rewriter.getIndexAttr(type.getDimSize(d)));
    auto stackedType = cast<RankedTensorType>(op.getType());
    Value init = rewriter.create<tensor::EmptyOp>(
        loc, stackedType.getShape(), type.getElementType(),
        ValueRange{rewriter.create<arith::MulIOp>(loc, count, batch)});
    SmallVector<OpFoldResult> origin(rank, rewriter.getIndexAttr(0));
    Value stacked =
        rewriter
            .create<scf::ForOp>(
                loc, c0, count, c1, ValueRange{init},
                [&](OpBuilder &b, Location l, Value j, ValueRange acc) {
                  SmallVector<OpFoldResult> at(origin);
                  at[0] = b.create<arith::MulIOp>(l, j, batch).getResult();
                  b.create<scf::YieldOp>(
                      l, kiln::copyIntoSlice(b, l, h, acc[0], at, shape));
                })
            .getResult(0);
    rewriter.replaceOpWithNewOp<McDropoutOp>(
        op, stackedType, stacked, adaptor.getSeed(), adaptor.getSample(), batch,
        op.getRateAttr(), op.getKindAttr(), op.getStreamAttr());
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
      return signalPassFailure();
    // The last lowering that shares functions by key.
    kiln::dropFunctionKeys(getOperation());
  }
};

} // namespace

void mlir::kiln::populateNNToLinalgConversionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<DenseOpLowering, ActivationOpLowering, BatchNormOpLowering,
               NormalizeOpLowering, FlattenOpLowering, McDropoutOpLowering,
               McDropoutStackOpLowering>(patterns.getContext());
}
