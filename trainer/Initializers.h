//===- Initializers.h - Weight initializers (Keras vocabulary) ---*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_INITIALIZERS_H
#define KILN_TRAINER_INITIALIZERS_H

#include "kiln/rng.h"
#include "trainer/Tensor.h"

#include <optional>
#include <string>

namespace kiln::train {

/// VarianceScaling(scale, mode, distribution), which every named Keras
/// initializer is an instance of, plus the constant ones.
struct Initializer {
  enum class Kind {
    VarianceScaling,
    Zeros,
    Ones,
    Constant
  } kind = Kind::VarianceScaling;
  enum class Mode { FanIn, FanOut, FanAvg } mode = Mode::FanAvg;
  enum class Distribution {
    TruncatedNormal,
    UntruncatedNormal,
    Uniform
  } distribution = Distribution::Uniform;
  double scale = 1.0;
  float value = 0; // Constant

  /// "glorot_uniform", "he_normal", "lecun_normal", "zeros", ... (Keras
  /// names); nullopt if unknown.
  static std::optional<Initializer> named(const std::string &name);

  /// The target variance σ² = scale / fan (fan by mode).
  double variance(int64_t fanIn, int64_t fanOut) const;

  /// Fills `m` (shape [fanIn, fanOut] for a kernel) from `rng`.
  void fill(Matrix &m, int64_t fanIn, int64_t fanOut, kiln_rng_t &rng) const;
};

} // namespace kiln::train

#endif // KILN_TRAINER_INITIALIZERS_H
