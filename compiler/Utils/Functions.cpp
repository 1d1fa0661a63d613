//===- Functions.cpp - Shared private functions of a module ---------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "compiler/Utils/Functions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include "llvm/ADT/Hashing.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

static constexpr StringLiteral kKeyAttr = "kiln.function_key";

func::FuncOp kiln::getOrCreatePrivateFunction(
    OpBuilder &b, ModuleOp module, Location loc, StringRef prefix,
    StringRef key, FunctionType type, std::optional<unsigned> writableArg,
    function_ref<void(OpBuilder &, Block &)> build) {
  // The function carries its key (a discardable attribute, which LLVM
  // translation ignores): a function of that name with another key is a
  // hash collision of two configurations, which must not share a body, and
  // the next free name `<name>_1`, `<name>_2`, ... is taken instead.
  std::string base = llvm::formatv(
      "{0}_{1:x}", prefix, static_cast<uint64_t>(llvm::hash_value(key)));
  std::string name = base;
  for (unsigned probe = 1;; ++probe) {
    Operation *symbol = module.lookupSymbol(name);
    if (!symbol)
      break;
    auto fn = dyn_cast<func::FuncOp>(symbol);
    auto stored = fn ? fn->getAttrOfType<StringAttr>(kKeyAttr) : StringAttr();
    if (stored && stored.getValue() == key) {
      assert(fn.getFunctionType() == type && "one key, one function type");
      return fn;
    }
    name = llvm::formatv("{0}_{1}", base, probe);
  }
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  auto fn = b.create<func::FuncOp>(loc, name, type);
  fn.setPrivate();
  if (writableArg)
    fn.setArgAttr(*writableArg, "bufferization.writable", b.getBoolAttr(true));
  fn->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("noinline")}));
  fn->setAttr(kKeyAttr, b.getStringAttr(key));
  Block *entry = b.createBlock(&fn.getBody(), {}, type.getInputs(),
                               SmallVector<Location>(type.getNumInputs(), loc));
  b.setInsertionPointToStart(entry);
  build(b, *entry);
  return fn;
}

void kiln::dropFunctionKeys(ModuleOp module) {
  for (auto fn : module.getOps<func::FuncOp>())
    fn->removeAttr(kKeyAttr);
}

void kiln::buildPrefetch(OpBuilder &b, ModuleOp module, Location loc,
                         Value address) {
  constexpr StringLiteral kName = "llvm.prefetch.p0";
  Type i32 = b.getI32Type();
  Operation *symbol = module.lookupSymbol(kName);
  auto fn = dyn_cast_or_null<func::FuncOp>(symbol);
  assert((fn || !symbol) && "llvm.prefetch.p0 names another symbol");
  if (!fn) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    fn = b.create<func::FuncOp>(
        loc, kName,
        b.getFunctionType({address.getType(), i32, i32, i32}, TypeRange{}));
    fn.setPrivate();
  }
  // (address, rw = 0: read, locality = 3: keep in every level,
  // cache = 1: data); the last three must be constants.
  auto constant = [&](int32_t v) -> Value {
    return b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(v));
  };
  b.create<func::CallOp>(
      loc, fn, ValueRange{address, constant(0), constant(3), constant(1)});
}
