/* Turns the calling process into the workload: applies the process part of
 * the plan (session, labels, user, capabilities, cwd, no_new_privs, fds,
 * seccomp) and execs args. Used by the forked workload child and by exec
 * mode in PID 1 itself. */
#ifndef BERTH_INIT_PROCESS_H
#define BERTH_INIT_PROCESS_H

#include "plan_decode.h"
#include "util.h"

/* Returns only on failure, with err naming the step that failed. */
int process_exec(const struct plan_view *plan, struct init_err *err);

/* Exit status a shell would use for an exec failure with errnum. */
int process_exit_code(int errnum);

#endif
