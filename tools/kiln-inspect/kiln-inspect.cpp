//===- kiln-inspect.cpp - Summarize a .kiln model file ----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Loads a model file with the same strict loader every Kiln tool uses and
// prints what is in it, like `model.summary()` in Keras. A file that fails to
// load gets "kiln-inspect: error: <file>: <what and where>" and exit code 1;
// a usage error gets exit code 2.
//
//===----------------------------------------------------------------------===//

#include "schema/Model.h"

#include <cstdio>
#include <cstring>
#include <string>

using namespace kiln;

namespace {

int64_t count(const Tensor &t) { return t.numElements(); }

/// Parameter count and a short description of the layer's configuration.
std::pair<int64_t, std::string> describe(const Layer &layer) {
  auto activationText = [](const Activation &a) {
    std::string s = activationName(a.kind);
    char buf[96];
    switch (a.kind) {
    case ActivationKind::LeakyRelu:
    case ActivationKind::Elu:
      std::snprintf(buf, sizeof(buf), "(alpha=%g)", a.alpha);
      s += buf;
      break;
    case ActivationKind::Selu:
      std::snprintf(buf, sizeof(buf), "(scale=%g, alpha=%g)", a.scale, a.alpha);
      s += buf;
      break;
    case ActivationKind::RRelu:
      std::snprintf(buf, sizeof(buf), "(lower=%g, upper=%g)", a.lower, a.upper);
      s += buf;
      break;
    default:
      break;
    }
    return s;
  };
  if (const auto *d = std::get_if<DenseLayer>(&layer.params)) {
    int64_t n =
        count(d->kernel) + (d->bias ? count(*d->bias) : 0) +
        (d->activation.preluAlpha ? count(*d->activation.preluAlpha) : 0);
    std::string info =
        std::to_string(d->units) + " units, " + activationText(d->activation) +
        ", " + dtypeName(d->kernel.dtype) + (d->useBias ? "" : ", no bias");
    if (const auto &p = d->penalties) {
      // Only the penalties in use.
      for (const auto &[name, v] : p->named())
        if (v != 0) {
          char buf[64];
          std::snprintf(buf, sizeof(buf), ", %s=%g", name, v);
          info += buf;
        }
    }
    return {n, info};
  }
  if (const auto *bn = std::get_if<BatchNormLayer>(&layer.params)) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "epsilon=%g, momentum=%g", bn->epsilon,
                  bn->momentum);
    return {count(bn->gamma) * 4, buf};
  }
  if (const auto *a = std::get_if<ActivationLayer>(&layer.params))
    return {a->activation.preluAlpha ? count(*a->activation.preluAlpha) : 0,
            activationText(a->activation)};
  if (const auto *dr = std::get_if<DropoutLayer>(&layer.params)) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "rate=%g%s", dr->rate,
                  dr->kind == DropoutKind::Alpha ? ", alpha" : "");
    return {0, buf};
  }
  return {0, ""};
}

void printSummary(const Model &model) {
  std::vector<std::vector<int64_t>> shapes;
  // The loader validated the model already; this call only computes shapes.
  (void)validateModel(model, ModelLimits(), &shapes);

  std::printf("model:         %s\n",
              model.name.empty() ? "(unnamed)" : model.name.c_str());
  if (!model.producer.empty())
    std::printf("producer:      %s\n", model.producer.c_str());
  std::printf("input shape:   %s\n", shapeString(model.inputShape).c_str());
  std::printf("normalization: %s\n",
              model.normalization ? "per-feature (x - mean) / std" : "none");
  if (!model.classNames.empty()) {
    std::printf("classes:       ");
    for (size_t i = 0; i < model.classNames.size(); ++i)
      std::printf("%s%s", i ? ", " : "", model.classNames[i].c_str());
    std::printf("\n");
  }
  std::printf("\n  # %-20s %-11s %-12s %10s  %s\n", "layer", "kind", "output",
              "params", "configuration");
  int64_t total = 0, trainable = 0;
  for (size_t i = 0; i < model.layers.size(); ++i) {
    const Layer &layer = model.layers[i];
    auto [params, info] = describe(layer);
    total += params;
    if (layer.trainable)
      trainable += params;
    std::printf("%3zu %-20s %-11s %-12s %10lld  %s%s\n", i, layer.name.c_str(),
                layerKindName(layer.params),
                ("[?, " + shapeString(shapes[i]).substr(1)).c_str(),
                (long long)params, info.c_str(),
                layer.trainable ? "" : " (frozen)");
  }
  std::printf("\ntotal params:  %lld (%lld trainable)\n", (long long)total,
              (long long)trainable);
  if (model.training) {
    const TrainingState &t = *model.training;
    std::printf("training:      epoch %lld, step %lld, %zu optimizer slots, "
                "%zu callbacks, %zu history metrics\n",
                (long long)t.epoch, (long long)t.step, t.optimizer.slots.size(),
                t.callbacks.size(), t.history.size());
  }
}

int usage(const char *message) {
  std::fprintf(stderr,
               "kiln-inspect: error: %s\n"
               "usage: kiln-inspect <model.kiln>\n",
               message);
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  const char *path = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "-h") == 0 ||
        std::strcmp(argv[i], "--help") == 0) {
      std::printf("usage: kiln-inspect <model.kiln>\n"
                  "Loads and validates a Kiln model file and prints a summary "
                  "of its layers.\n");
      return 0;
    }
    if (argv[i][0] == '-' && argv[i][1] != '\0')
      return usage(("unknown option '" + std::string(argv[i]) + "'").c_str());
    if (path)
      return usage("more than one model file given");
    path = argv[i];
  }
  if (!path)
    return usage("no model file given");

  Model model;
  if (Status s = loadModel(path, model); !s.ok()) {
    std::fprintf(stderr, "kiln-inspect: error: %s\n", s.message().c_str());
    return 1;
  }
  printSummary(model);
  return 0;
}
