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

/* The Monte-Carlo split: rows [0, 1), [1, 6), [6, batch). */
static size_t pieceStart(size_t k, size_t batch) {
  size_t starts[] = {0, 1, 6};
  return starts[k] < batch ? starts[k] : batch;
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
  size_t rows = batch;
#ifdef MCS
  rows = MCS_SAMPLES * batch;
#ifdef SPLIT
  int status = 0;
  for (size_t k = 0; k < 3 && status == 0; ++k) {
    size_t a = pieceStart(k, batch),
           b = k < 2 ? pieceStart(k + 1, batch) : batch;
    if (b > a)
      status = MCS(in + a * IN_SIZE, b - a, MCS_SAMPLES, 12345,
                   out + a * MCS_SAMPLES * OUT_SIZE);
  }
#else
  int status = MCS(in, batch, MCS_SAMPLES, 12345, out);
#endif
#elif defined(MC)
  /* mean in out[0, batch·O), stddev in out[batch·O, 2·batch·O) */
  float *sd = out + batch * OUT_SIZE;
  rows = 2 * batch;
#ifdef SPLIT
  int status = 0;
  for (size_t k = 0; k < 3 && status == 0; ++k) {
    size_t a = pieceStart(k, batch),
           b = k < 2 ? pieceStart(k + 1, batch) : batch;
    if (b > a)
      status = MC(in + a * IN_SIZE, b - a, 37, 12345, out + a * OUT_SIZE,
                  sd + a * OUT_SIZE);
  }
#else
  int status = MC(in, batch, 37, 12345, out, sd);
#endif
#elif defined(SPLIT)
  int status = PREDICT(in, out, 1);
  if (status == 0 && batch > 1)
    status = PREDICT(in + IN_SIZE, out + OUT_SIZE, batch - 1);
#else
  int status = PREDICT(in, out, batch);
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
