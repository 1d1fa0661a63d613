// ELU's expm1 (compiler/Utils/NNMath.cpp: x = k·ln2 + r, a polynomial in
// r, k = round(x·log2 e)) on both sides of the step from k = 0 to k = −1
// (x = −ln2/2 = −0.34657), at k = −7 and near 0, through the vector kernel
// (a Dense with identity weights, ELU fused) and the reference lowering
// (an Activation layer). Expected: Python's math.expm1 in double, printed
// to printMemrefF32's 6 digits; exp(x) − 1 in f32 would give -0.000100017
// for x = -1e-4.
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=512" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=0" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s
// CHECK: {{\[}}[-9.9995e-05,-0.292841,-0.292983,-0.295382,-0.632121,-0.993262,1e-05,0.3]]
// CHECK: {{\[}}[-9.9995e-05,-0.292841,-0.292983,-0.295382,-0.632121,-0.993262,1e-05,0.3]]

func.func private @printMemrefF32(tensor<*xf32>)

func.func @main() {
  %c = arith.constant dense<[[-1.0e-4, -0.3465, -0.3467, -0.3501, -1.0, -5.0, 1.0e-5, 0.3]]> : tensor<1x8xf32>
  %x = tensor.cast %c : tensor<1x8xf32> to tensor<?x8xf32>
  %w = arith.constant dense<[[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                             [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                             [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                             [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
                             [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0],
                             [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0],
                             [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
                             [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]]> : tensor<8x8xf32>
  %d = nn.dense %x, %w {activation = #nn.activation<elu, alpha = 1.0>} : (tensor<?x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>
  %a = nn.activation %x {activation = #nn.activation<elu, alpha = 1.0>} : tensor<?x8xf32>
  %u = tensor.cast %d : tensor<?x8xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  %v = tensor.cast %a : tensor<?x8xf32> to tensor<*xf32>
  call @printMemrefF32(%v) : (tensor<*xf32>) -> ()
  return
}
