/* fmnist_app.c - evaluates a Fashion-MNIST model compiled by kilnc.
 *
 * Build: cc fmnist_app.c -I<out> <out>/libfmnist.a -lz -lm
 * Run:   fmnist_app [data-dir]   (default /usr/share/datasets/fashion-mnist)
 *
 * Reads the 10,000 test images (pixels / 255, as the trainer does), prints
 * the accuracy of the compiled model, then the median time of one batch-1
 * call over 5001 timed calls (after 500 warm-up calls) and of one batch-64
 * call over 501 timed calls, each call on the next images of the test set
 * (a batch-1 call skips an image's zero pixels: its time depends on the
 * image). */
#define _POSIX_C_SOURCE 199309L
#include "fmnist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static unsigned char *read_idx(const char *path, unsigned expected_magic,
                               size_t item_size, size_t *count) {
  gzFile f = gzopen(path, "rb");
  unsigned char header[16];
  size_t header_size = expected_magic == 0x803 ? 16 : 8;
  if (!f || gzread(f, header, (unsigned)header_size) != (int)header_size) {
    fprintf(stderr, "fmnist_app: cannot read %s\n", path);
    exit(1);
  }
  unsigned magic = (unsigned)header[2] << 8 | header[3];
  *count = (size_t)header[4] << 24 | (size_t)header[5] << 16 |
           (size_t)header[6] << 8 | header[7];
  if (magic != expected_magic || *count == 0 || *count > 1000000) {
    fprintf(stderr, "fmnist_app: %s is not the expected IDX file\n", path);
    exit(1);
  }
  unsigned char *data = malloc(*count * item_size);
  if (!data || gzread(f, data, (unsigned)(*count * item_size)) !=
                   (int)(*count * item_size)) {
    fprintf(stderr, "fmnist_app: %s is truncated\n", path);
    exit(1);
  }
  gzclose(f);
  return data;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* Call i reads rows [i·batch, i·batch + batch) of the n rows of `in`,
 * modulo the last whole batch. */
static double median_us(const float *in, size_t n, float *out, size_t batch,
                        int runs) {
  double *us = malloc(sizeof(double) * (size_t)runs);
  size_t starts = n / batch;
  for (int i = 0; i < runs / 10; ++i)
    fmnist_predict(in + (size_t)i % starts * batch * FMNIST_INPUT_SIZE, out,
                   batch);
  for (int i = 0; i < runs; ++i) {
    const float *rows = in + (size_t)i % starts * batch * FMNIST_INPUT_SIZE;
    double t0 = now_us();
    fmnist_predict(rows, out, batch);
    us[i] = now_us() - t0;
  }
  qsort(us, (size_t)runs, sizeof(double), compare);
  double m = us[runs / 2];
  free(us);
  return m;
}

/* Fraction of rows whose highest output is the label. */
static double accuracy(const float *y, const unsigned char *labels, size_t n) {
  size_t correct = 0;
  for (size_t r = 0; r < n; ++r) {
    size_t best = 0;
    for (size_t c = 1; c < FMNIST_OUTPUT_SIZE; ++c)
      if (y[r * FMNIST_OUTPUT_SIZE + c] > y[r * FMNIST_OUTPUT_SIZE + best])
        best = c;
    correct += best == labels[r];
  }
  return (double)correct / (double)n;
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "/usr/share/datasets/fashion-mnist";
  char path[4096];
  size_t n, n_labels;
  snprintf(path, sizeof(path), "%s/t10k-images-idx3-ubyte.gz", dir);
  unsigned char *pixels = read_idx(path, 0x803, FMNIST_INPUT_SIZE, &n);
  snprintf(path, sizeof(path), "%s/t10k-labels-idx1-ubyte.gz", dir);
  unsigned char *labels = read_idx(path, 0x801, 1, &n_labels);
  if (n != n_labels) {
    fprintf(stderr, "fmnist_app: %zu images but %zu labels\n", n, n_labels);
    return 1;
  }
  if (n < 64) { /* the batch-64 timing reads 64 images per call */
    fprintf(stderr, "fmnist_app: %zu test images, fewer than 64\n", n);
    return 1;
  }
  float *x = malloc(sizeof(float) * n * FMNIST_INPUT_SIZE);
  float *y = malloc(sizeof(float) * n * FMNIST_OUTPUT_SIZE);
  for (size_t i = 0; i < n * FMNIST_INPUT_SIZE; ++i)
    x[i] = pixels[i] / 255.0f;
  if (fmnist_predict(x, y, n) != FMNIST_STATUS_OK) {
    fprintf(stderr, "fmnist_app: fmnist_predict failed\n");
    return 1;
  }
  printf("compiled model: test accuracy %.4f (%zu images)\n",
         accuracy(y, labels, n), n);
  printf("median latency: batch 1 %.2f us, batch 64 %.2f us\n",
         median_us(x, n, y, 1, 5001), median_us(x, n, y, 64, 501));
#ifdef FMNIST_MC_ROWS_PER_CALL
  /* A model with dropout: MC dropout accuracy (100 samples, seed 42) and
   * the mean predictive entropy. */
  float *sd = malloc(sizeof(float) * n * FMNIST_OUTPUT_SIZE);
  float *entropy = malloc(sizeof(float) * n);
  if (fmnist_predict_mc(x, n, 100, 42, y, sd) != FMNIST_STATUS_OK) {
    fprintf(stderr, "fmnist_app: fmnist_predict_mc failed\n");
    return 1;
  }
  fmnist_predictive_entropy(y, n, entropy);
  double meanEntropy = 0;
  for (size_t r = 0; r < n; ++r)
    meanEntropy += entropy[r] / (double)n;
  printf("MC dropout (100 samples, seed 42): test accuracy %.4f, mean "
         "predictive entropy %.3f nats\n",
         accuracy(y, labels, n), meanEntropy);
  free(sd);
  free(entropy);
#endif
  free(x);
  free(y);
  free(pixels);
  free(labels);
  return 0;
}
