//===- Driver.cpp - kilnc as a library ------------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Driver.h"

#include "compiler/Conversion/Passes.h"
#include "compiler/Import/ModelImporter.h"
#include "compiler/InitAll.h"
#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Target/HeaderEmitter.h"
#include "schema/Model.h"

#include "kiln/mc.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <cctype>
#include <map>
#include <set>

using namespace mlir;

namespace {

bool isCIdentifier(const std::string &s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])))
    return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      return false;
  return true;
}

/// "models/fmnist-mlp.kiln" -> "fmnist_mlp".
std::string defaultName(const std::string &path) {
  std::string stem = llvm::sys::path::stem(path).str();
  for (char &c : stem)
    if (!std::isalnum(static_cast<unsigned char>(c)))
      c = '_';
  if (stem.empty() || std::isdigit(static_cast<unsigned char>(stem[0])))
    stem = "model_" + stem;
  return stem;
}

/// Creates directory `path` and its missing parents one component at a
/// time, and appends to `created` those that this call made: not one that
/// was there already (a directory, or a link to one, or a dangling link),
/// nor one that `new/..` names. Comparing paths instead would count a
/// dangling link `out` or the `old` of `new/../old` as made here.
std::error_code createDirectories(StringRef path,
                                  SmallVectorImpl<std::string> &created) {
  SmallVector<StringRef> prefixes;
  for (StringRef p = path; !p.empty(); p = llvm::sys::path::parent_path(p))
    prefixes.push_back(p);
  for (StringRef p : llvm::reverse(prefixes)) {
    std::error_code ec =
        llvm::sys::fs::create_directory(p, /*IgnoreExisting=*/false);
    if (!ec) {
      created.push_back(p.str());
      continue;
    }
    if (ec != std::errc::file_exists)
      return ec;
    // A file (or a link to one) of that name: said here, not as a failure
    // to write NAME.h inside it. A dangling link fails at the write.
    llvm::sys::fs::file_status status;
    if (!llvm::sys::fs::status(p, status) &&
        status.type() != llvm::sys::fs::file_type::directory_file)
      return std::make_error_code(std::errc::not_a_directory);
  }
  return {};
}

/// Writes `text` to `path` ("-" = stdout), atomically for files.
LogicalResult writeOutput(const std::string &path, const std::string &text,
                          Location loc) {
  if (path == "-") {
    llvm::raw_fd_ostream &out = llvm::outs();
    out << text;
    out.flush();
    // A full disk (or a file-size limit) behind a redirection: reported
    // here, and cleared so that the stream's destructor does not report
    // it again as LLVM's fatal error.
    if (std::error_code ec = out.error()) {
      out.clear_error();
      return emitError(loc)
             << "cannot write to standard output: " << ec.message();
    }
    return success();
  }
  ::kiln::Status s =
      ::kiln::writeFileAtomically(path, text.data(), text.size());
  if (!s.ok())
    return emitError(loc) << s.message();
  return success();
}

/// kilnc --stats. MLIR's pass statistics are compiled out of Debian's
/// release LLVM, so the driver measures instead: for each of Kiln's passes
/// (nn-*, convert-nn-*, kiln-*), the op kinds whose count it changed.
class StatsInstrumentation : public PassInstrumentation {
public:
  void runBeforePass(Pass *pass, Operation *op) override {
    if (isKilnPass(pass))
      before = countOps(op);
  }
  void runAfterPass(Pass *pass, Operation *op) override {
    if (!isKilnPass(pass))
      return;
    std::map<std::string, int64_t> after = countOps(op);
    llvm::errs() << "kilnc: " << pass->getArgument();
    if (auto symbol = dyn_cast<SymbolOpInterface>(op))
      llvm::errs() << " on @" << symbol.getName();
    llvm::errs() << ":";
    bool changed = false;
    std::set<std::string> kinds;
    for (auto &[name, n] : before)
      kinds.insert(name);
    for (auto &[name, n] : after)
      kinds.insert(name);
    for (const std::string &name : kinds) {
      int64_t b = before.count(name) ? before[name] : 0;
      int64_t a = after.count(name) ? after[name] : 0;
      if (a == b)
        continue;
      llvm::errs() << (changed ? ", " : " ") << name << " " << b << " -> " << a;
      changed = true;
    }
    llvm::errs() << (changed ? "\n" : " no change\n");
  }

private:
  static bool isKilnPass(Pass *pass) {
    StringRef arg = pass->getArgument();
    return arg.starts_with("nn-") || arg.starts_with("convert-nn-") ||
           arg.starts_with("kiln-");
  }
  static std::map<std::string, int64_t> countOps(Operation *root) {
    std::map<std::string, int64_t> counts;
    root->walk([&](Operation *op) {
      if (op != root)
        ++counts[op->getName().getStringRef().str()];
    });
    return counts;
  }
  std::map<std::string, int64_t> before;
};

std::string print(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module.print(os);
  return os.str();
}

/// A classifier: the last layer ends in softmax, so an MC mean is a
/// distribution and the library also exports its predictive entropy.
bool softmaxOutput(const ::kiln::Model &model) {
  if (model.layers.empty())
    return false;
  const ::kiln::LayerParams &last = model.layers.back().params;
  if (const auto *dense = std::get_if<::kiln::DenseLayer>(&last))
    return dense->activation.kind == ::kiln::ActivationKind::Softmax;
  if (const auto *act = std::get_if<::kiln::ActivationLayer>(&last))
    return act->activation.kind == ::kiln::ActivationKind::Softmax;
  return false;
}

} // namespace

void mlir::kiln::registerCompilerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

LogicalResult mlir::kiln::runCompiler(const CompilerOptions &options,
                                      MLIRContext &context) {
  Location fileLoc = FileLineColLoc::get(&context, options.input, 0, 0);
  std::string name =
      options.name.empty() ? defaultName(options.input) : options.name;
  if (!isCIdentifier(name))
    return emitError(fileLoc)
           << "--name '" << name << "' is not a C identifier";
  if (options.emit == EmitKind::Lib && options.output == "-")
    return emitError(fileLoc)
           << "-o -: --emit=lib writes a directory (lib" << name << ".a and "
           << name << ".h); standard output takes the other --emit kinds";

  ::kiln::Model model;
  if (::kiln::Status s = ::kiln::loadModel(options.input, model); !s.ok())
    return emitError(fileLoc) << s.message();
  FailureOr<OwningOpRef<ModuleOp>> module =
      importModel(model, &context, options.input, name + "_forward");
  if (failed(module))
    return failure();
  std::string output = options.output.empty()
                           ? (options.emit == EmitKind::Lib ? "." : "-")
                           : options.output;
  if (options.emit == EmitKind::Mlir)
    return writeOutput(output, print(**module), fileLoc);

  // The pipeline names upstream passes, which must be registered once.
  static const bool passesRegistered = (registerAllPasses(), true);
  (void)passesRegistered;
  // One target machine for the whole compile: it picks the vector width
  // the kernels are written for, then optimizes and emits the code.
  FailureOr<std::unique_ptr<llvm::TargetMachine>> machine =
      createTargetMachine(options.target, fileLoc);
  if (failed(machine))
    return failure();
  PassManager pm(&context);
  // The verifier runs once, after the pipeline, not after each of its
  // passes: verifying kilnc's intermediate modules, thousands of ops of
  // unrolled kernels, took 0.04–0.08 s of fmnist-mc-all's 0.49–0.55 s
  // compile (the same library bytes either way). kiln-opt verifies after
  // every pass: the lit tests run each pass through it, and this very
  // pipeline (nn-to-llvm with the Monte-Carlo functions and out-params) on
  // imported models (kilnc-small.test, mc-stack.test).
  pm.enableVerifier(false);
  if (options.stats) {
    // Function passes run on several threads; the report is per pass, in
    // order, so take them one at a time.
    context.disableMultithreading();
    pm.addInstrumentation(std::make_unique<StatsInstrumentation>());
  }
  NNToLLVMPipelineOptions pipelineOptions;
  pipelineOptions.vectorBits = getVectorBits(**machine);
  pipelineOptions.foldBatchNorm = options.foldBatchNorm;
  pipelineOptions.fuseActivations = options.fuseActivations;
  pipelineOptions.quantize = options.quantize;
  // Without F16C an x86 target widens f16 one element at a time through
  // a library call: correct, but slower than f32. bf16 widens with a
  // shift everywhere.
  if (options.quantize == Precision::f16 &&
      (*machine)->getTargetTriple().isX86() &&
      !(*machine)->getMCSubtargetInfo()->checkFeatures("+f16c"))
    emitWarning(fileLoc) << "--quantize=f16 on a target without F16C "
                            "converts each weight through a library call, "
                            "slower than f32 weights; use --quantize=bf16 or "
                            "a CPU with F16C (x86-64-v3)";
  pipelineOptions.outParams = true;
  pipelineOptions.monteCarlo = true;
  if (failed(buildNNToLLVMPipeline(pm, pipelineOptions)) ||
      failed(pm.run(**module)))
    return failure();
  if (failed(verify(**module)))
    return emitError(fileLoc) << "kilnc made an invalid module (a bug in "
                                 "kilnc; the diagnostics above name the op)";
  if (options.emit == EmitKind::MlirLlvm)
    return writeOutput(output, print(**module), fileLoc);

  std::vector<std::vector<int64_t>> shapes;
  (void)::kiln::validateModel(model, {}, &shapes);
  // Rows per internal call, for each entry point: as many as the stack
  // budget holds, a multiple of 12 (of the kernels' 4- and 6-row tiles)
  // when that is at least 12.
  auto stackOf = [&](StringRef fn) -> std::pair<int64_t, int64_t> {
    auto dict = (**module)->getAttrOfType<DictionaryAttr>("kiln.stack_bytes");
    auto bytes =
        dict ? dyn_cast_or_null<DenseI64ArrayAttr>(dict.get(fn)) : nullptr;
    if (!bytes || bytes.size() != 2)
      return {0, 0};
    return {bytes[0], bytes[1]};
  };
  struct Budget {
    int64_t rows = 0, bytes = 0;
  };
  // `extraPerRow`: bytes per row the entry point itself keeps on the stack;
  // `label`: the entry point in --stats.
  auto budgetFor = [&](StringRef fn, int64_t extraPerRow,
                       StringRef label) -> FailureOr<Budget> {
    auto [perRow, fixed] = stackOf(fn);
    perRow += extraPerRow;
    int64_t budget = static_cast<int64_t>(options.maxStackBytes) - fixed;
    int64_t rows = perRow > 0 ? budget / perRow : 0;
    if (perRow > 0 && rows < 1)
      return emitError(fileLoc)
             << "--max-stack=" << options.maxStackBytes
             << " is too small: one row of " << label << " needs "
             << perRow + fixed << " bytes of stack";
    if (rows >= 12)
      rows -= rows % 12;
    if (options.stats)
      llvm::errs() << "kilnc: " << label << ": stack " << fixed << " + "
                   << perRow << " bytes per row, " << rows << " rows per call ("
                   << fixed + rows * perRow << " bytes of "
                   << options.maxStackBytes << ")\n";
    return Budget{rows, fixed + rows * perRow};
  };
  if (options.stats) {
    unsigned kernels = 0, skipping = 0;
    (**module)->walk([&](Operation *fn) {
      if (auto skips = fn->getAttrOfType<BoolAttr>(kZeroSkippingAttr)) {
        ++kernels;
        skipping += skips.getValue();
      }
    });
    llvm::errs() << "kilnc: " << pipelineOptions.vectorBits
                 << "-bit Dense kernels, " << skipping << " of " << kernels
                 << " skipping zero inputs in a lone row\n";
  }
  FailureOr<Budget> predictBudget =
      budgetFor(name + "_forward", 0, name + "_predict");
  if (failed(predictBudget))
    return failure();
  EntryPoint entry;
  entry.symbol = name + "_predict";
  entry.implementation = name + "_forward";
  entry.inputShape = model.inputShape;
  entry.outputShape = shapes.back();
  entry.rowsPerCall = predictBudget->rows;
  // Models with dropout also get NAME_predict_mc and
  // NAME_predict_mc_samples (nn-monte-carlo's @F_mc_samples through the
  // runtime's driver). NAME_predict_mc's stack also holds, per row, the
  // outputs of kMcSamplesPerCall samples (float) and the running mean and
  // M2 (double): 100 samples of a full piece of rows take one call, so
  // the layers before the first dropout run once.
  constexpr int64_t kMcSamplesPerCall = 5 * KILN_MC_SAMPLES_PER_STEP;
  Budget mcBudget, samplesBudget;
  std::optional<McEntryPoints> mcInfo;
  std::string samplesFn = name + "_forward_mc_samples";
  if (SymbolTable::lookupSymbolIn(**module, samplesFn)) {
    FailureOr<Budget> b = budgetFor(samplesFn, 0, name + "_predict_mc_samples");
    if (failed(b))
      return failure();
    mcInfo.emplace();
    mcInfo->implementation = samplesFn;
    mcInfo->samplesPerCall = kMcSamplesPerCall;
    mcInfo->outputSize = ShapedType::getNumElements(entry.outputShape);
    mcInfo->entropy = softmaxOutput(model);
    FailureOr<Budget> mc =
        budgetFor(samplesFn, mcInfo->stackBytesPerRow(), name + "_predict_mc");
    if (failed(mc))
      return failure();
    samplesBudget = *b;
    mcBudget = *mc;
    mcInfo->samplesRowsPerCall = b->rows;
    mcInfo->rowsPerCall = mc->rows;
  }
  entry.mc = mcInfo;
  llvm::LLVMContext llvmContext;
  FailureOr<std::unique_ptr<llvm::Module>> llvmModule =
      translateAndOptimize(**module, llvmContext, entry, **machine);
  if (failed(llvmModule))
    return failure();
  if (options.emit == EmitKind::LlvmIr) {
    std::string text;
    llvm::raw_string_ostream os(text);
    (*llvmModule)->print(os, nullptr);
    return writeOutput(output, os.str(), fileLoc);
  }

  std::string object;
  if (failed(emitObject(**llvmModule, **machine, options.emit == EmitKind::Asm,
                        object, fileLoc)))
    return failure();
  if (options.emit == EmitKind::Asm || options.emit == EmitKind::Obj)
    return writeOutput(output, object, fileLoc);

  // The directories this compile creates: a compile that fails after
  // creating them takes them away again, deepest first, so a failed
  // compile leaves the file system as it found it.
  SmallVector<std::string> created;
  bool written = false;
  auto removeCreated = llvm::make_scope_exit([&] {
    if (!written)
      for (const std::string &dir : llvm::reverse(created))
        (void)llvm::sys::fs::remove(dir); // Empty: nothing was written in it.
  });
  if (std::error_code ec = createDirectories(output, created))
    return emitError(fileLoc)
           << "cannot create directory '" << output << "': " << ec.message();
  HeaderInfo info;
  info.foldedBatchNorm = options.foldBatchNorm;
  info.fusedActivations = options.fuseActivations;
  info.weights = options.quantize;
  info.vectorBits = pipelineOptions.vectorBits;
  info.stackBytes =
      std::max({predictBudget->bytes, mcBudget.bytes, samplesBudget.bytes});
  std::string header = emitHeader(model, name, options.input, entry, info);
  std::string archive;
  if (failed(buildStaticArchive(name + ".o", object, archive, fileLoc)))
    return failure();
  // Together: a new library beside an old header (its stack bound, rows
  // per call) is worse than neither. The header goes first: if it cannot
  // be replaced, neither is the library.
  std::string headerPath = output + "/" + name + ".h";
  std::string archivePath = output + "/lib" + name + ".a";
  ::kiln::Status s = ::kiln::writeFilesAtomically(
      {{headerPath, header.data(), header.size()},
       {archivePath, archive.data(), archive.size()}});
  if (!s.ok())
    return emitError(fileLoc) << s.message();
  written = true;
  return success();
}
