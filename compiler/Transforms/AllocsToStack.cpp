//===- AllocsToStack.cpp - Intermediate buffers on the stack --------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Upstream's promote-buffers-to-stack only moves statically shaped buffers;
// a model's intermediates are [batch, units] with a dynamic batch. Bounding
// the batch per call (kilnc's entry point does) bounds these allocas, so all
// of them can move. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_ALLOCSTOSTACKPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

struct AllocsToStackPass
    : public kiln::impl::AllocsToStackPassBase<AllocsToStackPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    int64_t maxPerRow = 0, maxFixed = 0;
    WalkResult result = module.walk([&](func::FuncOp func) {
      if (func.isExternal())
        return WalkResult::advance();
      int64_t perRow = 0, fixed = 0;
      SmallVector<memref::AllocOp> allocs;
      func.walk([&](memref::AllocOp op) { allocs.push_back(op); });
      for (memref::AllocOp op : allocs) {
        if (op->getBlock() != &func.getBody().front()) {
          op.emitOpError("is inside a loop or conditional: it cannot move to "
                         "the stack");
          return WalkResult::interrupt();
        }
        MemRefType type = op.getType();
        int64_t elementBytes =
            llvm::divideCeil(type.getElementTypeBitWidth(), 8);
        int64_t staticElements = 1;
        for (int64_t i = 0; i < type.getRank(); ++i) {
          if (!type.isDynamicDim(i))
            staticElements *= type.getDimSize(i);
          else if (i != 0) {
            op.emitOpError("has a dynamic dimension other than the batch "
                           "(dimension 0): its stack size is unbounded");
            return WalkResult::interrupt();
          }
        }
        int64_t bytes = staticElements * elementBytes;
        // Each alloca is aligned to its alignment (64 for the kernels'
        // vectors); count the worst-case padding too.
        int64_t align = op.getAlignment().value_or(elementBytes);
        (type.getRank() && type.isDynamicDim(0) ? perRow : fixed) += bytes;
        fixed += align;
        OpBuilder builder(op);
        auto alloca = builder.create<memref::AllocaOp>(
            op.getLoc(), type, op.getDynamicSizes(), op.getSymbolOperands(),
            op.getAlignmentAttr());
        op.replaceAllUsesWith(alloca.getResult());
        op.erase();
      }
      maxPerRow = std::max(maxPerRow, perRow);
      maxFixed = std::max(maxFixed, fixed);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    Builder b(module.getContext());
    module->setAttr("kiln.stack_bytes_per_row", b.getI64IntegerAttr(maxPerRow));
    module->setAttr("kiln.stack_bytes_fixed", b.getI64IntegerAttr(maxFixed));
  }
};

} // namespace
