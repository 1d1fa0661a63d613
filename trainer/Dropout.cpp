//===- Dropout.cpp - Inverted dropout -------------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "trainer/Dropout.h"

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
  const float scale = 1.0f / (1.0f - rate);
  mask.resize(x.rows(), x.cols());
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    for (Eigen::Index c = 0; c < x.cols(); ++c) {
      uint64_t index = uint64_t(r) * uint64_t(x.cols()) + uint64_t(c);
      bool keep =
          kiln_rng_uniform_at(ctx.seed, streamId, ctx.step, index) >= rate;
      mask(r, c) = keep ? scale : 0.0f;
    }
  out = x.cwiseProduct(mask);
  return out;
}

const Matrix &Dropout::backward(const Matrix &dy) {
  dx = active ? Matrix(dy.cwiseProduct(mask)) : dy;
  return dx;
}

} // namespace kiln::train
