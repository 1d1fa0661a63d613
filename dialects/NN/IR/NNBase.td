//===- NNBase.td - The nn dialect and shared constraints ---*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The `nn` dialect models a trained dense network at the level of its layers:
// one op per layer, weights as operands (constants after import). It sits
// above linalg so that layer-level rewrites (BatchNorm folding, activation
// fusion, quantization) see whole layers before lowering.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECTS_NN_IR_NNBASE_TD
#define KILN_DIALECTS_NN_IR_NNBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::mlir::nn";
  let summary = "Layers of trained dense neural networks";
  let description = [{
    Ops for the layers of a dense network in inference form: `nn.dense`
    (with a fusable activation epilogue), `nn.batch_norm`, `nn.activation`,
    `nn.dropout` (kept for Monte-Carlo sampling), `nn.flatten` and
    `nn.normalize` (input standardization). Tensors are ranked; the leading
    batch dimension may be dynamic, feature dimensions are static.
  }];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    /// Adds the attributes; defined in NNAttrs.cpp, where their storage
    /// classes are complete.
    void registerAttributes();
  }];
}

/// Base class of every nn op.
class NN_Op<string mnemonic, list<Trait> traits = []> :
    Op<NN_Dialect, mnemonic, traits>;

/// Element types of activations and float weights. Quantized forms will use
/// the upstream quant dialect's types.
def NN_Float : AnyTypeOf<[F32, F16, BF16]>;
def NN_Tensor : RankedTensorOf<[F32, F16, BF16]>;
def NN_Tensor1D : 1DTensorOf<[F32, F16, BF16]>;
def NN_Tensor2D : 2DTensorOf<[F32, F16, BF16]>;

#endif // KILN_DIALECTS_NN_IR_NNBASE_TD
