/* iris_app.c - calls a model compiled by kilnc (see scripts/demo.sh).
 *
 * Build: cc iris_app.c -I<out> <out>/libiris.a -lm
 * Prints the class probabilities of three flowers, then the median time of
 * one batch-1 call over 2001 timed calls (after 200 warm-up calls). */
#define _POSIX_C_SOURCE 199309L
#include "iris.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(void) {
  /* sepal length, sepal width, petal length, petal width (cm) */
  const float flowers[3][IRIS_INPUT_SIZE] = {{5.1f, 3.5f, 1.4f, 0.2f},
                                             {6.4f, 3.2f, 4.5f, 1.5f},
                                             {6.3f, 3.3f, 6.0f, 2.5f}};
  const char *names[] = IRIS_CLASS_NAMES;
  float out[3][IRIS_OUTPUT_SIZE];
  if (iris_predict(&flowers[0][0], &out[0][0], 3) != IRIS_STATUS_OK) {
    fprintf(stderr, "iris_predict failed\n");
    return 1;
  }
  for (int r = 0; r < 3; ++r) {
    printf("flower %d:", r);
    for (int c = 0; c < IRIS_OUTPUT_SIZE; ++c)
      printf("  %s %.3f", names[c], out[r][c]);
    printf("\n");
  }

  enum { WARMUP = 200, RUNS = 2001 };
  static double us[RUNS];
  for (int i = 0; i < WARMUP; ++i)
    iris_predict(flowers[i % 3], out[0], 1);
  for (int i = 0; i < RUNS; ++i) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    iris_predict(flowers[i % 3], out[0], 1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    us[i] = (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3;
  }
  qsort(us, RUNS, sizeof(double), compare);
  printf("median latency, batch 1: %.3f us\n", us[RUNS / 2]);
  return 0;
}
