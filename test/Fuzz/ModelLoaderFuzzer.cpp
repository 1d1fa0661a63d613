//===- ModelLoaderFuzzer.cpp - libFuzzer target for the model loader -----===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The loader is where untrusted bytes enter Kiln. Built with ASan+UBSan, any
// out-of-bounds read, overflow or crash on any input is a bug. A successful
// load must also hold up: the loaded model validates and re-serializes.
//
//===----------------------------------------------------------------------===//

#include "schema/Model.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  kiln::Model model;
  if (!kiln::parseModel(data, size, model, "fuzz").ok())
    return 0;
  std::vector<uint8_t> bytes;
  if (!kiln::serializeModel(model, bytes).ok())
    std::abort(); // a loaded model is valid by contract
  kiln::Model again;
  if (!kiln::parseModel(bytes.data(), bytes.size(), again, "fuzz-2").ok())
    std::abort();
  return 0;
}
