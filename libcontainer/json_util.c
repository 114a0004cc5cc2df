#include "json_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JSON_FILE_MAX (16u << 20)

void json_gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void json_gen_kv_str(yajl_gen g, const char *key, const char *value)
{
	json_gen_str(g, key);
	json_gen_str(g, value ? value : "");
}

void json_gen_kv_int(yajl_gen g, const char *key, long long value)
{
	json_gen_str(g, key);
	yajl_gen_integer(g, value);
}

int jsonw_init(struct jsonw *w, const char *indent, struct berth_err *err)
{
	w->status = yajl_gen_status_ok;
	w->g = yajl_gen_alloc(NULL);
	if (!w->g)
		return berth_err_set(err, ENOMEM, "JSON generator");
	if (indent) {
		yajl_gen_config(w->g, yajl_gen_beautify, 1);
		yajl_gen_config(w->g, yajl_gen_indent_string, indent);
	}
	return 0;
}

static void jsonw_check(struct jsonw *w, yajl_gen_status st)
{
	if (w->status == yajl_gen_status_ok)
		w->status = st;
}

void jsonw_str(struct jsonw *w, const char *s)
{
	jsonw_check(w, yajl_gen_string(w->g, (const unsigned char *)s, strlen(s)));
}

void jsonw_int(struct jsonw *w, long long n)
{
	jsonw_check(w, yajl_gen_integer(w->g, n));
}

void jsonw_bool(struct jsonw *w, bool b)
{
	jsonw_check(w, yajl_gen_bool(w->g, b));
}

void jsonw_map_open(struct jsonw *w)
{
	jsonw_check(w, yajl_gen_map_open(w->g));
}

void jsonw_map_close(struct jsonw *w)
{
	jsonw_check(w, yajl_gen_map_close(w->g));
}

void jsonw_array_open(struct jsonw *w)
{
	jsonw_check(w, yajl_gen_array_open(w->g));
}

void jsonw_array_close(struct jsonw *w)
{
	jsonw_check(w, yajl_gen_array_close(w->g));
}

void jsonw_strv(struct jsonw *w, const char *key, const char *const *v)
{
	jsonw_str(w, key);
	jsonw_array_open(w);
	for (; *v; v++)
		jsonw_str(w, *v);
	jsonw_array_close(w);
}

char *jsonw_finish(struct jsonw *w, const char *what, struct berth_err *err)
{
	const unsigned char *buf;
	char *out = NULL;
	size_t len;

	if (w->status != yajl_gen_status_ok)
		berth_err_set(err, 0, "%s: generating JSON failed (yajl status %d)", what, (int)w->status);
	else if (yajl_gen_get_buf(w->g, &buf, &len) != yajl_gen_status_ok)
		berth_err_set(err, 0, "%s: yajl_gen_get_buf failed", what);
	else if (!(out = strndup((const char *)buf, len)))
		berth_err_set(err, ENOMEM, "%s", what);
	yajl_gen_free(w->g);
	w->g = NULL;
	return out;
}

int json_read_file(const char *path, char **text, size_t *len, struct berth_err *err)
{
	struct stat sb;
	char *buf;
	size_t got = 0;
	int fd;

	*text = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_err_set(err, errno, "open \"%s\"", path);
	if (fstat(fd, &sb) < 0) {
		int e = errno;
		close(fd);
		return berth_err_set(err, e, "stat \"%s\"", path);
	}
	if (!S_ISREG(sb.st_mode) || (size_t)sb.st_size > JSON_FILE_MAX) {
		close(fd);
		if (!S_ISREG(sb.st_mode))
			return berth_err_set(err, EINVAL, "\"%s\" is not a regular file", path);
		return berth_err_set(err, EFBIG, "read \"%s\"", path);
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		close(fd);
		return berth_err_set(err, ENOMEM, "read \"%s\"", path);
	}
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return berth_err_set(err, e, "read \"%s\"", path);
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*text = buf;
	if (len)
		*len = got;
	return 0;
}

static yajl_val get(yajl_val obj, const char *key, yajl_type t)
{
	const char *path[] = { key, NULL };
	return yajl_tree_get(obj, path, t);
}

const char *json_get_str(yajl_val obj, const char *key)
{
	yajl_val v = get(obj, key, yajl_t_string);
	return v ? v->u.string : NULL;
}

char *json_dup_str(yajl_val obj, const char *key)
{
	const char *s = json_get_str(obj, key);
	return s ? strdup(s) : NULL;
}

long long json_get_int(yajl_val obj, const char *key)
{
	yajl_val v = get(obj, key, yajl_t_number);
	return v && YAJL_IS_INTEGER(v) ? v->u.number.i : 0;
}
