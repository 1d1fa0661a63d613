//===- GradientCheck.h - Central-difference checks for trainer tests -*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Every analytic gradient is compared with (L(θ+h) − L(θ−h)) / 2h. The
// trainer computes in float32, so the difference quotient itself carries an
// error of about ε·|L|/h ≈ 1e-7·1/1e-2 = 1e-5 plus O(h²·L''') truncation;
// with h = 1e-2 on inputs of order 1 we accept a mismatch of
// 2e-3·max(1, |g|). GradientTest's WrongGradientIsCaught shows a 10% error
// fails the check.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TEST_UNIT_TRAINER_GRADIENTCHECK_H
#define KILN_TEST_UNIT_TRAINER_GRADIENTCHECK_H

#include "kiln/rng.h"
#include "trainer/Tensor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

namespace kiln::train::gradcheck {

/// Deterministic values uniform in [-1, 1).
inline Matrix randomMatrix(Eigen::Index rows, Eigen::Index cols,
                           uint64_t seed) {
  kiln_rng_t rng;
  kiln_rng_seed(&rng, seed, 7);
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i)
    m.data()[i] = 2.0f * kiln_rng_uniform_f32(&rng) - 1.0f;
  return m;
}

/// Checks `analytic` = dL/dθ against central differences of `loss` in each
/// element of `theta`.
inline void expectGradient(Matrix &theta, const Matrix &analytic,
                           const std::function<double()> &loss,
                           const std::string &what) {
  const float h = 1e-2f;
  for (Eigen::Index i = 0; i < theta.size(); ++i) {
    float saved = theta.data()[i];
    theta.data()[i] = saved + h;
    double up = loss();
    theta.data()[i] = saved - h;
    double down = loss();
    theta.data()[i] = saved;
    double numeric = (up - down) / (2.0 * h);
    double g = analytic.data()[i];
    EXPECT_NEAR(g, numeric, 2e-3 * std::max(1.0, std::fabs(g)))
        << what << " element " << i;
  }
}

} // namespace kiln::train::gradcheck

#endif // KILN_TEST_UNIT_TRAINER_GRADIENTCHECK_H
