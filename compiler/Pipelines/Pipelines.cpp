//===- Pipelines.cpp - Kiln's pass pipelines ------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The one definition of how nn becomes LLVM: kiln-opt --nn-to-llvm runs it,
// and kilnc will run exactly it. Stage by stage, with why it sits there:
//
//  0. nn-monte-carlo (option monte-carlo): @F_mc_samples beside @F,
//     dropout kept as nn.mc_dropout with an explicit sample; after fusion,
//     loop-invariant code motion hoists out of the sample loop what it
//     computes the same in every step (nn-monte-carlo itself runs the
//     layers before the first dropout once, before the loop).
//  1. nn-strip-dropout first: deterministic inference drops dropout, which
//     also lets a BatchNorm fold across where the dropout was.
//  2. nn-fold-batch-norm before fusion: folding needs the Dense linear, and
//     turns Dense->BN->Act into Dense->Act, which fusion then merges. It
//     also folds input standardization into the first Dense.
//  3. nn-fuse-activations, canonicalize (identity activations, no-op
//     flattens). nn-quantize (option quantize) after folding, so
//     folded weights are rounded to 16 bits once.
//  4. convert-nn-to-vector (unless vector-bits=0): Dense layers with
//     constant weights become packed-weight vector kernels.
//     convert-nn-to-linalg then lowers everything else (the reference
//     lowering; with vector-bits=0, the Dense layers too).
//  5. Upstream, by registered names (the same string `mlir-opt
//     --pass-pipeline` accepts; verified in TOOLCHAIN.md §6): one-shot
//     bufferization over function boundaries with identity layouts, buffer
//     deallocation, linalg to loops, then everything to the LLVM dialect.
//     Math goes through LLVM intrinsics where they exist and libm (tanhf,
//     erff, expm1f) otherwise.
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines/Pipelines.h"

#include "compiler/Conversion/Passes.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

LogicalResult
kiln::buildNNToLLVMPipeline(OpPassManager &pm,
                            const NNToLLVMPipelineOptions &options) {
  if (options.monteCarlo)
    pm.addPass(kiln::createMonteCarloPass());
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(kiln::createStripDropoutPass());
  if (options.foldBatchNorm)
    funcPm.addPass(kiln::createFoldBatchNormPass(
        FoldBatchNormPassOptions{options.quantize}));
  if (options.fuseActivations)
    funcPm.addPass(kiln::createFuseActivationsPass());
  pm.addPass(createCanonicalizerPass());
  if (options.quantize != Precision::f32)
    pm.addPass(kiln::createQuantizePass(QuantizePassOptions{options.quantize}));
  // Monte-Carlo loops: what every step computes alike (constants, sizes)
  // moves out of the sample loop.
  if (options.monteCarlo)
    pm.addPass(createLoopInvariantCodeMotionPass());
  if (options.vectorBits != 0)
    pm.addPass(kiln::createConvertNNToVectorPass(
        ConvertNNToVectorPassOptions{options.vectorBits}));
  pm.addPass(kiln::createConvertNNToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  // LLVM 19 pitfall: with identity layouts at function boundaries, a call
  // whose operand is a tensor.extract_slice with a dynamic offset gets a
  // memref.cast to the identity layout, and the callee reads from offset 0
  // (llvm/llvm-project#83276; seen here with a lit test's own slice). The
  // code Kiln generates never passes a slice to a call: keep it so, or copy
  // the slice into a tensor of its own first.
  std::string upstream =
      "one-shot-bufferize{bufferize-function-boundaries "
      "function-boundary-type-conversion=identity-layout-map},"
      // The Dense kernels return the destination they wrote in place
      // (through loops that canonicalize folds away once they carry
      // memrefs): drop those results so callers use their own buffer and
      // no out-param copy is made.
      "canonicalize,drop-equivalent-buffer-results,"
      // Reproducible bytes: bufferization names constant globals in an
      // order that changes from run to run.
      "kiln-order-globals,";
  // Results become caller-owned out-parameters: the C ABI kilnc emits. Not
  // the default, because it rejects calls to functions with dynamically
  // shaped results (test harnesses that call the model from MLIR).
  // With out-params (and only then: a returned buffer must outlive the
  // call) every intermediate moves to the stack: kilnc's predict makes no
  // heap allocation.
  if (options.outParams)
    upstream += "buffer-results-to-out-params,kiln-allocs-to-stack,";
  upstream +=
      "buffer-deallocation-pipeline,convert-bufferization-to-memref,"
      "func.func(convert-linalg-to-loops),lower-affine,convert-scf-to-cf,"
      "expand-strided-metadata,lower-affine,"
      "func.func(kiln-approximate-math),convert-math-to-llvm,"
      "convert-math-to-libm,convert-vector-to-llvm,convert-arith-to-llvm,"
      "finalize-memref-to-llvm,"
      "convert-func-to-llvm,convert-cf-to-llvm,reconcile-unrealized-casts";
  return parsePassPipeline(upstream, pm);
}

void kiln::registerPipelines() {
  PassPipelineRegistration<NNToLLVMPipelineOptions>(
      "nn-to-llvm",
      "Lower an nn module (deterministic inference) to the LLVM dialect",
      [](OpPassManager &pm, const NNToLLVMPipelineOptions &options) {
        if (failed(buildNNToLLVMPipeline(pm, options)))
          llvm::report_fatal_error("nn-to-llvm: an upstream pass is not "
                                   "registered");
      });
}
