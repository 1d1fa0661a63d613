//===- FoldBatchNorm.cpp - Fold BatchNorm and normalization into Dense ---===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Inference BatchNorm is an affine map per feature j:
//
//   BN(y)_j = γ_j (y_j − μ_j) / √(σ²_j + ε) + β_j = s_j·y_j + t_j,
//   s_j = γ_j / √(σ²_j + ε),   t_j = β_j − μ_j·s_j.
//
// After a linear Dense, y = xW + b (W is [in, out]):
//   BN(xW + b)_j = Σ_i x_i W_ij s_j + (b_j − μ_j) s_j + β_j
//   => W'_ij = W_ij·s_j  (scale column j),  b'_j = (b_j − μ_j)·s_j + β_j.
//
// Before a Dense (the BN normalizes the Dense's inputs, index i):
//   Dense(BN(x)) = Σ_i (s_i x_i + t_i) W_ij + b_j
//   => W'_ij = s_i·W_ij  (scale row i),  b'_j = b_j + Σ_i t_i W_ij.
//   The Dense's activation applies after, unchanged.
//
// Input standardization, nn.normalize (x − μ)/σ, is the same affine map with
// s_i = 1/σ_i and t_i = −μ_i/σ_i, and folds the same way into the Dense that
// reads it, also through nn.flatten: the flatten is row-major, the order of
// the normalize's per-example μ and σ. The folded Dense then reads the raw
// input, in which a zero pixel is a zero again (what lets the Dense kernel
// skip zero inputs at batch 1).
//
// Before a Dense with 16-bit weight storage ahead (nn-quantize), the bias is
// computed as b'_j = b_j + Σ_i β_i W_ij − Σ_i μ_i Ŵ'_ij, Ŵ' being W' as
// f16/bf16 will hold it: equal to b + tW in exact arithmetic, and an input
// at its mean then gives b + βW however W' rounds, so the weights' rounding
// error (2^-11 or 2^-8 relative) is multiplied by x − μ, as unfolded, and
// not by x. With f32 weights that error is as small as the sum's own
// rounding, and b + tW is kept (over 48 random models the two were a
// wash against the trainer).
//
// Cancellation. Folded before a Dense, the kernel sums x·Ŵ' and adds the
// bias's −μ·Ŵ' where unfolded it sums (x − μ)·s·W: where the input's mean μ
// is many spreads σ from 0, the folded terms are about |μ|/σ times larger
// than their sum, and so is the accumulation's rounding error. A
// standardized feature that was constant in training (σ floored at 1e-7)
// and is not 0 makes that 10^7 and the folded result garbage. Such a fold is
// made only when |μ| ≤ 16σ for every feature it takes in (σ = √(σ² + ε)
// for a BN): at most about 4 bits of the f32 result lost against the
// unfolded layer. Fashion-MNIST's pixels reach |μ|/σ = 2.4. After a Dense
// there is no such limit: unfolded, (xW + b) − μ cancels the same way.
//
// New weights are computed in double and rounded once to f32, and keep the
// representation of the originals (dense_resource blobs stay blobs, literal
// dense<...> stays literal), so small tests stay readable.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"
#include "compiler/Utils/Constants.h"

#include "dialects/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mlir::kiln {
#define GEN_PASS_DEF_FOLDBATCHNORMPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// A constant like `like`'s defining constant (blob or literal) holding
/// `values` rounded once to f32, shaped `type`.
Value makeConstant(RewriterBase &rewriter, Location loc, Value like,
                   RankedTensorType type, ArrayRef<double> values) {
  SmallVector<float> f32(values.begin(), values.end());
  return kiln::createFloatConstant(rewriter, loc, like, type, f32, "folded");
}

/// Whether every value rounds to a finite f32. A BatchNorm of tiny variance
/// and large γ can scale a weight past FLT_MAX: folded, it would be an
/// infinite weight (and 0·∞ a NaN where the model computes a 0); unfolded,
/// the BN runs at inference as the trainer runs it.
bool finiteInF32(ArrayRef<double> values) {
  return llvm::all_of(values, [](double v) {
    return std::fabs(v) <= std::numeric_limits<float>::max();
  });
}

/// `v` as the weight storage will hold it: rounded to f32, then (f16, bf16)
/// to 16 bits, as nn-quantize rounds the folded f32 weight.
double stored(double v, FloatType storage) {
  float f = static_cast<float>(v);
  if (storage.isF32())
    return f;
  return kiln::bits16ToFloat(kiln::roundToBits16(f, storage), storage);
}

/// Whether folded weights fit `storage`, the type nn-quantize will round
/// the weights to: no overflow, and no weight that was normal in `storage`
/// pushed below its smallest normal (a large std would leave a few
/// significant bits of it, or none). Fed each weight as it is folded; its
/// verdict is read after finiteInF32's.
class StorageCheck {
public:
  explicit StorageCheck(FloatType storage)
      : storage(storage), smallestNormal(APFloat::getSmallestNormalized(
                                             storage.getFloatSemantics())
                                             .convertToDouble()) {}

  void add(double original, double folded) {
    if (!fits)
      return;
    if (std::fabs(original) >= smallestNormal &&
        std::fabs(folded) < smallestNormal) {
      fits = false;
      return;
    }
    if (storage.isF32())
      return;
    bool overflow = false;
    (void)kiln::roundToBits16(static_cast<float>(folded), storage, &overflow);
    fits = !overflow;
  }
  bool ok() const { return fits; }

private:
  FloatType storage;
  double smallestNormal;
  bool fits = true;
};

/// The affine form y = s·x + t = s·(x − μ) + β of a BN or a
/// standardization (see the file comment), per feature.
struct Affine {
  SmallVector<double> s, mu, beta;
  /// max |μ|/σ over the features, NaN if one is NaN (see the file comment).
  double meanOverSpread = 0;

  double t(size_t i) const { return beta[i] - mu[i] * s[i]; }

  void add(double scale, double mean, double shift, double spread) {
    s.push_back(scale);
    mu.push_back(mean);
    beta.push_back(shift);
    double ratio = std::fabs(mean) / spread;
    if (!(ratio <= meanOverSpread))
      meanOverSpread = ratio;
  }
};

/// Folds are made only up to this |μ|/σ (see the file comment).
constexpr double kMaxMeanOverSpread = 16;

FailureOr<Affine> affineForm(nn::BatchNormOp bn) {
  FailureOr<SmallVector<double>> gamma = kiln::getConstantValues(bn.getGamma());
  FailureOr<SmallVector<double>> beta = kiln::getConstantValues(bn.getBeta());
  FailureOr<SmallVector<double>> mean = kiln::getConstantValues(bn.getMean());
  FailureOr<SmallVector<double>> var =
      kiln::getConstantValues(bn.getVariance());
  if (failed(gamma) || failed(beta) || failed(mean) || failed(var))
    return failure();
  double eps = bn.getEpsilon().convertToDouble();
  Affine a;
  for (size_t j = 0; j < gamma->size(); ++j) {
    double spread = std::sqrt((*var)[j] + eps);
    a.add((*gamma)[j] / spread, (*mean)[j], (*beta)[j], spread);
  }
  return a;
}

/// s = 1/σ and t = −μ/σ of input standardization, flattened row-major.
FailureOr<Affine> affineForm(nn::NormalizeOp norm) {
  FailureOr<SmallVector<double>> mean = kiln::getConstantValues(norm.getMean());
  FailureOr<SmallVector<double>> std = kiln::getConstantValues(norm.getStd());
  if (failed(mean) || failed(std))
    return failure();
  Affine a;
  for (size_t i = 0; i < std->size(); ++i)
    a.add(1.0 / (*std)[i], (*mean)[i], 0.0, (*std)[i]);
  return a;
}

/// A Dense's weights [in, out] and bias [out] (zeros without bias) as
/// doubles, when both are f32 constants.
struct DenseConstants {
  RankedTensorType weightType;
  int64_t in, out;
  SmallVector<double> w, b;
};

FailureOr<DenseConstants> denseConstants(nn::DenseOp dense) {
  // Only f32 weights: the pipeline folds before nn-quantize, so the
  // folded weights are rounded to 16 bits once, not twice.
  auto weightType = cast<RankedTensorType>(dense.getWeight().getType());
  if (!weightType.getElementType().isF32())
    return failure();
  FailureOr<SmallVector<double>> w = kiln::getConstantValues(dense.getWeight());
  if (failed(w))
    return failure();
  DenseConstants c;
  c.weightType = cast<RankedTensorType>(dense.getWeight().getType());
  c.in = c.weightType.getDimSize(0);
  c.out = c.weightType.getDimSize(1);
  c.w = std::move(*w);
  c.b.assign(c.out, 0.0);
  if (Value bias = dense.getBias()) {
    FailureOr<SmallVector<double>> b = kiln::getConstantValues(bias);
    if (failed(b))
      return failure();
    c.b = std::move(*b);
  }
  return c;
}

/// Materializes folded weights and bias before `dense`, in the
/// representation of its original weights.
std::pair<Value, Value> materialize(RewriterBase &rewriter, Location loc,
                                    nn::DenseOp dense,
                                    const DenseConstants &c) {
  rewriter.setInsertionPoint(dense);
  Value w = makeConstant(rewriter, loc, dense.getWeight(), c.weightType, c.w);
  auto bType = RankedTensorType::get({c.out}, c.weightType.getElementType());
  Value b = makeConstant(rewriter, loc, dense.getWeight(), bType, c.b);
  return {w, b};
}

/// BN(dense(x)) with a linear Dense -> dense'(x).
LogicalResult foldIntoPrecedingDense(nn::BatchNormOp bn, FloatType storage,
                                     RewriterBase &rewriter) {
  auto dense = bn.getInput().getDefiningOp<nn::DenseOp>();
  if (!dense)
    return rewriter.notifyMatchFailure(bn, "input is not an nn.dense");
  if (dense.getActivationKind() != nn::ActivationKind::identity)
    return rewriter.notifyMatchFailure(bn, "a nonlinearity is in between");
  if (!dense->hasOneUse())
    return rewriter.notifyMatchFailure(bn, "dense result has other uses");
  FailureOr<Affine> affine = affineForm(bn);
  FailureOr<DenseConstants> c = denseConstants(dense);
  if (failed(affine) || failed(c))
    return rewriter.notifyMatchFailure(bn, "weights are not f32 constants");
  // W'_ij = W_ij·s_j;  b'_j = (b_j − μ_j)·s_j + β_j = b_j·s_j + t_j.
  StorageCheck fits(storage);
  for (int64_t i = 0; i < c->in; ++i)
    for (int64_t j = 0; j < c->out; ++j) {
      double &w = c->w[i * c->out + j];
      double folded = w * affine->s[j];
      fits.add(w, folded);
      w = folded;
    }
  for (int64_t j = 0; j < c->out; ++j)
    c->b[j] = c->b[j] * affine->s[j] + affine->t(j);
  if (!finiteInF32(c->w) || !finiteInF32(c->b))
    return rewriter.notifyMatchFailure(bn, "folded values overflow f32");
  if (!fits.ok())
    return rewriter.notifyMatchFailure(bn, "folded weights leave storage");

  Location loc = rewriter.getFusedLoc({dense.getLoc(), bn.getLoc()});
  auto [newW, newB] = materialize(rewriter, loc, dense, *c);
  auto folded =
      rewriter.create<nn::DenseOp>(loc, bn.getType(), dense.getInput(), newW,
                                   newB, Value(), nn::ActivationAttr());
  rewriter.replaceOp(bn, folded.getResult());
  rewriter.eraseOp(dense);
  return success();
}

/// dense(BN(x)) -> dense'(x) and dense(flatten?(normalize(x))) ->
/// dense'(flatten?(x)), keeping the Dense's activation. A BN folds only when
/// the Dense reads it directly: a BN on a rank-3 input normalizes the last
/// axis, not the flattened features.
LogicalResult foldIntoFollowingDense(nn::DenseOp dense, FloatType storage,
                                     RewriterBase &rewriter) {
  auto flatten = dense.getInput().getDefiningOp<nn::FlattenOp>();
  Operation *producer =
      (flatten ? flatten.getInput() : dense.getInput()).getDefiningOp();
  FailureOr<Affine> affine = failure();
  Value raw;
  if (auto bn = dyn_cast_or_null<nn::BatchNormOp>(producer); bn && !flatten) {
    affine = affineForm(bn);
    raw = bn.getInput();
  } else if (auto norm = dyn_cast_or_null<nn::NormalizeOp>(producer)) {
    affine = affineForm(norm);
    raw = norm.getInput();
  } else {
    return rewriter.notifyMatchFailure(
        dense, "input is not nn.batch_norm or nn.normalize");
  }
  FailureOr<DenseConstants> c = denseConstants(dense);
  if (failed(affine) || failed(c))
    return rewriter.notifyMatchFailure(dense, "weights are not f32 constants");
  if (!(affine->meanOverSpread <= kMaxMeanOverSpread))
    return rewriter.notifyMatchFailure(dense, "folding would cancel");
  if (affine->s.size() != size_t(c->in))
    return rewriter.notifyMatchFailure(dense, "feature counts differ");
  // W'_ij = s_i W_ij and b'_j = b_j + Σ_i t_i W_ij; with 16-bit storage
  // written as b_j + Σ_i β_i W_ij − Σ_i μ_i Ŵ'_ij (see the file comment).
  StorageCheck fits(storage);
  for (int64_t i = 0; i < c->in; ++i) {
    double t = affine->t(i);
    for (int64_t j = 0; j < c->out; ++j) {
      double &w = c->w[i * c->out + j];
      double folded = affine->s[i] * w;
      c->b[j] += storage.isF32() ? t * w
                                 : affine->beta[i] * w -
                                       affine->mu[i] * stored(folded, storage);
      fits.add(w, folded);
      w = folded;
    }
  }
  if (!finiteInF32(c->w) || !finiteInF32(c->b))
    return rewriter.notifyMatchFailure(dense, "folded values overflow f32");
  if (!fits.ok())
    return rewriter.notifyMatchFailure(dense, "folded weights leave storage");

  Location loc = rewriter.getFusedLoc({producer->getLoc(), dense.getLoc()});
  auto [newW, newB] = materialize(rewriter, loc, dense, *c);
  Value input = raw;
  if (flatten)
    input = rewriter.create<nn::FlattenOp>(flatten.getLoc(), flatten.getType(),
                                           raw);
  rewriter.replaceOpWithNewOp<nn::DenseOp>(dense, dense.getType(), input, newW,
                                           newB, dense.getSlope(),
                                           dense.getActivationAttr());
  if (flatten && flatten->use_empty())
    rewriter.eraseOp(flatten);
  if (producer->use_empty())
    rewriter.eraseOp(producer);
  return success();
}

struct FoldBatchNormPass
    : public kiln::impl::FoldBatchNormPassBase<FoldBatchNormPass> {
  using FoldBatchNormPassBase::FoldBatchNormPassBase;

  void runOnOperation() override {
    FloatType storage = kiln::getWeightElementType(&getContext(), precision);
    // Post-order walk with direct rewrites: each BN is tried once, first
    // against the Dense before it (the common case), then against the
    // Dense after it.
    IRRewriter rewriter(&getContext());
    SmallVector<nn::BatchNormOp> bns;
    getOperation().walk([&](nn::BatchNormOp bn) { bns.push_back(bn); });
    for (nn::BatchNormOp bn : bns) {
      if (succeeded(foldIntoPrecedingDense(bn, storage, rewriter)))
        continue;
      // Fold into every following Dense that reads it directly; the BN goes
      // once no user is left.
      for (Operation *user : llvm::make_early_inc_range(bn->getUsers()))
        if (auto dense = dyn_cast<nn::DenseOp>(user))
          (void)foldIntoFollowingDense(dense, storage, rewriter);
    }
    // Input standardization folds into the Dense layers that read it.
    SmallVector<nn::DenseOp> readers;
    getOperation().walk([&](nn::DenseOp dense) {
      Value input = dense.getInput();
      if (auto flatten = input.getDefiningOp<nn::FlattenOp>())
        input = flatten.getInput();
      if (input.getDefiningOp<nn::NormalizeOp>())
        readers.push_back(dense);
    });
    for (nn::DenseOp dense : readers)
      (void)foldIntoFollowingDense(dense, storage, rewriter);
  }
};
} // namespace
