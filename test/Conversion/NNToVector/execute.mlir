// The packed-weight kernels executed at every vector width, and the
// reference linalg lowering (vector-bits=0), on a Dense whose outputs have a
// closed form: with x[r] = [r, 1, 0.5], W[0][j] = 1, W[1][j] = j,
// W[2][j] = 2 and b[j] = -12, z[r][j] = r + j - 11, and PReLU with slope
// s[j] = (j mod 4)/4 gives y = z > 0 ? z : s[j]·z. 7 rows and 21 units cover
// full row tiles (6 or 4 rows), leftover single rows, a partial last panel,
// a masked last vector, and K = 3 (the one-row kernel's odd k tail); 10, 9,
// 2 and 11 rows cover the 4-row tail tile, whole and partial.
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=0" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=128" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=256" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=512" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s
// Integer weights are exact in 16 bits: the f16 and bf16 kernels (16-bit
// loads, the last vector reading into the next row) give the same values.
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=512 quantize=f16" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=128 quantize=bf16" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s

func.func private @printMemrefF32(tensor<*xf32>)

func.func @net(%x: tensor<?x3xf32>) -> tensor<?x21xf32> {
  %w = arith.constant dense<[[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0], [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]]> : tensor<3x21xf32>
  %b = arith.constant dense<-12.0> : tensor<21xf32>
  %s = arith.constant dense<[0.00, 0.25, 0.50, 0.75, 0.00, 0.25, 0.50, 0.75, 0.00, 0.25, 0.50, 0.75, 0.00, 0.25, 0.50, 0.75, 0.00, 0.25, 0.50, 0.75, 0.00]> : tensor<21xf32>
  %y = nn.dense %x, %w, %b slope %s {activation = #nn.activation<prelu>} : (tensor<?x3xf32>, tensor<3x21xf32>, tensor<21xf32>, tensor<21xf32>) -> tensor<?x21xf32>
  return %y : tensor<?x21xf32>
}

func.func @main() {
  %c = arith.constant dense<[[0.0, 1.0, 0.5], [1.0, 1.0, 0.5], [2.0, 1.0, 0.5], [3.0, 1.0, 0.5], [4.0, 1.0, 0.5], [5.0, 1.0, 0.5], [6.0, 1.0, 0.5]]> : tensor<7x3xf32>
  %x = tensor.cast %c : tensor<7x3xf32> to tensor<?x3xf32>
  %y = call @net(%x) : (tensor<?x3xf32>) -> tensor<?x21xf32>
  %u = tensor.cast %y : tensor<?x21xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %half = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  %c11 = arith.constant 11 : index
  %big = tensor.generate {
  ^bb0(%r: index, %k: index):
    %rf = arith.index_cast %r : index to i32
    %rv = arith.sitofp %rf : i32 to f32
    %is0 = arith.cmpi eq, %k, %c0 : index
    %is1 = arith.cmpi eq, %k, %c1 : index
    %v1 = arith.select %is1, %one, %half : f32
    %v = arith.select %is0, %rv, %v1 : f32
    tensor.yield %v : f32
  } : tensor<11x3xf32>
  %c10 = arith.constant 10 : index
  %c9 = arith.constant 9 : index
  %c2 = arith.constant 2 : index
  scf.for %i = %c0 to %c1 step %c1 {
    func.call @run(%big, %c10) : (tensor<11x3xf32>, index) -> ()
    func.call @run(%big, %c9) : (tensor<11x3xf32>, index) -> ()
    func.call @run(%big, %c2) : (tensor<11x3xf32>, index) -> ()
    func.call @run(%big, %c11) : (tensor<11x3xf32>, index) -> ()
  }
  return
}

// Rows [0, n) of x through @net, printed.
func.func @run(%all: tensor<11x3xf32>, %n: index) {
  %x = tensor.extract_slice %all[0, 0] [%n, 3] [1, 1] : tensor<11x3xf32> to tensor<?x3xf32>
  %y = call @net(%x) : (tensor<?x3xf32>) -> tensor<?x21xf32>
  %u = tensor.cast %y : tensor<?x21xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
// CHECK: {{\[}}[-0,-2.5,-4.5,-6,-0,-1.5,-2.5,-3,-0,-0.5,-0.5,0,1,2,3,4,5,6,7,8,9]
// CHECK: [-0,-2.25,-4,-5.25,-0,-1.25,-2,-2.25,-0,-0.25,0,1,2,3,4,5,6,7,8,9,10]
// CHECK: [-0,-2,-3.5,-4.5,-0,-1,-1.5,-1.5,-0,0,1,2,3,4,5,6,7,8,9,10,11]
// CHECK: [-0,-1.75,-3,-3.75,-0,-0.75,-1,-0.75,0,1,2,3,4,5,6,7,8,9,10,11,12]
// CHECK: [-0,-1.5,-2.5,-3,-0,-0.5,-0.5,0,1,2,3,4,5,6,7,8,9,10,11,12,13]
// CHECK: [-0,-1.25,-2,-2.25,-0,-0.25,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14]
// CHECK: [-0,-1,-1.5,-1.5,-0,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]
// Then 10, 9, 2 and 11 rows: with 6-row tiles, 4 leftover rows take a
// whole 4-row tile, 3 and 2 a partial one, 5 a partial 6-row tile.
// CHECK: sizes=[10,21]
// CHECK-NEXT: {{\[}}[-0,-2.5,-4.5,-6,-0,-1.5,-2.5,-3,-0,-0.5,-0.5,0,1,2,3,4,5,6,7,8,9]
// CHECK-NEXT: [-0,-2.25,-4,-5.25,-0,-1.25,-2,-2.25,-0,-0.25,0,1,2,3,4,5,6,7,8,9,10]
// CHECK-NEXT: [-0,-2,-3.5,-4.5,-0,-1,-1.5,-1.5,-0,0,1,2,3,4,5,6,7,8,9,10,11]
// CHECK-NEXT: [-0,-1.75,-3,-3.75,-0,-0.75,-1,-0.75,0,1,2,3,4,5,6,7,8,9,10,11,12]
// CHECK-NEXT: [-0,-1.5,-2.5,-3,-0,-0.5,-0.5,0,1,2,3,4,5,6,7,8,9,10,11,12,13]
// CHECK-NEXT: [-0,-1.25,-2,-2.25,-0,-0.25,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14]
// CHECK-NEXT: [-0,-1,-1.5,-1.5,-0,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]
// CHECK-NEXT: [-0,-0.75,-1,-0.75,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]
// CHECK-NEXT: [-0,-0.5,-0.5,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]
// CHECK-NEXT: [-0,-0.25,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18]
// CHECK: sizes=[9,21]
// CHECK-NEXT: {{\[}}[-0,-2.5,-4.5,-6,-0,-1.5,-2.5,-3,-0,-0.5,-0.5,0,1,2,3,4,5,6,7,8,9]
// CHECK-NEXT: [-0,-2.25,-4,-5.25,-0,-1.25,-2,-2.25,-0,-0.25,0,1,2,3,4,5,6,7,8,9,10]
// CHECK-NEXT: [-0,-2,-3.5,-4.5,-0,-1,-1.5,-1.5,-0,0,1,2,3,4,5,6,7,8,9,10,11]
// CHECK-NEXT: [-0,-1.75,-3,-3.75,-0,-0.75,-1,-0.75,0,1,2,3,4,5,6,7,8,9,10,11,12]
// CHECK-NEXT: [-0,-1.5,-2.5,-3,-0,-0.5,-0.5,0,1,2,3,4,5,6,7,8,9,10,11,12,13]
// CHECK-NEXT: [-0,-1.25,-2,-2.25,-0,-0.25,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14]
// CHECK-NEXT: [-0,-1,-1.5,-1.5,-0,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]
// CHECK-NEXT: [-0,-0.75,-1,-0.75,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]
// CHECK-NEXT: [-0,-0.5,-0.5,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]
// CHECK: sizes=[2,21]
// CHECK-NEXT: {{\[}}[-0,-2.5,-4.5,-6,-0,-1.5,-2.5,-3,-0,-0.5,-0.5,0,1,2,3,4,5,6,7,8,9]
// CHECK-NEXT: [-0,-2.25,-4,-5.25,-0,-1.25,-2,-2.25,-0,-0.25,0,1,2,3,4,5,6,7,8,9,10]
// CHECK: sizes=[11,21]
// CHECK-NEXT: {{\[}}[-0,-2.5,-4.5,-6,-0,-1.5,-2.5,-3,-0,-0.5,-0.5,0,1,2,3,4,5,6,7,8,9]
// CHECK-NEXT: [-0,-2.25,-4,-5.25,-0,-1.25,-2,-2.25,-0,-0.25,0,1,2,3,4,5,6,7,8,9,10]
// CHECK-NEXT: [-0,-2,-3.5,-4.5,-0,-1,-1.5,-1.5,-0,0,1,2,3,4,5,6,7,8,9,10,11]
// CHECK-NEXT: [-0,-1.75,-3,-3.75,-0,-0.75,-1,-0.75,0,1,2,3,4,5,6,7,8,9,10,11,12]
// CHECK-NEXT: [-0,-1.5,-2.5,-3,-0,-0.5,-0.5,0,1,2,3,4,5,6,7,8,9,10,11,12,13]
// CHECK-NEXT: [-0,-1.25,-2,-2.25,-0,-0.25,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14]
// CHECK-NEXT: [-0,-1,-1.5,-1.5,-0,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]
// CHECK-NEXT: [-0,-0.75,-1,-0.75,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]
// CHECK-NEXT: [-0,-0.5,-0.5,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]
// CHECK-NEXT: [-0,-0.25,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18]
// CHECK-NEXT: [-0,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]
