/* cgroup v1 usage counters (cpuacct, cpu, memory, pids, blkio) in runc's
 * units, and OOM notification through memory.oom_control. */
#include "cgroup.h"
#include "cgroup_stats.h"

#include <errno.h>
#include <poll.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <fcntl.h>
#include <unistd.h>

/* The container's directory in the hierarchy that has file, or NULL
 * (that controller is not mounted). */
static const char *dir_with(struct cgroup_manager *m, const char *file)
{
	char path[4200];

	for (size_t i = 0; i < m->n_dirs; i++) {
		snprintf(path, sizeof(path), "%s/%s", m->dirs[i], file);
		if (access(path, F_OK) == 0)
			return m->dirs[i];
	}
	return NULL;
}

static int read_u64_list(const char *dir, const char *file, struct cgroup_u64_list *l, struct berth_err *err)
{
	char path[4200];
	uint64_t v;
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : berth_err_set(err, errno, "open %s", path);
	while (rc == 0 && fscanf(f, "%" SCNu64, &v) == 1)
		rc = cgroup_stats_u64_push(l, v, err);
	fclose(f);
	return rc;
}

/* cpuacct.usage_all: a "cpu user system" header, then one line per cpu. */
static int read_percpu_split(const char *dir, struct cgroup_stats *s, struct berth_err *err)
{
	char path[4200], header[128];
	uint64_t cpu, user, sys;
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/cpuacct.usage_all", dir);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : berth_err_set(err, errno, "open %s", path);
	if (!fgets(header, sizeof(header), f)) {
		fclose(f);
		return 0;
	}
	while (rc == 0 && fscanf(f, "%" SCNu64 " %" SCNu64 " %" SCNu64, &cpu, &user, &sys) == 3) {
		rc = cgroup_stats_u64_push(&s->percpu_kernel, sys, err);
		if (rc == 0)
			rc = cgroup_stats_u64_push(&s->percpu_user, user, err);
	}
	fclose(f);
	return rc;
}

static int read_cpu(struct cgroup_manager *m, struct cgroup_stats *s, struct berth_err *err)
{
	const char *dir = dir_with(m, "cpuacct.usage");
	long ticks = sysconf(_SC_CLK_TCK);
	uint64_t user_ticks, system_ticks;

	if (dir) {
		if (cgroup_stats_read_u64(dir, "cpuacct.usage", &s->cpu_total, err) < 0 ||
		    read_u64_list(dir, "cpuacct.usage_percpu", &s->percpu, err) < 0 ||
		    read_percpu_split(dir, s, err) < 0 ||
		    cgroup_stats_keyed_value(dir, "cpuacct.stat", "user", &user_ticks, err) < 0 ||
		    cgroup_stats_keyed_value(dir, "cpuacct.stat", "system", &system_ticks, err) < 0)
			return -1;
		/* cpuacct.stat counts USER_HZ ticks; runc reports nanoseconds. */
		if (ticks > 0) {
			s->cpu_user = user_ticks * (1000000000ull / (uint64_t)ticks);
			s->cpu_kernel = system_ticks * (1000000000ull / (uint64_t)ticks);
		}
	}
	dir = dir_with(m, "cpu.stat");
	if (!dir)
		return 0;
	if (cgroup_stats_keyed_value(dir, "cpu.stat", "nr_periods", &s->throttling_periods, err) < 0 ||
	    cgroup_stats_keyed_value(dir, "cpu.stat", "nr_throttled", &s->throttled_periods, err) < 0 ||
	    cgroup_stats_keyed_value(dir, "cpu.stat", "throttled_time", &s->throttled_time, err) < 0)
		return -1;
	return 0;
}

static int read_memory_entry(const char *dir, const char *prefix, struct cgroup_memory_entry *e,
			     struct berth_err *err)
{
	static const char *const suffix[] = { "limit_in_bytes", "usage_in_bytes", "max_usage_in_bytes", "failcnt" };
	uint64_t *fields[] = { &e->limit, &e->usage, &e->max, &e->failcnt };
	char file[128];

	for (size_t i = 0; i < 4; i++) {
		snprintf(file, sizeof(file), "%s%s", prefix, suffix[i]);
		if (cgroup_stats_read_u64(dir, file, fields[i], err) < 0)
			return -1;
	}
	return 0;
}

static int read_memory(struct cgroup_manager *m, struct cgroup_stats *s, struct berth_err *err)
{
	const char *dir = dir_with(m, "memory.usage_in_bytes");

	if (!dir)
		return 0;
	if (read_memory_entry(dir, "memory.", &s->memory_usage, err) < 0 ||
	    read_memory_entry(dir, "memory.memsw.", &s->memory_swap, err) < 0 ||
	    read_memory_entry(dir, "memory.kmem.", &s->memory_kernel, err) < 0 ||
	    read_memory_entry(dir, "memory.kmem.tcp.", &s->memory_kernel_tcp, err) < 0 ||
	    cgroup_stats_read_keyed(dir, "memory.stat", &s->memory_raw, &s->n_memory_raw, err) < 0)
		return -1;
	s->memory_cache = cgroup_stats_raw(s, "cache");
	return 0;
}

static int read_pids(struct cgroup_manager *m, struct cgroup_stats *s, struct berth_err *err)
{
	const char *dir = dir_with(m, "pids.current");

	if (!dir)
		return 0;
	if (cgroup_stats_read_u64(dir, "pids.current", &s->pids_current, err) < 0 ||
	    cgroup_stats_read_u64(dir, "pids.max", &s->pids_limit, err) < 0)
		return -1;
	if (s->pids_limit == UINT64_MAX)
		s->pids_limit = 0; /* "max": runc reports no limit as 0 (omitted) */
	return 0;
}

/* "MAJ:MIN Op value" lines; the closing "Total N" line has no device. */
static int read_blkio_file(const char *dir, const char *file, struct cgroup_blkio_list *l, struct berth_err *err)
{
	char path[4200], line[256];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : berth_err_set(err, errno, "open %s", path);
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		struct cgroup_blkio_entry e = { 0 };
		if (sscanf(line, "%" SCNu64 ":%" SCNu64 " %15s %" SCNu64, &e.major, &e.minor, e.op, &e.value) == 4)
			rc = cgroup_stats_blkio_push(l, &e, err);
	}
	fclose(f);
	return rc;
}

static int read_blkio(struct cgroup_manager *m, struct cgroup_stats *s, struct berth_err *err)
{
	/* The scheduler's counters when it keeps them (CFQ, then BFQ),
	 * otherwise the throttling layer's, which always exist. */
	static const char *const prefixes[] = { "blkio.", "blkio.bfq.", "blkio.throttle." };

	for (size_t i = 0; i < 3; i++) {
		char bytes[64], ios[64];
		const char *dir;
		snprintf(bytes, sizeof(bytes), "%sio_service_bytes_recursive", prefixes[i]);
		snprintf(ios, sizeof(ios), "%sio_serviced_recursive", prefixes[i]);
		dir = dir_with(m, bytes);
		if (!dir)
			continue;
		if (read_blkio_file(dir, bytes, &s->blkio[BLKIO_SERVICE_BYTES], err) < 0 ||
		    read_blkio_file(dir, ios, &s->blkio[BLKIO_SERVICED], err) < 0)
			return -1;
		if (s->blkio[BLKIO_SERVICE_BYTES].n || s->blkio[BLKIO_SERVICED].n)
			break;
	}
	return 0;
}

int cgroup_v1_stats(struct cgroup_manager *m, struct cgroup_stats *s, struct berth_err *err)
{
	memset(s, 0, sizeof(*s));
	if (read_cpu(m, s, err) < 0 || read_memory(m, s, err) < 0 || read_pids(m, s, err) < 0 ||
	    read_blkio(m, s, err) < 0) {
		cgroup_stats_free(s);
		return -1;
	}
	return 0;
}

int cgroup_v1_oom_watch(struct cgroup_manager *m, struct cgroup_oom_watch *w, struct berth_err *err)
{
	const char *dir = dir_with(m, "memory.oom_control");
	char path[4200], value[64];

	*w = (struct cgroup_oom_watch){ .fd = -1, .aux_fd = -1, .poll_events = POLLIN };
	if (!dir)
		return berth_err_msg(err, ENOENT, "the memory cgroup controller is not mounted");
	snprintf(w->dir, sizeof(w->dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/memory.oom_control", dir);
	w->aux_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (w->aux_fd < 0)
		return berth_err_set(err, errno, "open %s", path);
	w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->fd < 0) {
		int e = errno;
		cgroup_oom_watch_close(w);
		return berth_err_set(err, e, "eventfd");
	}
	/* The kernel signals the eventfd on each OOM in the cgroup, and once
	 * more when the cgroup is removed. */
	snprintf(value, sizeof(value), "%d %d", w->fd, w->aux_fd);
	if (cgroup_write_file(dir, "cgroup.event_control", value, err) < 0) {
		cgroup_oom_watch_close(w);
		return -1;
	}
	return 0;
}

int cgroup_v1_oom_read(struct cgroup_oom_watch *w, unsigned *kills, bool *gone, struct berth_err *err)
{
	char path[4200];
	uint64_t count;

	*kills = 0;
	*gone = false;
	if (read(w->fd, &count, sizeof(count)) != (ssize_t)sizeof(count))
		return errno == EAGAIN ? 0 : berth_err_set(err, errno, "read OOM eventfd");
	snprintf(path, sizeof(path), "%s/cgroup.event_control", w->dir);
	if (access(path, F_OK) < 0) {
		*gone = true; /* the signal was the removal, not an OOM */
		return 0;
	}
	*kills = (unsigned)count;
	return 0;
}
