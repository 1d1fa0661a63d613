// RUN: kiln-opt %s --pass-pipeline='builtin.module(nn-to-llvm{quantize=f16 vector-bits=512})' | FileCheck %s
// nn-to-llvm folds BatchNorm before nn-quantize rounds the weights: the
// stored f16 weight is the folded one rounded once. W = 1 and
// γ/√(σ² + ε) = 1.0006103515625 fold to W' = 1.0006103515625, which f16
// rounds up to 1 + 2^-10 (1.000980e+00 printed); rounding first would
// store 1.0 and fold at run time.
// CHECK: llvm.mlir.global private constant @{{.*}}(dense<[1.000980e+00, 0.000000e+00
// CHECK-SAME: tensor<17xf16>
// CHECK-NOT: llvm.intr.sqrt
func.func @f(%x: tensor<?x1xf32>) -> tensor<?x1xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1xf32>
  %g = arith.constant dense<1.0006103515625> : tensor<1xf32>
  %b = arith.constant dense<0.0> : tensor<1xf32>
  %m = arith.constant dense<0.0> : tensor<1xf32>
  %v = arith.constant dense<0.999> : tensor<1xf32>
  %0 = nn.dense %x, %w : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xf32>
  %1 = nn.batch_norm %0, %g, %b, %m, %v {epsilon = 1.0e-3 : f32} : tensor<?x1xf32>, tensor<1xf32> -> tensor<?x1xf32>
  return %1 : tensor<?x1xf32>
}
