//===- Model.cpp - In-memory model helpers and semantic validation -------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// validateModel() is the semantic half of loading (the FlatBuffers verifier
// is the structural half): it walks the layers in order, carrying the current
// feature shape, and checks every tensor against the shape its field implies.
// Messages follow one pattern so a user can find the problem:
//   layer <index> '<name>' (<kind>): <field>: <what is wrong>
//
//===----------------------------------------------------------------------===//

#include "schema/Model.h"

#include "schema/Float16.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <sstream>

namespace kiln {

size_t dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F16:
  case DType::BF16:
  case DType::I16:
    return 2;
  case DType::I8:
    return 1;
  }
  return 0;
}

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::I8:
    return "i8";
  case DType::I16:
    return "i16";
  case DType::I32:
    return "i32";
  }
  return "?";
}

int64_t Tensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Tensor Tensor::fromF32(std::vector<int64_t> shape,
                       const std::vector<float> &values) {
  Tensor t;
  t.shape = std::move(shape);
  t.dtype = DType::F32;
  t.data.resize(values.size() * sizeof(float));
  if (!values.empty())
    std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

std::vector<float> Tensor::toF32() const {
  if (dtype != DType::F32)
    return {};
  std::vector<float> values(data.size() / sizeof(float));
  if (!values.empty())
    std::memcpy(values.data(), data.data(), values.size() * sizeof(float));
  return values;
}

namespace {
struct ActivationInfo {
  ActivationKind kind;
  const char *name;
};
constexpr ActivationInfo kActivations[] = {
    {ActivationKind::Identity, "identity"},
    {ActivationKind::Sigmoid, "sigmoid"},
    {ActivationKind::Tanh, "tanh"},
    {ActivationKind::Relu, "relu"},
    {ActivationKind::LeakyRelu, "leaky_relu"},
    {ActivationKind::PRelu, "prelu"},
    {ActivationKind::RRelu, "rrelu"},
    {ActivationKind::Elu, "elu"},
    {ActivationKind::Selu, "selu"},
    {ActivationKind::Softmax, "softmax"},
    {ActivationKind::Gelu, "gelu"},
    {ActivationKind::Swish, "swish"},
};
} // namespace

const char *activationName(ActivationKind kind) {
  for (const ActivationInfo &info : kActivations)
    if (info.kind == kind)
      return info.name;
  return "?";
}

std::optional<ActivationKind> parseActivationName(const std::string &name) {
  for (const ActivationInfo &info : kActivations)
    if (name == info.name)
      return info.kind;
  return std::nullopt;
}

Activation Activation::withDefaults(ActivationKind kind) {
  Activation a;
  a.kind = kind;
  switch (kind) {
  case ActivationKind::LeakyRelu:
    a.alpha = 0.3f; // keras.layers.LeakyReLU
    break;
  case ActivationKind::Elu:
    a.alpha = 1.0f;
    break;
  case ActivationKind::Selu:
    // Klambauer et al. 2017, the fixed point of mean 0 / variance 1.
    a.scale = 1.0507009873554804934193349852946f;
    a.alpha = 1.6732632423543772848170429916717f;
    break;
  case ActivationKind::RRelu:
    a.lower = 1.0f / 8.0f; // torch.nn.RReLU defaults
    a.upper = 1.0f / 3.0f;
    break;
  default:
    break;
  }
  return a;
}

const char *layerKindName(const LayerParams &params) {
  switch (params.index()) {
  case 0:
    return "flatten";
  case 1:
    return "dense";
  case 2:
    return "batch_norm";
  case 3:
    return "activation";
  case 4:
    return "dropout";
  }
  return "?";
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < shape.size(); ++i)
    os << (i ? ", " : "") << shape[i];
  os << ']';
  return os.str();
}

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

namespace {

/// Element `i` of an f32, f16 or bf16 tensor, widened to float.
float floatElement(const Tensor &t, size_t i) {
  switch (t.dtype) {
  case DType::F16: {
    uint16_t h;
    std::memcpy(&h, t.data.data() + i * 2, 2);
    return halfToFloat(h);
  }
  case DType::BF16: {
    uint16_t b;
    std::memcpy(&b, t.data.data() + i * 2, 2);
    return bfloat16ToFloat(b);
  }
  default: {
    float v;
    std::memcpy(&v, t.data.data() + i * 4, 4);
    return v;
  }
  }
}

bool isFloatType(DType d) {
  return d == DType::F32 || d == DType::F16 || d == DType::BF16;
}

/// The real value of element `i` of a tensor that passed checkTensor():
/// floats widened, integers dequantized with their channel's scale and zero
/// point (real = scale * (q - zero_point)).
double elementValue(const Tensor &t, size_t i) {
  if (isFloatType(t.dtype))
    return floatElement(t, i);
  int64_t q = 0;
  switch (t.dtype) {
  case DType::I8:
    q = int8_t(t.data[i]);
    break;
  case DType::I16: {
    int16_t v;
    std::memcpy(&v, t.data.data() + i * 2, 2);
    q = v;
    break;
  }
  default: {
    int32_t v;
    std::memcpy(&v, t.data.data() + i * 4, 4);
    q = v;
    break;
  }
  }
  if (!t.quantization)
    return double(q);
  const Quantization &quant = *t.quantization;
  size_t channel = 0;
  if (quant.axis >= 0) {
    size_t stride = 1;
    for (size_t d = size_t(quant.axis) + 1; d < t.shape.size(); ++d)
      stride *= size_t(t.shape[d]);
    channel = (i / stride) % size_t(t.shape[size_t(quant.axis)]);
  }
  int64_t zeroPoint = quant.zeroPoint.empty() ? 0 : quant.zeroPoint[channel];
  return double(quant.scale[channel]) * (double(q) - double(zeroPoint));
}

/// The real value of the first element of a validated tensor that fails
/// `ok`, if any.
template <typename Pred>
std::optional<double> firstFailing(const Tensor &t, Pred ok) {
  for (size_t i = 0, n = size_t(t.numElements()); i < n; ++i)
    if (double v = elementValue(t, i); !ok(v))
      return v;
  return std::nullopt;
}

bool isIntegerType(DType d) {
  return d == DType::I8 || d == DType::I16 || d == DType::I32;
}

/// Validates one tensor's structure and values. `where` prefixes messages.
/// `expected` (if non-null) is the shape the field requires. Weights of an
/// integer type must carry quantization parameters: without a scale they
/// have no real value.
Status checkTensor(const Tensor &t, const std::string &where,
                   const ModelLimits &limits,
                   const std::vector<int64_t> *expected, bool isWeight = true) {
  // An in-memory model can hold any value of the enum's underlying type;
  // saving one the loader would reject must fail here instead.
  if (dtypeSize(t.dtype) == 0)
    return Status::error(where + ": dtype: unknown value " +
                         std::to_string(int(t.dtype)));
  if (t.shape.size() > limits.maxRank)
    return Status::error(where + ": rank " + std::to_string(t.shape.size()) +
                         " exceeds the limit of " +
                         std::to_string(limits.maxRank));
  int64_t n = 1;
  for (size_t i = 0; i < t.shape.size(); ++i) {
    int64_t d = t.shape[i];
    if (d < 1 || d > limits.maxDim)
      return Status::error(where + ": dimension " + std::to_string(i) + " is " +
                           std::to_string(d) + ", outside [1, " +
                           std::to_string(limits.maxDim) + "]");
    if (n > limits.maxTensorElements / d)
      return Status::error(
          where + ": shape " + shapeString(t.shape) + " has more than " +
          std::to_string(limits.maxTensorElements) + " elements");
    n *= d;
  }
  if (expected && t.shape != *expected)
    return Status::error(where + ": expected shape " + shapeString(*expected) +
                         ", got " + shapeString(t.shape));
  uint64_t needed = uint64_t(n) * dtypeSize(t.dtype);
  if (t.data.size() != needed)
    return Status::error(where + ": data has " + std::to_string(t.data.size()) +
                         " bytes, but shape " + shapeString(t.shape) + " of " +
                         dtypeName(t.dtype) + " needs " +
                         std::to_string(needed));
  if (isFloatType(t.dtype))
    for (size_t i = 0; i < size_t(n); ++i)
      if (float v = floatElement(t, i); !std::isfinite(v))
        return Status::error(where + ": element " + std::to_string(i) + " is " +
                             (std::isnan(v) ? "NaN" : "infinite"));

  if (isWeight && isIntegerType(t.dtype) && !t.quantization)
    return Status::error(where + ": " + dtypeName(t.dtype) +
                         " tensor has no quantization parameters");
  if (t.quantization) {
    const Quantization &q = *t.quantization;
    if (q.scale.empty())
      return Status::error(where + ": quantization: scale is empty");
    for (float s : q.scale)
      if (!std::isfinite(s) || s <= 0)
        return Status::error(where + ": quantization: scale " +
                             std::to_string(s) + " is not finite and > 0");
    if (!q.zeroPoint.empty() && q.zeroPoint.size() != q.scale.size())
      return Status::error(
          where + ": quantization: " + std::to_string(q.zeroPoint.size()) +
          " zero points for " + std::to_string(q.scale.size()) + " scales");
    if (q.axis == -1) {
      if (q.scale.size() != 1)
        return Status::error(where +
                             ": quantization: per-tensor (axis -1) "
                             "needs one scale, got " +
                             std::to_string(q.scale.size()));
    } else if (q.axis < 0 || size_t(q.axis) >= t.shape.size()) {
      return Status::error(where + ": quantization: axis " +
                           std::to_string(q.axis) + " out of range for rank " +
                           std::to_string(t.shape.size()));
    } else if (int64_t(q.scale.size()) != t.shape[q.axis]) {
      return Status::error(where +
                           ": quantization: " + std::to_string(q.scale.size()) +
                           " scales for dimension " + std::to_string(q.axis) +
                           " of size " + std::to_string(t.shape[q.axis]));
    }
  }
  return Status::success();
}

std::string floatString(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

/// Checks an activation's parameters for its kind. `units` is the size of
/// the axis a PReLU slope spans.
Status checkActivation(const Activation &a, const std::string &where,
                       const ModelLimits &limits, int64_t units) {
  if (std::string(activationName(a.kind)) == "?")
    return Status::error(where + ": kind: unknown value " +
                         std::to_string(int(a.kind)));
  auto bad = [&](const std::string &what) {
    return Status::error(where + ": " + activationName(a.kind) + ": " + what);
  };
  for (float v : {a.alpha, a.scale, a.lower, a.upper})
    if (!std::isfinite(v))
      return bad("parameters must be finite");
  switch (a.kind) {
  case ActivationKind::LeakyRelu:
    if (a.alpha < 0)
      return bad("alpha " + floatString(a.alpha) + " must be >= 0");
    break;
  case ActivationKind::Elu:
    if (a.alpha <= 0)
      return bad("alpha " + floatString(a.alpha) + " must be > 0");
    break;
  case ActivationKind::Selu:
    if (a.scale <= 0 || a.alpha <= 0)
      return bad("scale and alpha must be > 0");
    break;
  case ActivationKind::RRelu:
    if (!(0 <= a.lower && a.lower <= a.upper && a.upper <= 1))
      return bad("needs 0 <= lower <= upper <= 1, got lower " +
                 floatString(a.lower) + ", upper " + floatString(a.upper));
    break;
  default:
    break;
  }
  if (a.kind == ActivationKind::PRelu) {
    if (!a.preluAlpha)
      return bad("missing slope tensor prelu_alpha");
    std::vector<int64_t> shape{units};
    if (Status s =
            checkTensor(*a.preluAlpha, where + ": prelu_alpha", limits, &shape);
        !s.ok())
      return s;
  } else if (a.preluAlpha) {
    return bad("has a prelu_alpha tensor, which only prelu uses");
  }
  return Status::success();
}

Status checkLayer(const Layer &layer, const std::string &where,
                  const ModelLimits &limits, std::vector<int64_t> &shape) {
  if (const auto *dense = std::get_if<DenseLayer>(&layer.params)) {
    if (shape.size() != 1)
      return Status::error(where +
                           ": needs a flat input (rank 1 per "
                           "example), got " +
                           shapeString(shape) + "; add a flatten layer");
    if (dense->units < 1 || dense->units > limits.maxDim)
      return Status::error(where + ": units " + std::to_string(dense->units) +
                           " outside [1, " + std::to_string(limits.maxDim) +
                           "]");
    std::vector<int64_t> kernelShape{shape[0], dense->units};
    if (Status s = checkTensor(dense->kernel, where + ": kernel", limits,
                               &kernelShape);
        !s.ok())
      return s;
    std::vector<int64_t> biasShape{dense->units};
    if (dense->useBias && !dense->bias)
      return Status::error(where + ": bias: missing, but use_bias is true");
    if (!dense->useBias && dense->bias)
      return Status::error(where + ": bias: present, but use_bias is false");
    if (dense->bias)
      if (Status s =
              checkTensor(*dense->bias, where + ": bias", limits, &biasShape);
          !s.ok())
        return s;
    if (Status s = checkActivation(dense->activation, where + ": activation",
                                   limits, dense->units);
        !s.ok())
      return s;
    if (const auto &p = dense->penalties) {
      for (const auto &[name, v] : p->named())
        if (!(std::isfinite(v) && v >= 0))
          return Status::error(where + ": penalties: " + name + " " +
                               floatString(v) + " must be finite and >= 0");
    }
    shape = {dense->units};
    return Status::success();
  }
  if (std::holds_alternative<FlattenLayer>(layer.params)) {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d; // bounded: the input shape was checked against the limits
    if (n > limits.maxTensorElements)
      return Status::error(where + ": flattened size exceeds the limit");
    shape = {n};
    return Status::success();
  }
  if (const auto *bn = std::get_if<BatchNormLayer>(&layer.params)) {
    std::vector<int64_t> paramShape{shape.back()};
    const std::pair<const Tensor *, const char *> params[] = {
        {&bn->gamma, "gamma"},
        {&bn->beta, "beta"},
        {&bn->movingMean, "moving_mean"},
        {&bn->movingVariance, "moving_variance"}};
    for (auto [tensor, field] : params)
      if (Status s =
              checkTensor(*tensor, where + ": " + field, limits, &paramShape);
          !s.ok())
        return s;
    if (!(std::isfinite(bn->epsilon) && bn->epsilon > 0))
      return Status::error(where + ": epsilon " + floatString(bn->epsilon) +
                           " must be finite and > 0");
    if (!(bn->momentum >= 0 && bn->momentum <= 1))
      return Status::error(where + ": momentum " + floatString(bn->momentum) +
                           " must be in [0, 1]");
    if (std::optional<double> v =
            firstFailing(bn->movingVariance, [](double x) { return x >= 0; }))
      return Status::error(where + ": moving_variance has a negative value " +
                           floatString(*v));
    return Status::success();
  }
  if (const auto *act = std::get_if<ActivationLayer>(&layer.params))
    return checkActivation(act->activation, where + ": activation", limits,
                           shape.back());
  if (const auto *drop = std::get_if<DropoutLayer>(&layer.params)) {
    if (drop->kind != DropoutKind::Standard && drop->kind != DropoutKind::Alpha)
      return Status::error(where + ": kind: unknown value " +
                           std::to_string(int(drop->kind)));
    if (!(drop->rate >= 0 && drop->rate < 1))
      return Status::error(where + ": rate " + floatString(drop->rate) +
                           " must be in [0, 1)");
    return Status::success();
  }
  return Status::error(where + ": unknown layer kind");
}

Status checkNamedTensors(const std::vector<NamedTensor> &tensors,
                         const std::string &where, const ModelLimits &limits) {
  for (size_t i = 0; i < tensors.size(); ++i) {
    const NamedTensor &nt = tensors[i];
    if (nt.name.empty())
      return Status::error(where + " " + std::to_string(i) + ": empty name");
    if (Status s = checkTensor(nt.tensor, where + " '" + nt.name + "'", limits,
                               nullptr, /*isWeight=*/false);
        !s.ok())
      return s;
  }
  return Status::success();
}

/// No parameter of a training state is NaN: a NaN rate would train
/// silently. (Counters are range-checked where they are read, by
/// paramInteger.)
/// (Infinities are legitimate: a best value before the first epoch.)
Status checkParams(const std::vector<Param> &params, const std::string &what) {
  for (const Param &p : params) {
    if (std::isnan(p.value))
      return Status::error(what + " '" + p.name + "' is NaN");
    for (double v : p.values)
      if (std::isnan(v))
        return Status::error(what + " '" + p.name + "' holds a NaN");
  }
  return Status::success();
}

Status checkTraining(const TrainingState &t, const ModelLimits &limits) {
  if (t.epoch < 0 || t.step < 0 || t.optimizer.iterations < 0)
    return Status::error("training: epoch, step and iterations must be >= 0");
  if (int(t.optimizer.kind) > int(OptimizerKind::AdamW))
    return Status::error("training: optimizer: kind: unknown value " +
                         std::to_string(int(t.optimizer.kind)));
  if (int(t.schedule.kind) > int(ScheduleKind::CosineDecay))
    return Status::error("training: schedule: kind: unknown value " +
                         std::to_string(int(t.schedule.kind)));
  if (t.rng.algorithm != RngAlgorithm::Philox4x32_10)
    return Status::error("training: rng: algorithm: unknown value " +
                         std::to_string(int(t.rng.algorithm)));
  if (Status s = checkNamedTensors(t.optimizer.slots,
                                   "training: optimizer "
                                   "slot",
                                   limits);
      !s.ok())
    return s;
  for (auto [params, what] :
       {std::pair{&t.schedule.params, "training: schedule parameter"},
        std::pair{&t.schedule.state, "training: schedule state"},
        std::pair{&t.progress, "training: progress"}})
    if (Status s = checkParams(*params, what); !s.ok())
      return s;
  for (const CallbackState &cb : t.callbacks) {
    if (cb.name.empty())
      return Status::error("training: callback with an empty name");
    if (Status s = checkParams(cb.state, "training: callback '" + cb.name +
                                             "': parameter");
        !s.ok())
      return s;
    if (Status s = checkNamedTensors(
            cb.tensors, "training: callback '" + cb.name + "'", limits);
        !s.ok())
      return s;
  }
  for (const Metric &m : t.history)
    if (m.name.empty())
      return Status::error("training: history metric with an empty name");
  return Status::success();
}

} // namespace

std::vector<float> Tensor::realValues() const {
  // Empty, as toF32 for other dtypes, unless the bytes hold the shape.
  if (dtypeSize(dtype) == 0 ||
      data.size() != static_cast<size_t>(numElements()) * dtypeSize(dtype))
    return {};
  std::vector<float> values(static_cast<size_t>(numElements()));
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = float(elementValue(*this, i));
  return values;
}

Status validateModel(const Model &model, const ModelLimits &limits,
                     std::vector<std::vector<int64_t>> *layerOutputShapes) {
  if (model.formatVersion < 1 || model.formatVersion > kFormatVersion)
    return Status::error("format version " +
                         std::to_string(model.formatVersion) +
                         " is not supported (this Kiln reads version " +
                         std::to_string(kFormatVersion) + ")");
  if (model.inputShape.empty())
    return Status::error("input_shape: empty");
  if (model.inputShape.size() > limits.maxRank)
    return Status::error(
        "input_shape: rank " + std::to_string(model.inputShape.size()) +
        " exceeds the limit of " + std::to_string(limits.maxRank));
  int64_t inputSize = 1;
  for (int64_t d : model.inputShape) {
    if (d < 1 || d > limits.maxDim)
      return Status::error("input_shape: dimension " + std::to_string(d) +
                           " outside [1, " + std::to_string(limits.maxDim) +
                           "]");
    if (inputSize > limits.maxTensorElements / d)
      return Status::error("input_shape: " + shapeString(model.inputShape) +
                           " has too many elements");
    inputSize *= d;
  }
  if (model.normalization) {
    if (Status s = checkTensor(model.normalization->mean, "normalization: mean",
                               limits, &model.inputShape);
        !s.ok())
      return s;
    if (Status s = checkTensor(model.normalization->std, "normalization: std",
                               limits, &model.inputShape);
        !s.ok())
      return s;
    if (std::optional<double> v = firstFailing(model.normalization->std,
                                               [](double x) { return x > 0; }))
      return Status::error("normalization: std has a value " + floatString(*v) +
                           " that is not > 0");
  }
  if (model.layers.empty())
    return Status::error("model has no layers");
  if (model.layers.size() > limits.maxLayers)
    return Status::error("model has " + std::to_string(model.layers.size()) +
                         " layers, more than the limit of " +
                         std::to_string(limits.maxLayers));

  std::set<std::string> names;
  std::vector<int64_t> shape = model.inputShape;
  if (layerOutputShapes)
    layerOutputShapes->clear();
  for (size_t i = 0; i < model.layers.size(); ++i) {
    const Layer &layer = model.layers[i];
    std::string where = "layer " + std::to_string(i) + " '" + layer.name +
                        "' (" + layerKindName(layer.params) + ")";
    if (layer.name.empty())
      return Status::error(where + ": empty name");
    if (!names.insert(layer.name).second)
      return Status::error(where + ": duplicate layer name '" + layer.name +
                           "'");
    if (Status s = checkLayer(layer, where, limits, shape); !s.ok())
      return s;
    if (layerOutputShapes)
      layerOutputShapes->push_back(shape);
  }

  if (!model.classNames.empty()) {
    int64_t outputs = 1;
    for (int64_t d : shape)
      outputs *= d;
    if (int64_t(model.classNames.size()) != outputs)
      return Status::error(
          "class_names: " + std::to_string(model.classNames.size()) +
          " names for " + std::to_string(outputs) + " outputs");
  }
  if (model.training)
    return checkTraining(*model.training, limits);
  return Status::success();
}

} // namespace kiln
