//===- StripDropout.cpp - Remove dropout for deterministic inference ------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/NN/IR/NNOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_STRIPDROPOUTPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {
/// nn.dropout -> its input.
struct StripDropoutPattern : public OpRewritePattern<nn::DropoutOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::DropoutOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

struct StripDropoutPass
    : public kiln::impl::StripDropoutPassBase<StripDropoutPass> {
  void runOnOperation() override {
    // A walk, not the greedy driver: every dropout goes and nothing else
    // (the driver would also run folders).
    getOperation().walk([&](nn::DropoutOp op) {
      op.replaceAllUsesWith(op.getInput());
      op.erase();
    });
  }
};
} // namespace

void mlir::kiln::populateStripDropoutPatterns(RewritePatternSet &patterns) {
  patterns.add<StripDropoutPattern>(patterns.getContext());
}
