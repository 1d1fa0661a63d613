//===- NNOpFolders.cpp - nn op folders ------------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Only folds that hold in every mode: each removes an op that is the
// identity whatever the inputs, deterministic or Monte-Carlo.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/IR/NNOps.h"

using namespace mlir;
using namespace mlir::nn;

/// The identity activation is its input.
OpFoldResult ActivationOp::fold(FoldAdaptor) {
  if (getActivation().isIdentity())
    return getInput();
  return {};
}

/// Dropout with rate 0 never drops and scales by 1: the identity even when
/// sampled, so removing it cannot change an MC result.
OpFoldResult DropoutOp::fold(FoldAdaptor) {
  if (getRate().isZero())
    return getInput();
  return {};
}

/// Flattening a value that already has the result type does nothing.
OpFoldResult FlattenOp::fold(FoldAdaptor) {
  if (getInput().getType() == getOutput().getType())
    return getInput();
  return {};
}
