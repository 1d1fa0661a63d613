/* threads.c - NAME_predict and NAME_predict_mc called from 4 threads at
 * once, each on its own rows, give bitwise what one call on all rows gives
 * (the calls share nothing; a row's result does not depend on its batch).
 * The threads start together at a barrier and compare their rows on every
 * one of 50 repeats, so the calls overlap and a wrong result in any repeat
 * fails. Compiled with -include small.h -lpthread. Prints
 * "threads: identical". */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define ROWS 64
#define THREADS 4
#define OUT SMALL_OUTPUT_SIZE

static float in[ROWS * SMALL_INPUT_SIZE];
static float whole[ROWS * OUT], wholeMean[ROWS * OUT], wholeSd[ROWS * OUT];
static pthread_barrier_t start;

static void *work(void *arg) {
  size_t t = (size_t)arg, rows = ROWS / THREADS, first = t * rows;
  float out[ROWS / THREADS * OUT], mean[ROWS / THREADS * OUT],
      sd[ROWS / THREADS * OUT];
  size_t bytes = sizeof out;
  pthread_barrier_wait(&start);
  for (int repeat = 0; repeat < 50; ++repeat) {
    memset(out, 0xff, bytes);
    memset(mean, 0xff, bytes);
    memset(sd, 0xff, bytes);
    if (small_predict(in + first * SMALL_INPUT_SIZE, out, rows) != 0 ||
        small_predict_mc(in + first * SMALL_INPUT_SIZE, rows, 20, 7, mean,
                         sd) != 0)
      return (void *)1;
    if (memcmp(out, whole + first * OUT, bytes) != 0 ||
        memcmp(mean, wholeMean + first * OUT, bytes) != 0 ||
        memcmp(sd, wholeSd + first * OUT, bytes) != 0)
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
  if (pthread_barrier_init(&start, NULL, THREADS) != 0)
    return 1;
  pthread_t threads[THREADS];
  for (size_t t = 0; t < THREADS; ++t)
    if (pthread_create(&threads[t], NULL, work, (void *)t) != 0)
      return 1;
  int same = 1;
  for (size_t t = 0; t < THREADS; ++t) {
    void *failed;
    if (pthread_join(threads[t], &failed) != 0 || failed)
      same = 0;
  }
  printf(same ? "threads: identical\n" : "threads: DIFFERENT\n");
  return !same;
}
