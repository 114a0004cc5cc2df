/* cgroup v2 usage counters (cpu.stat, memory.*, pids.*, io.stat) in runc's
 * units, and OOM kills counted from memory.events (polled for POLLPRI). */
#include "cgroup.h"
#include "cgroup_stats.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int read_cpu(const char *dir, struct cgroup_stats *s, struct berth_err *err)
{
	uint64_t usage, user, sys, throttled;

	if (cgroup_stats_keyed_value(dir, "cpu.stat", "usage_usec", &usage, err) < 0 ||
	    cgroup_stats_keyed_value(dir, "cpu.stat", "user_usec", &user, err) < 0 ||
	    cgroup_stats_keyed_value(dir, "cpu.stat", "system_usec", &sys, err) < 0 ||
	    cgroup_stats_keyed_value(dir, "cpu.stat", "nr_periods", &s->throttling_periods, err) < 0 ||
	    cgroup_stats_keyed_value(dir, "cpu.stat", "nr_throttled", &s->throttled_periods, err) < 0 ||
	    cgroup_stats_keyed_value(dir, "cpu.stat", "throttled_usec", &throttled, err) < 0)
		return -1;
	/* v2 counts microseconds; runc reports nanoseconds. */
	s->cpu_total = usage * 1000;
	s->cpu_user = user * 1000;
	s->cpu_kernel = sys * 1000;
	s->throttled_time = throttled * 1000;
	return 0;
}

static int read_memory(const char *dir, struct cgroup_stats *s, struct berth_err *err)
{
	uint64_t swap_current, swap_max;

	if (cgroup_stats_read_u64(dir, "memory.current", &s->memory_usage.usage, err) < 0 ||
	    cgroup_stats_read_u64(dir, "memory.max", &s->memory_usage.limit, err) < 0 ||
	    cgroup_stats_read_u64(dir, "memory.peak", &s->memory_usage.max, err) < 0 ||
	    cgroup_stats_keyed_value(dir, "memory.events", "max", &s->memory_usage.failcnt, err) < 0 ||
	    cgroup_stats_read_u64(dir, "memory.swap.current", &swap_current, err) < 0 ||
	    cgroup_stats_read_u64(dir, "memory.swap.max", &swap_max, err) < 0 ||
	    cgroup_stats_read_keyed(dir, "memory.stat", &s->memory_raw, &s->n_memory_raw, err) < 0)
		return -1;
	/* As runc: "swap" is memory+swap, v1's memsw, so both versions read
	 * alike; a limit of "max" stays the largest value. */
	s->memory_swap.usage = s->memory_usage.usage + swap_current;
	if (swap_max == UINT64_MAX || s->memory_usage.limit == UINT64_MAX)
		s->memory_swap.limit = UINT64_MAX;
	else
		s->memory_swap.limit = swap_max + s->memory_usage.limit;
	s->memory_cache = cgroup_stats_raw(s, "file");
	return 0;
}

static int read_pids(const char *dir, struct cgroup_stats *s, struct berth_err *err)
{
	if (cgroup_stats_read_u64(dir, "pids.current", &s->pids_current, err) < 0 ||
	    cgroup_stats_read_u64(dir, "pids.max", &s->pids_limit, err) < 0)
		return -1;
	if (s->pids_limit == UINT64_MAX)
		s->pids_limit = 0; /* "max": runc reports no limit as 0 (omitted) */
	return 0;
}

static int push_io(struct cgroup_stats *s, enum cgroup_blkio_kind kind, uint64_t major, uint64_t minor,
		   const char *op, uint64_t value, struct berth_err *err)
{
	struct cgroup_blkio_entry e = { .major = major, .minor = minor, .value = value };

	snprintf(e.op, sizeof(e.op), "%s", op);
	return cgroup_stats_blkio_push(&s->blkio[kind], &e, err);
}

/* io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N". */
static int read_io(const char *dir, struct cgroup_stats *s, struct berth_err *err)
{
	char path[4200], line[1024];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/io.stat", dir);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : berth_err_set(err, errno, "open %s", path);
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		uint64_t major, minor, v;
		char *save = NULL, *tok;
		if (sscanf(line, "%" SCNu64 ":%" SCNu64, &major, &minor) != 2)
			continue;
		strtok_r(line, " \n", &save);
		while (rc == 0 && (tok = strtok_r(NULL, " \n", &save))) {
			if (sscanf(tok, "rbytes=%" SCNu64, &v) == 1)
				rc = push_io(s, BLKIO_SERVICE_BYTES, major, minor, "Read", v, err);
			else if (sscanf(tok, "wbytes=%" SCNu64, &v) == 1)
				rc = push_io(s, BLKIO_SERVICE_BYTES, major, minor, "Write", v, err);
			else if (sscanf(tok, "rios=%" SCNu64, &v) == 1)
				rc = push_io(s, BLKIO_SERVICED, major, minor, "Read", v, err);
			else if (sscanf(tok, "wios=%" SCNu64, &v) == 1)
				rc = push_io(s, BLKIO_SERVICED, major, minor, "Write", v, err);
		}
	}
	fclose(f);
	return rc;
}

int cgroup_v2_stats(struct cgroup_manager *m, struct cgroup_stats *s, struct berth_err *err)
{
	const char *dir = m->dirs[0];

	memset(s, 0, sizeof(*s));
	if (read_cpu(dir, s, err) < 0 || read_memory(dir, s, err) < 0 || read_pids(dir, s, err) < 0 ||
	    read_io(dir, s, err) < 0) {
		cgroup_stats_free(s);
		return -1;
	}
	return 0;
}

/* oom_kill from memory.events read through the open fd: after the cgroup
 * is removed the read fails (ENODEV), which *gone reports. */
static int read_oom_kills(struct cgroup_oom_watch *w, uint64_t *count, bool *gone, struct berth_err *err)
{
	char buf[1024];
	const char *p;
	ssize_t n = pread(w->fd, buf, sizeof(buf) - 1, 0);

	*count = 0;
	if (n < 0) {
		if (errno == ENODEV || errno == ENOENT) {
			*gone = true;
			return 0;
		}
		return berth_err_set(err, errno, "read %s/memory.events", w->dir);
	}
	buf[n] = '\0';
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, "oom_kill ", 9) == 0) {
			*count = strtoull(p + 9, NULL, 10);
			break;
		}
	}
	return 0;
}

/* memory.events is polled with POLLPRI: the kernel wakes pollers as the
 * OOM killer counts the kill, before the victim has even exited, while an
 * inotify event comes later from a workqueue and could lose the race with
 * the container's exit and the removal of its cgroup. */
int cgroup_v2_oom_watch(struct cgroup_manager *m, struct cgroup_oom_watch *w, struct berth_err *err)
{
	char path[4200];
	bool gone = false;

	*w = (struct cgroup_oom_watch){ .fd = -1, .aux_fd = -1, .v2 = true, .poll_events = POLLPRI };
	snprintf(w->dir, sizeof(w->dir), "%s", m->dirs[0]);
	snprintf(path, sizeof(path), "%s/memory.events", w->dir);
	w->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (w->fd < 0)
		return berth_err_set(err, errno, "open %s", path);
	/* The read also arms the poll: it fires on changes after it. */
	if (read_oom_kills(w, &w->oom_kills, &gone, err) < 0) {
		cgroup_oom_watch_close(w);
		return -1;
	}
	return 0;
}

int cgroup_v2_oom_read(struct cgroup_oom_watch *w, unsigned *kills, bool *gone, struct berth_err *err)
{
	uint64_t now;

	*kills = 0;
	*gone = false;
	if (read_oom_kills(w, &now, gone, err) < 0)
		return -1;
	if (*gone)
		return 0;
	if (now > w->oom_kills)
		*kills = (unsigned)(now - w->oom_kills);
	w->oom_kills = now;
	return 0;
}
