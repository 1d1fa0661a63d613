/*===- rng.h - Counter-based random numbers (Philox4x32-10) ---------------===*
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 *===----------------------------------------------------------------------===*
 *
 * Kiln's one random number generator, shared by the trainer and compiled
 * libraries so that Monte-Carlo dropout in both draws the same masks.
 *
 * Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel Random Numbers: As
 * Easy as 1, 2, 3", SC 2011) is a keyed bijection of a 128-bit counter: the
 * output for a counter depends on nothing else, so any element of any stream
 * can be computed directly, on any thread, in any order. Two uses:
 *
 *  - a sequential stream (kiln_rng_t): weight initialization, shuffling;
 *  - coordinates (kiln_rng_u32_at, kiln_rng_u16_at): dropout masks and
 *    RReLU slopes, a pure function of (seed, stream, sample, index),
 *    bitwise reproducible across runs, batch splits and thread counts.
 *
 * The two counter spaces never meet: bit 31 of counter word 3 is 0 for
 * sequential streams and 1 for coordinates.
 *
 * No globals and no allocation: the state is the caller's.
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_RNG_H
#define KILN_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One Philox4x32-10 block: |out| = philox(|counter|, |key|). */
void kiln_philox4x32_10(const uint32_t counter[4], const uint32_t key[2],
                        uint32_t out[4]);

/* A sequential stream. Copying the struct saves the stream's position. */
typedef struct kiln_rng_t {
  uint32_t key[2];     /* the seed */
  uint32_t counter[4]; /* block index (words 0-1), stream (words 2-3) */
  uint32_t buffer[4];  /* the current block's output */
  uint32_t index;      /* next word of |buffer| to return; 4 = refill */
} kiln_rng_t;

/* Starts stream |stream| (< 2^63) of |seed| at its first value. */
void kiln_rng_seed(kiln_rng_t *rng, uint64_t seed, uint64_t stream);

/* The next 32 random bits. */
uint32_t kiln_rng_next_u32(kiln_rng_t *rng);

/* Uniform in [0, 1): the top 24 bits scaled by 2^-24, so every value is an
 * exact float and 1 is never returned. */
float kiln_rng_uniform_f32(kiln_rng_t *rng);

/* Standard normal by Box-Muller from two uniforms (the second of each pair
 * is discarded, so the stream position advances by exactly two words). */
float kiln_rng_normal_f32(kiln_rng_t *rng);

/* 32 random bits at coordinates (|seed|, |stream| < 2^31, |sample|,
 * |index| < 2^63); a pure function of its arguments. */
uint32_t kiln_rng_u32_at(uint64_t seed, uint32_t stream, uint32_t sample,
                         uint64_t index);

/* kiln_rng_u32_at mapped to [0, 1) as kiln_rng_uniform_f32 does. */
float kiln_rng_uniform_at(uint64_t seed, uint32_t stream, uint32_t sample,
                          uint64_t index);

/* out[i] = kiln_rng_uniform_at(seed, stream, sample, first + i) for
 * i < count, bitwise, with one Philox block per four indices (a quarter of
 * the work of calling kiln_rng_uniform_at for each). */
void kiln_rng_uniform_range(uint64_t seed, uint32_t stream, uint32_t sample,
                            uint64_t first, uint64_t count, float *out);

/* 16 random bits at coordinates, for dropout masks: one Philox block gives
 * eight indices, half the work per index of kiln_rng_u32_at. Indices come
 * in groups of 128 over 16 consecutive blocks, laid out for 16-lane
 * vectors: index i takes
 *
 *   block 16·(i / 128) + i % 16,  d = (i % 128) / 16,
 *   bits 16·(d % 2) .. 16·(d % 2) + 15 of word d / 2 of that block,
 *
 * so 16 blocks computed side by side in the lanes of four word vectors
 * give indices 16·d .. 16·d + 15 of the group in lane order, vector d
 * being one half of one word vector: compiled code applies them without
 * a shuffle or a buffer. The counter is kiln_rng_u32_at's (block, sample,
 * stream | 2^31). */
uint32_t kiln_rng_u16_at(uint64_t seed, uint32_t stream, uint32_t sample,
                         uint64_t index);

/* kiln_rng_u16_at's layout: blocks side by side, and indices per group. */
#define KILN_RNG_U16_LANES 16
#define KILN_RNG_U16_GROUP 128

/* out[i] = kiln_rng_u16_at(seed, stream, sample, first + i) · 2^-16 for
 * i < count: uniform on the 2^16 multiples of 2^-16 in [0, 1), exact
 * floats, so u >= rate holds iff the bits are at least ceil(rate · 2^16).
 * Computes the 16 blocks of each group the range touches once (a range of
 * 10 indices still costs 16 blocks). */
void kiln_rng_uniform16_range(uint64_t seed, uint32_t stream, uint32_t sample,
                              uint64_t first, uint64_t count, float *out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RNG_H */
