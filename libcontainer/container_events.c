/* `events`: the container's cgroup stats as runc's JSON objects (shape of
 * runc's types/events.go), once or every interval, with OOM kills as
 * {"type":"oom"} objects in between, until the container stops. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "cgroup.h"
#include "cgroup_stats.h"
#include "container.h"
#include "container_internal.h"
#include "json_util.h"

static void gen_u64(yajl_gen g, uint64_t v)
{
	char num[32];
	int len = snprintf(num, sizeof(num), "%" PRIu64, v);

	/* yajl_gen_integer takes a long long; "max" limits need all 64 bits. */
	yajl_gen_number(g, num, (size_t)len);
}

static void gen_kv_u64(yajl_gen g, const char *key, uint64_t v)
{
	json_gen_str(g, key);
	gen_u64(g, v);
}

/* Go's omitempty: zero values are left out. */
static void gen_kv_u64_nonzero(yajl_gen g, const char *key, uint64_t v)
{
	if (v)
		gen_kv_u64(g, key, v);
}

static void gen_list(yajl_gen g, const char *key, const struct cgroup_u64_list *l)
{
	if (!l->n)
		return;
	json_gen_str(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < l->n; i++)
		gen_u64(g, l->v[i]);
	yajl_gen_array_close(g);
}

static void gen_cpu(yajl_gen g, const struct cgroup_stats *s)
{
	json_gen_str(g, "cpu");
	yajl_gen_map_open(g);
	json_gen_str(g, "usage");
	yajl_gen_map_open(g);
	gen_kv_u64_nonzero(g, "total", s->cpu_total);
	gen_list(g, "percpu", &s->percpu);
	gen_list(g, "percpu_kernel", &s->percpu_kernel);
	gen_list(g, "percpu_user", &s->percpu_user);
	gen_kv_u64(g, "kernel", s->cpu_kernel);
	gen_kv_u64(g, "user", s->cpu_user);
	yajl_gen_map_close(g);
	json_gen_str(g, "throttling");
	yajl_gen_map_open(g);
	gen_kv_u64_nonzero(g, "periods", s->throttling_periods);
	gen_kv_u64_nonzero(g, "throttledPeriods", s->throttled_periods);
	gen_kv_u64_nonzero(g, "throttledTime", s->throttled_time);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static void gen_memory_entry(yajl_gen g, const char *key, const struct cgroup_memory_entry *e)
{
	json_gen_str(g, key);
	yajl_gen_map_open(g);
	gen_kv_u64(g, "limit", e->limit);
	gen_kv_u64_nonzero(g, "usage", e->usage);
	gen_kv_u64_nonzero(g, "max", e->max);
	gen_kv_u64(g, "failcnt", e->failcnt);
	yajl_gen_map_close(g);
}

static void gen_memory(yajl_gen g, const struct cgroup_stats *s)
{
	json_gen_str(g, "memory");
	yajl_gen_map_open(g);
	gen_kv_u64_nonzero(g, "cache", s->memory_cache);
	gen_memory_entry(g, "usage", &s->memory_usage);
	gen_memory_entry(g, "swap", &s->memory_swap);
	gen_memory_entry(g, "kernel", &s->memory_kernel);
	gen_memory_entry(g, "kernelTCP", &s->memory_kernel_tcp);
	if (s->n_memory_raw) {
		json_gen_str(g, "raw");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < s->n_memory_raw; i++)
			gen_kv_u64(g, s->memory_raw[i].name, s->memory_raw[i].value);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

static void gen_blkio(yajl_gen g, const struct cgroup_stats *s)
{
	static const char *const names[BLKIO_KINDS] = {
		"ioServiceBytesRecursive", "ioServicedRecursive", "ioQueueRecursive", "ioServiceTimeRecursive",
		"ioWaitTimeRecursive", "ioMergedRecursive", "ioTimeRecursive", "sectorsRecursive",
	};

	json_gen_str(g, "blkio");
	yajl_gen_map_open(g);
	for (int k = 0; k < BLKIO_KINDS; k++) {
		if (!s->blkio[k].n)
			continue;
		json_gen_str(g, names[k]);
		yajl_gen_array_open(g);
		for (size_t i = 0; i < s->blkio[k].n; i++) {
			const struct cgroup_blkio_entry *e = &s->blkio[k].e[i];
			yajl_gen_map_open(g);
			gen_kv_u64_nonzero(g, "major", e->major);
			gen_kv_u64_nonzero(g, "minor", e->minor);
			if (e->op[0])
				json_gen_kv_str(g, "op", e->op);
			gen_kv_u64_nonzero(g, "value", e->value);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

static void gen_stats(yajl_gen g, const char *id, const struct cgroup_stats *s)
{
	yajl_gen_map_open(g);
	json_gen_kv_str(g, "type", "stats");
	json_gen_kv_str(g, "id", id);
	json_gen_str(g, "data");
	yajl_gen_map_open(g);
	gen_cpu(g, s);
	gen_memory(g, s);
	json_gen_str(g, "pids");
	yajl_gen_map_open(g);
	gen_kv_u64_nonzero(g, "current", s->pids_current);
	gen_kv_u64_nonzero(g, "limit", s->pids_limit);
	yajl_gen_map_close(g);
	gen_blkio(g, s);
	/* Not collected (no hugetlb/RDT/network stats yet), present as runc
	 * prints them empty, so readers find every key. */
	json_gen_str(g, "hugetlb");
	yajl_gen_map_open(g);
	yajl_gen_map_close(g);
	json_gen_str(g, "intel_rdt");
	yajl_gen_map_open(g);
	yajl_gen_map_close(g);
	json_gen_str(g, "network_interfaces");
	yajl_gen_null(g);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static void gen_oom(yajl_gen g, const char *id)
{
	yajl_gen_map_open(g);
	json_gen_kv_str(g, "type", "oom");
	json_gen_kv_str(g, "id", id);
	yajl_gen_map_close(g);
}

/* Builds one object with gen_fn and hands it to opts->emit. */
static int emit_object(const struct berth_events_opts *opts, const char *id, const struct cgroup_stats *s,
		       struct berth_err *err)
{
	const unsigned char *buf;
	size_t len;
	yajl_gen g = yajl_gen_alloc(NULL);
	int rc;

	if (!g)
		return berth_err_set(err, ENOMEM, "events");
	if (s)
		gen_stats(g, id, s);
	else
		gen_oom(g, id);
	yajl_gen_get_buf(g, &buf, &len);
	rc = opts->emit((const char *)buf, len, opts->data);
	yajl_gen_free(g);
	if (rc < 0)
		return berth_err_set(err, errno, "events: write");
	return 0;
}

static int emit_stats(struct cgroup_manager *m, const struct berth_events_opts *opts, const char *id,
		      struct berth_err *err)
{
	struct cgroup_stats s;
	int rc;

	if (m->ops->stats(m, &s, err) < 0)
		return berth_err_wrap(err, "stats");
	rc = emit_object(opts, id, &s, err);
	cgroup_stats_free(&s);
	return rc;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Emits an oom object per kill the watch has seen. */
static int drain_oom(struct cgroup_manager *m, struct cgroup_oom_watch *w, const struct berth_events_opts *opts,
		     const char *id, struct berth_err *err)
{
	unsigned kills = 0;
	bool gone = false;

	if (w->fd < 0)
		return 0;
	if (m->ops->oom_read(w, &kills, &gone, err) < 0)
		return -1;
	for (unsigned i = 0; i < kills; i++)
		if (emit_object(opts, id, NULL, err) < 0)
			return -1;
	if (gone)
		cgroup_oom_watch_close(w);
	return 0;
}

/* v2 wakes pollers of memory.events at most once per 10 ms: under memory
 * pressure its "max" events come first, and the OOM kill's wake-up can be
 * held back until the container has died and its cgroup, with the count,
 * is gone. So once memory.events has woken us, it is also read every
 * millisecond for this long after the last wake-up. */
#define OOM_PRESSURE_READ_MS 50

/* The poll timeout: the next stats object, or sooner while v2's memory
 * is under pressure. */
static int poll_timeout(const struct cgroup_oom_watch *w, long long next, long long pressure_until)
{
	long long now = now_ms(), left = next - now;

	if (w->fd >= 0 && w->v2 && pressure_until > now && left > 1)
		left = 1;
	return left > 0 ? (int)left : 0;
}

/* Streams until the init exits (its pidfd turns readable). */
static int stream(struct cgroup_manager *m, const struct container_state *st, const struct berth_events_opts *opts,
		  struct berth_err *err)
{
	struct cgroup_oom_watch w = { .fd = -1, .aux_fd = -1 };
	struct berth_err ignored;
	int pidfd = container_pidfd_open(st->init_pid);
	long long next = now_ms() + opts->interval_ms, pressure_until = 0;
	int rc = 0;

	if (pidfd < 0)
		return errno == ESRCH ? 0 : berth_err_set(err, errno, "pidfd_open %d", (int)st->init_pid);
	/* Without a memory controller there are no OOM events to report:
	 * stats still stream. */
	if (m->ops->oom_watch)
		m->ops->oom_watch(m, &w, &ignored);
	while (rc == 0) {
		struct pollfd fds[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = w.fd, .events = w.poll_events } };
		int n = poll(fds, w.fd >= 0 ? 2 : 1, poll_timeout(&w, next, pressure_until));

		if (n < 0 && errno != EINTR) {
			rc = berth_err_set(err, errno, "poll");
			break;
		}
		if (n > 0 && (fds[1].revents & (POLLIN | POLLPRI | POLLERR))) {
			rc = drain_oom(m, &w, opts, st->id, err);
			pressure_until = now_ms() + OOM_PRESSURE_READ_MS;
		} else if (n == 0 && w.v2 && pressure_until > now_ms()) {
			rc = drain_oom(m, &w, opts, st->id, err);
		}
		if (rc < 0 || (n > 0 && fds[0].revents)) {
			/* The init is gone: report an OOM that killed it, then end. */
			if (rc == 0)
				rc = drain_oom(m, &w, opts, st->id, err);
			break;
		}
		if (now_ms() >= next) {
			next += opts->interval_ms;
			rc = emit_stats(m, opts, st->id, err);
		}
	}
	cgroup_oom_watch_close(&w);
	close(pidfd);
	return rc;
}

int berth_container_events(const struct berth_ctx *ctx, const char *id, const struct berth_events_opts *opts,
			   struct berth_err *err)
{
	struct container_state st;
	struct cgroup_manager *m = NULL;
	int rc = -1;

	if (state_load(ctx->root, id, &st, err) < 0)
		return -1;
	if (st.status == STATUS_STOPPED) {
		berth_err_msg(err, 0, "container with id %s is not running", id);
		goto out;
	}
	m = cgroup_manager_open(st.cgroup_path, err);
	if (!m)
		goto out;
	if (!m->ops->stats) {
		berth_err_msg(err, ENOTSUP, "cgroup %s: stats are not supported", m->ops->name);
		goto out;
	}
	rc = opts->stats_only ? emit_stats(m, opts, id, err) : stream(m, &st, opts, err);
out:
	cgroup_manager_free(m);
	state_free(&st);
	return rc;
}
