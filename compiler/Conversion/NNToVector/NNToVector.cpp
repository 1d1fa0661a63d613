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
// bias add, a cheap activation (ReLU and its kin) and the store happen
// once per accumulator; a polynomial one (ELU, SELU, sigmoid, tanh, GELU,
// swish) runs over the panel's stored outputs afterwards (activatePanel).
//
// Panels are unrolled here at compile time, so every column offset is a
// constant: only an output vector that crosses N gets a masked store, and
// the last panel computes no whole vectors of padding.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/Passes.h"
#include "compiler/Utils/Constants.h"
#include "compiler/Utils/Functions.h"
#include "compiler/Utils/NNMath.h"
#include "compiler/Utils/Philox.h"

#include "dialects/NN/IR/NNOps.h"

#include "kiln/rng.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/SaveAndRestore.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_CONVERTNNTOVECTORPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::nn;

namespace {

/// Register blocking for one vector width.
struct Blocking {
  int64_t lanes;    // floats per vector
  int64_t rows;     // M: batch rows per tile
  int64_t vectors;  // V: vectors per panel
  int64_t tailRows; // a smaller tile for 3..tailRows leftover rows (0: none)
};

Blocking blockingFor(unsigned vectorBits) {
  switch (vectorBits) {
  case 512: // 32 zmm: 6×4 accumulators + 4 weight vectors
    return {16, 6, 4, 4};
  case 256: // 16 ymm: 6×2 accumulators + 2 weight vectors + 1 broadcast
    return {8, 6, 2, 4};
  default: // 128-bit (SSE: 16 xmm, NEON: 32 q): 4×2 accumulators
    return {4, 4, 2, 0};
  }
}

/// The blocking of a kernel that accumulates in f64 over the same packed
/// panels: half the lanes, twice the vectors per panel (the same panel
/// width, so it streams the f32 kernel's packed weights), half the rows.
/// With AVX-512, 3 × 8 accumulators, the 8 widened weight vectors and a
/// broadcast are one register too many and spill a little in the k loop;
/// 2 rows (no spill) measured slower, each widening then serving two rows:
/// the shared product of fmnist-mc-all at batch 64 took 5.3% of 6.47 ms
/// under perf, against 4.9% of 6.51 ms with 3.
Blocking wideBlocking(Blocking f32) {
  return {f32.lanes / 2, f32.rows / 2, f32.vectors * 2, 0};
}

/// One panel as the kernel sees it: its first unit and packed offset may be
/// loop-dependent (the full panels run in one loop), its width is static.
struct Panel {
  Value firstUnit; // p·NR
  Value offset;    // off_p, in floats
  int64_t units;   // n_p
  int64_t vectors; // v_p
};

/// The row tiles of a kernel body: tiles of `rows` (M) rows, the last one
/// partial; one tile of `tailRows` (T) rows for 3 to T leftover rows (none
/// when T ≤ 2); an exact 2-row tile for two leftover rows (`pairs`) and a
/// 1-row kernel for one (`singles`). See DenseKernelBuilder::tilePolicy.
struct TilePolicy {
  int64_t rows, tailRows;
  bool pairs, singles;
};

/// A kernel call's operands, in the one order its function takes them:
/// (x, [shared product], weights, [bias], [slopes], [seed, stream, sample,
/// count], destination); a null field is not passed.
struct KernelArgs {
  Value x, sharedProduct, weights, bias, slope, seed, stream, sample, count,
      dest;

  SmallVector<Value> list() const {
    SmallVector<Value> values;
    for (Value KernelArgs::*field : kOrder)
      if (this->*field)
        values.push_back(this->*field);
    return values;
  }
  /// The arguments of `entry`, the kernel made for `call`, by field.
  static KernelArgs of(Block &entry, const KernelArgs &call) {
    KernelArgs in;
    unsigned next = 0;
    for (Value KernelArgs::*field : kOrder)
      if (call.*field)
        in.*field = entry.getArgument(next++);
    return in;
  }

private:
  static constexpr Value KernelArgs::*kOrder[] = {
      &KernelArgs::x,      &KernelArgs::sharedProduct, &KernelArgs::weights,
      &KernelArgs::bias,   &KernelArgs::slope,         &KernelArgs::seed,
      &KernelArgs::stream, &KernelArgs::sample,        &KernelArgs::count,
      &KernelArgs::dest};
};

/// Packed constants by the constant they were packed from. The
/// Monte-Carlo entry points are clones of the model function with equal
/// weights: packing each once gives them one copy of the packed weights
/// (bufferization makes one global per attribute), not three.
using PackCache = kiln::ConstantCache;

class DenseKernelBuilder {
public:
  /// `sparseInput`: the layer's input may be mostly zeros, a ReLU's
  /// output or the model's input (see foldNonzeroMasks).
  DenseKernelBuilder(RewriterBase &rewriter, DenseOp op, Blocking blocking,
                     PackCache &cache, bool sparseInput)
      : b(rewriter), op(op), loc(op.getLoc()), blk(blocking), cache(cache),
        sparseInput(sparseInput) {}

  /// Rewrites `op`; fails (leaving it alone) unless its weight, bias and
  /// slope are constants.
  LogicalResult run();

private:
  /// What a kernel function computes.
  enum class Mode {
    /// y = act(x·W + b).
    Dense,
    /// x·W summed in f64 and rounded once to f32: the product of a
    /// Monte-Carlo layer's shared input with all its units.
    SharedProduct,
    /// `count` Monte-Carlo samples of the layer on the shared input x of
    /// an nn.mc_dropout_stack, each the shared product minus the terms of
    /// the units the sample drops (see runCorrected).
    Corrected,
  };

  Value index(int64_t v) { return b.create<arith::ConstantIndexOp>(loc, v); }
  /// scf.for whose body `body(iv, iterArgs)` is built with `b` and returns
  /// the values to yield.
  scf::ForOp forLoop(Value lb, Value ub, Value step, ValueRange inits,
                     function_ref<SmallVector<Value>(Value, ValueRange)> body);
  /// Calls the kernel function of the current mode for this layer's shape
  /// and `call`'s operands (created on first use); returns its result.
  Value callKernel(const KernelArgs &call);
  /// The row tiles of the current mode's kernel.
  TilePolicy tilePolicy() const;
  /// The kernel body: rows [0, batch) of x in tiles, panel by panel, into
  /// the destination y (from row `sampleRows` in Corrected mode).
  Value buildRows(Value x, Value y, Value batch);
  /// The Corrected kernel body: per sample, its dropped units, then
  /// buildRows.
  Value buildCorrectedKernel(Value x, Value y, Value seed, Value stream,
                             Value sample, Value count);
  /// Writes the units that sample `sample` drops to `list` (a memref of
  /// i32), in increasing order, then kPrefetchAhead end marks (−1). With
  /// `keep` (a memref of i16: 16 units' bits each), only the units it
  /// keeps.
  void buildDroppedUnits(Value list, Value seed, Value stream, Value sample,
                         Value keep = Value());
  /// Dense mode: a lone row runs over its listed nonzero inputs when few
  /// enough are (see buildRows).
  bool listsNonzeroInputs() const { return mode == Mode::Dense && sparseInput; }
  /// Corrected mode: a lone row's dropped units with x_k = x₀ = 0 are left
  /// out of the correction (see buildCorrectedKernel).
  bool skipsZeroTerms() const {
    return mode == Mode::Corrected && sparseInput && droppedInput == 0.f;
  }
  /// Folds `step(acc, mask, first)` over row `row` of x, 16 inputs from
  /// `first` at a time, mask[l] = x[row][first + l] ≠ 0 (NaN included;
  /// false past K); returns the result.
  Value foldNonzeroMasks(Value x, Value row, Value init,
                         function_ref<Value(Value, Value, Value)> step);
  /// Writes the units k with x[row][k] ≠ 0 to `list`, in increasing order,
  /// then the end marks.
  void buildNonzeroUnits(Value list, Value x, Value row);
  /// A vector of KILN_RNG_U16_LANES i1 as the bits of an i16.
  Value maskBits(Value mask);
  /// A list of unit indices for one of the above: a static buffer
  /// (kiln-allocs-to-stack moves it to the stack and counts it).
  Value allocUnitList();
  /// Appends the units first + lane of the lanes set in `mask` (a vector of
  /// KILN_RNG_U16_LANES i1) to `list` at `end`; returns the new end.
  Value appendUnits(Value list, Value end, Value mask, Value first);
  /// Appends the end marks at `end`.
  void endUnitList(Value list, Value end);
  /// The packed weights' address, as an !llvm.ptr, for prefetchRow.
  Value buildWeightsAddress();
  /// A zero-padded vector-aligned copy of a per-unit vector (bias, slopes)
  /// of constant `source`, or of `values`.
  Value packPerUnit(Value source);
  Value packPerUnitValues(ArrayRef<double> values);
  /// The packed form of constant `source`: from the cache, or `pack` of
  /// its values; null if `source` is not a constant that decodes.
  Value cachedPack(Value source, function_ref<Value(ArrayRef<double>)> pack);
  /// The Monte-Carlo form of run(), for a Dense whose input is `stack`.
  LogicalResult runCorrected(McDropoutStackOp stack);
  /// Prefetches row `unit` (an i32; below 0: row 0) of `panel`'s packed
  /// weights, every cache line it touches.
  void prefetchRow(Value unit, const Panel &panel);
  /// Computes rows [i, i + m) of panel `panel` into `y`; returns the new y.
  /// With `rowsEnd`, rows at or past it are not stored (and compute
  /// duplicates of the row before it): the last, partial tile; without,
  /// all m rows exist.
  Value buildTile(Value x, Value y, Value i, int64_t m, const Panel &panel,
                  Value rowsEnd);

  RewriterBase &b;
  DenseOp op;
  Location loc;
  Blocking blk;
  PackCache &cache;
  bool sparseInput;
  Mode mode = Mode::Dense;
  int64_t inputs = 0, units = 0;
  /// The stored weights' element type (f32, or f16/bf16 after
  /// nn-quantize).
  Type weightElement;
  /// The accumulators' type: vector<lanes x f32>, or f64 for
  /// SharedProduct; and a vector of stored weights.
  VectorType vecType() const {
    return VectorType::get(
        {blk.lanes}, mode == Mode::SharedProduct
                         ? Type(Float64Type::get(weightElement.getContext()))
                         : Type(Float32Type::get(weightElement.getContext())));
  }
  VectorType weightVecType() const {
    return VectorType::get({blk.lanes}, weightElement);
  }
  Value packedWeights, packedBias, packedSlope;

  /// Corrected mode. The sum the kernel subtracts is
  /// Σ_{k∈D} (x_k − droppedInput)·W_k and what remains is multiplied by
  /// `keptScale` (see runCorrected); in the kernel, the shared product,
  /// the current sample's dropped units (`unitList`, up to a −1) and
  /// where its rows start in the output.
  McDropoutStackOp stack;
  float keptScale = 1.f, droppedInput = 0.f;
  Value sharedProduct, sampleRows;
  /// When set, the tiles' k runs over the units in this list (a memref of
  /// i32 ending in −1) instead of [0, K): a Corrected sample's dropped
  /// units, or the nonzero inputs of a single row (see buildRows), then
  /// only where the i1 `unitListTaken` (if set) holds.
  Value unitList, unitListTaken;
  /// The packed weights' address (an !llvm.ptr): each k step over a unit
  /// list prefetches the weight row of the unit listed kPrefetchAhead
  /// entries further (see buildTile).
  Value weightsAddress;
  static constexpr int64_t kPrefetchAhead = 8;

  /// Activations that cost a polynomial (elu, selu, sigmoid, tanh, gelu,
  /// swish). The tiles store them unactivated, and activatePanel() applies
  /// them once the panel's rows are all computed (see there).
  static bool isPolynomial(ActivationAttr act);
  /// The polynomial activation of `op` over rows [first, first + batch)
  /// (first null: 0) of panel `panel` of `y`, in place; returns the new y.
  Value activatePanel(Value y, Value first, Value batch, const Panel &panel);
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

Value DenseKernelBuilder::cachedPack(
    Value source, function_ref<Value(ArrayRef<double>)> pack) {
  Attribute sourceAttr;
  if (!matchPattern(source, m_Constant(&sourceAttr)))
    return Value();
  if (Attribute packed = cache.lookup(sourceAttr))
    return b.create<arith::ConstantOp>(loc, cast<TypedAttr>(packed));
  // Decoded only on a miss: the Monte-Carlo clones of a layer hit.
  FailureOr<SmallVector<double>> values = kiln::getConstantValues(source);
  if (failed(values))
    return Value();
  Value packed = pack(*values);
  Attribute packedAttr;
  if (matchPattern(packed, m_Constant(&packedAttr)))
    cache.insert(sourceAttr, packedAttr);
  return packed;
}

Value DenseKernelBuilder::packPerUnitValues(ArrayRef<double> values) {
  int64_t padded = llvm::divideCeil(units, blk.lanes) * blk.lanes;
  SmallVector<float> data(padded, 0.f);
  for (int64_t j = 0; j < units; ++j)
    data[j] = values[j];
  auto type = RankedTensorType::get({padded}, b.getF32Type());
  return kiln::createFloatConstant(b, loc, op.getWeight(), type, data,
                                   "packed");
}

Value DenseKernelBuilder::packPerUnit(Value source) {
  return cachedPack(source, [&](ArrayRef<double> values) {
    return packPerUnitValues(values);
  });
}

LogicalResult DenseKernelBuilder::run() {
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  auto xType = cast<RankedTensorType>(op.getInput().getType());
  if (!wType.hasStaticShape() || !xType.getElementType().isF32())
    return failure();
  weightElement = wType.getElementType();
  inputs = wType.getDimSize(0);
  units = wType.getDimSize(1);
  for (Value v : {op.getWeight(), op.getBias(), op.getSlope()})
    if (v && !matchPattern(v, m_Constant()))
      return failure();

  // Panels and the packed weights (see the file comment).
  b.setInsertionPoint(op);
  packedWeights = cachedPack(op.getWeight(), [&](ArrayRef<double> w) {
    int64_t panelUnits = blk.vectors * blk.lanes;
    int64_t total = inputs * units + blk.lanes;
    SmallVector<float> packed(total, 0.f);
    for (int64_t first = 0; first < units; first += panelUnits) {
      int64_t n = std::min(panelUnits, units - first);
      for (int64_t k = 0; k < inputs; ++k)
        for (int64_t c = 0; c < n; ++c)
          packed[first * inputs + k * n + c] = w[k * units + first + c];
    }
    // 16-bit weights stay 16-bit (packing moves them, the values are
    // exact).
    return kiln::createFloatConstant(
        b, loc, op.getWeight(), RankedTensorType::get({total}, weightElement),
        packed, "packed");
  });
  if (op.getBias())
    packedBias = packPerUnit(op.getBias());
  if (op.getSlope())
    packedSlope = packPerUnit(op.getSlope());
  // A constant that does not decode (another element type) stays for
  // convert-nn-to-linalg; a packed constant made before it is dead.
  if (!packedWeights || (op.getBias() && !packedBias) ||
      (op.getSlope() && !packedSlope))
    return failure();

  // The first dropout of a Monte-Carlo function feeding this layer: its
  // input is shared by the samples. The correction streams rate·K
  // scattered weight rows per sample where the stacked product
  // (nn.mc_dropout_stack's own lowering, then this kernel) streams K
  // contiguous ones after a copy and a dropout pass; above rate 0.5 it
  // saves less than half the multiply-adds, its per-unit costs (a list
  // load per k, 4-row tiles) were not measured there, and the stacked
  // path is kept.
  if (auto stackOp = op.getInput().getDefiningOp<McDropoutStackOp>())
    if (stackOp->hasOneUse() && stackOp.getRate().convertToFloat() <= 0.5f)
      return runCorrected(stackOp);

  // The kernel is a function per layer shape (inputs, units, activation,
  // bias, slopes): the 19 identical hidden layers of a deep SELU network
  // share one, which keeps code size and compile time (LLVM's O3 is most
  // of it) proportional to the distinct shapes. Its output is a
  // destination argument it writes in place (`bufferization.writable`),
  // so the call costs no copy.
  ActivationAttr act = op.getActivationAttr();
  auto dynamicIn =
      RankedTensorType::get({ShapedType::kDynamic, inputs}, b.getF32Type());
  auto dynamicOut =
      RankedTensorType::get({ShapedType::kDynamic, units}, b.getF32Type());
  Value x = op.getInput();
  if (x.getType() != dynamicIn)
    x = b.create<tensor::CastOp>(loc, dynamicIn, x);
  Value batch = b.create<tensor::DimOp>(loc, x, 0);
  KernelArgs call;
  call.x = x;
  call.weights = packedWeights;
  call.bias = packedBias;
  call.slope = packedSlope;
  call.dest = b.create<tensor::EmptyOp>(loc, dynamicOut.getShape(),
                                        b.getF32Type(), ValueRange{batch});
  Value y = callKernel(call);
  if (y.getType() != op.getType())
    y = b.create<tensor::CastOp>(loc, op.getType(), y);
  if (act && act.getKind() == ActivationKind::softmax)
    y = kiln::buildSoftmax(b, loc, y);
  b.replaceOp(op, y);
  return success();
}

Value DenseKernelBuilder::callKernel(const KernelArgs &call) {
  ActivationAttr act =
      mode == Mode::SharedProduct ? ActivationAttr() : op.getActivationAttr();
  std::string key;
  llvm::raw_string_ostream os(key);
  os << inputs << "x" << units << " " << (act ? act : ActivationAttr())
     << " bias=" << bool(call.bias) << " slope=" << bool(call.slope)
     << " lanes=" << blk.lanes << " weights=" << weightElement
     << " mode=" << int(mode);
  bool skipsZeros = listsNonzeroInputs() || skipsZeroTerms();
  if (skipsZeros)
    os << " sparse";
  // The rate by its bits (see McDropoutOpLowering in NNToLinalg.cpp).
  if (mode == Mode::Corrected)
    os << " rate=" << stack.getRate().bitcastToAPInt().getZExtValue()
       << " kind=" << int(stack.getKind());
  SmallVector<Value> operands = call.list();
  SmallVector<Type> argTypes(ValueRange(operands).getTypes());
  const char *prefix = mode == Mode::Dense           ? "__kiln_dense"
                       : mode == Mode::SharedProduct ? "__kiln_dense_f64"
                                                     : "__kiln_mc_dense";
  // Never inlined: a Monte-Carlo model calls each kernel from three entry
  // points, and LLVM would otherwise copy the small ones (the output layer)
  // into each; one copy keeps O3 and instruction selection, most of the
  // compile time, proportional to the distinct layer shapes. A call per
  // layer costs nanoseconds.
  func::FuncOp kernel = kiln::getOrCreatePrivateFunction(
      b, op->getParentOfType<ModuleOp>(), loc,
      llvm::formatv("{0}_{1}x{2}", prefix, inputs, units).str(), os.str(),
      b.getFunctionType(argTypes, {call.dest.getType()}), argTypes.size() - 1,
      [&](OpBuilder &, Block &entry) {
        // Inside the kernel the packed constants are its arguments.
        KernelArgs in = KernelArgs::of(entry, call);
        llvm::SaveAndRestore weights(packedWeights, in.weights),
            bias(packedBias, in.bias), slope(packedSlope, in.slope),
            product(sharedProduct, in.sharedProduct);
        Value y = mode == Mode::Corrected
                      ? buildCorrectedKernel(in.x, in.dest, in.seed, in.stream,
                                             in.sample, in.count)
                      : buildRows(in.x, in.dest,
                                  b.create<tensor::DimOp>(loc, in.x, 0));
        b.create<func::ReturnOp>(loc, y);
      });
  kernel->setAttr(kiln::kZeroSkippingAttr, b.getBoolAttr(skipsZeros));
  return b.create<func::CallOp>(loc, kernel, operands).getResult(0);
}

// A lone leftover row takes the one-row kernel because M rows of work for
// one is the worst trade; batch 1 is that case. Two leftover rows take a
// two-row tile: the weights stream once for both, and batch 2 costs little
// more than batch 1 (with the four-row tile it cost 9.3 µs for fmnist-mlp
// against 7.1). With a tail tile of T rows (T = 4 for M = 6), 3 to T
// leftover rows take one T-row tile (partial below T): a partial 6-row
// tile computes 6 rows, which made batch 2 and 4 cost as much as batch 6
// (13.5 µs for fmnist-mlp, against 7 µs for batch 1). At most four kernels
// per panel width, whatever the batch, keep the code (and the compile
// time) small.
//
// The Monte-Carlo kernels keep fewer: the shared product runs once per
// call, in tiles only (a batch-1 call computes three rows for one, 4 µs
// more per 100 samples), and the correction has no two-row tile (two
// leftover rows take a partial 4-row tile). Each kernel shape is about a
// fifth of a model's LLVM compile time: with all of them the Monte-Carlo
// models took 0.58–0.60 s to compile, 0.51–0.54 s without these two
// (measured while each user of Philox had its own inlined copy; with one
// Philox function per module they take 0.42–0.44 s).
//
// The correction's tiles have at most 4 rows. Each k of its list is a
// load, and LLVM issues the broadcasts of all the tile's x[r, k] right
// after it: with 6 rows, 24 accumulators, 6 broadcasts and 4 weight
// vectors needed 34 of the 32 zmm registers, and the spills inside the k
// loop made 100 samples of fmnist-mc-all at batch 64 take 6357 µs against
// 5941 µs with 4 rows (16 accumulators, 3 repetitions each). Every tile
// height sums a row in the same order, so the results do not change.
TilePolicy DenseKernelBuilder::tilePolicy() const {
  switch (mode) {
  case Mode::Dense:
    return {blk.rows, blk.tailRows, /*pairs=*/true, /*singles=*/true};
  case Mode::SharedProduct:
    return {blk.rows, blk.tailRows, /*pairs=*/false, /*singles=*/false};
  case Mode::Corrected:
    return {std::min<int64_t>(blk.rows, 4), 0, /*pairs=*/false,
            /*singles=*/true};
  }
  llvm_unreachable("every mode has its tiles");
}

Value DenseKernelBuilder::buildRows(Value x, Value y, Value batch) {
  int64_t panelUnits = blk.vectors * blk.lanes;
  int64_t fullPanels = units / panelUnits;
  int64_t lastUnits = units % panelUnits;

  // Rows: tiles of M up to `tilesEnd`, the last one partial (its missing
  // rows recompute the last real row and are not stored), then the rest
  // (tilePolicy says which tiles the mode has).
  TilePolicy policy = tilePolicy();
  bool pairs = policy.pairs, singles = policy.singles;
  Value leftover = b.create<arith::RemUIOp>(loc, batch, index(policy.rows));
  Value never = b.create<arith::ConstantOp>(loc, b.getBoolAttr(false));
  auto leftoverIs = [&](int64_t n) -> Value {
    return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, leftover,
                                   index(n));
  };
  Value oneLeft = singles ? leftoverIs(1) : never;
  // Tiles have 4 or 6 rows (blockingFor): two rows can be left over at
  // every width.
  Value twoLeft = pairs ? leftoverIs(2) : never;
  // leftover in [3, T]: (leftover − 3) < T − 2, unsigned.
  Value fewLeft = policy.tailRows > 2
                      ? b.create<arith::CmpIOp>(
                             loc, arith::CmpIPredicate::ult,
                             b.create<arith::SubIOp>(loc, leftover, index(3)),
                             index(policy.tailRows - 2))
                            .getResult()
                      : never;
  Value tilesEnd = b.create<arith::SelectOp>(
      loc, b.create<arith::OrIOp>(loc, twoLeft, fewLeft),
      b.create<arith::SubIOp>(loc, batch, leftover),
      b.create<arith::SelectOp>(
          loc, oneLeft, b.create<arith::SubIOp>(loc, batch, index(1)), batch));
  Value pairEnd = b.create<arith::SelectOp>(
      loc, twoLeft, b.create<arith::AddIOp>(loc, tilesEnd, index(2)), tilesEnd);
  Value tailEnd = b.create<arith::SelectOp>(
      loc, fewLeft,
      b.create<arith::AddIOp>(loc, tilesEnd, index(policy.tailRows)), pairEnd);
  Value oneStart = b.create<arith::SelectOp>(loc, oneLeft, tilesEnd, batch);
  // A lone row of an input that may be mostly zeros runs over its nonzero
  // inputs when at most 3/4 of them are, listed once for every panel (see
  // foldNonzeroMasks).
  Value nonzero, useList;
  if (listsNonzeroInputs()) {
    weightsAddress = buildWeightsAddress();
    nonzero = allocUnitList();
    // Counted first, listed only when the list is taken: a row of few
    // zeros (random inputs, say) costs a compare and a popcount per 16
    // inputs.
    auto counted = b.create<scf::IfOp>(loc, b.getIndexType(), oneLeft,
                                       /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&counted.getThenRegion().front());
      b.create<scf::YieldOp>(
          loc, foldNonzeroMasks(
                   x, oneStart, index(0), [&](Value count, Value mask, Value) {
                     return b.create<arith::AddIOp>(
                         loc, count,
                         b.create<arith::IndexCastUIOp>(
                             loc, b.getIndexType(),
                             b.create<math::CtPopOp>(loc, maskBits(mask))));
                   }));
      b.setInsertionPointToStart(&counted.getElseRegion().front());
      b.create<scf::YieldOp>(loc, index(inputs));
    }
    useList = b.create<arith::CmpIOp>(
        loc, arith::CmpIPredicate::ule,
        b.create<arith::MulIOp>(loc, counted.getResult(0), index(4)),
        index(3 * inputs));
    auto listed = b.create<scf::IfOp>(loc, useList, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&listed.getThenRegion().front());
    buildNonzeroUnits(nonzero, x, oneStart);
  }
  auto rows = [&](Value y, const Panel &panel) {
    // Tiles of m rows from `start` to `end`; rows at or past `rowsEnd`
    // (if given) are not stored.
    auto tiles = [&](Value y, Value start, Value end, int64_t m,
                     Value rowsEnd) {
      return forLoop(start, end, index(m), y,
                     [&](Value i, ValueRange iterArgs) {
                       return SmallVector<Value>{
                           buildTile(x, iterArgs[0], i, m, panel, rowsEnd)};
                     })
          .getResult(0);
    };
    y = tiles(y, index(0), tilesEnd, policy.rows, tilesEnd);
    if (pairs)
      y = tiles(y, tilesEnd, pairEnd, 2, Value());
    if (policy.tailRows > 2)
      y = tiles(y, pairEnd, tailEnd, policy.tailRows, batch);
    if (singles && nonzero) {
      unitList = nonzero;
      unitListTaken = useList;
      y = tiles(y, oneStart, batch, 1, Value());
      unitList = unitListTaken = Value();
    } else if (singles) {
      y = tiles(y, oneStart, batch, 1, Value());
    }
    if (mode == Mode::Dense && isPolynomial(op.getActivationAttr()))
      y = activatePanel(y, Value(), batch, panel);
    return y;
  };
  // The correction's polynomial activation runs once over the sample's
  // rows, all units: one copy of it instead of one per panel width.
  auto activateAll = [&](Value y) {
    if (mode != Mode::Corrected || !isPolynomial(op.getActivationAttr()))
      return y;
    Panel all{index(0), Value(), units,
              static_cast<int64_t>(llvm::divideCeil(units, blk.lanes))};
    return activatePanel(y, sampleRows, batch, all);
  };
  // The full panels share one loop (one copy of the kernels however wide
  // the layer); a last, narrower panel gets its own.
  if (fullPanels > 0)
    y = forLoop(
            index(0), index(fullPanels), index(1), y,
            [&](Value p, ValueRange iterArgs) {
              Panel panel{
                  b.create<arith::MulIOp>(loc, p, index(panelUnits)),
                  b.create<arith::MulIOp>(loc, p, index(panelUnits * inputs)),
                  panelUnits, blk.vectors};
              return SmallVector<Value>{rows(iterArgs[0], panel)};
            })
            .getResult(0);
  if (lastUnits > 0) {
    int64_t first = fullPanels * panelUnits;
    Panel panel{index(first), index(first * inputs), lastUnits,
                static_cast<int64_t>(llvm::divideCeil(lastUnits, blk.lanes))};
    y = rows(y, panel);
  }
  if (nonzero)
    weightsAddress = Value();
  return activateAll(y);
}

// Monte-Carlo samples of y = act(x̃·W + b), x̃ the dropout of an input x
// that every sample shares (the layers before the first dropout ran once).
// The dropout maps a kept x_k to κ·x_k + c and a dropped one to a constant
// d (kiln::getDropoutMap: standard κ = 1/(1 − rate), c = d = 0). With
// x₀ = (d − c)/κ, the input whose kept image is d, and D the units the
// sample drops (the same for every row of the sample):
//
//   x̃·W = Σ_k (κ·x_k + c)·W_k − Σ_{k∈D} κ·(x_k − x₀)·W_k
//       = κ·(P − Σ_{k∈D} (x_k − x₀)·W_k) + c·Σ_k W_k,    P = x·W.
//
// P is the same in every sample and is computed once (SharedProduct,
// where x is defined: outside the sample loop); c·Σ_k W_k (alpha dropout
// only) joins the bias at compile time. Each sample then costs |D| of the
// K rows of W: a fifth of the multiply-adds at rate 0.2, and the |D| rows
// it streams are reused by every row of the batch.
//
// Precision: P is summed in f64 and rounded once. Summed in f32, its
// rounding error (that of K terms) was part of every sample's, and a
// random model's per-sample error against the double-precision reference
// reached 1.04e-5 (the stacked product's: 6.9e-6); with P in f64 it is
// 7.75e-6, as the trainer's own (7.81e-6). The correction is summed from
// zero, so its error scales with its own |D| terms.
LogicalResult DenseKernelBuilder::runCorrected(McDropoutStackOp stackOp) {
  stack = stackOp;
  kiln::DropoutMap map =
      kiln::getDropoutMap(stack.getRate().convertToFloat(), stack.getKind());
  keptScale = static_cast<float>(map.kept);
  droppedInput = static_cast<float>((map.dropped - map.shift) / map.kept);
  if (map.shift != 0) {
    // bias + c·Σ_k W_k per unit, in double from the stored weights (the
    // 16-bit ones after nn-quantize: the values the products use). run()
    // packed both from these constants, so they decode.
    FailureOr<SmallVector<double>> w = kiln::getConstantValues(op.getWeight());
    assert(succeeded(w) && "the weights were packed");
    SmallVector<double> adjusted(units, 0.0);
    if (op.getBias()) {
      FailureOr<SmallVector<double>> bias =
          kiln::getConstantValues(op.getBias());
      assert(succeeded(bias) && "the bias was packed");
      adjusted = *bias;
    }
    for (int64_t j = 0; j < units; ++j) {
      double column = 0;
      for (int64_t k = 0; k < inputs; ++k)
        column += (*w)[k * units + j];
      adjusted[j] += map.shift * column;
    }
    packedBias = packPerUnitValues(adjusted);
  }

  Type f32 = b.getF32Type();
  auto dynamicIn = RankedTensorType::get({ShapedType::kDynamic, inputs}, f32);
  auto dynamicOut = RankedTensorType::get({ShapedType::kDynamic, units}, f32);
  Value h = stack.getInput();
  auto castIn = [&](Value v) -> Value {
    return v.getType() == dynamicIn
               ? v
               : b.create<tensor::CastOp>(loc, dynamicIn, v).getResult();
  };

  // P where h is defined, with the f64 blocking over the same packed
  // weights (a constant of its own there, of the same attribute). x and
  // its rows, made there too, serve the correction as well.
  Value product, x, batch;
  {
    OpBuilder::InsertionGuard guard(b);
    if (Operation *def = h.getDefiningOp())
      b.setInsertionPointAfter(def);
    else
      b.setInsertionPointToStart(cast<BlockArgument>(h).getOwner());
    mode = Mode::SharedProduct;
    llvm::SaveAndRestore wide(blk, wideBlocking(blk));
    assert(blk.lanes * blk.vectors == wide.get().lanes * wide.get().vectors &&
           "the f64 kernel streams the f32 kernel's panels");
    assert(matchPattern(packedWeights, m_Constant()) &&
           "run() made the packed weights a constant");
    Value weights = b.clone(*packedWeights.getDefiningOp())->getResult(0);
    x = castIn(h);
    batch = b.create<tensor::DimOp>(loc, x, 0);
    KernelArgs call;
    call.x = x;
    call.weights = weights;
    call.dest =
        b.create<tensor::EmptyOp>(loc, dynamicOut.getShape(), f32, batch);
    product = callKernel(call);
  }

  mode = Mode::Corrected;
  Value rows = b.create<arith::MulIOp>(loc, batch, stack.getCount());
  KernelArgs call;
  call.x = x;
  call.sharedProduct = product;
  call.weights = packedWeights;
  call.bias = packedBias;
  call.slope = packedSlope;
  call.seed = stack.getSeed();
  call.stream = kiln::intConstant(b, loc, b.getI32Type(), stack.getStream());
  call.sample = stack.getSample();
  call.count = stack.getCount();
  call.dest = b.create<tensor::EmptyOp>(loc, dynamicOut.getShape(), f32, rows);
  Value y = callKernel(call);
  if (y.getType() != op.getType())
    y = b.create<tensor::CastOp>(loc, op.getType(), y);
  ActivationAttr act = op.getActivationAttr();
  if (act && act.getKind() == ActivationKind::softmax)
    y = kiln::buildSoftmax(b, loc, y);
  b.replaceOp(op, y);
  b.eraseOp(stack);
  return success();
}

Value DenseKernelBuilder::buildCorrectedKernel(Value x, Value y, Value seed,
                                               Value stream, Value sample,
                                               Value count) {
  Value batch = b.create<tensor::DimOp>(loc, x, 0);
  weightsAddress = buildWeightsAddress();
  Value list = allocUnitList();
  unitList = list;
  // A dropped unit whose x_k is x₀ = 0 (standard dropout) in every row of
  // the sample adds a zero term: with one row (batch 1) and an input that
  // may be mostly zeros (an image's, a ReLU's), the list leaves those out,
  // about half of them. The sums do not change (see foldNonzeroMasks).
  // The row's nonzero inputs are found once per call, 16 bits per 16 units
  // (all ones for more rows), and each sample's dropped units are masked
  // with them.
  Value keep;
  if (skipsZeroTerms()) {
    int64_t vectors = llvm::divideCeil(inputs, KILN_RNG_U16_GROUP) *
                      (KILN_RNG_U16_GROUP / KILN_RNG_U16_LANES);
    keep = b.create<memref::AllocOp>(
        loc, MemRefType::get({vectors}, b.getI16Type()));
    Value oneRow =
        b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, batch, index(1));
    auto fill = b.create<scf::IfOp>(loc, oneRow, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fill.getThenRegion().front());
    foldNonzeroMasks(x, index(0), index(0),
                     [&](Value q, Value mask, Value) -> Value {
                       b.create<memref::StoreOp>(loc, maskBits(mask), keep, q);
                       return b.create<arith::AddIOp>(loc, q, index(1));
                     });
    // Past K: no unit (the dropped lanes there are masked off as well).
    Value none = kiln::intConstant(b, loc, b.getI16Type(), 0);
    for (int64_t q = llvm::divideCeil(inputs, KILN_RNG_U16_LANES); q < vectors;
         ++q)
      b.create<memref::StoreOp>(loc, none, keep, index(q));
    b.setInsertionPointToStart(&fill.getElseRegion().front());
    Value all = kiln::intConstant(b, loc, b.getI16Type(), uint16_t(0xffff));
    forLoop(index(0), index(vectors), index(1), ValueRange{},
            [&](Value q, ValueRange) {
              b.create<memref::StoreOp>(loc, all, keep, q);
              return SmallVector<Value>{};
            });
  }
  y = forLoop(index(0), count, index(1), y, [&](Value j, ValueRange iterArgs) {
        Value s = b.create<arith::AddIOp>(
            loc, sample,
            b.create<arith::IndexCastUIOp>(loc, b.getI32Type(), j));
        buildDroppedUnits(list, seed, stream, s, keep);
        sampleRows = b.create<arith::MulIOp>(loc, j, batch);
        return SmallVector<Value>{buildRows(x, iterArgs[0], batch)};
      }).getResult(0);
  unitList = sampleRows = weightsAddress = Value();
  return y;
}

Value DenseKernelBuilder::buildWeightsAddress() {
  // The weights argument's buffer, read only, so bufferization does not
  // copy it. Its aligned pointer is element 0 because nn-to-llvm bufferizes
  // function boundaries with identity layouts (offset 0); with a dynamic
  // layout it would not be, and the prefetches would miss (nothing else
  // uses the address).
  Value weights = b.create<bufferization::ToMemrefOp>(
      loc,
      MemRefType::get(cast<ShapedType>(packedWeights.getType()).getShape(),
                      weightElement),
      packedWeights, /*read_only=*/true);
  return b.create<LLVM::IntToPtrOp>(
      loc, LLVM::LLVMPointerType::get(b.getContext()),
      b.create<arith::IndexCastUIOp>(
          loc, b.getI64Type(),
          b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, weights)));
}

Value DenseKernelBuilder::allocUnitList() {
  // One i32 per input unit and the end marks, in whole vectors.
  int64_t capacity =
      llvm::divideCeil(inputs + kPrefetchAhead, KILN_RNG_U16_LANES) *
      KILN_RNG_U16_LANES;
  return b.create<memref::AllocOp>(loc,
                                   MemRefType::get({capacity}, b.getI32Type()));
}

// The units a sample drops, as nn.mc_dropout draws them (the complements
// of kiln::buildKeepMasks, 128 units per group), 16 decisions at a time
// (appendUnits).
// The list is the sample's only trace in memory, 4 bytes per dropped unit,
// reused by every row tile and panel of the sample; the decisions are
// never stored.
void DenseKernelBuilder::buildDroppedUnits(Value list, Value seed, Value stream,
                                           Value sample, Value keep) {
  constexpr int64_t kLanes = KILN_RNG_U16_LANES, kGroup = KILN_RNG_U16_GROUP;
  int64_t groups = llvm::divideCeil(inputs, kGroup);
  func::FuncOp philoxGroup = kiln::getOrCreatePhiloxGroupFunction(
      b, op->getParentOfType<ModuleOp>(), loc);
  int64_t lastGroupUnits = inputs - (groups - 1) * kGroup;
  auto maskType = VectorType::get({kLanes}, b.getI1Type());
  float rate = stack.getRate().convertToFloat();
  Value every =
      b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(maskType, true));
  Value end =
      forLoop(
          index(0), index(groups), index(1), ValueRange{index(0)},
          [&](Value g, ValueRange iterArgs) {
            Value end = iterArgs[0];
            std::array<Value, 8> keeps = kiln::buildKeepMasks(
                b, loc, philoxGroup, seed, stream, sample, g, rate);
            Value groupStart = b.create<arith::MulIOp>(loc, g, index(kGroup));
            for (int64_t d = 0; d < kGroup / kLanes; ++d) {
              Value dropped = b.create<arith::XOrIOp>(loc, keeps[d], every);
              Value first =
                  b.create<arith::AddIOp>(loc, groupStart, index(d * kLanes));
              // Lanes past the last unit (of the last group) drop
              // nothing: max(K, first) − first lanes are units.
              if ((d + 1) * kLanes > lastGroupUnits)
                dropped = b.create<arith::AndIOp>(
                    loc, dropped,
                    b.create<vector::CreateMaskOp>(
                        loc, maskType,
                        ValueRange{b.create<arith::SubIOp>(
                            loc,
                            b.create<arith::MaxUIOp>(loc, index(inputs), first),
                            first)}));
              if (keep)
                dropped = b.create<arith::AndIOp>(
                    loc, dropped,
                    b.create<vector::BitCastOp>(
                        loc, maskType,
                        b.create<vector::BroadcastOp>(
                            loc, VectorType::get({1}, b.getI16Type()),
                            b.create<memref::LoadOp>(
                                loc, keep,
                                ValueRange{b.create<arith::AddIOp>(
                                    loc,
                                    b.create<arith::MulIOp>(
                                        loc, g, index(kGroup / kLanes)),
                                    index(d))}))));
              end = appendUnits(list, end, dropped, first);
            }
            return SmallVector<Value>{end};
          })
          .getResult(0);
  endUnitList(list, end);
}

// A zero input's row of weights adds nothing, and at batch 1 the weights
// are the time (they stream from L2 or L3): a single row (batch 1, a
// batch's last lone row) streams only the weight rows of its nonzero
// inputs. A ReLU's output is about half zeros (a pre-activation symmetric
// about 0), so wide's second layer, 4 MB, reads about 2 MB; so is an
// image's, Fashion-MNIST's pixels (half of them 0). A tile of several rows
// needs the union of its rows' units, nearly all of them, and keeps the
// dense loop.
//
// Per listed unit the loop costs more than the dense one (a list load, the
// prefetches): fmnist-mlp's first layer over a list of all 784 inputs
// took 7.9 µs against 6.9 at batch 1. Above 3/4 of the units listed, the
// row takes the dense loop; the list costs a compare and a compressing
// store per 16 inputs.
//
// The results are those of the dense loop, bit for bit but for the sign of
// a zero: the remaining terms are summed in the same order, and a skipped
// term ±0 = 0·w_k (the weights are finite: nn-fold-batch-norm and
// nn-quantize refuse to make them infinite) changes an accumulator only
// when it is −0, which takes a sum that rounds to zero from below (a
// negative exact sum of magnitude at most 2^-150); the dense loop then
// adds +0 and makes it +0.
Value DenseKernelBuilder::foldNonzeroMasks(
    Value x, Value row, Value init,
    function_ref<Value(Value, Value, Value)> step) {
  constexpr int64_t kLanes = KILN_RNG_U16_LANES;
  int64_t whole = inputs / kLanes;
  auto type = VectorType::get({kLanes}, b.getF32Type());
  Value zero = kiln::floatConstant(b, loc, type, 0.0);
  Value pad = kiln::floatConstant(b, loc, b.getF32Type(), 0.0);
  // NaN compares unordered: it is listed, and reaches the outputs.
  auto fold = [&](Value acc, Value first, bool inBounds) {
    Value v = b.create<vector::TransferReadOp>(
        loc, type, x, ValueRange{row, first}, pad, ArrayRef<bool>{inBounds});
    return step(
        acc, b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, v, zero),
        first);
  };
  Value acc = init;
  if (whole > 0)
    acc =
        forLoop(index(0), index(whole * kLanes), index(kLanes), ValueRange{acc},
                [&](Value first, ValueRange iterArgs) {
                  return SmallVector<Value>{fold(iterArgs[0], first, true)};
                })
            .getResult(0);
  // The last, partial vector reads zeros past K, which are not listed.
  if (inputs % kLanes != 0)
    acc = fold(acc, index(whole * kLanes), false);
  return acc;
}

void DenseKernelBuilder::buildNonzeroUnits(Value list, Value x, Value row) {
  endUnitList(list, foldNonzeroMasks(x, row, index(0),
                                     [&](Value end, Value mask, Value first) {
                                       return appendUnits(list, end, mask,
                                                          first);
                                     }));
}

Value DenseKernelBuilder::maskBits(Value mask) {
  return b.create<vector::ExtractOp>(
      loc,
      b.create<vector::BitCastOp>(loc, VectorType::get({1}, b.getI16Type()),
                                  mask),
      ArrayRef<int64_t>{0});
}

// Each vector of 16 decisions appends its units to the list with one
// compressing store (vpcompressd with AVX-512), and the end moves by its
// popcount.
Value DenseKernelBuilder::appendUnits(Value list, Value end, Value mask,
                                      Value first) {
  constexpr int64_t kLanes = KILN_RNG_U16_LANES;
  Type i32 = b.getI32Type();
  auto i32Vec = VectorType::get({kLanes}, i32);
  Value bits = maskBits(mask);
  // vpcompressd is AVX-512's (blk.lanes 16: 512-bit vectors).
  if (blk.lanes != 16) {
    // Without vpcompressd LLVM expands a compressing store into a branch
    // per lane, mispredicted at random: every lane's unit is stored at the
    // end instead, which only a listed unit then moves (stores stay below
    // the units seen so far, inside the list).
    Value mask32 = b.create<arith::ExtUIOp>(loc, i32, bits);
    Value unit0 = b.create<arith::IndexCastUIOp>(loc, i32, first);
    for (int64_t lane = 0; lane < kLanes; ++lane) {
      Value laneIndex = kiln::intConstant(b, loc, i32, lane);
      b.create<memref::StoreOp>(loc,
                                b.create<arith::AddIOp>(loc, unit0, laneIndex),
                                list, ValueRange{end});
      Value bit = b.create<arith::AndIOp>(
          loc, b.create<arith::ShRUIOp>(loc, mask32, laneIndex),
          kiln::intConstant(b, loc, i32, 1));
      end = b.create<arith::AddIOp>(
          loc, end, b.create<arith::IndexCastUIOp>(loc, b.getIndexType(), bit));
    }
    return end;
  }
  Value unitsVec = b.create<arith::AddIOp>(
      loc,
      b.create<vector::BroadcastOp>(
          loc, i32Vec, b.create<arith::IndexCastUIOp>(loc, i32, first)),
      kiln::laneIndices(b, loc, i32Vec));
  b.create<vector::CompressStoreOp>(loc, list, ValueRange{end}, mask, unitsVec);
  return b.create<arith::AddIOp>(
      loc, end,
      b.create<arith::IndexCastUIOp>(loc, b.getIndexType(),
                                     b.create<math::CtPopOp>(loc, bits)));
}

// kPrefetchAhead end marks follow the units: the k loop reads an entry only
// below the end, and looks kPrefetchAhead entries further, so what it reads
// ahead is a unit or −1, never a stale or unwritten entry.
void DenseKernelBuilder::endUnitList(Value list, Value end) {
  Value endMark = kiln::intConstant(b, loc, b.getI32Type(), uint32_t(-1));
  for (int64_t i = 0; i < kPrefetchAhead; ++i)
    b.create<memref::StoreOp>(
        loc, endMark, list,
        ValueRange{
            i == 0 ? end
                   : b.create<arith::AddIOp>(loc, end, index(i)).getResult()});
}

bool DenseKernelBuilder::isPolynomial(ActivationAttr act) {
  if (!act)
    return false;
  switch (act.getKind()) {
  case ActivationKind::elu:
  case ActivationKind::selu:
  case ActivationKind::sigmoid:
  case ActivationKind::tanh:
  case ActivationKind::gelu:
  case ActivationKind::swish:
    return true;
  default:
    return false;
  }
}

// A polynomial activation runs over a whole panel's outputs after its row
// tiles (at most batch × 64 floats with AVX-512, 16 KiB at batch 64: in
// L1), one row of vectors at a time with the polynomial inlined once. In
// the tile epilogue it would be inlined into every accumulator of every
// tile shape of every panel (a 20-layer SELU network: 100k ops, a 17 s
// compile), or called per accumulator with the other 23 accumulators
// live across the call, spilled and reloaded: ELU's calls took 8% of 100
// Monte-Carlo samples at batch 64, plus the spills inside the kernel.
Value DenseKernelBuilder::activatePanel(Value y, Value first, Value batch,
                                        const Panel &panel) {
  ActivationAttr act = op.getActivationAttr();
  Value pad = kiln::floatConstant(b, loc, b.getF32Type(), 0.0);
  int64_t whole = panel.units / blk.lanes;
  auto vectorAt = [&](Value y, Value r, Value col, bool inBounds) -> Value {
    Value t = b.create<vector::TransferReadOp>(
        loc, vecType(), y, ValueRange{r, col}, pad, ArrayRef<bool>{inBounds});
    Value a = kiln::buildActivation(b, loc, act, t, Value());
    return b
        .create<vector::TransferWriteOp>(loc, a, y, ValueRange{r, col},
                                         ArrayRef<bool>{inBounds})
        .getResult();
  };
  return forLoop(
             first ? first : index(0),
             first ? b.create<arith::AddIOp>(loc, first, batch) : batch,
             index(1), y,
             [&](Value r, ValueRange rowArgs) {
               Value y = rowArgs[0];
               if (whole > 0)
                 y = forLoop(index(0), index(whole), index(1), y,
                             [&](Value j, ValueRange args) {
                               Value col = b.create<arith::AddIOp>(
                                   loc, panel.firstUnit,
                                   b.create<arith::MulIOp>(loc, j,
                                                           index(blk.lanes)));
                               return SmallVector<Value>{
                                   vectorAt(args[0], r, col, true)};
                             })
                         .getResult(0);
               // The vector that crosses the last unit, masked.
               if (whole < panel.vectors)
                 y = vectorAt(y, r,
                              b.create<arith::AddIOp>(loc, panel.firstUnit,
                                                      index(whole * blk.lanes)),
                              false);
               return SmallVector<Value>{y};
             })
      .getResult(0);
}

// The rows a Corrected kernel reads are scattered, the sample's own dropped
// units, so no hardware prefetcher predicts them; the first tile of a
// panel waited on each (the 940 KB of fmnist's first layer do not stay in
// L2 beside the sample's buffers). Prefetching the row 8 entries ahead
// took fmnist-mc-all's 100 samples from 5695 to 5510 µs at batch 64 and
// from 219 to 208 µs at batch 1 (4 ahead: 5576 µs, 16: 5532 µs; 3
// repetitions each, one vector's line per prefetch); prefetching by cache
// line, as here, 5433 and 200 µs. The later tiles find the rows in L1,
// where a prefetch costs a load slot.
void DenseKernelBuilder::prefetchRow(Value unit, const Panel &panel) {
  Value row = b.create<arith::IndexCastUIOp>(
      loc, b.getIndexType(),
      b.create<arith::MaxSIOp>(loc, unit,
                               kiln::intConstant(b, loc, b.getI32Type(), 0)));
  Value first = b.create<arith::IndexCastUIOp>(
      loc, b.getI64Type(),
      b.create<arith::AddIOp>(
          loc, panel.offset,
          b.create<arith::MulIOp>(loc, row, index(panel.units))));
  // What a k step loads: v_p whole vectors from the row's start (past n_p
  // into the next row in a narrower panel). Its lines start at most 64
  // bytes apart, up to its last byte. A row stride of whole lines keeps
  // rows on line boundaries (one-shot bufferization aligns the packed
  // weights' global to 64 bytes, and panels start at whole rows), so the
  // last byte adds a line only for other strides.
  constexpr int64_t kLine = 64;
  int64_t elementBytes = weightElement.getIntOrFloatBitWidth() / 8;
  int64_t bytes = panel.vectors * blk.lanes * elementBytes;
  SmallVector<int64_t> offsets;
  for (int64_t at = 0; at < bytes; at += kLine)
    offsets.push_back(at);
  if ((panel.units * elementBytes) % kLine != 0 && offsets.back() != bytes - 1)
    offsets.push_back(bytes - 1);
  auto ptrType = LLVM::LLVMPointerType::get(b.getContext());
  Value start = b.create<LLVM::GEPOp>(loc, ptrType, weightElement,
                                      weightsAddress, ValueRange{first});
  for (int64_t at : offsets)
    kiln::buildPrefetch(
        b, op->getParentOfType<ModuleOp>(), loc,
        at == 0 ? start
                : b.create<LLVM::GEPOp>(
                      loc, ptrType, b.getI8Type(), start,
                      ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(at)}));
}

Value DenseKernelBuilder::buildTile(Value x, Value y, Value i, int64_t m,
                                    const Panel &panel, Value rowsEnd) {
  int64_t v = panel.vectors;
  int64_t width = panel.units;
  Value zero = kiln::floatConstant(b, loc, vecType(), 0.0);
  Value pad = kiln::floatConstant(b, loc, b.getF32Type(), 0.0);
  Value weightPad = kiln::floatConstant(b, loc, weightElement, 0.0);
  // Row r of the tile, clamped to the last real row in a partial tile
  // (without `rowsEnd` every row is real).
  SmallVector<Value> rowIndex{i}, rowValid{Value()};
  Value lastRow =
      rowsEnd ? b.create<arith::SubIOp>(loc, rowsEnd, index(1)) : Value();
  for (int64_t r = 1; r < m; ++r) {
    Value row = b.create<arith::AddIOp>(loc, i, index(r));
    if (!rowsEnd) {
      rowValid.push_back(Value());
      rowIndex.push_back(row);
      continue;
    }
    rowValid.push_back(
        b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, row, rowsEnd));
    rowIndex.push_back(b.create<arith::MinUIOp>(loc, row, lastRow));
  }
  // One k step: V weight loads, M broadcasts, M·V independent FMAs.
  auto step = [&](Value k, ValueRange acc) {
    Value base = b.create<arith::AddIOp>(
        loc, panel.offset, b.create<arith::MulIOp>(loc, k, index(width)));
    SmallVector<Value> wv;
    for (int64_t j = 0; j < v; ++j) {
      Value at = b.create<arith::AddIOp>(loc, base, index(j * blk.lanes));
      Value w = b.create<vector::TransferReadOp>(
          loc, weightVecType(), packedWeights, ValueRange{at}, weightPad,
          ArrayRef<bool>{true});
      // 16-bit weights widen exactly (one vcvtph2ps with F16C/AVX-512; a
      // 16-bit shift for bf16), once per load, shared by the M rows.
      if (weightVecType() != vecType())
        w = b.create<arith::ExtFOp>(loc, vecType(), w);
      wv.push_back(w);
    }
    SmallVector<Value> next;
    for (int64_t r = 0; r < m; ++r) {
      Value xs =
          b.create<tensor::ExtractOp>(loc, x, ValueRange{rowIndex[r], k});
      if (mode == Mode::Corrected && droppedInput != 0.f)
        xs = b.create<arith::SubFOp>(
            loc, xs, kiln::floatConstant(b, loc, b.getF32Type(), droppedInput));
      if (vecType().getElementType() != xs.getType())
        xs = b.create<arith::ExtFOp>(loc, vecType().getElementType(), xs);
      Value xb = b.create<vector::BroadcastOp>(loc, vecType(), xs);
      for (int64_t j = 0; j < v; ++j)
        next.push_back(b.create<vector::FMAOp>(loc, xb, wv[j], acc[r * v + j]));
    }
    return next;
  };

  // One k loop for every tile height, so a row is summed in the same order
  // whatever tile computes it and its output is bitwise the same in any
  // batch (Monte-Carlo results must not depend on batch splits; a row's
  // nonzero units give the same bits but for a zero's sign, see
  // foldNonzeroMasks). Splitting
  // the one-row kernel's k range over two accumulator sets measured the
  // same at batch 1, within run-to-run noise, and would break that.
  SmallVector<Value> init(m * v, zero), acc;
  // Over a unit list (a Corrected sample's dropped units, a row's nonzero
  // inputs) k runs over the units, in increasing order, up to the list's
  // negative end mark. A loop whose trip count LLVM cannot compute is one
  // it does not unroll at run time: the counted loop (to droppedCount) was
  // unrolled by two with a remainder, and the register allocator then kept
  // the 24 accumulators in memory across every iteration (a load and a
  // store of each per two k), which took the batch-64 Monte-Carlo run from
  // 6.4 to 9 ms.
  auto overList = [&]() -> SmallVector<Value> {
    SmallVector<Type> types{b.getIndexType(), b.getIndexType()};
    types.append(init.size(), vecType());
    SmallVector<Value> inits{index(0)};
    inits.append(init);
    auto loop = b.create<scf::WhileOp>(
        loc, types, inits,
        [&](OpBuilder &nested, Location, ValueRange args) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nested.getInsertionBlock(),
                              nested.getInsertionPoint());
          Value unit = b.create<memref::LoadOp>(loc, unitList, args[0]);
          Value more = b.create<arith::CmpIOp>(
              loc, arith::CmpIPredicate::sge, unit,
              kiln::intConstant(b, loc, b.getI32Type(), 0));
          SmallVector<Value> forward{
              b.create<arith::IndexCastUIOp>(loc, b.getIndexType(), unit),
              args[0]};
          forward.append(args.begin() + 1, args.end());
          b.create<scf::ConditionOp>(loc, more, forward);
        },
        [&](OpBuilder &nested, Location, ValueRange args) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nested.getInsertionBlock(),
                              nested.getInsertionPoint());
          SmallVector<Value> next{
              b.create<arith::AddIOp>(loc, args[1], index(1))};
          prefetchRow(b.create<memref::LoadOp>(
                          loc, unitList,
                          ValueRange{b.create<arith::AddIOp>(
                              loc, args[1], index(kPrefetchAhead))}),
                      panel);
          next.append(step(args[0], args.drop_front(2)));
          b.create<scf::YieldOp>(loc, next);
        });
    return SmallVector<Value>(loop.getResults().drop_front(2));
  };
  auto overAll = [&]() -> SmallVector<Value> {
    return SmallVector<Value>(
        forLoop(index(0), index(inputs), index(1), init,
                [&](Value k, ValueRange acc) { return step(k, acc); })
            .getResults());
  };
  if (unitList && unitListTaken) {
    // Only the k loop differs: one epilogue and one store for both.
    auto pick = b.create<scf::IfOp>(loc, TypeRange(ValueRange(init)),
                                    unitListTaken, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&pick.getThenRegion().front());
    b.create<scf::YieldOp>(loc, overList());
    b.setInsertionPointToStart(&pick.getElseRegion().front());
    b.create<scf::YieldOp>(loc, overAll());
    acc.append(pick.getResults().begin(), pick.getResults().end());
  } else {
    acc = unitList ? overList() : overAll();
  }

  // Epilogue on the accumulators, then one store per output vector; only
  // a vector that crosses the last unit is masked.
  ActivationAttr act = op.getActivationAttr();
  SmallVector<Value> cols, biasVecs, slopeVecs;
  SmallVector<bool> inBounds;
  for (int64_t j = 0; j < v; ++j) {
    Value col =
        b.create<arith::AddIOp>(loc, panel.firstUnit, index(j * blk.lanes));
    auto perUnit = [&](Value packedVec) -> Value {
      if (!packedVec)
        return Value();
      return b.create<vector::TransferReadOp>(loc, vecType(), packedVec,
                                              ValueRange{col}, pad,
                                              ArrayRef<bool>{true});
    };
    cols.push_back(col);
    biasVecs.push_back(perUnit(packedBias));
    slopeVecs.push_back(perUnit(packedSlope));
    inBounds.push_back((j + 1) * blk.lanes <= panel.units);
  }
  Value scale = mode == Mode::Corrected
                    ? kiln::floatConstant(b, loc, vecType(), keptScale)
                    : Value();
  auto storeType = VectorType::get({blk.lanes}, b.getF32Type());
  for (int64_t r = 0; r < m; ++r) {
    SmallVector<Value> results;
    for (int64_t j = 0; j < v; ++j) {
      Value t = acc[r * v + j];
      if (mode == Mode::SharedProduct) { // rounded once
        results.push_back(b.create<arith::TruncFOp>(loc, storeType, t));
        continue;
      }
      if (mode == Mode::Corrected) // κ·(P − Σ_{k∈D} (x_k − x₀)·W_k)
        t = b.create<arith::MulFOp>(
            loc,
            b.create<arith::SubFOp>(loc,
                                    b.create<vector::TransferReadOp>(
                                        loc, vecType(), sharedProduct,
                                        ValueRange{rowIndex[r], cols[j]}, pad,
                                        ArrayRef<bool>{inBounds[j]}),
                                    t),
            scale);
      if (biasVecs[j])
        t = b.create<arith::AddFOp>(loc, t, biasVecs[j]);
      if (act && act.isElementwise() && !act.isIdentity() && !isPolynomial(act))
        t = kiln::buildActivation(b, loc, act, t, slopeVecs[j]);
      results.push_back(t);
    }
    Value outRow =
        sampleRows
            ? b.create<arith::AddIOp>(loc, sampleRows, rowIndex[r]).getResult()
            : rowIndex[r];
    auto store = [&](Value y) {
      for (int64_t j = 0; j < v; ++j)
        y = b.create<vector::TransferWriteOp>(loc, results[j], y,
                                              ValueRange{outRow, cols[j]},
                                              ArrayRef<bool>{inBounds[j]})
                .getResult();
      return y;
    };
    if (!rowValid[r]) {
      y = store(y);
      continue;
    }
    auto guarded = b.create<scf::IfOp>(loc, y.getType(), rowValid[r],
                                       /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&guarded.getThenRegion().front());
      b.create<scf::YieldOp>(loc, store(y));
      b.setInsertionPointToStart(&guarded.getElseRegion().front());
      b.create<scf::YieldOp>(loc, y);
    }
    y = guarded.getResult(0);
  }
  return y;
}

/// Whether `op`'s lone row skips zero inputs (see foldNonzeroMasks): its
/// input may be mostly zeros, a ReLU's output or the model's input (a
/// function's argument), through a flatten, a cast or the Monte-Carlo
/// samples' dropout; and it has 64 inputs or more. Below that a row's k
/// loop is short, and the list (a compare and a compressing store per 16
/// inputs, and a branch) would save little for its share of the code: one
/// more k loop per panel width.
bool skipsZeroInputs(DenseOp op) {
  constexpr int64_t kFewestInputs = 64;
  if (cast<ShapedType>(op.getWeight().getType()).getDimSize(0) < kFewestInputs)
    return false;
  Value v = op.getInput();
  while (Operation *def = v.getDefiningOp()) {
    if (isa<FlattenOp, tensor::CastOp, McDropoutStackOp>(def)) {
      v = def->getOperand(0);
      continue;
    }
    ActivationAttr producer;
    if (auto dense = dyn_cast<DenseOp>(def))
      producer = dense.getActivationAttr();
    else if (auto activation = dyn_cast<ActivationOp>(def))
      producer = activation.getActivationAttr();
    return producer && producer.getKind() == ActivationKind::relu;
  }
  return isa<func::FuncOp>(cast<BlockArgument>(v).getOwner()->getParentOp());
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
    // Known before the rewrites replace the producers.
    SmallVector<std::pair<DenseOp, bool>> denseOps;
    getOperation().walk(
        [&](DenseOp op) { denseOps.push_back({op, skipsZeroInputs(op)}); });
    IRRewriter rewriter(&getContext());
    PackCache cache;
    for (auto [op, sparseInput] : denseOps)
      (void)DenseKernelBuilder(rewriter, op, blockingFor(vectorBits), cache,
                               sparseInput)
          .run();
  }
};

} // namespace
