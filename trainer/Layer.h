//===- Layer.h - The trainer's layer interface -------------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_LAYER_H
#define KILN_TRAINER_LAYER_H

#include "kiln/rng.h"
#include "schema/Model.h"
#include "trainer/Tensor.h"

#include <string>
#include <vector>

namespace kiln::train {

/// What a forward pass is for.
struct ForwardContext {
  /// Dropout active, batch statistics (training) vs identity (inference).
  bool training = false;
  /// Keep dropout active at inference (Monte-Carlo sampling).
  bool mcDropout = false;
  /// Random masks and slopes are keyed by (seed, layer stream, step,
  /// index) through the runtime's coordinates (kiln/rng.h).
  uint64_t seed = 0;
  uint32_t step = 0;
};

/// A layer: forward keeps what backward needs; backward returns dL/dx and
/// accumulates its parameters' gradients.
class Layer {
public:
  explicit Layer(std::string name) : layerName(std::move(name)) {}
  virtual ~Layer() = default;

  const std::string &name() const { return layerName; }
  /// Creates the parameters for an input of `inputShape` (one example).
  virtual Status build(const std::vector<int64_t> &inputShape,
                       kiln_rng_t &rng) = 0;
  virtual std::vector<int64_t> outputShape() const = 0;
  virtual const Matrix &forward(const Matrix &x,
                                const ForwardContext &context) = 0;
  virtual const Matrix &backward(const Matrix &dy) = 0;
  virtual std::vector<Parameter *> parameters() { return {}; }
  /// Whether forward draws random numbers at inference with
  /// ForwardContext::mcDropout (Monte-Carlo sampling): predictMc runs the
  /// layers before the first such layer once for all samples.
  virtual bool drawsWhenSampling() const { return false; }
  /// The layer in the model file's form.
  virtual kiln::Layer toModelLayer() const = 0;

  /// Frozen layers get no updates (transfer learning).
  bool trainable = true;
  /// Distinguishes this layer's random masks from other layers'.
  uint32_t streamId = 0;
  /// False for the first layer: nobody needs dL/d(input), and for a Dense
  /// it is a third of the layer's backward FLOPs.
  bool needsInputGradient = true;

private:
  std::string layerName;
};

} // namespace kiln::train

#endif // KILN_TRAINER_LAYER_H
