//===- Workflow.h - Config-driven training runs (kiln-train, kiln-run) -*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The steps kiln-train and kiln-run share, from a TrainConfig: load and
// split the data set, build the model (fresh or from another model's
// layers), its callbacks, and the input normalization that the model file
// stores so every consumer of the file takes raw inputs.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_WORKFLOW_H
#define KILN_TRAINER_WORKFLOW_H

#include "trainer/Callbacks.h"
#include "trainer/Config.h"
#include "trainer/Sequential.h"

#include <array>
#include <memory>
#include <string>

namespace kiln::train {

struct Dataset {
  Matrix xTrain, xVal, xTest;
  Targets yTrain, yVal, yTest;
  /// One example's shape (e.g. [28, 28]).
  std::vector<int64_t> shape;
  std::vector<std::string> classNames;
  bool hasTest = false;
  /// The files the training (and validation) rows and the test rows came
  /// from, for error messages.
  std::string trainSource, testSource;
};

/// Reads the data set `c` names, keeps `classes` (relabelled), the first
/// `trainRows` training rows, and holds out the last validation rows. For an
/// autoencoder the targets are the inputs. No normalization yet.
/// Targets are class labels (values for CSV regression and autoencoders).
/// With `testOnly`, an IDX data set (Fashion-MNIST, MNIST) reads only its
/// test files, leaving the training and validation splits empty (kiln-run
/// --split test); CSV files are read whole.
Status loadDataset(const TrainConfig &c, Dataset &out, bool testOnly = false);

/// Puts the targets in the form `loss` reads for a model with `outputs`
/// outputs (labels; one-hot rows as wide as the output; one value per row),
/// or names the mismatch (a label past the outputs, a width that differs).
Status shapeTargets(LossKind loss, int64_t outputs, Dataset &data);

/// The model `c` describes, built and compiled: its layers (after the
/// reused ones of `c.transfer`), loss, optimizer, schedule, name, class
/// names and configuration. With `standardize`, the normalization is fitted
/// on `data`'s training rows; a transfer keeps its source's normalization.
Status buildModel(const TrainConfig &c, const Dataset &data, Sequential &model);

/// A file a run writes, and what writes it ("the run file",
/// "callbacks[1] (csv_logger)", "--lr-csv").
struct OutputPath {
  std::string what, path;
  /// The run file, which may replace the run resumed and the model
  /// transferred from.
  bool runFile = false;
};

/// What a training run writes: the run file, then each callback's file.
std::vector<OutputPath> trainingOutputs(const TrainConfig &c,
                                        const std::string &runFile);

/// No file is written twice, and none overwrites an input: a CSV log named
/// like the training data would destroy it. Inputs are `input` (the config
/// read, or with `resuming` the run file resumed), the dataset's files
/// (CSV's dataset.train and dataset.test, or the four IDX files) and the
/// model transferred from. Only the run file may replace the run resumed
/// or the model transferred from: it does on purpose. Paths compare with
/// their directory part resolved through links, and existing files also
/// by identity (a symbolic or hard link to an input is that input).
Status checkOutputPaths(const TrainConfig &c,
                        const std::vector<OutputPath> &outputs,
                        const std::string &input = {}, bool resuming = false);

/// The IDX data set's four files in `c.path`: training images and labels,
/// test images and labels.
std::array<std::string, 4> idxFiles(const DatasetConfig &c);

/// For --resume: the configured Dense layers of `model` (the last
/// c.layers.size() layers, after any reused ones) take their penalties
/// (regularizers and constraints) from `c`, the run's configuration with
/// any --set applied. For a file kiln-train wrote they equal the stored
/// ones unless --set changed them; files written before Dense layers
/// stored penalties (model.fbs DensePenalties) get them this way.
Status applyRegularizers(const TrainConfig &c, Sequential &model);

/// Makes `data` ready for `model`: every split that has rows must have the
/// model's input width (checked first: the normalization reads one mean and
/// std per feature), then the model's input normalization is applied and
/// the targets are shaped for `loss` (shapeTargets).
Status prepareData(Sequential &model, LossKind loss, Dataset &data);

/// The callbacks `c` lists, in order.
std::vector<std::unique_ptr<Callback>> makeCallbacks(const TrainConfig &c);

} // namespace kiln::train

#endif // KILN_TRAINER_WORKFLOW_H
