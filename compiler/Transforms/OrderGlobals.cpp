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
    // First use first; then the unused ones, in module order. The uses
    // are collected on the way: bufferization's constant globals are read
    // by memref.get_global alone (a use of another kind would be left
    // with the old name, which the verifier reports), and one walk renames
    // them all, where SymbolTable::rename walks the module per global.
    llvm::SetVector<memref::GlobalOp> order;
    DenseMap<Operation *, SmallVector<memref::GetGlobalOp>> uses;
    module.walk([&](memref::GetGlobalOp get) {
      auto global = table.lookup<memref::GlobalOp>(get.getName());
      if (global && renamed(global)) {
        order.insert(global);
        uses[global].push_back(get);
      }
    });
    for (auto global : module.getOps<memref::GlobalOp>())
      if (renamed(global))
        order.insert(global);
    auto newName = [](size_t index) {
      return "__constant_" + std::to_string(index);
    };
    // A new name held by another symbol would make two of that name.
    for (size_t index = 0; index < order.size(); ++index)
      if (Operation *holder = table.lookup(newName(index));
          holder && !order.contains(dyn_cast<memref::GlobalOp>(holder))) {
        holder->emitError("kiln-order-globals: the name '")
            << newName(index) << "' it gives a constant global is taken";
        return signalPassFailure();
      }
    Operation *after = nullptr;
    for (auto [index, ordered] : llvm::enumerate(order)) {
      memref::GlobalOp global = ordered;
      std::string name = newName(index);
      global.setSymName(name);
      for (memref::GetGlobalOp get : uses.lookup(global))
        get.setName(name);
      if (after)
        global->moveAfter(after);
      else if (global != &module.getBody()->front())
        global->moveBefore(&module.getBody()->front());
      after = global;
    }
  }
};

} // namespace
