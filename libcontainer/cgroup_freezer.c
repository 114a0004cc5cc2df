/* Freezing a container's cgroup (pause/resume): the v1 freezer controller
 * and v2's cgroup.freeze, plus the cheap "is it frozen" check that state.c
 * makes on every read of a live container's status. */
#include "cgroup.h"
#include "cgroup_hierarchy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* v1 tries a few seconds' worth; a cgroup stuck FREEZING is thawed back. */
#define V1_FREEZE_ATTEMPTS 1000
/* v2: how long to wait for cgroup.events to say "frozen 1" (ms). */
#define V2_FREEZE_WAIT_MS 5000

static void sleep_us(long us)
{
	nanosleep(&(struct timespec){ .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 }, NULL);
}

/* --- v1: freezer.state ------------------------------------------------ */

static const char *v1_freezer_dir(struct cgroup_manager *m, struct berth_err *err)
{
	char path[4200];

	for (size_t i = 0; i < m->n_dirs; i++) {
		snprintf(path, sizeof(path), "%s/freezer.state", m->dirs[i]);
		if (access(path, F_OK) == 0)
			return m->dirs[i];
	}
	berth_err_msg(err, ENOENT, "the freezer cgroup controller is not mounted");
	return NULL;
}

static int v1_freeze_once(const char *dir, struct berth_err *err)
{
	char state[64];

	/* The kernel may leave a cgroup FREEZING while tasks keep appearing
	 * (fork, exec) or sleep uninterruptibly: write FROZEN again until it
	 * reads FROZEN, with an occasional thaw and pause to let forks settle. */
	for (int attempt = 0; attempt < V1_FREEZE_ATTEMPTS; attempt++) {
		if (attempt % 50 == 49) {
			if (cgroup_write_file(dir, "freezer.state", "THAWED", err) < 0)
				return -1;
			sleep_us(10000);
		}
		if (cgroup_write_file(dir, "freezer.state", "FROZEN", err) < 0)
			return -1;
		if (attempt % 25 == 24)
			sleep_us(10);
		if (cgroup_read_value(dir, "freezer.state", state, sizeof(state), err) < 0)
			return -1;
		if (strcmp(state, "FROZEN") == 0)
			return 0;
		if (strcmp(state, "FREEZING") != 0)
			return berth_err_msg(err, EIO, "freezer.state reads \"%s\" after freezing", state);
	}
	return berth_err_msg(err, EBUSY, "unable to freeze: the cgroup stayed FREEZING");
}

int cgroup_v1_freeze(struct cgroup_manager *m, bool frozen, struct berth_err *err)
{
	const char *dir = v1_freezer_dir(m, err);

	if (!dir)
		return -1;
	if (!frozen)
		return cgroup_write_file(dir, "freezer.state", "THAWED", err);
	if (v1_freeze_once(dir, err) < 0) {
		struct berth_err ignored;
		/* Never leave a half-frozen container behind. */
		cgroup_write_file(dir, "freezer.state", "THAWED", &ignored);
		return -1;
	}
	return 0;
}

int cgroup_v1_freezer_state(struct cgroup_manager *m, bool *frozen, struct berth_err *err)
{
	const char *dir = v1_freezer_dir(m, err);
	char state[64];

	if (!dir || cgroup_read_value(dir, "freezer.state", state, sizeof(state), err) < 0)
		return -1;
	/* FREEZING counts: the container is on its way to paused. */
	*frozen = strcmp(state, "THAWED") != 0;
	return 0;
}

/* --- v2: cgroup.freeze + cgroup.events -------------------------------- */

static int v2_events_frozen(const char *dir, bool *frozen, struct berth_err *err)
{
	char path[4200], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	f = fopen(path, "re");
	if (!f)
		return berth_err_set(err, errno, "open %s", path);
	*frozen = false;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "frozen ", 7) == 0)
			*frozen = line[7] == '1';
	fclose(f);
	return 0;
}

int cgroup_v2_freeze(struct cgroup_manager *m, bool frozen, struct berth_err *err)
{
	const char *dir = m->dirs[0];
	bool now = !frozen;

	if (cgroup_write_file(dir, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
		return -1;
	/* The write only asks; cgroup.events says when every task stopped. */
	for (int waited_ms = 0; waited_ms < V2_FREEZE_WAIT_MS; waited_ms++) {
		if (v2_events_frozen(dir, &now, err) < 0)
			return -1;
		if (now == frozen)
			return 0;
		sleep_us(1000);
	}
	if (frozen) {
		struct berth_err ignored;
		cgroup_write_file(dir, "cgroup.freeze", "0", &ignored);
	}
	return berth_err_msg(err, ETIMEDOUT, "unable to %s: cgroup.events did not report it in time",
			     frozen ? "freeze" : "thaw");
}

int cgroup_v2_freezer_state(struct cgroup_manager *m, bool *frozen, struct berth_err *err)
{
	char value[16];

	if (cgroup_read_value(m->dirs[0], "cgroup.freeze", value, sizeof(value), err) < 0)
		return -1;
	*frozen = value[0] == '1';
	return 0;
}

/* --- the quick check -------------------------------------------------- */

bool cgroup_path_frozen(const char *cgroup_path)
{
	struct berth_err ignored;
	char dir[4200], value[64];
	int v2;

	if (!cgroup_path || !*cgroup_path || (v2 = cgroup_host_is_v2(&ignored)) < 0)
		return false;
	/* One statfs and one small read: no mountinfo walk on this path. A v1
	 * freezer mounted elsewhere than CGROUP_ROOT/freezer is not seen. */
	if (v2) {
		snprintf(dir, sizeof(dir), CGROUP_ROOT "%s", cgroup_path);
		return cgroup_read_value(dir, "cgroup.freeze", value, sizeof(value), &ignored) == 0 && value[0] == '1';
	}
	snprintf(dir, sizeof(dir), CGROUP_ROOT "/freezer%s", cgroup_path);
	return cgroup_read_value(dir, "freezer.state", value, sizeof(value), &ignored) == 0 && strcmp(value, "THAWED") != 0;
}
