//===- CallbacksTest.cpp - Callbacks, schedules in fit, exact resume ------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "trainer/Callbacks.h"
#include "trainer/BatchNorm.h"
#include "trainer/Dense.h"
#include "trainer/Dropout.h"
#include "trainer/ModelTensors.h"
#include "trainer/Sequential.h"

#include "TrainerTestUtil.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

using namespace kiln;
using namespace kiln::train;
using kiln::train::testing::blobs;
using kiln::train::testing::failsWith;
using kiln::train::testing::reload;
using kiln::train::testing::throughFile;

namespace {

std::unique_ptr<Sequential> makeModel(double lr = 0.05) {
  auto m = std::make_unique<Sequential>("cb");
  m->add(std::make_unique<Dense>(
      "dense",
      DenseOptions::make(8, Activation::withDefaults(ActivationKind::Elu))));
  m->add(std::make_unique<BatchNorm>("bn"));
  m->add(std::make_unique<Dropout>("dropout", 0.2f));
  m->add(std::make_unique<Dense>(
      "dense_1", DenseOptions::make(
                     2, Activation::withDefaults(ActivationKind::Softmax))));
  EXPECT_TRUE(m->build({4}, 9).ok());
  OptimizerOptions sgd;
  sgd.learningRate = lr;
  sgd.momentum = 0.9;
  m->compile(LossKind::SparseCategoricalCrossentropy,
             makeOptimizer(OptimizerKind::Sgd, sgd));
  return m;
}

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "kiln_cb_" + name;
}

std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<Matrix> marker(Sequential &m, float value) {
  std::vector<Matrix> w = m.getWeights();
  for (Matrix &t : w)
    t.setConstant(value);
  return w;
}

TEST(CallbacksTest, EarlyStoppingRestoresTheBestWeightsWhenItStops) {
  auto model = makeModel();
  EarlyStopping::Options o;
  o.patience = 2;
  o.restoreBestWeights = true;
  EarlyStopping es(o);
  ASSERT_TRUE(es.onTrainBegin(*model, 10).ok());
  // Epoch e has weights all equal to e; the best val_loss is epoch 1's.
  const double valLoss[] = {0.5, 0.3, 0.4, 0.35, 0.2};
  bool stop = false;
  int e = 0;
  for (; e < 5 && !stop; ++e) {
    ASSERT_TRUE(model->setWeights(marker(*model, float(e))).ok());
    ASSERT_TRUE(
        es.onEpochEnd(*model, e, {{"val_loss", valLoss[e]}}, stop).ok());
  }
  EXPECT_TRUE(stop);
  EXPECT_EQ(es.stoppedEpoch(), 3); // epochs 2 and 3 did not improve
  EXPECT_EQ(es.bestEpoch(), 1);
  for (const Matrix &w : model->getWeights())
    EXPECT_TRUE((w.array() == 1.0f).all());

  // min_delta: 0.3 → 0.29 is not an improvement of more than 0.05.
  o.minDelta = 0.05;
  o.restoreBestWeights = false;
  EarlyStopping strict(o);
  ASSERT_TRUE(strict.onTrainBegin(*model, 10).ok());
  stop = false;
  for (double v : {0.3, 0.29, 0.28})
    ASSERT_TRUE(strict.onEpochEnd(*model, 1, {{"val_loss", v}}, stop).ok());
  EXPECT_TRUE(stop);
  // An accuracy goes up.
  EarlyStopping acc({"val_accuracy", 0, 1, false});
  ASSERT_TRUE(acc.onTrainBegin(*model, 10).ok());
  stop = false;
  ASSERT_TRUE(acc.onEpochEnd(*model, 0, {{"val_accuracy", 0.5}}, stop).ok());
  ASSERT_TRUE(acc.onEpochEnd(*model, 1, {{"val_accuracy", 0.6}}, stop).ok());
  EXPECT_FALSE(stop);
  ASSERT_TRUE(acc.onEpochEnd(*model, 2, {{"val_accuracy", 0.55}}, stop).ok());
  EXPECT_TRUE(stop);
  Status missing = acc.onEpochEnd(*model, 3, {{"loss", 1}}, stop);
  EXPECT_TRUE(failsWith(missing, "'val_accuracy' is not available"));
}

// Counters from a run file that do not fit an int (an edited file) are an
// error naming them, not undefined behaviour.
TEST(CallbacksTest, RestoreRejectsCountersOutOfRange) {
  auto model = makeModel();
  EarlyStopping es({"val_loss", 0, 1, false});
  CallbackState state = es.state();
  state.state = {{"wait", std::numeric_limits<double>::infinity(), {}}};
  EXPECT_TRUE(failsWith(es.restore(state, *model),
                        "training: callback "
                        "'early_stopping': 'wait' = inf is "
                        "not an integer in"));
  state.state = {{"stopped_epoch", 1e12, {}}};
  EXPECT_TRUE(failsWith(es.restore(state, *model), "'stopped_epoch' = "));
  CsvLogger log("log.csv");
  CallbackState logState = log.state();
  logState.state = {{"length", -1e300, {}}};
  EXPECT_TRUE(failsWith(log.restore(logState, *model), "'length' = "));
}

// Best weights from a run file that do not fit the model (a corrupt or
// edited file) are an error naming them when the fit resumes, not when
// they would be put back, and never an abort.
TEST(CallbacksTest, EarlyStoppingRejectsBestWeightsOfAnotherShape) {
  auto model = makeModel();
  EarlyStopping es({"val_loss", /*minDelta=*/0, /*patience=*/1,
                    /*restoreBestWeights=*/true});
  ASSERT_TRUE(es.onTrainBegin(*model, 10).ok());
  CallbackState state = es.state();
  state.state = {{"best", 0.1, {}}, {"wait", 3, {}}};
  state.tensors = {{"best_weights/0", Tensor::fromF32({1, 1}, {0.f})}};
  EXPECT_TRUE(failsWith(es.restore(state, *model),
                        "training: callback 'early_stopping': best weights: "
                        "weights: 1 tensors given, the model has"));
  // The right count with a transposed kernel.
  std::vector<Matrix> before = model->getWeights();
  state.tensors.clear();
  for (size_t i = 0; i < before.size(); ++i)
    state.tensors.push_back(
        {"best_weights/" + std::to_string(i),
         toModelTensor(i == 0 ? Matrix(before[0].transpose()) : before[i])});
  EXPECT_TRUE(failsWith(es.restore(state, *model), "weights: tensor 0 is"));
  // setWeights checks the same, before changing anything.
  std::vector<Matrix> transposed = before;
  transposed[0] = before[0].transpose();
  EXPECT_TRUE(failsWith(model->setWeights(transposed), "weights: tensor 0 is"));
  EXPECT_EQ(model->getWeights(), before);
}

// Through fit: a resumed fit whose early-stopping state holds weights of
// another model stops before its first epoch.
TEST(CallbacksTest, ResumedFitRejectsBestWeightsOfAnotherModel) {
  auto [x, t] = blobs(60, 3);
  auto model = makeModel();
  FitOptions first;
  first.epochs = 1;
  History h;
  ASSERT_TRUE(model->fit(x, t, first, h).ok());
  Model file = model->toModel();
  ASSERT_TRUE(file.training);
  // As if saved by a 3-epoch fit after its first epoch.
  file.training->progress = {{"fit_epochs", 3, {}}};
  file.training->callbacks = {
      {"early_stopping",
       {{"best", 0.1, {}}, {"wait", 0, {}}},
       {{"best_weights/0", Tensor::fromF32({1, 1}, {0.f})}}}};
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(serializeModel(file, bytes).ok());
  auto resumed = reload(bytes);
  EarlyStopping es({"loss", 0, 1, true});
  FitOptions o;
  o.epochs = 3;
  o.initialEpoch = 1;
  o.callbacks = {&es};
  std::vector<Matrix> before = resumed->getWeights();
  EXPECT_TRUE(failsWith(resumed->fit(x, t, o, h), "best weights: weights: "
                                                  "1 tensors given"));
  EXPECT_EQ(resumed->getWeights(), before);
}

TEST(CallbacksTest, EarlyStoppingInFitStopsAndRestores) {
  auto [x, t] = blobs(400, 1);
  // A rate this high makes validation loss bounce, so patience 1 stops it.
  auto model = makeModel(3.0);
  EarlyStopping es({"val_loss", 0, 1, true});
  FitOptions options;
  options.epochs = 30;
  options.validationSplit = 0.25;
  options.callbacks = {&es};
  std::vector<std::vector<Matrix>> perEpoch;
  options.onEpochEnd = [&](int, const History &) {
    perEpoch.push_back(model->getWeights());
    return Status::success();
  };
  History h;
  ASSERT_TRUE(model->fit(x, t, options, h).ok());
  ASSERT_GE(es.stoppedEpoch(), 1);
  EXPECT_EQ(int(h.loss.size()), es.stoppedEpoch() + 1);
  // onEpochEnd runs after the callbacks, so the stopping epoch's snapshot
  // already holds the restored weights: the best epoch's.
  EXPECT_EQ(perEpoch.back(), perEpoch[size_t(es.bestEpoch())]);
  double best = *std::min_element(h.valLoss.begin(), h.valLoss.end());
  EXPECT_EQ(h.valLoss[size_t(es.bestEpoch())], best);
}

TEST(CallbacksTest, ModelCheckpointSavesOnlyImprovements) {
  auto model = makeModel();
  std::string path = tempPath("best.kiln");
  std::remove(path.c_str());
  ModelCheckpoint cp({path, "val_loss", true});
  ASSERT_TRUE(cp.onTrainBegin(*model, 3).ok());
  bool stop = false;
  ASSERT_TRUE(cp.onEpochEnd(*model, 0, {{"val_loss", 0.5}}, stop).ok());
  Model saved;
  ASSERT_TRUE(loadModel(path, saved).ok());
  EXPECT_TRUE(saved.training.has_value());
  std::remove(path.c_str());
  ASSERT_TRUE(cp.onEpochEnd(*model, 1, {{"val_loss", 0.6}}, stop).ok());
  EXPECT_FALSE(std::ifstream(path).good());
  ASSERT_TRUE(cp.onEpochEnd(*model, 2, {{"val_loss", 0.4}}, stop).ok());
  EXPECT_TRUE(std::ifstream(path).good());
  // A path that cannot be written is an error naming the callback.
  ModelCheckpoint bad({"/nonexistent-dir/x.kiln", "val_loss", false});
  Status s = bad.onEpochEnd(*model, 0, {}, stop);
  EXPECT_TRUE(failsWith(s, "model_checkpoint"));
}

TEST(CallbacksTest, CsvLoggerWritesOneRowPerEpoch) {
  auto [x, t] = blobs(200, 2);
  auto model = makeModel();
  std::string path = tempPath("log.csv");
  CsvLogger csv(path);
  FitOptions options;
  options.epochs = 3;
  options.validationSplit = 0.25;
  options.callbacks = {&csv};
  History h;
  ASSERT_TRUE(model->fit(x, t, options, h).ok());
  std::istringstream in(slurp(path));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "epoch,accuracy,loss,lr,val_accuracy,val_loss");
  int rows = 0;
  while (std::getline(in, line)) {
    EXPECT_EQ(line.substr(0, 2), std::to_string(rows) + ",");
    ++rows;
  }
  EXPECT_EQ(rows, 3);
}

TEST(CallbacksTest, TerminateOnNaNStopsAndKeepsTheLastCheckpoint) {
  auto [x, t] = blobs(200, 3);
  auto model = makeModel();
  std::string path = tempPath("nan.kiln");
  ModelCheckpoint cp({path, "loss", false});
  TerminateOnNaN nan;
  FitOptions options;
  options.epochs = 1;
  options.callbacks = {&nan, &cp};
  History h;
  ASSERT_TRUE(model->fit(x, t, options, h).ok());
  std::string good = slurp(path);
  ASSERT_FALSE(good.empty());
  // A NaN input weight makes every later loss NaN.
  std::vector<Matrix> w = model->getWeights();
  w[0](0, 0) = std::numeric_limits<float>::quiet_NaN();
  ASSERT_TRUE(model->setWeights(w).ok());
  options.initialEpoch = 1;
  options.epochs = 3;
  Status s = model->fit(x, t, options, h);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(failsWith(s, "loss became NaN in epoch 2 (update"));
  EXPECT_EQ(slurp(path), good);
}

TEST(CallbacksTest, SchedulesDriveTheOptimizer) {
  auto [x, t] = blobs(320, 4);
  auto model = makeModel();
  ScheduleOptions o;
  o.kind = ScheduleKind::Exponential;
  o.initialLearningRate = 0.05;
  o.decaySteps = 2;
  o.perEpoch = true;
  model->setSchedule(std::make_unique<Schedule>(o));
  FitOptions options;
  options.epochs = 3;
  options.batchSize = 32;
  History h;
  ASSERT_TRUE(model->fit(x, t, options, h).ok());
  ASSERT_EQ(h.learningRate.size(), 3u);
  for (int e = 0; e < 3; ++e)
    EXPECT_NEAR(h.learningRate[size_t(e)], 0.05 * std::pow(0.1, e / 2.0),
                1e-15);
  // 1cycle over the 10 updates per epoch × 3 epochs sets SGD's momentum.
  auto cyc = makeModel();
  cyc->setSchedule(std::make_unique<Schedule>(ScheduleOptions::oneCycle(0.1)));
  ASSERT_TRUE(cyc->fit(x, t, options, h).ok());
  // Last update: t = 29 >= 2h = 26 (T 30, L 4): momentum back at 0.95, the
  // rate on the last ramp 0.01 → 1e-5.
  EXPECT_NEAR(cyc->getOptimizer()->getOptions().momentum, 0.95, 1e-15);
  EXPECT_NEAR(cyc->getOptimizer()->learningRate(), 0.01 + (1e-5 - 0.01) * 3 / 4,
              1e-15);
  // A run of two fits (kiln-train's transfer phases): 1cycle spans both
  // when the first fit names the run's last epoch, 5 epochs of 10 updates.
  auto phased = makeModel();
  phased->setSchedule(
      std::make_unique<Schedule>(ScheduleOptions::oneCycle(0.1)));
  FitOptions first = options;
  first.epochs = 2;
  first.scheduleEpochs = 5;
  ASSERT_TRUE(phased->fit(x, t, first, h).ok());
  EXPECT_EQ(phased->getSchedule()->getOptions().totalSteps, 50);
  FitOptions second = options;
  second.initialEpoch = 2;
  second.epochs = 5;
  ASSERT_TRUE(phased->fit(x, t, second, h).ok());
  EXPECT_EQ(phased->getSchedule()->getOptions().totalSteps, 50);
  // Last update: t = 49 on the last ramp (T 50, L 6, from t = 44).
  EXPECT_NEAR(phased->getOptimizer()->learningRate(),
              0.01 + (1e-5 - 0.01) * 5 / 6, 1e-15);
}

/// Sets the interrupt flag after update `at` (0-based, whole run).
class InterruptAt : public Callback {
public:
  InterruptAt(int64_t at, volatile std::sig_atomic_t &flag)
      : Callback("test_interrupt"), at(at), flag(flag) {}
  Status onBatchEnd(Sequential &, int, int64_t step, double) override {
    if (step == at)
      flag = 1;
    return Status::success();
  }

private:
  int64_t at;
  volatile std::sig_atomic_t &flag;
};

/// A straight run against one interrupted mid-epoch (the flag a SIGINT
/// handler sets) and one killed after a checkpoint, both resumed from their
/// files with fresh callbacks: weights, history and the CSV log must be
/// bitwise those of the straight run.
TEST(CallbacksTest, ResumeIsBitwiseTheUninterruptedRun) {
  auto [x, t] = blobs(300, 5);
  struct Run {
    std::unique_ptr<Sequential> model;
    std::string csv;
    std::unique_ptr<CsvLogger> log;
    std::unique_ptr<EarlyStopping> es;
    std::vector<Callback *> callbacks() { return {log.get(), es.get()}; }
  };
  auto start = [&](const std::string &name, std::unique_ptr<Sequential> m) {
    Run r;
    if (!m) {
      m = makeModel();
      ScheduleOptions o;
      o.kind = ScheduleKind::Performance;
      o.initialLearningRate = 0.05;
      o.patience = 1;
      o.factor = 0.5;
      o.minDelta = 0.05; // reduces the rate within five epochs
      m->setSchedule(std::make_unique<Schedule>(o));
    }
    r.model = std::move(m);
    r.csv = tempPath(name + ".csv");
    r.log = std::make_unique<CsvLogger>(r.csv);
    r.es = std::make_unique<EarlyStopping>(
        EarlyStopping::Options{"val_loss", 0, 100, true});
    return r;
  };
  FitOptions options;
  options.epochs = 5;
  options.batchSize = 32; // 8 updates per epoch on 240 rows
  options.validationSplit = 0.2;
  options.seed = 77;

  Run straight = start("straight", nullptr);
  options.callbacks = straight.callbacks();
  History h;
  ASSERT_TRUE(straight.model->fit(x, t, options, h).ok());

  // Interrupted after update 19 (epoch 2, batch 4 of 8), saved, resumed.
  Run first = start("interrupted", nullptr);
  volatile std::sig_atomic_t flag = 0;
  InterruptAt interrupter(19, flag);
  options.callbacks = first.callbacks();
  options.callbacks.push_back(&interrupter);
  options.interrupt = &flag;
  ASSERT_TRUE(first.model->fit(x, t, options, h).ok());
  ASSERT_TRUE(first.model->interrupted());
  EXPECT_EQ(first.model->epochsCompleted(), 2);
  Run second = start("interrupted", throughFile(*first.model));
  options.callbacks = second.callbacks();
  options.interrupt = nullptr;
  options.initialEpoch = second.model->epochsCompleted();
  ASSERT_TRUE(second.model->fit(x, t, options, h).ok());

  // Checkpoint after epoch 2, then killed in epoch 4 (the flag stops it;
  // nothing is saved and the object is dropped, so its CSV keeps rows the
  // resumed run must replace).
  Run doomed = start("killed", nullptr);
  std::vector<uint8_t> checkpoint;
  volatile std::sig_atomic_t kill = 0;
  InterruptAt killer(27, kill); // 8 updates per epoch: inside epoch 4
  options.callbacks = doomed.callbacks();
  options.callbacks.push_back(&killer);
  options.interrupt = &kill;
  options.initialEpoch = 0;
  options.onEpochEnd = [&](int epoch, const History &) {
    if (epoch == 1)
      return serializeModel(doomed.model->toModel(), checkpoint);
    return Status::success();
  };
  ASSERT_TRUE(doomed.model->fit(x, t, options, h).ok());
  ASSERT_TRUE(doomed.model->interrupted());
  doomed.log.reset(); // closes the file, as the kernel would
  Run revived = start("killed", reload(checkpoint));
  options.callbacks = revived.callbacks();
  options.interrupt = nullptr;
  options.onEpochEnd = nullptr;
  options.initialEpoch = revived.model->epochsCompleted();
  ASSERT_EQ(options.initialEpoch, 2);
  ASSERT_TRUE(revived.model->fit(x, t, options, h).ok());

  for (Run *r : {&second, &revived}) {
    EXPECT_EQ(r->model->getWeights(), straight.model->getWeights());
    EXPECT_EQ(r->model->history().loss, straight.model->history().loss);
    EXPECT_EQ(r->model->history().valLoss, straight.model->history().valLoss);
    EXPECT_EQ(r->model->history().learningRate,
              straight.model->history().learningRate);
    EXPECT_EQ(r->es->bestEpoch(), straight.es->bestEpoch());
    straight.log.reset();
    r->log.reset();
    EXPECT_EQ(slurp(r->csv), slurp(straight.csv));
  }
  // The schedule did reduce the rate, so its state mattered.
  const std::vector<double> &lr = straight.model->history().learningRate;
  EXPECT_LT(lr.back(), lr.front());
}

TEST(CallbacksTest, ResumeNeedsTheSameEpochAndBatches) {
  auto [x, t] = blobs(300, 6);
  auto model = makeModel();
  volatile std::sig_atomic_t flag = 0;
  InterruptAt interrupter(3, flag);
  FitOptions options;
  options.epochs = 2;
  options.callbacks = {&interrupter};
  options.interrupt = &flag;
  History h;
  ASSERT_TRUE(model->fit(x, t, options, h).ok());
  ASSERT_TRUE(model->interrupted());
  auto back = throughFile(*model);
  options.callbacks = {};
  options.interrupt = nullptr;
  options.initialEpoch = 1;
  Status s = back->fit(x, t, options, h);
  EXPECT_TRUE(failsWith(s, "stopped inside epoch 1 after 4 batches"));
}

TEST(CallbacksTest, EarlyStopOutranksAnInterruptAndEndsTheFitForGood) {
  auto [x, t] = blobs(400, 1);
  auto model = makeModel(3.0); // bouncing validation loss: stops early
  EarlyStopping es({"val_loss", 0, 1, true});
  volatile std::sig_atomic_t flag = 0;
  struct RaiseOnStopEpoch : Callback {
    volatile std::sig_atomic_t &flag;
    explicit RaiseOnStopEpoch(volatile std::sig_atomic_t &f)
        : Callback("raise"), flag(f) {}
    Status onEpochEnd(Sequential &, int, const Logs &, bool &stop) override {
      if (stop)
        flag = 1; // a signal arriving in the epoch that stops training
      return Status::success();
    }
  } raise(flag);
  FitOptions options;
  options.epochs = 30;
  options.validationSplit = 0.25;
  options.callbacks = {&es, &raise};
  options.interrupt = &flag;
  History h;
  ASSERT_TRUE(model->fit(x, t, options, h).ok());
  ASSERT_GE(es.stoppedEpoch(), 1);
  EXPECT_FALSE(model->interrupted()); // stopped, not resumable
  EXPECT_TRUE(model->stoppedEarlyByCallback());
  // Resuming that fit from its file trains nothing more.
  auto back = throughFile(*model);
  EarlyStopping fresh({"val_loss", 0, 1, true});
  options.callbacks = {&fresh};
  options.interrupt = nullptr;
  options.initialEpoch = back->epochsCompleted();
  std::vector<Matrix> before = back->getWeights();
  History h2;
  ASSERT_TRUE(back->fit(x, t, options, h2).ok());
  EXPECT_TRUE(h2.loss.empty());
  EXPECT_EQ(back->getWeights(), before);
  // A new fit (another target) trains again, with fresh callbacks.
  options.epochs = back->epochsCompleted() + 1;
  ASSERT_TRUE(back->fit(x, t, options, h2).ok());
  EXPECT_EQ(h2.loss.size(), 1u);
}

TEST(CallbacksTest, DuplicateNamesAreRejected) {
  auto [x, t] = blobs(50, 2);
  auto model = makeModel();
  CsvLogger a(tempPath("a.csv")), b(tempPath("b.csv"));
  FitOptions options;
  options.callbacks = {&a, &b};
  History h;
  Status s = model->fit(x, t, options, h);
  EXPECT_TRUE(failsWith(s, "two callbacks are named 'csv_logger'"));
  b.setName("csv_logger_1");
  EXPECT_TRUE(model->fit(x, t, options, h).ok());
}

/// Counts the epochs it saw; the count is its saved state.
class EpochCounter : public Callback {
public:
  EpochCounter() : Callback("epoch_counter") {}
  Status onTrainBegin(Sequential &, int) override {
    count = 0;
    return Status::success();
  }
  Status onEpochEnd(Sequential &, int, const Logs &, bool &) override {
    ++count;
    return Status::success();
  }
  CallbackState state() const override {
    return {name(), {{"count", double(count), {}}}, {}};
  }
  Status restore(const CallbackState &s, const Sequential &) override {
    count = int(s.state.at(0).value);
    return Status::success();
  }
  int count = 0;
};

TEST(CallbacksTest, CallbackStatesCarryOverOnlyToTheFitThatSavedThem) {
  auto [x, t] = blobs(100, 3);
  auto model = makeModel();
  EpochCounter counter;
  FitOptions options;
  options.epochs = 2;
  options.callbacks = {&counter};
  // Saved after the last epoch from inside fit, as kiln-train's run file
  // is: with the callbacks' states.
  std::vector<uint8_t> phase1;
  options.onEpochEnd = [&](int epoch, const History &) {
    return epoch == 1 ? serializeModel(model->toModel(), phase1)
                      : Status::success();
  };
  History h;
  ASSERT_TRUE(model->fit(x, t, options, h).ok());
  ASSERT_EQ(counter.count, 2);
  options.onEpochEnd = nullptr;

  // A second fit (the next phase, 4 epochs in all) starts its callbacks
  // fresh, whether the model comes from memory or from the file saved at
  // the end of the first fit (a run killed between the two).
  auto back = reload(phase1);
  EpochCounter fresh;
  options.callbacks = {&fresh};
  options.initialEpoch = 2;
  options.epochs = 4;
  ASSERT_TRUE(back->fit(x, t, options, h).ok());
  EXPECT_EQ(fresh.count, 2);

  // The same fit, interrupted and resumed, continues the count.
  auto again = makeModel();
  EpochCounter first;
  volatile std::sig_atomic_t flag = 0;
  InterruptAt at(5, flag); // 4 updates per epoch: inside epoch 2
  options.callbacks = {&first, &at};
  options.interrupt = &flag;
  options.initialEpoch = 0;
  ASSERT_TRUE(again->fit(x, t, options, h).ok());
  ASSERT_TRUE(again->interrupted());
  std::vector<uint8_t> mid;
  ASSERT_TRUE(serializeModel(again->toModel(), mid).ok());
  auto resumed = reload(mid);
  EpochCounter second;
  options.callbacks = {&second};
  options.interrupt = nullptr;
  options.initialEpoch = resumed->epochsCompleted();
  ASSERT_TRUE(resumed->fit(x, t, options, h).ok());
  EXPECT_EQ(second.count, 4);
}

TEST(CallbacksTest, ValidationMonitorsNeedValidationDataBeforeTraining) {
  auto [x, t] = blobs(50, 4);
  auto model = makeModel();
  std::vector<Matrix> before = model->getWeights();
  EarlyStopping es({"val_accuracy", 0, 1, false});
  FitOptions options;
  options.callbacks = {&es};
  History h;
  Status s = model->fit(x, t, options, h);
  EXPECT_TRUE(failsWith(s, "early_stopping monitors 'val_accuracy' but "
                           "there is no validation data"));
  EXPECT_EQ(model->getWeights(), before); // nothing trained
  // A training metric is fine, and so is a validation one with a split.
  EarlyStopping onLoss({"loss", 0, 1, false});
  options.callbacks = {&onLoss};
  EXPECT_TRUE(model->fit(x, t, options, h).ok());
  options.callbacks = {&es};
  options.validationSplit = 0.2;
  EXPECT_TRUE(model->fit(x, t, options, h).ok());
}

} // namespace
