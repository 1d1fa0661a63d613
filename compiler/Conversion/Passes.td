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
    It is the last lowering that shares functions by key
    (`kiln.function_key`, see compiler/Utils/Functions.h), and drops the
    keys at its end.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    // Softmax rows of up to 64 classes (compiler/Utils/NNMath.cpp).
    "::mlir::vector::VectorDialect",
  ];
}

def ConvertNNToVectorPass : Pass<"convert-nn-to-vector", "::mlir::ModuleOp"> {
  let summary = "Lower nn.dense with constant weights to packed-weight "
                "vector kernels";
  let description = [{
    The fast Dense lowering. Weights are compile-time constants, so they are
    repacked here, once, into the order the inner loop streams: the units
    are cut into panels of up to `panel-vectors` vectors of `vector-bits`
    bits, and each panel is stored k-major (row k of a panel is one
    contiguous run of its units' weights, without padding).
    Each panel is then computed by a register-blocked micro-kernel written
    in the vector dialect: a tile of `rows` batch rows × the panel's vectors
    of accumulators, updated per input k by one broadcast of x[row, k] and
    one `vector.fma` per accumulator, so every weight vector loaded is used
    `rows` times and the FMAs of one k are independent. The last tile may
    be partial; two leftover rows take an exact 2-row tile, with 6-row
    tiles 3 or 4 leftover rows take one 4-row tile instead of a partial
    6-row one, and a lone leftover row (batch 1 among them) goes through a
    one-row kernel whose panel vectors are still independent accumulators.
    Bias and a cheap activation (PReLU's slopes packed like the bias) are
    applied to the accumulators before the single store of each output
    vector; a polynomial activation (ELU, SELU, sigmoid, tanh, GELU, swish)
    then runs over each panel's stored outputs, inlined once per panel
    width. Only the last vector of the last panel is masked. Softmax follows
    as linalg.

    A Dense that is the only user of an `nn.mc_dropout_stack` (rate at most
    0.5) is
    not computed on the stacked input: its input's product with the weights
    is computed once where that input is defined, summed in f64 and rounded
    once, and a kernel per call loops over the samples, lists each
    sample's dropped units (compressing stores of the Philox decisions with
    AVX-512, lane by lane elsewhere) and
    runs the same tiles over those units only, subtracting their terms
    from the shared product (the algebra is in NNToVector.cpp).

    Dense ops whose weights, bias or slopes are not constants are left for
    `convert-nn-to-linalg`, which lowers every remaining nn op.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "unsigned", /*default=*/"256",
           "Vector register width in bits (128, 256 or 512)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

#endif // KILN_COMPILER_CONVERSION_PASSES_TD
