/* Verbs that act on a container through its cgroup: pause, resume, and
 * the pid list behind `ps`. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "container_internal.h"

static int freeze_container(const struct berth_ctx *ctx, const char *id, bool frozen, struct berth_err *err)
{
	struct container_state st;
	struct cgroup_manager *m = NULL;
	char dir[PATH_MAX];
	int lock_fd = -1, rc = -1;

	if (state_load(ctx->root, id, &st, err) < 0)
		return -1;
	if (state_dir_path(ctx->root, id, dir, sizeof(dir), err) < 0 || (lock_fd = state_lock(dir, err)) < 0)
		goto out;
	/* runc's rules and words: a created or running container pauses, only
	 * a paused one resumes. */
	if (frozen && st.status != STATUS_RUNNING && st.status != STATUS_CREATED) {
		berth_err_msg(err, 0, "container not running");
		goto out;
	}
	if (!frozen && st.status != STATUS_PAUSED) {
		berth_err_msg(err, 0, "container not paused");
		goto out;
	}
	m = cgroup_manager_open(st.cgroup_path, err);
	if (!m)
		goto out;
	if (!m->ops->freeze) {
		berth_err_msg(err, ENOTSUP, "cgroup %s: freezing is not supported", m->ops->name);
		goto out;
	}
	rc = m->ops->freeze(m, frozen, err);
	if (rc < 0)
		berth_err_wrap(err, frozen ? "pause" : "resume");
out:
	cgroup_manager_free(m);
	if (lock_fd >= 0)
		close(lock_fd);
	state_free(&st);
	return rc;
}

int berth_container_pause(const struct berth_ctx *ctx, const char *id, struct berth_err *err)
{
	return freeze_container(ctx, id, true, err);
}

int berth_container_resume(const struct berth_ctx *ctx, const char *id, struct berth_err *err)
{
	return freeze_container(ctx, id, false, err);
}

int container_thaw(const struct container_state *st, struct berth_err *err)
{
	struct cgroup_manager *m = cgroup_manager_open(st->cgroup_path, err);
	int rc;

	if (!m)
		return -1;
	rc = m->ops->freeze ? m->ops->freeze(m, false, err) : 0;
	cgroup_manager_free(m);
	return rc;
}

int berth_container_pids(const struct berth_ctx *ctx, const char *id, pid_t **pids, size_t *n,
			 struct berth_err *err)
{
	struct container_state st;
	struct cgroup_manager *m;
	int rc;

	*pids = NULL;
	*n = 0;
	if (state_load(ctx->root, id, &st, err) < 0)
		return -1;
	m = cgroup_manager_open(st.cgroup_path, err);
	state_free(&st);
	if (!m)
		return -1;
	rc = m->ops->pids(m, pids, n, err);
	cgroup_manager_free(m);
	return rc;
}
