/* clone3 for stage 1 and for `berth exec`: a fork (no CLONE_VM) that can be
 * born in its cgroup. */
#ifndef BERTH_CLONE_H
#define BERTH_CLONE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* clone3 with flags, CLONE_INTO_CGROUP when cgroup_fd >= 0, and
 * CLONE_PIDFD when pidfd is not NULL. Kernels before 5.7 refuse
 * CLONE_INTO_CGROUP: then the child is made without it and *placed (if not
 * NULL) is false, so the caller moves it. Returns like fork(), errno set. */
pid_t clone_child(uint64_t flags, int cgroup_fd, int *pidfd, bool *placed);

#endif
