/*===- rng.c - Counter-based random numbers (Philox4x32-10) ---------------===*
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 *===----------------------------------------------------------------------===*/

#include "kiln/rng.h"

#include <math.h>

/* Round multipliers and Weyl key increments (Salmon et al. 2011, Random123). */
#define KILN_PHILOX_M0 0xD2511F53u
#define KILN_PHILOX_M1 0xCD9E8D57u
#define KILN_PHILOX_W0 0x9E3779B9u
#define KILN_PHILOX_W1 0xBB67AE85u

/* Bit 31 of counter word 3 separates coordinate draws from streams. */
#define KILN_RNG_COORDINATE_BIT 0x80000000u

static void kiln_philox_round(uint32_t x[4], const uint32_t k[2]) {
  uint64_t p0 = (uint64_t)KILN_PHILOX_M0 * x[0];
  uint64_t p1 = (uint64_t)KILN_PHILOX_M1 * x[2];
  uint32_t y0 = (uint32_t)(p1 >> 32) ^ x[1] ^ k[0];
  uint32_t y1 = (uint32_t)p1;
  uint32_t y2 = (uint32_t)(p0 >> 32) ^ x[3] ^ k[1];
  uint32_t y3 = (uint32_t)p0;
  x[0] = y0;
  x[1] = y1;
  x[2] = y2;
  x[3] = y3;
}

void kiln_philox4x32_10(const uint32_t counter[4], const uint32_t key[2],
                        uint32_t out[4]) {
  uint32_t x[4] = {counter[0], counter[1], counter[2], counter[3]};
  uint32_t k[2] = {key[0], key[1]};
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k[0] += KILN_PHILOX_W0;
      k[1] += KILN_PHILOX_W1;
    }
    kiln_philox_round(x, k);
  }
  out[0] = x[0];
  out[1] = x[1];
  out[2] = x[2];
  out[3] = x[3];
}

void kiln_rng_seed(kiln_rng_t *rng, uint64_t seed, uint64_t stream) {
  rng->key[0] = (uint32_t)seed;
  rng->key[1] = (uint32_t)(seed >> 32);
  rng->counter[0] = 0;
  rng->counter[1] = 0;
  rng->counter[2] = (uint32_t)stream;
  rng->counter[3] = (uint32_t)(stream >> 32) & ~KILN_RNG_COORDINATE_BIT;
  rng->index = 4;
}

uint32_t kiln_rng_next_u32(kiln_rng_t *rng) {
  if (rng->index >= 4) {
    kiln_philox4x32_10(rng->counter, rng->key, rng->buffer);
    /* 64-bit block counter in words 0-1. */
    if (++rng->counter[0] == 0)
      ++rng->counter[1];
    rng->index = 0;
  }
  return rng->buffer[rng->index++];
}

static float kiln_rng_to_unit(uint32_t bits) {
  return (float)(bits >> 8) * (1.0f / 16777216.0f);
}

float kiln_rng_uniform_f32(kiln_rng_t *rng) {
  return kiln_rng_to_unit(kiln_rng_next_u32(rng));
}

float kiln_rng_normal_f32(kiln_rng_t *rng) {
  /* u1 in (0, 1] keeps log() finite. */
  double u1 = 1.0 - (double)kiln_rng_uniform_f32(rng);
  double u2 = (double)kiln_rng_uniform_f32(rng);
  return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

/* The Philox block at coordinates (|seed|, |stream|, |sample|, |block|): the
 * one counter layout of every *_at and *_range function. */
static void kiln_rng_coordinate_block(uint64_t seed, uint32_t stream,
                                      uint32_t sample, uint64_t block,
                                      uint32_t out[4]) {
  uint32_t counter[4] = {(uint32_t)block, (uint32_t)(block >> 32), sample,
                         stream | KILN_RNG_COORDINATE_BIT};
  uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
  kiln_philox4x32_10(counter, key, out);
}

uint32_t kiln_rng_u32_at(uint64_t seed, uint32_t stream, uint32_t sample,
                         uint64_t index) {
  uint32_t out[4];
  kiln_rng_coordinate_block(seed, stream, sample, index >> 2, out);
  return out[index & 3];
}

float kiln_rng_uniform_at(uint64_t seed, uint32_t stream, uint32_t sample,
                          uint64_t index) {
  return kiln_rng_to_unit(kiln_rng_u32_at(seed, stream, sample, index));
}

void kiln_rng_uniform_range(uint64_t seed, uint32_t stream, uint32_t sample,
                            uint64_t first, uint64_t count, float *out) {
  uint32_t words[4];
  uint64_t block = UINT64_MAX;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t index = first + i;
    if (index >> 2 != block) {
      block = index >> 2;
      kiln_rng_coordinate_block(seed, stream, sample, block, words);
    }
    out[i] = kiln_rng_to_unit(words[index & 3]);
  }
}

/* The 16 bits of index |index| in kiln_rng_u16_at's layout, from the words
 * of its block (block KILN_RNG_U16_LANES·(index / KILN_RNG_U16_GROUP) +
 * index % KILN_RNG_U16_LANES). */
static uint32_t kiln_rng_u16_of(const uint32_t words[4], uint64_t index) {
  unsigned d = (unsigned)(index % KILN_RNG_U16_GROUP) / KILN_RNG_U16_LANES;
  return (words[d / 2] >> (16 * (d % 2))) & 0xFFFFu;
}

uint32_t kiln_rng_u16_at(uint64_t seed, uint32_t stream, uint32_t sample,
                         uint64_t index) {
  uint64_t block = index / KILN_RNG_U16_GROUP * KILN_RNG_U16_LANES +
                   index % KILN_RNG_U16_LANES;
  uint32_t words[4];
  kiln_rng_coordinate_block(seed, stream, sample, block, words);
  return kiln_rng_u16_of(words, index);
}

void kiln_rng_uniform16_range(uint64_t seed, uint32_t stream, uint32_t sample,
                              uint64_t first, uint64_t count, float *out) {
  /* A group's blocks at a time: every index of a group is read from them,
   * so each block is computed once per group the range touches. */
  uint32_t words[KILN_RNG_U16_LANES][4];
  uint64_t group = UINT64_MAX;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t index = first + i;
    if (index / KILN_RNG_U16_GROUP != group) {
      group = index / KILN_RNG_U16_GROUP;
      for (unsigned lane = 0; lane < KILN_RNG_U16_LANES; ++lane)
        kiln_rng_coordinate_block(seed, stream, sample,
                                  group * KILN_RNG_U16_LANES + lane,
                                  words[lane]);
    }
    out[i] = (float)kiln_rng_u16_of(words[index % KILN_RNG_U16_LANES], index) *
             (1.0f / 65536.0f);
  }
}
