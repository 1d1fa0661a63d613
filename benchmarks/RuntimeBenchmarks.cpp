//===- RuntimeBenchmarks.cpp - Runtime speed ------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The RNG sits on the Monte-Carlo dropout hot path (one value per masked
// element), so its cost per value is what matters.
//
//===----------------------------------------------------------------------===//

#include "kiln/rng.h"

#include <benchmark/benchmark.h>

namespace {

void BM_Rng_NextU32(benchmark::State &state) {
  kiln_rng_t rng;
  kiln_rng_seed(&rng, 1, 0);
  for (auto _ : state)
    benchmark::DoNotOptimize(kiln_rng_next_u32(&rng));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Rng_NextU32);

void BM_Rng_UniformAt(benchmark::State &state) {
  uint64_t index = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(kiln_rng_uniform_at(42, 3, 7, index++));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Rng_UniformAt);

} // namespace

BENCHMARK_MAIN();
