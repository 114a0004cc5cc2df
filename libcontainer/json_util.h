/* Small yajl helpers for berth's own JSON (state, hooks' stdin, CLI
 * output). config.json has its own path-tracking parser (spec_json.h). */
#ifndef BERTH_JSON_UTIL_H
#define BERTH_JSON_UTIL_H

#include <stddef.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "err.h"

void json_gen_str(yajl_gen g, const char *s);
void json_gen_kv_str(yajl_gen g, const char *key, const char *value); /* NULL value -> "" */
void json_gen_kv_int(yajl_gen g, const char *key, long long value);

/* Reads a whole (small) file into a NUL-terminated malloc'd buffer. */
int json_read_file(const char *path, char **text, size_t *len, struct berth_err *err);

const char *json_get_str(yajl_val obj, const char *key);
char *json_dup_str(yajl_val obj, const char *key);
long long json_get_int(yajl_val obj, const char *key);

#endif
