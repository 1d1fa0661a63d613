// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(nn-fold-batch-norm),convert-nn-to-vector{vector-bits=512})' | FileCheck %s
// RUN: kiln-opt %s --convert-nn-to-vector=vector-bits=512 | FileCheck %s --check-prefix=UNFOLDED
// Input standardization folded into the first Dense leaves that Dense
// reading the raw input, where zeros are zeros: its batch-1 kernel skips
// them. Unfolded, the Dense reads standardized values, which are rarely 0,
// and gets the plain kernel.
// CHECK-NOT: nn.normalize
// CHECK: func.func private @__kiln_dense_64x8_{{.*}}sparse{{.*}}kiln.zero_skipping = true
// UNFOLDED: nn.normalize
// UNFOLDED: func.func private @__kiln_dense_64x8_{{.*}}kiln.zero_skipping = false
func.func @f(%x: tensor<?x8x8xf32>) -> tensor<?x8xf32> {
  %mean = arith.constant dense<0.25> : tensor<8x8xf32>
  %std = arith.constant dense<0.5> : tensor<8x8xf32>
  %w = arith.constant dense<1.0> : tensor<64x8xf32>
  %0 = nn.normalize %x, %mean, %std : tensor<?x8x8xf32>, tensor<8x8xf32> -> tensor<?x8x8xf32>
  %1 = nn.flatten %0 : tensor<?x8x8xf32> -> tensor<?x64xf32>
  %2 = nn.dense %1, %w {activation = #nn.activation<relu>} : (tensor<?x64xf32>, tensor<64x8xf32>) -> tensor<?x8xf32>
  return %2 : tensor<?x8xf32>
}
