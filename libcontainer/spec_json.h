/* Helpers for walking a yajl tree while tracking the JSON path, so every
 * conversion error names where it happened:
 * `process.user.uid: expected an unsigned integer, got string`.
 *
 * Conventions: a key that is absent or JSON null counts as "not given" (the
 * way runc's Go decoder treats null), and the output is left untouched. Every
 * function returns 0 or -1 with the error filled in. On error the path is
 * left where it failed; callers simply return -1 without leaving. */
#ifndef BERTH_SPEC_JSON_H
#define BERTH_SPEC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_tree.h>

#include "err.h"
#include "spec.h"

#define SJ_PATH_MAX 512

struct sj {
	struct berth_err *err;
	char path[SJ_PATH_MAX];     /* "linux.namespaces[2].type" */
	size_t len;
};

void sj_init(struct sj *j, struct berth_err *err);

/* Descending into the tree: each returns a mark to give back to sj_leave(). */
size_t sj_enter_key(struct sj *j, const char *key);      /* ".key" */
size_t sj_enter_index(struct sj *j, size_t index);       /* "[3]" */
size_t sj_enter_member(struct sj *j, const char *name);  /* "[\"name\"]" for map keys */
void sj_leave(struct sj *j, size_t mark);

/* Fails with "<path>: <message>" (just the message at the root). */
int sj_fail(struct sj *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "string", "number", "object", "array", "boolean" or "null". */
const char *sj_type_name(yajl_val v);

/* The value under key, or NULL when absent or null. obj may be NULL. */
yajl_val sj_lookup(yajl_val obj, const char *key);

/* Calloc that reports running out of memory at the current path. */
void *sj_calloc(struct sj *j, size_t n, size_t size);
char *sj_strdup(struct sj *j, const char *s);

/* Conversions of the value at the current path. */
int sj_as_object(struct sj *j, yajl_val v);
int sj_as_array(struct sj *j, yajl_val v, size_t *n);

/* obj[key], an optional array of structs: allocated whole and zeroed (so
 * spec_free can clean a half-filled one), then fn(j, value, elem, ctx) on
 * each element with the path at key[i]. *out and *n are set as soon as the
 * array exists, so they are there for spec_free even on failure. */
typedef int (*sj_elem_fn)(struct sj *j, yajl_val v, void *elem, void *ctx);
int sj_array(struct sj *j, yajl_val obj, const char *key, size_t elem_size, sj_elem_fn fn, void *ctx,
	     void **out, size_t *n);

/* Typed front end of sj_array: SJ_ARRAY(j, obj, "key", fn, ctx, arr, n). */
#define SJ_ARRAY(j, obj, key, fn, ctx, arr, n)                                                  \
	({                                                                                      \
		void *elems_ = NULL;                                                            \
		int rc_ = sj_array((j), (obj), (key), sizeof(*(arr)), (fn), (ctx), &elems_, &(n)); \
		(arr) = elems_;                                                                 \
		rc_;                                                                            \
	})
int sj_as_string(struct sj *j, yajl_val v, char **out);   /* strdup'ed */
int sj_as_bool(struct sj *j, yajl_val v, bool *out);
int sj_as_u64(struct sj *j, yajl_val v, uint64_t max, uint64_t *out);
int sj_as_i64(struct sj *j, yajl_val v, int64_t min, int64_t max, int64_t *out);
int sj_as_strv(struct sj *j, yajl_val v, strv_t *out);
/* A JSON object of strings as key/value pairs. */
int sj_as_kv(struct sj *j, yajl_val v, struct spec_kv **out, size_t *n);

/* Field conversions: look key up in obj, descend, convert, leave. Absent
 * keys leave *out untouched; the req_ variants fail with "<path>: missing". */
int sj_str(struct sj *j, yajl_val obj, const char *key, char **out);
int sj_req_str(struct sj *j, yajl_val obj, const char *key, char **out);
int sj_bool(struct sj *j, yajl_val obj, const char *key, bool *out);
int sj_opt_bool(struct sj *j, yajl_val obj, const char *key, struct opt_bool *out);
int sj_u32(struct sj *j, yajl_val obj, const char *key, uint32_t *out);
int sj_req_u32(struct sj *j, yajl_val obj, const char *key, uint32_t *out);
int sj_u64(struct sj *j, yajl_val obj, const char *key, uint64_t max, uint64_t *out);
int sj_opt_u64(struct sj *j, yajl_val obj, const char *key, uint64_t max, struct opt_u64 *out);
int sj_i64(struct sj *j, yajl_val obj, const char *key, int64_t min, int64_t max, int64_t *out);
int sj_opt_i64(struct sj *j, yajl_val obj, const char *key, int64_t min, int64_t max,
	       struct opt_i64 *out);
int sj_strv(struct sj *j, yajl_val obj, const char *key, strv_t *out);
int sj_kv(struct sj *j, yajl_val obj, const char *key, struct spec_kv **out, size_t *n);

/* Fails with `"<s>" is not an absolute path` unless s starts with '/'. */
int sj_check_absolute(struct sj *j, const char *s);

#endif
