// RUN: kiln-opt %s --pass-pipeline="builtin.module(func.func(kiln-approximate-math))" | FileCheck %s
// Executed: values against the exact ones rounded to the 6 digits
// printMemrefF32 prints (Python: math.expm1, math.tanh, math.erf, math.exp
// in double; expm1(1e-5) = 1.0000050e-05 is 1e-05 at that precision).
// RUN: kiln-opt %s --pass-pipeline="builtin.module(func.func(kiln-approximate-math),convert-vector-to-scf,convert-scf-to-cf,expand-strided-metadata,lower-affine,convert-math-to-llvm,convert-vector-to-llvm,convert-arith-to-llvm,finalize-memref-to-llvm,convert-func-to-llvm,convert-cf-to-llvm,reconcile-unrealized-casts)" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | FileCheck %s --check-prefix=EXEC

// Scalars and vectors alike: no math op is left for libm.
// CHECK-LABEL: func @approximated
// CHECK-NOT: math.expm1
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK-NOT: math.exp
// CHECK: return
func.func @approximated(%x: f32, %v: vector<16xf32>) -> (f32, f32, f32, f32, vector<16xf32>, vector<16xf32>) {
  %0 = math.expm1 %x : f32
  %1 = math.tanh %x : f32
  %2 = math.erf %x : f32
  %3 = math.exp %x : f32
  %4 = math.expm1 %v : vector<16xf32>
  %5 = math.erf %v : vector<16xf32>
  return %0, %1, %2, %3, %4, %5 : f32, f32, f32, f32, vector<16xf32>, vector<16xf32>
}

func.func private @printMemrefF32(memref<*xf32>)

// expm1 near 0 keeps its relative accuracy: exp(x) - 1 in f32 would print
// -0.000100017 for x = -1e-4 (f32 exp(-1e-4) = 0.99989998) instead of
// -9.9995e-05.
// EXEC-LABEL: data =
// EXEC-NEXT: [-9.9995e-05,  -0.393469,  1.71828,  -0.999955,  0.197375,  -0.995055,  0.842701,  -0.0112834,  2.71828,  4.53999e-05,  1e-05,  -2.5e-07]
func.func @main() {
  %in = arith.constant dense<[-1.0e-4, -0.5, 1.0, -10.0, 0.2, -3.0, 1.0, -0.01, 1.0, -10.0, 1.0e-5, -2.5e-7]> : vector<12xf32>
  %e = vector.extract_strided_slice %in {offsets = [0], sizes = [4], strides = [1]} : vector<12xf32> to vector<4xf32>
  %t = vector.extract_strided_slice %in {offsets = [4], sizes = [2], strides = [1]} : vector<12xf32> to vector<2xf32>
  %r = vector.extract_strided_slice %in {offsets = [6], sizes = [2], strides = [1]} : vector<12xf32> to vector<2xf32>
  %x = vector.extract_strided_slice %in {offsets = [8], sizes = [2], strides = [1]} : vector<12xf32> to vector<2xf32>
  %s = vector.extract_strided_slice %in {offsets = [10], sizes = [2], strides = [1]} : vector<12xf32> to vector<2xf32>
  %e1 = math.expm1 %e : vector<4xf32>
  %t1 = math.tanh %t : vector<2xf32>
  %r1 = math.erf %r : vector<2xf32>
  %x1 = math.exp %x : vector<2xf32>
  %s1 = math.expm1 %s : vector<2xf32>
  %buf = memref.alloca() : memref<12xf32>
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c6 = arith.constant 6 : index
  %c8 = arith.constant 8 : index
  %c10 = arith.constant 10 : index
  vector.store %e1, %buf[%c0] : memref<12xf32>, vector<4xf32>
  vector.store %t1, %buf[%c4] : memref<12xf32>, vector<2xf32>
  vector.store %r1, %buf[%c6] : memref<12xf32>, vector<2xf32>
  vector.store %x1, %buf[%c8] : memref<12xf32>, vector<2xf32>
  vector.store %s1, %buf[%c10] : memref<12xf32>, vector<2xf32>
  %u = memref.cast %buf : memref<12xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
