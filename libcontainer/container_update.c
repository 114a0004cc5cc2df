/* berth update: change the resources of a created, running or paused
 * container, the way `runc update` does.
 *
 * What update may change is runc's set: memory limit, reservation, swap,
 * kernelTCP (kernel is ignored, as runc ignores it), the cpu scalars and
 * cpus/mems, blockIO.weight, pids.limit and unified; other members of a
 * --resources object are ignored, as with runc.
 *
 * Persistence: <state dir>/resources.json holds everything updates have
 * changed so far, as a linux.resources object (the fields above only).
 * The effective resources are config.json's linux.resources (the copy in
 * the state dir) with resources.json laid over it; container_load_resources
 * gives them to state/events. config.json itself stays as created. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "cgroup.h"
#include "container.h"
#include "container_internal.h"
#include "json_util.h"
#include "spec_parse_internal.h"

#define RESOURCES_FILE "resources.json"

struct spec_resources *berth_resources_parse(const char *json, size_t len, struct berth_err *err)
{
	struct spec_resources *r = calloc(1, sizeof(*r));
	char errbuf[256] = "";
	char *text = strndup(json, len);
	yajl_val root;
	struct sj j;

	if (!r || !text) {
		free(r);
		free(text);
		berth_err_set(err, ENOMEM, "resources");
		return NULL;
	}
	root = yajl_tree_parse(text, errbuf, sizeof(errbuf));
	free(text);
	if (!root) {
		errbuf[strcspn(errbuf, "\n")] = '\0';
		berth_err_msg(err, EINVAL, "invalid JSON: %s", errbuf);
		free(r);
		return NULL;
	}
	sj_init(&j, err);
	if (spec_parse_resources(&j, root, r) < 0) {
		yajl_tree_free(root);
		berth_resources_free(r);
		return NULL;
	}
	yajl_tree_free(root);
	return r;
}

void berth_resources_free(struct spec_resources *r)
{
	if (!r)
		return;
	spec_free_resources(r);
	free(r);
}

static int overlay_unified(struct spec_resources *dst, const struct spec_resources *src, struct berth_err *err)
{
	for (size_t i = 0; i < src->n_unified; i++) {
		size_t k = 0;
		if (!src->unified[i].key || !src->unified[i].value)
			continue; /* the parser never leaves one NULL */
		while (k < dst->n_unified &&
		       !(dst->unified[k].key && src->unified[i].key && strcmp(dst->unified[k].key, src->unified[i].key) == 0))
			k++;
		if (k == dst->n_unified) {
			struct spec_kv *grown = realloc(dst->unified, (dst->n_unified + 1) * sizeof(*grown));
			if (!grown)
				return berth_err_set(err, ENOMEM, "resources");
			dst->unified = grown;
			grown[k] = (struct spec_kv){ NULL, NULL };
			dst->n_unified++;
			if (spec_replace_str(&grown[k].key, src->unified[i].key, "resources", err) < 0)
				return -1;
		}
		if (spec_replace_str(&dst->unified[k].value, src->unified[i].value, "resources", err) < 0)
			return -1;
	}
	return 0;
}

/* dst gets every field of src that update handles and src gives. */
static int overlay_resources(struct spec_resources *dst, const struct spec_resources *src, struct berth_err *err)
{
#define TAKE(field)                         \
	do {                                \
		if (src->field.set)         \
			dst->field = src->field; \
	} while (0)
	TAKE(memory.limit);
	TAKE(memory.reservation);
	TAKE(memory.swap);
	TAKE(memory.kernel_tcp);
	TAKE(cpu.shares);
	TAKE(cpu.quota);
	TAKE(cpu.burst);
	TAKE(cpu.period);
	TAKE(cpu.realtime_runtime);
	TAKE(cpu.realtime_period);
	TAKE(cpu.idle);
	TAKE(block_io.weight);
	TAKE(pids.limit);
#undef TAKE
	if (src->cpu.cpus && spec_replace_str(&dst->cpu.cpus, src->cpu.cpus, "resources", err) < 0)
		return -1;
	if (src->cpu.mems && spec_replace_str(&dst->cpu.mems, src->cpu.mems, "resources", err) < 0)
		return -1;
	return overlay_unified(dst, src, err);
}

static void gen_i64(yajl_gen g, const char *key, struct opt_i64 v)
{
	if (v.set)
		json_gen_kv_int(g, key, (long long)v.v);
}

static void gen_u64(yajl_gen g, const char *key, struct opt_u64 v)
{
	if (!v.set)
		return;
	json_gen_str(g, key);
	yajl_gen_integer(g, (long long)v.v);
}

/* The fields update handles, as a linux.resources object. */
static void gen_resources(yajl_gen g, const struct spec_resources *r)
{
	yajl_gen_map_open(g);
	json_gen_str(g, "memory");
	yajl_gen_map_open(g);
	gen_i64(g, "limit", r->memory.limit);
	gen_i64(g, "reservation", r->memory.reservation);
	gen_i64(g, "swap", r->memory.swap);
	gen_i64(g, "kernelTCP", r->memory.kernel_tcp);
	yajl_gen_map_close(g);
	json_gen_str(g, "cpu");
	yajl_gen_map_open(g);
	gen_u64(g, "shares", r->cpu.shares);
	gen_i64(g, "quota", r->cpu.quota);
	gen_u64(g, "burst", r->cpu.burst);
	gen_u64(g, "period", r->cpu.period);
	gen_i64(g, "realtimeRuntime", r->cpu.realtime_runtime);
	gen_u64(g, "realtimePeriod", r->cpu.realtime_period);
	gen_i64(g, "idle", r->cpu.idle);
	if (r->cpu.cpus)
		json_gen_kv_str(g, "cpus", r->cpu.cpus);
	if (r->cpu.mems)
		json_gen_kv_str(g, "mems", r->cpu.mems);
	yajl_gen_map_close(g);
	json_gen_str(g, "blockIO");
	yajl_gen_map_open(g);
	gen_u64(g, "weight", r->block_io.weight);
	yajl_gen_map_close(g);
	json_gen_str(g, "pids");
	yajl_gen_map_open(g);
	gen_i64(g, "limit", r->pids.limit);
	yajl_gen_map_close(g);
	json_gen_str(g, "unified");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < r->n_unified; i++)
		json_gen_kv_str(g, r->unified[i].key, r->unified[i].value);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static int save_overlay(const char *dir, const struct spec_resources *r, struct berth_err *err)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	int rc;

	if (!g)
		return berth_err_set(err, ENOMEM, "resources");
	gen_resources(g, r);
	yajl_gen_get_buf(g, &buf, &len);
	rc = state_write_file(dir, RESOURCES_FILE, buf, len, 0600, err);
	yajl_gen_free(g);
	return rc;
}

/* resources.json, or an empty set when no update has run yet. */
static struct spec_resources *load_overlay(const char *dir, struct berth_err *err)
{
	char path[PATH_MAX + 32];
	struct spec_resources *r;
	char *text;
	size_t len;

	snprintf(path, sizeof(path), "%s/" RESOURCES_FILE, dir);
	if (access(path, F_OK) < 0) {
		r = calloc(1, sizeof(*r));
		if (!r)
			berth_err_set(err, ENOMEM, "resources");
		return r;
	}
	if (json_read_file(path, &text, &len, err) < 0)
		return NULL;
	r = berth_resources_parse(text, len, err);
	free(text);
	if (!r)
		berth_err_wrap(err, "%s", path);
	return r;
}

struct spec *container_load_resources(const char *dir, struct berth_err *err)
{
	struct spec_resources *overlay;
	struct spec *spec = container_load_saved_spec(dir, err);

	if (!spec)
		return NULL;
	overlay = load_overlay(dir, err);
	if (!overlay || overlay_resources(&spec->linux_.resources, overlay, err) < 0) {
		berth_resources_free(overlay);
		spec_free(spec);
		return NULL;
	}
	berth_resources_free(overlay);
	return spec;
}

/* Writes the change to the cgroup, then records it. */
static int update_locked(const char *dir, const struct container_state *st, const struct spec_resources *r,
			 struct berth_err *err)
{
	struct spec_resources change = { 0 }, *overlay = NULL;
	struct cgroup_manager *m = NULL;
	struct spec *effective = NULL;
	int rc = -1;

	if (overlay_resources(&change, r, err) < 0)
		goto out;
	effective = container_load_resources(dir, err);
	overlay = effective ? load_overlay(dir, err) : NULL;
	if (!overlay)
		goto out;
	/* v2 swap is memory+swap minus memory: it needs the limit in force. */
	if (change.memory.swap.set && !change.memory.limit.set)
		change.memory.limit = effective->linux_.resources.memory.limit;
	m = cgroup_manager_open(st->cgroup_path, err);
	if (!m || m->ops->apply(m, &change, err) < 0)
		goto out;
	if (overlay_resources(overlay, r, err) < 0 || save_overlay(dir, overlay, err) < 0)
		goto out;
	rc = 0;
out:
	cgroup_manager_free(m);
	spec_free_resources(&change);
	berth_resources_free(overlay);
	spec_free(effective);
	return rc;
}

int berth_container_update(const struct berth_ctx *ctx, const char *id, const struct spec_resources *r,
			   struct berth_err *err)
{
	struct container_state st;
	char dir[PATH_MAX];
	int lock_fd, rc = -1;

	if (state_load(ctx->root, id, &st, err) < 0)
		return -1;
	if (state_dir_path(ctx->root, id, dir, sizeof(dir), err) < 0)
		goto out;
	lock_fd = state_lock(dir, err);
	if (lock_fd < 0)
		goto out;
	if (st.status == STATUS_STOPPED)
		berth_err_msg(err, 0, "container not running");
	else if (!st.cgroup_path)
		berth_err_msg(err, ENOENT, "container has no cgroup");
	else
		rc = update_locked(dir, &st, r, err);
	close(lock_fd);
out:
	state_free(&st);
	return rc;
}
