/* Small yajl helpers for berth's own JSON (state, hooks' stdin, CLI
 * output). config.json has its own path-tracking parser (spec_json.h). */
#ifndef BERTH_JSON_UTIL_H
#define BERTH_JSON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "err.h"

void json_gen_str(yajl_gen g, const char *s);
void json_gen_kv_str(yajl_gen g, const char *key, const char *value); /* NULL value -> "" */
void json_gen_kv_int(yajl_gen g, const char *key, long long value);

/* A yajl generator that keeps its first failure, so a whole document is
 * written with plain calls and checked once, in jsonw_finish. */
struct jsonw {
	yajl_gen g;
	yajl_gen_status status;
};

/* indent: NULL for compact output, else beautified with this indent. */
int jsonw_init(struct jsonw *w, const char *indent, struct berth_err *err);
void jsonw_str(struct jsonw *w, const char *s);
void jsonw_int(struct jsonw *w, long long n);
void jsonw_bool(struct jsonw *w, bool b);
void jsonw_map_open(struct jsonw *w);
void jsonw_map_close(struct jsonw *w);
void jsonw_array_open(struct jsonw *w);
void jsonw_array_close(struct jsonw *w);
/* "key": [ strings... ] for a NULL-terminated list. */
void jsonw_strv(struct jsonw *w, const char *key, const char *const *v);
/* The document as a malloc'd string, or NULL with err naming what; frees
 * the generator either way. */
char *jsonw_finish(struct jsonw *w, const char *what, struct berth_err *err);

/* Reads a whole (small) file into a NUL-terminated malloc'd buffer. */
int json_read_file(const char *path, char **text, size_t *len, struct berth_err *err);

const char *json_get_str(yajl_val obj, const char *key);
char *json_dup_str(yajl_val obj, const char *key);
long long json_get_int(yajl_val obj, const char *key);

#endif
