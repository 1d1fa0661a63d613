//===- Model.h - In-memory Kiln model and its file I/O ----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The in-memory form of a `.kiln` file (schema/model.fbs), shared by the
// trainer and the compiler. It mirrors the schema table for table, in C++
// types, so neither side touches FlatBuffers directly.
//
// Loading is the only place untrusted bytes enter Kiln, so it is strict:
//   size limits -> FlatBuffers Verifier -> read -> semantic validation.
// Every error names the file, the layer (by index and name) and the field.
// Saving validates first, writes a temporary file in the target directory,
// flushes it to disk and renames it over the target, so a failed save never
// leaves a truncated model behind.
//
// The library does not throw: functions return a Status.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_SCHEMA_MODEL_H
#define KILN_SCHEMA_MODEL_H

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace kiln {

/// The format version this library reads and writes (model.fbs revision log).
inline constexpr uint32_t kFormatVersion = 1;

/// Outcome of a fallible operation: ok, or an error with a message that names
/// the problem and where it is.
class [[nodiscard]] Status {
public:
  static Status success() { return Status(); }
  static Status error(std::string message) {
    Status s;
    s.failed = true;
    s.msg = std::move(message);
    return s;
  }
  bool ok() const { return !failed; }
  const std::string &message() const { return msg; }

private:
  bool failed = false;
  std::string msg;
};

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

enum class DType : uint8_t { F32, F16, BF16, I8, I16, I32 };

/// Bytes per element.
size_t dtypeSize(DType dtype);
/// Lower-case name ("f32", "bf16", ...).
const char *dtypeName(DType dtype);

/// real = scale * (q - zeroPoint); per-tensor when scale has one element,
/// per-channel along `axis` otherwise.
struct Quantization {
  std::vector<float> scale;
  std::vector<int64_t> zeroPoint;
  int32_t axis = -1;
};

/// An owning tensor: shape, element type and little-endian row-major bytes.
struct Tensor {
  std::vector<int64_t> shape;
  DType dtype = DType::F32;
  std::vector<uint8_t> data;
  std::optional<Quantization> quantization;

  /// Product of the shape (1 for a scalar). Only meaningful for a tensor
  /// whose shape has been validated (no negative or overflowing dims).
  int64_t numElements() const;

  /// Builds an f32 tensor; `values.size()` must equal the shape's product.
  static Tensor fromF32(std::vector<int64_t> shape,
                        const std::vector<float> &values);
  /// The elements of an f32 tensor (empty for other dtypes).
  std::vector<float> toF32() const;
  /// The real values of a validated tensor of any dtype, as f32: floats
  /// widened, integers dequantized with their channel's scale and zero
  /// point. Empty when the bytes do not hold the shape's elements.
  std::vector<float> realValues() const;
};

/// A tensor with a name (optimizer slots, callback snapshots).
struct NamedTensor {
  std::string name;
  Tensor tensor;
};

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

enum class ActivationKind : uint8_t {
  Identity,
  Sigmoid,
  Tanh,
  Relu,
  LeakyRelu,
  PRelu,
  RRelu,
  Elu,
  Selu,
  Softmax,
  Gelu,
  Swish,
};

/// Keras-style name ("relu", "leaky_relu", "selu", ...).
const char *activationName(ActivationKind kind);
/// Parses a name produced by activationName(); nullopt if unknown.
std::optional<ActivationKind> parseActivationName(const std::string &name);

/// An activation function and its parameters. Which fields matter depends on
/// the kind: LeakyRelu/Elu use alpha; Selu uses scale (lambda) and alpha;
/// RRelu uses lower/upper; PRelu uses preluAlpha (one slope per unit).
struct Activation {
  ActivationKind kind = ActivationKind::Identity;
  float alpha = 0;
  float scale = 0;
  float lower = 0;
  float upper = 0;
  std::optional<Tensor> preluAlpha;

  /// The kind with Keras' default parameters (leaky_relu alpha 0.3, elu alpha
  /// 1, selu lambda 1.0507... alpha 1.6732..., rrelu [1/8, 1/3]). PReLU gets
  /// no slope tensor: its size depends on the layer.
  static Activation withDefaults(ActivationKind kind);
};

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

/// Collapses all feature dimensions into one.
struct FlattenLayer {};

/// Training-time penalties and constraints of a Dense layer (model.fbs
/// DensePenalties); 0 is none.
struct DensePenalties {
  double kernelL1 = 0, kernelL2 = 0, biasL1 = 0, biasL2 = 0;
  double kernelMaxNorm = 0, biasMaxNorm = 0;

  /// Each value with its model.fbs (and Keras-style) name.
  std::array<std::pair<const char *, double>, 6> named() const {
    return {{{"kernel_l1", kernelL1},
             {"kernel_l2", kernelL2},
             {"bias_l1", biasL1},
             {"bias_l2", biasL2},
             {"kernel_max_norm", kernelMaxNorm},
             {"bias_max_norm", biasMaxNorm}}};
  }
};

/// y = activation(x . kernel + bias); kernel is [inputs, units].
struct DenseLayer {
  int64_t units = 0;
  bool useBias = true;
  Activation activation;
  Tensor kernel;
  /// Present iff useBias.
  std::optional<Tensor> bias;
  /// Absent in files that predate them.
  std::optional<DensePenalties> penalties;
};

/// Normalizes the last axis; gamma/beta are always present (ones/zeros and
/// not trained when scale/center are off).
struct BatchNormLayer {
  Tensor gamma;
  Tensor beta;
  Tensor movingMean;
  Tensor movingVariance;
  float epsilon = 1e-3f;
  float momentum = 0.99f;
  bool center = true;
  bool scale = true;
};

struct ActivationLayer {
  Activation activation;
};

enum class DropoutKind : uint8_t { Standard, Alpha };

struct DropoutLayer {
  float rate = 0;
  DropoutKind kind = DropoutKind::Standard;
};

using LayerParams = std::variant<FlattenLayer, DenseLayer, BatchNormLayer,
                                 ActivationLayer, DropoutLayer>;

struct Layer {
  std::string name;
  bool trainable = true;
  LayerParams params;
};

/// "[784, 300]": how every Kiln message and summary writes a shape.
std::string shapeString(const std::vector<int64_t> &shape);

/// "flatten", "dense", "batch_norm", "activation" or "dropout".
const char *layerKindName(const LayerParams &params);

//===----------------------------------------------------------------------===//
// Training state
//===----------------------------------------------------------------------===//

/// A named number or list of numbers.
struct Param {
  std::string name;
  double value = 0;
  std::vector<double> values;
};

/// `p.value` as an integer of type T in `out`. A counter read from a file
/// may be anything a double holds: an error naming `what` and the
/// parameter when it is not finite, not whole, or outside T's range
/// (converting such a double to an integer is undefined behaviour).
template <typename T>
Status paramInteger(const Param &p, const std::string &what, T &out) {
  static_assert(std::is_integral_v<T>, "an integer type");
  // Both limits are exact doubles for every integer type up to 64 bits
  // (2^63 and −2^63; 2^64 for unsigned ones), so the comparisons are.
  const double lo = double(std::numeric_limits<T>::min());
  const double hi = double(std::numeric_limits<T>::max()) + 1.0;
  if (!(p.value >= lo && p.value < hi) || p.value != std::trunc(p.value))
    return Status::error(what + " '" + p.name + "' = " +
                         std::to_string(p.value) + " is not an integer in [" +
                         std::to_string(std::numeric_limits<T>::min()) + ", " +
                         std::to_string(std::numeric_limits<T>::max()) + "]");
  out = static_cast<T>(p.value);
  return Status::success();
}

enum class OptimizerKind : uint8_t {
  Sgd,
  Adagrad,
  RmsProp,
  Adam,
  AdaMax,
  Nadam,
  AdamW,
};

struct OptimizerState {
  OptimizerKind kind = OptimizerKind::Sgd;
  std::vector<Param> hyperparameters;
  /// Named "<layer>/<parameter>/<slot>", e.g. "dense_1/kernel/m".
  std::vector<NamedTensor> slots;
  int64_t iterations = 0;
};

enum class ScheduleKind : uint8_t {
  Constant,
  Power,
  Exponential,
  PiecewiseConstant,
  Performance,
  OneCycle,
  CosineDecay,
};

struct ScheduleState {
  ScheduleKind kind = ScheduleKind::Constant;
  std::vector<Param> params;
  std::vector<Param> state;
};

enum class RngAlgorithm : uint8_t { Philox4x32_10 };

struct RngState {
  RngAlgorithm algorithm = RngAlgorithm::Philox4x32_10;
  std::vector<uint64_t> words;
};

struct CallbackState {
  std::string name;
  std::vector<Param> state;
  std::vector<NamedTensor> tensors;
};

/// One value per epoch.
struct Metric {
  std::string name;
  std::vector<double> values;
};

struct TrainingState {
  int64_t epoch = 0;
  int64_t step = 0;
  OptimizerState optimizer;
  ScheduleState schedule;
  RngState rng;
  std::vector<CallbackState> callbacks;
  std::vector<Metric> history;
  std::string config;
  /// The Keras name of the loss.
  std::string loss;
  /// A partial epoch: "batches", "loss_sum", "accuracy_sum".
  std::vector<Param> progress;
};

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

/// x' = (x - mean) / std, per input feature.
struct Normalization {
  Tensor mean;
  Tensor std;
};

struct Model {
  uint32_t formatVersion = kFormatVersion;
  std::string name;
  /// One example's shape, without the batch dimension.
  std::vector<int64_t> inputShape;
  std::optional<Normalization> normalization;
  std::vector<std::string> classNames;
  std::vector<Layer> layers;
  std::optional<TrainingState> training;
  std::string producer;
};

//===----------------------------------------------------------------------===//
// Validation and I/O
//===----------------------------------------------------------------------===//

/// Limits that bound what a file may ask the loader to allocate.
struct ModelLimits {
  uint64_t maxFileBytes = uint64_t(1) << 31; // FlatBuffers' own 2 GiB cap
  int64_t maxDim = int64_t(1) << 24;
  int64_t maxTensorElements = int64_t(1) << 28;
  size_t maxRank = 8;
  size_t maxLayers = 4096;
};

/// Checks the model's meaning: shapes chain from layer to layer, tensors have
/// the shapes and sizes their fields require, values are finite, rates lie in
/// [0, 1), names are unique and non-empty, parameters are in range. On
/// success, `layerOutputShapes` (if non-null) receives each layer's output
/// shape without the batch dimension.
Status
validateModel(const Model &model, const ModelLimits &limits = {},
              std::vector<std::vector<int64_t>> *layerOutputShapes = nullptr);

/// Parses and validates a serialized model. `source` names the buffer in
/// error messages (usually the file path).
Status parseModel(const void *data, size_t size, Model &out,
                  const std::string &source = "<buffer>",
                  const ModelLimits &limits = {});

/// Reads, parses and validates a `.kiln` file.
Status loadModel(const std::string &path, Model &out,
                 const ModelLimits &limits = {});

/// Validates and serializes a model to FlatBuffers bytes.
Status serializeModel(const Model &model, std::vector<uint8_t> &out);

/// Serializes without validating. Only for producing invalid files on
/// purpose (the bad-file corpus of the tests); real output uses
/// serializeModel()/saveModel().
std::vector<uint8_t> serializeModelUnchecked(const Model &model);

/// Validates, serializes and writes a model atomically: a temporary file in
/// the same directory, flushed and fsync'ed, then renamed over `path`.
Status saveModel(const Model &model, const std::string &path);

/// Writes `bytes` to `path` atomically (temp file + fsync + rename). Shared by
/// every tool that writes an output file.
Status writeFileAtomically(const std::string &path, const void *bytes,
                           size_t size);

/// One file for writeFilesAtomically.
struct FileContents {
  std::string path;
  const void *bytes;
  size_t size;
};

/// Writes files that belong together (a library and its header): every
/// temp file is written and fsync'ed before the first rename, so a write
/// error (a full disk) leaves all of them as they were; then the renames go
/// in `files`' order, and a rename that fails leaves the files from it on
/// as they were.
Status writeFilesAtomically(const std::vector<FileContents> &files);

} // namespace kiln

#endif // KILN_SCHEMA_MODEL_H
