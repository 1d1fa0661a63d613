//===- InitAll.h - Register Kiln's dialects and passes -----------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// One place lists what Kiln's tools load, so kiln-opt and kilnc always see
// the same dialects and passes (as torch-mlir's and CIRCT's InitAll do).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_INITALL_H
#define KILN_COMPILER_INITALL_H

namespace mlir {
class DialectRegistry;

namespace kiln {

/// Adds the nn dialect and the upstream dialects Kiln lowers through.
void registerAllDialects(DialectRegistry &registry);

/// Registers Kiln's passes and the upstream passes its pipelines use, for
/// the command line of kiln-opt.
void registerAllPasses();

} // namespace kiln
} // namespace mlir

#endif // KILN_COMPILER_INITALL_H
