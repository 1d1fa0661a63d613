//===- RngTest.cpp - Philox4x32-10 and the kiln_rng API
//--------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The known-answer vectors are the independent reference (Random123's
// kat_vectors, lines "philox4x32 10 <counter x4> <key x2> <out x4>").
// Statistical checks use fixed seeds, so they are deterministic; each bound
// is a tail probability of about 1e-3 or less for a correct generator.
//
//===----------------------------------------------------------------------===//

#include "kiln/rng.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <set>
#include <vector>

namespace {

struct Kat {
  std::array<uint32_t, 4> counter;
  std::array<uint32_t, 2> key;
  std::array<uint32_t, 4> out;
};

TEST(RngTest, PhiloxKnownAnswers) {
  const Kat kats[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
       {0xffffffff, 0xffffffff},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
       {0xa4093822, 0x299f31d0},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (const Kat &kat : kats) {
    uint32_t out[4];
    kiln_philox4x32_10(kat.counter.data(), kat.key.data(), out);
    for (int i = 0; i < 4; ++i)
      EXPECT_EQ(out[i], kat.out[i]) << "word " << i;
  }
}

// The stream is the blocks at counters {0,0,s}, {1,0,s}, ... word by word.
TEST(RngTest, StreamIsConsecutiveBlocks) {
  const uint64_t seed = 0x0123456789abcdefull;
  kiln_rng_t rng;
  kiln_rng_seed(&rng, seed, 5);
  const uint32_t key[2] = {0x89abcdef, 0x01234567};
  for (uint32_t block = 0; block < 3; ++block) {
    const uint32_t counter[4] = {block, 0, 5, 0};
    uint32_t expected[4];
    kiln_philox4x32_10(counter, key, expected);
    for (uint32_t word : expected)
      EXPECT_EQ(kiln_rng_next_u32(&rng), word);
  }
}

TEST(RngTest, CopyingTheStateSavesThePosition) {
  kiln_rng_t rng;
  kiln_rng_seed(&rng, 42, 0);
  for (int i = 0; i < 7; ++i) // mid-block
    (void)kiln_rng_next_u32(&rng);
  kiln_rng_t saved = rng;
  std::vector<uint32_t> a, b;
  for (int i = 0; i < 20; ++i)
    a.push_back(kiln_rng_next_u32(&rng));
  for (int i = 0; i < 20; ++i)
    b.push_back(kiln_rng_next_u32(&saved));
  EXPECT_EQ(a, b);
}

// Coordinates: counter {index/4 (64-bit), sample, stream | 2^31}, word
// index % 4; disjoint from every sequential stream's counters.
TEST(RngTest, CoordinateLayout) {
  const uint32_t key[2] = {7, 0};
  const uint32_t counter[4] = {2, 0, 3, 0x80000001u};
  uint32_t block[4];
  kiln_philox4x32_10(counter, key, block);
  for (uint64_t index = 8; index < 12; ++index)
    EXPECT_EQ(kiln_rng_u32_at(7, 1, 3, index), block[index & 3]);
  // Same coordinates, same value; another sample, another value.
  EXPECT_EQ(kiln_rng_u32_at(7, 1, 3, 9), kiln_rng_u32_at(7, 1, 3, 9));
  EXPECT_NE(kiln_rng_u32_at(7, 1, 3, 9), kiln_rng_u32_at(7, 1, 4, 9));
}

TEST(RngTest, UniformRange) {
  kiln_rng_t rng;
  kiln_rng_seed(&rng, 1, 0);
  for (int i = 0; i < 100000; ++i) {
    float u = kiln_rng_uniform_f32(&rng);
    ASSERT_GE(u, 0.0f);
    ASSERT_LT(u, 1.0f);
  }
  // The largest value is 1 - 2^-24, exactly representable, below 1.
  float top = float(0xFFFFFFu) * (1.0f / 16777216.0f);
  EXPECT_LT(top, 1.0f);
}

// Pearson chi-square over 16 equal bins, 160000 draws: 15 degrees of
// freedom, P(chi2 > 37.70) = 0.001.
TEST(RngTest, UniformChiSquare) {
  for (uint64_t seed : {1ull, 2ull, 0xdeadbeefull}) {
    kiln_rng_t rng;
    kiln_rng_seed(&rng, seed, 0);
    std::array<int, 16> bins{};
    const int n = 160000;
    for (int i = 0; i < n; ++i)
      ++bins[int(kiln_rng_uniform_f32(&rng) * 16)];
    double chi2 = 0, expected = n / 16.0;
    for (int count : bins)
      chi2 += (count - expected) * (count - expected) / expected;
    EXPECT_LT(chi2, 37.70) << "seed " << seed;
  }
}

double correlation(const std::vector<double> &a, const std::vector<double> &b) {
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ma += a[i];
    mb += b[i];
  }
  ma /= a.size();
  mb /= b.size();
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

// Streams of one seed, neighbouring coordinates, and lag-1 values are
// uncorrelated: |r| < 3.3/sqrt(n) (two-sided p ~ 0.001).
TEST(RngTest, StreamsAndCoordinatesAreIndependent) {
  const int n = 100000;
  std::vector<double> s0, s1, lag, at0, at1;
  kiln_rng_t r0, r1;
  kiln_rng_seed(&r0, 99, 0);
  kiln_rng_seed(&r1, 99, 1);
  for (int i = 0; i < n; ++i) {
    s0.push_back(kiln_rng_uniform_f32(&r0));
    s1.push_back(kiln_rng_uniform_f32(&r1));
    at0.push_back(kiln_rng_uniform_at(99, 0, 0, uint64_t(i)));
    at1.push_back(kiln_rng_uniform_at(99, 0, 1, uint64_t(i)));
  }
  lag.assign(s0.begin() + 1, s0.end());
  std::vector<double> head(s0.begin(), s0.end() - 1);
  const double bound = 3.3 / std::sqrt(double(n));
  EXPECT_LT(std::fabs(correlation(s0, s1)), bound);
  EXPECT_LT(std::fabs(correlation(at0, at1)), bound);
  EXPECT_LT(std::fabs(correlation(head, lag)), bound);
  EXPECT_LT(std::fabs(correlation(s0, at0)), bound);
}

TEST(RngTest, NoRepeatsInAMillionWords) {
  kiln_rng_t rng;
  kiln_rng_seed(&rng, 3, 0);
  std::set<uint32_t> seen;
  int repeats = 0;
  for (int i = 0; i < 1000000; ++i)
    repeats += !seen.insert(kiln_rng_next_u32(&rng)).second;
  // Birthday bound for 10^6 draws from 2^32: expected 116 repeats, sd ~11.
  EXPECT_GT(repeats, 70);
  EXPECT_LT(repeats, 165);
}

// Mean within 4 standard errors of 0, variance within 4 of 1
// (sd of the sample variance of a normal is sqrt(2/n)).
TEST(RngTest, NormalMoments) {
  kiln_rng_t rng;
  kiln_rng_seed(&rng, 2024, 0);
  const int n = 200000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    double z = kiln_rng_normal_f32(&rng);
    ASSERT_TRUE(std::isfinite(z));
    sum += z;
    sum2 += z * z;
  }
  double mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_LT(std::fabs(mean), 4 / std::sqrt(double(n)));
  EXPECT_LT(std::fabs(var - 1), 4 * std::sqrt(2.0 / n));
}

} // namespace

TEST(RngTest, UniformRangeIsUniformAtBitwise) {
  // Ranges starting inside a block, crossing blocks, and at a large index.
  for (uint64_t first : {0ull, 3ull, 1001ull, (1ull << 40) + 2}) {
    float out[37];
    kiln_rng_uniform_range(99, 7, 5, first, 37, out);
    for (uint64_t i = 0; i < 37; ++i)
      EXPECT_EQ(out[i], kiln_rng_uniform_at(99, 7, 5, first + i))
          << "index " << first + i;
  }
}

// kiln_rng_u16_at's layout (rng.h), checked against Philox blocks computed
// here: index 128·g + 16·d + l is half d % 2 of word d / 2 of block
// 16·g + l.
TEST(RngTest, U16Layout) {
  const uint32_t key[2] = {0x89abcdefu, 0x01234567u};
  const uint64_t seed = 0x0123456789abcdefull;
  for (uint64_t group : {0ull, 5ull, (1ull << 36) + 3}) {
    for (uint32_t lane = 0; lane < 16; ++lane) {
      uint64_t block = group * 16 + lane;
      const uint32_t counter[4] = {uint32_t(block), uint32_t(block >> 32), 4,
                                   0x80000002u};
      uint32_t words[4];
      kiln_philox4x32_10(counter, key, words);
      for (uint32_t d = 0; d < 8; ++d) {
        uint32_t expected = (words[d / 2] >> (16 * (d % 2))) & 0xFFFFu;
        EXPECT_EQ(kiln_rng_u16_at(seed, 2, 4, group * 128 + 16 * d + lane),
                  expected)
            << "group " << group << " lane " << lane << " d " << d;
      }
    }
  }
}

TEST(RngTest, Uniform16RangeIsU16AtBitwise) {
  // Ranges starting inside a group, crossing groups, and at a large index.
  for (uint64_t first : {0ull, 3ull, 120ull, 1001ull, (1ull << 40) + 2}) {
    float out[300];
    kiln_rng_uniform16_range(99, 7, 5, first, 300, out);
    for (uint64_t i = 0; i < 300; ++i) {
      uint32_t bits = kiln_rng_u16_at(99, 7, 5, first + i);
      ASSERT_LT(bits, 65536u);
      ASSERT_EQ(out[i], float(bits) / 65536.0f) << "index " << first + i;
      ASSERT_LT(out[i], 1.0f);
    }
  }
}

// The 16-bit values: chi-square over 16 bins of the top four bits and over
// 16 bins of the low four (the halves must both be uniform), 160000
// indices of neighbouring coordinates; and no correlation between
// neighbouring indices of a group (the two halves of one word, and words
// of one block) or between samples.
TEST(RngTest, U16UniformAndIndependent) {
  const int n = 160000;
  std::array<int, 16> high{}, low{};
  std::vector<double> a, b, half, nextSample;
  for (int i = 0; i < n; ++i) {
    uint32_t bits = kiln_rng_u16_at(11, 3, 0, uint64_t(i));
    ++high[bits >> 12];
    ++low[bits & 15];
  }
  for (uint64_t g = 0; g < 100000 / 128; ++g)
    for (uint64_t j = 0; j < 128; ++j) {
      uint64_t i = g * 128 + j;
      a.push_back(kiln_rng_u16_at(11, 3, 0, i));
      // the other half of the same word, and the next word of the block
      half.push_back(kiln_rng_u16_at(11, 3, 0, i ^ 16));
      b.push_back(kiln_rng_u16_at(11, 3, 0, g * 128 + (j + 32) % 128));
      nextSample.push_back(kiln_rng_u16_at(11, 3, 1, i));
    }
  for (const auto &bins : {high, low}) {
    double chi2 = 0, expected = n / 16.0;
    for (int count : bins)
      chi2 += (count - expected) * (count - expected) / expected;
    EXPECT_LT(chi2, 37.70);
  }
  const double bound = 3.3 / std::sqrt(double(a.size()));
  EXPECT_LT(std::fabs(correlation(a, half)), bound);
  EXPECT_LT(std::fabs(correlation(a, b)), bound);
  EXPECT_LT(std::fabs(correlation(a, nextSample)), bound);
}
