/* JSON path tracking and typed conversions over a yajl tree (see spec_json.h). */
#include "spec_json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sj_init(struct sj *j, struct berth_err *err)
{
	j->err = err;
	j->path[0] = '\0';
	j->len = 0;
}

/* Appends to the path; a path too long for the buffer is cut, which only
 * shortens an error message. */
static void sj_append(struct sj *j, const char *s)
{
	size_t room = sizeof(j->path) - 1 - j->len;
	size_t n = strlen(s);

	if (n > room)
		n = room;
	memcpy(j->path + j->len, s, n);
	j->len += n;
	j->path[j->len] = '\0';
}

size_t sj_enter_key(struct sj *j, const char *key)
{
	size_t mark = j->len;

	if (j->len)
		sj_append(j, ".");
	sj_append(j, key);
	return mark;
}

size_t sj_enter_index(struct sj *j, size_t index)
{
	size_t mark = j->len;
	char buf[32];

	snprintf(buf, sizeof(buf), "[%zu]", index);
	sj_append(j, buf);
	return mark;
}

size_t sj_enter_member(struct sj *j, const char *name)
{
	size_t mark = j->len;

	sj_append(j, "[\"");
	sj_append(j, name);
	sj_append(j, "\"]");
	return mark;
}

void sj_leave(struct sj *j, size_t mark)
{
	j->len = mark;
	j->path[mark] = '\0';
}

int sj_fail(struct sj *j, const char *fmt, ...)
{
	char msg[BERTH_ERR_MSG_MAX - SJ_PATH_MAX - 8];
	va_list ap;

	va_start(ap, fmt);
	/* clang-analyzer misreads va_start when it inlines a variadic call
	 * made from this same file. */
	vsnprintf(msg, sizeof(msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	if (j->len)
		berth_err_set(j->err, 0, "%s: %s", j->path, msg);
	else
		berth_err_set(j->err, 0, "%s", msg);
	return -1;
}

const char *sj_type_name(yajl_val v)
{
	if (!v)
		return "nothing";
	switch (v->type) {
	case yajl_t_string: return "string";
	case yajl_t_number: return "number";
	case yajl_t_object: return "object";
	case yajl_t_array: return "array";
	case yajl_t_true:
	case yajl_t_false: return "boolean";
	case yajl_t_null: return "null";
	default: return "unknown";
	}
}

yajl_val sj_lookup(yajl_val obj, const char *key)
{
	if (!YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++) {
		if (strcmp(obj->u.object.keys[i], key) == 0) {
			yajl_val v = obj->u.object.values[i];
			return YAJL_IS_NULL(v) ? NULL : v;
		}
	}
	return NULL;
}

void *sj_calloc(struct sj *j, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		berth_err_set(j->err, ENOMEM, "%s", j->len ? j->path : "config");
	return p;
}

char *sj_strdup(struct sj *j, const char *s)
{
	char *p = strdup(s);
	if (!p)
		berth_err_set(j->err, ENOMEM, "%s", j->len ? j->path : "config");
	return p;
}

int sj_as_object(struct sj *j, yajl_val v)
{
	if (!YAJL_IS_OBJECT(v))
		return sj_fail(j, "expected an object, got %s", sj_type_name(v));
	return 0;
}

int sj_as_array(struct sj *j, yajl_val v, size_t *n)
{
	if (!YAJL_IS_ARRAY(v))
		return sj_fail(j, "expected an array, got %s", sj_type_name(v));
	*n = v->u.array.len;
	return 0;
}

int sj_as_string(struct sj *j, yajl_val v, char **out)
{
	char *s;

	if (!YAJL_IS_STRING(v))
		return sj_fail(j, "expected a string, got %s", sj_type_name(v));
	s = sj_strdup(j, v->u.string);
	if (!s)
		return -1;
	free(*out);
	*out = s;
	return 0;
}

int sj_as_bool(struct sj *j, yajl_val v, bool *out)
{
	if (YAJL_IS_TRUE(v))
		*out = true;
	else if (YAJL_IS_FALSE(v))
		*out = false;
	else
		return sj_fail(j, "expected a boolean, got %s", sj_type_name(v));
	return 0;
}

/* JSON integers are digits with an optional leading '-': anything with a
 * fraction or exponent is not an integer even if its value is whole. */
static bool sj_is_integer_text(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int sj_as_u64(struct sj *j, yajl_val v, uint64_t max, uint64_t *out)
{
	const char *text;
	unsigned long long n;
	char *end;

	if (!YAJL_IS_NUMBER(v))
		return sj_fail(j, "expected an unsigned integer, got %s", sj_type_name(v));
	/* yajl's own integer stops at INT64_MAX; its text keeps the full value. */
	text = YAJL_GET_NUMBER(v);
	if (!sj_is_integer_text(text) || text[0] == '-')
		return sj_fail(j, "expected an unsigned integer, got %s", text);
	errno = 0;
	n = strtoull(text, &end, 10);
	if (errno == ERANGE || *end || n > max)
		return sj_fail(j, "%s is out of range (max %" PRIu64 ")", text, max);
	*out = (uint64_t)n;
	return 0;
}

int sj_as_i64(struct sj *j, yajl_val v, int64_t min, int64_t max, int64_t *out)
{
	const char *text;
	long long n;
	char *end;

	if (!YAJL_IS_NUMBER(v))
		return sj_fail(j, "expected an integer, got %s", sj_type_name(v));
	text = YAJL_GET_NUMBER(v);
	if (!sj_is_integer_text(text))
		return sj_fail(j, "expected an integer, got %s", text);
	errno = 0;
	n = strtoll(text, &end, 10);
	if (errno == ERANGE || *end || n < min || n > max)
		return sj_fail(j, "%s is out of range (%" PRId64 " to %" PRId64 ")", text, min, max);
	*out = (int64_t)n;
	return 0;
}

int sj_as_strv(struct sj *j, yajl_val v, strv_t *out)
{
	size_t n = 0;
	char **vec;

	if (sj_as_array(j, v, &n) < 0)
		return -1;
	vec = sj_calloc(j, n + 1, sizeof(*vec));
	if (!vec)
		return -1;
	/* Hand the vector over first so a failure part-way is freed by spec_free. */
	if (*out) {
		for (char **p = *out; *p; p++)
			free(*p);
		free(*out);
	}
	*out = vec;
	for (size_t i = 0; i < n; i++) {
		size_t mark = sj_enter_index(j, i);
		if (sj_as_string(j, v->u.array.values[i], &vec[i]) < 0)
			return -1;
		sj_leave(j, mark);
	}
	return 0;
}

int sj_as_kv(struct sj *j, yajl_val v, struct spec_kv **out, size_t *n)
{
	struct spec_kv *kv;
	size_t len;

	if (sj_as_object(j, v) < 0)
		return -1;
	len = v->u.object.len;
	kv = sj_calloc(j, len, sizeof(*kv));
	if (!kv)
		return -1;
	*out = kv;
	*n = len;
	for (size_t i = 0; i < len; i++) {
		const char *key = v->u.object.keys[i];
		size_t mark = sj_enter_member(j, key);
		kv[i].key = sj_strdup(j, key);
		if (!kv[i].key || sj_as_string(j, v->u.object.values[i], &kv[i].value) < 0)
			return -1;
		sj_leave(j, mark);
	}
	return 0;
}

/* Field variants: one pattern, look up / enter / convert / leave. */
#define SJ_FIELD(call)                                  \
	do {                                            \
		size_t mark_;                           \
		if (!v)                                 \
			return 0;                       \
		mark_ = sj_enter_key(j, key);           \
		if ((call) < 0)                         \
			return -1;                      \
		sj_leave(j, mark_);                     \
		return 0;                               \
	} while (0)

static int sj_missing(struct sj *j, const char *key)
{
	sj_enter_key(j, key);
	return sj_fail(j, "missing");
}

int sj_str(struct sj *j, yajl_val obj, const char *key, char **out)
{
	yajl_val v = sj_lookup(obj, key);
	SJ_FIELD(sj_as_string(j, v, out));
}

int sj_req_str(struct sj *j, yajl_val obj, const char *key, char **out)
{
	if (!sj_lookup(obj, key))
		return sj_missing(j, key);
	return sj_str(j, obj, key, out);
}

int sj_bool(struct sj *j, yajl_val obj, const char *key, bool *out)
{
	yajl_val v = sj_lookup(obj, key);
	SJ_FIELD(sj_as_bool(j, v, out));
}

int sj_opt_bool(struct sj *j, yajl_val obj, const char *key, struct opt_bool *out)
{
	yajl_val v = sj_lookup(obj, key);
	out->set = v != NULL;
	SJ_FIELD(sj_as_bool(j, v, &out->v));
}

int sj_u32(struct sj *j, yajl_val obj, const char *key, uint32_t *out)
{
	uint64_t n = 0;
	if (sj_u64(j, obj, key, UINT32_MAX, &n) < 0)
		return -1;
	if (sj_lookup(obj, key))
		*out = (uint32_t)n;
	return 0;
}

int sj_req_u32(struct sj *j, yajl_val obj, const char *key, uint32_t *out)
{
	if (!sj_lookup(obj, key))
		return sj_missing(j, key);
	return sj_u32(j, obj, key, out);
}

int sj_u64(struct sj *j, yajl_val obj, const char *key, uint64_t max, uint64_t *out)
{
	yajl_val v = sj_lookup(obj, key);
	SJ_FIELD(sj_as_u64(j, v, max, out));
}

int sj_opt_u64(struct sj *j, yajl_val obj, const char *key, uint64_t max, struct opt_u64 *out)
{
	yajl_val v = sj_lookup(obj, key);
	out->set = v != NULL;
	SJ_FIELD(sj_as_u64(j, v, max, &out->v));
}

int sj_i64(struct sj *j, yajl_val obj, const char *key, int64_t min, int64_t max, int64_t *out)
{
	yajl_val v = sj_lookup(obj, key);
	SJ_FIELD(sj_as_i64(j, v, min, max, out));
}

int sj_opt_i64(struct sj *j, yajl_val obj, const char *key, int64_t min, int64_t max,
	       struct opt_i64 *out)
{
	yajl_val v = sj_lookup(obj, key);
	out->set = v != NULL;
	SJ_FIELD(sj_as_i64(j, v, min, max, &out->v));
}

int sj_strv(struct sj *j, yajl_val obj, const char *key, strv_t *out)
{
	yajl_val v = sj_lookup(obj, key);
	SJ_FIELD(sj_as_strv(j, v, out));
}

int sj_kv(struct sj *j, yajl_val obj, const char *key, struct spec_kv **out, size_t *n)
{
	yajl_val v = sj_lookup(obj, key);
	SJ_FIELD(sj_as_kv(j, v, out, n));
}

int sj_check_absolute(struct sj *j, const char *s)
{
	if (!s || s[0] != '/')
		return sj_fail(j, "\"%s\" is not an absolute path", s ? s : "");
	return 0;
}

int sj_array(struct sj *j, yajl_val obj, const char *key, size_t elem_size, sj_elem_fn fn, void *ctx,
	     void **out, size_t *n_out)
{
	yajl_val v = sj_lookup(obj, key);
	size_t mark, n = 0;
	char *elems;

	if (!v)
		return 0;
	mark = sj_enter_key(j, key);
	if (sj_as_array(j, v, &n) < 0)
		return -1;
	elems = sj_calloc(j, n, elem_size);
	if (!elems)
		return -1;
	*out = elems;
	*n_out = n;
	for (size_t i = 0; i < n; i++) {
		size_t imark = sj_enter_index(j, i);
		if (fn(j, v->u.array.values[i], elems + i * elem_size, ctx) < 0)
			return -1;
		sj_leave(j, imark);
	}
	sj_leave(j, mark);
	return 0;
}
