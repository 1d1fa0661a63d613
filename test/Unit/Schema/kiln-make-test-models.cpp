//===- kiln-make-test-models.cpp - Write the schema test corpus -----------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Writes the valid models to <dir>/valid/*.kiln and the bad-file corpus to
// <dir>/bad/*.kiln, with <dir>/bad/*.expected holding the error substring
// each bad file must produce (empty: only "must not crash"). The CLI test
// and the fuzzer's seed corpus are made from these files.
//
//===----------------------------------------------------------------------===//

#include "test/Unit/Schema/TestModels.h"

#include <cstdio>
#include <string>
#include <sys/stat.h>

using namespace kiln;

static bool writeAll(const std::string &path, const void *data, size_t size) {
  Status s = writeFileAtomically(path, data, size);
  if (!s.ok())
    std::fprintf(stderr, "kiln-make-test-models: error: %s\n",
                 s.message().c_str());
  return s.ok();
}

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: kiln-make-test-models <output-dir>\n");
    return 2;
  }
  std::string dir = argv[1];
  for (const std::string &d : {dir, dir + "/valid", dir + "/bad"})
    if (::mkdir(d.c_str(), 0777) != 0 && errno != EEXIST) {
      std::perror(d.c_str());
      return 1;
    }
  for (const testmodels::ModelFile &f : testmodels::validModelFiles()) {
    if (f.bytes.empty()) {
      std::fprintf(stderr, "error: test model '%s' does not validate\n",
                   f.name.c_str());
      return 1;
    }
    if (!writeAll(dir + "/valid/" + f.name + ".kiln", f.bytes.data(),
                  f.bytes.size()))
      return 1;
  }
  for (const testmodels::BadModelFile &f : testmodels::badModelFiles()) {
    std::string base = dir + "/bad/" + f.name;
    if (!writeAll(base + ".kiln", f.bytes.data(), f.bytes.size()) ||
        !writeAll(base + ".expected", f.expectedError.data(),
                  f.expectedError.size()))
      return 1;
  }
  return 0;
}
