//===- Config.h - kiln-train's JSON configuration -----------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// A training run described in the Keras vocabulary: layers, loss, optimizer,
// schedule, callbacks, dataset, seed, epochs, batch size. parseConfig reads
// the JSON text, applies `--set key=value` overrides and checks every key
// and value; an unknown key or value is an error that names it (as a path,
// e.g. "layers[1].units") and lists the valid choices. docs/kiln-train.md
// documents every key.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_CONFIG_H
#define KILN_TRAINER_CONFIG_H

#include "trainer/BatchNorm.h"
#include "trainer/Dense.h"
#include "trainer/Loss.h"
#include "trainer/Optimizer.h"
#include "trainer/Schedule.h"

#include <optional>
#include <string>
#include <vector>

namespace kiln::train {

struct DatasetConfig {
  /// "fashion_mnist", "mnist" (IDX files, pixels scaled to [0, 1]) or "csv".
  std::string name = "fashion_mnist";
  /// IDX: the directory of the four .gz files.
  std::string path = "/usr/share/datasets/fashion-mnist";
  /// CSV: training and (optional) test files, label column (name or index;
  /// empty: the last), header line.
  std::string train, test, labelColumn;
  bool header = true;
  /// Validation rows: the last `validationSize` training rows, or that
  /// fraction (Keras validation_split); at most one of them. Taken before
  /// the class filter, which then applies to them too.
  int64_t validationSize = 0;
  double validationSplit = 0;
  /// Standardize the inputs with the training rows' mean and std (stored in
  /// the model file, so kiln-run and compiled libraries take raw inputs).
  bool standardize = false;
  /// Keep only these classes, relabelled 0, 1, ... in this order (the
  /// book's transfer-learning split); empty: all.
  std::vector<int> classes;
  /// Keep only the first N training rows after filtering (0: all).
  int64_t trainRows = 0;
  /// Unsupervised: the targets are the inputs (a dense autoencoder).
  bool autoencoder = false;
};

struct LayerConfig {
  /// The values of `type`, spelled once (Keras' class names, e.g.
  /// "BatchNormalization", are read as these).
  static constexpr const char *kFlatten = "flatten", *kDense = "dense",
                              *kBatchNorm = "batch_normalization",
                              *kActivation = "activation",
                              *kDropout = "dropout",
                              *kAlphaDropout = "alpha_dropout";
  std::string type;
  std::string name;
  bool trainable = true;
  /// The layer's own options, by type (the others keep their defaults).
  DenseOptions dense;
  BatchNormOptions batchNorm;
  Activation activation; // activation layer
  double rate = 0;       // dropout, alpha_dropout
};

struct CallbackConfig {
  /// early_stopping, model_checkpoint, csv_logger, terminate_on_nan,
  /// learning_curves.
  std::string type;
  std::string path, monitor = "val_loss";
  int patience = 0;
  double minDelta = 0;
  bool restoreBestWeights = false, saveBestOnly = false;
};

/// Reuse another model's first layers (Keras: model_A.layers[:-1]).
struct TransferConfig {
  /// The model file to take layers from.
  std::string from;
  /// How many of its layers; -1: all but the output layer.
  int64_t layers = -1;
  /// Freeze the reused layers at first.
  bool freeze = true;
  /// Unfreeze them after this many epochs (0: never) and continue at
  /// `unfreezeLearningRate` (0: keep the rate).
  int unfreezeAfter = 0;
  double unfreezeLearningRate = 0;
};

struct TrainConfig {
  std::string name = "model";
  uint64_t seed = 42;
  int epochs = 10;
  int64_t batchSize = 32;
  bool shuffle = true;
  DatasetConfig dataset;
  std::vector<LayerConfig> layers;
  LossKind loss = LossKind::SparseCategoricalCrossentropy;
  OptimizerKind optimizer = OptimizerKind::Sgd;
  OptimizerOptions optimizerOptions;
  std::optional<ScheduleOptions> schedule;
  std::vector<CallbackConfig> callbacks;
  std::optional<TransferConfig> transfer;
  /// The configuration after overrides, as JSON: what the model file stores
  /// and --resume reads back.
  std::string json;
};

/// Parses `text` (JSON), applies `overrides` ("a.b[2].c=value" or
/// "a.b.2.c=value"; the value is JSON, or a string when it is not), then
/// checks and converts every key.
Status parseConfig(const std::string &text,
                   const std::vector<std::string> &overrides, TrainConfig &out);

} // namespace kiln::train

#endif // KILN_TRAINER_CONFIG_H
