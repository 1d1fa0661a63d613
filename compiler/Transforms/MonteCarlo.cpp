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

#include "kiln/mc.h"

#include "mlir/IR/IRMapping.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_MONTECARLOPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// Samples are computed in steps of at least this many rows: a step of
/// ⌈24/B⌉ samples of B rows stacks them along the batch after the first
/// dropout, so every later layer is one matrix product over all of them (a
/// batch-1 request becomes a GEMM of 24 rows, four whole 6-row tiles,
/// instead of 24 matrix-vector products; from 24 rows up a step is one
/// sample). At batch 1, S samples take ⌊S/24⌋ steps of 24 and one of
/// S mod 24: 100 samples are 4 × 24 + 4, whose last GEMM is one 4-row tile.
/// At batch 1, 24 rows are a multiple of the 6-row tile, so no step ends
/// with a one-row pass over the weights; measured against steps of 25 (4 × 25
/// for 100) it took the same time within noise (52 and 256–261 µs vs 50–52 and
/// 253–267). Measured (kiln-bench-compiled, 100 samples, batch 1, before the
/// masks moved to registers): 18 per step took 68 and 325 µs (fmnist-mc-last2,
/// fmnist-mc-all), 25 took 64 and 296, 50 took 66 and 299.
///
/// A step holds ⌈24/B⌉·B < B + 24 rows, which kiln-allocs-to-stack bounds
/// as B + 23: the stack grows by one row per batch row and a constant 23.
/// The earlier rule, steps of 24 samples for every B below 16, cost
/// 24 rows of every later layer per batch row, which limited
/// NAME_predict_mc to pieces of 12 rows under the 1 MiB stack budget: at
/// batch 64, 6 pieces, each streaming the corrected layer's weight rows
/// again (fmnist-mc-all, 100 samples at batch 64: 5.40–5.55 ms in pieces
/// of 12 rows, 5.22–5.25 ms in one piece; one-off C timing program, best of
/// 100 calls, three runs each). The cost: a batch whose step is not a
/// multiple of the 6-row tile, batch 5 (steps of 25 rows), took 520–532 µs
/// against 508–516 µs with steps of 24 samples (same program, four runs);
/// batches 8 to 64 took the same time or less.
constexpr int64_t kStepRows = KILN_MC_SAMPLES_PER_STEP;

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
      if (failed(addPerSample(fn)))
        return signalPassFailure();
  }

  /// @F_mc_samples(x, seed, first, count, dest) -> dest: the outputs of
  /// samples first + [0, count), dest[r, j·O + o] = output o of example r
  /// in sample first + j (example-major, so a piece of rows is a
  /// contiguous piece of the caller's buffer), written in place into the
  /// destination argument. An output of more than one dimension per
  /// example is flattened to its O values.
  ///
  /// The layers before the first dropout run once; then samples go in
  /// steps of `chunk` = ⌈kStepRows / B⌉ samples (see kStepRows), the last
  /// one shorter when chunk does not divide the count. A step of
  /// n samples stacks them along the batch at the first dropout (sample
  /// start + j in rows [j·B, (j+1)·B), nn.mc_dropout_stack of the shared
  /// input), runs the later dropouts as nn.mc_dropout and the later layers
  /// over all of them, and copies each sample's rows into its columns of
  /// dest.
  LogicalResult addPerSample(func::FuncOp fn) {
    if (!llvm::hasSingleElement(fn.getBody()))
      return fn.emitOpError("nn-monte-carlo needs a single-block function");
    std::string name = (fn.getName() + "_mc_samples").str();
    if (SymbolTable::lookupSymbolIn(getOperation(), name))
      return fn.emitOpError("nn-monte-carlo: '") << name << "' exists";
    auto outType = cast<RankedTensorType>(fn.getFunctionType().getResult(0));
    if (outType.getRank() < 2 ||
        llvm::any_of(outType.getShape().drop_front(), ShapedType::isDynamic))
      return fn.emitOpError("nn-monte-carlo needs a [batch, static...] "
                            "result, not ")
             << outType;
    int64_t units = ShapedType::getNumElements(outType.getShape().drop_front());
    Location loc = fn.getLoc();
    OpBuilder b(fn);
    b.setInsertionPointAfter(fn);
    auto destType = RankedTensorType::get(
        {ShapedType::kDynamic, ShapedType::kDynamic}, outType.getElementType());
    Type in = fn.getFunctionType().getInput(0);
    auto f = b.create<func::FuncOp>(
        loc, name,
        b.getFunctionType(
            {in, b.getI64Type(), b.getI32Type(), b.getI32Type(), destType},
            {destType}));
    f.setArgAttr(4, "bufferization.writable", b.getBoolAttr(true));
    Block *entry = f.addEntryBlock();
    b.setInsertionPointToStart(entry);
    Value x = entry->getArgument(0), seed = entry->getArgument(1),
          first = entry->getArgument(2), dest = entry->getArgument(4);
    Value count = b.create<arith::IndexCastUIOp>(loc, b.getIndexType(),
                                                 entry->getArgument(3));
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
    Value c1 = b.create<arith::ConstantIndexOp>(loc, 1);
    Value batch = b.create<tensor::DimOp>(loc, x, 0);
    // ⌈kStepRows / B⌉ as (B + kStepRows − 1) / B (B ≥ 1: the entry points
    // reject batch 0), the form kiln-allocs-to-stack bounds.
    Value chunk = b.create<arith::DivUIOp>(
        loc,
        b.create<arith::AddIOp>(
            loc, batch, b.create<arith::ConstantIndexOp>(loc, kStepRows - 1)),
        batch);
    // The layers before the first dropout, once for all samples.
    IRMapping shared;
    shared.map(fn.getArgument(0), x);
    auto ops = fn.getBody().front().without_terminator();
    auto firstDropout = llvm::find_if(
        ops, [](Operation &op) { return isa<nn::DropoutOp>(op); });
    for (Operation &op : llvm::make_range(ops.begin(), firstDropout))
      b.clone(op, shared);
    Value ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator())
                    .getOperand(0);
    // (kiln-allocs-to-stack bounds a step's buffers, n·B rows for
    // n = min(chunk, ...), by B + kStepRows − 1.)
    auto loop = b.create<scf::ForOp>(
        loc, c0, count, chunk, ValueRange{dest},
        [&](OpBuilder &lb, Location ll, Value start, ValueRange acc) {
          Value n = lb.create<arith::MinUIOp>(
              ll, chunk, lb.create<arith::SubIOp>(ll, count, start));
          Value sample0 = lb.create<arith::AddIOp>(
              ll, first,
              lb.create<arith::IndexCastUIOp>(ll, lb.getI32Type(), start));
          IRMapping map = shared;
          bool stacked = false;
          for (Operation &op : llvm::make_range(firstDropout, ops.end())) {
            auto drop = dyn_cast<nn::DropoutOp>(op);
            if (!drop) {
              lb.clone(op, map);
              continue;
            }
            Value in = map.lookup(drop.getInput());
            Value y;
            if (!stacked) { // the first dropout: its input is shared
              auto type = cast<RankedTensorType>(in.getType());
              SmallVector<int64_t> shape(type.getShape());
              shape[0] = ShapedType::kDynamic;
              y = lb.create<nn::McDropoutStackOp>(
                  drop.getLoc(), type.clone(shape), in, seed, sample0, n,
                  drop.getRateAttr(), drop.getKindAttr(), drop.getStreamAttr());
              stacked = true;
            } else {
              y = lb.create<nn::McDropoutOp>(
                  drop.getLoc(), in.getType(), in, seed, sample0, batch,
                  drop.getRateAttr(), drop.getKindAttr(), drop.getStreamAttr());
            }
            map.map(drop.getResult(), y);
          }
          Value y = map.lookup(ret);
          // Sample start + j's rows into columns [(start + j)·O, ... + O).
          auto copy = lb.create<scf::ForOp>(
              ll, c0, n, c1, acc,
              [&](OpBuilder &cb, Location cl, Value j, ValueRange acc2) {
                Value rows = sliceRows(
                    cb, cl, y, cb.create<arith::MulIOp>(cl, j, batch), batch);
                if (outType.getRank() > 2) {
                  SmallVector<ReassociationIndices> groups{{0}, {}};
                  for (int64_t d = 1; d < outType.getRank(); ++d)
                    groups[1].push_back(d);
                  rows = cb.create<tensor::CollapseShapeOp>(cl, rows, groups);
                }
                Value column = cb.create<arith::MulIOp>(
                    cl, cb.create<arith::AddIOp>(cl, start, j),
                    cb.create<arith::ConstantIndexOp>(cl, units));
                cb.create<scf::YieldOp>(
                    cl, kiln::copyIntoSlice(cb, cl, rows, acc2[0],
                                            {cb.getIndexAttr(0), column},
                                            {batch, cb.getIndexAttr(units)}));
              });
          lb.create<scf::YieldOp>(ll, copy.getResults());
        });
    b.create<func::ReturnOp>(loc, loop.getResults());
    return success();
  }
};

} // namespace
