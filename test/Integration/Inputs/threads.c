/* threads.c - NAME_predict and NAME_predict_mc called from 4 threads at
 * once, each on its own rows, give bitwise what one call on all rows gives
 * (the calls share nothing; a row's result does not depend on its batch).
 * Compiled with -include small.h -lpthread. Prints "threads: identical". */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define ROWS 64
#define THREADS 4

static float in[ROWS * SMALL_INPUT_SIZE];
static float whole[ROWS * SMALL_OUTPUT_SIZE], split[ROWS * SMALL_OUTPUT_SIZE];
static float wholeMean[ROWS * SMALL_OUTPUT_SIZE],
    wholeSd[ROWS * SMALL_OUTPUT_SIZE];
static float splitMean[ROWS * SMALL_OUTPUT_SIZE],
    splitSd[ROWS * SMALL_OUTPUT_SIZE];

static void *work(void *arg) {
  size_t t = (size_t)arg, rows = ROWS / THREADS, first = t * rows;
  for (int repeat = 0; repeat < 50; ++repeat) {
    if (small_predict(in + first * SMALL_INPUT_SIZE,
                      split + first * SMALL_OUTPUT_SIZE, rows) != 0 ||
        small_predict_mc(in + first * SMALL_INPUT_SIZE, rows, 20, 7,
                         splitMean + first * SMALL_OUTPUT_SIZE,
                         splitSd + first * SMALL_OUTPUT_SIZE) != 0)
      return (void *)1;
  }
  return NULL;
}

int main(void) {
  for (int i = 0; i < ROWS * SMALL_INPUT_SIZE; ++i)
    in[i] = (float)((i * 37) % 101) / 25.0f - 2.0f;
  if (small_predict(in, whole, ROWS) != 0 ||
      small_predict_mc(in, ROWS, 20, 7, wholeMean, wholeSd) != 0)
    return 1;
  pthread_t threads[THREADS];
  for (size_t t = 0; t < THREADS; ++t)
    pthread_create(&threads[t], NULL, work, (void *)t);
  for (size_t t = 0; t < THREADS; ++t) {
    void *failed;
    pthread_join(threads[t], &failed);
    if (failed)
      return 1;
  }
  int same = memcmp(whole, split, sizeof whole) == 0 &&
             memcmp(wholeMean, splitMean, sizeof wholeMean) == 0 &&
             memcmp(wholeSd, splitSd, sizeof wholeSd) == 0;
  printf(same ? "threads: identical\n" : "threads: DIFFERENT\n");
  return !same;
}
