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
#include "compiler/Utils/NNMath.h"
#include "compiler/Utils/Philox.h"

#include "dialects/NN/IR/NNOps.h"

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

/// nn.mc_dropout -> a loop over the samples in the input; per sample two
/// generics give the keep flag of each unit, 1 iff the runtime's
/// kiln_rng_uniform_at(seed, stream, sample, unit) >= rate (rebuilt in
/// arith, compiler/Utils/Philox.cpp), computed once per unit since every row
/// shares it, and a third scales the sample's rows in place as the
/// trainer's Dropout does (trainer/Dropout.cpp).
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
    std::string name =
        llvm::formatv("__kiln_mc_dropout_{0}_{1:x}", op.getStream(),
                      static_cast<uint64_t>(llvm::hash_value(os.str())));
    auto fn = module.lookupSymbol<func::FuncOp>(name);
    if (!fn) {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToEnd(module.getBody());
      SmallVector<Type> argTypes{type, rewriter.getI64Type(),
                                 rewriter.getI32Type(),
                                 rewriter.getIndexType()};
      fn = rewriter.create<func::FuncOp>(
          loc, name, rewriter.getFunctionType(argTypes, {type}));
      fn.setPrivate();
      fn.setArgAttr(0, "bufferization.writable", rewriter.getBoolAttr(true));
      // Never inlined: kiln-allocs-to-stack counts the deepest callee's
      // frame, not the sum that several inlined dropout frames could take.
      fn->setAttr("passthrough",
                  rewriter.getArrayAttr({rewriter.getStringAttr("noinline")}));
      Block *entry =
          rewriter.createBlock(&fn.getBody(), {}, argTypes,
                               SmallVector<Location>(argTypes.size(), loc));
      rewriter.setInsertionPointToStart(entry);
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

      // Keep flags, one sample at a time, inside the loop below: one Philox
      // block gives the words of units 4·block .. 4·block + 3
      // (kiln_rng_u32_at's layout), so one evaluation serves four units of
      // a sample, and all its rows. Per sample the flags take about 8 ×
      // units bytes of stack (four word arrays of paddedBlocks floats, then
      // one keep float per unit; L1-resident, loop-local buffers whose
      // slots every sample reuses), instead of that much for every sample
      // of a step.
      int64_t blocks = (units + 3) / 4;
      // Blocks are generated in whole vectors of 16: LLVM vectorizes the
      // Philox loop 8 or 16 blocks at a time and would finish a remainder
      // with scalar Philox (40 cycles a block; a quarter of the loop's time
      // for 300 units). The extra blocks are never read (at most 15, 240
      // bytes of stack; a layer of a few units computes 16 blocks for its
      // one, in about the time of two scalar blocks).
      int64_t paddedBlocks = llvm::alignTo(blocks, 16);
      auto flagsType = RankedTensorType::get({paddedBlocks}, f32);
      auto keepType = RankedTensorType::get({units}, f32);
      AffineMap id1 = rewriter.getMultiDimIdentityMap(1);
      auto keepOfSample = [&](OpBuilder &b, Location l, Value s) -> Value {
        Value sampleIndex = b.create<arith::AddIOp>(
            l, sample, b.create<arith::IndexCastUIOp>(l, b.getI32Type(), s));
        SmallVector<Value> inits;
        for (int w = 0; w < 4; ++w)
          inits.push_back(b.create<tensor::EmptyOp>(
              l, ArrayRef<int64_t>{paddedBlocks}, f32));
        auto flagGen = b.create<linalg::GenericOp>(
            l, SmallVector<Type>(4, flagsType), ValueRange{}, inits,
            SmallVector<AffineMap>(4, id1),
            ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
            [&](OpBuilder &nb, Location nl, ValueRange) {
              Value block = nb.create<arith::IndexCastUIOp>(
                  nl, nb.getI64Type(), nb.create<linalg::IndexOp>(nl, 0));
              std::array<Value, 4> words = kiln::buildPhiloxBlock(
                  nb, nl, seed, stream, sampleIndex, block);
              // Kept iff uniform >= rate, uniform = (u >> 8)·2^-24, which
              // holds iff (u >> 8) >= ceil(rate·2^24) (multiplying by 2^24
              // is exact), iff u >= 256·ceil(rate·2^24): one unsigned
              // compare per word, the same decisions as the float test.
              // The rate is below 1 (the loader checks), so at most
              // 1 − 2^-24 and the threshold at most 2^32 − 256.
              uint64_t threshold =
                  256 * static_cast<uint64_t>(
                            std::ceil(static_cast<double>(rate) * 16777216.0));
              assert(threshold <= UINT32_MAX && "rate must be below 1");
              Value minimum = nb.create<arith::ConstantOp>(
                  nl, nb.getI32IntegerAttr(static_cast<int32_t>(
                          static_cast<uint32_t>(threshold))));
              SmallVector<Value> keeps;
              for (Value word : words) {
                Value keep = nb.create<arith::CmpIOp>(
                    nl, arith::CmpIPredicate::uge, word, minimum);
                keeps.push_back(nb.create<arith::UIToFPOp>(nl, f32, keep));
              }
              nb.create<linalg::YieldOp>(nl, keeps);
            });
        SmallVector<Value> flags;
        for (Value padded : flagGen.getResults())
          flags.push_back(b.create<tensor::ExtractSliceOp>(
              l, RankedTensorType::get({blocks}, f32), padded,
              ArrayRef<OpFoldResult>{b.getIndexAttr(0)},
              ArrayRef<OpFoldResult>{b.getIndexAttr(blocks)},
              ArrayRef<OpFoldResult>{b.getIndexAttr(1)}));
        // keep[u]: unit u's word of its block, as a [blocks, 4] generic
        // whose output is in unit order and whose inputs are read through
        // affine maps (no gathers), then the first `units` of it.
        MLIRContext *ctx = b.getContext();
        AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
        AffineMap blockOnly = AffineMap::get(2, 0, getAffineDimExpr(0, ctx));
        auto interleaved = b.create<linalg::GenericOp>(
            l, RankedTensorType::get({blocks, 4}, f32), flags,
            ValueRange{b.create<tensor::EmptyOp>(
                l, ArrayRef<int64_t>{blocks, 4}, f32)},
            ArrayRef<AffineMap>{blockOnly, blockOnly, blockOnly, blockOnly,
                                id2},
            ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                          utils::IteratorType::parallel},
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value word = nb.create<linalg::IndexOp>(nl, 1);
              Value flag = args[3];
              for (int w = 2; w >= 0; --w) {
                Value is = nb.create<arith::CmpIOp>(
                    nl, arith::CmpIPredicate::eq, word,
                    nb.create<arith::ConstantIndexOp>(nl, w));
                flag = nb.create<arith::SelectOp>(nl, is, args[w], flag);
              }
              nb.create<linalg::YieldOp>(nl, flag);
            });
        Value flat = b.create<tensor::CollapseShapeOp>(
            l, RankedTensorType::get({blocks * 4}, f32),
            interleaved.getResult(0),
            SmallVector<ReassociationIndices>{{0, 1}});
        if (blocks * 4 == units)
          return flat;
        return b.create<tensor::ExtractSliceOp>(
            l, keepType, flat, ArrayRef<OpFoldResult>{b.getIndexAttr(0)},
            ArrayRef<OpFoldResult>{b.getIndexAttr(units)},
            ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
      };
      // x holds `count` = rows / rows_per_sample samples.
      Value count = rewriter.create<arith::DivUIOp>(
          loc, rewriter.create<tensor::DimOp>(loc, x, 0), perSample);

      // The rows as [samples, rows per sample, units] (rows are sample-major),
      // so the mask is read through an affine map and the loop vectorizes.
      Value rows = rewriter.create<tensor::DimOp>(loc, x, 0);
      Value x2 = x;
      auto flatType = RankedTensorType::get({ShapedType::kDynamic, units}, f32);
      if (rank > 2) {
        ReassociationIndices features;
        for (unsigned d = 1; d < rank; ++d)
          features.push_back(d);
        x2 = rewriter.create<tensor::CollapseShapeOp>(
            loc, flatType, x, SmallVector<ReassociationIndices>{{0}, features});
      }
      // One sample at a time: its rows [s·B, (s+1)·B) as a slice of x, its
      // flags as a row read through a broadcast map, rewritten in place (x is
      // the destination too: bufferization reuses its buffer, since nothing
      // reads a dropout's input afterwards) so the loop vectorizes.
      MLIRContext *ctx = rewriter.getContext();
      AffineMap id2d = rewriter.getMultiDimIdentityMap(2);
      AffineMap unitOnly = AffineMap::get(2, 0, getAffineDimExpr(1, ctx), ctx);
      Value c0 = rewriter.create<arith::ConstantIndexOp>(loc, 0);
      Value c1 = rewriter.create<arith::ConstantIndexOp>(loc, 1);
      auto loop = rewriter.create<scf::ForOp>(
          loc, c0, count, c1, ValueRange{x2},
          [&](OpBuilder &b, Location l, Value s, ValueRange acc) {
            Value first = b.create<arith::MulIOp>(l, s, perSample);
            SmallVector<OpFoldResult> at{first, b.getIndexAttr(0)},
                size{perSample, b.getIndexAttr(units)},
                unit{b.getIndexAttr(1), b.getIndexAttr(1)};
            Value rowsOfS =
                b.create<tensor::ExtractSliceOp>(l, acc[0], at, size, unit);
            Value flagsOfS = keepOfSample(b, l, s);
            Value out =
                b.create<linalg::GenericOp>(
                     l, rowsOfS.getType(), ValueRange{flagsOfS},
                     ValueRange{rowsOfS}, ArrayRef<AffineMap>{unitOnly, id2d},
                     SmallVector<utils::IteratorType>(
                         2, utils::IteratorType::parallel),
                     [&](OpBuilder &nb, Location nl, ValueRange args) {
                       // args = (keep flag, x)
                       Value keep = nb.create<arith::CmpFOp>(
                           nl, arith::CmpFPredicate::OGT, args[0],
                           kiln::floatConstant(nb, nl, f32, 0.5));
                       Value scaled = nb.create<arith::MulFOp>(
                           nl, args[1], kiln::floatConstant(nb, nl, f32, kept));
                       if (alpha)
                         scaled = nb.create<arith::AddFOp>(
                             nl, scaled,
                             kiln::floatConstant(nb, nl, f32, shift));
                       nb.create<linalg::YieldOp>(
                           nl, nb.create<arith::SelectOp>(
                                     nl, keep, scaled,
                                     kiln::floatConstant(nb, nl, f32, dropped))
                                   .getResult());
                     })
                    .getResult(0);
            b.create<scf::YieldOp>(l, b.create<tensor::InsertSliceOp>(
                                           l, out, acc[0], at, size, unit)
                                          .getResult());
          });
      Value y = loop.getResult(0);
      if (rank > 2) {
        ReassociationIndices features;
        SmallVector<OpFoldResult> shape{rows};
        for (unsigned d = 1; d < rank; ++d) {
          features.push_back(d);
          shape.push_back(rewriter.getIndexAttr(type.getDimSize(d)));
        }
        y = rewriter.create<tensor::ExpandShapeOp>(
            loc, type, y, SmallVector<ReassociationIndices>{{0}, features},
            shape);
      }
      rewriter.create<func::ReturnOp>(loc, y);
    }
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
