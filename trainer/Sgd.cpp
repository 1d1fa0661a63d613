//===- Sgd.cpp - Stochastic gradient descent ------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "trainer/Sgd.h"

namespace kiln::train {

void Sgd::step(const std::vector<Parameter *> &params) {
  const float lr = float(options.learningRate);
  const float mu = float(options.momentum);
  for (Parameter *p : params) {
    if (mu == 0) {
      p->value.noalias() -= lr * p->grad;
      continue;
    }
    Matrix &v = velocity[p->name];
    if (v.size() == 0)
      v = Matrix::Zero(p->value.rows(), p->value.cols());
    v = mu * v - lr * p->grad;
    if (options.nesterov)
      p->value += mu * v - lr * p->grad;
    else
      p->value += v;
  }
  ++steps;
}

OptimizerState Sgd::state() const {
  OptimizerState s;
  s.kind = OptimizerKind::Sgd;
  s.hyperparameters = {{"learning_rate", options.learningRate, {}},
                       {"momentum", options.momentum, {}},
                       {"nesterov", options.nesterov ? 1.0 : 0.0, {}}};
  for (const auto &[name, v] : velocity)
    s.slots.push_back(
        {name + "/v",
         Tensor::fromF32({v.rows(), v.cols()},
                         std::vector<float>(v.data(), v.data() + v.size()))});
  s.iterations = steps;
  return s;
}

} // namespace kiln::train
