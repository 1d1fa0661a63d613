// Weight rounding end to end: nn-to-llvm with quantize=f16 and bf16 through
// the vector kernels (512 and 256 bits) and the reference lowering, against
// f32. y = [1, 1]·W with W's columns [0.1, 0] and
// [1 + 3·2^-11, 0]: f16 stores 0.1 as 0.0999755859375 and 1 + 3·2^-11 as
// 1 + 2^-9 (the tie goes to even); bf16 stores 0.10009765625 and 1.
// printMemrefF32 prints 6 significant digits.
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=512" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s --check-prefix=F32
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=512 quantize=f16" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s --check-prefix=F16
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=0 quantize=f16" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s --check-prefix=F16
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=256 quantize=bf16" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s --check-prefix=BF16
// RUN: kiln-opt %s --nn-to-llvm="vector-bits=0 quantize=bf16" | mlir-cpu-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils | tr -d ' ' | FileCheck %s --check-prefix=BF16
// F32: {{\[}}[0.1,1.00146]]
// F16: {{\[}}[0.0999756,1.00195]]
// BF16: {{\[}}[0.100098,1]]

func.func private @printMemrefF32(tensor<*xf32>)

func.func @main() {
  %c = arith.constant dense<[[1.0, 1.0]]> : tensor<1x2xf32>
  %x = tensor.cast %c : tensor<1x2xf32> to tensor<?x2xf32>
  %w = arith.constant dense<[[0.1, 1.00146484375], [0.0, 0.0]]> : tensor<2x2xf32>
  %y = nn.dense %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %u = tensor.cast %y : tensor<?x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
