// Softmax rows executed through the whole pipeline, against its closed form:
// for logits log(i + 1), i < n, softmax_i = (i + 1) / (n(n + 1)/2); for equal
// logits, 1/n. 33 classes take the one-vector row path (up to 64), 100 the
// per-row generics. Prints the largest absolute error per width.
// RUN: kiln-opt %s --nn-to-llvm | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | FileCheck %s
// CHECK-COUNT-2: {{\[}}{{0|[0-9](\.[0-9]+)?e-0[89]}}]

func.func private @printMemrefF32(tensor<*xf32>)

#rows = affine_map<(r, i) -> (r, i)>
#all = affine_map<(r, i) -> ()>

func.func @maxError(%n: index, %y: tensor<2x?xf32>) {
  %c1 = arith.constant 1 : index
  %nf = arith.index_cast %n : index to i64
  %nff = arith.uitofp %nf : i64 to f32
  %one = arith.constant 1.0 : f32
  %two = arith.constant 2.0 : f32
  %np1 = arith.addf %nff, %one : f32
  %prod = arith.mulf %nff, %np1 : f32
  %sum = arith.divf %prod, %two : f32
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<f32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<f32>) -> tensor<f32>
  %err = linalg.generic {indexing_maps = [#rows, #all], iterator_types = ["reduction", "reduction"]}
      ins(%y : tensor<2x?xf32>) outs(%acc : tensor<f32>) {
  ^bb0(%v: f32, %m: f32):
    %r = linalg.index 0 : index
    %i = linalg.index 1 : index
    %i64 = arith.index_cast %i : index to i64
    %if = arith.uitofp %i64 : i64 to f32
    %ip1 = arith.addf %if, %one : f32
    %ramp = arith.divf %ip1, %sum : f32
    %flat = arith.divf %one, %nff : f32
    %isRamp = arith.cmpi ne, %r, %c1 : index
    %want = arith.select %isRamp, %ramp, %flat : f32
    %d = arith.subf %v, %want : f32
    %a = math.absf %d : f32
    %mx = arith.maximumf %a, %m : f32
    linalg.yield %mx : f32
  } -> tensor<f32>
  %e1 = tensor.expand_shape %err [] output_shape [1] : tensor<f32> into tensor<1xf32>
  %u = tensor.cast %e1 : tensor<1xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

// Row 0: log(i + 1); row 1: zeros.
func.func @logits(%n: index) -> tensor<2x?xf32> {
  %e = tensor.empty(%n) : tensor<2x?xf32>
  %one = arith.constant 1.0 : f32
  %zero = arith.constant 0.0 : f32
  %x = linalg.generic {indexing_maps = [#rows], iterator_types = ["parallel", "parallel"]}
      outs(%e : tensor<2x?xf32>) {
  ^bb0(%o: f32):
    %r = linalg.index 0 : index
    %i = linalg.index 1 : index
    %i64 = arith.index_cast %i : index to i64
    %if = arith.uitofp %i64 : i64 to f32
    %ip1 = arith.addf %if, %one : f32
    %l = math.log %ip1 : f32
    %c0 = arith.constant 0 : index
    %first = arith.cmpi eq, %r, %c0 : index
    %v = arith.select %first, %l, %zero : f32
    linalg.yield %v : f32
  } -> tensor<2x?xf32>
  return %x : tensor<2x?xf32>
}

func.func @main() {
  %c33 = arith.constant 33 : index
  %x33 = call @logits(%c33) : (index) -> tensor<2x?xf32>
  %s33 = tensor.cast %x33 : tensor<2x?xf32> to tensor<2x33xf32>
  %d33 = tensor.cast %s33 : tensor<2x33xf32> to tensor<?x33xf32>
  %y33 = nn.activation %d33 {activation = #nn.activation<softmax>} : tensor<?x33xf32>
  %b33 = tensor.cast %y33 : tensor<?x33xf32> to tensor<2x?xf32>
  call @maxError(%c33, %b33) : (index, tensor<2x?xf32>) -> ()

  %c100 = arith.constant 100 : index
  %x100 = call @logits(%c100) : (index) -> tensor<2x?xf32>
  %s100 = tensor.cast %x100 : tensor<2x?xf32> to tensor<2x100xf32>
  %d100 = tensor.cast %s100 : tensor<2x100xf32> to tensor<?x100xf32>
  %y100 = nn.activation %d100 {activation = #nn.activation<softmax>} : tensor<?x100xf32>
  %b100 = tensor.cast %y100 : tensor<?x100xf32> to tensor<2x?xf32>
  call @maxError(%c100, %b100) : (index, tensor<2x?xf32>) -> ()
  return
}
