//===- TrainerBenchmarks.cpp - Trainer speed ------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The model of issue 3: 784 -> Dense300 ELU -> Dense100 ELU -> Dense10
// softmax, SGD 0.01, batch 32, one thread.
//   BM_Trainer_FmnistStep:  one training step on a fixed random batch.
//   BM_Trainer_FmnistEpoch: one epoch on the real data (55,000 training
//                           images), skipped if the data set is missing.
//
//===----------------------------------------------------------------------===//

#include "trainer/Data.h"
#include "trainer/Dense.h"
#include "trainer/Flatten.h"
#include "trainer/Sequential.h"
#include "trainer/Workflow.h"

#include <benchmark/benchmark.h>

using namespace kiln;
using namespace kiln::train;

namespace {

std::unique_ptr<Sequential> fmnistModel() {
  auto model = std::make_unique<Sequential>("fmnist_mlp");
  Initializer he = *Initializer::named("he_normal");
  Activation elu = Activation::withDefaults(ActivationKind::Elu);
  model->add(std::make_unique<Flatten>("flatten"));
  model->add(
      std::make_unique<Dense>("dense", DenseOptions::make(300, elu, he)));
  model->add(
      std::make_unique<Dense>("dense_1", DenseOptions::make(100, elu, he)));
  model->add(std::make_unique<Dense>(
      "dense_2", DenseOptions::make(
                     10, Activation::withDefaults(ActivationKind::Softmax))));
  (void)model->build({28, 28}, 42);
  OptimizerOptions sgd;
  sgd.learningRate = 0.01;
  model->compile(LossKind::SparseCategoricalCrossentropy,
                 makeOptimizer(OptimizerKind::Sgd, sgd));
  return model;
}

void BM_Trainer_FmnistStep(benchmark::State &state) {
  auto model = fmnistModel();
  kiln_rng_t rng;
  kiln_rng_seed(&rng, 1, 0);
  Matrix x(32, 784);
  for (Eigen::Index i = 0; i < x.size(); ++i)
    x.data()[i] = kiln_rng_uniform_f32(&rng);
  Targets y;
  for (int i = 0; i < 32; ++i)
    y.labels.push_back(i % 10);
  FitOptions fit;
  fit.shuffle = false;
  History h;
  for (auto _ : state) // fit over exactly one batch = one step
    benchmark::DoNotOptimize(model->fit(x, y, fit, h).ok());
  state.SetItemsProcessed(state.iterations() * 32);
}
BENCHMARK(BM_Trainer_FmnistStep)->Unit(benchmark::kMicrosecond);

void BM_Trainer_FmnistEpoch(benchmark::State &state) {
  std::array<std::string, 4> files = idxFiles(DatasetConfig{});
  Matrix x;
  Targets y;
  std::vector<int64_t> shape;
  Status s = readIdxImages(files[0], x, shape);
  if (s.ok())
    s = readIdxLabels(files[1], y.labels);
  if (!s.ok()) {
    state.SkipWithError(s.message().c_str());
    return;
  }
  auto model = fmnistModel();
  FitOptions fit; // the split: the last 5,000 images validate
  fit.validationSplit = 5000.0 / 60000.0;
  History h;
  for (auto _ : state)
    benchmark::DoNotOptimize(model->fit(x, y, fit, h).ok());
  state.counters["train_s_per_epoch"] = h.seconds.back();
}
BENCHMARK(BM_Trainer_FmnistEpoch)->Unit(benchmark::kSecond)->Iterations(2);

} // namespace

BENCHMARK_MAIN();
