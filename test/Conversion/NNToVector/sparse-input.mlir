// A Dense whose input may be mostly zeros (the model's input, or a ReLU's
// output: fused into the Dense before it, or an nn.activation) runs a lone
// row over its nonzero inputs when at most 3/4 of them are
// (buildNonzeroUnits); the outputs must be those of the dense loop and of
// the reference lowering (vector-bits=0), and the closed forms below.
// K = 70 inputs (four whole vectors of 16 and a partial one), 5 units:
// W2[k][j] = (k + 2j) mod 5 − 2, b2[j] = j/2 − 1. @input reads
// x[r][k] = (3k + 5r) mod 7 − 3, clamped at 0 in odd rows: even rows have
// 60 nonzero inputs of 70 (the dense loop), odd rows 30 (the list). @unfused
// takes the ReLU of x first (30 nonzero), @fused a Dense 2 → 70 with ReLU
// of [1, 5r mod 7] (W1[0][k] = 3k mod 7 − 3, W1[1][k] = 1). Row 3 has a NaN
// at k = 67: NaN is listed (it compares unordered) and reaches every
// output, as in the dense loop. Batch 7 runs a lone last row after a 6-row
// tile (4 + 2 at 128 bits, then 1 at batch 5); then rows 3, 5 and 6 alone.
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=0" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=128" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=256" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=512" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=512 quantize=f16" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s

// Each call prints @input, @unfused and @fused: rows 0-6, rows 0-4, row 3,
// row 5, row 6.
// CHECK: data=
// CHECK-NEXT: {{\[}}[-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [nan,nan,nan,nan,nan],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [nan,nan,nan,nan,nan],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [nan,nan,nan,nan,nan],
// CHECK-NEXT: [-1,-0.5,0,0.5,1]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [nan,nan,nan,nan,nan],
// CHECK-NEXT: [-1,-0.5,0,0.5,1]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1],
// CHECK-NEXT: [-1,-0.5,0,0.5,1]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[nan,nan,nan,nan,nan]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[nan,nan,nan,nan,nan]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[-1,-0.5,0,0.5,1]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[-1,-0.5,0,0.5,1]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[-1,-0.5,0,0.5,1]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[-1,-0.5,0,0.5,1]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[-1,-0.5,0,0.5,1]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[-1,-0.5,0,0.5,1]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[-1,-0.5,0,0.5,1]]

func.func private @printMemrefF32(tensor<*xf32>)

func.func @input(%x: tensor<?x70xf32>) -> tensor<?x5xf32> {
  %w2 = arith.constant dense<[[-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0]]> : tensor<70x5xf32>
  %b2 = arith.constant dense<[-1.0, -0.5, 0.0, 0.5, 1.0]> : tensor<5xf32>
  %y = nn.dense %x, %w2, %b2 : (tensor<?x70xf32>, tensor<70x5xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

func.func @unfused(%x: tensor<?x70xf32>) -> tensor<?x5xf32> {
  %h = nn.activation %x {activation = #nn.activation<relu>} : tensor<?x70xf32>
  %w2 = arith.constant dense<[[-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0]]> : tensor<70x5xf32>
  %b2 = arith.constant dense<[-1.0, -0.5, 0.0, 0.5, 1.0]> : tensor<5xf32>
  %y = nn.dense %h, %w2, %b2 : (tensor<?x70xf32>, tensor<70x5xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

func.func @fused(%x: tensor<?x2xf32>) -> tensor<?x5xf32> {
  %w1 = arith.constant dense<[[-3.0, 0.0, 3.0, -1.0, 2.0, -2.0, 1.0, -3.0, 0.0, 3.0, -1.0, 2.0, -2.0, 1.0, -3.0, 0.0, 3.0, -1.0, 2.0, -2.0, 1.0, -3.0, 0.0, 3.0, -1.0, 2.0, -2.0, 1.0, -3.0, 0.0, 3.0, -1.0, 2.0, -2.0, 1.0, -3.0, 0.0, 3.0, -1.0, 2.0, -2.0, 1.0, -3.0, 0.0, 3.0, -1.0, 2.0, -2.0, 1.0, -3.0, 0.0, 3.0, -1.0, 2.0, -2.0, 1.0, -3.0, 0.0, 3.0, -1.0, 2.0, -2.0, 1.0, -3.0, 0.0, 3.0, -1.0, 2.0, -2.0, 1.0], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]]> : tensor<2x70xf32>
  %h = nn.dense %x, %w1 {activation = #nn.activation<relu>} : (tensor<?x2xf32>, tensor<2x70xf32>) -> tensor<?x70xf32>
  %w2 = arith.constant dense<[[-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0]]> : tensor<70x5xf32>
  %b2 = arith.constant dense<[-1.0, -0.5, 0.0, 0.5, 1.0]> : tensor<5xf32>
  %y = nn.dense %h, %w2, %b2 : (tensor<?x70xf32>, tensor<70x5xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

func.func @print(%y: tensor<?x5xf32>) {
  %u = tensor.cast %y : tensor<?x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

// Rows [first, first + n) through the three functions.
func.func @run(%first: index, %n: index) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c67 = arith.constant 67 : index
  %c5i = arith.constant 5 : i32
  %c7i = arith.constant 7 : i32
  %three = arith.constant 3.0 : f32
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %nan = arith.constant 0x7FC00000 : f32
  %x = tensor.generate %n {
  ^bb0(%i: index, %k: index):
    %r = arith.addi %i, %first : index
    %ri = arith.index_cast %r : index to i32
    %ki = arith.index_cast %k : index to i32
    %k2 = arith.addi %ki, %ki : i32
    %k3 = arith.addi %k2, %ki : i32
    %r5 = arith.muli %ri, %c5i : i32
    %t = arith.addi %k3, %r5 : i32
    %m = arith.remui %t, %c7i : i32
    %mf = arith.uitofp %m : i32 to f32
    %v = arith.subf %mf, %three : f32
    %odd = arith.remui %r, %c2 : index
    %isodd = arith.cmpi ne, %odd, %c0 : index
    %clamped = arith.maximumf %v, %zero : f32
    %w = arith.select %isodd, %clamped, %v : f32
    %isr = arith.cmpi eq, %r, %c3 : index
    %isk = arith.cmpi eq, %k, %c67 : index
    %both = arith.andi %isr, %isk : i1
    %e = arith.select %both, %nan, %w : f32
    tensor.yield %e : f32
  } : tensor<?x70xf32>
  %x2 = tensor.generate %n {
  ^bb0(%i: index, %k: index):
    %r = arith.addi %i, %first : index
    %ri = arith.index_cast %r : index to i32
    %r5 = arith.muli %ri, %c5i : i32
    %m = arith.remui %r5, %c7i : i32
    %mf = arith.uitofp %m : i32 to f32
    %is0 = arith.cmpi eq, %k, %c0 : index
    %e = arith.select %is0, %one, %mf : f32
    tensor.yield %e : f32
  } : tensor<?x2xf32>
  %a = call @input(%x) : (tensor<?x70xf32>) -> tensor<?x5xf32>
  call @print(%a) : (tensor<?x5xf32>) -> ()
  %b = call @unfused(%x) : (tensor<?x70xf32>) -> tensor<?x5xf32>
  call @print(%b) : (tensor<?x5xf32>) -> ()
  %c = call @fused(%x2) : (tensor<?x2xf32>) -> tensor<?x5xf32>
  call @print(%c) : (tensor<?x5xf32>) -> ()
  return
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %c6 = arith.constant 6 : index
  %c7 = arith.constant 7 : index
  func.call @run(%c0, %c7) : (index, index) -> ()
  func.call @run(%c0, %c5) : (index, index) -> ()
  func.call @run(%c3, %c1) : (index, index) -> ()
  func.call @run(%c5, %c1) : (index, index) -> ()
  func.call @run(%c6, %c1) : (index, index) -> ()
  return
}
