//===- ModelImporter.h - .kiln model -> nn dialect ---------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_IMPORT_MODELIMPORTER_H
#define KILN_COMPILER_IMPORT_MODELIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LogicalResult.h"

namespace kiln {
struct Model;
} // namespace kiln

namespace mlir::kiln {

/// Builds a module with one function, `@<functionName>(tensor<?x...xf32>)`,
/// holding one nn op per layer (input normalization first). Each op's
/// location is the layer's name wrapped around `sourceName`, so diagnostics
/// name the layer. Weights become `dense_resource` constants. The model must
/// already be valid (kiln::parseModel/loadModel validate); what the compiler
/// cannot handle yet is reported as an error at the layer.
FailureOr<OwningOpRef<ModuleOp>>
importModel(const ::kiln::Model &model, MLIRContext *context,
            StringRef sourceName, StringRef functionName = "predict");

/// Parses, validates and imports serialized `.kiln` bytes.
FailureOr<OwningOpRef<ModuleOp>>
importModelBytes(StringRef bytes, MLIRContext *context, StringRef sourceName);

/// Registers the `--import-kiln` translation (for kiln-translate).
void registerImportKilnTranslation();

} // namespace mlir::kiln

#endif // KILN_COMPILER_IMPORT_MODELIMPORTER_H
