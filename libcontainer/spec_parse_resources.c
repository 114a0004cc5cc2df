/* config.json "linux.resources": types and ranges only. Whether a value
 * makes sense for the cgroup version in use is the cgroup code's call. */
#include <stdlib.h>
#include <string.h>

#include "spec_parse_internal.h"

static int spec_parse_device_cgroup(struct sj *j, yajl_val v, void *elem, void *ctx)
{
	struct spec_device_cgroup *d = elem;
	char *type = NULL;
	size_t mark;

	if (sj_as_object(j, v) < 0)
		return -1;
	if (!sj_lookup(v, "allow")) {
		sj_enter_key(j, "allow");
		return sj_fail(j, "missing");
	}
	if (sj_bool(j, v, "allow", &d->allow) < 0 || sj_str(j, v, "type", &type) < 0)
		return -1;
	if (type) {
		mark = sj_enter_key(j, "type");
		if (strlen(type) != 1 || !strchr("acb", type[0])) {
			sj_fail(j, "unknown device type \"%s\" (want a, c or b)", type);
			free(type);
			return -1;
		}
		d->type = type[0] == 'a' ? 0 : type[0];
		free(type);
		sj_leave(j, mark);
	}
	if (sj_opt_i64(j, v, "major", -1, INT64_MAX, &d->major) < 0 ||
	    sj_opt_i64(j, v, "minor", -1, INT64_MAX, &d->minor) < 0 ||
	    sj_str(j, v, "access", &d->access) < 0)
		return -1;
	/* -1 is the spec's other way to say "any". */
	if (d->major.set && d->major.v == -1)
		d->major.set = false;
	if (d->minor.set && d->minor.v == -1)
		d->minor.set = false;
	if (d->access) {
		mark = sj_enter_key(j, "access");
		if (d->access[strspn(d->access, "rwm")])
			return sj_fail(j, "invalid access \"%s\" (want a subset of rwm)", d->access);
		sj_leave(j, mark);
	}
	return 0;
}

static int spec_parse_memory(struct sj *j, yajl_val v, struct spec_resources *r)
{
	if (sj_as_object(j, v) < 0 ||
	    sj_opt_i64(j, v, "limit", -1, INT64_MAX, &r->memory.limit) < 0 ||
	    sj_opt_i64(j, v, "reservation", -1, INT64_MAX, &r->memory.reservation) < 0 ||
	    sj_opt_i64(j, v, "swap", -1, INT64_MAX, &r->memory.swap) < 0 ||
	    sj_opt_i64(j, v, "kernel", -1, INT64_MAX, &r->memory.kernel) < 0 ||
	    sj_opt_i64(j, v, "kernelTCP", -1, INT64_MAX, &r->memory.kernel_tcp) < 0 ||
	    sj_opt_u64(j, v, "swappiness", 100, &r->memory.swappiness) < 0 ||
	    sj_opt_bool(j, v, "disableOOMKiller", &r->memory.disable_oom_killer) < 0 ||
	    sj_opt_bool(j, v, "useHierarchy", &r->memory.use_hierarchy) < 0 ||
	    sj_opt_bool(j, v, "checkBeforeUpdate", &r->memory.check_before_update) < 0)
		return -1;
	return 0;
}

static int spec_parse_cpu(struct sj *j, yajl_val v, struct spec_resources *r)
{
	if (sj_as_object(j, v) < 0 ||
	    sj_opt_u64(j, v, "shares", UINT64_MAX, &r->cpu.shares) < 0 ||
	    sj_opt_i64(j, v, "quota", -1, INT64_MAX, &r->cpu.quota) < 0 ||
	    sj_opt_u64(j, v, "burst", UINT64_MAX, &r->cpu.burst) < 0 ||
	    sj_opt_u64(j, v, "period", UINT64_MAX, &r->cpu.period) < 0 ||
	    sj_opt_i64(j, v, "realtimeRuntime", -1, INT64_MAX, &r->cpu.realtime_runtime) < 0 ||
	    sj_opt_u64(j, v, "realtimePeriod", UINT64_MAX, &r->cpu.realtime_period) < 0 ||
	    sj_str(j, v, "cpus", &r->cpu.cpus) < 0 || sj_str(j, v, "mems", &r->cpu.mems) < 0 ||
	    sj_opt_i64(j, v, "idle", 0, 1, &r->cpu.idle) < 0)
		return -1;
	return 0;
}

static int spec_parse_pids(struct sj *j, yajl_val v, struct spec_resources *r)
{
	if (sj_as_object(j, v) < 0 ||
	    sj_opt_i64(j, v, "limit", -1, INT64_MAX, &r->pids.limit) < 0)
		return -1;
	return 0;
}

/* major and minor are required in every block device entry. */
static int spec_parse_block_device_numbers(struct sj *j, yajl_val v, int64_t *major, int64_t *minor)
{
	if (sj_as_object(j, v) < 0)
		return -1;
	if (!sj_lookup(v, "major") || !sj_lookup(v, "minor")) {
		sj_enter_key(j, sj_lookup(v, "major") ? "minor" : "major");
		return sj_fail(j, "missing");
	}
	if (sj_i64(j, v, "major", 0, INT64_MAX, major) < 0 ||
	    sj_i64(j, v, "minor", 0, INT64_MAX, minor) < 0)
		return -1;
	return 0;
}

/* The kernel's blkio weight range is 10..1000; 0 means "not given". */
static int spec_parse_blkio_weight(struct sj *j, yajl_val v, const char *key, struct opt_u64 *out)
{
	if (sj_opt_u64(j, v, key, 1000, out) < 0)
		return -1;
	if (out->set && out->v != 0 && out->v < 10) {
		sj_enter_key(j, key); /* the error names the key; no leave on failure */
		return sj_fail(j, "%llu is out of range (10 to 1000)", (unsigned long long)out->v);
	}
	return 0;
}

static int spec_parse_weight_device(struct sj *j, yajl_val v, void *elem, void *ctx)
{
	struct spec_weight_device *d = elem;
	if (spec_parse_block_device_numbers(j, v, &d->major, &d->minor) < 0 ||
	    spec_parse_blkio_weight(j, v, "weight", &d->weight) < 0 ||
	    spec_parse_blkio_weight(j, v, "leafWeight", &d->leaf_weight) < 0)
		return -1;
	return 0;
}

static int spec_parse_throttle_device(struct sj *j, yajl_val v, void *elem, void *ctx)
{
	struct spec_throttle_device *d = elem;
	if (spec_parse_block_device_numbers(j, v, &d->major, &d->minor) < 0)
		return -1;
	if (!sj_lookup(v, "rate")) {
		sj_enter_key(j, "rate");
		return sj_fail(j, "missing");
	}
	return sj_u64(j, v, "rate", UINT64_MAX, &d->rate);
}

static int spec_parse_block_io(struct sj *j, yajl_val v, struct spec_resources *r)
{
	if (sj_as_object(j, v) < 0 ||
	    spec_parse_blkio_weight(j, v, "weight", &r->block_io.weight) < 0 ||
	    spec_parse_blkio_weight(j, v, "leafWeight", &r->block_io.leaf_weight) < 0 ||
	    SJ_ARRAY(j, v, "weightDevice", spec_parse_weight_device, NULL,
			     r->block_io.weight_devices, r->block_io.n_weight_devices) < 0 ||
	    SJ_ARRAY(j, v, "throttleReadBpsDevice", spec_parse_throttle_device, NULL,
			     r->block_io.throttle_read_bps, r->block_io.n_throttle_read_bps) < 0 ||
	    SJ_ARRAY(j, v, "throttleWriteBpsDevice", spec_parse_throttle_device, NULL,
			     r->block_io.throttle_write_bps, r->block_io.n_throttle_write_bps) < 0 ||
	    SJ_ARRAY(j, v, "throttleReadIOPSDevice", spec_parse_throttle_device, NULL,
			     r->block_io.throttle_read_iops, r->block_io.n_throttle_read_iops) < 0 ||
	    SJ_ARRAY(j, v, "throttleWriteIOPSDevice", spec_parse_throttle_device, NULL,
			     r->block_io.throttle_write_iops, r->block_io.n_throttle_write_iops) < 0)
		return -1;
	return 0;
}

static int spec_parse_hugepage_limit(struct sj *j, yajl_val v, void *elem, void *ctx)
{
	struct spec_hugepage_limit *h = elem;
	if (sj_as_object(j, v) < 0 || sj_req_str(j, v, "pageSize", &h->page_size) < 0)
		return -1;
	if (!sj_lookup(v, "limit")) {
		sj_enter_key(j, "limit");
		return sj_fail(j, "missing");
	}
	return sj_u64(j, v, "limit", UINT64_MAX, &h->limit);
}

static int spec_parse_net_priority(struct sj *j, yajl_val v, void *elem, void *ctx)
{
	struct spec_net_priority *p = elem;
	if (sj_as_object(j, v) < 0 || sj_req_str(j, v, "name", &p->name) < 0 ||
	    sj_req_u32(j, v, "priority", &p->priority) < 0)
		return -1;
	return 0;
}

static int spec_parse_network(struct sj *j, yajl_val v, struct spec_resources *r)
{
	if (sj_as_object(j, v) < 0 ||
	    sj_opt_u64(j, v, "classID", UINT32_MAX, &r->network.class_id) < 0 ||
	    SJ_ARRAY(j, v, "priorities", spec_parse_net_priority, NULL, r->network.priorities,
			     r->network.n_priorities) < 0)
		return -1;
	return 0;
}

/* rdma: {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 10000}}. */
static int spec_parse_rdma(struct sj *j, yajl_val v, struct spec_resources *r)
{
	size_t n;

	if (sj_as_object(j, v) < 0)
		return -1;
	n = v->u.object.len;
	r->rdma = sj_calloc(j, n, sizeof(*r->rdma));
	if (!r->rdma)
		return -1;
	r->n_rdma = n;
	for (size_t i = 0; i < n; i++) {
		struct spec_rdma *d = &r->rdma[i];
		yajl_val dev = v->u.object.values[i];
		size_t mark = sj_enter_member(j, v->u.object.keys[i]);

		d->device = sj_strdup(j, v->u.object.keys[i]);
		if (!d->device || sj_as_object(j, dev) < 0 ||
		    sj_opt_u64(j, dev, "hcaHandles", UINT32_MAX, &d->hca_handles) < 0 ||
		    sj_opt_u64(j, dev, "hcaObjects", UINT32_MAX, &d->hca_objects) < 0)
			return -1;
		sj_leave(j, mark);
	}
	return 0;
}

typedef int (*spec_section_fn)(struct sj *j, yajl_val v, struct spec_resources *r);

static int spec_parse_section(struct sj *j, yajl_val obj, const char *key, spec_section_fn fn,
			      struct spec_resources *r)
{
	yajl_val v = sj_lookup(obj, key);
	size_t mark;

	if (!v)
		return 0;
	mark = sj_enter_key(j, key);
	if (fn(j, v, r) < 0)
		return -1;
	sj_leave(j, mark);
	return 0;
}

int spec_parse_resources(struct sj *j, yajl_val v, struct spec_resources *r)
{
	if (sj_as_object(j, v) < 0 ||
	    SJ_ARRAY(j, v, "devices", spec_parse_device_cgroup, NULL, r->devices, r->n_devices) < 0 ||
	    spec_parse_section(j, v, "memory", spec_parse_memory, r) < 0 ||
	    spec_parse_section(j, v, "cpu", spec_parse_cpu, r) < 0 ||
	    spec_parse_section(j, v, "pids", spec_parse_pids, r) < 0 ||
	    spec_parse_section(j, v, "blockIO", spec_parse_block_io, r) < 0 ||
	    SJ_ARRAY(j, v, "hugepageLimits", spec_parse_hugepage_limit, NULL, r->hugepage_limits,
			     r->n_hugepage_limits) < 0 ||
	    spec_parse_section(j, v, "network", spec_parse_network, r) < 0 ||
	    spec_parse_section(j, v, "rdma", spec_parse_rdma, r) < 0 ||
	    sj_kv(j, v, "unified", &r->unified, &r->n_unified) < 0)
		return -1;
	return 0;
}
