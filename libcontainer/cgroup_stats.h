/* Resource usage of a container's cgroup, in the units and shape of runc's
 * `events --stats` (types/events.go), filled by the v1 or v2 manager. */
#ifndef BERTH_CGROUP_STATS_H
#define BERTH_CGROUP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct cgroup_u64_list {
	uint64_t *v;
	size_t n;
};

/* One memory counter set: runc prints limit and failcnt always, usage and
 * max only when non-zero. */
struct cgroup_memory_entry {
	uint64_t limit, usage, max, failcnt;
};

struct cgroup_named_u64 {
	char *name;
	uint64_t value;
};

struct cgroup_blkio_entry {
	uint64_t major, minor, value;
	char op[16];
};

enum cgroup_blkio_kind {
	BLKIO_SERVICE_BYTES, BLKIO_SERVICED, BLKIO_QUEUED, BLKIO_SERVICE_TIME,
	BLKIO_WAIT_TIME, BLKIO_MERGED, BLKIO_TIME, BLKIO_SECTORS, BLKIO_KINDS
};

struct cgroup_blkio_list {
	struct cgroup_blkio_entry *e;
	size_t n;
};

struct cgroup_stats {
	/* cpu, nanoseconds */
	uint64_t cpu_total, cpu_kernel, cpu_user;
	struct cgroup_u64_list percpu, percpu_kernel, percpu_user;
	uint64_t throttling_periods, throttled_periods, throttled_time;
	/* memory, bytes */
	uint64_t memory_cache;
	struct cgroup_memory_entry memory_usage, memory_swap, memory_kernel, memory_kernel_tcp;
	struct cgroup_named_u64 *memory_raw; /* memory.stat, sorted by name */
	size_t n_memory_raw;
	/* pids */
	uint64_t pids_current, pids_limit;
	struct cgroup_blkio_list blkio[BLKIO_KINDS];
};

void cgroup_stats_free(struct cgroup_stats *s);

/* Helpers shared by the v1 and v2 readers. A missing file is not an
 * error for any of them (the controller may not be mounted): it reads as 0
 * or nothing, and they return 0; other failures return -1. */
int cgroup_stats_read_u64(const char *dir, const char *file, uint64_t *out, struct berth_err *err);
/* "key value" lines into a sorted list (memory.stat). */
int cgroup_stats_read_keyed(const char *dir, const char *file, struct cgroup_named_u64 **out, size_t *n,
			    struct berth_err *err);
/* The value of key in a "key value" file (cpu.stat, memory.events). */
int cgroup_stats_keyed_value(const char *dir, const char *file, const char *key, uint64_t *out,
			     struct berth_err *err);
uint64_t cgroup_stats_raw(const struct cgroup_stats *s, const char *name);
int cgroup_stats_u64_push(struct cgroup_u64_list *l, uint64_t v, struct berth_err *err);
int cgroup_stats_blkio_push(struct cgroup_blkio_list *l, const struct cgroup_blkio_entry *e, struct berth_err *err);

/* Watches the cgroup for OOM kills: fd is polled for poll_events, then
 * the ops' oom_read says how many happened since the last call. */
struct cgroup_oom_watch {
	int fd;        /* v1: eventfd; v2: memory.events */
	short poll_events; /* v1: POLLIN; v2: POLLPRI */
	int aux_fd;    /* v1: memory.oom_control, kept open while registered */
	char dir[4096];/* the memory cgroup directory watched */
	uint64_t oom_kills; /* v2: last memory.events oom_kill count */
	bool v2;
};

void cgroup_oom_watch_close(struct cgroup_oom_watch *w);

/* The implementations behind cgroup_ops.stats / oom_watch / oom_read. */
struct cgroup_manager;
int cgroup_v1_stats(struct cgroup_manager *m, struct cgroup_stats *out, struct berth_err *err);
int cgroup_v2_stats(struct cgroup_manager *m, struct cgroup_stats *out, struct berth_err *err);
int cgroup_v1_oom_watch(struct cgroup_manager *m, struct cgroup_oom_watch *w, struct berth_err *err);
int cgroup_v2_oom_watch(struct cgroup_manager *m, struct cgroup_oom_watch *w, struct berth_err *err);
int cgroup_v1_oom_read(struct cgroup_oom_watch *w, unsigned *kills, bool *gone, struct berth_err *err);
int cgroup_v2_oom_read(struct cgroup_oom_watch *w, unsigned *kills, bool *gone, struct berth_err *err);

#endif
