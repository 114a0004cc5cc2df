#ifndef BERTH_PROCESS_LIMITS_H
#define BERTH_PROCESS_LIMITS_H

#include "err.h"
#include "spec.h"

/* Applies spec->process's rlimits, oomScoreAdj, scheduler and ioPriority
 * and linux.personality to the calling process. */
int process_apply_limits(const struct spec *spec, struct berth_err *err);

#endif
