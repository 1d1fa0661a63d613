//===- Dense.h - Fully connected layer ----------------------------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_DENSE_H
#define KILN_TRAINER_DENSE_H

#include "trainer/Activations.h"
#include "trainer/Initializers.h"
#include "trainer/Layer.h"
#include "trainer/Regularizers.h"

namespace kiln::train {

struct DenseOptions {
  int64_t units = 0;
  Activation activation; // identity
  bool useBias = true;
  Initializer kernelInitializer = *Initializer::named("glorot_uniform");
  Initializer biasInitializer = *Initializer::named("zeros");
  Regularizer kernelRegularizer, biasRegularizer;
  MaxNorm kernelConstraint, biasConstraint;

  /// The penalties above as the model file stores them, and back.
  DensePenalties penalties() const {
    DensePenalties p;
    p.kernelL1 = kernelRegularizer.l1;
    p.kernelL2 = kernelRegularizer.l2;
    p.biasL1 = biasRegularizer.l1;
    p.biasL2 = biasRegularizer.l2;
    p.kernelMaxNorm = kernelConstraint.maxValue;
    p.biasMaxNorm = biasConstraint.maxValue;
    return p;
  }
  void setPenalties(const DensePenalties &p) {
    kernelRegularizer = Regularizer{p.kernelL1, p.kernelL2};
    biasRegularizer = Regularizer{p.biasL1, p.biasL2};
    kernelConstraint = MaxNorm{p.kernelMaxNorm};
    biasConstraint = MaxNorm{p.biasMaxNorm};
  }

  /// The common case: units, activation and kernel initializer.
  static DenseOptions
  make(int64_t units, Activation activation = {},
       Initializer kernelInitializer = *Initializer::named("glorot_uniform")) {
    DenseOptions o;
    o.units = units;
    o.activation = activation;
    o.kernelInitializer = kernelInitializer;
    return o;
  }
};

/// y = activation(x·W + b), W is [inputs, units] (Keras layout).
class Dense : public Layer {
public:
  Dense(std::string name, DenseOptions options)
      : Layer(std::move(name)), options(std::move(options)) {}

  Status build(const std::vector<int64_t> &inputShape,
               kiln_rng_t &rng) override;
  std::vector<int64_t> outputShape() const override { return {options.units}; }
  const Matrix &forward(const Matrix &x, const ForwardContext &) override;
  const Matrix &backward(const Matrix &dy) override;
  /// Backward from dL/dz (pre-activation), used when softmax and
  /// cross-entropy are fused into dz = p − y.
  const Matrix &backwardFromPreActivation(const Matrix &dz);
  std::vector<Parameter *> parameters() override;
  kiln::Layer toModelLayer() const override;

  const DenseOptions &getOptions() const { return options; }
  /// Sets the regularizers and constraints (of `o`; the rest is ignored) on
  /// the options and the parameters: build() does it, and so does a resumed
  /// run of a file that predates their storage (model.fbs DensePenalties).
  void setPenalties(const DenseOptions &o);
  Parameter kernel, bias;

private:
  DenseOptions options;
  ActivationFunction activation;
  Matrix input, z, y, dz, dx;
};

} // namespace kiln::train

#endif // KILN_TRAINER_DENSE_H
