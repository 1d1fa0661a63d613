/* harness.c - runs a compiled Kiln model on inputs read from stdin.
 *
 * Compiled with -include NAME.h -DPREDICT=NAME_predict -DIN_SIZE=...
 * -DOUT_SIZE=..., and for a model with dropout also (both)
 * -DMC=NAME_predict_mc -DMCS=NAME_predict_mc_samples, once per library.
 * Reads "batch" then batch*IN_SIZE floats and prints outputs with 9
 * significant digits, one row per line. Arguments choose what runs:
 *   (none) or predict   NAME_predict: batch*OUT_SIZE outputs;
 *   mc[=S]              NAME_predict_mc with S samples (default 37) and
 *                       seed 12345: the mean rows, then the stddev rows;
 *   mcs[=S]             NAME_predict_mc_samples with S samples (default 5)
 *                       and seed 12345: batch*S rows, example-major;
 * then optionally "split": predict takes row 0 alone (the one-row kernel)
 * and the rest in one call (full and partial row tiles); the Monte-Carlo
 * modes split 1 + 5 + the rest, so the first two calls stack samples (one
 * and five rows per sample) and the last, of 24 rows or more, steps one
 * sample at a time. (The counts are those of
 * test/Integration/RandomModels.cpp.) */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum Mode { Predict, Mean, Samples };

/* Row where piece k of a split batch starts (k = 0 .. 2; the last piece
 * ends at the batch). Monte-Carlo: [0, 1), [1, 6), [6, batch); predict:
 * [0, 1), [1, batch), an empty third piece. */
static size_t pieceStart(enum Mode mode, size_t k, size_t batch) {
  size_t mcStarts[] = {0, 1, 6}, predictStarts[] = {0, 1, batch};
  size_t start = mode == Predict ? predictStarts[k] : mcStarts[k];
  return start < batch ? start : batch;
}

/* Runs rows [a, b) of the batch, writing their outputs where a whole-batch
 * call would. */
static int runRows(enum Mode mode, unsigned samples, const float *in,
                   float *out, size_t batch, size_t a, size_t b) {
  (void)samples; /* unused without the Monte-Carlo entry points */
  (void)batch;
  switch (mode) {
  case Predict:
    return PREDICT(in + a * IN_SIZE, out + a * OUT_SIZE, b - a);
#ifdef MC
  case Mean:
    /* mean in out[0, batch·O), stddev in out[batch·O, 2·batch·O) */
    return MC(in + a * IN_SIZE, b - a, samples, 12345, out + a * OUT_SIZE,
              out + (batch + a) * OUT_SIZE);
  case Samples:
    return MCS(in + a * IN_SIZE, b - a, samples, 12345,
               out + a * samples * OUT_SIZE);
#endif
  default:
    fprintf(stderr, "harness: built without the Monte-Carlo entry points\n");
    return -1;
  }
}

/* |arg| is |name| or |name|=N (N > 0, sets *samples and *given); an
 * unreadable N exits with a message. */
static int modeArgument(const char *arg, const char *name, unsigned *samples,
                        int *given) {
  size_t n = strlen(name);
  if (strncmp(arg, name, n) != 0 || (arg[n] != 0 && arg[n] != '='))
    return 0;
  if (arg[n] == '=') {
    char *end;
    unsigned long v = strtoul(arg + n + 1, &end, 10);
    if (end == arg + n + 1 || *end != 0 || v == 0 || v > UINT_MAX) {
      fprintf(stderr, "harness: '%s': samples must be a positive integer\n",
              arg);
      exit(2);
    }
    *samples = (unsigned)v;
    *given = 1;
  }
  return 1;
}

int main(int argc, char **argv) {
  enum Mode mode = Predict;
  unsigned samples = 0;
  int samplesGiven = 0; /* else the mode's default */
  int split = 0;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "predict") == 0)
      mode = Predict;
    else if (modeArgument(argv[i], "mcs", &samples, &samplesGiven))
      mode = Samples;
    else if (modeArgument(argv[i], "mc", &samples, &samplesGiven))
      mode = Mean;
    else if (strcmp(argv[i], "split") == 0)
      split = 1;
    else {
      fprintf(stderr, "harness: unknown argument '%s'\n", argv[i]);
      return 2;
    }
  }
  if (!samplesGiven)
    samples = mode == Mean ? 37 : 5;
  size_t batch;
  if (scanf("%zu", &batch) != 1 || batch == 0)
    return 2;
  size_t rows = mode == Samples ? samples * batch
                : mode == Mean  ? 2 * batch
                                : batch;
  float *in = malloc(batch * IN_SIZE * sizeof(float));
  float *out = malloc(rows * OUT_SIZE * sizeof(float));
  if (!in || !out)
    return 2;
  for (size_t i = 0; i < batch * IN_SIZE; ++i)
    if (scanf("%f", &in[i]) != 1)
      return 2;
  int status = 0;
  if (split) {
    for (size_t k = 0; k < 3 && status == 0; ++k) {
      size_t a = pieceStart(mode, k, batch),
             b = k < 2 ? pieceStart(mode, k + 1, batch) : batch;
      if (b > a)
        status = runRows(mode, samples, in, out, batch, a, b);
    }
  } else {
    status = runRows(mode, samples, in, out, batch, 0, batch);
  }
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
