//===- kiln-train.cpp - Train a model from a JSON config ------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
//   kiln-train config.json -o run.kiln [--set key=value]...
//   kiln-train --resume run.kiln
//   kiln-train config.json --lr-find [--lr-csv lr.csv] [--lr-svg lr.svg]
//
// The output file is the run: it is rewritten (atomically) after every
// epoch and when SIGINT or SIGTERM stops training, with everything --resume
// needs to end with bitwise the weights of an uninterrupted run.
//
//===----------------------------------------------------------------------===//

#include "trainer/Config.h"
#include "trainer/LrFinder.h"
#include "trainer/Workflow.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace kiln;
using namespace kiln::train;
namespace cl = llvm::cl;

namespace {

volatile std::sig_atomic_t stopSignal = 0;

extern "C" void onStopSignal(int sig) { stopSignal = sig; }

int fail(const std::string &message) {
  std::fprintf(stderr, "kiln-train: error: %s\n", message.c_str());
  return 1;
}

/// Testing aid: raises `signal` at itself after update `step`, so a test
/// can kill or interrupt a run at an exact point.
class RaiseAt : public Callback {
public:
  RaiseAt(int64_t step, int signal)
      : Callback("kiln_train_raise"), step(step), signal(signal) {}
  Status onBatchEnd(Sequential &, int, int64_t s, double) override {
    if (s == step)
      std::raise(signal);
    return Status::success();
  }

private:
  int64_t step;
  int signal;
};

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // Past a file-size limit (ulimit -f), write() then fails with EFBIG and
  // is reported like a full disk, the temporary file removed; SIGXFSZ would
  // otherwise end the tool mid-write through LLVM's crash report.
  std::signal(SIGXFSZ, SIG_IGN);
  // Only the tool's own options in --help, not libLLVM's hundreds.
  cl::OptionCategory category("kiln-train options");
  cl::opt<std::string> input(cl::Positional,
                             cl::desc("<config.json | run.kiln with --resume>"),
                             cl::Required, cl::cat(category));
  cl::opt<std::string> output(
      "o",
      cl::desc("The run's model file (default: the config's name + "
               ".kiln; with --resume, the file resumed)"),
      cl::value_desc("path"), cl::cat(category));
  cl::list<std::string> overrides(
      "set",
      cl::desc("Override a config key, e.g. optimizer.learning_rate=0.1"),
      cl::value_desc("key=value"), cl::cat(category));
  cl::opt<bool> resume("resume",
                       cl::desc("Continue the run stored in the model file"),
                       cl::cat(category));
  cl::opt<bool> quiet("quiet", cl::desc("No progress output"),
                      cl::cat(category));
  cl::opt<bool> lrFind("lr-find",
                       cl::desc("Run the learning-rate range test instead of "
                                "training"),
                       cl::cat(category));
  cl::opt<double> lrMin("lr-min", cl::desc("Range test: first rate"),
                        cl::init(1e-5), cl::cat(category));
  cl::opt<double> lrMax("lr-max", cl::desc("Range test: last rate"),
                        cl::init(10), cl::cat(category));
  cl::opt<int> lrSteps("lr-steps", cl::desc("Range test: updates"),
                       cl::init(500), cl::cat(category));
  cl::opt<std::string> lrCsv("lr-csv", cl::desc("Range test: CSV output"),
                             cl::value_desc("path"), cl::cat(category));
  cl::opt<std::string> lrSvg("lr-svg", cl::desc("Range test: SVG plot"),
                             cl::value_desc("path"), cl::cat(category));
  cl::opt<std::string> raiseAt(
      "debug-raise", cl::Hidden,
      cl::desc("Testing: raise INT, TERM or KILL at this process after "
               "update N (e.g. KILL@60)"),
      cl::value_desc("SIGNAL@N"), cl::cat(category));
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "Kiln trainer\n");

  // The config: from the file, or from the run being resumed.
  std::string text;
  Model resumed;
  if (resume) {
    if (Status s = loadModel(input, resumed); !s.ok())
      return fail(s.message()); // names the file
    if (!resumed.training || resumed.training->config.empty())
      return fail(input + ": has no kiln-train configuration to resume");
    text = resumed.training->config;
  } else {
    std::ifstream in(input);
    if (!in)
      return fail("cannot read '" + input + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  TrainConfig config;
  if (Status s = parseConfig(text, overrides, config); !s.ok())
    return fail(input + ": " + s.message());
  std::string out = !output.empty() ? output.getValue()
                    : resume        ? input.getValue()
                                    : config.name + ".kiln";
  // With --lr-find only the range test's files are written.
  std::vector<OutputPath> outputs;
  if (!lrFind)
    outputs = trainingOutputs(config, out);
  else
    for (auto [what, path] : {std::pair{"--lr-csv", lrCsv.getValue()},
                              std::pair{"--lr-svg", lrSvg.getValue()}})
      if (!path.empty())
        outputs.push_back({what, path});
  // A resumed run's input is its run file, which only the run file may
  // replace.
  if (Status s = checkOutputPaths(config, outputs, input.getValue(), resume);
      !s.ok())
    return fail(input + ": " + s.message());

  Dataset data;
  if (Status s = loadDataset(config, data); !s.ok())
    return fail(s.message());
  Sequential model;
  if (resume) {
    if (Status s = model.load(resumed); !s.ok())
      return fail(input + ": " + s.message());
    if (Status s = applyRegularizers(config, model); !s.ok())
      return fail(input + ": " + s.message());
    model.setConfig(config.json);
  } else if (Status s = buildModel(config, data, model); !s.ok()) {
    return fail(input + ": " + s.message());
  }
  if (Status s = prepareData(model, config.loss, data); !s.ok())
    return fail(s.message());

  if (lrFind) {
    LrFinderOptions o;
    o.minLearningRate = lrMin;
    o.maxLearningRate = lrMax;
    o.steps = lrSteps;
    o.batchSize = size_t(config.batchSize);
    o.seed = config.seed;
    LrFinderResult r;
    if (Status s = findLearningRate(model, data.xTrain, data.yTrain, o, r);
        !s.ok())
      return fail(s.message());
    for (auto [path, content] : {std::pair{lrCsv.getValue(), lrFinderCsv(r)},
                                 std::pair{lrSvg.getValue(), lrFinderSvg(r)}})
      if (!path.empty())
        if (Status s =
                writeFileAtomically(path, content.data(), content.size());
            !s.ok())
          return fail(s.message());
    std::printf("lr finder: %zu updates from %.3g to %.3g\n"
                "  loss bottoms out at lr %.3g, shoots up at lr %.3g\n"
                "  suggested learning rate: %.3g\n",
                r.learningRate.size(), r.learningRate.front(),
                r.learningRate.back(), r.bottom, r.explosion, r.suggested);
    return 0;
  }

  std::optional<std::pair<int, int64_t>> raise;
  if (!raiseAt.empty()) {
    auto [name, at] = llvm::StringRef(raiseAt).split('@');
    int sig = name == "INT"    ? SIGINT
              : name == "TERM" ? SIGTERM
              : name == "KILL" ? SIGKILL
                               : 0;
    int64_t step;
    if (!sig || at.getAsInteger(10, step) || step < 0)
      return fail("--debug-raise: expected INT@N, TERM@N or KILL@N");
    raise = {sig, step};
  }

  std::vector<std::unique_ptr<Callback>> owned = makeCallbacks(config);
  const int64_t stepsPerEpoch =
      (data.xTrain.rows() + config.batchSize - 1) / config.batchSize;
  if (!quiet)
    owned.push_back(std::make_unique<ProgressLogger>(
        stdout, ::isatty(STDOUT_FILENO) != 0, stepsPerEpoch));
  if (raise)
    owned.push_back(std::make_unique<RaiseAt>(raise->second, raise->first));
  FitOptions fit;
  fit.batchSize = size_t(config.batchSize);
  fit.shuffle = config.shuffle;
  fit.seed = config.seed;
  if (data.xVal.rows() > 0) {
    fit.validationX = &data.xVal;
    fit.validationY = &data.yVal;
  }
  for (auto &cb : owned)
    fit.callbacks.push_back(cb.get());
  fit.interrupt = &stopSignal;
  // The run file after every epoch: a SIGKILL loses at most one epoch.
  fit.onEpochEnd = [&](int, const History &) {
    return saveModel(model.toModel(), out);
  };
  // The run file exists from the start: an output that cannot be written
  // fails now rather than after an epoch, and a run killed in its first
  // epoch resumes from the beginning.
  if (!resume)
    if (Status s = saveModel(model.toModel(), out); !s.ok())
      return fail(s.message());
  std::signal(SIGINT, onStopSignal);
  std::signal(SIGTERM, onStopSignal);

  // 1cycle's "whole run" is every epoch of the config, across both phases.
  fit.scheduleEpochs = config.epochs;

  // Transfer learning in two phases: reused layers frozen for
  // `unfreeze_after` epochs, then all layers train (at a lower rate).
  int unfreezeAt = config.transfer ? config.transfer->unfreezeAfter : 0;
  if (unfreezeAt > 0 && unfreezeAt < config.epochs &&
      model.epochsCompleted() < unfreezeAt) {
    fit.initialEpoch = model.epochsCompleted();
    fit.epochs = unfreezeAt;
    History h;
    if (Status s = model.fit(data.xTrain, data.yTrain, fit, h); !s.ok())
      return fail(s.message());
  }
  if (!model.interrupted()) {
    // Idempotent, so a run resumed after the switch gets it too.
    if (unfreezeAt > 0 && model.epochsCompleted() >= unfreezeAt) {
      for (train::Layer *l : model.layers())
        l->trainable = true;
      if (config.transfer->unfreezeLearningRate > 0)
        model.getOptimizer()->setLearningRate(
            config.transfer->unfreezeLearningRate);
    }
    fit.initialEpoch = model.epochsCompleted();
    fit.epochs = config.epochs;
    History h;
    if (Status s = model.fit(data.xTrain, data.yTrain, fit, h); !s.ok())
      return fail(s.message());
  }
  if (Status s = saveModel(model.toModel(), out); !s.ok())
    return fail(s.message());
  if (model.interrupted()) {
    std::fprintf(stderr,
                 "kiln-train: stopped by %s with %d epochs done; saved %s "
                 "(continue with: kiln-train --resume %s)\n",
                 stopSignal == SIGTERM ? "SIGTERM" : "SIGINT",
                 model.epochsCompleted(), out.c_str(), out.c_str());
    return 128 + stopSignal;
  }
  if (data.hasTest) {
    Evaluation e = model.evaluate(data.xTest, data.yTest);
    if (!data.yTest.labels.empty())
      std::printf("test loss %.4f  test accuracy %.4f\n", e.loss, e.accuracy);
    else
      std::printf("test loss %.4f\n", e.loss);
  }
  std::printf("saved %s\n", out.c_str());
  return 0;
}
