//===- NNAttrs.h - nn dialect attributes and enums --------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECTS_NN_IR_NNATTRS_H
#define KILN_DIALECTS_NN_IR_NNATTRS_H

#include "dialects/NN/IR/NNDialect.h"

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "dialects/NN/IR/NNEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/NN/IR/NNAttrs.h.inc"

#endif // KILN_DIALECTS_NN_IR_NNATTRS_H
