//===- MonteCarlo.cpp - Monte-Carlo dropout functions ---------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// See Passes.td. The clone keeps F untouched (nn-strip-dropout then makes F
// the deterministic model) and shares every constant with it.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"
#include "compiler/Utils/NNMath.h"

#include "dialects/NN/IR/NNOps.h"

#include "mlir/IR/IRMapping.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_MONTECARLOPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// One parallel generic over `inputs` and `outputs` of the same shape.
linalg::GenericOp elementwise(
    OpBuilder &b, Location loc, ValueRange inputs, ValueRange outputs,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body) {
  unsigned rank = cast<RankedTensorType>(outputs[0].getType()).getRank();
  SmallVector<AffineMap> maps(inputs.size() + outputs.size(),
                              b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return b.create<linalg::GenericOp>(
      loc, TypeRange(outputs), inputs, outputs, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        nb.create<linalg::YieldOp>(nl, body(nb, nl, args));
      });
}

/// At most this many samples are computed together: their rows are stacked
/// along the batch after the first dropout, so every later layer is one
/// matrix product over all of them (a batch-1 request becomes a GEMM of 24
/// rows, four whole 6-row tiles, instead of 24 matrix-vector products). S
/// samples take ⌊S/24⌋ steps of 24 and one of S mod 24: 100 samples are
/// 4 × 24 + 4, whose last GEMM is one 4-row tile. A multiple of the 6-row
/// tile, so no step ends with a one-row pass over the weights; measured
/// against steps of 25 (4 × 25 for 100) it took the same time within noise
/// (52 and 256–261 µs vs 50–52 and 253–267). The stacking buffer is
/// allocated for 24 samples (a
/// constant multiple of the batch, which kiln-allocs-to-stack bounds).
/// Measured (kiln-bench-compiled, 100 samples, batch 1, before the masks
/// moved to registers): 18 per step took 68 and 325 µs (fmnist-mc-last2,
/// fmnist-mc-all), 25 took 64 and 296, 50 took 66 and 299.
constexpr int64_t kSamplesPerStep = 24;
/// A call of at least this many rows already makes a GEMM per sample: it
/// steps one sample at a time (stacking there only adds copies and spare
/// samples).
constexpr int64_t kStackBelowRows = 16;

/// Rows [first, first + count) of the [rows, ...] tensor `y`.
Value sliceRows(OpBuilder &b, Location loc, Value y, Value first, Value count) {
  auto type = cast<RankedTensorType>(y.getType());
  SmallVector<OpFoldResult> offsets{first}, sizes{count}, strides;
  for (int64_t d = 1; d < type.getRank(); ++d) {
    offsets.push_back(b.getIndexAttr(0));
    sizes.push_back(
        type.isDynamicDim(d)
            ? OpFoldResult(b.create<tensor::DimOp>(loc, y, d).getResult())
            : OpFoldResult(b.getIndexAttr(type.getDimSize(d))));
  }
  strides.assign(type.getRank(), b.getIndexAttr(1));
  return b.create<tensor::ExtractSliceOp>(loc, y, offsets, sizes, strides);
}

/// [step·B, ...]: `h` ([B, ...]) repeated `step` times, sample j in rows
/// [j·B, (j+1)·B), one block copy (a memcpy once bufferized) per sample.
/// The buffer is allocated for kSamplesPerStep·B rows, a constant multiple
/// of the batch that kiln-allocs-to-stack bounds, and used through a slice.
Value stackSamples(OpBuilder &b, Location loc, Value h, Value batch,
                   Value step) {
  auto type = cast<RankedTensorType>(h.getType());
  unsigned rank = type.getRank();
  Value capacity = b.create<arith::MulIOp>(
      loc, batch, b.create<arith::ConstantIndexOp>(loc, kSamplesPerStep));
  SmallVector<Value> sizes{capacity};
  for (unsigned d = 1; d < rank; ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(b.create<tensor::DimOp>(loc, h, d));
  Value full = b.create<tensor::EmptyOp>(loc, type.getShape(),
                                         type.getElementType(), sizes);
  Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
  Value c1 = b.create<arith::ConstantIndexOp>(loc, 1);
  Value init =
      sliceRows(b, loc, full, c0, b.create<arith::MulIOp>(loc, step, batch));
  SmallVector<OpFoldResult> shape{batch}, strides(rank, b.getIndexAttr(1));
  for (unsigned d = 1; d < rank; ++d)
    shape.push_back(
        type.isDynamicDim(d)
            ? OpFoldResult(b.create<tensor::DimOp>(loc, h, d).getResult())
            : OpFoldResult(b.getIndexAttr(type.getDimSize(d))));
  return b
      .create<scf::ForOp>(
          loc, c0, step, c1, ValueRange{init},
          [&](OpBuilder &lb, Location ll, Value j, ValueRange acc) {
            SmallVector<OpFoldResult> at(rank, lb.getIndexAttr(0));
            at[0] = lb.create<arith::MulIOp>(ll, j, batch).getResult();
            // linalg.copy into the slice, written in place: bufferized it
            // is a loop, where a tensor.insert_slice of h would become a
            // memref.copy between strided views (a call to the MLIR
            // runner's memrefCopy, which a kilnc library does not link).
            Value slot = lb.create<tensor::ExtractSliceOp>(ll, acc[0], at,
                                                           shape, strides);
            Value copied = lb.create<linalg::CopyOp>(ll, h, slot).getResult(0);
            lb.create<scf::YieldOp>(
                ll, lb.create<tensor::InsertSliceOp>(ll, copied, acc[0], at,
                                                     shape, strides)
                        .getResult());
          })
      .getResult(0);
}

/// scf.for j in [0, steps) carrying `acc`, the body built by `body(j, acc)`.
scf::ForOp forEachSample(
    OpBuilder &b, Location loc, Value steps, ValueRange acc,
    function_ref<SmallVector<Value>(OpBuilder &, Location, Value, ValueRange)>
        body) {
  Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
  Value c1 = b.create<arith::ConstantIndexOp>(loc, 1);
  return b.create<scf::ForOp>(
      loc, c0, steps, c1, acc,
      [&](OpBuilder &nb, Location nl, Value j, ValueRange carried) {
        nb.create<scf::YieldOp>(nl, body(nb, nl, j, carried));
      });
}

struct MonteCarloPass : public kiln::impl::MonteCarloPassBase<MonteCarloPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> models;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isExternal() &&
          fn.getFunctionType().getNumInputs() == 1 &&
          fn.getFunctionType().getNumResults() == 1 &&
          !fn.getOps<nn::DropoutOp>().empty())
        models.push_back(fn);
    for (func::FuncOp fn : models)
      if (failed(addMonteCarlo(fn)))
        return signalPassFailure();
  }

  /// The sample loop shared by @F_mc and @F_mc_samples: samples in steps
  /// of `chunk` (kSamplesPerStep below kStackBelowRows rows, else 1), then
  /// one last step of the S mod chunk left (if any). A step of samples
  /// [start, start + count) runs F's layers with the dropouts as
  /// nn.mc_dropout (samples stacked after the first one when the batch is
  /// small), then `consume(start, count, y, batch, carried)` yields the new
  /// carried values; y holds sample start + j in rows [j·B, (j+1)·B).
  /// Returns the carried values after the last step.
  SmallVector<Value> buildSampleLoop(
      OpBuilder &b, Location loc, func::FuncOp fn, Value x, Value seed,
      Value samples, ValueRange init,
      function_ref<SmallVector<Value>(OpBuilder &, Location, Value, Value,
                                      Value, Value, ValueRange)>
          consume) {
    auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
    Value count =
        b.create<arith::IndexCastUIOp>(loc, b.getIndexType(), samples);
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
    Value c1 = b.create<arith::ConstantIndexOp>(loc, 1);
    Value batch = b.create<tensor::DimOp>(loc, x, 0);
    Value cap = b.create<arith::ConstantIndexOp>(loc, kSamplesPerStep);
    Value chunk = b.create<arith::SelectOp>(
        loc,
        b.create<arith::CmpIOp>(
            loc, arith::CmpIPredicate::ult, batch,
            b.create<arith::ConstantIndexOp>(loc, kStackBelowRows)),
        cap, c1);
    // Whole steps, then the rest: count = whole·chunk + rest, rest < chunk.
    Value whole = b.create<arith::MulIOp>(
        loc, b.create<arith::DivUIOp>(loc, count, chunk), chunk);
    // The min with the capacity changes nothing (rest < chunk <= cap) but
    // lets kiln-allocs-to-stack bound the last step's rows.
    Value rest = b.create<arith::MinUIOp>(
        loc, b.create<arith::SubIOp>(loc, count, whole), cap);
    // The layers before the first dropout, once for all samples.
    IRMapping shared;
    shared.map(fn.getArgument(0), x);
    auto ops = fn.getBody().front().without_terminator();
    auto firstDropout = llvm::find_if(
        ops, [](Operation &op) { return isa<nn::DropoutOp>(op); });
    for (Operation &op : llvm::make_range(ops.begin(), firstDropout))
      b.clone(op, shared);
    // One step: F's layers for samples [start, start + n), n loop-invariant
    // (kiln-allocs-to-stack bounds no size computed inside a loop).
    auto step = [&](OpBuilder &lb, Location ll, Value start, Value n,
                    ValueRange acc) -> SmallVector<Value> {
      Value sample0 =
          lb.create<arith::IndexCastUIOp>(ll, lb.getI32Type(), start);
      IRMapping map = shared;
      bool stacked = false;
      for (Operation &op : llvm::make_range(firstDropout, ops.end())) {
        auto drop = dyn_cast<nn::DropoutOp>(op);
        if (!drop) {
          lb.clone(op, map);
          continue;
        }
        Value in = map.lookup(drop.getInput());
        if (!stacked) { // the first dropout: stack the samples
          in = stackSamples(lb, ll, in, batch, n);
          stacked = true;
        }
        Value y = lb.create<nn::McDropoutOp>(
            drop.getLoc(), in.getType(), in, seed, sample0, batch,
            drop.getRateAttr(), drop.getKindAttr(), drop.getStreamAttr());
        map.map(drop.getResult(), y);
      }
      Value y = map.lookup(ret.getOperand(0));
      return consume(lb, ll, start, n, y, batch, acc);
    };
    auto loop = b.create<scf::ForOp>(
        loc, c0, whole, chunk, init,
        [&](OpBuilder &lb, Location ll, Value start, ValueRange acc) {
          lb.create<scf::YieldOp>(ll, step(lb, ll, start, chunk, acc));
        });
    // With S a multiple of the step (and always one sample at a time) the
    // last step is empty. Steps of whole tiles' rows (kSamplesPerStep is a
    // multiple of 6) and one short last step compute no spare samples.
    auto last = b.create<scf::IfOp>(
        loc, b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, rest, c0),
        [&](OpBuilder &tb, Location tl) {
          tb.create<scf::YieldOp>(tl,
                                  step(tb, tl, whole, rest, loop.getResults()));
        },
        [&](OpBuilder &eb, Location el) {
          eb.create<scf::YieldOp>(el, loop.getResults());
        });
    return SmallVector<Value>(last.getResults());
  }

  LogicalResult addMonteCarlo(func::FuncOp fn) {
    if (!llvm::hasSingleElement(fn.getBody()))
      return fn.emitOpError("nn-monte-carlo needs a single-block function");
    std::string name = (fn.getName() + "_mc").str();
    if (SymbolTable::lookupSymbolIn(getOperation(), name))
      return fn.emitOpError("nn-monte-carlo: '") << name << "' exists";
    Location loc = fn.getLoc();
    OpBuilder b(fn);
    b.setInsertionPointAfter(fn);
    Type in = fn.getFunctionType().getInput(0);
    Type out = fn.getFunctionType().getResult(0);
    auto mc = b.create<func::FuncOp>(
        loc, name,
        b.getFunctionType({in, b.getI64Type(), b.getI32Type()}, {out, out}));
    Block *entry = mc.addEntryBlock();
    b.setInsertionPointToStart(entry);
    Value x = entry->getArgument(0), seed = entry->getArgument(1),
          samples = entry->getArgument(2);

    // Zero-initialized running mean and M2, shaped like F's result: its
    // batch is x's batch.
    auto outType = cast<RankedTensorType>(out);
    SmallVector<Value> sizes;
    if (outType.isDynamicDim(0))
      sizes.push_back(b.create<tensor::DimOp>(loc, x, 0));
    auto zeros = [&]() -> Value {
      Value empty = b.create<tensor::EmptyOp>(loc, outType.getShape(),
                                              outType.getElementType(), sizes);
      return b
          .create<linalg::FillOp>(
              loc, kiln::floatConstant(b, loc, b.getF32Type(), 0.0), empty)
          .getResult(0);
    };
    Value mean0 = zeros(), m20 = zeros();
    auto loop = buildSampleLoop(
        b, loc, fn, x, seed, samples, ValueRange{mean0, m20},
        [&](OpBuilder &lb, Location ll, Value start, Value steps, Value y,
            Value batch, ValueRange acc) {
          // Welford over this step's samples.
          auto fold = forEachSample(
              lb, ll, steps, acc,
              [&](OpBuilder &fb, Location fl, Value j, ValueRange acc2) {
                Value c1 = fb.create<arith::ConstantIndexOp>(fl, 1);
                Value n = fb.create<arith::UIToFPOp>(
                    fl, fb.getF32Type(),
                    fb.create<arith::IndexCastUIOp>(
                        fl, fb.getI32Type(),
                        fb.create<arith::AddIOp>(
                            fl, fb.create<arith::AddIOp>(fl, start, j), c1)));
                Value rows = sliceRows(
                    fb, fl, y, fb.create<arith::MulIOp>(fl, j, batch), batch);
                auto update = elementwise(
                    fb, fl, ValueRange{rows}, acc2,
                    [&](OpBuilder &eb, Location el, ValueRange a) {
                      // a = (y, mean, m2)
                      Value d = eb.create<arith::SubFOp>(el, a[0], a[1]);
                      Value mean = eb.create<arith::AddFOp>(
                          el, a[1], eb.create<arith::DivFOp>(el, d, n));
                      Value d2 = eb.create<arith::SubFOp>(el, a[0], mean);
                      Value m2 = eb.create<arith::AddFOp>(
                          el, a[2], eb.create<arith::MulFOp>(el, d, d2));
                      return SmallVector<Value>{mean, m2};
                    });
                return SmallVector<Value>(update.getResults());
              });
          return SmallVector<Value>(fold.getResults());
        });
    // stddev = sqrt(M2 / samples). The C entry points reject 0 samples;
    // called directly with 0, the function returns zeros, not 0/0.
    Value total = b.create<arith::UIToFPOp>(
        loc, b.getF32Type(),
        b.create<arith::MaxUIOp>(loc, samples,
                                 b.create<arith::ConstantIntOp>(loc, 1, 32)));
    Value stddev =
        elementwise(b, loc, ValueRange{loop[1]},
                    ValueRange{kiln::emptyLike(b, loc, loop[1])},
                    [&](OpBuilder &eb, Location el, ValueRange a) {
                      Value v = eb.create<arith::DivFOp>(el, a[0], total);
                      return SmallVector<Value>{eb.create<math::SqrtOp>(el, v)};
                    })
            .getResult(0);
    b.create<func::ReturnOp>(loc, ValueRange{loop[0], stddev});
    return addPerSample(fn);
  }

  /// @F_mc_samples(x, seed, samples, dest) -> dest: every sample's output,
  /// dest[r, s·O + o] = output o of example r in sample s (example-major,
  /// so a piece of rows is a contiguous piece of the caller's buffer),
  /// written in place into the destination argument.
  LogicalResult addPerSample(func::FuncOp fn) {
    auto outType = cast<RankedTensorType>(fn.getFunctionType().getResult(0));
    if (outType.getRank() != 2 || outType.isDynamicDim(1))
      return success(); // only [batch, units] outputs have this entry
    int64_t units = outType.getDimSize(1);
    Location loc = fn.getLoc();
    OpBuilder b(fn);
    b.setInsertionPointAfter(fn);
    auto destType = RankedTensorType::get(
        {ShapedType::kDynamic, ShapedType::kDynamic}, outType.getElementType());
    Type in = fn.getFunctionType().getInput(0);
    auto f = b.create<func::FuncOp>(
        loc, (fn.getName() + "_mc_samples").str(),
        b.getFunctionType({in, b.getI64Type(), b.getI32Type(), destType},
                          {destType}));
    f.setArgAttr(3, "bufferization.writable", b.getBoolAttr(true));
    Block *entry = f.addEntryBlock();
    b.setInsertionPointToStart(entry);
    Value x = entry->getArgument(0);
    auto loop = buildSampleLoop(
        b, loc, fn, x, entry->getArgument(1), entry->getArgument(2),
        ValueRange{entry->getArgument(3)},
        [&](OpBuilder &lb, Location ll, Value start, Value steps, Value y,
            Value batch, ValueRange acc) {
          auto copy = forEachSample(
              lb, ll, steps, acc,
              [&](OpBuilder &cb, Location cl, Value j, ValueRange acc2) {
                Value rows = sliceRows(
                    cb, cl, y, cb.create<arith::MulIOp>(cl, j, batch), batch);
                Value column = cb.create<arith::MulIOp>(
                    cl, cb.create<arith::AddIOp>(cl, start, j),
                    cb.create<arith::ConstantIndexOp>(cl, units));
                SmallVector<OpFoldResult> at{cb.getIndexAttr(0), column},
                    size{batch, cb.getIndexAttr(units)},
                    unit{cb.getIndexAttr(1), cb.getIndexAttr(1)};
                // linalg.copy into the slice, in place (see stackSamples).
                Value slot = cb.create<tensor::ExtractSliceOp>(cl, acc2[0], at,
                                                               size, unit);
                Value copied =
                    cb.create<linalg::CopyOp>(cl, rows, slot).getResult(0);
                return SmallVector<Value>{
                    cb.create<tensor::InsertSliceOp>(cl, copied, acc2[0], at,
                                                     size, unit)
                        .getResult()};
              });
          return SmallVector<Value>(copy.getResults());
        });
    b.create<func::ReturnOp>(loc, loop[0]);
    return success();
  }
};

} // namespace
