#include "storage_record.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "json_util.h"
#include "state.h"

#define MOUNTS_FILE "mounts.json"
#define MOUNTS_LOCK "mounts.lock"

static void free_one(struct attached_mount *a)
{
	free(a->destination);
	free(a->type);
	free(a->source);
	free(a->from);
	for (char **o = a->options; o && *o; o++)
		free(*o);
	free(a->options);
	memset(a, 0, sizeof(*a));
}

void attached_mounts_free(struct attached_mounts *m)
{
	for (size_t i = 0; i < m->n; i++)
		free_one(&m->v[i]);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

static char *dup_or_null(const char *s, bool *failed)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*failed = true;
	return d;
}

int attached_mounts_add(struct attached_mounts *m, const struct attached_mount *one, struct berth_err *err)
{
	struct attached_mount *grown = realloc(m->v, (m->n + 1) * sizeof(*m->v)), *a;
	size_t n_opts = 0;
	bool failed = false;

	if (!grown)
		return berth_err_set(err, ENOMEM, "mount record");
	m->v = grown;
	a = &m->v[m->n];
	memset(a, 0, sizeof(*a));
	a->destination = dup_or_null(one->destination, &failed);
	a->type = dup_or_null(one->type, &failed);
	a->source = dup_or_null(one->source, &failed);
	a->from = dup_or_null(one->from, &failed);
	while (one->options && one->options[n_opts])
		n_opts++;
	a->options = calloc(n_opts + 1, sizeof(char *));
	failed |= !a->options;
	for (size_t i = 0; a->options && i < n_opts; i++)
		a->options[i] = dup_or_null(one->options[i], &failed);
	if (failed) {
		free_one(a);
		return berth_err_set(err, ENOMEM, "mount record");
	}
	m->n++;
	return 0;
}

int attached_mounts_remove_last(struct attached_mounts *m, const char *destination)
{
	for (size_t i = m->n; i-- > 0;) {
		if (strcmp(m->v[i].destination, destination) != 0)
			continue;
		free_one(&m->v[i]);
		memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(*m->v));
		m->n--;
		return 0;
	}
	return -1;
}

void attached_mounts_gen(yajl_gen g, const struct attached_mounts *m)
{
	yajl_gen_array_open(g);
	for (size_t i = 0; i < m->n; i++) {
		const struct attached_mount *a = &m->v[i];
		yajl_gen_map_open(g);
		json_gen_kv_str(g, "destination", a->destination);
		json_gen_kv_str(g, "type", a->type);
		json_gen_kv_str(g, "source", a->source);
		if (a->from)
			json_gen_kv_str(g, "from", a->from);
		json_gen_str(g, "options");
		yajl_gen_array_open(g);
		for (char **o = a->options; o && *o; o++)
			json_gen_str(g, *o);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

int attached_mounts_save(const char *dir, const struct attached_mounts *m, struct berth_err *err)
{
	const unsigned char *buf;
	size_t len;
	yajl_gen g = yajl_gen_alloc(NULL);
	int rc;

	if (!g)
		return berth_err_set(err, ENOMEM, MOUNTS_FILE);
	attached_mounts_gen(g, m);
	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
		yajl_gen_free(g);
		return berth_err_set(err, EINVAL, MOUNTS_FILE);
	}
	rc = state_write_file(dir, MOUNTS_FILE, buf, len, 0600, err);
	yajl_gen_free(g);
	return rc;
}

/* One element of the file; a malformed one makes the file corrupt. */
static int load_one(yajl_val v, struct attached_mounts *out, struct berth_err *err)
{
	yajl_val opts = YAJL_IS_OBJECT(v) ? yajl_tree_get(v, (const char *[]){ "options", NULL }, yajl_t_array) : NULL;
	size_t n_opts = opts ? opts->u.array.len : 0, n = 0;
	struct attached_mount a = { 0 };
	int rc;

	if (!YAJL_IS_OBJECT(v))
		return berth_err_set(err, EINVAL, MOUNTS_FILE " is corrupt");
	a.destination = (char *)json_get_str(v, "destination");
	a.type = (char *)json_get_str(v, "type");
	a.source = (char *)json_get_str(v, "source");
	a.from = (char *)json_get_str(v, "from");
	if (!a.destination || !a.type || !a.source)
		return berth_err_set(err, EINVAL, MOUNTS_FILE " is corrupt");
	/* Borrowed strings: attached_mounts_add copies them. */
	a.options = calloc(n_opts + 1, sizeof(char *));
	if (!a.options)
		return berth_err_set(err, ENOMEM, MOUNTS_FILE);
	for (size_t i = 0; i < n_opts; i++)
		if (YAJL_IS_STRING(opts->u.array.values[i]))
			a.options[n++] = opts->u.array.values[i]->u.string;
	rc = attached_mounts_add(out, &a, err);
	free(a.options);
	return rc;
}

int attached_mounts_load(const char *dir, struct attached_mounts *out, struct berth_err *err)
{
	char path[PATH_MAX + 16], errbuf[128];
	char *text = NULL;
	size_t len;
	yajl_val tree;
	int rc = 0;

	out->v = NULL;
	out->n = 0;
	snprintf(path, sizeof(path), "%s/" MOUNTS_FILE, dir);
	if (json_read_file(path, &text, &len, err) < 0)
		return err->errnum == ENOENT ? 0 : -1;
	tree = yajl_tree_parse(text, errbuf, sizeof(errbuf));
	free(text);
	if (!tree || !YAJL_IS_ARRAY(tree)) {
		yajl_tree_free(tree);
		return berth_err_set(err, EINVAL, "%s is corrupt", path);
	}
	for (size_t i = 0; rc == 0 && i < tree->u.array.len; i++)
		rc = load_one(tree->u.array.values[i], out, err);
	yajl_tree_free(tree);
	if (rc < 0)
		attached_mounts_free(out);
	return rc;
}

int attached_mounts_lock(const char *dir, struct berth_err *err)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/" MOUNTS_LOCK, dir);
	return state_flock(open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600), path, err);
}
