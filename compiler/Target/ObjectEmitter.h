//===- ObjectEmitter.h - LLVM dialect -> native code, in process -*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_TARGET_OBJECTEMITTER_H
#define KILN_COMPILER_TARGET_OBJECTEMITTER_H

#include "compiler/Target/EntryPoints.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace mlir::kiln {

/// Where the code runs. Empty fields mean the host (triple, CPU name and
/// every feature the host CPU reports).
struct TargetOptions {
  std::string triple;
  std::string cpu;
  std::string features;
};

/// The target machine for `target` (errors reported at `loc`).
FailureOr<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetOptions &target, Location loc);

/// The widest vector registers the machine's features allow for f32
/// arithmetic: 512 with AVX-512F and its 512-bit registers (evex512), 256
/// with AVX, else 128 (SSE, NEON, and
/// the scalar fallback of targets without vectors, where 128-bit vectors
/// are legalized to pieces).
unsigned getVectorBits(const llvm::TargetMachine &machine);

/// Translates an LLVM-dialect module to LLVM IR, adds the C entry points
/// (`int symbol(const float *in, float *out, size_t batch)`, returning a
/// kiln_status, and the Monte-Carlo ones), links the C runtime in, makes
/// everything but the entry points internal, and optimizes at O3 for the
/// target.
FailureOr<std::unique_ptr<llvm::Module>>
translateAndOptimize(ModuleOp module, llvm::LLVMContext &llvmContext,
                     const EntryPoint &entry, llvm::TargetMachine &machine);

/// Emits an object file (or assembly) for the target.
LogicalResult emitObject(llvm::Module &module, llvm::TargetMachine &machine,
                         bool assembly, std::string &out, Location loc);

/// A static archive (GNU format with a symbol table) holding one object,
/// into `out`.
LogicalResult buildStaticArchive(const std::string &memberName,
                                 const std::string &object, std::string &out,
                                 Location loc);

} // namespace mlir::kiln

#endif // KILN_COMPILER_TARGET_OBJECTEMITTER_H
