/* config.json "linux": namespaces, id mappings, devices, time offsets,
 * sysctl, masked/readonly paths, personality, Intel RDT, net devices, and
 * the hand-off to the resources and seccomp parsers. */
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>

#include "mount_options.h"
#include "spec_parse_internal.h"

static int spec_parse_id_mapping(struct sj *j, yajl_val v, struct spec_id_mapping *m)
{
	size_t mark;

	if (sj_as_object(j, v) < 0 || sj_req_u32(j, v, "containerID", &m->container_id) < 0 ||
	    sj_req_u32(j, v, "hostID", &m->host_id) < 0 || sj_req_u32(j, v, "size", &m->size) < 0)
		return -1;
	mark = sj_enter_key(j, "size");
	if (m->size == 0)
		return sj_fail(j, "must be greater than 0");
	/* The last id of the range must itself be a valid uint32. */
	if ((uint64_t)m->host_id + m->size - 1 > UINT32_MAX)
		return sj_fail(j, "hostID %u + size %u overflows uint32", m->host_id, m->size);
	if ((uint64_t)m->container_id + m->size - 1 > UINT32_MAX)
		return sj_fail(j, "containerID %u + size %u overflows uint32", m->container_id,
			       m->size);
	sj_leave(j, mark);
	return 0;
}

/* Whether [a, a+a_size) and [b, b+b_size) share an id. Ranges end within
 * uint32 (checked before), so the sums cannot wrap in 64 bits. */
static bool spec_ranges_overlap(uint32_t a, uint32_t a_size, uint32_t b, uint32_t b_size)
{
	return (uint64_t)a < (uint64_t)b + b_size && (uint64_t)b < (uint64_t)a + a_size;
}

/* The kernel refuses a uid_map whose ranges overlap on either side with a
 * bare EINVAL; saying which two ranges collide is kinder. The path is at
 * the array ("linux.uidMappings"). */
static int spec_check_mapping_overlap(struct sj *j, const struct spec_id_mapping *m, size_t n)
{
	size_t base = j->len;

	for (size_t i = 1; i < n; i++) {
		for (size_t k = 0; k < i; k++) {
			const struct spec_id_mapping *a = &m[i], *b = &m[k];
			const char *side = "containerID";
			uint32_t a_first = a->container_id, b_first = b->container_id;

			if (!spec_ranges_overlap(a_first, a->size, b_first, b->size)) {
				side = "hostID";
				a_first = a->host_id;
				b_first = b->host_id;
				if (!spec_ranges_overlap(a_first, a->size, b_first, b->size))
					continue;
			}
			sj_enter_index(j, i);
			return sj_fail(j, "%s %u-%u overlaps %.*s[%zu] (%u-%u)", side, a_first,
				       a_first + (a->size - 1), (int)base, j->path, k, b_first,
				       b_first + (b->size - 1));
		}
	}
	return 0;
}

int spec_parse_id_mappings(struct sj *j, yajl_val obj, const char *key,
			   struct spec_id_mapping **out, size_t *n_out)
{
	yajl_val v = sj_lookup(obj, key);
	size_t mark, n;

	if (!v)
		return 0;
	mark = sj_enter_key(j, key);
	if (sj_as_array(j, v, &n) < 0)
		return -1;
	*out = sj_calloc(j, n, sizeof(**out));
	if (!*out)
		return -1;
	*n_out = n;
	for (size_t i = 0; i < n; i++) {
		size_t imark = sj_enter_index(j, i);
		if (spec_parse_id_mapping(j, v->u.array.values[i], &(*out)[i]) < 0)
			return -1;
		sj_leave(j, imark);
	}
	if (spec_check_mapping_overlap(j, *out, n) < 0)
		return -1;
	sj_leave(j, mark);
	return 0;
}

static int spec_ns_from_name(const char *name, enum spec_ns_type *out)
{
	for (int t = 0; t < SPEC_NS_COUNT; t++) {
		if (strcmp(spec_ns_name((enum spec_ns_type)t), name) == 0) {
			*out = (enum spec_ns_type)t;
			return 0;
		}
	}
	return -1;
}

static int spec_parse_namespace(struct sj *j, yajl_val v, struct spec_linux *l)
{
	char *type = NULL, *path = NULL;
	enum spec_ns_type t;
	size_t mark;

	if (sj_as_object(j, v) < 0 || sj_req_str(j, v, "type", &type) < 0)
		goto fail;
	mark = sj_enter_key(j, "type");
	if (spec_ns_from_name(type, &t) < 0) {
		sj_fail(j, "unknown namespace \"%s\"", type);
		goto fail;
	}
	if (l->namespaces[t].present) {
		sj_fail(j, "duplicate namespace \"%s\"", type);
		goto fail;
	}
	sj_leave(j, mark);
	if (sj_str(j, v, "path", &path) < 0)
		goto fail;
	if (path) {
		mark = sj_enter_key(j, "path");
		if (sj_check_absolute(j, path) < 0)
			goto fail;
		sj_leave(j, mark);
	}
	free(type);
	l->namespaces[t].present = true;
	l->namespaces[t].path = path;
	return 0;
fail:
	free(type);
	free(path);
	return -1;
}

static int spec_parse_namespaces(struct sj *j, yajl_val lx, struct spec_linux *l)
{
	yajl_val v = sj_lookup(lx, "namespaces");
	size_t mark, n;

	if (!v)
		return 0;
	mark = sj_enter_key(j, "namespaces");
	if (sj_as_array(j, v, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t imark = sj_enter_index(j, i);
		if (spec_parse_namespace(j, v->u.array.values[i], l) < 0)
			return -1;
		sj_leave(j, imark);
	}
	sj_leave(j, mark);
	return 0;
}

/* Mappings belong to a user namespace, and a new one is useless without. */
static int spec_check_user_namespace(struct sj *j, const struct spec_linux *l)
{
	const struct spec_namespace *user = &l->namespaces[SPEC_NS_USER];
	size_t mark;

	if (!user->present && (l->n_uid_mappings || l->n_gid_mappings)) {
		sj_enter_key(j, l->n_uid_mappings ? "uidMappings" : "gidMappings");
		return sj_fail(j, "user namespace mappings given but no user namespace");
	}
	if (user->present && !user->path && (!l->n_uid_mappings || !l->n_gid_mappings)) {
		mark = sj_enter_key(j, "namespaces");
		sj_fail(j, "a new user namespace needs linux.uidMappings and linux.gidMappings");
		sj_leave(j, mark);
		return -1;
	}
	return 0;
}

static int spec_parse_device(struct sj *j, yajl_val v, void *elem, void *ctx)
{
	struct spec_device *d = elem;
	char *type = NULL;
	size_t mark;
	bool needs_numbers;

	if (sj_as_object(j, v) < 0 || sj_req_str(j, v, "type", &type) < 0)
		return -1;
	mark = sj_enter_key(j, "type");
	if (strlen(type) != 1 || !strchr("cbup", type[0])) {
		sj_fail(j, "unknown device type \"%s\" (want c, b, u or p)", type);
		free(type);
		return -1;
	}
	d->type = type[0];
	free(type);
	sj_leave(j, mark);
	if (sj_req_str(j, v, "path", &d->path) < 0)
		return -1;
	mark = sj_enter_key(j, "path");
	if (sj_check_absolute(j, d->path) < 0)
		return -1;
	sj_leave(j, mark);
	/* A FIFO has no device number; every other type needs both. */
	needs_numbers = d->type != 'p';
	if (needs_numbers && (!sj_lookup(v, "major") || !sj_lookup(v, "minor"))) {
		sj_enter_key(j, sj_lookup(v, "major") ? "minor" : "major");
		return sj_fail(j, "missing");
	}
	if (sj_i64(j, v, "major", 0, UINT32_MAX, &d->major) < 0 ||
	    sj_i64(j, v, "minor", 0, UINT32_MAX, &d->minor) < 0 ||
	    sj_opt_u64(j, v, "fileMode", 07777, &d->file_mode) < 0 ||
	    sj_opt_u64(j, v, "uid", UINT32_MAX, &d->uid) < 0 ||
	    sj_opt_u64(j, v, "gid", UINT32_MAX, &d->gid) < 0)
		return -1;
	return 0;
}

static int spec_parse_devices(struct sj *j, yajl_val lx, struct spec_linux *l)
{
	return SJ_ARRAY(j, lx, "devices", spec_parse_device, NULL, l->devices, l->n_devices);
}

static int spec_parse_time_offsets(struct sj *j, yajl_val lx, struct spec_linux *l)
{
	yajl_val v = sj_lookup(lx, "timeOffsets");
	size_t mark;

	if (!v)
		return 0;
	mark = sj_enter_key(j, "timeOffsets");
	if (sj_as_object(j, v) < 0)
		return -1;
	for (size_t i = 0; i < v->u.object.len; i++) {
		const char *clock = v->u.object.keys[i];
		yajl_val off = v->u.object.values[i];
		size_t cmark = sj_enter_member(j, clock);
		struct spec_time_offset *t;
		uint32_t nanosecs = 0;

		if (strcmp(clock, "monotonic") == 0)
			t = &l->time_monotonic;
		else if (strcmp(clock, "boottime") == 0)
			t = &l->time_boottime;
		else
			return sj_fail(j, "unknown clock (want monotonic or boottime)");
		if (sj_as_object(j, off) < 0 || sj_i64(j, off, "secs", INT64_MIN, INT64_MAX, &t->secs) < 0 ||
		    sj_u32(j, off, "nanosecs", &nanosecs) < 0)
			return -1;
		if (nanosecs >= 1000000000u) {
			sj_enter_key(j, "nanosecs");
			return sj_fail(j, "must be less than 1000000000");
		}
		t->nanosecs = nanosecs;
		t->set = true;
		sj_leave(j, cmark);
	}
	sj_leave(j, mark);
	return 0;
}

static int spec_parse_rootfs_propagation(struct sj *j, yajl_val lx, struct spec_linux *l)
{
	char *name = NULL;
	size_t mark;
	int rc = 0;

	if (sj_str(j, lx, "rootfsPropagation", &name) < 0)
		return -1;
	if (!name || !*name) {
		free(name);
		return 0;
	}
	if (mount_propagation_from_name(name, &l->rootfs_propagation) < 0) {
		mark = sj_enter_key(j, "rootfsPropagation");
		rc = sj_fail(j, "unknown propagation \"%s\"", name);
		sj_leave(j, mark);
	}
	free(name);
	return rc;
}

static int spec_parse_personality(struct sj *j, yajl_val lx, struct spec_linux *l)
{
	yajl_val v = sj_lookup(lx, "personality");
	strv_t flags = NULL;
	char *domain = NULL;
	size_t mark;
	int rc = -1;

	if (!v)
		return 0;
	mark = sj_enter_key(j, "personality");
	if (sj_as_object(j, v) < 0 || sj_req_str(j, v, "domain", &domain) < 0 ||
	    sj_strv(j, v, "flags", &flags) < 0)
		goto out;
	if (strcmp(domain, "LINUX") == 0) {
		l->personality.domain = PER_LINUX;
	} else if (strcmp(domain, "LINUX32") == 0) {
		l->personality.domain = PER_LINUX32;
	} else {
		sj_enter_key(j, "domain");
		sj_fail(j, "unknown personality domain \"%s\"", domain);
		goto out;
	}
	/* The runtime-spec defines no flag names yet, so none can be applied. */
	if (flags && flags[0]) {
		sj_enter_key(j, "flags");
		sj_fail(j, "unknown personality flag \"%s\"", flags[0]);
		goto out;
	}
	l->personality.set = true;
	sj_leave(j, mark);
	rc = 0;
out:
	free(domain);
	spec_free_strv(flags);
	return rc;
}

static int spec_parse_intel_rdt(struct sj *j, yajl_val lx, struct spec_linux *l)
{
	yajl_val v = sj_lookup(lx, "intelRdt");
	size_t mark;

	if (!v)
		return 0;
	mark = sj_enter_key(j, "intelRdt");
	if (sj_as_object(j, v) < 0 || sj_str(j, v, "closID", &l->intel_rdt.clos_id) < 0 ||
	    sj_str(j, v, "l3CacheSchema", &l->intel_rdt.l3_cache_schema) < 0 ||
	    sj_str(j, v, "memBwSchema", &l->intel_rdt.mem_bw_schema) < 0 ||
	    sj_bool(j, v, "enableCMT", &l->intel_rdt.enable_cmt) < 0 ||
	    sj_bool(j, v, "enableMBM", &l->intel_rdt.enable_mbm) < 0)
		return -1;
	l->intel_rdt.set = true;
	sj_leave(j, mark);
	return 0;
}

/* netDevices: {"eth0": {"name": "ens1"}}; no name keeps the host's name. */
static int spec_parse_net_devices(struct sj *j, yajl_val lx, struct spec_linux *l)
{
	yajl_val v = sj_lookup(lx, "netDevices");
	size_t mark, n;

	if (!v)
		return 0;
	mark = sj_enter_key(j, "netDevices");
	if (sj_as_object(j, v) < 0)
		return -1;
	n = v->u.object.len;
	l->net_devices = sj_calloc(j, n, sizeof(*l->net_devices));
	if (!l->net_devices)
		return -1;
	l->n_net_devices = n;
	for (size_t i = 0; i < n; i++) {
		struct spec_kv *kv = &l->net_devices[i];
		yajl_val dev = v->u.object.values[i];
		size_t dmark = sj_enter_member(j, v->u.object.keys[i]);

		kv->key = sj_strdup(j, v->u.object.keys[i]);
		if (!kv->key || sj_as_object(j, dev) < 0 || sj_str(j, dev, "name", &kv->value) < 0)
			return -1;
		if (!kv->value || !*kv->value) {
			free(kv->value);
			kv->value = sj_strdup(j, kv->key);
			if (!kv->value)
				return -1;
		}
		sj_leave(j, dmark);
	}
	sj_leave(j, mark);
	return 0;
}

static int spec_parse_resources_field(struct sj *j, yajl_val lx, struct spec_linux *l)
{
	yajl_val v = sj_lookup(lx, "resources");
	size_t mark;

	if (!v)
		return 0;
	mark = sj_enter_key(j, "resources");
	if (spec_parse_resources(j, v, &l->resources) < 0)
		return -1;
	l->has_resources = true;
	sj_leave(j, mark);
	return 0;
}

static int spec_parse_seccomp_field(struct sj *j, yajl_val lx, struct spec_linux *l)
{
	yajl_val v = sj_lookup(lx, "seccomp");
	size_t mark;

	if (!v)
		return 0;
	mark = sj_enter_key(j, "seccomp");
	if (spec_parse_seccomp(j, v, &l->seccomp) < 0)
		return -1;
	sj_leave(j, mark);
	return 0;
}

int spec_parse_linux(struct sj *j, yajl_val v, struct spec_linux *l)
{
	if (v && (sj_as_object(j, v) < 0 || spec_parse_namespaces(j, v, l) < 0 ||
		  spec_parse_id_mappings(j, v, "uidMappings", &l->uid_mappings, &l->n_uid_mappings) < 0 ||
		  spec_parse_id_mappings(j, v, "gidMappings", &l->gid_mappings, &l->n_gid_mappings) < 0 ||
		  spec_parse_time_offsets(j, v, l) < 0 || spec_parse_devices(j, v, l) < 0 ||
		  sj_str(j, v, "cgroupsPath", &l->cgroups_path) < 0 ||
		  spec_parse_resources_field(j, v, l) < 0 ||
		  spec_parse_rootfs_propagation(j, v, l) < 0 ||
		  spec_parse_seccomp_field(j, v, l) < 0 ||
		  sj_kv(j, v, "sysctl", &l->sysctl, &l->n_sysctl) < 0 ||
		  sj_strv(j, v, "maskedPaths", &l->masked_paths) < 0 ||
		  sj_strv(j, v, "readonlyPaths", &l->readonly_paths) < 0 ||
		  sj_str(j, v, "mountLabel", &l->mount_label) < 0 ||
		  spec_parse_intel_rdt(j, v, l) < 0 || spec_parse_personality(j, v, l) < 0 ||
		  spec_parse_net_devices(j, v, l) < 0))
		return -1;
	return spec_check_user_namespace(j, l);
}
