// The nn-to-llvm pipeline, fused and unfused, on the same weights: both must
// print the values derived by hand below.
// RUN: kiln-opt %s --nn-to-llvm | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s
// RUN: kiln-opt %s --nn-to-llvm="fold-batch-norm=0 fuse-activations=0" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s
// The fused form is a single Dense carrying the ELU.
// RUN: kiln-opt %s --pass-pipeline="builtin.module(func.func(nn-strip-dropout,nn-fold-batch-norm,nn-fuse-activations),canonicalize)" | FileCheck %s --check-prefix=FUSED

// x = [1, -2]
// input BN (gamma [2, 1], beta [0, 1], mean 0, var [3, 0], eps 1):
//   s = [1, 1], t = [0, 1]                      -> [1, -1]
// Dense W = [[1, 0.5], [-1, 2]], b = 0           -> [2, -1.5]
// Dropout: identity in deterministic inference
// BN (gamma 1, beta 0, mean [1, 0], var [0, 3], eps 1):
//   s = [1, 0.5], t = [-1, 0]                   -> [1, -0.75]
// ELU: [1, expm1(-0.75)]                         = [1, -0.527633]
// CHECK: [{{\[}}1,-0.527633]]

// FUSED-LABEL: func @net
// FUSED-NOT: nn.batch_norm
// FUSED-NOT: nn.dropout
// FUSED-NOT: nn.activation
// FUSED: nn.dense {{.*}}activation = #nn.activation<elu, alpha = 1.000000e+00>
// FUSED-NOT: nn.dense

func.func private @printMemrefF32(tensor<*xf32>)

func.func @net(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %g0 = arith.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %b0 = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %m0 = arith.constant dense<0.0> : tensor<2xf32>
  %v0 = arith.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %w = arith.constant dense<[[1.0, 0.5], [-1.0, 2.0]]> : tensor<2x2xf32>
  %b = arith.constant dense<0.0> : tensor<2xf32>
  %g1 = arith.constant dense<1.0> : tensor<2xf32>
  %b1 = arith.constant dense<0.0> : tensor<2xf32>
  %m1 = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %v1 = arith.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %0 = nn.batch_norm %x, %g0, %b0, %m0, %v0 {epsilon = 1.0 : f32} : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %1 = nn.dense %0, %w, %b : (tensor<?x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %2 = nn.dropout %1 {rate = 0.5 : f32} : tensor<?x2xf32>
  %3 = nn.batch_norm %2, %g1, %b1, %m1, %v1 {epsilon = 1.0 : f32} : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %4 = nn.activation %3 {activation = #nn.activation<elu, alpha = 1.0>} : tensor<?x2xf32>
  return %4 : tensor<?x2xf32>
}

func.func @main() {
  %c = arith.constant dense<[[1.0, -2.0]]> : tensor<1x2xf32>
  %x = tensor.cast %c : tensor<1x2xf32> to tensor<?x2xf32>
  %y = call @net(%x) : (tensor<?x2xf32>) -> tensor<?x2xf32>
  %u = tensor.cast %y : tensor<?x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
