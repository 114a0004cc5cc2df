#ifndef BERTH_CPU_AFFINITY_H
#define BERTH_CPU_AFFINITY_H

#include <sched.h>

#include "err.h"

/* process.execCPUAffinity (runtime-spec 1.2), for `berth exec` only: the
 * spec leaves the container's init alone. "initial" is where the runtime
 * runs until the new process has moved into the container's cgroup,
 * "final" where the process runs from then on; an absent or empty list
 * changes nothing. */

/* Parses a kernel CPU list ("0-3,7") into set. On a malformed list returns
 * -1 and points *why at a reason for the user. */
int cpu_list_parse(const char *list, cpu_set_t *set, const char **why);

/* Runs the calling thread on list's CPUs; NULL or "" does nothing. what
 * names the list in the error ("execCPUAffinity.final"). */
int cpu_affinity_apply(const char *list, const char *what, struct berth_err *err);

#endif
