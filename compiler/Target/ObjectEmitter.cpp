//===- ObjectEmitter.cpp - LLVM dialect -> native code, in process --------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Everything happens in this process (no llc, no cc), as IREE does: MLIR's
// LLVM translation, the new pass manager's O3 pipeline for the target
// machine, and the legacy code generator for the object file.
//
// The model function keeps MLIR's memref calling convention, one
// (allocated, aligned, offset, sizes..., strides...) group per memref; the C
// entry point builds those groups from plain pointers and the batch size.
//
//===----------------------------------------------------------------------===//

#include "compiler/Target/ObjectEmitter.h"

#include "schema/Model.h"

#include "kiln/mc.h"
#include "kiln/status.h"

#include <cstddef>

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

#include <limits>

using namespace mlir;

FailureOr<std::unique_ptr<llvm::TargetMachine>>
mlir::kiln::createTargetMachine(const TargetOptions &options, Location loc) {
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();
  std::string triple = options.triple.empty()
                           ? llvm::sys::getDefaultTargetTriple()
                           : options.triple;
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return emitError(loc) << "unknown target '" << triple << "': " << error;
  std::string cpu = options.cpu;
  // Features as given, each trimmed (LLVM only warns about " +avx2" and
  // drops it).
  std::string features;
  for (StringRef feature : llvm::split(options.features, ',')) {
    StringRef name = feature.trim();
    if (!name.empty())
      features += (features.empty() ? "" : ",") + name.str();
  }
  // A bare riscv64 CPU has no floating-point unit: LLVM would soften every
  // float operation and stops at the vector ones. Like clang for
  // riscv64-linux-gnu, start from RV64GC (IMAFDC); features given add to
  // it (or remove from it).
  if (llvm::Triple(triple).getArch() == llvm::Triple::riscv64 && cpu.empty())
    features =
        features.empty() ? "+m,+a,+f,+d,+c" : "+m,+a,+f,+d,+c," + features;
  // --mcpu=native is the host's CPU and features, as clang's
  // -march=native: only for the host's own architecture.
  bool native = cpu == "native";
  if (native && llvm::Triple(triple).getArch() !=
                    llvm::Triple(llvm::sys::getDefaultTargetTriple()).getArch())
    return emitError(loc) << "--mcpu=native: target '" << triple
                          << "' is not the host's architecture";
  if (native)
    cpu.clear();
  // LLVM only warns about a CPU or a feature it does not know, then
  // builds for a generic CPU (for x86-64 one without 64-bit mode, which
  // aborts): reject them here instead, naming the bad one.
  {
    std::unique_ptr<llvm::MCSubtargetInfo> info(
        target->createMCSubtargetInfo(triple, "", ""));
    if (info && !cpu.empty() && !info->isCPUStringValid(cpu))
      return emitError(loc)
             << "unknown CPU '" << cpu << "' for target '" << triple
             << "' (llc-19 -mtriple=" << triple << " -mcpu=help lists them)";
    if (info && !features.empty()) {
      llvm::StringSet<> known;
      for (const llvm::SubtargetFeatureKV &kv : info->getAllProcessorFeatures())
        known.insert(kv.Key);
      for (StringRef name : llvm::split(features, ',')) {
        if ((name[0] != '+' && name[0] != '-') ||
            !known.contains(name.drop_front()))
          return emitError(loc)
                 << "unknown feature '" << name << "' for target '" << triple
                 << "' (features are +name or -name; llc-19 -mtriple=" << triple
                 << " -mattr=help lists them)";
      }
    }
  }
  if ((options.triple.empty() || native) && cpu.empty()) {
    // Host: its CPU and every feature it reports (AVX-512 where present).
    cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures f;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      f.AddFeature(feature.first(), feature.second);
    if (!features.empty())
      f.AddFeature(features);
    features = f.getString();
  }
  // AVX-512 without its 512-bit registers (evex512): LLVM 19 aborts on
  // the first 512-bit vector ("ZMM registers are not supported without
  // EVEX512"), and the Monte-Carlo code's Philox works on 512-bit vectors
  // at every width. As clang does, AVX-512 named in the features brings
  // evex512 unless evex512 is named too (LLVM 19's code generator does not
  // add it); then AVX-512 with evex512 off, by -evex512 with the features
  // or the CPU, or by AVX10 limited to 256 bits, is an error.
  if (llvm::Triple(triple).isX86() && StringRef(features).contains("+avx512") &&
      !StringRef(features).contains("evex512"))
    features += ",+evex512";
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return emitError(loc) << "cannot create a target machine for '" << triple
                          << "' (cpu '" << cpu << "')";
  if (const llvm::MCSubtargetInfo *resolved = machine->getMCSubtargetInfo();
      machine->getTargetTriple().isX86() && resolved &&
      resolved->checkFeatures("+avx512f,-evex512"))
    return emitError(loc)
           << "AVX-512 without 512-bit registers (-evex512, or AVX10 "
              "limited to 256 bits) is not supported: LLVM 19 cannot "
              "compile 512-bit vectors without them";
  // The entry points take size_t as i64 and the runtime's bitcode assumes
  // 64-bit pointers and size_t.
  if (unsigned bits = machine->createDataLayout().getPointerSizeInBits();
      bits != 64)
    return emitError(loc) << "target '" << triple << "' has " << bits
                          << "-bit pointers; kilnc supports 64-bit targets";
  return machine;
}

unsigned mlir::kiln::getVectorBits(const llvm::TargetMachine &machine) {
  const llvm::MCSubtargetInfo *info = machine.getMCSubtargetInfo();
  if (machine.getTargetTriple().isX86() && info) {
    // LLVM 19 splits 512-bit registers (evex512) from the AVX-512
    // instructions: `--mattr=+avx512f` alone gives no zmm registers.
    if (info->checkFeatures("+avx512f,+evex512"))
      return 512;
    if (info->checkFeatures("+avx"))
      return 256;
  }
  return 128;
}

namespace {

/// One runtime source compiled to bitcode (RuntimeBitcode.inc, generated
/// by compiler/Target/CMakeLists.txt).
struct RuntimeBitcode {
  const char *name;
  const unsigned char *data;
  size_t size;
};
#include "RuntimeBitcode.inc"

/// Appends one memref argument group for a row-major tensor of `shape`
/// (batch first) at `data`.
void appendMemref(llvm::IRBuilder<> &b, SmallVectorImpl<llvm::Value *> &args,
                  llvm::Value *data, llvm::Value *batch,
                  ArrayRef<int64_t> features) {
  args.push_back(data); // allocated
  args.push_back(data); // aligned
  args.push_back(b.getInt64(0));
  args.push_back(batch);
  for (int64_t d : features)
    args.push_back(b.getInt64(d));
  int64_t stride = 1;
  SmallVector<int64_t> strides;
  for (int64_t d : llvm::reverse(features)) {
    strides.push_back(stride);
    stride *= d;
  }
  args.push_back(b.getInt64(stride)); // batch stride
  for (int64_t s : llvm::reverse(strides))
    args.push_back(b.getInt64(s));
}

/// int NAME_predict(const float *in, float *out, size_t batch): status
/// KILN_STATUS_INVALID_ARGUMENT for a null pointer or batch 0; else the
/// batch is processed in pieces of at most R rows (the stack budget):
///   for (start = 0; start < batch; start += R)
///     impl(in + start·I, ..., out + start·O, ...)
LogicalResult buildPredict(llvm::Module &module, llvm::Function *impl,
                           const mlir::kiln::EntryPoint &entry, Location loc) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::IRBuilder<> b(ctx);
  llvm::Type *ptr = b.getPtrTy(), *i64 = b.getInt64Ty(), *i32 = b.getInt32Ty();
  llvm::Function *fn = llvm::Function::Create(
      llvm::FunctionType::get(i32, {ptr, ptr, i64}, false),
      llvm::GlobalValue::ExternalLinkage, entry.symbol, module);
  llvm::Value *in = fn->getArg(0), *out = fn->getArg(1), *batch = fn->getArg(2);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "check", fn));
  llvm::Value *bad =
      b.CreateOr(b.CreateOr(b.CreateIsNull(in), b.CreateIsNull(out)),
                 b.CreateICmpEQ(batch, b.getInt64(0)));
  auto *runBlock = llvm::BasicBlock::Create(ctx, "run", fn);
  auto *badBlock = llvm::BasicBlock::Create(ctx, "bad", fn);
  b.CreateCondBr(bad, badBlock, runBlock);
  b.SetInsertPoint(badBlock);
  b.CreateRet(b.getInt32(KILN_STATUS_INVALID_ARGUMENT));

  int64_t inSize = ShapedType::getNumElements(entry.inputShape);
  int64_t outSize = ShapedType::getNumElements(entry.outputShape);
  b.SetInsertPoint(runBlock);
  auto *loopBlock = llvm::BasicBlock::Create(ctx, "chunk", fn);
  auto *doneBlock = llvm::BasicBlock::Create(ctx, "done", fn);
  b.CreateBr(loopBlock);
  b.SetInsertPoint(loopBlock);
  llvm::PHINode *start = b.CreatePHI(i64, 2, "start");
  start->addIncoming(b.getInt64(0), runBlock);
  llvm::Value *left = b.CreateSub(batch, start);
  int64_t perCall = entry.rowsPerCall;
  llvm::Value *rows =
      perCall > 0 ? b.CreateSelect(b.CreateICmpULT(left, b.getInt64(perCall)),
                                   left, b.getInt64(perCall))
                  : left;
  SmallVector<llvm::Value *> args;
  appendMemref(
      b, args,
      b.CreateGEP(b.getFloatTy(), in, b.CreateMul(start, b.getInt64(inSize))),
      rows, entry.inputShape);
  appendMemref(
      b, args,
      b.CreateGEP(b.getFloatTy(), out, b.CreateMul(start, b.getInt64(outSize))),
      rows, entry.outputShape);
  if (impl->arg_size() != args.size())
    return emitError(loc) << "model function '" << impl->getName() << "' has "
                          << impl->arg_size() << " parameters, expected "
                          << args.size();
  b.CreateCall(impl, args);
  llvm::Value *next = b.CreateAdd(start, rows);
  start->addIncoming(next, loopBlock);
  b.CreateCondBr(b.CreateICmpULT(next, batch), loopBlock, doneBlock);
  b.SetInsertPoint(doneBlock);
  b.CreateRet(b.getInt32(KILN_STATUS_OK));
  return success();
}

/// Links the C runtime (runtime/src, compiled to bitcode when kilnc was
/// built) into `module`, every runtime symbol internal: each library gets
/// its own copy, so two models in one program share no symbol, and O3
/// inlines the driver into the entry points and drops what they do not
/// use. The bitcode is the host's; its code uses only fixed-width types,
/// double, size_t and pointers, so it fits any target with 64-bit pointers
/// once its triple, data layout and CPU attributes are the target's
/// (createTargetMachine accepts only such targets).
LogicalResult linkRuntime(llvm::Module &module, Location loc) {
  for (const RuntimeBitcode &file : kRuntimeBitcode) {
    llvm::Expected<std::unique_ptr<llvm::Module>> runtime =
        llvm::parseBitcodeFile(
            llvm::MemoryBufferRef(
                StringRef(reinterpret_cast<const char *>(file.data), file.size),
                file.name),
            module.getContext());
    if (!runtime)
      return emitError(loc) << "cannot read the runtime's " << file.name << ": "
                            << llvm::toString(runtime.takeError());
    (*runtime)->setTargetTriple(module.getTargetTriple());
    (*runtime)->setDataLayout(module.getDataLayout());
    // Internal only once linked: the linker skips internal definitions
    // nothing in `module` refers to yet.
    std::vector<std::string> defined;
    for (llvm::Function &f : **runtime) {
      f.removeFnAttr("target-cpu");
      f.removeFnAttr("target-features");
      f.removeFnAttr("tune-cpu");
      if (!f.isDeclaration() && !f.hasLocalLinkage())
        defined.push_back(f.getName().str());
    }
    for (llvm::GlobalVariable &g : (*runtime)->globals())
      if (!g.isDeclaration() && !g.hasLocalLinkage())
        defined.push_back(g.getName().str());
    if (llvm::Linker::linkModules(module, std::move(*runtime)))
      return emitError(loc) << "cannot link the runtime's " << file.name;
    for (const std::string &name : defined)
      if (llvm::GlobalValue *v = module.getNamedValue(name))
        v->setLinkage(llvm::GlobalValue::InternalLinkage);
  }
  return success();
}

/// NAME, the prefix of every exported symbol (NAME_predict's).
std::string libraryPrefix(const mlir::kiln::EntryPoint &entry) {
  return StringRef(entry.symbol).drop_back(StringRef("_predict").size()).str();
}

/// The runtime function `name`, linked in before the entry points are
/// built.
FailureOr<llvm::Function *> runtimeFunction(llvm::Module &module,
                                            StringRef name, Location loc) {
  llvm::Function *fn = module.getFunction(name);
  if (!fn || fn->isDeclaration())
    return emitError(loc) << "the linked runtime has no '" << name << "'";
  return fn;
}

/// const char *NAME_status_message(int status): the runtime's
/// kiln_status_message, for every library.
LogicalResult buildStatusMessage(llvm::Module &module,
                                 const mlir::kiln::EntryPoint &entry,
                                 Location loc) {
  FailureOr<llvm::Function *> message =
      runtimeFunction(module, "kiln_status_message", loc);
  if (failed(message))
    return failure();
  llvm::IRBuilder<> b(module.getContext());
  llvm::Function *fn = llvm::Function::Create(
      llvm::FunctionType::get(b.getPtrTy(), {b.getInt32Ty()}, false),
      llvm::GlobalValue::ExternalLinkage,
      libraryPrefix(entry) + "_status_message", module);
  b.SetInsertPoint(llvm::BasicBlock::Create(module.getContext(), "entry", fn));
  b.CreateRet(b.CreateCall(*message, {fn->getArg(0)}));
  return success();
}

/// The Monte-Carlo entry points, through the runtime's driver (kiln/mc.h):
///   int NAME_predict_mc(const float *in, size_t batch, unsigned samples,
///                       uint64_t seed, float *mean, float *stddev)
///   int NAME_predict_mc_samples(const float *in, size_t batch,
///                               unsigned samples, uint64_t seed, float *out)
/// and, for classifiers, int NAME_predictive_entropy(const float *mean,
/// size_t batch, float *entropy). The driver calls the internal adapter
///   void NAME_predict_mc_rows(const float *in, size_t rows, uint64_t seed,
///                     uint32_t first, uint32_t count, float *out)
/// (kiln_mc_samples_fn), which passes plain pointers to @F_mc_samples as
/// memrefs: in [rows, I...], out [rows, count·O]. NAME_predict_mc keeps its
/// scratch and Welford accumulators on its own stack (sizes in the header).
LogicalResult buildMonteCarlo(llvm::Module &module, llvm::Function *impl,
                              const mlir::kiln::EntryPoint &entry,
                              Location loc) {
  FailureOr<llvm::Function *> predictMc =
      runtimeFunction(module, "kiln_mc_predict", loc);
  FailureOr<llvm::Function *> predictSamples =
      runtimeFunction(module, "kiln_mc_predict_samples", loc);
  FailureOr<llvm::Function *> entropy =
      runtimeFunction(module, "kiln_predictive_entropy", loc);
  if (failed(predictMc) || failed(predictSamples) || failed(entropy))
    return failure();
  llvm::LLVMContext &ctx = module.getContext();
  llvm::IRBuilder<> b(ctx);
  llvm::Type *ptr = b.getPtrTy(), *i64 = b.getInt64Ty(), *i32 = b.getInt32Ty();
  int64_t inSize = ShapedType::getNumElements(entry.inputShape);
  int64_t outSize = ShapedType::getNumElements(entry.outputShape);

  llvm::Function *rowsFn = llvm::Function::Create(
      llvm::FunctionType::get(b.getVoidTy(), {ptr, i64, i64, i32, i32, ptr},
                              false),
      llvm::GlobalValue::InternalLinkage, entry.symbol + "_mc_rows", module);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", rowsFn));
  llvm::Value *rows = rowsFn->getArg(1);
  SmallVector<llvm::Value *> args;
  appendMemref(b, args, rowsFn->getArg(0), rows, entry.inputShape);
  args.append({rowsFn->getArg(2), rowsFn->getArg(3), rowsFn->getArg(4)});
  llvm::Value *width =
      b.CreateMul(b.CreateZExt(rowsFn->getArg(4), i64), b.getInt64(outSize));
  llvm::Value *out = rowsFn->getArg(5);
  args.append({out, out, b.getInt64(0), rows, width, width, b.getInt64(1)});
  if (impl->arg_size() != args.size())
    return emitError(loc) << "Monte-Carlo function '" << impl->getName()
                          << "' has " << impl->arg_size()
                          << " parameters, expected " << args.size();
  b.CreateCall(impl, args);
  b.CreateRetVoid();

  // kiln_mc_model {samples, input_size, output_size, max_rows}: all
  // pointer-sized fields, so the struct has no padding on 64-bit targets
  // (checked against the C declaration on this 64-bit host).
  static_assert(sizeof(kiln_mc_model) == 32 &&
                    offsetof(kiln_mc_model, input_size) == 8 &&
                    offsetof(kiln_mc_model, output_size) == 16 &&
                    offsetof(kiln_mc_model, max_rows) == 24,
                "kiln_mc_model changed: update the struct built here");
  auto *modelType = llvm::StructType::get(ctx, {ptr, i64, i64, i64});
  // 0 rows per call (no per-row stack) means the whole batch at once.
  auto model = [&](int64_t rows, const char *suffix) {
    if (rows <= 0)
      rows = std::numeric_limits<int64_t>::max();
    return new llvm::GlobalVariable(
        module, modelType, /*isConstant=*/true,
        llvm::GlobalValue::InternalLinkage,
        llvm::ConstantStruct::get(modelType,
                                  {rowsFn, b.getInt64(inSize),
                                   b.getInt64(outSize), b.getInt64(rows)}),
        entry.symbol + suffix);
  };
  const mlir::kiln::McEntryPoints &mcInfo = *entry.mc;
  llvm::GlobalVariable *mcModel = model(mcInfo.rowsPerCall, "_mc_model");
  llvm::GlobalVariable *samplesModel =
      model(mcInfo.samplesRowsPerCall, "_mc_samples_model");

  llvm::Function *mc = llvm::Function::Create(
      llvm::FunctionType::get(i32, {ptr, i64, i32, i64, ptr, ptr}, false),
      llvm::GlobalValue::ExternalLinkage, entry.symbol + "_mc", module);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", mc));
  llvm::AllocaInst *scratch = b.CreateAlloca(
      llvm::ArrayType::get(b.getFloatTy(), mcInfo.scratchFloats()));
  scratch->setAlignment(llvm::Align(64));
  llvm::AllocaInst *acc = b.CreateAlloca(
      llvm::ArrayType::get(b.getDoubleTy(), mcInfo.accumulatorDoubles()));
  acc->setAlignment(llvm::Align(64));
  b.CreateRet(b.CreateCall(
      *predictMc, {mcModel, mc->getArg(0), mc->getArg(1), mc->getArg(2),
                   mc->getArg(3), mc->getArg(4), mc->getArg(5), scratch,
                   b.getInt64(mcInfo.scratchFloats()), acc}));

  llvm::Function *samples = llvm::Function::Create(
      llvm::FunctionType::get(i32, {ptr, i64, i32, i64, ptr}, false),
      llvm::GlobalValue::ExternalLinkage, entry.symbol + "_mc_samples", module);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", samples));
  b.CreateRet(
      b.CreateCall(*predictSamples, {samplesModel, samples->getArg(0),
                                     samples->getArg(1), samples->getArg(2),
                                     samples->getArg(3), samples->getArg(4)}));

  if (mcInfo.entropy) {
    llvm::Function *h = llvm::Function::Create(
        llvm::FunctionType::get(i32, {ptr, i64, ptr}, false),
        llvm::GlobalValue::ExternalLinkage,
        libraryPrefix(entry) + "_predictive_entropy", module);
    b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", h));
    b.CreateRet(b.CreateCall(*entropy, {h->getArg(0), h->getArg(1),
                                        b.getInt64(outSize), h->getArg(2)}));
  }
  return success();
}

} // namespace

FailureOr<std::unique_ptr<llvm::Module>> mlir::kiln::translateAndOptimize(
    ModuleOp module, llvm::LLVMContext &llvmContext, const EntryPoint &entry,
    llvm::TargetMachine &machine) {
  Location loc = module.getLoc();
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, entry.symbol);
  if (!llvmModule)
    return emitError(loc) << "translation to LLVM IR failed";
  llvmModule->setDataLayout(machine.createDataLayout());
  llvmModule->setTargetTriple(machine.getTargetTriple().str());

  llvm::Function *impl = llvmModule->getFunction(entry.implementation);
  if (!impl)
    return emitError(loc) << "model function '" << entry.implementation
                          << "' not found after lowering";
  // Only the entry points are exported, so two models link into one
  // program: the model functions and (in linkRuntime) the runtime are
  // internal.
  for (llvm::Function &f : *llvmModule)
    if (!f.isDeclaration())
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
  if (failed(linkRuntime(*llvmModule, loc)) ||
      failed(buildPredict(*llvmModule, impl, entry, loc)) ||
      failed(buildStatusMessage(*llvmModule, entry, loc)))
    return failure();
  if (entry.mc) {
    llvm::Function *samples = llvmModule->getFunction(entry.mc->implementation);
    if (!samples)
      return emitError(loc)
             << "Monte-Carlo function '" << entry.mc->implementation
             << "' not found after lowering";
    if (failed(buildMonteCarlo(*llvmModule, samples, entry, loc)))
      return failure();
  }

  std::string verifyErrors;
  llvm::raw_string_ostream os(verifyErrors);
  if (llvm::verifyModule(*llvmModule, &os))
    return emitError(loc) << "invalid LLVM IR: " << os.str();

  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&machine);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3)
      .run(*llvmModule, mam);
  return llvmModule;
}

LogicalResult mlir::kiln::emitObject(llvm::Module &module,
                                     llvm::TargetMachine &machine,
                                     bool assembly, std::string &out,
                                     Location loc) {
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager pm;
  if (machine.addPassesToEmitFile(pm, os, nullptr,
                                  assembly ? llvm::CodeGenFileType::AssemblyFile
                                           : llvm::CodeGenFileType::ObjectFile))
    return emitError(loc) << "the target cannot emit "
                          << (assembly ? "assembly" : "object files");
  pm.run(module);
  out.assign(buffer.begin(), buffer.end());
  return success();
}

LogicalResult mlir::kiln::buildStaticArchive(const std::string &memberName,
                                             const std::string &object,
                                             std::string &out, Location loc) {
  std::unique_ptr<llvm::MemoryBuffer> buffer =
      llvm::MemoryBuffer::getMemBuffer(object, memberName,
                                       /*RequiresNullTerminator=*/false);
  std::vector<llvm::NewArchiveMember> members;
  members.emplace_back(buffer->getMemBufferRef());
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> archive =
      llvm::writeArchiveToBuffer(members, llvm::SymtabWritingMode::NormalSymtab,
                                 llvm::object::Archive::K_GNU,
                                 /*Deterministic=*/true, /*Thin=*/false);
  if (!archive)
    return emitError(loc) << "cannot create archive: "
                          << llvm::toString(archive.takeError());
  out.assign((*archive)->getBufferStart(), (*archive)->getBufferEnd());
  return success();
}
