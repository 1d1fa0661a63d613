// ELU's expm1 (compiler/Utils/NNMath.cpp) against libm's expm1 in double,
// rounded to f32, at 20,000 points x_i = -20·(i/N)³ from -20 to -2.5e-12
// (denser near 0, where expm1 must not cancel), in ulps of the f32
// result: the largest difference of their bit patterns. Through the vector
// kernel (a Dense with one input and 16 outputs of weight 1, ELU fused:
// every output is ELU(x_i)) and through the reference lowering (an
// Activation layer), at 512 bits and in the reference lowering. The bound
// is 1: within 0.87 ulp of the exact value, the result is the correctly
// rounded one or its neighbour. The check is exact, the measured 1, so it
// also flags a change of the approximation (a better one prints 0: update
// the check then). libm is called directly: the pipeline approximates
// math.expm1 itself.
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=512" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | FileCheck %s
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=0" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | FileCheck %s
// CHECK: {{^}}dense: 1{{$}}
// CHECK-NEXT: {{^}}activation: 1{{$}}

func.func private @expm1(f64) -> f64
func.func private @printString(!llvm.ptr)

llvm.mlir.global internal constant @dense_label("dense: \00")
llvm.mlir.global internal constant @activation_label("activation: \00")

// The largest |bits(elu[i, 0]) − bits(f32(expm1(x_i)))| over i.
func.func @maxUlps(%x: tensor<?x1xf32>, %elu: tensor<?x?xf32>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?x1xf32>
  %zero = arith.constant 0 : i32
  %max = scf.for %i = %c0 to %n step %c1 iter_args(%m = %zero) -> (i32) {
    %xv = tensor.extract %x[%i, %c0] : tensor<?x1xf32>
    %got = tensor.extract %elu[%i, %c0] : tensor<?x?xf32>
    %xd = arith.extf %xv : f32 to f64
    %rd = func.call @expm1(%xd) : (f64) -> f64
    %ref = arith.truncf %rd : f64 to f32
    %gb = arith.bitcast %got : f32 to i32
    %rb = arith.bitcast %ref : f32 to i32
    %d = arith.subi %gb, %rb : i32
    %a = math.absi %d : i32
    %mm = arith.maxsi %m, %a : i32
    scf.yield %mm : i32
  }
  return %max : i32
}

func.func @main() {
  %nf = arith.constant 20000.0 : f32
  %scale = arith.constant -20.0 : f32
  %x0 = tensor.generate {
  ^bb0(%r: index, %c: index):
    %one = arith.constant 1 : index
    %i = arith.addi %r, %one : index
    %ii = arith.index_cast %i : index to i32
    %f = arith.uitofp %ii : i32 to f32
    %t = arith.divf %f, %nf : f32
    %t2 = arith.mulf %t, %t : f32
    %t3 = arith.mulf %t2, %t : f32
    %v = arith.mulf %t3, %scale : f32
    tensor.yield %v : f32
  } : tensor<20000x1xf32>
  %x = tensor.cast %x0 : tensor<20000x1xf32> to tensor<?x1xf32>
  %w = arith.constant dense<1.0> : tensor<1x16xf32>
  %d = nn.dense %x, %w {activation = #nn.activation<elu, alpha = 1.0>} : (tensor<?x1xf32>, tensor<1x16xf32>) -> tensor<?x16xf32>
  %a = nn.activation %x {activation = #nn.activation<elu, alpha = 1.0>} : tensor<?x1xf32>
  %dd = tensor.cast %d : tensor<?x16xf32> to tensor<?x?xf32>
  %ad = tensor.cast %a : tensor<?x1xf32> to tensor<?x?xf32>
  %md = func.call @maxUlps(%x, %dd) : (tensor<?x1xf32>, tensor<?x?xf32>) -> i32
  %ma = func.call @maxUlps(%x, %ad) : (tensor<?x1xf32>, tensor<?x?xf32>) -> i32
  %l1 = llvm.mlir.addressof @dense_label : !llvm.ptr
  func.call @printString(%l1) : (!llvm.ptr) -> ()
  vector.print %md : i32
  %l2 = llvm.mlir.addressof @activation_label : !llvm.ptr
  func.call @printString(%l2) : (!llvm.ptr) -> ()
  vector.print %ma : i32
  return
}
