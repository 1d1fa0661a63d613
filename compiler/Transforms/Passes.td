//===- Passes.td - Kiln's nn-level passes ------------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_TRANSFORMS_PASSES_TD
#define KILN_COMPILER_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def FoldBatchNormPass : Pass<"nn-fold-batch-norm", "::mlir::func::FuncOp"> {
  let summary = "Fold inference BatchNorm and input normalization into the "
                "adjacent Dense layer";
  let description = [{
    With s = γ/√(σ²+ε), inference BatchNorm is the affine map
    y = x·s + (β − μ·s), per feature. Two placements fold:

    - after a Dense with no activation: BN(xW + b) = x·W' + b' with
      W' = W·diag(s) and b' = (b − μ)·s + β (b = 0 without bias);
    - before a Dense, nothing in between (the input BN of the book's models):
      Dense(x·s + t) = x·W' + b' with W' = diag(s)·W, b' = b + t·W,
      t = β − μ·s; the Dense's activation is kept.

    Input standardization `nn.normalize` ((x − μ)/σ, s = 1/σ, t = −μ/σ)
    folds into the Dense that reads it, directly or through `nn.flatten`,
    the same way. The folded Dense reads the raw input, so zero inputs stay
    zero (and the batch-1 kernel can skip them).

    It never folds across a nonlinearity or a dropout, and needs the weights
    and statistics as f32 constants. It changes the rounding of the result
    (by float32 reassociation), which is why it is a named pass and not a
    canonicalization; `kilnc --no-fold-bn` turns it off.

    A fold into the following Dense is made only when every feature has
    |μ| ≤ 16σ (σ = √(σ²+ε) for a BN): folded, x·s·W and t·W cancel where
    the mean is far from 0, and the rounding error grows with |μ|/σ (see
    FoldBatchNorm.cpp).

    With `precision` f16 or bf16 (the weight storage `nn-quantize` will
    round to), a fold whose weights would leave that type's normal range
    (overflow, or a normal weight made subnormal) is not made either: the
    BN or the standardization then runs at inference, and the unfolded
    weights are rounded. A standardized feature that was constant in
    training (std floored at 1e-7) scales its weights by 10^7. The bias of
    a fold into the following Dense is then computed from the weights as
    16 bits will hold them.
  }];
  let options = [
    Option<"precision", "precision", "::mlir::kiln::Precision",
           /*default=*/"::mlir::kiln::Precision::f32",
           "Weight storage precision the folded weights must fit",
           [{::mlir::kiln::getPrecisionValues()}]>,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def FuseActivationsPass : Pass<"nn-fuse-activations", "::mlir::func::FuncOp"> {
  let summary = "Move an activation into the preceding Dense's epilogue";
  let description = [{
    `nn.activation(nn.dense(x))`, where the Dense has no activation and its
    result has no other use, becomes one `nn.dense` carrying the activation
    (and PReLU's slopes), so code generation applies it to the accumulators
    before the store.
  }];
}

def StripDropoutPass : Pass<"nn-strip-dropout", "::mlir::func::FuncOp"> {
  let summary = "Remove dropout for deterministic inference";
  let description = [{
    Replaces every `nn.dropout` by its input: dropout is the identity at
    inference. Not run when compiling the Monte-Carlo entry point.
  }];
}

def QuantizePass : Pass<"nn-quantize", "::mlir::ModuleOp"> {
  let summary = "Store Dense weights in 16 bits (f16 or bf16), computing "
                "in f32";
  let description = [{
    Weight-only quantization, what TFLite calls float16 quantization: each
    f32 `nn.dense` weight constant is rounded, to nearest with ties to
    even, to `precision` (f16: 11 significant bits, largest 65504; bf16: 8
    significant bits, f32's range). The design's integer precisions (i16,
    i8 with calibrated activations) are not implemented yet. The kernels widen each weight back to
    f32 exactly, so the only change is the weight rounding,
    |w16 − w| ≤ 2^-11·|w| (f16 normal range) or 2^-8·|w| (bf16), and a
    layer's error is at most that times Σ|x·w|. Halving the weight bytes
    is what matters at small batches, where a Dense layer is a read of its
    weights: fmnist-mlp's 1.07 MB no longer fit a 1 MiB L2, 532 KB do.

    Bias, PReLU slopes, BatchNorm and activations stay f32; run it after
    `nn-fold-batch-norm`, so folded weights are rounded once. A weight
    beyond the range (65504 for f16; for bf16, f32's largest values that
    round up past its own) is an error naming the layer. It
    runs on the module so that a weight attribute shared by several
    functions (the Monte-Carlo entry points) gets one 16-bit copy.
  }];
  let options = [
    Option<"precision", "precision", "::mlir::kiln::Precision",
           /*default=*/"::mlir::kiln::Precision::f16",
           "Weight storage precision (none: no change)",
           [{::mlir::kiln::getPrecisionValues()}]>,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def ApproximateMathPass : Pass<"kiln-approximate-math", "::mlir::func::FuncOp"> {
  let summary = "Replace f32 exp, expm1, tanh and erf with branch-free "
                "polynomial approximations";
  let description = [{
    LLVM has no vector form of expm1, tanh or erf and lowers `math.exp` on a
    vector to one libm call per lane, so an ELU/SELU/GELU/tanh epilogue on a
    16-lane accumulator would cost 16 calls. Upstream's polynomial
    approximations (Cephes/Eigen-style range reduction, fused into the
    surrounding vector code, scalars too) replace them. Their accuracy
    against libm is checked by `test/Transforms/approximate-math-accuracy`;
    expm1 keeps its relative accuracy near 0 (it is not exp(x) − 1).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def AllocsToStackPass : Pass<"kiln-allocs-to-stack", "::mlir::ModuleOp"> {
  let summary = "Put every intermediate buffer on the stack, sharing space "
                "between buffers that are not live at once";
  let description = [{
    Runs after bufferization, under kilnc's calling convention: every
    function argument and intermediate buffer is [batch, ...], dynamic only
    in the batch. A call then makes no heap allocation (what embedded and
    real-time users of an AOT-compiled model require):

    - batch-shaped buffers are assigned to stack slots by their live ranges
      (allocation to last use of the buffer or of any view, reshape or loop
      result that may alias it), so a deep network ping-pongs between two or
      three slots instead of holding every layer's output; each slot is one
      64-byte-aligned i8 `memref.alloca` of batch × bytes per row (plus
      fixed bytes, for rows bounded as a·batch + b) and each buffer a
      `memref.view` of its slot;
    - statically shaped buffers become `memref.alloca`s of their own.

    Each function's stack need, its deepest callee's included (callees
    must need a fixed size), is recorded on the module as
    `kiln.stack_bytes` ({name = array<i64: per_row, fixed>}, alignment
    padding included): kilnc's entry point splits a batch into calls of at
    most (limit − fixed) / per_row rows and the generated header states the
    resulting bound. A buffer allocated inside a loop moves before it when
    its sizes are computed outside; otherwise its view stays in the loop,
    of a slot sized for the bound of its rows, a·batch + b, found through
    minui, select, addi, muli, divui by a constant, memref.dim and
    reshapes; n·m for a step count n = (m + c)/m (nn-monte-carlo's steps of
    at least c + 1 rows) is at most m + c when the three m are the same
    index. A buffer whose rows have no such bound, or one dynamic in a
    dimension other than the batch, is an error.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def OrderGlobalsPass : Pass<"kiln-order-globals", "::mlir::ModuleOp"> {
  let summary = "Name and place bufferization's constant globals by first "
                "use, so a compile is reproducible";
  let description = [{
    One-shot bufferization (MLIR 19) visits functions that call nothing in
    the iteration order of a map keyed by pointers, and names each constant
    global when it first meets it: two constants of one type (an input
    normalization's mean and std) could swap names and places from one run
    of kilnc to the next, and with them the bytes of the library. This pass
    renames the private constant globals named `__constant_*` to
    `__constant_0`, `__constant_1`, ... in the order of their first
    `memref.get_global` in the module (a deterministic walk), and moves them
    to the start of the module in that order; unused ones follow in their
    current order.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def MonteCarloPass : Pass<"nn-monte-carlo", "::mlir::ModuleOp"> {
  let summary = "Add a Monte-Carlo dropout function beside each model "
                "function that has dropout";
  let description = [{
    For each public function @F containing `nn.dropout`, adds
    `@F_mc_samples(%x, %seed: i64, %first: i32, %count: i32, %dest)
    -> dest`: samples s = first .. first + count − 1 of F's layers with
    dropout kept (same rate, kind and stream), sample s of example r
    written to
    dest[r, (s − first)·O .. (s − first + 1)·O) (O outputs per example,
    flattened). The runtime's MC driver (kiln/mc.h) calls it and reduces
    the samples (Welford, in double, as the trainer's predictMc). The
    layers before the first dropout do not depend on s: they run once per
    call, before the samples. One loop then steps through the samples,
    ⌈24/B⌉ at a time for a batch of B rows (the last step shorter; one at
    a time from 24 rows up), stacked along the batch by
    `nn.mc_dropout_stack` at the first dropout (row j·B + r is row r of
    sample first + start + j), so each later layer is one matrix product of
    at least 24 rows (but for the last, shorter step), and later dropouts
    become `nn.mc_dropout`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // KILN_COMPILER_TRANSFORMS_PASSES_TD
