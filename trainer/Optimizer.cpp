//===- Optimizer.cpp - Optimizers with per-parameter slots ----------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Keras' update rules, for a parameter w with gradient g at step t (from 1),
// learning rate η, ε added outside the square root:
//   SGD       v ← μv − ηg;  w ← w + v  (Nesterov: w ← w + μv − ηg)
//   AdaGrad   a ← a + g² (a₀ = 0.1);  w ← w − ηg/(√a + ε)
//   RMSProp   s ← ρs + (1−ρ)g²;  w ← w − ηg/(√s + ε)
//   Adam      m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
//             w ← w − η·√(1−β₂ᵗ)/(1−β₁ᵗ) · m/(√v + ε)
//   AdaMax    m ← β₁m + (1−β₁)g;  u ← max(β₂u, |g|);  w ← w − η/(1−β₁ᵗ)·m/(u +
//   ε) Nadam     μₜ = β₁(1 − ½·0.96^(0.004t)),  Πₜ = Π_{i≤t} μᵢ
//             m, v as Adam;  m̂ = μₜ₊₁m/(1 − Πₜμₜ₊₁) + (1 − μₜ)g/(1 − Πₜ)
//             v̂ = v/(1 − β₂ᵗ);  w ← w − η·m̂/(√v̂ + ε)
//   AdamW     w ← w − ηλw, then Adam (decoupled weight decay λ)
//
//===----------------------------------------------------------------------===//

#include "trainer/Optimizer.h"
#include "trainer/ModelTensors.h"

#include <cmath>

namespace kiln::train {

Matrix &Optimizer::slot(const Parameter &p, const std::string &name,
                        float init) {
  Matrix &s = slots[p.name + "/" + name];
  if (s.size() == 0)
    s = Matrix::Constant(p.value.rows(), p.value.cols(), init);
  return s;
}

// Clipping (Keras): g ← clip(g, −c, c);  g ← g·c/max(‖g‖, c) per tensor;
// g ← g·c/max(√Σ‖g‖², c) over all tensors. Norms in double.
void clipGradients(const std::vector<Parameter *> &params,
                   const OptimizerOptions &options) {
  if (options.clipValue > 0) {
    float c = float(options.clipValue);
    for (Parameter *p : params)
      p->grad = p->grad.cwiseMax(-c).cwiseMin(c);
  }
  if (options.clipNorm > 0)
    for (Parameter *p : params) {
      double norm = std::sqrt(p->grad.cast<double>().squaredNorm());
      if (norm > options.clipNorm)
        p->grad *= float(options.clipNorm / norm);
    }
  if (options.globalClipNorm > 0) {
    double sum = 0;
    for (Parameter *p : params)
      sum += p->grad.cast<double>().squaredNorm();
    double norm = std::sqrt(sum);
    if (norm > options.globalClipNorm)
      for (Parameter *p : params)
        p->grad *= float(options.globalClipNorm / norm);
  }
}

void Optimizer::step(const std::vector<Parameter *> &params) {
  clipGradients(params, options);
  ++steps;
  beginStep(steps);
  for (Parameter *p : params)
    update(*p, steps);
}

OptimizerState Optimizer::state() const {
  OptimizerState s;
  s.kind = kind;
  const OptimizerOptions &o = options;
  s.hyperparameters = {{"learning_rate", o.learningRate, {}},
                       {"momentum", o.momentum, {}},
                       {"nesterov", o.nesterov ? 1.0 : 0.0, {}},
                       {"beta_1", o.beta1, {}},
                       {"beta_2", o.beta2, {}},
                       {"rho", o.rho, {}},
                       {"epsilon", o.epsilon, {}},
                       {"initial_accumulator_value", o.initialAccumulator, {}},
                       {"weight_decay", o.weightDecay, {}},
                       {"clipvalue", o.clipValue, {}},
                       {"clipnorm", o.clipNorm, {}},
                       {"global_clipnorm", o.globalClipNorm, {}}};
  for (const auto &[name, m] : slots)
    s.slots.push_back({name, toModelTensor(m)});
  s.iterations = steps;
  return s;
}

namespace {

class Sgd : public Optimizer {
public:
  using Optimizer::Optimizer;
  void update(Parameter &p, int64_t) override {
    const float lr = float(options.learningRate), mu = float(options.momentum);
    if (mu == 0) {
      p.value.noalias() -= lr * p.grad;
      return;
    }
    Matrix &v = slot(p, "v");
    v = mu * v - lr * p.grad;
    if (options.nesterov)
      p.value += mu * v - lr * p.grad;
    else
      p.value += v;
  }
};

class Adagrad : public Optimizer {
public:
  using Optimizer::Optimizer;
  void update(Parameter &p, int64_t) override {
    Matrix &a = slot(p, "accumulator", float(options.initialAccumulator));
    a.array() += p.grad.array().square();
    p.value.array() -= float(options.learningRate) * p.grad.array() /
                       (a.array().sqrt() + float(options.epsilon));
  }
};

class RmsProp : public Optimizer {
public:
  using Optimizer::Optimizer;
  void update(Parameter &p, int64_t) override {
    const float rho = float(options.rho);
    Matrix &s = slot(p, "velocity");
    s = rho * s.array() + (1 - rho) * p.grad.array().square();
    p.value.array() -= float(options.learningRate) * p.grad.array() /
                       (s.array().sqrt() + float(options.epsilon));
  }
};

class Adam : public Optimizer {
public:
  using Optimizer::Optimizer;
  void update(Parameter &p, int64_t t) override {
    if (kind == OptimizerKind::AdamW) // decoupled: not through the gradient
      p.value *= float(1 - options.learningRate * options.weightDecay);
    const double b1 = options.beta1, b2 = options.beta2;
    Matrix &m = slot(p, "m"), &v = slot(p, "v");
    m = float(b1) * m + float(1 - b1) * p.grad;
    v = float(b2) * v.array() + float(1 - b2) * p.grad.array().square();
    float alpha = float(options.learningRate * std::sqrt(1 - std::pow(b2, t)) /
                        (1 - std::pow(b1, t)));
    p.value.array() -=
        alpha * m.array() / (v.array().sqrt() + float(options.epsilon));
  }
};

class AdaMax : public Optimizer {
public:
  using Optimizer::Optimizer;
  void update(Parameter &p, int64_t t) override {
    const double b1 = options.beta1, b2 = options.beta2;
    Matrix &m = slot(p, "m"), &u = slot(p, "u");
    m = float(b1) * m + float(1 - b1) * p.grad;
    u = (float(b2) * u).cwiseMax(p.grad.cwiseAbs());
    float lr = float(options.learningRate / (1 - std::pow(b1, t)));
    p.value.array() -= lr * m.array() / (u.array() + float(options.epsilon));
  }
};

class Nadam : public Optimizer {
public:
  using Optimizer::Optimizer;

private:
  double muT = 0, muNext = 0, productT = 1, productNext = 1;
  double momentum(int64_t t) const {
    return options.beta1 * (1 - 0.5 * std::pow(0.96, 0.004 * double(t)));
  }
  void beginStep(int64_t t) override {
    muT = momentum(t);
    muNext = momentum(t + 1);
    productT *= muT; // Π_t
    productNext = productT * muNext;
  }
  // Π_t again, multiplied in the same order, so a restored run is bitwise
  // identical to an uninterrupted one.
  void restoreSharedState(int64_t t) override {
    productT = 1;
    for (int64_t i = 1; i <= t; ++i)
      productT *= momentum(i);
  }
  void update(Parameter &p, int64_t t) override {
    const double b1 = options.beta1, b2 = options.beta2;
    Matrix &m = slot(p, "m"), &v = slot(p, "v");
    m = float(b1) * m + float(1 - b1) * p.grad;
    v = float(b2) * v.array() + float(1 - b2) * p.grad.array().square();
    Matrix mHat = float(muNext / (1 - productNext)) * m +
                  float((1 - muT) / (1 - productT)) * p.grad;
    Matrix vHat = v / float(1 - std::pow(b2, t));
    p.value.array() -= float(options.learningRate) * mHat.array() /
                       (vHat.array().sqrt() + float(options.epsilon));
  }
};

} // namespace

std::unique_ptr<Optimizer> makeOptimizer(OptimizerKind kind,
                                         OptimizerOptions options) {
  switch (kind) {
  case OptimizerKind::Sgd:
    return std::make_unique<Sgd>(kind, options);
  case OptimizerKind::Adagrad:
    return std::make_unique<Adagrad>(kind, options);
  case OptimizerKind::RmsProp:
    return std::make_unique<RmsProp>(kind, options);
  case OptimizerKind::Adam:
  case OptimizerKind::AdamW:
    return std::make_unique<Adam>(kind, options);
  case OptimizerKind::AdaMax:
    return std::make_unique<AdaMax>(kind, options);
  case OptimizerKind::Nadam:
    return std::make_unique<Nadam>(kind, options);
  }
  return nullptr;
}

Status restoreOptimizer(const OptimizerState &state,
                        std::unique_ptr<Optimizer> &out) {
  OptimizerOptions o;
  const std::map<std::string, double *> fields = {
      {"learning_rate", &o.learningRate},
      {"momentum", &o.momentum},
      {"beta_1", &o.beta1},
      {"beta_2", &o.beta2},
      {"rho", &o.rho},
      {"epsilon", &o.epsilon},
      {"initial_accumulator_value", &o.initialAccumulator},
      {"weight_decay", &o.weightDecay},
      {"clipvalue", &o.clipValue},
      {"clipnorm", &o.clipNorm},
      {"global_clipnorm", &o.globalClipNorm}};
  for (const Param &p : state.hyperparameters) {
    if (!std::isfinite(p.value))
      return Status::error("optimizer: hyperparameter '" + p.name +
                           "' is not finite");
    if (p.name == "nesterov") {
      o.nesterov = p.value != 0;
      continue;
    }
    auto it = fields.find(p.name);
    if (it == fields.end())
      return Status::error("optimizer: unknown hyperparameter '" + p.name +
                           "'");
    *it->second = p.value;
  }
  std::unique_ptr<Optimizer> opt = makeOptimizer(state.kind, o);
  if (!opt)
    return Status::error("optimizer: unknown kind " +
                         std::to_string(int(state.kind)));
  if (state.iterations < 0)
    return Status::error("optimizer: negative iteration count");
  for (const NamedTensor &slot : state.slots) {
    Matrix m;
    if (Status s =
            matrixOf(slot.tensor, "optimizer: slot '" + slot.name + "'", m);
        !s.ok())
      return s;
    if (!m.allFinite())
      return Status::error("optimizer: slot '" + slot.name +
                           "' has NaN or infinite values");
    opt->slots[slot.name] = std::move(m);
  }
  opt->steps = state.iterations;
  opt->restoreSharedState(state.iterations);
  out = std::move(opt);
  return Status::success();
}

} // namespace kiln::train
