// Executes the reference lowering and compares with values computed
// independently in double precision (Python's math module: exp, expm1, erf,
// tanh), rounded to f32 and printed to 6 significant digits as
// printMemrefF32 does. Input row: [-2, -0.5, 0, 0.5, 2].
// The pipeline with folding and fusion off is the conversion plus upstream
// lowering.
// RUN: kiln-opt %s --nn-to-llvm="fold-batch-norm=0 fuse-activations=0" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s

func.func private @printMemrefF32(tensor<*xf32>)

func.func @print(%t: tensor<?x5xf32>) {
  %u = tensor.cast %t : tensor<?x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

// Dense + ELU epilogue + softmax: h = elu(xW + b), y = softmax(h I).
func.func @net(%x: tensor<?x2xf32>) -> tensor<?x3xf32> {
  %w = arith.constant dense<[[1.0, -1.0, 0.5], [2.0, 0.0, -0.5]]> : tensor<2x3xf32>
  %b = arith.constant dense<[0.5, 0.0, -1.0]> : tensor<3xf32>
  %w2 = arith.constant dense<[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]> : tensor<3x3xf32>
  %0 = nn.dense %x, %w, %b {activation = #nn.activation<elu, alpha = 1.0>} : (tensor<?x2xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %1 = nn.dense %0, %w2 {activation = #nn.activation<softmax>} : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32>
  return %1 : tensor<?x3xf32>
}

func.func @main() {
  %c = arith.constant dense<[[-2.0, -0.5, 0.0, 0.5, 2.0]]> : tensor<1x5xf32>
  %x = tensor.cast %c : tensor<1x5xf32> to tensor<?x5xf32>
  %a0 = nn.activation %x {activation = #nn.activation<identity>} : tensor<?x5xf32>
  call @print(%a0) : (tensor<?x5xf32>) -> ()
  %a1 = nn.activation %x {activation = #nn.activation<sigmoid>} : tensor<?x5xf32>
  call @print(%a1) : (tensor<?x5xf32>) -> ()
  %a2 = nn.activation %x {activation = #nn.activation<tanh>} : tensor<?x5xf32>
  call @print(%a2) : (tensor<?x5xf32>) -> ()
  %a3 = nn.activation %x {activation = #nn.activation<relu>} : tensor<?x5xf32>
  call @print(%a3) : (tensor<?x5xf32>) -> ()
  %a4 = nn.activation %x {activation = #nn.activation<leaky_relu, alpha = 0.3>} : tensor<?x5xf32>
  call @print(%a4) : (tensor<?x5xf32>) -> ()
  %a5 = nn.activation %x {activation = #nn.activation<rrelu, lower = 0.125, upper = 0.375>} : tensor<?x5xf32>
  call @print(%a5) : (tensor<?x5xf32>) -> ()
  %a6 = nn.activation %x {activation = #nn.activation<elu, alpha = 1.0>} : tensor<?x5xf32>
  call @print(%a6) : (tensor<?x5xf32>) -> ()
  %a7 = nn.activation %x {activation = #nn.activation<selu, scale = 1.0507009873554805, alpha = 1.6732632423543772>} : tensor<?x5xf32>
  call @print(%a7) : (tensor<?x5xf32>) -> ()
  %a8 = nn.activation %x {activation = #nn.activation<gelu>} : tensor<?x5xf32>
  call @print(%a8) : (tensor<?x5xf32>) -> ()
  %a9 = nn.activation %x {activation = #nn.activation<swish>} : tensor<?x5xf32>
  call @print(%a9) : (tensor<?x5xf32>) -> ()
  %a10 = nn.activation %x {activation = #nn.activation<softmax>} : tensor<?x5xf32>
  call @print(%a10) : (tensor<?x5xf32>) -> ()
  %s = arith.constant dense<[0.1, 0.2, 0.3, 0.4, 0.5]> : tensor<5xf32>
  %p = nn.activation %x slope %s {activation = #nn.activation<prelu>} : tensor<?x5xf32>, tensor<5xf32>
  call @print(%p) : (tensor<?x5xf32>) -> ()
  // gamma 2, beta 1, mean 0.5, var 3, eps 1: 2 (x - 0.5) / 2 + 1 = x + 0.5.
  %g = arith.constant dense<2.0> : tensor<5xf32>
  %be = arith.constant dense<1.0> : tensor<5xf32>
  %mu = arith.constant dense<0.5> : tensor<5xf32>
  %va = arith.constant dense<3.0> : tensor<5xf32>
  %bn = nn.batch_norm %x, %g, %be, %mu, %va {epsilon = 1.0 : f32} : tensor<?x5xf32>, tensor<5xf32> -> tensor<?x5xf32>
  call @print(%bn) : (tensor<?x5xf32>) -> ()
  // (x - 1) / 0.5 = 2x - 2.
  %one = arith.constant dense<1.0> : tensor<5xf32>
  %half = arith.constant dense<0.5> : tensor<5xf32>
  %n = nn.normalize %x, %one, %half : tensor<?x5xf32>, tensor<5xf32> -> tensor<?x5xf32>
  call @print(%n) : (tensor<?x5xf32>) -> ()
  // Flatten [1, 2, 2] -> [1, 4], row-major.
  %f0 = arith.constant dense<[[[1.0, 2.0], [3.0, 4.0]]]> : tensor<1x2x2xf32>
  %f1 = tensor.cast %f0 : tensor<1x2x2xf32> to tensor<?x2x2xf32>
  %f = nn.flatten %f1 : tensor<?x2x2xf32> -> tensor<?x4xf32>
  %fu = tensor.cast %f : tensor<?x4xf32> to tensor<*xf32>
  call @printMemrefF32(%fu) : (tensor<*xf32>) -> ()
  %d0 = arith.constant dense<[[1.0, 2.0], [-1.0, 0.5]]> : tensor<2x2xf32>
  %d1 = tensor.cast %d0 : tensor<2x2xf32> to tensor<?x2xf32>
  %y = call @net(%d1) : (tensor<?x2xf32>) -> tensor<?x3xf32>
  %yu = tensor.cast %y : tensor<?x3xf32> to tensor<*xf32>
  call @printMemrefF32(%yu) : (tensor<*xf32>) -> ()
  return
}

// identity
// CHECK: [{{\[}}-2,-0.5,0,0.5,2]]
// sigmoid
// CHECK: [{{\[}}0.119203,0.377541,0.5,0.622459,0.880797]]
// tanh
// CHECK: [{{\[}}-0.964028,-0.462117,0,0.462117,0.964028]]
// relu
// CHECK: [{{\[}}0,0,0,0.5,2]]
// leaky_relu
// CHECK: [{{\[}}-0.6,-0.15,0,0.5,2]]
// rrelu
// CHECK: [{{\[}}-0.5,-0.125,0,0.5,2]]
// elu
// CHECK: [{{\[}}-0.864665,-0.393469,0,0.5,2]]
// selu
// CHECK: [{{\[}}-1.52017,-0.691758,0,0.525351,2.1014]]
// gelu
// CHECK: [{{\[}}-0.0455003,-0.154269,0,0.345731,1.9545]]
// swish
// CHECK: [{{\[}}-0.238406,-0.18877,0,0.31123,1.76159]]
// softmax
// CHECK: [{{\[}}0.0125547,0.0562663,0.0927674,0.152948,0.685464]]
// prelu, slopes [0.1 .. 0.5]
// CHECK: [{{\[}}-0.2,-0.1,0,0.5,2]]
// batch_norm
// CHECK: [{{\[}}-1.5,0,0.5,1,2.5]]
// normalize
// CHECK: [{{\[}}-6,-3,-2,-1,2]]
// flatten
// CHECK: [{{\[}}1,2,3,4]]
// dense + elu + softmax
// CHECK: [{{\[}}0.995965,0.00216321,0.00187169],
// CHECK-NEXT: [0.343148,0.565755,0.0910979]]
