//===- NNDialect.h - The nn dialect ------------------------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECTS_NN_IR_NNDIALECT_H
#define KILN_DIALECTS_NN_IR_NNDIALECT_H

#include "mlir/IR/Dialect.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/NN/IR/NNDialect.h.inc"

namespace mlir::nn {

/// The random state nn.dropout samples from (see NN_RandomStateResource).
struct RandomStateResource
    : public SideEffects::Resource::Base<RandomStateResource> {
  StringRef getName() final { return "nn::RandomState"; }
};

} // namespace mlir::nn

#endif // KILN_DIALECTS_NN_IR_NNDIALECT_H
