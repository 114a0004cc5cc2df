/* cgroup v2: one unified hierarchy. Device rules are an eBPF program
 * (cgroup_v2_devices.c), resources go through cgroup_v2_resources.c. */
#include "cgroup.h"
#include "cgroup_resources.h"
#include "cgroup_stats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int v2_create(struct cgroup_manager *m, const struct spec *spec, struct berth_err *err)
{
	char mount[4096];

	if (cgroup_make_dir(m, 0, NULL, NULL, err) < 0)
		return -1;
	/* dirs[0] is <mount><path>. */
	snprintf(mount, sizeof(mount), "%.*s", (int)(strlen(m->dirs[0]) - strlen(m->path)), m->dirs[0]);
	cgroup_v2_enable_all(mount, m->path);
	if (!spec->linux_.has_resources)
		return 0;
	if (cgroup_v2_devices_apply(m->dirs[0], spec, err) < 0)
		return -1;
	return m->ops->apply(m, &spec->linux_.resources, err);
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

static int v2_open_clone_target(struct cgroup_manager *m, struct berth_err *err)
{
	int fd = open(m->dirs[0], O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return berth_err_set(err, errno, "open %s", m->dirs[0]);
	return fd;
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
	.open_clone_target = v2_open_clone_target,
	.remove = v2_remove,
	.apply = cgroup_v2_apply,
	.freeze = cgroup_v2_freeze,
	.freezer_state = cgroup_v2_freezer_state,
	.stats = cgroup_v2_stats,
	.oom_watch = cgroup_v2_oom_watch,
	.oom_read = cgroup_v2_oom_read,
};
