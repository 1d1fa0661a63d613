//===- NNOps.h - nn dialect operations ---------------------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The one header users of the dialect include: dialect, attributes, ops.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECTS_NN_IR_NNOPS_H
#define KILN_DIALECTS_NN_IR_NNOPS_H

#include "dialects/NN/IR/NNAttrs.h"
#include "dialects/NN/IR/NNDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/NN/IR/NNOps.h.inc"

#endif // KILN_DIALECTS_NN_IR_NNOPS_H
