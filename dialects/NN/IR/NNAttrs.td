//===- NNAttrs.td - nn dialect attributes and enums --------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECTS_NN_IR_NNATTRS_TD
#define KILN_DIALECTS_NN_IR_NNATTRS_TD

include "dialects/NN/IR/NNBase.td"

def NN_ActivationKind : I32EnumAttr<"ActivationKind", "activation function", [
    I32EnumAttrCase<"identity", 0>,
    I32EnumAttrCase<"sigmoid", 1>,
    I32EnumAttrCase<"tanh", 2>,
    I32EnumAttrCase<"relu", 3>,
    I32EnumAttrCase<"leaky_relu", 4>,
    I32EnumAttrCase<"prelu", 5>,
    I32EnumAttrCase<"rrelu", 6>,
    I32EnumAttrCase<"elu", 7>,
    I32EnumAttrCase<"selu", 8>,
    I32EnumAttrCase<"softmax", 9>,
    I32EnumAttrCase<"gelu", 10>,
    I32EnumAttrCase<"swish", 11>]> {
  let cppNamespace = "::mlir::nn";
  let genSpecializedAttr = 0;
}

def NN_DropoutKind : I32EnumAttr<"DropoutKind", "dropout variant", [
    I32EnumAttrCase<"standard", 0>,
    I32EnumAttrCase<"alpha", 1>]> {
  let cppNamespace = "::mlir::nn";
  let genSpecializedAttr = 0;
}

def NN_DropoutKindAttr : EnumAttr<NN_Dialect, NN_DropoutKind, "dropout_kind"> {
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// #nn.activation
//===----------------------------------------------------------------------===//

def NN_ActivationAttr : AttrDef<NN_Dialect, "Activation"> {
  let mnemonic = "activation";
  let summary = "An activation function and its parameters";
  let description = [{
    The function a Dense layer applies in its epilogue, or an `nn.activation`
    op applies on its own. Parameters by kind (all f32, all finite):

    | kind       | parameters                    | function                               |
    |------------|-------------------------------|----------------------------------------|
    | leaky_relu | alpha >= 0                    | x > 0 ? x : alpha·x                    |
    | rrelu      | 0 <= lower <= upper <= 1      | inference: leaky_relu((lower+upper)/2) |
    | elu        | alpha > 0                     | x > 0 ? x : alpha·(eˣ − 1)             |
    | selu       | scale > 0, alpha > 0          | scale · elu_alpha(x)                   |
    | prelu      | (slope operand, one per unit) | x > 0 ? x : slope·x                    |
    | softmax    |                               | over the last axis                     |
    | gelu       |                               | x·Φ(x), exact erf form                 |
    | swish      |                               | x·σ(x)                                 |

    identity, sigmoid, tanh and relu take no parameters.

    ```mlir
    #nn.activation<relu>
    #nn.activation<leaky_relu, alpha = 3.000000e-01>
    #nn.activation<selu, scale = 1.050701e+00, alpha = 1.673263e+00>
    #nn.activation<rrelu, lower = 1.250000e-01, upper = 3.333333e-01>
    ```
  }];
  // FloatAttr parameters hash and compare exactly (plain float/double
  // parameters have no llvm::hash_value); absent = null.
  let parameters = (ins
    "::mlir::nn::ActivationKind":$kind,
    OptionalParameter<"::mlir::FloatAttr">:$alpha,
    OptionalParameter<"::mlir::FloatAttr">:$scale,
    OptionalParameter<"::mlir::FloatAttr">:$lower,
    OptionalParameter<"::mlir::FloatAttr">:$upper
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "::mlir::nn::ActivationKind":$kind,
                     CArg<"std::optional<double>", "std::nullopt">:$alpha,
                     CArg<"std::optional<double>", "std::nullopt">:$scale,
                     CArg<"std::optional<double>", "std::nullopt">:$lower,
                     CArg<"std::optional<double>", "std::nullopt">:$upper)>
  ];
  let skipDefaultBuilders = 1;
  let extraClassDeclaration = [{
    /// The parameter values as doubles (nullopt when absent).
    std::optional<double> getAlphaValue() const;
    std::optional<double> getScaleValue() const;
    std::optional<double> getLowerValue() const;
    std::optional<double> getUpperValue() const;
    /// True for the identity function (an unfused Dense).
    bool isIdentity() const { return getKind() == ActivationKind::identity; }
    /// True if the function acts on each element alone (all but softmax).
    bool isElementwise() const { return getKind() != ActivationKind::softmax; }
  }];
}

#endif // KILN_DIALECTS_NN_IR_NNATTRS_TD
