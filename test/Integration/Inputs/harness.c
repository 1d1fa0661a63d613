/* harness.c - runs a compiled Kiln model on inputs read from stdin.
 *
 * Compiled with -include NAME.h -DPREDICT=NAME_predict -DIN_SIZE=...
 * -DOUT_SIZE=...; reads "batch" then batch*IN_SIZE floats, prints
 * batch*OUT_SIZE outputs with 9 significant digits, one row per line.
 * With -DSPLIT, row 0 is predicted alone (the one-row kernel) and the rest
 * in one call (full and partial row tiles); the Monte-Carlo modes split
 * 1 + 5 + the rest, so the first two calls stack samples (one and five rows
 * per sample) and the last, of 16 rows or more, steps one sample at a time.
 * With -DMC=NAME_predict_mc, it calls that with 37 samples and seed 12345
 * and prints the mean rows, then the stddev rows. With
 * -DMCS=NAME_predict_mc_samples, it calls that with MCS_SAMPLES (default 5)
 * samples and seed 12345 and prints batch * MCS_SAMPLES rows, example-major
 * (the counts of test/Integration/RandomModels.cpp). */
#include <stdio.h>
#include <stdlib.h>

#ifndef MCS_SAMPLES
#define MCS_SAMPLES 5
#endif

/* Row where piece k of a split batch starts (k = 0 .. 2; the last piece
 * ends at the batch). Monte-Carlo: [0, 1), [1, 6), [6, batch); predict:
 * [0, 1), [1, batch), an empty third piece. */
static size_t pieceStart(size_t k, size_t batch) {
#if defined(MC) || defined(MCS)
  size_t starts[] = {0, 1, 6};
#else
  size_t starts[] = {0, 1, batch};
#endif
  return starts[k] < batch ? starts[k] : batch;
}

/* Runs rows [a, b) of the batch, writing their outputs where a whole-batch
 * call would. */
static int runRows(const float *in, float *out, size_t batch, size_t a,
                   size_t b) {
#ifdef MCS
  (void)batch;
  return MCS(in + a * IN_SIZE, b - a, MCS_SAMPLES, 12345,
             out + a * MCS_SAMPLES * OUT_SIZE);
#elif defined(MC)
  /* mean in out[0, batch·O), stddev in out[batch·O, 2·batch·O) */
  return MC(in + a * IN_SIZE, b - a, 37, 12345, out + a * OUT_SIZE,
            out + (batch + a) * OUT_SIZE);
#else
  (void)batch;
  return PREDICT(in + a * IN_SIZE, out + a * OUT_SIZE, b - a);
#endif
}

int main(void) {
  size_t batch;
  if (scanf("%zu", &batch) != 1 || batch == 0)
    return 2;
  float *in = malloc(batch * IN_SIZE * sizeof(float));
  float *out = malloc(MCS_SAMPLES * batch * OUT_SIZE * sizeof(float));
  if (!in || !out)
    return 2;
  for (size_t i = 0; i < batch * IN_SIZE; ++i)
    if (scanf("%f", &in[i]) != 1)
      return 2;
#ifdef MCS
  size_t rows = MCS_SAMPLES * batch;
#elif defined(MC)
  size_t rows = 2 * batch;
#else
  size_t rows = batch;
#endif
  int status = 0;
#ifdef SPLIT
  for (size_t k = 0; k < 3 && status == 0; ++k) {
    size_t a = pieceStart(k, batch),
           b = k < 2 ? pieceStart(k + 1, batch) : batch;
    if (b > a)
      status = runRows(in, out, batch, a, b);
  }
#else
  status = runRows(in, out, batch, 0, batch);
#endif
  if (status != 0) {
    printf("status %d\n", status);
    return 1;
  }
  for (size_t r = 0; r < rows; ++r) {
    for (size_t j = 0; j < OUT_SIZE; ++j)
      printf("%s%.9g", j ? " " : "", out[r * OUT_SIZE + j]);
    printf("\n");
  }
  free(in);
  free(out);
  return 0;
}
