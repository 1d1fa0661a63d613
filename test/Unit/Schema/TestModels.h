//===- TestModels.h - Valid models and the bad-file corpus ------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// One source for the models the schema tests use: the gtests, the
// kiln-make-test-models generator (whose files the CLI test feeds to
// kiln-inspect) and the fuzzer's seed corpus all read from here, so a new
// bad-file case is tested everywhere at once.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TEST_UNIT_SCHEMA_TESTMODELS_H
#define KILN_TEST_UNIT_SCHEMA_TESTMODELS_H

#include "schema/Model.h"

#include <ostream>
#include <string>
#include <vector>

namespace kiln::testmodels {

/// A small valid MLP: input [2, 3] -> flatten -> dense(4, elu) -> batch_norm
/// -> dropout -> dense(3, softmax), with normalization and class names.
Model makeSmallModel();

/// A valid model using every layer kind, every activation kind, every dtype
/// (integer ones quantized), and a full training state.
Model makeKitchenSinkModel();

/// A named serialized model file.
struct ModelFile {
  std::string name;
  std::vector<uint8_t> bytes;
};

/// Valid files: the two models above.
std::vector<ModelFile> validModelFiles();

/// A file the loader must reject, and a substring its error must contain.
/// An empty `expectedError` means only "rejected or loaded, never a crash"
/// (bit flips can land in weight bits and leave a valid file).
struct BadModelFile {
  std::string name;
  std::vector<uint8_t> bytes;
  std::string expectedError;
};

/// The bad-file corpus, derived from makeSmallModel().
std::vector<BadModelFile> badModelFiles();

/// Prints only the name in gtest output (not the bytes).
void PrintTo(const BadModelFile &file, std::ostream *os);

} // namespace kiln::testmodels

#endif // KILN_TEST_UNIT_SCHEMA_TESTMODELS_H
