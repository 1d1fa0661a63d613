/*===- status.h - Status codes of Kiln's C functions ------------------===*
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 *===----------------------------------------------------------------------===*
 *
 * What every function of a generated library and of the runtime's MC
 * driver returns. A generated header repeats these values as
 * NAME_STATUS_* macros (kilnc reads them here).
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_STATUS_H
#define KILN_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kiln_status {
  KILN_STATUS_OK = 0,
  /* A null pointer, batch 0 or samples 0 (or, for the MC driver, a model
   * or scratch it cannot use; see kiln/mc.h). */
  KILN_STATUS_INVALID_ARGUMENT = 1
} kiln_status;

/* A static, human-readable description of |status| ("unknown status" for a
 * value that is not a kiln_status). */
const char *kiln_status_message(int status);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_STATUS_H */
