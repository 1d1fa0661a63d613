// A Dense whose input is a ReLU's output (fused into the Dense before, or
// an nn.activation) runs a lone row over its nonzero inputs only
// (buildNonzeroUnits); the outputs are those of the dense loop and of the
// reference lowering (vector-bits=0). x[r][k] = (3k + 5r) mod 7 − 3 over
// K = 20 (a whole vector of 16 and a partial one) makes 11 or 12 of each
// row's 20 ReLU outputs zero; W2[k][j] = (k + 2j) mod 5 − 2, b2[j] = j/2 − 1.
// Row 3 has a NaN at k = 17: NaN is listed (it compares unordered), and
// reaches every output as in the dense loop. Batch 7 runs a lone last row
// after a 6-row tile (4 + 2 at 128 bits, then 1 at batch 5), batch 1 only it.
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=0" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=128" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=256" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=512" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=512 quantize=f16" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s

// Both functions print each of: rows 0-6, rows 0-4, row 3, row 6.
// CHECK: data=
// CHECK-NEXT: {{\[}}[6,0.5,-10,-0.5,4],
// CHECK-NEXT: [0,6.5,8,-10.5,-4],
// CHECK-NEXT: [-9,-2.5,4,5.5,2],
// CHECK-NEXT: [nan,nan,nan,nan,nan],
// CHECK-NEXT: [3,4.5,1,-7.5,-1],
// CHECK-NEXT: [-4,2.5,9,0.5,-8],
// CHECK-NEXT: [-6,-5.5,-5,10.5,6]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[6,0.5,-10,-0.5,4],
// CHECK-NEXT: [0,6.5,8,-10.5,-4],
// CHECK-NEXT: [-9,-2.5,4,5.5,2],
// CHECK-NEXT: [nan,nan,nan,nan,nan],
// CHECK-NEXT: [3,4.5,1,-7.5,-1],
// CHECK-NEXT: [-4,2.5,9,0.5,-8],
// CHECK-NEXT: [-6,-5.5,-5,10.5,6]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[6,0.5,-10,-0.5,4],
// CHECK-NEXT: [0,6.5,8,-10.5,-4],
// CHECK-NEXT: [-9,-2.5,4,5.5,2],
// CHECK-NEXT: [nan,nan,nan,nan,nan],
// CHECK-NEXT: [3,4.5,1,-7.5,-1]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[6,0.5,-10,-0.5,4],
// CHECK-NEXT: [0,6.5,8,-10.5,-4],
// CHECK-NEXT: [-9,-2.5,4,5.5,2],
// CHECK-NEXT: [nan,nan,nan,nan,nan],
// CHECK-NEXT: [3,4.5,1,-7.5,-1]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[nan,nan,nan,nan,nan]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[nan,nan,nan,nan,nan]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[-6,-5.5,-5,10.5,6]]
// CHECK: data=
// CHECK-NEXT: {{\[}}[-6,-5.5,-5,10.5,6]]

func.func private @printMemrefF32(tensor<*xf32>)

func.func @fused(%x: tensor<?x20xf32>) -> tensor<?x5xf32> {
  %w1 = arith.constant dense<[[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]]> : tensor<20x20xf32>
  %h = nn.dense %x, %w1 {activation = #nn.activation<relu>} : (tensor<?x20xf32>, tensor<20x20xf32>) -> tensor<?x20xf32>
  %w2 = arith.constant dense<[[-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0]]> : tensor<20x5xf32>
  %b2 = arith.constant dense<[-1.0, -0.5, 0.0, 0.5, 1.0]> : tensor<5xf32>
  %y = nn.dense %h, %w2, %b2 : (tensor<?x20xf32>, tensor<20x5xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

func.func @unfused(%x: tensor<?x20xf32>) -> tensor<?x5xf32> {
  %h = nn.activation %x {activation = #nn.activation<relu>} : tensor<?x20xf32>
  %w2 = arith.constant dense<[[-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0], [-2.0, 0.0, 2.0, -1.0, 1.0], [-1.0, 1.0, -2.0, 0.0, 2.0], [0.0, 2.0, -1.0, 1.0, -2.0], [1.0, -2.0, 0.0, 2.0, -1.0], [2.0, -1.0, 1.0, -2.0, 0.0]]> : tensor<20x5xf32>
  %b2 = arith.constant dense<[-1.0, -0.5, 0.0, 0.5, 1.0]> : tensor<5xf32>
  %y = nn.dense %h, %w2, %b2 : (tensor<?x20xf32>, tensor<20x5xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

// Rows [first, first + n) of x through both functions.
func.func @run(%first: index, %n: index) {
  %c3 = arith.constant 3 : index
  %c5i = arith.constant 5 : i32
  %c7i = arith.constant 7 : i32
  %c17 = arith.constant 17 : index
  %three = arith.constant 3.0 : f32
  %nan = arith.constant 0x7FC00000 : f32
  %x = tensor.generate %n {
  ^bb0(%i: index, %k: index):
    %r = arith.addi %i, %first : index
    %ri = arith.index_cast %r : index to i32
    %ki = arith.index_cast %k : index to i32
    %s = arith.addi %ki, %ki : i32
    %s3 = arith.addi %s, %ki : i32
    %r5 = arith.muli %ri, %c5i : i32
    %t = arith.addi %s3, %r5 : i32
    %m = arith.remui %t, %c7i : i32
    %mf = arith.uitofp %m : i32 to f32
    %v = arith.subf %mf, %three : f32
    %isr = arith.cmpi eq, %r, %c3 : index
    %isk = arith.cmpi eq, %k, %c17 : index
    %both = arith.andi %isr, %isk : i1
    %e = arith.select %both, %nan, %v : f32
    tensor.yield %e : f32
  } : tensor<?x20xf32>
  %a = call @fused(%x) : (tensor<?x20xf32>) -> tensor<?x5xf32>
  %ua = tensor.cast %a : tensor<?x5xf32> to tensor<*xf32>
  call @printMemrefF32(%ua) : (tensor<*xf32>) -> ()
  %b = call @unfused(%x) : (tensor<?x20xf32>) -> tensor<?x5xf32>
  %ub = tensor.cast %b : tensor<?x5xf32> to tensor<*xf32>
  call @printMemrefF32(%ub) : (tensor<*xf32>) -> ()
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
  func.call @run(%c6, %c1) : (index, index) -> ()
  return
}
