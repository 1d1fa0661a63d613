/*===- mc.c - Monte-Carlo dropout: the driver and its statistics ----------===*
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 *===----------------------------------------------------------------------===*/

#include "kiln/mc.h"

#include <math.h>

void kiln_welford_add(double *mean, double *m2, const float *x, size_t count,
                      uint32_t n) {
  double dn = (double)n;
  for (size_t i = 0; i < count; ++i) {
    double delta = (double)x[i] - mean[i];
    mean[i] += delta / dn;
    m2[i] += delta * ((double)x[i] - mean[i]);
  }
}

void kiln_welford_finish(const double *mean, const double *m2, size_t count,
                         uint32_t n, float *mean_out, float *stddev_out) {
  double dn = (double)n;
  for (size_t i = 0; i < count; ++i) {
    mean_out[i] = (float)mean[i];
    stddev_out[i] = (float)sqrt(m2[i] / dn);
  }
}

kiln_status kiln_predictive_entropy(const float *p, size_t batch,
                                    size_t classes, float *entropy) {
  if (!p || !entropy || batch == 0)
    return KILN_STATUS_INVALID_ARGUMENT;
  for (size_t i = 0; i < batch; ++i) {
    double h = 0;
    for (size_t c = 0; c < classes; ++c) {
      double pc = p[i * classes + c];
      if (!(pc <= 0)) /* NaN comes through: the mean it came from is NaN */
        h -= pc * log(pc);
    }
    entropy[i] = (float)h;
  }
  return KILN_STATUS_OK;
}

/* Samples per call for |rows| rows (rows * output_size <= scratch_floats,
 * so at least one fits): as many as the scratch holds, at most the |left|
 * still to do, rounded down to whole steps when more follow. */
static uint32_t kiln_mc_chunk(size_t scratch_floats, size_t rows,
                              size_t output_size, uint32_t left) {
  size_t fits = scratch_floats / (rows * output_size);
  if (fits >= left)
    return left;
  if (fits >= KILN_MC_SAMPLES_PER_STEP)
    fits -= fits % KILN_MC_SAMPLES_PER_STEP;
  return (uint32_t)fits;
}

kiln_status kiln_mc_predict(const kiln_mc_model *model, const float *input,
                            size_t batch, uint32_t samples, uint64_t seed,
                            float *mean, float *stddev, float *scratch,
                            size_t scratch_floats, double *acc) {
  if (!model || !model->samples || !input || !mean || !stddev || !scratch ||
      !acc || batch == 0 || samples == 0 || model->max_rows == 0 ||
      model->output_size == 0 || scratch_floats < model->output_size)
    return KILN_STATUS_INVALID_ARGUMENT;
  size_t in = model->input_size, out = model->output_size;
  /* Fewer rows per piece if the scratch cannot hold all rows of a sample
   * (kilnc sizes it for whole pieces; this keeps other callers safe).
   * Divided, not multiplied: max_rows * out may not fit a size_t. */
  size_t piece = model->max_rows;
  if (piece > scratch_floats / out)
    piece = scratch_floats / out;
  size_t rows;
  for (size_t start = 0; start < batch; start += rows) {
    rows = batch - start < piece ? batch - start : piece;
    double *m = acc, *m2 = acc + rows * out;
    for (size_t i = 0; i < rows * out; ++i)
      m[i] = m2[i] = 0;
    for (uint32_t first = 0; first < samples;) {
      uint32_t count =
          kiln_mc_chunk(scratch_floats, rows, out, samples - first);
      model->samples(input + start * in, rows, seed, first, count, scratch);
      for (uint32_t j = 0; j < count; ++j)
        for (size_t r = 0; r < rows; ++r)
          kiln_welford_add(m + r * out, m2 + r * out,
                           scratch + (r * count + j) * out, out, first + j + 1);
      first += count;
    }
    kiln_welford_finish(m, m2, rows * out, samples, mean + start * out,
                        stddev + start * out);
  }
  return KILN_STATUS_OK;
}

kiln_status kiln_mc_predict_samples(const kiln_mc_model *model,
                                    const float *input, size_t batch,
                                    uint32_t samples, uint64_t seed,
                                    float *output) {
  if (!model || !model->samples || !input || !output || batch == 0 ||
      samples == 0 || model->max_rows == 0 || model->output_size == 0)
    return KILN_STATUS_INVALID_ARGUMENT;
  size_t in = model->input_size, out = model->output_size;
  for (size_t start = 0; start < batch; start += model->max_rows) {
    size_t rows = batch - start;
    if (rows > model->max_rows)
      rows = model->max_rows;
    model->samples(input + start * in, rows, seed, 0, samples,
                   output + start * (size_t)samples * out);
  }
  return KILN_STATUS_OK;
}
