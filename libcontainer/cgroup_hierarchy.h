/* The host's cgroup layout: whether /sys/fs/cgroup is cgroup2, and the
 * hierarchies mounted at /sys/fs/cgroup/<name>. Read once per process and
 * kept: create, the stage 1 it clones (which shares or copies berth's
 * memory), start and delete of `run` all ask, and the answer does not
 * change while berth runs. */
#ifndef BERTH_CGROUP_HIERARCHY_H
#define BERTH_CGROUP_HIERARCHY_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

struct cgroup_hierarchy {
	const char *mountpoint; /* CGROUP_ROOT/<name>, e.g. /sys/fs/cgroup/cpu,cpuacct */
	const char *root;       /* the mount's root inside the hierarchy ("/" on a host) */
	const char *options;    /* for a fresh mount: the super options minus rw, ro and
				   release_agent, e.g. "cpu,cpuacct" */
	bool v2;                /* cgroup2 (hybrid's unified) */
};

/* 1: CGROUP_ROOT is a cgroup2 mount (a v2 host); 0: it is not (v1, hybrid);
 * -1 with err set. */
int cgroup_host_is_v2(struct berth_err *err);

/* The hierarchies under CGROUP_ROOT in mountinfo order, one per name (a
 * hierarchy mounted twice is listed once). *n may be 0. */
int cgroup_host_hierarchies(const struct cgroup_hierarchy **h, size_t *n, struct berth_err *err);

/* Does the v1 hierarchy h hold controller (the first len bytes: a token of
 * its options, as "devices" or "name=systemd")? */
bool cgroup_hierarchy_has(const struct cgroup_hierarchy *h, const char *controller, size_t len);

/* The last component of h's mountpoint: the directory name under the root. */
const char *cgroup_hierarchy_name(const struct cgroup_hierarchy *h);

#endif
