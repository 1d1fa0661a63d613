//===- Blobs.h - A small separable data set for trainer tests -----*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TEST_UNIT_TRAINER_BLOBS_H
#define KILN_TEST_UNIT_TRAINER_BLOBS_H

#include "kiln/rng.h"
#include "trainer/Loss.h"

namespace kiln::train::testing {

/// `n` standard-normal points in 4-D labelled (x0 + x1 > 0).
inline void blobs(Matrix &x, Targets &t, int n, uint64_t seed) {
  kiln_rng_t rng;
  kiln_rng_seed(&rng, seed, 3);
  x.resize(n, 4);
  t.labels.resize(size_t(n));
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < 4; ++j)
      x(i, j) = kiln_rng_normal_f32(&rng);
    t.labels[size_t(i)] = x(i, 0) + x(i, 1) > 0;
  }
}

} // namespace kiln::train::testing

#endif // KILN_TEST_UNIT_TRAINER_BLOBS_H
