//===- FuseActivations.cpp - Activation into the Dense epilogue -----------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/NN/IR/NNOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_FUSEACTIVATIONSPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {
/// activation(dense(x)) -> dense(x){activation}, when the Dense is linear and
/// the activation is its only user (another user needs the linear result).
LogicalResult fuseActivation(nn::ActivationOp op, RewriterBase &rewriter) {
  auto dense = op.getInput().getDefiningOp<nn::DenseOp>();
  if (!dense)
    return rewriter.notifyMatchFailure(op, "input is not an nn.dense");
  if (dense.getActivationKind() != nn::ActivationKind::identity)
    return rewriter.notifyMatchFailure(op, "dense already has an activation");
  if (!dense->hasOneUse())
    return rewriter.notifyMatchFailure(op, "dense result has other uses");
  if (op.getActivation().isIdentity())
    return rewriter.notifyMatchFailure(op, "identity folds away instead");
  rewriter.setInsertionPoint(op);
  rewriter.replaceOpWithNewOp<nn::DenseOp>(op, op.getType(), dense.getInput(),
                                           dense.getWeight(), dense.getBias(),
                                           op.getSlope(), op.getActivation());
  rewriter.eraseOp(dense);
  return success();
}

struct FuseActivationPattern : public OpRewritePattern<nn::ActivationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ActivationOp op,
                                PatternRewriter &rewriter) const override {
    return fuseActivation(op, rewriter);
  }
};

struct FuseActivationsPass
    : public kiln::impl::FuseActivationsPassBase<FuseActivationsPass> {
  void runOnOperation() override {
    // One walk suffices: fusing never creates a new activation op. Walking
    // (instead of the greedy driver) keeps unrelated folds out of this pass.
    IRRewriter rewriter(&getContext());
    getOperation().walk(
        [&](nn::ActivationOp op) { (void)fuseActivation(op, rewriter); });
  }
};
} // namespace

void mlir::kiln::populateFuseActivationsPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseActivationPattern>(patterns.getContext());
}
