//===- Passes.td - Kiln's conversion passes ----------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_CONVERSION_PASSES_TD
#define KILN_COMPILER_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertNNToLinalgPass : Pass<"convert-nn-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower nn ops to linalg on tensors";
  let description = [{
    The reference lowering: `nn.dense` becomes `linalg.matmul` into a zero
    fill plus one `linalg.generic` epilogue (bias + activation);
    `nn.batch_norm`, `nn.normalize` and elementwise `nn.activation` become
    one `linalg.generic` each; softmax becomes max-reduce, exp, sum-reduce
    and divide (subtracting the row maximum keeps exp from overflowing);
    `nn.flatten` becomes `tensor.collapse_shape`. Activations use the math
    dialect (erf for exact GELU, expm1 for ELU/SELU accuracy near 0).

    `nn.dropout` is rejected with a diagnostic: deterministic pipelines run
    `nn-strip-dropout` first, and the Monte-Carlo lowering is separate.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // KILN_COMPILER_CONVERSION_PASSES_TD
