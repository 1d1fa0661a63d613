//===- Functions.h - Shared private functions of a module ---------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Lowerings that emit one function per distinct layer configuration (the
// Dense kernels, the Monte-Carlo dropouts) name it after a hash of that
// configuration, so equal layers share it whichever function or pass
// reaches them first. Also: a prefetch, as a call that buffer deallocation
// accepts.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_UTILS_FUNCTIONS_H
#define KILN_COMPILER_UTILS_FUNCTIONS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::kiln {

/// The private function of `module` for `key`, named
/// `<prefix>_<hash of key, hex>` (with `_1`, `_2`, ... after it if another
/// key's function has that name: the key is kept on the function as
/// `kiln.function_key`; `type` must be the same for one key). On first
/// use it is created at the module's end with type `type`, never inlined
/// (LLVM `noinline`: a caller's frame then never holds a callee's buffers,
/// which kiln-allocs-to-stack bounds per callee, and each copy is compiled
/// once), its argument `writableArg` (if any) marked
/// `bufferization.writable` (the destination it writes in place), and its
/// body built by `build` with `b` at the start of the entry block; `b`'s
/// insertion point is restored. Conversion patterns pass their rewriter as
/// `b`.
func::FuncOp
getOrCreatePrivateFunction(OpBuilder &b, ModuleOp module, Location loc,
                           StringRef prefix, StringRef key, FunctionType type,
                           std::optional<unsigned> writableArg,
                           function_ref<void(OpBuilder &, Block &)> build);

/// Removes the `kiln.function_key` of every function of `module`: once no
/// lowering shares functions any more (after convert-nn-to-linalg), the
/// keys are bookkeeping the output need not carry.
void dropFunctionKeys(ModuleOp module);

/// Prefetches the cache line holding `address` (an !llvm.ptr) for reading,
/// into every cache level: a call to LLVM's intrinsic `llvm.prefetch.p0`,
/// declared in `module` on first use. Neither `llvm.intr.prefetch` nor
/// `memref.prefetch` declares its memory effects, and ownership-based
/// buffer deallocation rejects such ops ("ops with unknown memory side
/// effects are not supported"); a call it allows, and LLVM gives a
/// function named `llvm.*` the intrinsic's semantics, so the call becomes
/// one prefetch instruction (or none on a target without one).
void buildPrefetch(OpBuilder &b, ModuleOp module, Location loc, Value address);

} // namespace mlir::kiln

#endif // KILN_COMPILER_UTILS_FUNCTIONS_H
