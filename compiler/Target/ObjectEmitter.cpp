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

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

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
  std::string features = options.features;
  if (options.triple.empty() && cpu.empty()) {
    // Host: its CPU and every feature it reports (AVX-512 where present).
    cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures f;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      f.AddFeature(feature.first(), feature.second);
    if (!features.empty())
      f.AddFeature(features);
    features = f.getString();
  }
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return emitError(loc) << "cannot create a target machine for '" << triple
                          << "' (cpu '" << cpu << "')";
  return machine;
}

unsigned mlir::kiln::getVectorBits(const llvm::TargetMachine &machine) {
  const llvm::MCSubtargetInfo *info = machine.getMCSubtargetInfo();
  if (machine.getTargetTriple().isX86() && info) {
    if (info->checkFeatures("+avx512f"))
      return 512;
    if (info->checkFeatures("+avx"))
      return 256;
  }
  return 128;
}

namespace {

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

/// The exported C entry points around the model functions:
///   int NAME_predict(const float *in, float *out, size_t batch)
///   int NAME_predict_mc(const float *in, size_t batch, unsigned samples,
///                       uint64_t seed, float *mean, float *stddev)
///   int NAME_predict_mc_samples(const float *in, size_t batch,
///                               unsigned samples, uint64_t seed, float *out)
/// Status 1 for a null pointer, batch 0 or samples 0; else the batch is
/// processed in pieces of at most R rows (the entry's stack budget):
///   for (start = 0; start < batch; start += R)
///     impl(in + start·I, ..., out + start·O', ...)
/// where O' is the floats per example of each output (O, or samples·O for
/// the per-sample outputs, example-major).
enum class EntryKind { Predict, MonteCarlo, Samples };

LogicalResult buildEntry(llvm::Module &module, llvm::Function *impl,
                         const mlir::kiln::EntryPoint &entry, EntryKind kind,
                         Location loc) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::IRBuilder<> b(ctx);
  llvm::Type *ptr = b.getPtrTy(), *i64 = b.getInt64Ty(), *i32 = b.getInt32Ty();
  bool mc = kind != EntryKind::Predict;
  llvm::FunctionType *type =
      kind == EntryKind::Predict
          ? llvm::FunctionType::get(i32, {ptr, ptr, i64}, false)
      : kind == EntryKind::MonteCarlo
          ? llvm::FunctionType::get(i32, {ptr, i64, i32, i64, ptr, ptr}, false)
          : llvm::FunctionType::get(i32, {ptr, i64, i32, i64, ptr}, false);
  std::string symbol =
      entry.symbol + (kind == EntryKind::Predict      ? ""
                      : kind == EntryKind::MonteCarlo ? "_mc"
                                                      : "_mc_samples");
  llvm::Function *fn = llvm::Function::Create(
      type, llvm::GlobalValue::ExternalLinkage, symbol, module);
  llvm::Value *in = fn->getArg(0);
  llvm::Value *batch = fn->getArg(mc ? 1 : 2);
  SmallVector<llvm::Value *> outs;
  llvm::Value *bad = b.getFalse();
  auto *checkBlock = llvm::BasicBlock::Create(ctx, "check", fn);
  b.SetInsertPoint(checkBlock);
  if (kind == EntryKind::MonteCarlo)
    outs = {fn->getArg(4), fn->getArg(5)};
  else if (kind == EntryKind::Samples)
    outs = {fn->getArg(4)};
  else
    outs = {fn->getArg(1)};
  if (mc)
    bad = b.CreateICmpEQ(fn->getArg(2), b.getInt32(0));
  bad = b.CreateOr(bad, b.CreateIsNull(in));
  for (llvm::Value *out : outs)
    bad = b.CreateOr(bad, b.CreateIsNull(out));
  bad = b.CreateOr(bad, b.CreateICmpEQ(batch, b.getInt64(0)));
  auto *runBlock = llvm::BasicBlock::Create(ctx, "run", fn);
  auto *badBlock = llvm::BasicBlock::Create(ctx, "bad", fn);
  b.CreateCondBr(bad, badBlock, runBlock);
  b.SetInsertPoint(badBlock);
  b.CreateRet(b.getInt32(1));

  int64_t inSize = 1, outSize = 1;
  for (int64_t d : entry.inputShape)
    inSize *= d;
  for (int64_t d : entry.outputShape)
    outSize *= d;
  b.SetInsertPoint(runBlock);
  // Floats per example of each output.
  llvm::Value *outWidth = b.getInt64(outSize);
  if (kind == EntryKind::Samples)
    outWidth = b.CreateMul(b.CreateZExt(fn->getArg(2), i64), outWidth);
  auto *loopBlock = llvm::BasicBlock::Create(ctx, "chunk", fn);
  auto *doneBlock = llvm::BasicBlock::Create(ctx, "done", fn);
  b.CreateBr(loopBlock);
  b.SetInsertPoint(loopBlock);
  llvm::PHINode *start = b.CreatePHI(i64, 2, "start");
  start->addIncoming(b.getInt64(0), runBlock);
  llvm::Value *left = b.CreateSub(batch, start);
  int64_t perCall = kind == EntryKind::Predict      ? entry.rowsPerCall
                    : kind == EntryKind::MonteCarlo ? entry.mcRowsPerCall
                                                    : entry.samplesRowsPerCall;
  llvm::Value *rows =
      perCall > 0 ? b.CreateSelect(b.CreateICmpULT(left, b.getInt64(perCall)),
                                   left, b.getInt64(perCall))
                  : left;
  SmallVector<llvm::Value *> args;
  appendMemref(
      b, args,
      b.CreateGEP(b.getFloatTy(), in, b.CreateMul(start, b.getInt64(inSize))),
      rows, entry.inputShape);
  if (mc) { // the seed, then the sample count
    args.push_back(fn->getArg(3));
    args.push_back(fn->getArg(2));
  }
  for (llvm::Value *out : outs) {
    llvm::Value *at =
        b.CreateGEP(b.getFloatTy(), out, b.CreateMul(start, outWidth));
    if (kind != EntryKind::Samples) {
      appendMemref(b, args, at, rows, entry.outputShape);
      continue;
    }
    // [rows, samples·O], row-major.
    args.append(
        {at, at, b.getInt64(0), rows, outWidth, outWidth, b.getInt64(1)});
  }
  if (impl->arg_size() != args.size())
    return emitError(loc) << "model function '" << impl->getName() << "' has "
                          << impl->arg_size() << " parameters, expected "
                          << args.size();
  b.CreateCall(impl, args);
  llvm::Value *next = b.CreateAdd(start, rows);
  start->addIncoming(next, loopBlock);
  b.CreateCondBr(b.CreateICmpULT(next, batch), loopBlock, doneBlock);
  b.SetInsertPoint(doneBlock);
  b.CreateRet(b.getInt32(0));
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
  // Only the entry point is exported, so two models link into one program.
  for (llvm::Function &f : *llvmModule)
    if (!f.isDeclaration())
      f.setLinkage(llvm::GlobalValue::InternalLinkage);

  if (failed(buildEntry(*llvmModule, impl, entry, EntryKind::Predict, loc)))
    return failure();
  if (!entry.mcImplementation.empty()) {
    llvm::Function *mc = llvmModule->getFunction(entry.mcImplementation);
    if (!mc)
      return emitError(loc)
             << "Monte-Carlo function '" << entry.mcImplementation
             << "' not found after lowering";
    if (failed(buildEntry(*llvmModule, mc, entry, EntryKind::MonteCarlo, loc)))
      return failure();
  }
  if (!entry.samplesImplementation.empty()) {
    llvm::Function *samples =
        llvmModule->getFunction(entry.samplesImplementation);
    if (!samples)
      return emitError(loc)
             << "per-sample function '" << entry.samplesImplementation
             << "' not found after lowering";
    if (failed(
            buildEntry(*llvmModule, samples, entry, EntryKind::Samples, loc)))
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

LogicalResult mlir::kiln::writeStaticArchive(const std::string &path,
                                             const std::string &memberName,
                                             const std::string &object,
                                             Location loc) {
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
  ::kiln::Status s = ::kiln::writeFileAtomically(
      path, (*archive)->getBufferStart(), (*archive)->getBufferSize());
  if (!s.ok())
    return emitError(loc) << s.message();
  return success();
}
