/*===- status.c - Status codes of Kiln's C functions ----------------------===*
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 *===----------------------------------------------------------------------===*/

#include "kiln/status.h"

const char *kiln_status_message(int status) {
  switch (status) {
  case KILN_STATUS_OK:
    return "ok";
  case KILN_STATUS_INVALID_ARGUMENT:
    return "invalid argument: a null pointer, batch 0 or samples 0 (or, "
           "for the MC driver, a model or scratch it cannot use)";
  default:
    return "unknown status";
  }
}
