//===- McTest.cpp - The MC driver, Welford, entropy and status codes ------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// References: a two-pass mean and standard deviation in long double, the
// entropy summed directly, and a fake model whose sample s of row r is a
// known function, so every call the driver makes can be checked.
//
//===----------------------------------------------------------------------===//

#include "kiln/mc.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace {

TEST(McTest, WelfordMatchesTwoPass) {
  // Values around 1e4 with spread 1: a float running mean would lose digits.
  const size_t count = 7;
  const uint32_t samples = 1000;
  std::vector<std::vector<float>> xs(samples, std::vector<float>(count));
  for (uint32_t s = 0; s < samples; ++s)
    for (size_t i = 0; i < count; ++i)
      xs[s][i] = 1e4f * float(i) + std::sin(float(s * 7 + i * 13));
  std::vector<double> mean(count, 0), m2(count, 0);
  for (uint32_t s = 0; s < samples; ++s)
    kiln_welford_add(mean.data(), m2.data(), xs[s].data(), count, s + 1);
  std::vector<float> meanOut(count), stdOut(count);
  kiln_welford_finish(mean.data(), m2.data(), count, samples, meanOut.data(),
                      stdOut.data());
  for (size_t i = 0; i < count; ++i) {
    long double sum = 0, sq = 0;
    for (uint32_t s = 0; s < samples; ++s)
      sum += xs[s][i];
    long double mu = sum / samples;
    for (uint32_t s = 0; s < samples; ++s)
      sq += (xs[s][i] - mu) * (xs[s][i] - mu);
    EXPECT_EQ(meanOut[i], float(mu)) << i;
    EXPECT_NEAR(stdOut[i], float(std::sqrt(sq / samples)), 1e-6) << i;
  }
}

TEST(McTest, OneSampleHasZeroSpread) {
  float x[3] = {1.5f, -2.0f, 1e30f};
  double mean[3] = {0, 0, 0}, m2[3] = {0, 0, 0};
  kiln_welford_add(mean, m2, x, 3, 1);
  float m[3], sd[3];
  kiln_welford_finish(mean, m2, 3, 1, m, sd);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(m[i], x[i]);
    EXPECT_EQ(sd[i], 0.0f);
  }
}

TEST(McTest, PredictiveEntropy) {
  const float p[] = {0.25f, 0.25f, 0.25f, 0.25f, // log 4
                     1.0f,  0.0f,  0.0f,  0.0f,  // 0, with 0 log 0 = 0
                     0.5f,  0.5f,  0.0f,  0.0f}; // log 2
  float h[3];
  ASSERT_EQ(kiln_predictive_entropy(p, 3, 4, h), KILN_STATUS_OK);
  EXPECT_FLOAT_EQ(h[0], std::log(4.0f));
  EXPECT_EQ(h[1], 0.0f);
  EXPECT_FLOAT_EQ(h[2], std::log(2.0f));
  // A NaN probability (from a NaN mean) makes the entropy NaN, not a
  // plausible number.
  const float q[] = {0.5f, std::nanf("")};
  float hq;
  ASSERT_EQ(kiln_predictive_entropy(q, 1, 2, &hq), KILN_STATUS_OK);
  EXPECT_TRUE(std::isnan(hq));
  EXPECT_EQ(kiln_predictive_entropy(nullptr, 3, 4, h),
            KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_predictive_entropy(p, 0, 4, h), KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_predictive_entropy(p, 3, 4, nullptr),
            KILN_STATUS_INVALID_ARGUMENT);
}

TEST(McTest, StatusMessages) {
  EXPECT_STREQ(kiln_status_message(KILN_STATUS_OK), "ok");
  EXPECT_NE(std::strstr(kiln_status_message(KILN_STATUS_INVALID_ARGUMENT),
                        "invalid argument"),
            nullptr);
  EXPECT_STREQ(kiln_status_message(7), "unknown status");
}

// A fake model with 2 inputs and 3 outputs: output o of a row in sample s
// is in[0] + 10·in[1] + 100·o + s·s/7 + seed, and every call is recorded.
struct Call {
  size_t rows;
  uint32_t first, count;
};
std::vector<Call> calls;
constexpr size_t kIn = 2, kOut = 3;

float fake(const float *row, size_t o, uint32_t s, uint64_t seed) {
  return row[0] + 10 * row[1] + 100 * float(o) + float(s * s) / 7 + float(seed);
}

void fakeSamples(const float *in, size_t rows, uint64_t seed, uint32_t first,
                 uint32_t count, float *out) {
  calls.push_back({rows, first, count});
  for (size_t r = 0; r < rows; ++r)
    for (uint32_t j = 0; j < count; ++j)
      for (size_t o = 0; o < kOut; ++o)
        out[(r * count + j) * kOut + o] =
            fake(in + r * kIn, o, first + j, seed);
}

struct DriverTest : ::testing::Test {
  void SetUp() override {
    calls.clear();
    for (size_t i = 0; i < input.size(); ++i)
      input[i] = float(i % 5) - 1.5f;
  }
  std::vector<float> input = std::vector<float>(7 * kIn);
  kiln_mc_model model{fakeSamples, kIn, kOut, 3};
};

TEST_F(DriverTest, MeanAndStdAreWelfordOfEverySample) {
  const size_t batch = 7;
  const uint32_t samples = 100;
  // Room for 3 rows of 50 samples: pieces of 3, 3, 1 rows; chunks of 48
  // (a multiple of 24) while more follow, then the rest.
  std::vector<float> scratch(3 * 50 * kOut);
  std::vector<double> acc(2 * 3 * kOut);
  std::vector<float> mean(batch * kOut), sd(batch * kOut);
  ASSERT_EQ(kiln_mc_predict(&model, input.data(), batch, samples, 5,
                            mean.data(), sd.data(), scratch.data(),
                            scratch.size(), acc.data()),
            KILN_STATUS_OK);
  std::vector<Call> expected = {{3, 0, 48}, {3, 48, 48}, {3, 96, 4},
                                {3, 0, 48}, {3, 48, 48}, {3, 96, 4},
                                {1, 0, 100}};
  ASSERT_EQ(calls.size(), expected.size());
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].rows, expected[i].rows) << i;
    EXPECT_EQ(calls[i].first, expected[i].first) << i;
    EXPECT_EQ(calls[i].count, expected[i].count) << i;
  }
  for (size_t r = 0; r < batch; ++r)
    for (size_t o = 0; o < kOut; ++o) {
      long double sum = 0, sq = 0;
      for (uint32_t s = 0; s < samples; ++s)
        sum += fake(&input[r * kIn], o, s, 5);
      long double mu = sum / samples;
      for (uint32_t s = 0; s < samples; ++s) {
        long double d = fake(&input[r * kIn], o, s, 5) - mu;
        sq += d * d;
      }
      EXPECT_FLOAT_EQ(mean[r * kOut + o], float(mu)) << r << "," << o;
      EXPECT_NEAR(sd[r * kOut + o], float(std::sqrt(sq / samples)), 1e-4)
          << r << "," << o;
    }
}

TEST_F(DriverTest, SmallScratchTakesFewerRows) {
  // One sample of two rows fits, three do not: pieces of 2 rows.
  std::vector<float> scratch(2 * kOut + 1);
  std::vector<double> acc(2 * 3 * kOut);
  std::vector<float> mean(7 * kOut), sd(7 * kOut);
  ASSERT_EQ(kiln_mc_predict(&model, input.data(), 7, 2, 0, mean.data(),
                            sd.data(), scratch.data(), scratch.size(),
                            acc.data()),
            KILN_STATUS_OK);
  // Pieces of 2, 2, 2 and 1 rows: one sample per call for two rows, both
  // samples in one call for the last row.
  ASSERT_EQ(calls.size(), 7u);
  EXPECT_EQ(calls[0].rows, 2u);
  EXPECT_EQ(calls[0].count, 1u);
  EXPECT_EQ(calls.back().rows, 1u);
  EXPECT_EQ(calls.back().count, 2u);
  EXPECT_FLOAT_EQ(
      mean[6 * kOut + 2],
      (fake(&input[6 * kIn], 2, 0, 0) + fake(&input[6 * kIn], 2, 1, 0)) / 2);
}

// max_rows near SIZE_MAX: the piece is bounded by the scratch without
// overflowing max_rows · output_size.
TEST_F(DriverTest, HugeMaxRowsIsBoundedByTheScratch) {
  kiln_mc_model huge{fakeSamples, kIn, kOut, SIZE_MAX / 2};
  std::vector<float> scratch(2 * kOut * 5), mean(7 * kOut), sd(7 * kOut);
  std::vector<double> acc(2 * 7 * kOut);
  ASSERT_EQ(kiln_mc_predict(&huge, input.data(), 7, 5, 0, mean.data(),
                            sd.data(), scratch.data(), scratch.size(),
                            acc.data()),
            KILN_STATUS_OK);
  // 30 floats hold 10 rows of one sample: the 7 rows in one piece, one
  // sample per call.
  ASSERT_EQ(calls.size(), 5u);
  for (uint32_t i = 0; i < 5; ++i) {
    EXPECT_EQ(calls[i].rows, 7u);
    EXPECT_EQ(calls[i].first, i);
    EXPECT_EQ(calls[i].count, 1u);
  }
  double m = 0;
  for (uint32_t s = 0; s < 5; ++s)
    m += fake(&input[6 * kIn], 1, s, 0) / 5.0;
  EXPECT_FLOAT_EQ(mean[6 * kOut + 1], float(m));
}

TEST_F(DriverTest, PerSampleOutputsAreExampleMajor) {
  const uint32_t samples = 4;
  std::vector<float> out(7 * samples * kOut);
  ASSERT_EQ(
      kiln_mc_predict_samples(&model, input.data(), 7, samples, 9, out.data()),
      KILN_STATUS_OK);
  ASSERT_EQ(calls.size(), 3u); // rows 3, 3, 1: all samples in one call
  const size_t rows[] = {3, 3, 1};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(calls[i].rows, rows[i]);
    EXPECT_EQ(calls[i].first, 0u);
    EXPECT_EQ(calls[i].count, samples);
  }
  for (size_t r = 0; r < 7; ++r)
    for (uint32_t s = 0; s < samples; ++s)
      for (size_t o = 0; o < kOut; ++o)
        EXPECT_EQ(out[(r * samples + s) * kOut + o],
                  fake(&input[r * kIn], o, s, 9));
}

TEST_F(DriverTest, BadArgumentsReturnAnErrorAndCallNothing) {
  std::vector<float> scratch(100), mean(7 * kOut), sd(7 * kOut), out(100);
  std::vector<double> acc(100);
  auto mc = [&](const kiln_mc_model *m, const float *in, size_t batch,
                uint32_t samples, float *mu, float *s, float *scr,
                size_t floats, double *a) {
    return kiln_mc_predict(m, in, batch, samples, 1, mu, s, scr, floats, a);
  };
  const float *in = input.data();
  EXPECT_EQ(mc(nullptr, in, 7, 2, mean.data(), sd.data(), scratch.data(), 100,
               acc.data()),
            KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(mc(&model, nullptr, 7, 2, mean.data(), sd.data(), scratch.data(),
               100, acc.data()),
            KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(mc(&model, in, 0, 2, mean.data(), sd.data(), scratch.data(), 100,
               acc.data()),
            KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(mc(&model, in, 7, 0, mean.data(), sd.data(), scratch.data(), 100,
               acc.data()),
            KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(
      mc(&model, in, 7, 2, nullptr, sd.data(), scratch.data(), 100, acc.data()),
      KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(mc(&model, in, 7, 2, mean.data(), nullptr, scratch.data(), 100,
               acc.data()),
            KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(
      mc(&model, in, 7, 2, mean.data(), sd.data(), nullptr, 100, acc.data()),
      KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(mc(&model, in, 7, 2, mean.data(), sd.data(), scratch.data(),
               kOut - 1, acc.data()),
            KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(mc(&model, in, 7, 2, mean.data(), sd.data(), scratch.data(), 100,
               nullptr),
            KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_mc_predict_samples(&model, in, 7, 0, 1, out.data()),
            KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_mc_predict_samples(&model, in, 0, 2, 1, out.data()),
            KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_mc_predict_samples(&model, in, 7, 2, 1, nullptr),
            KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_mc_predict_samples(nullptr, in, 7, 2, 1, out.data()),
            KILN_STATUS_INVALID_ARGUMENT);
  // Models no driver can run: no function, no rows, no outputs.
  kiln_mc_model noFunction{nullptr, kIn, kOut, 3},
      noRows{fakeSamples, kIn, kOut, 0}, noOutputs{fakeSamples, kIn, 0, 3};
  for (const kiln_mc_model *m : {&noFunction, &noRows, &noOutputs}) {
    EXPECT_EQ(mc(m, in, 7, 2, mean.data(), sd.data(), scratch.data(), 100,
                 acc.data()),
              KILN_STATUS_INVALID_ARGUMENT);
    EXPECT_EQ(kiln_mc_predict_samples(m, in, 7, 2, 1, out.data()),
              KILN_STATUS_INVALID_ARGUMENT);
  }
  EXPECT_TRUE(calls.empty());
}

} // namespace
