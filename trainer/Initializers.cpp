//===- Initializers.cpp - Weight initializers (Keras vocabulary) ----------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// σ² = scale / fan:  Glorot 1/fan_avg, He 2/fan_in, LeCun 1/fan_in.
//   uniform:            U(−r, r), r = √(3σ²)
//   untruncated_normal: N(0, σ²)
//   truncated_normal:   N(0, s²) cut at ±2s, s = σ / 0.87962566103423978,
//                       the std of a standard normal truncated at ±2 (Keras),
//                       so the result has variance σ².
//
//===----------------------------------------------------------------------===//

#include "trainer/Initializers.h"

#include <cmath>

namespace kiln::train {

std::optional<Initializer> Initializer::named(const std::string &name) {
  Initializer init;
  using D = Distribution;
  auto vs = [&](double scale, Mode mode, D dist) {
    init.scale = scale;
    init.mode = mode;
    init.distribution = dist;
    return init;
  };
  if (name == "glorot_uniform")
    return vs(1, Mode::FanAvg, D::Uniform);
  if (name == "glorot_normal")
    return vs(1, Mode::FanAvg, D::TruncatedNormal);
  if (name == "he_uniform")
    return vs(2, Mode::FanIn, D::Uniform);
  if (name == "he_normal")
    return vs(2, Mode::FanIn, D::TruncatedNormal);
  if (name == "lecun_uniform")
    return vs(1, Mode::FanIn, D::Uniform);
  if (name == "lecun_normal")
    return vs(1, Mode::FanIn, D::TruncatedNormal);
  if (name == "zeros" || name == "ones") {
    init.kind = name == "zeros" ? Kind::Zeros : Kind::Ones;
    return init;
  }
  return std::nullopt;
}

double Initializer::variance(int64_t fanIn, int64_t fanOut) const {
  double fan = mode == Mode::FanIn    ? double(fanIn)
               : mode == Mode::FanOut ? double(fanOut)
                                      : (fanIn + fanOut) / 2.0;
  return scale / std::max(1.0, fan);
}

void Initializer::fill(Matrix &m, int64_t fanIn, int64_t fanOut,
                       kiln_rng_t &rng) const {
  switch (kind) {
  case Kind::Zeros:
    m.setZero();
    return;
  case Kind::Ones:
    m.setOnes();
    return;
  case Kind::Constant:
    m.setConstant(value);
    return;
  case Kind::VarianceScaling:
    break;
  }
  double sigma = std::sqrt(variance(fanIn, fanOut));
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    float v = 0;
    switch (distribution) {
    case Distribution::Uniform: {
      double r = std::sqrt(3.0) * sigma;
      v = float((2.0 * kiln_rng_uniform_f32(&rng) - 1.0) * r);
      break;
    }
    case Distribution::UntruncatedNormal:
      v = float(sigma * kiln_rng_normal_f32(&rng));
      break;
    case Distribution::TruncatedNormal: {
      double z;
      do // redraw outside ±2: accepts 95.4% of draws
        z = kiln_rng_normal_f32(&rng);
      while (std::fabs(z) > 2.0);
      v = float(sigma / 0.87962566103423978 * z);
      break;
    }
    }
    m.data()[i] = v;
  }
}

} // namespace kiln::train
