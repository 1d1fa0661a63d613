//===- Driver.h - kilnc as a library ------------------------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// import -> nn-to-llvm -> LLVM IR -> O3 -> object -> archive + header. The
// kilnc tool only parses flags into CompilerOptions (as CIRCT's firtool
// does); tests and future tools (kiln-bench, the CMake rule) call this.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_DRIVER_DRIVER_H
#define KILN_COMPILER_DRIVER_DRIVER_H

#include "compiler/Target/ObjectEmitter.h"
#include "compiler/Utils/Constants.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LogicalResult.h"

#include <string>

namespace mlir::kiln {

/// How far kilnc goes, Toy/onnx-mlir style.
enum class EmitKind { Mlir, MlirLlvm, LlvmIr, Asm, Obj, Lib };

struct CompilerOptions {
  /// The .kiln model file.
  std::string input;
  /// Lib: the output directory (created if missing). Other kinds: the output
  /// file, "-" for stdout.
  std::string output;
  /// C symbol prefix: NAME_predict, libNAME.a, NAME.h. Empty: derived from
  /// the input file name.
  std::string name;
  EmitKind emit = EmitKind::Lib;
  TargetOptions target;
  bool foldBatchNorm = true;
  bool fuseActivations = true;
  /// Dense weight storage (kilnc --quantize).
  Precision quantize = Precision::f32;
  /// Stack bytes one predict call may use for intermediate buffers; the
  /// entry point splits larger batches (the header states the bound).
  uint64_t maxStackBytes = 1024 * 1024;
  /// Print, on llvm::errs(), what each Kiln pass changed and the stack
  /// budget (kilnc --stats).
  bool stats = false;
};

/// Registers what the compiler needs in `registry` (dialects, bufferization
/// models, LLVM IR translations).
void registerCompilerDialects(DialectRegistry &registry);

/// Runs the compiler. Errors are reported as diagnostics on `context`; on
/// failure nothing is written (outputs are written atomically).
LogicalResult runCompiler(const CompilerOptions &options, MLIRContext &context);

} // namespace mlir::kiln

#endif // KILN_COMPILER_DRIVER_DRIVER_H
