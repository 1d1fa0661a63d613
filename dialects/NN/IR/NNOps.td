//===- NNOps.td - nn dialect operations --------------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// One op per layer kind of the .kiln format. Every op is in inference form;
// the importer materializes weights as constants. Shapes: [batch, features]
// with a possibly dynamic batch, except flatten/normalize which also accept
// multi-dimensional examples.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECTS_NN_IR_NNOPS_TD
#define KILN_DIALECTS_NN_IR_NNOPS_TD

include "dialects/NN/IR/NNAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

/// The random state Monte-Carlo dropout draws from. Giving nn.dropout an
/// effect on it keeps CSE from merging two samples and DCE from dropping one.
def NN_RandomStateResource : Resource<"::mlir::nn::RandomStateResource">;

//===----------------------------------------------------------------------===//
// nn.dense
//===----------------------------------------------------------------------===//

def NN_DenseOp : NN_Op<"dense", [Pure, AttrSizedOperandSegments]> {
  let summary = "Fully connected layer with an optional fused activation";
  let description = [{
    `output = activation(input · weight + bias)`, with `weight` in the Keras
    layout `[inputs, units]`: row i holds input i's weights to every unit, so
    the units are contiguous. Without an `activation` attribute the layer is
    linear (the unfused form); `nn-fuse-activations` moves a following
    activation into this attribute. PReLU's per-unit slopes are the `slope`
    operand, present exactly when the activation is prelu. An f32 layer may
    store its weight in f16 or bf16 (`nn-quantize`): the weights are
    widened to f32, exactly, and everything else stays f32.

    ```mlir
    %y = nn.dense %x, %w, %b {activation = #nn.activation<elu, alpha = 1.000000e+00>}
        : (tensor<?x784xf32>, tensor<784x300xf32>, tensor<300xf32>) -> tensor<?x300xf32>
    %z = nn.dense %y, %w2 slope %s {activation = #nn.activation<prelu>}
        : (tensor<?x300xf32>, tensor<300x100xf32>, tensor<100xf32>) -> tensor<?x100xf32>
    ```
  }];
  let arguments = (ins NN_Tensor2D:$input, NN_Tensor2D:$weight,
                       Optional<NN_Tensor1D>:$bias,
                       Optional<NN_Tensor1D>:$slope,
                       OptionalAttr<NN_ActivationAttr>:$activation);
  let results = (outs NN_Tensor2D:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? (`slope` $slope^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The activation kind; identity when the attribute is absent.
    ActivationKind getActivationKind();
  }];
}

//===----------------------------------------------------------------------===//
// nn.batch_norm
//===----------------------------------------------------------------------===//

def NN_BatchNormOp : NN_Op<"batch_norm",
    [Pure, AllTypesMatch<["input", "output"]>,
     AllTypesMatch<["gamma", "beta", "mean", "variance"]>]> {
  let summary = "Batch normalization in inference form";
  let description = [{
    Normalizes the last axis with the moving statistics:
    `output = gamma · (input − mean) / sqrt(variance + epsilon) + beta`.
    `nn-fold-batch-norm` folds it into an adjacent `nn.dense`.

    ```mlir
    %y = nn.batch_norm %x, %gamma, %beta, %mean, %var {epsilon = 1.000000e-03 : f32}
        : tensor<?x300xf32>, tensor<300xf32> -> tensor<?x300xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, NN_Tensor1D:$gamma, NN_Tensor1D:$beta,
                       NN_Tensor1D:$mean, NN_Tensor1D:$variance,
                       DefaultValuedAttr<F32Attr, "1.0e-3">:$epsilon);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta `,` $mean `,` $variance attr-dict `:`
    type($input) `,` type($gamma) `->` type($output)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// nn.activation
//===----------------------------------------------------------------------===//

def NN_ActivationOp : NN_Op<"activation",
    [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "Activation function as its own layer";
  let description = [{
    Applies `activation` to `input` (softmax: over the last axis). PReLU takes
    its slopes, one per element of the last axis, as the `slope` operand.

    ```mlir
    %y = nn.activation %x {activation = #nn.activation<relu>} : tensor<?x100xf32>
    %z = nn.activation %x slope %s {activation = #nn.activation<prelu>}
        : tensor<?x100xf32>, tensor<100xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, Optional<NN_Tensor1D>:$slope,
                       NN_ActivationAttr:$activation);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $input (`slope` $slope^)? attr-dict `:` type($input) (`,` type($slope)^)?
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// nn.dropout
//===----------------------------------------------------------------------===//

def NN_DropoutOp : NN_Op<"dropout",
    [AllTypesMatch<["input", "output"]>,
     MemoryEffects<[MemRead<NN_RandomStateResource>,
                    MemWrite<NN_RandomStateResource>]>]> {
  let summary = "Dropout, kept for Monte-Carlo sampling";
  let description = [{
    The identity in deterministic inference (`nn-strip-dropout` removes it).
    Kept, it samples a mask: `standard` keeps each element with probability
    1 − rate and scales kept ones by 1/(1 − rate); `alpha` is the SELU paper's
    alpha dropout. It is deliberately not `Pure`: it reads and writes the
    random state, so CSE never merges two samples and DCE never drops one.
    `stream` is the layer's random stream (its 1-based position in the
    model, as in the trainer), which `nn-monte-carlo` hands to the
    `nn.mc_dropout` it becomes.

    ```mlir
    %y = nn.dropout %x {kind = #nn.dropout_kind<standard>, rate = 2.000000e-01 : f32, stream = 3 : ui32}
        : tensor<?x300xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, F32Attr:$rate,
                       DefaultValuedAttr<NN_DropoutKindAttr,
                                         "::mlir::nn::DropoutKind::standard">:$kind,
                       DefaultValuedAttr<UI32Attr, "0">:$stream);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// nn.mc_dropout
//===----------------------------------------------------------------------===//

def NN_McDropoutOp : NN_Op<"mc_dropout",
    [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "Dropout with an explicit Monte-Carlo sample";
  let description = [{
    Monte-Carlo passes of a dropout layer, samples stacked along the batch
    (the input's rows are a multiple of rows_per_sample): row r belongs to
    sample s = sample + r / rows_per_sample.
    Unit u
    (the last axes, flattened) of sample s is kept iff
    kiln_rng_u16_at(seed, stream, s, u)·2^-16 >= rate, the same for every
    row of that sample: 16 bits of the runtime's Philox4x32-10 at those
    coordinates, as the trainer's `predictMc` draws. Kept elements are scaled as in training
    (`standard`: 1/(1 − rate); `alpha`: a·x + b, dropped ones a·α' + b).
    A pure function of its operands, so passes may hoist, CSE or sink it.

    ```mlir
    %y = nn.mc_dropout %x, %seed, %sample, %rows {rate = 2.000000e-01 : f32, stream = 3 : ui32}
        : tensor<?x300xf32>, i64, i32
    ```
  }];
  let arguments = (ins NN_Tensor:$input, I64:$seed, I32:$sample,
                       Index:$rows_per_sample, F32Attr:$rate,
                       DefaultValuedAttr<NN_DropoutKindAttr,
                                         "::mlir::nn::DropoutKind::standard">:$kind,
                       DefaultValuedAttr<UI32Attr, "0">:$stream);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $seed `,` $sample `,` $rows_per_sample attr-dict `:`
    type($input) `,` type($seed) `,` type($sample)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// nn.mc_dropout_stack
//===----------------------------------------------------------------------===//

def NN_McDropoutStackOp : NN_Op<"mc_dropout_stack", [Pure]> {
  let summary = "Monte-Carlo samples of a dropout of one shared input";
  let description = [{
    `count` samples of `nn.mc_dropout` applied to the same input, stacked
    along the batch: with B input rows, output rows [j·B, (j+1)·B) are
    sample `sample + j` of the input (the masks, scaling, rate, kind and
    stream of `nn.mc_dropout`).

    `nn-monte-carlo` makes the first dropout of a Monte-Carlo function this
    op: its input, the output of the layers before it, is the same in every
    sample. A Dense that is its only user (rank-2 input, rate at most 0.5,
    constant weights) is computed by `convert-nn-to-vector` without
    stacking anything: the input's product with the weights is computed
    once, and each sample subtracts the terms of the units it drops (a
    fifth of the layer's multiply-adds at rate 0.2). Otherwise (and in the
    reference lowering) the samples are stacked.

    ```mlir
    %y = nn.mc_dropout_stack %h, %seed, %sample, %count {rate = 2.000000e-01 : f32, stream = 1 : ui32}
        : (tensor<?x300xf32>, i64, i32, index) -> tensor<?x300xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, I64:$seed, I32:$sample,
                       Index:$count, F32Attr:$rate,
                       DefaultValuedAttr<NN_DropoutKindAttr,
                                         "::mlir::nn::DropoutKind::standard">:$kind,
                       DefaultValuedAttr<UI32Attr, "0">:$stream);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $seed `,` $sample `,` $count attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// nn.flatten
//===----------------------------------------------------------------------===//

def NN_FlattenOp : NN_Op<"flatten", [Pure]> {
  let summary = "Collapses every feature dimension into one";
  let description = [{
    `[batch, d1, ..., dn] -> [batch, d1·...·dn]`, row-major.

    ```mlir
    %y = nn.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input);
  let results = (outs NN_Tensor2D:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// nn.normalize
//===----------------------------------------------------------------------===//

def NN_NormalizeOp : NN_Op<"normalize",
    [Pure, AllTypesMatch<["input", "output"]>, AllTypesMatch<["mean", "std"]>]> {
  let summary = "Per-feature input standardization";
  let description = [{
    `output = (input − mean) / std`, where `mean` and `std` have the shape of
    one example (the input without its batch dimension). The importer emits
    it first when the model file stores input normalization.

    ```mlir
    %y = nn.normalize %x, %mean, %std : tensor<?x784xf32>, tensor<784xf32> -> tensor<?x784xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, NN_Tensor:$mean, NN_Tensor:$std);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $mean `,` $std attr-dict `:` type($input) `,` type($mean) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

#endif // KILN_DIALECTS_NN_IR_NNOPS_TD
