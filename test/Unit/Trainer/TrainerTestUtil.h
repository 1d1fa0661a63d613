//===- TrainerTestUtil.h - Data and round trips for trainer tests -*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TEST_UNIT_TRAINER_TRAINERTESTUTIL_H
#define KILN_TEST_UNIT_TRAINER_TRAINERTESTUTIL_H

#include "kiln/rng.h"
#include "trainer/Sequential.h"

#include <gtest/gtest.h>

#include <memory>

namespace kiln::train::testing {

/// `n` standard-normal points in 4-D labelled (x0 + x1 > 0).
inline void blobs(Matrix &x, Targets &t, int n, uint64_t seed);

/// The same as a pair: `auto [x, t] = blobs(n, seed);`.
struct Blobs {
  Matrix x;
  Targets t;
};
inline Blobs blobs(int n, uint64_t seed) {
  Blobs b;
  blobs(b.x, b.t, n, seed);
  return b;
}

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

/// `status` is an error whose message contains `needle`; the message is
/// printed when it is not.
inline ::testing::AssertionResult failsWith(const Status &status,
                                            const std::string &needle) {
  if (status.ok())
    return ::testing::AssertionFailure()
           << "succeeded; expected an error with '" << needle << "'";
  if (status.message().find(needle) == std::string::npos)
    return ::testing::AssertionFailure()
           << "error '" << status.message() << "' lacks '" << needle << "'";
  return ::testing::AssertionSuccess();
}

/// A model back from its file bytes: parse, then load into a new
/// Sequential.
inline std::unique_ptr<Sequential> reload(const std::vector<uint8_t> &bytes) {
  Model file;
  EXPECT_TRUE(parseModel(bytes.data(), bytes.size(), file).ok());
  auto back = std::make_unique<Sequential>();
  Status s = back->load(file);
  EXPECT_TRUE(s.ok()) << s.message();
  return back;
}

/// `m` through its file form: serialize, parse, load.
inline std::unique_ptr<Sequential> throughFile(const Sequential &m) {
  std::vector<uint8_t> bytes;
  EXPECT_TRUE(serializeModel(m.toModel(), bytes).ok());
  return reload(bytes);
}

} // namespace kiln::train::testing

#endif // KILN_TEST_UNIT_TRAINER_TRAINERTESTUTIL_H
