//===- kiln-translate.cpp - Translations into and out of nn ---------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// mlir-translate with Kiln's translations: `--import-kiln model.kiln` prints
// the model as an nn-dialect module.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ModelImporter.h"

#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::kiln::registerImportKilnTranslation();
  return mlir::failed(
             mlir::mlirTranslateMain(argc, argv, "Kiln translation driver\n"))
             ? 1
             : 0;
}
