/* linux.resources through cgroup v1 files, and the per-controller choice
 * of a v1 (or hybrid) host: v1 hierarchy if the controller is mounted as
 * one, else the unified hierarchy if it offers the controller.
 *
 * As in runc, a zero in a limit means "not given" (the config's pointer
 * fields are nil or 0 alike there), and -1 means "no limit". */
#include "cgroup_resources.h"
#include "cgroup_hierarchy.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool cgroup_file_exists(const char *dir, const char *file)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

static int write_i64(const char *dir, const char *file, int64_t v, struct berth_err *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cgroup_write_file(dir, file, buf, err);
}

static int write_u64(const char *dir, const char *file, uint64_t v, struct berth_err *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return cgroup_write_file(dir, file, buf, err);
}

/* --- which controllers a config asks for ------------------------------ */

static bool set_nonzero(struct opt_i64 o) { return o.set && o.v != 0; }
static bool uset_nonzero(struct opt_u64 o) { return o.set && o.v != 0; }

static bool wants_memory(const struct spec_resources *r)
{
	return set_nonzero(r->memory.limit) || set_nonzero(r->memory.reservation) ||
	       set_nonzero(r->memory.swap) || set_nonzero(r->memory.kernel_tcp) || r->memory.swappiness.set ||
	       (r->memory.disable_oom_killer.set && r->memory.disable_oom_killer.v) ||
	       r->memory.use_hierarchy.set;
}

static bool wants_cpu(const struct spec_resources *r)
{
	return uset_nonzero(r->cpu.shares) || set_nonzero(r->cpu.quota) || uset_nonzero(r->cpu.period) ||
	       r->cpu.burst.set || set_nonzero(r->cpu.realtime_runtime) || uset_nonzero(r->cpu.realtime_period) ||
	       r->cpu.idle.set;
}

static bool wants_cpuset(const struct spec_resources *r)
{
	return (r->cpu.cpus && *r->cpu.cpus) || (r->cpu.mems && *r->cpu.mems);
}

static bool wants_pids(const struct spec_resources *r) { return set_nonzero(r->pids.limit); }

static bool wants_blkio(const struct spec_resources *r)
{
	return uset_nonzero(r->block_io.weight) || uset_nonzero(r->block_io.leaf_weight) ||
	       r->block_io.n_weight_devices || r->block_io.n_throttle_read_bps || r->block_io.n_throttle_write_bps ||
	       r->block_io.n_throttle_read_iops || r->block_io.n_throttle_write_iops;
}

static bool wants_hugetlb(const struct spec_resources *r) { return r->n_hugepage_limits > 0; }
static bool wants_net_cls(const struct spec_resources *r) { return uset_nonzero(r->network.class_id); }
static bool wants_net_prio(const struct spec_resources *r) { return r->network.n_priorities > 0; }
static bool wants_rdma(const struct spec_resources *r) { return r->n_rdma > 0; }

/* --- v1 writers --------------------------------------------------------- */

/* checkBeforeUpdate: refuse a limit below what is in use already. */
static int check_usage_below(const char *dir, const char *usage_file, int64_t limit, struct berth_err *err)
{
	char buf[64];

	if (limit <= 0 || cgroup_read_value(dir, usage_file, buf, sizeof(buf), err) < 0)
		return limit <= 0 ? 0 : -1;
	if (strtoull(buf, NULL, 10) > (uint64_t)limit)
		return berth_err_msg(err, EBUSY,
				     "linux.resources.memory.limit: %" PRId64 " is below the current usage %s (checkBeforeUpdate)",
				     limit, buf);
	return 0;
}

static int v1_memory_limit(const char *dir, int64_t limit, struct berth_err *err)
{
	if (write_i64(dir, "memory.limit_in_bytes", limit, err) == 0)
		return 0;
	/* EBUSY: the kernel could not reclaim down to the new limit. */
	if (err->errnum == EBUSY)
		return berth_err_msg(err, EBUSY, "linux.resources.memory.limit: %" PRId64
				     " is below what the container uses and cannot be reclaimed", limit);
	return -1;
}

static int v1_set_memory(const char *dir, const struct spec_resources *r, struct berth_err *err)
{
	int64_t limit = r->memory.limit.set ? r->memory.limit.v : 0;
	int64_t swap = r->memory.swap.set ? r->memory.swap.v : 0;

	if (r->memory.check_before_update.set && r->memory.check_before_update.v &&
	    check_usage_below(dir, "memory.usage_in_bytes", limit, err) < 0)
		return -1;
	if (swap != 0 && !cgroup_file_exists(dir, "memory.memsw.limit_in_bytes"))
		return berth_err_msg(err, ENOENT, "linux.resources.memory.swap: swap accounting is off on this host "
				     "(no memory.memsw.limit_in_bytes; boot with swapaccount=1)");
	/* memory <= memory+swap at every moment: raise memsw first when the
	 * new memory limit goes above the current memsw limit. */
	if (limit != 0 && swap != 0) {
		char cur[64];
		bool swap_first;
		if (cgroup_read_value(dir, "memory.memsw.limit_in_bytes", cur, sizeof(cur), err) < 0)
			return -1;
		swap_first = swap == -1 || strtoull(cur, NULL, 10) < (uint64_t)swap;
		if (swap_first && write_i64(dir, "memory.memsw.limit_in_bytes", swap, err) < 0)
			return -1;
		if (v1_memory_limit(dir, limit, err) < 0)
			return -1;
		if (!swap_first && write_i64(dir, "memory.memsw.limit_in_bytes", swap, err) < 0)
			return -1;
	} else if (limit != 0) {
		if (v1_memory_limit(dir, limit, err) < 0)
			return -1;
	} else if (swap != 0 && write_i64(dir, "memory.memsw.limit_in_bytes", swap, err) < 0) {
		return -1;
	}
	if (set_nonzero(r->memory.reservation) &&
	    write_i64(dir, "memory.soft_limit_in_bytes", r->memory.reservation.v, err) < 0)
		return -1;
	if (set_nonzero(r->memory.kernel_tcp) &&
	    write_i64(dir, "memory.kmem.tcp.limit_in_bytes", r->memory.kernel_tcp.v, err) < 0)
		return -1;
	if (r->memory.disable_oom_killer.set && r->memory.disable_oom_killer.v &&
	    cgroup_write_file(dir, "memory.oom_control", "1", err) < 0)
		return -1;
	if (r->memory.swappiness.set && write_u64(dir, "memory.swappiness", r->memory.swappiness.v, err) < 0)
		return -1;
	if (r->memory.use_hierarchy.set &&
	    cgroup_write_file(dir, "memory.use_hierarchy", r->memory.use_hierarchy.v ? "1" : "0", err) < 0)
		return -1;
	return 0;
}

/* A CFS period the kernel refuses with the old quota may pass once the
 * new quota is in: then write quota first (runc does the same). */
static int v1_cfs(const char *dir, const struct spec_resources *r, struct berth_err *err)
{
	bool period = uset_nonzero(r->cpu.period), quota = set_nonzero(r->cpu.quota);

	if (period && write_u64(dir, "cpu.cfs_period_us", r->cpu.period.v, err) < 0) {
		if (!quota || err->errnum != EINVAL)
			return -1;
		if (write_i64(dir, "cpu.cfs_quota_us", r->cpu.quota.v, err) < 0 ||
		    write_u64(dir, "cpu.cfs_period_us", r->cpu.period.v, err) < 0)
			return -1;
		return 0;
	}
	if (quota && write_i64(dir, "cpu.cfs_quota_us", r->cpu.quota.v, err) < 0)
		return -1;
	return 0;
}

static int v1_set_cpu(const char *dir, const struct spec_resources *r, struct berth_err *err)
{
	if (uset_nonzero(r->cpu.realtime_period) &&
	    write_u64(dir, "cpu.rt_period_us", r->cpu.realtime_period.v, err) < 0)
		return -1;
	if (set_nonzero(r->cpu.realtime_runtime) &&
	    write_i64(dir, "cpu.rt_runtime_us", r->cpu.realtime_runtime.v, err) < 0)
		return -1;
	if (uset_nonzero(r->cpu.shares)) {
		char back[32];
		if (write_u64(dir, "cpu.shares", r->cpu.shares.v, err) < 0 ||
		    cgroup_read_value(dir, "cpu.shares", back, sizeof(back), err) < 0)
			return -1;
		/* The kernel clamps silently; say so instead. */
		if (strtoull(back, NULL, 10) != r->cpu.shares.v)
			return berth_err_msg(err, EINVAL, "linux.resources.cpu.shares: %" PRIu64
					     " is out of the kernel's range (it took %s)", r->cpu.shares.v, back);
	}
	if (v1_cfs(dir, r, err) < 0)
		return -1;
	if (r->cpu.burst.set) {
		if (!cgroup_file_exists(dir, "cpu.cfs_burst_us"))
			return berth_err_msg(err, ENOENT, "linux.resources.cpu.burst: not supported by this kernel");
		if (write_u64(dir, "cpu.cfs_burst_us", r->cpu.burst.v, err) < 0)
			return -1;
	}
	if (r->cpu.idle.set) {
		if (!cgroup_file_exists(dir, "cpu.idle"))
			return berth_err_msg(err, ENOENT, "linux.resources.cpu.idle: not supported by this kernel");
		if (write_i64(dir, "cpu.idle", r->cpu.idle.v, err) < 0)
			return -1;
	}
	return 0;
}

/* cpuset and pids have the same file names in v1 and v2. */
static int set_cpuset(const char *dir, const struct spec_resources *r, struct berth_err *err)
{
	if (r->cpu.cpus && *r->cpu.cpus && cgroup_write_file(dir, "cpuset.cpus", r->cpu.cpus, err) < 0)
		return -1;
	if (r->cpu.mems && *r->cpu.mems && cgroup_write_file(dir, "cpuset.mems", r->cpu.mems, err) < 0)
		return -1;
	return 0;
}

int cgroup_v2_set_cpuset(const char *dir, const struct spec_resources *r, struct berth_err *err)
{
	return set_cpuset(dir, r, err);
}

int cgroup_v2_set_pids(const char *dir, const struct spec_resources *r, struct berth_err *err)
{
	if (!set_nonzero(r->pids.limit))
		return 0;
	if (r->pids.limit.v < 0)
		return cgroup_write_file(dir, "pids.max", "max", err);
	return write_i64(dir, "pids.max", r->pids.limit.v, err);
}

static int write_throttles(const char *dir, const char *file, const struct spec_throttle_device *t, size_t n,
			   struct berth_err *err)
{
	char rule[96];

	for (size_t i = 0; i < n; i++) {
		snprintf(rule, sizeof(rule), "%" PRId64 ":%" PRId64 " %" PRIu64, t[i].major, t[i].minor, t[i].rate);
		if (cgroup_write_file(dir, file, rule, err) < 0)
			return -1;
	}
	return 0;
}

static int v1_set_blkio(const char *dir, const struct spec_resources *r, struct berth_err *err)
{
	/* BFQ's files when the scheduler is loaded, CFQ's otherwise. */
	bool bfq = cgroup_file_exists(dir, "blkio.bfq.weight");
	const char *weight = bfq ? "blkio.bfq.weight" : "blkio.weight";
	const char *weight_device = bfq ? "blkio.bfq.weight_device" : "blkio.weight_device";
	const struct spec_weight_device *wd = r->block_io.weight_devices;
	char rule[96];

	if ((uset_nonzero(r->block_io.weight) || r->block_io.n_weight_devices) && !cgroup_file_exists(dir, weight))
		return berth_err_msg(err, ENOENT, "linux.resources.blockIO.weight: this host's blkio controller has "
				     "no weight file (needs the BFQ or CFQ I/O scheduler)");
	if (uset_nonzero(r->block_io.weight) && write_u64(dir, weight, r->block_io.weight.v, err) < 0)
		return -1;
	if (uset_nonzero(r->block_io.leaf_weight) &&
	    write_u64(dir, "blkio.leaf_weight", r->block_io.leaf_weight.v, err) < 0)
		return -1;
	for (size_t i = 0; i < r->block_io.n_weight_devices; i++) {
		if (wd[i].weight.set) {
			snprintf(rule, sizeof(rule), "%" PRId64 ":%" PRId64 " %" PRIu64, wd[i].major, wd[i].minor,
				 wd[i].weight.v);
			if (cgroup_write_file(dir, weight_device, rule, err) < 0)
				return -1;
		}
		if (wd[i].leaf_weight.set) {
			snprintf(rule, sizeof(rule), "%" PRId64 ":%" PRId64 " %" PRIu64, wd[i].major, wd[i].minor,
				 wd[i].leaf_weight.v);
			if (cgroup_write_file(dir, "blkio.leaf_weight_device", rule, err) < 0)
				return -1;
		}
	}
	if (write_throttles(dir, "blkio.throttle.read_bps_device", r->block_io.throttle_read_bps,
			    r->block_io.n_throttle_read_bps, err) < 0 ||
	    write_throttles(dir, "blkio.throttle.write_bps_device", r->block_io.throttle_write_bps,
			    r->block_io.n_throttle_write_bps, err) < 0 ||
	    write_throttles(dir, "blkio.throttle.read_iops_device", r->block_io.throttle_read_iops,
			    r->block_io.n_throttle_read_iops, err) < 0 ||
	    write_throttles(dir, "blkio.throttle.write_iops_device", r->block_io.throttle_write_iops,
			    r->block_io.n_throttle_write_iops, err) < 0)
		return -1;
	return 0;
}

/* hugetlb.<size>.limit_in_bytes (v1) or hugetlb.<size>.max (v2). */
static int set_hugetlb(const char *dir, const struct spec_resources *r, const char *suffix, struct berth_err *err)
{
	char file[128];

	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct spec_hugepage_limit *h = &r->hugepage_limits[i];
		snprintf(file, sizeof(file), "hugetlb.%s.%s", h->page_size, suffix);
		if (strchr(h->page_size, '/') || !cgroup_file_exists(dir, file))
			return berth_err_msg(err, EINVAL, "linux.resources.hugepageLimits[%zu].pageSize: \"%s\" is not a "
					     "huge page size of this host", i, h->page_size);
		if (write_u64(dir, file, h->limit, err) < 0)
			return -1;
	}
	return 0;
}

static int v1_set_hugetlb(const char *dir, const struct spec_resources *r, struct berth_err *err)
{
	return set_hugetlb(dir, r, "limit_in_bytes", err);
}

int cgroup_v2_set_hugetlb(const char *dir, const struct spec_resources *r, struct berth_err *err)
{
	return set_hugetlb(dir, r, "max", err);
}

static int v1_set_net_cls(const char *dir, const struct spec_resources *r, struct berth_err *err)
{
	return write_u64(dir, "net_cls.classid", r->network.class_id.v, err);
}

static int v1_set_net_prio(const char *dir, const struct spec_resources *r, struct berth_err *err)
{
	char rule[128];

	for (size_t i = 0; i < r->network.n_priorities; i++) {
		snprintf(rule, sizeof(rule), "%s %" PRIu32, r->network.priorities[i].name,
			 r->network.priorities[i].priority);
		if (cgroup_write_file(dir, "net_prio.ifpriomap", rule, err) < 0)
			return -1;
	}
	return 0;
}

/* rdma.max has the same syntax in v1 and v2. */
int cgroup_v2_set_rdma(const char *dir, const struct spec_resources *r, struct berth_err *err)
{
	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct spec_rdma *d = &r->rdma[i];
		char rule[256];
		int n = snprintf(rule, sizeof(rule), "%s", d->device);
		if (d->hca_handles.set)
			n += snprintf(rule + n, sizeof(rule) - (size_t)n, " hca_handle=%" PRIu64, d->hca_handles.v);
		if (d->hca_objects.set && (size_t)n < sizeof(rule))
			snprintf(rule + n, sizeof(rule) - (size_t)n, " hca_object=%" PRIu64, d->hca_objects.v);
		if (cgroup_write_file(dir, "rdma.max", rule, err) < 0)
			return -1;
	}
	return 0;
}

const struct cgroup_controller cgroup_controllers[] = {
	{ "memory", "memory", "linux.resources.memory", wants_memory, v1_set_memory, cgroup_v2_set_memory },
	{ "cpuset", "cpuset", "linux.resources.cpu.cpus/mems", wants_cpuset, set_cpuset, cgroup_v2_set_cpuset },
	{ "cpu", "cpu", "linux.resources.cpu", wants_cpu, v1_set_cpu, cgroup_v2_set_cpu },
	{ "pids", "pids", "linux.resources.pids", wants_pids, cgroup_v2_set_pids, cgroup_v2_set_pids },
	{ "blkio", "io", "linux.resources.blockIO", wants_blkio, v1_set_blkio, cgroup_v2_set_io },
	{ "hugetlb", "hugetlb", "linux.resources.hugepageLimits", wants_hugetlb, v1_set_hugetlb,
	  cgroup_v2_set_hugetlb },
	{ "net_cls", NULL, "linux.resources.network.classID", wants_net_cls, v1_set_net_cls, NULL },
	{ "net_prio", NULL, "linux.resources.network.priorities", wants_net_prio, v1_set_net_prio, NULL },
	{ "rdma", "rdma", "linux.resources.rdma", wants_rdma, cgroup_v2_set_rdma, cgroup_v2_set_rdma },
};
const size_t cgroup_n_controllers = sizeof(cgroup_controllers) / sizeof(*cgroup_controllers);

/* --- the per-controller choice on a v1 or hybrid host ------------------- */

/* The mountpoint of the v1 hierarchy holding controller (or, with
 * controller NULL, of the unified hierarchy); false if there is none. */
static bool find_mount(const char *controller, char *out, size_t len)
{
	const struct cgroup_hierarchy *h;
	struct berth_err ignored;
	size_t n;

	if (cgroup_host_hierarchies(&h, &n, &ignored) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (controller ? !h[i].v2 && cgroup_hierarchy_has(&h[i], controller, strlen(controller)) : h[i].v2) {
			snprintf(out, len, "%s", h[i].mountpoint);
			return true;
		}
	return false;
}

int cgroup_v1_apply(struct cgroup_manager *m, const struct spec_resources *r, struct berth_err *err)
{
	char unified[1024], mount[1024], dir[5200];

	for (size_t i = 0; i < cgroup_n_controllers; i++) {
		const struct cgroup_controller *c = &cgroup_controllers[i];
		if (!c->wanted(r))
			continue;
		if (find_mount(c->v1_name, mount, sizeof(mount))) {
			snprintf(dir, sizeof(dir), "%s%s", mount, m->path);
			if (c->set_v1(dir, r, err) < 0)
				return -1;
		} else if (c->v2_name && find_mount(NULL, unified, sizeof(unified)) &&
			   cgroup_v2_has_controller(unified, c->v2_name)) {
			snprintf(dir, sizeof(dir), "%s%s", unified, m->path);
			if (cgroup_v2_enable(unified, m->path, c->v2_name, err) < 0 || c->set_v2(dir, r, err) < 0)
				return -1;
		} else {
			return berth_err_msg(err, ENOENT, "%s: the %s controller is not available on this host",
					     c->config_key, c->v1_name);
		}
	}
	if (r->n_unified == 0)
		return 0;
	if (!find_mount(NULL, unified, sizeof(unified)))
		return berth_err_msg(err, ENOENT, "linux.resources.unified: this host has no cgroup v2 hierarchy");
	return cgroup_v2_set_unified(unified, m->path, r, err);
}
