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
