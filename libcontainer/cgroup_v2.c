/* cgroup v2: one unified hierarchy. Device rules (an eBPF program) and
 * resources come with the cgroup issue; this places and removes. */
#include "cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int v2_create(struct cgroup_manager *m, const struct spec *spec, struct berth_err *err)
{
	return cgroup_mkdir_p(m->dirs[0], NULL, err);
}

static int v2_attach(struct cgroup_manager *m, pid_t pid, struct berth_err *err)
{
	char value[32];

	snprintf(value, sizeof(value), "%d", (int)pid);
	return cgroup_write_file(m->dirs[0], "cgroup.procs", value, err);
}

static int v2_pids(struct cgroup_manager *m, pid_t **pids, size_t *n, struct berth_err *err)
{
	size_t cap = 0;

	*pids = NULL;
	*n = 0;
	return cgroup_read_procs_tree(m->dirs[0], pids, n, &cap, err);
}

static int v2_remove(struct cgroup_manager *m, struct berth_err *err)
{
	return cgroup_rmdir_tree(m->dirs[0], err);
}

const struct cgroup_ops cgroup_v2_ops = {
	.name = "v2",
	.create = v2_create,
	.attach = v2_attach,
	.pids = v2_pids,
	.remove = v2_remove,
};
