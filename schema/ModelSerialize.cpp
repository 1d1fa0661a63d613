//===- ModelSerialize.cpp - .kiln bytes <-> in-memory model ---------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Reading trusts nothing: the FlatBuffers verifier proves every offset and
// vector stays inside the buffer, but it accepts unknown enum values and
// unknown union members (FlatBuffers 2.0 verifies those as "true" for
// forward compatibility), so the reader checks each enum itself and reports
// the field by name. It also charges every copy against the file's size,
// so data shared between fields cannot inflate a small file into a huge
// model. Then validateModel() checks the meaning.
//
// Writing forces explicit defaults (so a reader never depends on schema
// defaults) and 16-byte alignment of tensor data.
//
//===----------------------------------------------------------------------===//

#include "schema/Model.h"
#include "schema/model_generated.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln {
namespace {

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

/// True if `e` is one of the enum's declared values (`values` is the
/// generated EnumValues* array).
template <typename E, size_t N>
bool isKnown(E e, const E (&values)[N]) {
  for (E v : values)
    if (v == e)
      return true;
  return false;
}

template <typename E>
Status unknownEnum(const std::string &where, E e) {
  return Status::error(where + ": unknown value " +
                       std::to_string(static_cast<int>(e)));
}

/// Reads a verified buffer into the in-memory model.
///
/// Every vector and string is copied out through copy(), which charges its
/// size (with its 4-byte length prefix) against a budget of the buffer's
/// size. A FlatBuffer is a DAG: a hostile file can point every layer at one
/// large kernel, or every class name at one long string, and the verifier
/// checks each reference separately, so without the budget a small file
/// could make the loader allocate far more than it holds (4096 layers
/// sharing one 64 MiB kernel: 256 GiB). Kiln's writer and `flatc -b` write
/// every vector and string out separately, so a genuine file always fits:
/// each copy is backed by bytes of its own.
class Reader {
public:
  Reader(size_t bufferSize, const ModelLimits &limits)
      : budget(bufferSize), limits(limits) {}

  Status readModel(const fb::Model *src, Model &out);

private:
  size_t budget;
  const ModelLimits &limits;

  /// Charges `bytes` to the budget; false once the reads exceed the file.
  bool charge(size_t bytes) {
    if (bytes > budget) {
      budget = 0;
      return false;
    }
    budget -= bytes;
    return true;
  }

  static Status sharedData(const std::string &where) {
    return Status::error(where + ": corrupt model file: data is shared "
                                 "between fields, and reading it would "
                                 "take more memory than the file holds");
  }

  /// Copies a vector of scalars out of the buffer. memcpy, not the generated
  /// accessors: FlatBuffers 2.0's verifier only checks the 4-byte alignment
  /// of a vector's length prefix, so a hostile file can put a [long] vector
  /// at an address that is not 8-aligned, and element access would be a
  /// misaligned load (found by the fuzzer). FlatBuffers data is
  /// little-endian, as are all of Kiln's targets.
  template <typename T>
  Status copy(const flatbuffers::Vector<T> *v, const std::string &where,
              std::vector<T> &out) {
    static_assert(FLATBUFFERS_LITTLEENDIAN, "Kiln reads FlatBuffers in place");
    out.clear();
    if (!v)
      return Status::success();
    if (!charge(sizeof(flatbuffers::uoffset_t) + size_t(v->size()) * sizeof(T)))
      return sharedData(where);
    out.resize(v->size());
    if (!out.empty())
      std::memcpy(out.data(), v->Data(), out.size() * sizeof(T));
    return Status::success();
  }

  Status copy(const flatbuffers::String *s, const std::string &where,
              std::string &out) {
    out.clear();
    if (!s)
      return Status::success();
    if (!charge(sizeof(flatbuffers::uoffset_t) + size_t(s->size()) + 1))
      return sharedData(where);
    out.assign(s->c_str(), s->size());
    return Status::success();
  }

  Status readTensor(const fb::Tensor *src, const std::string &where,
                    Tensor &out);
  Status readOptionalTensor(const fb::Tensor *src, const std::string &where,
                            std::optional<Tensor> &out);
  Status readNamedTensors(
      const flatbuffers::Vector<flatbuffers::Offset<fb::NamedTensor>> *src,
      const std::string &where, std::vector<NamedTensor> &out);
  Status
  readParams(const flatbuffers::Vector<flatbuffers::Offset<fb::Param>> *src,
             const std::string &where, std::vector<Param> &out);
  Status readActivation(const fb::Activation *src, const std::string &where,
                        Activation &out);
  Status readLayer(const fb::Layer *src, size_t index, Layer &out);
  Status readTraining(const fb::TrainingState *src, TrainingState &out);
};

/// Runs `expr` (a Status) and returns it from the caller if it failed.
#define KILN_RETURN_IF_ERROR(expr)                                             \
  do {                                                                         \
    if (Status kilnStatus_ = (expr); !kilnStatus_.ok())                        \
      return kilnStatus_;                                                      \
  } while (false)

Status Reader::readTensor(const fb::Tensor *src, const std::string &where,
                          Tensor &out) {
  if (!src)
    return Status::error(where + ": missing");
  if (!isKnown(src->dtype(), fb::EnumValuesDType()))
    return unknownEnum(where + ": dtype", src->dtype());
  out.dtype = static_cast<DType>(src->dtype());
  KILN_RETURN_IF_ERROR(copy(src->shape(), where + ": shape", out.shape));
  KILN_RETURN_IF_ERROR(copy(src->data(), where + ": data", out.data));
  if (const fb::Quantization *q = src->quantization()) {
    Quantization quant;
    KILN_RETURN_IF_ERROR(
        copy(q->scale(), where + ": quantization: scale", quant.scale));
    KILN_RETURN_IF_ERROR(copy(q->zero_point(),
                              where + ": quantization: zero_point",
                              quant.zeroPoint));
    quant.axis = q->axis();
    out.quantization = std::move(quant);
  }
  return Status::success();
}

Status Reader::readOptionalTensor(const fb::Tensor *src,
                                  const std::string &where,
                                  std::optional<Tensor> &out) {
  if (!src)
    return Status::success();
  Tensor t;
  KILN_RETURN_IF_ERROR(readTensor(src, where, t));
  out = std::move(t);
  return Status::success();
}

Status Reader::readNamedTensors(
    const flatbuffers::Vector<flatbuffers::Offset<fb::NamedTensor>> *src,
    const std::string &where, std::vector<NamedTensor> &out) {
  if (!src)
    return Status::success();
  for (const fb::NamedTensor *nt : *src) {
    NamedTensor t;
    // Required fields: the verifier checked that name and tensor exist.
    KILN_RETURN_IF_ERROR(copy(nt->name(), where + " name", t.name));
    KILN_RETURN_IF_ERROR(
        readTensor(nt->tensor(), where + " '" + t.name + "'", t.tensor));
    out.push_back(std::move(t));
  }
  return Status::success();
}

Status Reader::readParams(
    const flatbuffers::Vector<flatbuffers::Offset<fb::Param>> *src,
    const std::string &where, std::vector<Param> &out) {
  if (!src)
    return Status::success();
  for (const fb::Param *p : *src) {
    Param param;
    KILN_RETURN_IF_ERROR(copy(p->name(), where + " name", param.name));
    param.value = p->value();
    KILN_RETURN_IF_ERROR(
        copy(p->values(), where + " '" + param.name + "'", param.values));
    out.push_back(std::move(param));
  }
  return Status::success();
}

/// A missing activation table means identity (hand-written files).
Status Reader::readActivation(const fb::Activation *src,
                              const std::string &where, Activation &out) {
  if (!src)
    return Status::success();
  if (!isKnown(src->kind(), fb::EnumValuesActivationKind()))
    return unknownEnum(where + ": kind", src->kind());
  out.kind = static_cast<ActivationKind>(src->kind());
  out.alpha = src->alpha();
  out.scale = src->scale();
  out.lower = src->lower();
  out.upper = src->upper();
  return readOptionalTensor(src->prelu_alpha(), where + ": prelu_alpha",
                            out.preluAlpha);
}

Status Reader::readLayer(const fb::Layer *src, size_t index, Layer &out) {
  std::string where = "layer " + std::to_string(index);
  KILN_RETURN_IF_ERROR(copy(src->name(), where + ": name", out.name));
  out.trainable = src->trainable();
  where += " '" + out.name + "'";
  // A union may carry a type tag without a value; the verifier allows it.
  if (src->params_type() == fb::LayerParams::NONE || !src->params())
    return Status::error(where + ": missing layer parameters");
  switch (src->params_type()) {
  case fb::LayerParams::NONE:
    break;
  case fb::LayerParams::FlattenLayer:
    out.params = FlattenLayer();
    return Status::success();
  case fb::LayerParams::DenseLayer: {
    where += " (dense)";
    const fb::DenseLayer *d = src->params_as_DenseLayer();
    DenseLayer dense;
    dense.units = d->units();
    dense.useBias = d->use_bias();
    KILN_RETURN_IF_ERROR(readActivation(d->activation(), where + ": activation",
                                        dense.activation));
    KILN_RETURN_IF_ERROR(
        readTensor(d->kernel(), where + ": kernel", dense.kernel));
    KILN_RETURN_IF_ERROR(
        readOptionalTensor(d->bias(), where + ": bias", dense.bias));
    if (const fb::DensePenalties *p = d->penalties()) {
      DensePenalties &to = dense.penalties.emplace();
      to.kernelL1 = p->kernel_l1();
      to.kernelL2 = p->kernel_l2();
      to.biasL1 = p->bias_l1();
      to.biasL2 = p->bias_l2();
      to.kernelMaxNorm = p->kernel_max_norm();
      to.biasMaxNorm = p->bias_max_norm();
    }
    out.params = std::move(dense);
    return Status::success();
  }
  case fb::LayerParams::BatchNormLayer: {
    where += " (batch_norm)";
    const fb::BatchNormLayer *b = src->params_as_BatchNormLayer();
    BatchNormLayer bn;
    const std::pair<const fb::Tensor *, Tensor *> tensors[] = {
        {b->gamma(), &bn.gamma},
        {b->beta(), &bn.beta},
        {b->moving_mean(), &bn.movingMean},
        {b->moving_variance(), &bn.movingVariance}};
    const char *names[] = {"gamma", "beta", "moving_mean", "moving_variance"};
    for (size_t i = 0; i < 4; ++i)
      KILN_RETURN_IF_ERROR(readTensor(tensors[i].first, where + ": " + names[i],
                                      *tensors[i].second));
    bn.epsilon = b->epsilon();
    bn.momentum = b->momentum();
    bn.center = b->center();
    bn.scale = b->scale();
    out.params = std::move(bn);
    return Status::success();
  }
  case fb::LayerParams::ActivationLayer: {
    ActivationLayer act;
    KILN_RETURN_IF_ERROR(
        readActivation(src->params_as_ActivationLayer()->activation(),
                       where + " (activation): activation", act.activation));
    out.params = std::move(act);
    return Status::success();
  }
  case fb::LayerParams::DropoutLayer: {
    const fb::DropoutLayer *d = src->params_as_DropoutLayer();
    if (!isKnown(d->kind(), fb::EnumValuesDropoutKind()))
      return unknownEnum(where + " (dropout): kind", d->kind());
    out.params = DropoutLayer{d->rate(), static_cast<DropoutKind>(d->kind())};
    return Status::success();
  }
  }
  return Status::error(where + ": unknown layer type " +
                       std::to_string(static_cast<int>(src->params_type())));
}

Status Reader::readTraining(const fb::TrainingState *src, TrainingState &out) {
  out.epoch = src->epoch();
  out.step = src->step();
  if (const fb::OptimizerState *o = src->optimizer()) {
    if (!isKnown(o->kind(), fb::EnumValuesOptimizerKind()))
      return unknownEnum("training: optimizer: kind", o->kind());
    out.optimizer.kind = static_cast<OptimizerKind>(o->kind());
    KILN_RETURN_IF_ERROR(readParams(o->hyperparameters(),
                                    "training: optimizer: hyperparameter",
                                    out.optimizer.hyperparameters));
    out.optimizer.iterations = o->iterations();
    KILN_RETURN_IF_ERROR(readNamedTensors(
        o->slots(), "training: optimizer slot", out.optimizer.slots));
  }
  if (const fb::ScheduleState *sch = src->schedule()) {
    if (!isKnown(sch->kind(), fb::EnumValuesScheduleKind()))
      return unknownEnum("training: schedule: kind", sch->kind());
    out.schedule.kind = static_cast<ScheduleKind>(sch->kind());
    KILN_RETURN_IF_ERROR(readParams(sch->params(), "training: schedule: param",
                                    out.schedule.params));
    KILN_RETURN_IF_ERROR(readParams(sch->state(), "training: schedule: state",
                                    out.schedule.state));
  }
  if (const fb::RngState *rng = src->rng()) {
    if (!isKnown(rng->algorithm(), fb::EnumValuesRngAlgorithm()))
      return unknownEnum("training: rng: algorithm", rng->algorithm());
    out.rng.algorithm = static_cast<RngAlgorithm>(rng->algorithm());
    KILN_RETURN_IF_ERROR(
        copy(rng->words(), "training: rng: words", out.rng.words));
  }
  if (const auto *callbacks = src->callbacks())
    for (const fb::CallbackState *cb : *callbacks) {
      CallbackState state;
      KILN_RETURN_IF_ERROR(
          copy(cb->name(), "training: callback name", state.name));
      std::string where = "training: callback '" + state.name + "'";
      KILN_RETURN_IF_ERROR(
          readParams(cb->state(), where + " state", state.state));
      KILN_RETURN_IF_ERROR(
          readNamedTensors(cb->tensors(), where + " tensor", state.tensors));
      out.callbacks.push_back(std::move(state));
    }
  if (const auto *history = src->history())
    for (const fb::Metric *m : *history) {
      Metric metric;
      KILN_RETURN_IF_ERROR(
          copy(m->name(), "training: history metric name", metric.name));
      KILN_RETURN_IF_ERROR(copy(m->values(),
                                "training: history '" + metric.name + "'",
                                metric.values));
      out.history.push_back(std::move(metric));
    }
  KILN_RETURN_IF_ERROR(copy(src->config(), "training: config", out.config));
  KILN_RETURN_IF_ERROR(copy(src->loss(), "training: loss", out.loss));
  return readParams(src->progress(), "training: progress", out.progress);
}

Status Reader::readModel(const fb::Model *src, Model &out) {
  // The version comes first: a newer file's other fields may mean things
  // this reader does not know.
  out.formatVersion = src->format_version();
  if (out.formatVersion < 1 || out.formatVersion > kFormatVersion)
    return Status::error("format version " + std::to_string(out.formatVersion) +
                         " is not supported (this Kiln reads version " +
                         std::to_string(kFormatVersion) + ")");
  KILN_RETURN_IF_ERROR(copy(src->name(), "name", out.name));
  KILN_RETURN_IF_ERROR(copy(src->producer(), "producer", out.producer));
  KILN_RETURN_IF_ERROR(copy(src->input_shape(), "input_shape", out.inputShape));
  if (const fb::Normalization *n = src->normalization()) {
    Normalization norm;
    KILN_RETURN_IF_ERROR(
        readTensor(n->mean(), "normalization: mean", norm.mean));
    KILN_RETURN_IF_ERROR(readTensor(n->std(), "normalization: std", norm.std));
    out.normalization = std::move(norm);
  }
  if (const auto *names = src->class_names())
    for (const flatbuffers::String *name : *names) {
      std::string className;
      KILN_RETURN_IF_ERROR(copy(name, "class_names", className));
      out.classNames.push_back(std::move(className));
    }
  if (const auto *layers = src->layers()) {
    // Bound the work before reading; validateModel() checks the same limit.
    if (layers->size() > limits.maxLayers)
      return Status::error("model has " + std::to_string(layers->size()) +
                           " layers, more than the limit of " +
                           std::to_string(limits.maxLayers));
    for (size_t i = 0; i < layers->size(); ++i) {
      Layer layer;
      KILN_RETURN_IF_ERROR(readLayer(layers->Get(i), i, layer));
      out.layers.push_back(std::move(layer));
    }
  }
  if (const fb::TrainingState *t = src->training()) {
    TrainingState training;
    KILN_RETURN_IF_ERROR(readTraining(t, training));
    out.training = std::move(training);
  }
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

class Writer {
public:
  Writer() { fbb.ForceDefaults(true); }

  std::vector<uint8_t> write(const Model &model) {
    auto name = fbb.CreateString(model.name);
    auto producer = fbb.CreateString(model.producer);
    auto inputShape = fbb.CreateVector(model.inputShape);
    flatbuffers::Offset<fb::Normalization> norm;
    if (model.normalization)
      norm = fb::CreateNormalization(fbb, tensor(model.normalization->mean),
                                     tensor(model.normalization->std));
    auto classNames = fbb.CreateVectorOfStrings(model.classNames);
    std::vector<flatbuffers::Offset<fb::Layer>> layerOffsets;
    for (const Layer &l : model.layers)
      layerOffsets.push_back(layer(l));
    auto layers = fbb.CreateVector(layerOffsets);
    flatbuffers::Offset<fb::TrainingState> trainingOffset;
    if (model.training)
      trainingOffset = training(*model.training);

    fb::ModelBuilder b(fbb);
    b.add_format_version(model.formatVersion);
    b.add_name(name);
    b.add_input_shape(inputShape);
    if (model.normalization)
      b.add_normalization(norm);
    b.add_class_names(classNames);
    b.add_layers(layers);
    if (model.training)
      b.add_training(trainingOffset);
    b.add_producer(producer);
    fb::FinishModelBuffer(fbb, b.Finish());
    return std::vector<uint8_t>(fbb.GetBufferPointer(),
                                fbb.GetBufferPointer() + fbb.GetSize());
  }

private:
  flatbuffers::FlatBufferBuilder fbb;

  flatbuffers::Offset<fb::Tensor> tensor(const Tensor &t) {
    auto shape = fbb.CreateVector(t.shape);
    // Align the payload so readers can use f32 data in place (flatc 2.0
    // ignores the schema's force_align on vectors).
    fbb.ForceVectorAlignment(t.data.size(), 1, 16);
    auto data = fbb.CreateVector(t.data);
    flatbuffers::Offset<fb::Quantization> quant;
    if (t.quantization)
      quant = fb::CreateQuantization(
          fbb, fbb.CreateVector(t.quantization->scale),
          fbb.CreateVector(t.quantization->zeroPoint), t.quantization->axis);
    fb::TensorBuilder b(fbb);
    b.add_shape(shape);
    b.add_dtype(static_cast<fb::DType>(t.dtype));
    b.add_data(data);
    if (t.quantization)
      b.add_quantization(quant);
    return b.Finish();
  }

  flatbuffers::Offset<fb::Activation> activation(const Activation &a) {
    flatbuffers::Offset<fb::Tensor> slope;
    if (a.preluAlpha)
      slope = tensor(*a.preluAlpha);
    return fb::CreateActivation(fbb, static_cast<fb::ActivationKind>(a.kind),
                                a.alpha, a.scale, a.lower, a.upper, slope);
  }

  flatbuffers::Offset<fb::Layer> layer(const Layer &l) {
    flatbuffers::Offset<void> params;
    fb::LayerParams type = fb::LayerParams::NONE;
    if (std::holds_alternative<FlattenLayer>(l.params)) {
      type = fb::LayerParams::FlattenLayer;
      params = fb::CreateFlattenLayer(fbb).Union();
    } else if (const auto *d = std::get_if<DenseLayer>(&l.params)) {
      type = fb::LayerParams::DenseLayer;
      auto act = activation(d->activation);
      auto kernel = tensor(d->kernel);
      flatbuffers::Offset<fb::Tensor> bias;
      if (d->bias)
        bias = tensor(*d->bias);
      flatbuffers::Offset<fb::DensePenalties> penalties;
      if (const auto &p = d->penalties)
        penalties = fb::CreateDensePenalties(fbb, p->kernelL1, p->kernelL2,
                                             p->biasL1, p->biasL2,
                                             p->kernelMaxNorm, p->biasMaxNorm);
      params = fb::CreateDenseLayer(fbb, d->units, d->useBias, act, kernel,
                                    bias, penalties)
                   .Union();
    } else if (const auto *bn = std::get_if<BatchNormLayer>(&l.params)) {
      type = fb::LayerParams::BatchNormLayer;
      auto gamma = tensor(bn->gamma), beta = tensor(bn->beta),
           mean = tensor(bn->movingMean), var = tensor(bn->movingVariance);
      params =
          fb::CreateBatchNormLayer(fbb, gamma, beta, mean, var, bn->epsilon,
                                   bn->momentum, bn->center, bn->scale)
              .Union();
    } else if (const auto *a = std::get_if<ActivationLayer>(&l.params)) {
      type = fb::LayerParams::ActivationLayer;
      params =
          fb::CreateActivationLayer(fbb, activation(a->activation)).Union();
    } else if (const auto *dr = std::get_if<DropoutLayer>(&l.params)) {
      type = fb::LayerParams::DropoutLayer;
      params = fb::CreateDropoutLayer(fbb, dr->rate,
                                      static_cast<fb::DropoutKind>(dr->kind))
                   .Union();
    }
    auto name = fbb.CreateString(l.name);
    return fb::CreateLayer(fbb, name, l.trainable, type, params);
  }

  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Param>>>
  params(const std::vector<Param> &ps) {
    std::vector<flatbuffers::Offset<fb::Param>> out;
    for (const Param &p : ps)
      out.push_back(fb::CreateParam(fbb, fbb.CreateString(p.name), p.value,
                                    fbb.CreateVector(p.values)));
    return fbb.CreateVector(out);
  }

  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::NamedTensor>>>
  namedTensors(const std::vector<NamedTensor> &ts) {
    std::vector<flatbuffers::Offset<fb::NamedTensor>> out;
    for (const NamedTensor &t : ts) {
      auto name = fbb.CreateString(t.name);
      out.push_back(fb::CreateNamedTensor(fbb, name, tensor(t.tensor)));
    }
    return fbb.CreateVector(out);
  }

  flatbuffers::Offset<fb::TrainingState> training(const TrainingState &t) {
    const OptimizerState &o = t.optimizer;
    auto optimizer = fb::CreateOptimizerState(
        fbb, static_cast<fb::OptimizerKind>(o.kind), params(o.hyperparameters),
        namedTensors(o.slots), o.iterations);
    auto schedule = fb::CreateScheduleState(
        fbb, static_cast<fb::ScheduleKind>(t.schedule.kind),
        params(t.schedule.params), params(t.schedule.state));
    auto rng =
        fb::CreateRngState(fbb, static_cast<fb::RngAlgorithm>(t.rng.algorithm),
                           fbb.CreateVector(t.rng.words));
    std::vector<flatbuffers::Offset<fb::CallbackState>> callbacks;
    for (const CallbackState &cb : t.callbacks) {
      auto name = fbb.CreateString(cb.name);
      auto state = params(cb.state);
      auto tensors = namedTensors(cb.tensors);
      callbacks.push_back(fb::CreateCallbackState(fbb, name, state, tensors));
    }
    auto callbackVec = fbb.CreateVector(callbacks);
    std::vector<flatbuffers::Offset<fb::Metric>> history;
    for (const Metric &m : t.history) {
      auto name = fbb.CreateString(m.name);
      history.push_back(
          fb::CreateMetric(fbb, name, fbb.CreateVector(m.values)));
    }
    auto historyVec = fbb.CreateVector(history);
    auto config = fbb.CreateString(t.config);
    auto loss = fbb.CreateString(t.loss);
    auto progress = params(t.progress);
    return fb::CreateTrainingState(fbb, t.epoch, t.step, optimizer, schedule,
                                   rng, callbackVec, historyVec, config, loss,
                                   progress);
  }
};

/// The largest buffer the loader accepts: the caller's limit, but never more
/// than FlatBuffers can address (its verifier requires size <
/// FLATBUFFERS_MAX_BUFFER_SIZE, 2^31 - 1, and asserts otherwise).
uint64_t maxBufferBytes(const ModelLimits &limits) {
  return std::min<uint64_t>(limits.maxFileBytes,
                            FLATBUFFERS_MAX_BUFFER_SIZE - 1);
}

std::string tooLarge(uint64_t size, const ModelLimits &limits) {
  return "file is " + std::to_string(size) +
         " bytes, larger than the limit of " +
         std::to_string(maxBufferBytes(limits));
}

} // namespace

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

Status parseModel(const void *data, size_t size, Model &out,
                  const std::string &source, const ModelLimits &limits) {
  auto fail = [&](const std::string &msg) {
    return Status::error(source + ": " + msg);
  };
  if (size == 0)
    return fail("empty file, not a Kiln model");
  if (size > maxBufferBytes(limits))
    return fail(tooLarge(size, limits));
  // Root offset + identifier.
  if (size < 8)
    return fail("truncated: " + std::to_string(size) +
                " bytes is too small for a Kiln model file");
  const auto *bytes = static_cast<const uint8_t *>(data);
  if (!fb::ModelBufferHasIdentifier(bytes)) {
    std::string id;
    for (int i = 4; i < 8; ++i)
      id += std::isprint(bytes[i]) ? char(bytes[i]) : '?';
    return fail("not a Kiln model file (file identifier '" + id +
                "', expected 'KILN')");
  }
  // The verifier checks scalar alignment relative to the buffer start, which
  // must therefore be aligned itself.
  std::vector<uint8_t> aligned;
  if (reinterpret_cast<uintptr_t>(bytes) % 16 != 0) {
    aligned.assign(bytes, bytes + size);
    bytes = aligned.data();
  }
  flatbuffers::Verifier verifier(bytes, size, /*max_depth=*/64,
                                 /*max_tables=*/1000000);
  if (!fb::VerifyModelBuffer(verifier))
    return fail("corrupt or truncated model file (FlatBuffers verification "
                "failed)");
  Model model;
  if (Status s = Reader(size, limits).readModel(fb::GetModel(bytes), model);
      !s.ok())
    return fail(s.message());
  if (Status s = validateModel(model, limits); !s.ok())
    return fail(s.message());
  out = std::move(model);
  return Status::success();
}

Status loadModel(const std::string &path, Model &out,
                 const ModelLimits &limits) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Status::error("cannot open '" + path + "': " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::error("cannot read '" + path + "': " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::error("cannot read '" + path + "': not a regular file");
  }
  // Check the size before allocating for it.
  if (uint64_t(st.st_size) > maxBufferBytes(limits)) {
    ::close(fd);
    return Status::error(path + ": " + tooLarge(uint64_t(st.st_size), limits));
  }
  std::vector<uint8_t> buffer(size_t(st.st_size));
  size_t done = 0;
  while (done < buffer.size()) {
    ssize_t n = ::read(fd, buffer.data() + done, buffer.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return Status::error(
          "cannot read '" + path +
          "': " + (n == 0 ? "file shrank while reading" : std::strerror(err)));
    }
    done += size_t(n);
  }
  ::close(fd);
  return parseModel(buffer.data(), buffer.size(), out, path, limits);
}

Status serializeModel(const Model &model, std::vector<uint8_t> &out) {
  if (Status s = validateModel(model); !s.ok())
    return Status::error("cannot save an invalid model: " + s.message());
  out = Writer().write(model);
  return Status::success();
}

std::vector<uint8_t> serializeModelUnchecked(const Model &model) {
  return Writer().write(model);
}

Status saveModel(const Model &model, const std::string &path) {
  std::vector<uint8_t> bytes;
  if (Status s = serializeModel(model, bytes); !s.ok())
    return s;
  return writeFileAtomically(path, bytes.data(), bytes.size());
}

Status writeFileAtomically(const std::string &path, const void *bytes,
                           size_t size) {
  return writeFilesAtomically({{path, bytes, size}});
}

Status writeFilesAtomically(const std::vector<FileContents> &files) {
  // Each temporary file lives in its target's directory so that rename()
  // is atomic (same file system). All are written and synced before the
  // first rename, so a full disk or any other write error replaces
  // nothing.
  std::vector<std::string> temps;
  auto discard = [&](size_t from) {
    for (size_t i = from; i < temps.size(); ++i)
      ::unlink(temps[i].c_str());
  };
  auto error = [](const std::string &path, int err) {
    return Status::error("cannot write '" + path + "': " + std::strerror(err));
  };
  // rename() fails on a directory, but only when it reaches it: a
  // directory at a later target would leave the earlier ones replaced.
  // Checked before anything is written.
  for (const FileContents &f : files) {
    struct stat st;
    if (::lstat(f.path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      return error(f.path, EISDIR);
  }
  mode_t mask = ::umask(0);
  ::umask(mask);
  for (const FileContents &f : files) {
    std::string tmp = f.path + ".tmp.XXXXXX";
    int fd = ::mkstemp(tmp.data());
    if (fd < 0) {
      int err = errno;
      discard(0);
      return error(f.path, err);
    }
    temps.push_back(tmp);
    auto fail = [&](int err) {
      ::close(fd);
      discard(0);
      return error(f.path, err);
    };
    const auto *p = static_cast<const uint8_t *>(f.bytes);
    size_t done = 0;
    while (done < f.size) {
      ssize_t n = ::write(fd, p + done, f.size - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return fail(errno);
      done += size_t(n);
    }
    // mkstemp creates 0600; an output is an ordinary user file.
    if (::fchmod(fd, 0666 & ~mask) != 0 || ::fsync(fd) != 0)
      return fail(errno);
    if (::close(fd) != 0) {
      int err = errno;
      discard(0);
      return error(f.path, err);
    }
  }
  // In the caller's order: a file that must not be replaced without the
  // ones before it goes after them.
  for (size_t i = 0; i < files.size(); ++i)
    if (::rename(temps[i].c_str(), files[i].path.c_str()) != 0) {
      int err = errno;
      discard(i);
      return error(files[i].path, err);
    }
  // The renames are durable once the directories are synced too: a crash
  // right after could otherwise leave the old file (or none) under the
  // name. File systems that cannot sync a directory (EINVAL) are left as
  // they are. Each directory once.
  std::vector<std::string> synced;
  for (const FileContents &f : files) {
    size_t slash = f.path.rfind('/');
    std::string dir = slash == std::string::npos ? "."
                      : slash == 0               ? "/"
                                                 : f.path.substr(0, slash);
    if (std::find(synced.begin(), synced.end(), dir) != synced.end())
      continue;
    synced.push_back(dir);
    int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dirFd < 0)
      continue;
    int rc = ::fsync(dirFd);
    int err = errno;
    ::close(dirFd);
    if (rc != 0 && err != EINVAL)
      return Status::error("cannot write '" + f.path + "': syncing '" + dir +
                           "': " + std::strerror(err));
  }
  return Status::success();
}

} // namespace kiln
