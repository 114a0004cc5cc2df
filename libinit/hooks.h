/* startContainer hooks, run by berth-init inside the container on start. */
#ifndef BERTH_INIT_HOOKS_H
#define BERTH_INIT_HOOKS_H

#include <stddef.h>

#include "plan_decode.h"
#include "util.h"

/* Runs every PLAN_HOOK_START hook in order, each with the state JSON on its
 * stdin. Stops at the first failure: err then reads
 * `startContainer hook "<path>": exited with status N` (or timed out...). */
int hooks_run_start(const struct plan_view *plan, const char *state, size_t state_len,
		    struct init_err *err);

#endif
