//===- MakeBenchModels.cpp - The compiled-model benchmark's models --------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// kiln-make-bench-models DIR writes the four models of issue 4's benchmark
// table, built by the trainer with the book's initializers (weights are
// untrained: speed does not depend on their values):
//   fmnist-mlp  784 -> Dense300 ELU -> Dense100 ELU -> Dense10 softmax
//   fmnist-bn   784 -> BN -> Dense300 ELU -> BN -> Dense100 ELU -> BN ->
//               Dense10 softmax (every BN folds into the following Dense)
//   deep-selu   3072 -> 20 x Dense100 SELU lecun_normal -> Dense10 softmax
//   wide        1024 -> Dense1024 ReLU -> Dense1024 ReLU -> Dense10 softmax
// and issue 5's Monte-Carlo models, fmnist-mlp with Dropout(0.2)
//   fmnist-mc-last2  before the last two Dense layers
//   fmnist-mc-all    before every Dense layer (the book's model)
//
//===----------------------------------------------------------------------===//

#include "trainer/BatchNorm.h"
#include "trainer/Dense.h"
#include "trainer/Dropout.h"
#include "trainer/Flatten.h"
#include "trainer/Sequential.h"

#include <cstdio>

using namespace kiln;
using namespace kiln::train;

namespace {

Activation act(ActivationKind kind) { return Activation::withDefaults(kind); }

std::unique_ptr<train::Layer> dense(const std::string &name, int64_t units,
                                    ActivationKind kind, const char *init) {
  return std::make_unique<Dense>(
      name, DenseOptions::make(units, act(kind), *Initializer::named(init)));
}

Status write(Sequential &model, std::vector<int64_t> inputShape,
             const std::string &path) {
  if (Status s = model.build(std::move(inputShape), 42); !s.ok())
    return s;
  return saveModel(model.toModel(std::nullopt, {}), path);
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: kiln-make-bench-models DIR\n");
    return 2;
  }
  std::string dir = argv[1];
  const ActivationKind softmax = ActivationKind::Softmax;

  Sequential mlp("fmnist_mlp");
  mlp.add(std::make_unique<Flatten>("flatten"));
  mlp.add(dense("dense", 300, ActivationKind::Elu, "he_normal"));
  mlp.add(dense("dense_1", 100, ActivationKind::Elu, "he_normal"));
  mlp.add(dense("dense_2", 10, softmax, "glorot_uniform"));

  Sequential bn("fmnist_bn");
  bn.add(std::make_unique<Flatten>("flatten"));
  bn.add(std::make_unique<BatchNorm>("batch_normalization"));
  bn.add(dense("dense", 300, ActivationKind::Elu, "he_normal"));
  bn.add(std::make_unique<BatchNorm>("batch_normalization_1"));
  bn.add(dense("dense_1", 100, ActivationKind::Elu, "he_normal"));
  bn.add(std::make_unique<BatchNorm>("batch_normalization_2"));
  bn.add(dense("dense_2", 10, softmax, "glorot_uniform"));

  Sequential selu("deep_selu");
  for (int i = 0; i < 20; ++i)
    selu.add(dense("dense_" + std::to_string(i), 100, ActivationKind::Selu,
                   "lecun_normal"));
  selu.add(dense("dense_20", 10, softmax, "glorot_uniform"));

  Sequential wide("wide");
  wide.add(dense("dense", 1024, ActivationKind::Relu, "he_normal"));
  wide.add(dense("dense_1", 1024, ActivationKind::Relu, "he_normal"));
  wide.add(dense("dense_2", 10, softmax, "glorot_uniform"));

  Sequential last2("fmnist_mc_last2");
  last2.add(std::make_unique<Flatten>("flatten"));
  last2.add(dense("dense", 300, ActivationKind::Elu, "he_normal"));
  last2.add(std::make_unique<Dropout>("dropout", 0.2f));
  last2.add(dense("dense_1", 100, ActivationKind::Elu, "he_normal"));
  last2.add(std::make_unique<Dropout>("dropout_1", 0.2f));
  last2.add(dense("dense_2", 10, softmax, "glorot_uniform"));

  Sequential all("fmnist_mc_all");
  all.add(std::make_unique<Flatten>("flatten"));
  all.add(std::make_unique<Dropout>("dropout", 0.2f));
  all.add(dense("dense", 300, ActivationKind::Elu, "he_normal"));
  all.add(std::make_unique<Dropout>("dropout_1", 0.2f));
  all.add(dense("dense_1", 100, ActivationKind::Elu, "he_normal"));
  all.add(std::make_unique<Dropout>("dropout_2", 0.2f));
  all.add(dense("dense_2", 10, softmax, "glorot_uniform"));

  for (Status s : {write(mlp, {28, 28}, dir + "/fmnist_mlp.kiln"),
                   write(last2, {28, 28}, dir + "/fmnist_mc_last2.kiln"),
                   write(all, {28, 28}, dir + "/fmnist_mc_all.kiln"),
                   write(bn, {28, 28}, dir + "/fmnist_bn.kiln"),
                   write(selu, {3072}, dir + "/deep_selu.kiln"),
                   write(wide, {1024}, dir + "/wide.kiln")})
    if (!s.ok()) {
      std::fprintf(stderr, "kiln-make-bench-models: %s\n", s.message().c_str());
      return 1;
    }
  return 0;
}
