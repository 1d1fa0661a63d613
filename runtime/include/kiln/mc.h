/*===- mc.h - Monte-Carlo dropout: the driver and its statistics ----------===*
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 *===----------------------------------------------------------------------===*
 *
 * MC dropout (Gal & Ghahramani 2016) runs a model many times with dropout
 * active and reduces the samples per output to a mean and a standard
 * deviation. Generated code computes the samples (masks drawn in the
 * kernels, layers before the first dropout run once per call); this file
 * reduces them. Both the trainer's predictMc and every generated
 * library's NAME_predict_mc reduce through kiln_welford_add and
 * kiln_welford_finish, so the two give the same statistics whenever their
 * samples agree.
 *
 * No globals and no allocation: buffers are the caller's.
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_MC_H
#define KILN_MC_H

#include "kiln/status.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Welford's recurrence for sample |n| (1-based) of |count| elements x[i]:
 *
 *   mean_n = mean_{n-1} + (x - mean_{n-1}) / n
 *   M2_n   = M2_{n-1} + (x - mean_{n-1}) (x - mean_n)
 *
 * in double, so the result does not depend on the order of magnitude of
 * the sample count (a float mean of 10^4 samples loses ~4 digits). Before
 * sample 1, mean and m2 must be 0 (sample 1 then sets mean = x, M2 = 0). */
void kiln_welford_add(double *mean, double *m2, const float *x, size_t count,
                      uint32_t n);

/* The mean and the population standard deviation sqrt(M2 / n) (divisor n,
 * as numpy.std) after |n| >= 1 samples, rounded to float. */
void kiln_welford_finish(const double *mean, const double *m2, size_t count,
                         uint32_t n, float *mean_out, float *stddev_out);

/* The predictive entropy of each of |batch| rows of class probabilities:
 * entropy[i] = -sum_c p[i][c] log p[i][c] in nats (0 log 0 taken as 0,
 * negative p ignored, NaN propagated), accumulated in double. */
kiln_status kiln_predictive_entropy(const float *p, size_t batch,
                                    size_t classes, float *entropy);

/* Rows [0, rows) of |input| through the model for samples [first,
 * first + count): output[(r * count + j) * output_size + o] is output o of
 * row r in sample first + j. Generated code. */
typedef void (*kiln_mc_samples_fn)(const float *input, size_t rows,
                                   uint64_t seed, uint32_t first,
                                   uint32_t count, float *output);

/* Samples the compiled code computes together at batch 1, and the fewest
 * rows it stacks in a step at any batch (ceil(24 / rows) samples of a
 * call; a call's last step may be shorter): the driver's calls take a
 * multiple of it when more samples follow, so at batch 1 no call but the
 * last ends with a short step. kilnc builds its sample loop with the same
 * constant. */
#define KILN_MC_SAMPLES_PER_STEP 24

/* What the driver needs of a compiled model. */
typedef struct kiln_mc_model {
  kiln_mc_samples_fn samples;
  size_t input_size;  /* floats per example in */
  size_t output_size; /* floats per example out */
  size_t max_rows;    /* rows per call of |samples| (its stack bound) */
} kiln_mc_model;

/* Mean and stddev (batch * output_size floats each) of |samples| samples
 * of |seed|. Rows go in pieces of at most model->max_rows (fewer if the
 * scratch cannot hold one sample of them); samples of a piece in calls of
 * as many as |scratch| (|scratch_floats| floats) holds, rounded down to a
 * multiple of KILN_MC_SAMPLES_PER_STEP when at least that many fit and
 * more follow; the layers before the first dropout run once per call.
 * |acc| holds 2 * P * output_size doubles for pieces of P rows: P is the
 * smallest of batch, max_rows and scratch_floats / output_size, so
 * 2 * max_rows * output_size always suffices. A row's results depend
 * on no other row. Returns KILN_STATUS_INVALID_ARGUMENT for a null pointer
 * (model, its function, buffers), batch 0, samples 0, a model with
 * max_rows or output_size 0, or a scratch smaller than one output row. */
kiln_status kiln_mc_predict(const kiln_mc_model *model, const float *input,
                            size_t batch, uint32_t samples, uint64_t seed,
                            float *mean, float *stddev, float *scratch,
                            size_t scratch_floats, double *acc);

/* Every sample's output, example-major: output[(i * samples + s) *
 * output_size + o] (batch * samples * output_size floats), rows in pieces
 * of at most model->max_rows, all samples of a piece in one call. Returns
 * KILN_STATUS_INVALID_ARGUMENT for a null pointer, batch 0, samples 0, or
 * max_rows or output_size 0. */
kiln_status kiln_mc_predict_samples(const kiln_mc_model *model,
                                    const float *input, size_t batch,
                                    uint32_t samples, uint64_t seed,
                                    float *output);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_MC_H */
