//===- ModelImporter.cpp - .kiln model -> nn dialect ----------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// A straight walk over the layers: each becomes one nn op, so the IR mirrors
// the model file and every pass works on whole layers. Weights are stored as
// dense_resource blobs rather than dense<...> literals: a 784x300 kernel as
// text would be ~3 MB of decimal floats, as a blob it is its 941 KB of bytes
// and costs no parsing.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ModelImporter.h"

#include "compiler/InitAll.h"
#include "dialects/NN/IR/NNOps.h"
#include "schema/Model.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace mlir::nn;

namespace {

/// nn::ActivationKind has the same cases as the file format, in the same
/// order; this mapping keeps them independent anyway.
nn::ActivationKind toNN(::kiln::ActivationKind kind) {
  using K = ::kiln::ActivationKind;
  switch (kind) {
  case K::Identity:
    return nn::ActivationKind::identity;
  case K::Sigmoid:
    return nn::ActivationKind::sigmoid;
  case K::Tanh:
    return nn::ActivationKind::tanh;
  case K::Relu:
    return nn::ActivationKind::relu;
  case K::LeakyRelu:
    return nn::ActivationKind::leaky_relu;
  case K::PRelu:
    return nn::ActivationKind::prelu;
  case K::RRelu:
    return nn::ActivationKind::rrelu;
  case K::Elu:
    return nn::ActivationKind::elu;
  case K::Selu:
    return nn::ActivationKind::selu;
  case K::Softmax:
    return nn::ActivationKind::softmax;
  case K::Gelu:
    return nn::ActivationKind::gelu;
  case K::Swish:
    return nn::ActivationKind::swish;
  }
  llvm_unreachable("validated activation kind");
}

class Importer {
public:
  Importer(MLIRContext *context, StringRef sourceName)
      : builder(context),
        fileLoc(FileLineColLoc::get(context, sourceName, 0, 0)) {}

  FailureOr<OwningOpRef<ModuleOp>> run(const ::kiln::Model &model,
                                       StringRef functionName);

private:
  OpBuilder builder;
  Location fileLoc;
  /// Number of blobs so far; names them uniquely and readably.
  unsigned blobCount = 0;

  Location layerLoc(StringRef name) {
    return NameLoc::get(builder.getStringAttr(name), fileLoc);
  }

  /// An f32 constant holding `tensor`'s real values: f16/bf16 widened and
  /// integers dequantized (exactly as the trainer reads them).
  Value constant(const ::kiln::Tensor &tensor, Location loc);
  /// PReLU's slope constant, or a null Value for other activations.
  Value slope(const ::kiln::Activation &act, Location loc) {
    return act.preluAlpha ? constant(*act.preluAlpha, loc) : Value();
  }
  /// #nn.activation for a model activation.
  ActivationAttr activation(const ::kiln::Activation &act);
};

Value Importer::constant(const ::kiln::Tensor &tensor, Location loc) {
  // Every stored type becomes f32 here: 16-bit floats widen exactly and
  // integers dequantize with their channel's scale and zero point, the
  // values the trainer computes with. The library keeps f32 weights unless
  // kilnc --quantize asks for 16 bits, which rounds f16/bf16 weights back
  // to themselves exactly.
  // validateModel (importModel's first step) checked that the bytes hold
  // the shape's values.
  std::vector<float> values = tensor.realValues();
  assert(values.size() == static_cast<size_t>(tensor.numElements()) &&
         "validated tensor");
  auto type = RankedTensorType::get(tensor.shape, builder.getF32Type());
  AsmResourceBlob blob =
      HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<float>(values));
  // The key is a hint; the resource manager makes it unique.
  std::string key = "kiln_" + std::to_string(blobCount++);
  auto attr = DenseF32ResourceElementsAttr::get(type, key, std::move(blob));
  return builder.create<arith::ConstantOp>(loc, type, cast<TypedAttr>(attr))
      .getResult();
}

ActivationAttr Importer::activation(const ::kiln::Activation &act) {
  nn::ActivationKind kind = toNN(act.kind);
  MLIRContext *ctx = builder.getContext();
  switch (kind) {
  case nn::ActivationKind::leaky_relu:
  case nn::ActivationKind::elu:
    return ActivationAttr::get(ctx, kind, act.alpha);
  case nn::ActivationKind::selu:
    return ActivationAttr::get(ctx, kind, act.alpha, act.scale);
  case nn::ActivationKind::rrelu:
    return ActivationAttr::get(ctx, kind, std::nullopt, std::nullopt, act.lower,
                               act.upper);
  default:
    return ActivationAttr::get(ctx, kind);
  }
}

FailureOr<OwningOpRef<ModuleOp>> Importer::run(const ::kiln::Model &model,
                                               StringRef functionName) {
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  if (!model.name.empty())
    (*module)->setAttr("kiln.model_name", builder.getStringAttr(model.name));
  if (!model.classNames.empty())
    (*module)->setAttr("kiln.class_names",
                       builder.getStrArrayAttr(SmallVector<StringRef>(
                           model.classNames.begin(), model.classNames.end())));
  builder.setInsertionPointToEnd(module->getBody());

  std::vector<std::vector<int64_t>> shapes;
  if (::kiln::Status s = ::kiln::validateModel(model, {}, &shapes); !s.ok())
    return emitError(fileLoc) << s.message();

  Type f32 = builder.getF32Type();
  auto batched = [&](ArrayRef<int64_t> features) {
    SmallVector<int64_t> shape{ShapedType::kDynamic};
    shape.append(features.begin(), features.end());
    return RankedTensorType::get(shape, f32);
  };
  auto inputType = batched(model.inputShape);
  auto outputType = batched(shapes.back());
  auto func = builder.create<func::FuncOp>(
      fileLoc, functionName, builder.getFunctionType(inputType, outputType));
  builder.setInsertionPointToStart(func.addEntryBlock());
  Value x = func.getArgument(0);

  if (model.normalization) {
    Location loc = layerLoc("normalization");
    x = builder.create<NormalizeOp>(loc, inputType, x,
                                    constant(model.normalization->mean, loc),
                                    constant(model.normalization->std, loc));
  }

  for (size_t i = 0; i < model.layers.size(); ++i) {
    const ::kiln::Layer &layer = model.layers[i];
    Location loc = layerLoc(layer.name);
    RankedTensorType type = batched(shapes[i]);
    if (std::holds_alternative<::kiln::FlattenLayer>(layer.params)) {
      x = builder.create<FlattenOp>(loc, type, x);
    } else if (const auto *dense =
                   std::get_if<::kiln::DenseLayer>(&layer.params)) {
      Value w = constant(dense->kernel, loc);
      Value b = dense->bias ? constant(*dense->bias, loc) : Value();
      ActivationAttr act = activation(dense->activation);
      x = builder.create<DenseOp>(loc, type, x, w, b,
                                  slope(dense->activation, loc),
                                  act.isIdentity() ? ActivationAttr() : act);
    } else if (const auto *bn =
                   std::get_if<::kiln::BatchNormLayer>(&layer.params)) {
      x = builder.create<BatchNormOp>(
          loc, type, x, constant(bn->gamma, loc), constant(bn->beta, loc),
          constant(bn->movingMean, loc), constant(bn->movingVariance, loc),
          builder.getF32FloatAttr(bn->epsilon));
    } else if (const auto *act =
                   std::get_if<::kiln::ActivationLayer>(&layer.params)) {
      x = builder.create<ActivationOp>(loc, type, x,
                                       slope(act->activation, loc),
                                       activation(act->activation));
    } else if (const auto *drop =
                   std::get_if<::kiln::DropoutLayer>(&layer.params)) {
      auto kind = drop->kind == ::kiln::DropoutKind::Alpha
                      ? nn::DropoutKind::alpha
                      : nn::DropoutKind::standard;
      // Random stream = 1-based layer position, as the trainer numbers it.
      x = builder.create<DropoutOp>(
          loc, type, x, builder.getF32FloatAttr(drop->rate),
          DropoutKindAttr::get(builder.getContext(), kind),
          builder.getUI32IntegerAttr(uint32_t(i + 1)));
    }
  }
  builder.create<func::ReturnOp>(fileLoc, x);
  if (failed(module->verify()))
    return failure();
  return module;
}

} // namespace

FailureOr<OwningOpRef<ModuleOp>>
mlir::kiln::importModel(const ::kiln::Model &model, MLIRContext *context,
                        StringRef sourceName, StringRef functionName) {
  context->loadDialect<NNDialect, arith::ArithDialect, func::FuncDialect>();
  return Importer(context, sourceName).run(model, functionName);
}

FailureOr<OwningOpRef<ModuleOp>>
mlir::kiln::importModelBytes(StringRef bytes, MLIRContext *context,
                             StringRef sourceName) {
  ::kiln::Model model;
  if (::kiln::Status s = ::kiln::parseModel(bytes.data(), bytes.size(), model,
                                            sourceName.str());
      !s.ok())
    return emitError(FileLineColLoc::get(context, sourceName, 0, 0))
           << s.message();
  return importModel(model, context, sourceName);
}

void mlir::kiln::registerImportKilnTranslation() {
  static TranslateToMLIRRegistration registration(
      "import-kiln", "Import a .kiln model file into the nn dialect",
      [](llvm::SourceMgr &sourceMgr,
         MLIRContext *context) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buffer =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        FailureOr<OwningOpRef<ModuleOp>> module = importModelBytes(
            buffer->getBuffer(), context, buffer->getBufferIdentifier());
        if (failed(module))
          return nullptr;
        return OwningOpRef<Operation *>(module->release());
      },
      [](DialectRegistry &registry) { registerAllDialects(registry); },
      llvm::Align(16));
}
