// RUN: kiln-opt %s --pass-pipeline='builtin.module(nn-to-llvm{quantize=f16 vector-bits=512})' | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(nn-to-llvm{vector-bits=512})' | FileCheck %s --check-prefix=F32
// nn-to-llvm tells nn-fold-batch-norm the weight storage: a standardized
// feature constant (0) in training (std floored at 1e-7) would scale its
// weights by 10^7, past f16's range, so with f16 weights the standardization
// stays unfolded (its mean and std are globals) and the weights are stored
// as trained; nn-quantize would otherwise reject the folded 3e7. With f32
// weights it folds.
// CHECK-DAG: llvm.mlir.global private constant @{{.*}}(dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, {{.*}}tensor<{{[0-9]+}}xf16>
// CHECK-DAG: llvm.mlir.global private constant @{{.*}}(dense<[1.000000e+00, 1.000000e-07]> : tensor<2xf32>)
// F32: llvm.mlir.global private constant @{{.*}}(dense<[1.000000e+00, 2.000000e+00, 3.000000e+07, 4.000000e+07,
// F32-NOT: 1.000000e-07
func.func @f(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %mean = arith.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %std = arith.constant dense<[1.0, 1.0e-7]> : tensor<2xf32>
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = nn.normalize %x, %mean, %std : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %1 = nn.dense %0, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}
