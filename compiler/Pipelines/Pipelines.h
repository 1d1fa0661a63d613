//===- Pipelines.h - Kiln's pass pipelines ------------------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_PIPELINES_PIPELINES_H
#define KILN_COMPILER_PIPELINES_PIPELINES_H

#include "compiler/Utils/Constants.h"

#include "mlir/Pass/PassOptions.h"
#include "mlir/Support/LogicalResult.h"

namespace mlir {
class OpPassManager;

namespace kiln {

/// Options of the nn-to-llvm pipeline (and of kilnc's --no-fold-bn/--no-fuse).
struct NNToLLVMPipelineOptions
    : public PassPipelineOptions<NNToLLVMPipelineOptions> {
  Option<bool> foldBatchNorm{
      *this, "fold-batch-norm",
      llvm::cl::desc("Fold BatchNorm and input standardization into Dense"),
      llvm::cl::init(true)};
  Option<bool> fuseActivations{
      *this, "fuse-activations",
      llvm::cl::desc("Fuse activations into the Dense epilogue"),
      llvm::cl::init(true)};
  Option<Precision> quantize{
      *this, "quantize",
      llvm::cl::desc("Dense weight storage (nn-quantize; arithmetic "
                     "stays f32)"),
      getPrecisionValues(), llvm::cl::init(Precision::f32)};
  Option<unsigned> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Vector width of the Dense kernels (128, 256, 512); "
                     "0 keeps the reference linalg lowering"),
      llvm::cl::init(256)};
  Option<bool> monteCarlo{
      *this, "monte-carlo",
      llvm::cl::desc("Add @F_mc_samples (Monte-Carlo dropout: per-sample "
                     "outputs) beside each model function with dropout"),
      llvm::cl::init(false)};
  Option<bool> outParams{
      *this, "out-params",
      llvm::cl::desc("Turn function results into caller-owned out-params and "
                     "put intermediate buffers on the stack"),
      llvm::cl::init(false)};
};

/// nn (deterministic inference) -> LLVM dialect, with bare-pointer calling
/// convention at function boundaries. Fails only if an upstream pass name
/// is unknown, which the lit tests would catch.
LogicalResult buildNNToLLVMPipeline(OpPassManager &pm,
                                    const NNToLLVMPipelineOptions &options);

/// Registers `nn-to-llvm` for kiln-opt.
void registerPipelines();

} // namespace kiln
} // namespace mlir

#endif // KILN_COMPILER_PIPELINES_PIPELINES_H
