//===- Dropout.cpp - Inverted dropout -------------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "trainer/Dropout.h"

#include <cmath>

namespace kiln::train {

Status Dropout::build(const std::vector<int64_t> &inputShape, kiln_rng_t &) {
  if (!(rate >= 0 && rate < 1))
    return Status::error("layer '" + name() + "' (dropout): rate " +
                         std::to_string(rate) + " must be in [0, 1)");
  shape = inputShape;
  return Status::success();
}

const Matrix &Dropout::forward(const Matrix &x, const ForwardContext &ctx) {
  active = (ctx.training || ctx.mcDropout) && rate > 0;
  if (!active) {
    out = x;
    return out;
  }
  // mask = the factor dL/dx picks up: 1/(1 − p) (standard) or a (alpha) for
  // kept elements, 0 for dropped ones.
  const double p = rate;
  const double alphaP = -1.0507009873554805 * 1.6732632423543772; // −λα
  const double a = 1.0 / std::sqrt((1 - p) * (1 + p * alphaP * alphaP));
  const double b = -a * alphaP * p;
  const float keptFactor =
      kind == DropoutKind::Alpha ? float(a) : float(1.0 / (1.0 - p));
  mask.resize(x.rows(), x.cols());
  // Uniforms for every element (training: index row·units + unit, the
  // matrix's row-major order) or for one row (MC sampling: index = unit).
  const bool perUnit = !ctx.training; // MC sampling: see Dropout.h
  const uint64_t count = perUnit ? uint64_t(x.cols()) : uint64_t(x.size());
  uniforms.resize(count);
  if (perUnit)
    kiln_rng_uniform16_range(ctx.seed, streamId, ctx.step, 0, count,
                             uniforms.data());
  else
    kiln_rng_uniform_range(ctx.seed, streamId, ctx.step, 0, count,
                           uniforms.data());
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    for (Eigen::Index c = 0; c < x.cols(); ++c) {
      float u = uniforms[perUnit ? c : r * x.cols() + c];
      mask(r, c) = u >= rate ? keptFactor : 0.0f;
    }
  if (kind == DropoutKind::Alpha) // a·x + b where kept, a·α' + b where dropped
    out = (mask.array() != 0)
              .select(x.array() * float(a) + float(b), float(a * alphaP + b));
  else
    out = x.cwiseProduct(mask);
  return out;
}

const Matrix &Dropout::backward(const Matrix &dy) {
  dx = active ? Matrix(dy.cwiseProduct(mask)) : dy;
  return dx;
}

} // namespace kiln::train
