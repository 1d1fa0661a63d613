//===- CompiledBenchmarks.cpp - Speed of kilnc's libraries ----------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Issue 4's table: each model of MakeBenchModels.cpp compiled by kilnc for
// the host, fused (the default), unfused (--no-fold-bn --no-fuse) and, for
// the four models of the table, with 16-bit weights (--quantize=f16, bf16),
// called at batch 1 and 64 on one thread with fixed random inputs. Reported:
// time per call and GFLOP/s (2·Σ inputs·units multiply-adds per example).
// With Debian's libdnnl-dev installed, oneDNN runs the same models in the
// same process (OneDnnPeer.cpp) as BM_oneDNN/<model>. BM_KilnImages runs
// the fmnist models at batch 1 on Fashion-MNIST's test images instead.
//
//===----------------------------------------------------------------------===//

#include "deep_selu.h"
#include "deep_selu_bf16.h"
#include "deep_selu_f16.h"
#include "deep_selu_unfused.h"
#include "fmnist_bn.h"
#include "fmnist_bn_bf16.h"
#include "fmnist_bn_f16.h"
#include "fmnist_bn_unfused.h"
#include "fmnist_mc_all.h"
#include "fmnist_mc_all_unfused.h"
#include "fmnist_mc_last2.h"
#include "fmnist_mc_last2_unfused.h"
#include "fmnist_mlp.h"
#include "fmnist_mlp_bf16.h"
#include "fmnist_mlp_f16.h"
#include "fmnist_mlp_unfused.h"
#include "wide.h"
#include "wide_bf16.h"
#include "wide_f16.h"
#include "wide_unfused.h"

#include "trainer/Data.h"
#include "trainer/Workflow.h"

#include <benchmark/benchmark.h>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#ifdef KILN_HAVE_ONEDNN
#include "benchmarks/OneDnnPeer.h"
#endif

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace {

using PredictFn = int (*)(const float *, float *, size_t);

struct Compiled {
  const char *name;
  const char *file;
  PredictFn fused, unfused;
  size_t inputSize, outputSize;
  double flopsPerExample;
  /// --quantize=f16 and bf16 (fused); null for the MC models.
  PredictFn f16 = nullptr, bf16 = nullptr;
};

double denseFlops(std::initializer_list<double> widths) {
  double flops = 0;
  const double *w = widths.begin();
  for (size_t i = 0; i + 1 < widths.size(); ++i)
    flops += 2 * w[i] * w[i + 1];
  return flops;
}

void runPredict(benchmark::State &state, PredictFn predict, size_t inputSize,
                size_t outputSize, double flopsPerExample) {
  size_t batch = state.range(0);
  std::vector<float> in(batch * inputSize), out(batch * outputSize);
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> dist(0.f, 1.f);
  for (float &v : in)
    v = dist(gen);
  for (auto _ : state) {
    if (predict(in.data(), out.data(), batch) != 0) {
      state.SkipWithError("predict returned an error");
      return;
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(flopsPerExample * batch * state.iterations() / 1e9,
                         benchmark::Counter::kIsRate);
}

/// Batch 1 over Fashion-MNIST's 10,000 test images (pixels / 255), the next
/// image at every call: what a deployed fmnist model sees, half of its
/// inputs zero, which a lone row skips (see NNToVector.cpp), where
/// runPredict's uniform random inputs have none. The weights are the
/// benchmark models' random ones; only the inputs are real. Skipped without
/// Debian's dataset-fashion-mnist. `call(image)` runs one call on the
/// image's 784 floats and returns its status.
template <typename Call>
void runOnImages(benchmark::State &state, Call call) {
  static kiln::train::Matrix images;
  static kiln::Status loaded = [] {
    std::vector<int64_t> shape;
    return kiln::train::readIdxImages(
        kiln::train::idxFiles(kiln::train::DatasetConfig{})[2], images, shape);
  }();
  if (!loaded.ok()) {
    state.SkipWithError(loaded.message().c_str());
    return;
  }
  Eigen::Index next = 0;
  for (auto _ : state) {
    if (call(images.row(next).data()) != 0) {
      state.SkipWithError("the call returned an error");
      return;
    }
    next = next + 1 == images.rows() ? 0 : next + 1;
    benchmark::ClobberMemory();
  }
  state.counters["zero_inputs_%"] =
      100.0 * double((images.array() == 0.f).count()) / double(images.size());
}

void runPredictImages(benchmark::State &state, PredictFn predict,
                      size_t outputSize) {
  std::vector<float> out(outputSize);
  runOnImages(state, [&](const float *image) {
    int status = predict(image, out.data(), 1);
    benchmark::DoNotOptimize(out.data());
    return status;
  });
}

/// The floor under batch-1 latency: one pass of 512-bit loads over `bytes`
/// bytes (a model's weights), summed so the loads cannot be dropped. At
/// batch 1 every weight is read once per call, so no kernel beats this.
void runReadBytes(benchmark::State &state) {
  size_t n = state.range(0) / sizeof(float);
  std::vector<float> data(n, 1.0f);
  for (auto _ : state) {
#ifdef __AVX512F__
    // 8 independent accumulators: enough loads in flight to reach the
    // cache's bandwidth rather than the add latency.
    __m512 sums[8];
    for (__m512 &v : sums)
      v = _mm512_setzero_ps();
    for (size_t i = 0; i + 128 <= n; i += 128)
      for (int k = 0; k < 8; ++k)
        sums[k] = _mm512_add_ps(sums[k], _mm512_loadu_ps(&data[i + 16 * k]));
    benchmark::DoNotOptimize(sums);
#else
    float sum = 0;
    for (size_t i = 0; i < n; ++i)
      sum += data[i];
    benchmark::DoNotOptimize(sum);
#endif
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}

/// The FMA peak this core reaches: independent chains of vector FMAs (16
/// zmm, or 12 ymm of AVX2's 16 registers: more than latency × issue rate,
/// 4 × 2, so the FMA units never wait), 2 flops per lane. The batch-64 GFLOP/s
/// of BM_Kiln are a fraction of this, measured under the same clock as the
/// kernels, rather than of a nominal peak that assumes a clock the core may not
/// hold.
void runPeakFma(benchmark::State &state) {
  constexpr int kSteps = 1000;
#if defined(__AVX512F__)
  using Vec = __m512;
  constexpr int kLanes = 16, kChains = 16;
  auto splat = [](float v) { return _mm512_set1_ps(v); };
  auto fma = [](Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); };
#elif defined(__AVX2__) && defined(__FMA__)
  using Vec = __m256;
  constexpr int kLanes = 8, kChains = 12;
  auto splat = [](float v) { return _mm256_set1_ps(v); };
  auto fma = [](Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); };
#else
  state.SkipWithError("needs AVX2+FMA or AVX-512");
  return;
#endif
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
  Vec acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = splat(1.0f + c);
  Vec a = splat(0.999f), b = splat(1e-3f);
  for (auto _ : state) {
    for (int i = 0; i < kSteps; ++i)
      for (int c = 0; c < kChains; ++c)
        acc[c] = fma(acc[c], a, b);
    benchmark::DoNotOptimize(acc);
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * kLanes * kChains * kSteps * state.iterations() / 1e9,
      benchmark::Counter::kIsRate);
#endif
}

// A 100-unit layer at batch 64 (deep-selu's hidden layers) two ways, with
// AVX-512 intrinsics, to size a kernel kilnc does not have yet. "rows" is
// kilnc's: tiles of 6 rows × V vectors of units, each x[r, k] broadcast,
// so 100 units take 7 vectors (112 lanes) per row. "batch" keeps the
// activations transposed, [units][batch]: tiles of up to 6 units × 4
// vectors of rows, each W[k, n] broadcast, so 64 rows fill their vectors
// and no lane is wasted. Both sum each output over k in the same order
// with FMAs, so their results are bitwise equal (checked before timing).
#if defined(__AVX512F__)
namespace narrow {
constexpr int kRows = 64, kIn = 100, kUnits = 100, kPanel = 64;

/// y[i.., first..] for rows [i, i + 6) (clamped to the last row) of a
/// packed panel of V vectors, `width` units.
template <int V>
void rowTile(const float *x, const float *panel, int width, int first, int i,
             float *y) {
  __m512 acc[6][V];
  for (auto &row : acc)
    for (__m512 &a : row)
      a = _mm512_setzero_ps();
  int m = std::min(6, kRows - i);
  for (int k = 0; k < kIn; ++k) {
    __m512 wv[V];
    for (int j = 0; j < V; ++j)
      wv[j] = _mm512_loadu_ps(panel + k * width + 16 * j);
    for (int r = 0; r < 6; ++r) {
      __m512 xb = _mm512_set1_ps(x[(i + std::min(r, m - 1)) * kIn + k]);
      for (int j = 0; j < V; ++j)
        acc[r][j] = _mm512_fmadd_ps(xb, wv[j], acc[r][j]);
    }
  }
  for (int r = 0; r < m; ++r)
    for (int j = 0; j < V; ++j) {
      int left = std::min(16, width - 16 * j);
      _mm512_mask_storeu_ps(y + (i + r) * kUnits + first + 16 * j,
                            __mmask16((1u << left) - 1), acc[r][j]);
    }
}

/// yT[n.., all rows] for units [n, n + U).
template <int U>
void unitTile(const float *xT, const float *w, int n, float *yT) {
  __m512 acc[U][4];
  for (auto &unit : acc)
    for (__m512 &a : unit)
      a = _mm512_setzero_ps();
  for (int k = 0; k < kIn; ++k) {
    __m512 xv[4];
    for (int j = 0; j < 4; ++j)
      xv[j] = _mm512_loadu_ps(xT + k * kRows + 16 * j);
    for (int c = 0; c < U; ++c) {
      __m512 wb = _mm512_set1_ps(w[k * kUnits + n + c]);
      for (int j = 0; j < 4; ++j)
        acc[c][j] = _mm512_fmadd_ps(wb, xv[j], acc[c][j]);
    }
  }
  for (int c = 0; c < U; ++c)
    for (int j = 0; j < 4; ++j)
      _mm512_storeu_ps(yT + (n + c) * kRows + 16 * j, acc[c][j]);
}
} // namespace narrow
#endif

void runNarrowLayer(benchmark::State &state, bool batchVectorized) {
#if defined(__AVX512F__)
  using namespace narrow;
  constexpr int kLast = kUnits - kPanel; // 36 units in 3 vectors
  std::vector<float> x(kRows * kIn), xT(kIn * kRows), w(kIn * kUnits);
  std::vector<float> panel0(kIn * kPanel), panel1(kIn * kLast + 16, 0.f);
  std::vector<float> y(kRows * kUnits), yT(kUnits * kRows);
  for (int i = 0; i < kRows * kIn; ++i)
    x[i] = float(i % 13) / 13.f;
  for (int k = 0; k < kIn; ++k)
    for (int r = 0; r < kRows; ++r)
      xT[k * kRows + r] = x[r * kIn + k];
  for (int i = 0; i < kIn * kUnits; ++i)
    w[i] = float(i % 7) / 7.f - 0.5f;
  for (int k = 0; k < kIn; ++k) {
    for (int c = 0; c < kPanel; ++c)
      panel0[k * kPanel + c] = w[k * kUnits + c];
    for (int c = 0; c < kLast; ++c)
      panel1[k * kLast + c] = w[k * kUnits + kPanel + c];
  }
  auto rows = [&] {
    for (int i = 0; i < kRows; i += 6) {
      rowTile<4>(x.data(), panel0.data(), kPanel, 0, i, y.data());
      rowTile<3>(x.data(), panel1.data(), kLast, kPanel, i, y.data());
    }
  };
  auto batch = [&] {
    int n = 0;
    for (; n + 6 <= kUnits; n += 6)
      unitTile<6>(xT.data(), w.data(), n, yT.data());
    unitTile<kUnits % 6>(xT.data(), w.data(), n, yT.data());
  };
  rows();
  batch();
  for (int r = 0; r < kRows; ++r)
    for (int n = 0; n < kUnits; ++n)
      if (y[r * kUnits + n] != yT[n * kRows + r]) {
        state.SkipWithError("the two layouts disagree");
        return;
      }
  for (auto _ : state) {
    if (batchVectorized)
      batch();
    else
      rows();
    benchmark::DoNotOptimize(batchVectorized ? yT.data() : y.data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * kRows * kIn * kUnits * state.iterations() / 1e9,
                         benchmark::Counter::kIsRate);
#else
  state.SkipWithError("needs AVX-512");
#endif
}

using PredictMcFn = int (*)(const float *, size_t, unsigned, uint64_t, float *,
                            float *);

/// NAME_predict_mc with `samples` samples (issue 5's ratio: its time over
/// one deterministic pass, BM_Kiln/<model>/fused).
void runPredictMc(benchmark::State &state, PredictMcFn predictMc,
                  size_t inputSize, size_t outputSize, unsigned samples) {
  size_t batch = state.range(0);
  std::vector<float> in(batch * inputSize), mean(batch * outputSize),
      stddev(batch * outputSize);
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> dist(0.f, 1.f);
  for (float &v : in)
    v = dist(gen);
  for (auto _ : state) {
    if (predictMc(in.data(), batch, samples, 42, mean.data(), stddev.data()) !=
        0) {
      state.SkipWithError("predict_mc returned an error");
      return;
    }
    benchmark::DoNotOptimize(mean.data());
    benchmark::ClobberMemory();
  }
}

/// 100 Monte-Carlo samples at batch 1 over the test images (runOnImages).
void runPredictMcImages(benchmark::State &state, PredictMcFn predictMc,
                        size_t outputSize) {
  std::vector<float> mean(outputSize), stddev(outputSize);
  runOnImages(state, [&](const float *image) {
    int status = predictMc(image, 1, 100, 42, mean.data(), stddev.data());
    benchmark::DoNotOptimize(mean.data());
    return status;
  });
}

} // namespace

int main(int argc, char **argv) {
  const Compiled models[] = {
      {"fmnist-mlp", "fmnist_mlp.kiln", fmnist_mlp_predict,
       fmnist_mlp_unfused_predict, FMNIST_MLP_INPUT_SIZE,
       FMNIST_MLP_OUTPUT_SIZE, denseFlops({784, 300, 100, 10}),
       fmnist_mlp_f16_predict, fmnist_mlp_bf16_predict},
      {"fmnist-bn", "fmnist_bn.kiln", fmnist_bn_predict,
       fmnist_bn_unfused_predict, FMNIST_BN_INPUT_SIZE, FMNIST_BN_OUTPUT_SIZE,
       denseFlops({784, 300, 100, 10}), fmnist_bn_f16_predict,
       fmnist_bn_bf16_predict},
      {"deep-selu", "deep_selu.kiln", deep_selu_predict,
       deep_selu_unfused_predict, DEEP_SELU_INPUT_SIZE, DEEP_SELU_OUTPUT_SIZE,
       denseFlops({3072, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100,
                   100,  100, 100, 100, 100, 100, 100, 100, 100, 100, 10}),
       deep_selu_f16_predict, deep_selu_bf16_predict},
      {"wide", "wide.kiln", wide_predict, wide_unfused_predict, WIDE_INPUT_SIZE,
       WIDE_OUTPUT_SIZE, denseFlops({1024, 1024, 1024, 10}), wide_f16_predict,
       wide_bf16_predict},
      {"fmnist-mc-last2", "fmnist_mc_last2.kiln", fmnist_mc_last2_predict,
       fmnist_mc_last2_unfused_predict, FMNIST_MC_LAST2_INPUT_SIZE,
       FMNIST_MC_LAST2_OUTPUT_SIZE, denseFlops({784, 300, 100, 10})},
      {"fmnist-mc-all", "fmnist_mc_all.kiln", fmnist_mc_all_predict,
       fmnist_mc_all_unfused_predict, FMNIST_MC_ALL_INPUT_SIZE,
       FMNIST_MC_ALL_OUTPUT_SIZE, denseFlops({784, 300, 100, 10})},
  };
  struct {
    const char *name;
    PredictMcFn fn;
    size_t inputSize, outputSize;
  } mcModels[] = {
      {"fmnist-mc-last2", fmnist_mc_last2_predict_mc,
       FMNIST_MC_LAST2_INPUT_SIZE, FMNIST_MC_LAST2_OUTPUT_SIZE},
      {"fmnist-mc-all", fmnist_mc_all_predict_mc, FMNIST_MC_ALL_INPUT_SIZE,
       FMNIST_MC_ALL_OUTPUT_SIZE},
  };
  // fmnist's 266,610 weights, deep-selu's 498,210, wide's 2,109,450.
  benchmark::RegisterBenchmark("BM_ReadWeights", runReadBytes)
      ->Arg(266610 * 4)
      ->Arg(498210 * 4)
      ->Arg(2109450 * 4)
      ->ArgName("bytes")
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_PeakFma", runPeakFma)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_NarrowLayer/rows", runNarrowLayer, false)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_NarrowLayer/batch", runNarrowLayer, true)
      ->Unit(benchmark::kMicrosecond);
  for (const auto &m : mcModels) {
    std::string name = std::string("BM_KilnMC/") + m.name + "/samples:100";
    benchmark::RegisterBenchmark(name.c_str(), runPredictMc, m.fn, m.inputSize,
                                 m.outputSize, 100u)
        ->Arg(1)
        ->Arg(64)
        ->ArgName("batch")
        ->Unit(benchmark::kMicrosecond);
    if (m.inputSize == 784) {
      std::string images =
          std::string("BM_KilnMCImages/") + m.name + "/samples:100/batch:1";
      benchmark::RegisterBenchmark(images.c_str(), runPredictMcImages, m.fn,
                                   m.outputSize)
          ->Unit(benchmark::kMicrosecond);
    }
  }
  for (const Compiled &m : models)
    for (auto [variant, fn] :
         {std::pair{"fused", m.fused}, std::pair{"unfused", m.unfused},
          std::pair{"f16", m.f16}, std::pair{"bf16", m.bf16}}) {
      if (!fn)
        continue;
      std::string name = std::string("BM_Kiln/") + m.name + "/" + variant;
      auto *bench = benchmark::RegisterBenchmark(name.c_str(), runPredict, fn,
                                                 m.inputSize, m.outputSize,
                                                 m.flopsPerExample)
                        ->Arg(1);
      // Small batches of the fused build: 2 rows are one 2-row tile, 4
      // one 4-row tile, 16 two 6-row tiles and a 4-row one.
      if (std::string(variant) == "fused")
        bench->Arg(2)->Arg(4)->Arg(16);
      bench->Arg(64)->ArgName("batch")->Unit(benchmark::kMicrosecond);
    }
  for (const Compiled &m : models) {
    if (std::string(m.file).rfind("fmnist_", 0) != 0 || m.inputSize != 784)
      continue;
    for (auto [variant, fn] :
         {std::pair{"fused", m.fused}, std::pair{"unfused", m.unfused},
          std::pair{"f16", m.f16}}) {
      if (!fn)
        continue;
      std::string name =
          std::string("BM_KilnImages/") + m.name + "/" + variant + "/batch:1";
      benchmark::RegisterBenchmark(name.c_str(), runPredictImages, fn,
                                   m.outputSize)
          ->Unit(benchmark::kMicrosecond);
    }
  }
#ifdef KILN_HAVE_ONEDNN
  std::vector<kiln::bench::PeerModel> peers;
  for (const Compiled &m : models)
    peers.push_back({m.name, m.file, m.flopsPerExample});
  kiln::bench::registerOneDnnBenchmarks(KILN_BENCH_MODEL_DIR, peers);
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
