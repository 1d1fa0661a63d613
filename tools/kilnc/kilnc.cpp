//===- kilnc.cpp - Compile a .kiln model to a static library --------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Flag parsing only; compiler/Driver does the work.
//
//   kilnc model.kiln --name fmnist -o out/   ->  out/libfmnist.a, out/fmnist.h
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Driver.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

#include <csignal>

using namespace mlir;
namespace cl = llvm::cl;

/// "<file>: layer '<name>': " for a layer location, "<file>: " for a file.
static std::string describe(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return describe(name.getChildLoc()) + "layer '" + name.getName().str() +
           "': ";
  if (auto fused = dyn_cast<FusedLoc>(loc);
      fused && !fused.getLocations().empty())
    return describe(fused.getLocations().front());
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return file.getFilename().str() + ": ";
  return "";
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // Past a file-size limit (ulimit -f), write() then fails with EFBIG and
  // is reported like a full disk, the temporary file removed; SIGXFSZ would
  // otherwise end the tool mid-write through LLVM's crash report.
  std::signal(SIGXFSZ, SIG_IGN);
  // Only the tool's own options in --help, not libLLVM's hundreds.
  cl::OptionCategory category("kilnc options");
  cl::opt<std::string> input(cl::Positional, cl::desc("<model.kiln>"),
                             cl::Required, cl::cat(category));
  cl::opt<std::string> output(
      "o",
      cl::desc("Output directory (--emit=lib, default .) or file "
               "(other kinds, default stdout)"),
      cl::value_desc("path"), cl::cat(category));
  cl::opt<std::string> name(
      "name", cl::desc("C symbol prefix (default: from the file name)"),
      cl::cat(category));
  cl::opt<kiln::EmitKind> emit(
      "emit", cl::desc("What to produce"), cl::init(kiln::EmitKind::Lib),
      cl::values(
          clEnumValN(kiln::EmitKind::Mlir, "mlir", "nn dialect after import"),
          clEnumValN(kiln::EmitKind::MlirLlvm, "mlir-llvm",
                     "LLVM dialect after the nn-to-llvm pipeline"),
          clEnumValN(kiln::EmitKind::LlvmIr, "llvm-ir", "optimized LLVM IR"),
          clEnumValN(kiln::EmitKind::Asm, "asm", "assembly"),
          clEnumValN(kiln::EmitKind::Obj, "obj", "object file"),
          clEnumValN(kiln::EmitKind::Lib, "lib",
                     "libNAME.a and NAME.h (default)")),
      cl::cat(category));
  cl::opt<std::string> triple(
      "target", cl::desc("Target triple (default: host)"), cl::cat(category));
  cl::opt<std::string> cpu(
      "mcpu", cl::desc("Target CPU, e.g. x86-64-v3, or native (default: host)"),
      cl::cat(category));
  cl::opt<std::string> attrs("mattr",
                             cl::desc("Target features, e.g. +avx2,-avx512f"),
                             cl::cat(category));
  cl::opt<bool> noFoldBn(
      "no-fold-bn",
      cl::desc("Keep BatchNorm and input standardization as separate layers"),
      cl::cat(category));
  cl::opt<bool> noFuse("no-fuse",
                       cl::desc("Keep activations out of the Dense epilogue"),
                       cl::cat(category));
  cl::opt<kiln::Precision> quantize(
      "quantize", cl::desc("Store Dense weights in 16 bits (f32 arithmetic)"),
      kiln::getPrecisionValues(), cl::init(kiln::Precision::f32),
      cl::cat(category));
  cl::opt<uint64_t> maxStack(
      "max-stack",
      cl::desc("Stack bytes a predict call may use for intermediate buffers "
               "(default 1048576); larger batches are split into calls"),
      cl::init(1024 * 1024), cl::cat(category));
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "Kiln model compiler\n\n"
      "  kilnc model.kiln --name NAME -o DIR writes DIR/libNAME.a and "
      "DIR/NAME.h.\n"
      "  --stats prints what each Kiln pass changed and the stack budget.\n");

  kiln::CompilerOptions options;
  options.input = input;
  options.output = output;
  options.name = name;
  options.emit = emit;
  options.target = {triple, cpu, attrs};
  options.foldBatchNorm = !noFoldBn;
  options.fuseActivations = !noFuse;
  options.quantize = quantize;
  options.maxStackBytes = maxStack;
  // --stats is LLVM's own flag (registered by libLLVM, which compiles the
  // counters out of release builds); kilnc answers it with its own report.
  options.stats = llvm::AreStatisticsEnabled();

  DialectRegistry registry;
  kiln::registerCompilerDialects(registry);
  MLIRContext context(registry);
  // "kilnc: error: model.kiln: layer 'dense_1': ..." (a loader message
  // already starts with the file name).
  context.getDiagEngine().registerHandler([](Diagnostic &diag) {
    std::string message = diag.str();
    std::string where = describe(diag.getLocation());
    std::string file = where.substr(0, where.find(": ") + 2);
    if (!file.empty() && message.rfind(file, 0) == 0)
      where = where.substr(file.size());
    const char *severity =
        diag.getSeverity() == DiagnosticSeverity::Error     ? "error"
        : diag.getSeverity() == DiagnosticSeverity::Warning ? "warning"
                                                            : "note";
    llvm::errs() << "kilnc: " << severity << ": " << where << message << "\n";
    return success();
  });
  return failed(kiln::runCompiler(options, context)) ? 1 : 0;
}
