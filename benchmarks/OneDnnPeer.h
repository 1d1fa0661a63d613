//===- OneDnnPeer.h - oneDNN running the benchmark models -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BENCHMARKS_ONEDNNPEER_H
#define KILN_BENCHMARKS_ONEDNNPEER_H

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

namespace kiln::bench {

struct PeerModel {
  const char *name; // as in the Kiln benchmarks: "fmnist-mlp"
  const char *file; // in the model directory: "fmnist_mlp.kiln"
  double flopsPerExample;
};

/// Registers BM_oneDNN/<name>/batch:{1,64} for each model.
void registerOneDnnBenchmarks(const std::string &modelDir,
                              const std::vector<PeerModel> &models);

} // namespace kiln::bench

#endif // KILN_BENCHMARKS_ONEDNNPEER_H
