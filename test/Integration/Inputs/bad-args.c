/* bad-args.c - the status codes of NAME_predict and NAME_predict_mc.
 * Compiled with -include small.h (a model with dropout). Prints one line per
 * check and "all checks passed" when every status is as documented. */
#include <math.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;

static void expect(const char *what, int got, int want) {
  printf("%s: %d%s\n", what, got, got == want ? "" : " (WRONG)");
  failures += got != want;
}

int main(void) {
  float in[2 * SMALL_INPUT_SIZE] = {0};
  float out[2 * SMALL_OUTPUT_SIZE], sd[2 * SMALL_OUTPUT_SIZE];
  for (int i = 0; i < 2 * SMALL_INPUT_SIZE; ++i)
    in[i] = (float)(i % 7) - 3.0f;
  expect("predict null input", small_predict(NULL, out, 1),
         SMALL_STATUS_INVALID_ARGUMENT);
  expect("predict null output", small_predict(in, NULL, 1),
         SMALL_STATUS_INVALID_ARGUMENT);
  expect("predict batch 0", small_predict(in, out, 0),
         SMALL_STATUS_INVALID_ARGUMENT);
  expect("predict", small_predict(in, out, 2), SMALL_STATUS_OK);
  expect("mc null input", small_predict_mc(NULL, 1, 5, 1, out, sd),
         SMALL_STATUS_INVALID_ARGUMENT);
  expect("mc null mean", small_predict_mc(in, 1, 5, 1, NULL, sd),
         SMALL_STATUS_INVALID_ARGUMENT);
  expect("mc null stddev", small_predict_mc(in, 1, 5, 1, out, NULL),
         SMALL_STATUS_INVALID_ARGUMENT);
  expect("mc batch 0", small_predict_mc(in, 0, 5, 1, out, sd),
         SMALL_STATUS_INVALID_ARGUMENT);
  expect("mc samples 0", small_predict_mc(in, 1, 0, 1, out, sd),
         SMALL_STATUS_INVALID_ARGUMENT);
  expect("mc", small_predict_mc(in, 2, 5, 1, out, sd), SMALL_STATUS_OK);
  /* One sample: every output's spread is exactly 0. */
  expect("mc one sample", small_predict_mc(in, 2, 1, 1, out, sd),
         SMALL_STATUS_OK);
  int zero = 1;
  for (int i = 0; i < 2 * SMALL_OUTPUT_SIZE; ++i)
    zero &= sd[i] == 0.0f;
  expect("one sample has stddev 0", zero, 1);
  float all[2 * 5 * SMALL_OUTPUT_SIZE];
  expect("samples null input", small_predict_mc_samples(NULL, 1, 5, 1, all),
         SMALL_STATUS_INVALID_ARGUMENT);
  expect("samples null output", small_predict_mc_samples(in, 1, 5, 1, NULL),
         SMALL_STATUS_INVALID_ARGUMENT);
  expect("samples batch 0", small_predict_mc_samples(in, 0, 5, 1, all),
         SMALL_STATUS_INVALID_ARGUMENT);
  expect("samples samples 0", small_predict_mc_samples(in, 1, 0, 1, all),
         SMALL_STATUS_INVALID_ARGUMENT);
  expect("samples", small_predict_mc_samples(in, 2, 5, 1, all),
         SMALL_STATUS_OK);
  /* The per-sample outputs average to predict_mc's mean. */
  expect("mc again", small_predict_mc(in, 2, 5, 1, out, sd), SMALL_STATUS_OK);
  int agree = 1;
  for (int i = 0; i < 2; ++i)
    for (int o = 0; o < SMALL_OUTPUT_SIZE; ++o) {
      double m = 0;
      for (int s = 0; s < 5; ++s)
        m += all[(i * 5 + s) * SMALL_OUTPUT_SIZE + o] / 5.0;
      agree &= fabs(m - out[i * SMALL_OUTPUT_SIZE + o]) < 1e-6;
    }
  expect("per-sample outputs average to the MC mean", agree, 1);
  /* Predictive entropy of the MC mean: log 3 for a uniform mean, 0 for a
   * certain one. */
  float uniform[2 * SMALL_OUTPUT_SIZE] = {1.f / 3, 1.f / 3, 1.f / 3, 1, 0, 0};
  float entropy[2];
  expect("entropy", small_predictive_entropy(uniform, 2, entropy),
         SMALL_STATUS_OK);
  expect("entropy of a uniform mean is log 3",
         fabsf(entropy[0] - logf(3.f)) < 1e-6f, 1);
  expect("entropy of a certain mean is 0", entropy[1] == 0.f, 1);
  expect("entropy of null", small_predictive_entropy(NULL, 2, entropy),
         SMALL_STATUS_INVALID_ARGUMENT);
  expect("entropy into null", small_predictive_entropy(uniform, 2, NULL),
         SMALL_STATUS_INVALID_ARGUMENT);
  expect("entropy of batch 0", small_predictive_entropy(uniform, 0, entropy),
         SMALL_STATUS_INVALID_ARGUMENT);
  /* The status messages (the runtime's, linked into the library). */
  expect("message of OK",
         strcmp(small_status_message(SMALL_STATUS_OK), "ok") == 0, 1);
  expect("message of INVALID_ARGUMENT",
         strstr(small_status_message(SMALL_STATUS_INVALID_ARGUMENT),
                "invalid argument") != NULL,
         1);
  expect("message of an unknown code",
         strcmp(small_status_message(-3), "unknown status") == 0, 1);
  printf(failures ? "%d checks failed\n" : "all checks passed\n", failures);
  return failures != 0;
}
