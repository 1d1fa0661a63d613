//===- Regularizers.cpp - Weight penalties and constraints ----------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "trainer/Regularizers.h"

#include <cmath>

namespace kiln::train {

double Regularizer::penalty(const Matrix &w) const {
  double p = 0;
  if (l1 != 0)
    p += l1 * w.cast<double>().cwiseAbs().sum();
  if (l2 != 0)
    p += l2 * w.cast<double>().squaredNorm();
  return p;
}

void Regularizer::addGradient(const Matrix &w, Matrix &grad) const {
  if (l1 != 0)
    grad.array() += float(l1) * w.array().sign();
  if (l2 != 0)
    grad += float(2 * l2) * w;
}

void MaxNorm::apply(Matrix &w) const {
  if (maxValue <= 0)
    return;
  for (Eigen::Index c = 0; c < w.cols(); ++c) {
    double norm = std::sqrt(w.col(c).cast<double>().squaredNorm());
    w.col(c) *= float(std::min(norm, maxValue) / (norm + 1e-7));
  }
}

} // namespace kiln::train
