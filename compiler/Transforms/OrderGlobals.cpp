//===- OrderGlobals.cpp - Constant globals named by first use -------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_ORDERGLOBALSPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

struct OrderGlobalsPass
    : public kiln::impl::OrderGlobalsPassBase<OrderGlobalsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable table(module);
    auto renamed = [](memref::GlobalOp global) {
      return global.isPrivate() && global.getConstant() &&
             global.getSymName().starts_with("__constant_");
    };
    // First use first; then the unused ones, in module order.
    llvm::SetVector<memref::GlobalOp> order;
    module.walk([&](memref::GetGlobalOp get) {
      auto global = table.lookup<memref::GlobalOp>(get.getName());
      if (global && renamed(global))
        order.insert(global);
    });
    for (auto global : module.getOps<memref::GlobalOp>())
      if (renamed(global))
        order.insert(global);
    // Two steps, so that no new name meets an old one.
    for (auto [index, global] : llvm::enumerate(order))
      if (failed(
              table.rename(global, "__kiln_ordering_" + std::to_string(index))))
        return signalPassFailure();
    Operation *after = nullptr;
    for (auto [index, global] : llvm::enumerate(order)) {
      if (failed(table.rename(global, "__constant_" + std::to_string(index))))
        return signalPassFailure();
      if (after)
        global->moveAfter(after);
      else if (global != &module.getBody()->front())
        global->moveBefore(&module.getBody()->front());
      after = global;
    }
  }
};

} // namespace
