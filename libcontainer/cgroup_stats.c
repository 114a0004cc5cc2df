/* Helpers shared by the v1 and v2 stats readers, and the OOM watch. */
#include "cgroup_stats.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cgroup_stats_free(struct cgroup_stats *s)
{
	free(s->percpu.v);
	free(s->percpu_kernel.v);
	free(s->percpu_user.v);
	for (size_t i = 0; i < s->n_memory_raw; i++)
		free(s->memory_raw[i].name);
	free(s->memory_raw);
	for (int k = 0; k < BLKIO_KINDS; k++)
		free(s->blkio[k].e);
	memset(s, 0, sizeof(*s));
}

static FILE *open_stat_file(const char *dir, const char *file, struct berth_err *err, bool *missing)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	*missing = !f && (errno == ENOENT || errno == ENOTDIR);
	if (!f && !*missing)
		berth_err_set(err, errno, "open %s", path);
	return f;
}

int cgroup_stats_read_u64(const char *dir, const char *file, uint64_t *out, struct berth_err *err)
{
	char word[64];
	bool missing;
	FILE *f = open_stat_file(dir, file, err, &missing);

	*out = 0;
	if (!f)
		return missing ? 0 : -1;
	/* v2 writes "max" for no limit: runc reports it as the largest value. */
	if (fscanf(f, "%63s", word) == 1)
		*out = strcmp(word, "max") == 0 ? UINT64_MAX : strtoull(word, NULL, 10);
	fclose(f);
	return 0;
}

static int compare_named(const void *a, const void *b)
{
	return strcmp(((const struct cgroup_named_u64 *)a)->name, ((const struct cgroup_named_u64 *)b)->name);
}

int cgroup_stats_read_keyed(const char *dir, const char *file, struct cgroup_named_u64 **out, size_t *n,
			    struct berth_err *err)
{
	char key[128];
	uint64_t value;
	size_t cap = 0;
	bool missing;
	FILE *f = open_stat_file(dir, file, err, &missing);

	*out = NULL;
	*n = 0;
	if (!f)
		return missing ? 0 : -1;
	while (fscanf(f, "%127s %" SCNu64, key, &value) == 2) {
		if (*n == cap) {
			struct cgroup_named_u64 *grown;
			cap = cap ? cap * 2 : 64;
			grown = realloc(*out, cap * sizeof(**out));
			if (!grown)
				goto nomem;
			*out = grown;
		}
		(*out)[*n].name = strdup(key);
		if (!(*out)[*n].name)
			goto nomem;
		(*out)[(*n)++].value = value;
	}
	fclose(f);
	/* runc's raw is a Go map, which encoding/json prints sorted. */
	if (*n)
		qsort(*out, *n, sizeof(**out), compare_named);
	return 0;
nomem:
	fclose(f);
	for (size_t i = 0; i < *n; i++)
		free((*out)[i].name);
	free(*out);
	*out = NULL;
	*n = 0;
	return berth_err_set(err, ENOMEM, "read %s", file);
}

int cgroup_stats_keyed_value(const char *dir, const char *file, const char *key, uint64_t *out,
			     struct berth_err *err)
{
	char k[128];
	uint64_t value;
	bool missing;
	FILE *f = open_stat_file(dir, file, err, &missing);

	*out = 0;
	if (!f)
		return missing ? 0 : -1;
	while (fscanf(f, "%127s %" SCNu64, k, &value) == 2)
		if (strcmp(k, key) == 0) {
			*out = value;
			break;
		}
	fclose(f);
	return 0;
}

uint64_t cgroup_stats_raw(const struct cgroup_stats *s, const char *name)
{
	for (size_t i = 0; i < s->n_memory_raw; i++)
		if (strcmp(s->memory_raw[i].name, name) == 0)
			return s->memory_raw[i].value;
	return 0;
}

int cgroup_stats_u64_push(struct cgroup_u64_list *l, uint64_t v, struct berth_err *err)
{
	uint64_t *grown = realloc(l->v, (l->n + 1) * sizeof(*l->v));

	if (!grown)
		return berth_err_set(err, ENOMEM, "cgroup stats");
	l->v = grown;
	l->v[l->n++] = v;
	return 0;
}

int cgroup_stats_blkio_push(struct cgroup_blkio_list *l, const struct cgroup_blkio_entry *e, struct berth_err *err)
{
	struct cgroup_blkio_entry *grown = realloc(l->e, (l->n + 1) * sizeof(*l->e));

	if (!grown)
		return berth_err_set(err, ENOMEM, "cgroup stats");
	l->e = grown;
	l->e[l->n++] = *e;
	return 0;
}

void cgroup_oom_watch_close(struct cgroup_oom_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (w->aux_fd >= 0)
		close(w->aux_fd);
	w->fd = w->aux_fd = -1;
}
