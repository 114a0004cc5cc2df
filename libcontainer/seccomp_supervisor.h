/* berth's seccomp supervisor (run.berth.seccomp.supervise): a daemon
 * forked by the verb that got the listener (start, run, exec). It answers
 * the supervised syscalls of the filter's processes (perf_proxy.h) with
 * the host's privileges, so a container needs no CAP_PERFMON or
 * CAP_SYS_ADMIN for them, and ends once no process uses the filter. */
#ifndef BERTH_SECCOMP_SUPERVISOR_H
#define BERTH_SECCOMP_SUPERVISOR_H

#include "err.h"

/* Starts the daemon with its own copy of listener (the caller keeps and
 * closes its own). Returns once the daemon runs, detached. */
int seccomp_supervisor_spawn(int listener, struct berth_err *err);

#endif
