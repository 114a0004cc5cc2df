/* Stage 1: the clone3 child. It finishes the namespaces, builds the root
 * filesystem, runs createContainer hooks, pivots, applies what must be set
 * before the init runs (hostname, sysctl, rlimits, console...), and execs
 * berth-init from its sealed memfd. It never returns. */
#ifndef BERTH_STAGE1_H
#define BERTH_STAGE1_H

#include <stdbool.h>

#include "namespaces.h"
#include "cgroup.h"
#include "spec.h"

struct stage1_args {
	const struct spec *spec;
	const char *rootfs;        /* absolute host path */
	const char *bundle;        /* absolute; relative bind sources start here */
	struct ns_plan *ns;
	int sync_fd;
	int init_memfd;
	int plan_fd;
	int control_fd;
	bool no_pivot;
	bool no_new_keyring;
	unsigned preserve_fds;
	int stdout_fd, stderr_fd;  /* files for the workload's fd 1 / 2, or -1 */
	const struct cgroup_join *cgroup_join; /* joined first thing (cgroup.h) */
	const struct cgroup_manager *cgroup;   /* the cgroup that joins */
	bool go_given;             /* go on at once: no SYNC_GO (nor anything before it) comes */
};

_Noreturn void stage1_run(const struct stage1_args *a);

#endif
