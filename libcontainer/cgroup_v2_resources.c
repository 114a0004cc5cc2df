/* linux.resources through cgroup v2 files. The config speaks cgroup v1;
 * the conversions are runc's (libcontainer/cgroups/fs2), so a config gives
 * the same kernel settings under berth and runc:
 *   cpu.shares S      -> cpu.weight 1 + ((S - 2) * 9999) / 262142
 *   quota Q, period P -> cpu.max "Q P" ("max P" when Q < 0)
 *   blkio weight W    -> io.bfq.weight W, else io.weight 1 + (W - 10) * 9999 / 990
 *   memory.swap M+S   -> memory.swap.max S = swap - limit
 *   -1                -> "max" */
#include "cgroup_resources.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_limit(const char *dir, const char *file, int64_t v, struct berth_err *err)
{
	char buf[32];

	if (v < 0)
		snprintf(buf, sizeof(buf), "max");
	else
		snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cgroup_write_file(dir, file, buf, err);
}

/* v1's memory+swap as v2's swap alone. */
static int swap_v2(int64_t swap, int64_t limit, int64_t *out, struct berth_err *err)
{
	if (swap == -1) {
		*out = -1;
		return 0;
	}
	if (limit <= 0)
		return berth_err_msg(err, EINVAL, "linux.resources.memory.swap: cannot be set without a memory limit "
				     "on cgroup v2");
	if (swap < limit)
		return berth_err_msg(err, EINVAL, "linux.resources.memory.swap: %" PRId64 " is below the memory limit %"
				     PRId64 " (swap counts memory+swap)", swap, limit);
	*out = swap - limit;
	return 0;
}

int cgroup_v2_set_memory(const char *dir, const struct spec_resources *r, struct berth_err *err)
{
	int64_t limit = r->memory.limit.set ? r->memory.limit.v : 0;

	if (r->memory.check_before_update.set && r->memory.check_before_update.v && limit > 0) {
		char cur[64];
		if (cgroup_read_value(dir, "memory.current", cur, sizeof(cur), err) < 0)
			return -1;
		if (strtoull(cur, NULL, 10) > (uint64_t)limit)
			return berth_err_msg(err, EBUSY, "linux.resources.memory.limit: %" PRId64
					     " is below the current usage %s (checkBeforeUpdate)", limit, cur);
	}
	/* Swap first: with it, memory.max never sits above memory+swap. */
	if (r->memory.swap.set && r->memory.swap.v != 0) {
		int64_t swap = 0;
		if (swap_v2(r->memory.swap.v, limit, &swap, err) < 0)
			return -1;
		if (!cgroup_file_exists(dir, "memory.swap.max"))
			return berth_err_msg(err, ENOENT, "linux.resources.memory.swap: swap accounting is off on this host "
					     "(no memory.swap.max)");
		if (write_limit(dir, "memory.swap.max", swap, err) < 0)
			return -1;
	}
	if (limit != 0 && write_limit(dir, "memory.max", limit, err) < 0)
		return -1;
	if (r->memory.reservation.set && r->memory.reservation.v != 0 &&
	    write_limit(dir, "memory.low", r->memory.reservation.v, err) < 0)
		return -1;
	/* swappiness, disableOOMKiller, useHierarchy and kernelTCP have no v2
	 * file: ignored, as runc does, so v1-era configs keep working. */
	return 0;
}

/* cpu.max "quota period"; a quota of 0 (not given) keeps the current one. */
static int v2_cpu_max(const char *dir, const struct spec_resources *r, struct berth_err *err)
{
	char cur[64], value[64], quota[32] = "max";
	bool has_quota = r->cpu.quota.set && r->cpu.quota.v != 0;
	bool has_period = r->cpu.period.set && r->cpu.period.v != 0;

	if (!has_quota && !has_period)
		return 0;
	if (has_quota && r->cpu.quota.v > 0) {
		snprintf(quota, sizeof(quota), "%" PRId64, r->cpu.quota.v);
	} else if (!has_quota) {
		if (cgroup_read_value(dir, "cpu.max", cur, sizeof(cur), err) < 0)
			return -1;
		snprintf(quota, sizeof(quota), "%.*s", (int)strcspn(cur, " "), cur);
	}
	if (has_period)
		snprintf(value, sizeof(value), "%s %" PRIu64, quota, r->cpu.period.v);
	else
		snprintf(value, sizeof(value), "%s", quota);
	return cgroup_write_file(dir, "cpu.max", value, err);
}

int cgroup_v2_set_cpu(const char *dir, const struct spec_resources *r, struct berth_err *err)
{
	if ((r->cpu.realtime_runtime.set && r->cpu.realtime_runtime.v != 0) ||
	    (r->cpu.realtime_period.set && r->cpu.realtime_period.v != 0))
		return berth_err_msg(err, EINVAL, "linux.resources.cpu.realtimeRuntime/realtimePeriod: not supported "
				     "on cgroup v2");
	if (r->cpu.idle.set && write_limit(dir, "cpu.idle", r->cpu.idle.v, err) < 0)
		return -1;
	/* An idle cgroup has no weight of its own (the kernel refuses it). */
	if (r->cpu.shares.set && r->cpu.shares.v != 0 && !(r->cpu.idle.set && r->cpu.idle.v != 0)) {
		uint64_t s = r->cpu.shares.v < 2 ? 2 : r->cpu.shares.v;
		char weight[32];
		snprintf(weight, sizeof(weight), "%" PRIu64, 1 + ((s - 2) * 9999) / 262142);
		if (cgroup_write_file(dir, "cpu.weight", weight, err) < 0)
			return -1;
	}
	if (v2_cpu_max(dir, r, err) < 0)
		return -1;
	if (r->cpu.burst.set) {
		char burst[32];
		snprintf(burst, sizeof(burst), "%" PRIu64, r->cpu.burst.v);
		if (cgroup_write_file(dir, "cpu.max.burst", burst, err) < 0)
			return -1;
	}
	return 0;
}

static int io_max(const char *dir, const char *key, const struct spec_throttle_device *t, size_t n,
		  struct berth_err *err)
{
	char rule[128];

	for (size_t i = 0; i < n; i++) {
		if (t[i].rate == 0)
			snprintf(rule, sizeof(rule), "%" PRId64 ":%" PRId64 " %s=max", t[i].major, t[i].minor, key);
		else
			snprintf(rule, sizeof(rule), "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t[i].major, t[i].minor, key,
				 t[i].rate);
		if (cgroup_write_file(dir, "io.max", rule, err) < 0)
			return -1;
	}
	return 0;
}

int cgroup_v2_set_io(const char *dir, const struct spec_resources *r, struct berth_err *err)
{
	bool bfq = cgroup_file_exists(dir, "io.bfq.weight");
	const char *file = bfq ? "io.bfq.weight" : "io.weight";
	char value[96];

	if (r->block_io.weight.set && r->block_io.weight.v != 0) {
		uint64_t w = r->block_io.weight.v;
		if (!bfq)
			w = 1 + (w < 10 ? 0 : (w - 10) * 9999 / 990);
		snprintf(value, sizeof(value), "%" PRIu64, w);
		if (!cgroup_file_exists(dir, file))
			return berth_err_msg(err, ENOENT, "linux.resources.blockIO.weight: this host's io controller has "
					     "no weight file (needs the BFQ I/O scheduler or io.weight)");
		if (cgroup_write_file(dir, file, value, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < r->block_io.n_weight_devices; i++) {
		const struct spec_weight_device *d = &r->block_io.weight_devices[i];
		uint64_t w;
		if (!d->weight.set)
			continue; /* leafWeight has no v2 counterpart */
		w = bfq ? d->weight.v : 1 + (d->weight.v < 10 ? 0 : (d->weight.v - 10) * 9999 / 990);
		snprintf(value, sizeof(value), "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor, w);
		if (cgroup_write_file(dir, file, value, err) < 0)
			return -1;
	}
	if (io_max(dir, "rbps", r->block_io.throttle_read_bps, r->block_io.n_throttle_read_bps, err) < 0 ||
	    io_max(dir, "wbps", r->block_io.throttle_write_bps, r->block_io.n_throttle_write_bps, err) < 0 ||
	    io_max(dir, "riops", r->block_io.throttle_read_iops, r->block_io.n_throttle_read_iops, err) < 0 ||
	    io_max(dir, "wiops", r->block_io.throttle_write_iops, r->block_io.n_throttle_write_iops, err) < 0)
		return -1;
	return 0;
}

bool cgroup_v2_has_controller(const char *mount, const char *controller)
{
	char list[1024];
	struct berth_err ignored;
	size_t len = strlen(controller);

	if (cgroup_read_value(mount, "cgroup.controllers", list, sizeof(list), &ignored) < 0)
		return false;
	for (const char *p = list; (p = strstr(p, controller)); p += len)
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
			return true;
	return false;
}

int cgroup_v2_enable(const char *mount, const char *path, const char *controller, struct berth_err *err)
{
	char dir[4200], plus[64];
	size_t base = strlen(mount);
	const char *last = strrchr(path, '/');

	snprintf(plus, sizeof(plus), "+%s", controller);
	snprintf(dir, sizeof(dir), "%s%s", mount, path);
	/* mount itself, then each ancestor directory below it, not path's own
	 * dir: a cgroup with processes cannot hand controllers down. */
	for (size_t end = base; end <= base + (size_t)(last - path); end++) {
		char saved;
		if (end != base && dir[end] != '/')
			continue;
		saved = dir[end];
		dir[end] = '\0';
		if (cgroup_write_file(dir, "cgroup.subtree_control", plus, err) < 0)
			return berth_err_wrap(err, "enable the %s controller", controller);
		dir[end] = saved;
	}
	return 0;
}

void cgroup_v2_enable_all(const char *mount, const char *path)
{
	char list[1024];
	struct berth_err ignored;

	if (cgroup_read_value(mount, "cgroup.controllers", list, sizeof(list), &ignored) < 0)
		return;
	for (char *save = NULL, *c = strtok_r(list, " ", &save); c; c = strtok_r(NULL, " ", &save))
		(void)cgroup_v2_enable(mount, path, c, &ignored);
}

/* Keys are file names in the container's cgroup, nothing else. */
static bool unified_key_ok(const char *key)
{
	return *key && !strchr(key, '/') && strcmp(key, ".") != 0 && strcmp(key, "..") != 0 && strchr(key, '.');
}

int cgroup_v2_set_unified(const char *mount, const char *path, const struct spec_resources *r,
			  struct berth_err *err)
{
	char dir[4200], controller[64];

	snprintf(dir, sizeof(dir), "%s%s", mount, path);
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *key = r->unified[i].key;
		if (!unified_key_ok(key))
			return berth_err_msg(err, EINVAL, "linux.resources.unified: \"%s\" is not a cgroup file name", key);
		snprintf(controller, sizeof(controller), "%.*s", (int)strcspn(key, "."), key);
		if (strcmp(controller, "cgroup") != 0) {
			if (!cgroup_v2_has_controller(mount, controller))
				return berth_err_msg(err, ENOENT, "linux.resources.unified: \"%s\": the %s controller is not "
						     "on this host's cgroup v2 hierarchy", key, controller);
			if (cgroup_v2_enable(mount, path, controller, err) < 0)
				return berth_err_wrap(err, "linux.resources.unified");
		}
		if (!cgroup_file_exists(dir, key))
			return berth_err_msg(err, ENOENT, "linux.resources.unified: \"%s\": no such cgroup v2 file", key);
		if (cgroup_write_file(dir, key, r->unified[i].value, err) < 0)
			return berth_err_wrap(err, "linux.resources.unified");
	}
	return 0;
}

int cgroup_v2_apply_all(const char *mount, const char *path, const struct spec_resources *r,
			struct berth_err *err)
{
	char dir[4200];

	snprintf(dir, sizeof(dir), "%s%s", mount, path);
	for (size_t i = 0; i < cgroup_n_controllers; i++) {
		const struct cgroup_controller *c = &cgroup_controllers[i];
		if (!c->wanted(r))
			continue;
		if (!c->v2_name)
			return berth_err_msg(err, ENOENT, "%s: the %s controller does not exist on cgroup v2",
					     c->config_key, c->v1_name);
		if (!cgroup_v2_has_controller(mount, c->v2_name))
			return berth_err_msg(err, ENOENT, "%s: the %s controller is not available on this host",
					     c->config_key, c->v2_name);
		if (cgroup_v2_enable(mount, path, c->v2_name, err) < 0 || c->set_v2(dir, r, err) < 0)
			return -1;
	}
	return cgroup_v2_set_unified(mount, path, r, err);
}

int cgroup_v2_apply(struct cgroup_manager *m, const struct spec_resources *r, struct berth_err *err)
{
	/* dirs[0] is <mount><path>: the mount is what precedes path. */
	char mount[4096];
	size_t dir_len = strlen(m->dirs[0]), path_len = strlen(m->path);

	snprintf(mount, sizeof(mount), "%.*s", (int)(dir_len - path_len), m->dirs[0]);
	return cgroup_v2_apply_all(mount, m->path, r, err);
}
