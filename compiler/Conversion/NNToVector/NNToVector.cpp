//===- NNToVector.cpp - nn.dense -> packed-weight vector kernels ----------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// y = act(x·W + b) with W [K][N] constant. With L lanes per vector and a
// panel of up to V vectors (NR = V·L units), panel p covers n_p units from
// p·NR and is computed with v_p = ceil(n_p / L) vectors. Packed layout, one
// flat array, panel after panel, with no padding inside:
//
//   packed[off_p + k·n_p + c] = W[k][p·NR + c]      0 <= c < n_p
//   off_p = Σ_{q<p} K·n_q,  plus L trailing zeros
//
// so the micro-kernel's k loop streams one contiguous run of n_p floats per
// k, the order the hardware prefetcher likes, and reads no padding: the
// weights stream from L2/L3 at batch 1, so bytes are time. When n_p is not
// a multiple of L, the last vector of row k also reads the first lanes of
// row k + 1 (the trailing zeros cover the last row): those lanes compute
// values that are never stored. For a tile of M rows:
//
//   acc[r][v] = Σ_k x[i + r][k] · packed[off_p + k·n_p + v·L .. +L]
//
// M·v_p accumulators live in registers across the k loop (24 zmm of 32 at
// M = 6, V = 4 with AVX-512; 12 ymm of 16 at M = 6, V = 2 with AVX2), each
// weight vector is reused M times, and the M·v_p FMAs of one k are
// independent, which hides the FMA latency (4 cycles, 2 per cycle). The
// bias add, the activation and the store happen once per accumulator.
//
// Panels are unrolled here at compile time, so every column offset is a
// constant: only an output vector that crosses N gets a masked store, and
// the last panel computes no whole vectors of padding.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/Passes.h"
#include "compiler/Utils/Constants.h"
#include "compiler/Utils/NNMath.h"

#include "dialects/NN/IR/NNOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_CONVERTNNTOVECTORPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::nn;

namespace {

/// Register blocking for one vector width.
struct Blocking {
  int64_t lanes;   // floats per vector
  int64_t rows;    // M: batch rows per tile
  int64_t vectors; // V: vectors per panel
};

Blocking blockingFor(unsigned vectorBits) {
  switch (vectorBits) {
  case 512: // 32 zmm: 6×4 accumulators + 4 weight vectors
    return {16, 6, 4};
  case 256: // 16 ymm: 6×2 accumulators + 2 weight vectors + 1 broadcast
    return {8, 6, 2};
  default: // 128-bit (SSE: 16 xmm, NEON: 32 q): 4×2 accumulators
    return {4, 4, 2};
  }
}

/// Interleaved accumulator sets of the one-row kernel (see buildTile).
constexpr int64_t kOneRowSplits = 2;

/// The units of one panel.
struct Panel {
  int64_t firstUnit; // p·NR
  int64_t units;     // n_p
  int64_t vectors;   // v_p
  int64_t offset;    // off_p, in floats
};

class DenseKernelBuilder {
public:
  DenseKernelBuilder(RewriterBase &rewriter, DenseOp op, Blocking blocking)
      : b(rewriter), op(op), loc(op.getLoc()), blk(blocking) {}

  /// Rewrites `op`; fails (leaving it alone) unless its weight, bias and
  /// slope are constants.
  LogicalResult run();

private:
  Value index(int64_t v) { return b.create<arith::ConstantIndexOp>(loc, v); }
  /// scf.for whose body `body(iv, iterArgs)` is built with `b` and returns
  /// the values to yield.
  scf::ForOp forLoop(Value lb, Value ub, Value step, ValueRange inits,
                     function_ref<SmallVector<Value>(Value, ValueRange)> body);
  /// A zero-padded vector-aligned copy of a per-unit vector (bias, slopes).
  Value packPerUnit(ArrayRef<double> values);
  /// Computes rows [i, i + m) of panel `panel` into `y`; returns the new y.
  Value buildTile(Value x, Value y, Value i, int64_t m, const Panel &panel);

  RewriterBase &b;
  DenseOp op;
  Location loc;
  Blocking blk;
  int64_t inputs = 0, units = 0;
  VectorType vecType;
  Value packedWeights, packedBias, packedSlope;
};

scf::ForOp DenseKernelBuilder::forLoop(
    Value lb, Value ub, Value step, ValueRange inits,
    function_ref<SmallVector<Value>(Value, ValueRange)> body) {
  return b.create<scf::ForOp>(
      loc, lb, ub, step, inits,
      [&](OpBuilder &nested, Location, Value iv, ValueRange iterArgs) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nested.getInsertionBlock(),
                            nested.getInsertionPoint());
        SmallVector<Value> results = body(iv, iterArgs);
        b.create<scf::YieldOp>(loc, results);
      });
}

Value DenseKernelBuilder::packPerUnit(ArrayRef<double> values) {
  int64_t padded = llvm::divideCeil(units, blk.lanes) * blk.lanes;
  SmallVector<float> data(padded, 0.f);
  for (int64_t j = 0; j < units; ++j)
    data[j] = values[j];
  auto type = RankedTensorType::get({padded}, b.getF32Type());
  return kiln::createF32Constant(b, loc, op.getWeight(), type, data, "packed");
}

LogicalResult DenseKernelBuilder::run() {
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  if (!wType.hasStaticShape() || !wType.getElementType().isF32())
    return failure();
  inputs = wType.getDimSize(0);
  units = wType.getDimSize(1);
  FailureOr<SmallVector<double>> w = kiln::getConstantValues(op.getWeight());
  if (failed(w))
    return failure();
  FailureOr<SmallVector<double>> bias, slope;
  if (op.getBias() && failed(bias = kiln::getConstantValues(op.getBias())))
    return failure();
  if (op.getSlope() && failed(slope = kiln::getConstantValues(op.getSlope())))
    return failure();

  // Panels and the packed weights (see the file comment).
  int64_t panelUnits = blk.vectors * blk.lanes;
  SmallVector<Panel> panels;
  int64_t total = 0;
  for (int64_t first = 0; first < units; first += panelUnits) {
    int64_t n = std::min(panelUnits, units - first);
    int64_t v = llvm::divideCeil(n, blk.lanes);
    panels.push_back({first, n, v, total});
    total += inputs * n;
  }
  // The last vector of a row may read up to L − 1 floats past it.
  total += blk.lanes;
  SmallVector<float> packed(total, 0.f);
  for (const Panel &p : panels)
    for (int64_t k = 0; k < inputs; ++k)
      for (int64_t c = 0; c < p.units; ++c)
        packed[p.offset + k * p.units + c] = (*w)[k * units + p.firstUnit + c];
  b.setInsertionPoint(op);
  packedWeights = kiln::createF32Constant(
      b, loc, op.getWeight(), RankedTensorType::get({total}, b.getF32Type()),
      packed, "packed");
  if (op.getBias())
    packedBias = packPerUnit(*bias);
  if (op.getSlope())
    packedSlope = packPerUnit(*slope);
  vecType = VectorType::get({blk.lanes}, b.getF32Type());

  // y = empty; for each panel: full tiles of M rows, then single rows.
  Value x = op.getInput();
  auto resultType = cast<RankedTensorType>(op.getType());
  Value batch = b.create<tensor::DimOp>(loc, x, 0);
  SmallVector<Value> dynamicSizes;
  if (resultType.isDynamicDim(0))
    dynamicSizes.push_back(batch);
  Value y = b.create<tensor::EmptyOp>(
      loc, resultType.getShape(), resultType.getElementType(), dynamicSizes);
  // Rows go through tiles of M rows, then the leftover (< M) through at
  // most one tile of each smaller height in halving steps (6 -> 4, 2, 1;
  // 4 -> 2, 1), so a batch of 64 is 10 tiles of 6 and one of 4 rather than
  // 4 single rows, each of which would stream the whole panel for one row.
  SmallVector<int64_t> heights{blk.rows};
  for (int64_t h = llvm::PowerOf2Ceil(blk.rows) / 2; h >= 1; h /= 2)
    if (h < blk.rows)
      heights.push_back(h);
  // Loop bounds depend only on the batch: computed once for all panels.
  SmallVector<std::pair<Value, Value>> ranges;
  Value start = index(0);
  for (int64_t h : heights) {
    Value end = batch;
    if (h > 1)
      end = b.create<arith::SubIOp>(
          loc, batch,
          b.create<arith::RemUIOp>(
              loc, b.create<arith::SubIOp>(loc, batch, start), index(h)));
    ranges.push_back({start, end});
    start = end;
  }
  for (const Panel &panel : panels)
    for (auto [h, range] : llvm::zip(heights, ranges)) {
      int64_t height = h;
      y = forLoop(range.first, range.second, index(height), y,
                  [&](Value i, ValueRange iterArgs) {
                    return SmallVector<Value>{
                        buildTile(x, iterArgs[0], i, height, panel)};
                  })
              .getResult(0);
    }
  ActivationAttr act = op.getActivationAttr();
  if (act && act.getKind() == ActivationKind::softmax)
    y = kiln::buildSoftmax(b, loc, y);
  b.replaceOp(op, y);
  return success();
}

Value DenseKernelBuilder::buildTile(Value x, Value y, Value i, int64_t m,
                                    const Panel &panel) {
  int64_t v = panel.vectors;
  int64_t width = panel.units;
  Value zero = kiln::floatConstant(b, loc, vecType, 0.0);
  Value pad = kiln::floatConstant(b, loc, b.getF32Type(), 0.0);
  SmallVector<Value> rowIndex;
  for (int64_t r = 0; r < m; ++r)
    rowIndex.push_back(r ? b.create<arith::AddIOp>(loc, i, index(r)).getResult()
                         : i);
  // One k step: V weight loads, M broadcasts, M·V independent FMAs.
  auto step = [&](Value k, ValueRange acc) {
    Value base =
        b.create<arith::AddIOp>(loc, index(panel.offset),
                                b.create<arith::MulIOp>(loc, k, index(width)));
    SmallVector<Value> wv;
    for (int64_t j = 0; j < v; ++j) {
      Value at = b.create<arith::AddIOp>(loc, base, index(j * blk.lanes));
      wv.push_back(b.create<vector::TransferReadOp>(loc, vecType, packedWeights,
                                                    ValueRange{at}, pad,
                                                    ArrayRef<bool>{true}));
    }
    SmallVector<Value> next;
    for (int64_t r = 0; r < m; ++r) {
      Value xs =
          b.create<tensor::ExtractOp>(loc, x, ValueRange{rowIndex[r], k});
      Value xb = b.create<vector::BroadcastOp>(loc, vecType, xs);
      for (int64_t j = 0; j < v; ++j)
        next.push_back(b.create<vector::FMAOp>(loc, xb, wv[j], acc[r * v + j]));
    }
    return next;
  };

  // A one-row tile has only v_p accumulator chains, too few to cover the
  // FMA latency and to keep enough loads in flight, so it splits the k range
  // over `splits` interleaved sets of accumulators (k ≡ s mod splits) and
  // adds them at the end. Full tiles already have M·v_p chains.
  int64_t splits = m == 1 ? std::min<int64_t>(kOneRowSplits, inputs) : 1;
  int64_t set = m * v;
  int64_t kMain = inputs / splits * splits;
  SmallVector<Value> init(set * splits, zero);
  auto kLoop = forLoop(
      index(0), index(kMain), index(splits), init,
      [&](Value k, ValueRange acc) {
        SmallVector<Value> next;
        for (int64_t sIdx = 0; sIdx < splits; ++sIdx) {
          Value kk =
              sIdx ? b.create<arith::AddIOp>(loc, k, index(sIdx)).getResult()
                   : k;
          llvm::append_range(next, step(kk, acc.slice(sIdx * set, set)));
        }
        return next;
      });
  SmallVector<Value> acc(kLoop.getResults().take_front(set));
  for (int64_t k = kMain; k < inputs; ++k)
    acc = step(index(k), acc);
  for (int64_t sIdx = 1; sIdx < splits; ++sIdx)
    for (int64_t a = 0; a < set; ++a)
      acc[a] =
          b.create<arith::AddFOp>(loc, acc[a], kLoop.getResult(sIdx * set + a));

  // Epilogue on the accumulators, then one store per output vector.
  ActivationAttr act = op.getActivationAttr();
  for (int64_t j = 0; j < v; ++j) {
    int64_t col = panel.firstUnit + j * blk.lanes;
    Value colIndex = index(col);
    auto perUnit = [&](Value packedVec) -> Value {
      if (!packedVec)
        return Value();
      return b.create<vector::TransferReadOp>(loc, vecType, packedVec,
                                              ValueRange{colIndex}, pad,
                                              ArrayRef<bool>{true});
    };
    Value biasVec = perUnit(packedBias);
    Value slopeVec = perUnit(packedSlope);
    bool inBounds = col + blk.lanes <= units;
    for (int64_t r = 0; r < m; ++r) {
      Value t = acc[r * v + j];
      if (biasVec)
        t = b.create<arith::AddFOp>(loc, t, biasVec);
      if (act && act.isElementwise() && !act.isIdentity())
        t = kiln::buildActivation(b, loc, act, t, slopeVec);
      y = b.create<vector::TransferWriteOp>(loc, t, y,
                                            ValueRange{rowIndex[r], colIndex},
                                            ArrayRef<bool>{inBounds})
              .getResult();
    }
  }
  return y;
}

struct ConvertNNToVectorPass
    : public kiln::impl::ConvertNNToVectorPassBase<ConvertNNToVectorPass> {
  using ConvertNNToVectorPassBase::ConvertNNToVectorPassBase;
  void runOnOperation() override {
    if (vectorBits != 128 && vectorBits != 256 && vectorBits != 512) {
      getOperation().emitError("convert-nn-to-vector: vector-bits must be "
                               "128, 256 or 512, not ")
          << static_cast<unsigned>(vectorBits);
      return signalPassFailure();
    }
    SmallVector<DenseOp> denseOps;
    getOperation().walk([&](DenseOp op) { denseOps.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (DenseOp op : denseOps)
      (void)DenseKernelBuilder(rewriter, op, blockingFor(vectorBits)).run();
  }
};

} // namespace
