/* stack-bound.c - NAME_predict, NAME_predict_mc and NAME_predict_mc_samples
 * on a batch larger than a call's pieces, in a thread whose whole stack is
 * SMALL_STACK_BYTES plus 64 KiB (the header's bound, and room for call
 * frames): a call that used more would crash. Compiled with -include small.h
 * -lpthread. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define ROWS (2 * SMALL_ROWS_PER_CALL + 3)

static float *in, *out, *sd, *all;

static void *run(void *arg) {
  (void)arg;
  int status = small_predict(in, out, ROWS);
  if (status == 0)
    status = small_predict_mc(in, ROWS, 20, 3, out, sd);
  if (status == 0)
    status = small_predict_mc_samples(in, ROWS, 20, 3, all);
  return (void *)(long)status;
}

int main(void) {
  in = calloc((size_t)ROWS * SMALL_INPUT_SIZE, sizeof(float));
  out = calloc((size_t)ROWS * SMALL_OUTPUT_SIZE, sizeof(float));
  sd = calloc((size_t)ROWS * SMALL_OUTPUT_SIZE, sizeof(float));
  all = calloc((size_t)ROWS * 20 * SMALL_OUTPUT_SIZE, sizeof(float));
  if (!in || !out || !sd || !all)
    return 2;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, SMALL_STACK_BYTES + 65536);
  pthread_t thread;
  if (pthread_create(&thread, &attr, run, NULL) != 0)
    return 2;
  void *status;
  pthread_join(thread, &status);
  printf("stack bound: status %ld\n", (long)status);
  return status != NULL;
}
