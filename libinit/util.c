/* A tiny formatter instead of printf: berth-init stays small and never
 * touches stdio buffers (it forks, and buffered output would be doubled). */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t init_put(char *buf, size_t size, size_t pos, const char *s, size_t n)
{
	for (size_t i = 0; i < n && pos + 1 < size; i++)
		buf[pos++] = s[i];
	return pos;
}

static size_t init_put_num(char *buf, size_t size, size_t pos, unsigned long v, int negative)
{
	char digits[24];
	size_t n = sizeof(digits);

	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (negative)
		digits[--n] = '-';
	return init_put(buf, size, pos, digits + n, sizeof(digits) - n);
}

size_t init_vfmt(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t pos = 0;

	if (size == 0)
		return 0;
	for (const char *f = fmt; *f; f++) {
		int is_long = 0;
		if (*f != '%') {
			pos = init_put(buf, size, pos, f, 1);
			continue;
		}
		f++;
		if (*f == 'l') {
			is_long = 1;
			f++;
		}
		switch (*f) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			pos = init_put(buf, size, pos, s, strlen(s));
			break;
		}
		case 'd': {
			long v = is_long ? va_arg(ap, long) : va_arg(ap, int);
			unsigned long mag = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
			pos = init_put_num(buf, size, pos, mag, v < 0);
			break;
		}
		case 'u': {
			unsigned long v = is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			pos = init_put_num(buf, size, pos, v, 0);
			break;
		}
		case '%':
			pos = init_put(buf, size, pos, "%", 1);
			break;
		case '\0':
			f--;
			break;
		default:
			pos = init_put(buf, size, pos, "?", 1);
			break;
		}
	}
	buf[pos] = '\0';
	return pos;
}

size_t init_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = init_vfmt(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

const char *init_strerror(int errnum)
{
	static char buf[96];
	const char *s = strerror(errnum);

	init_fmt(buf, sizeof(buf), "%s", s);
	if (buf[0] >= 'A' && buf[0] <= 'Z')
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

int init_err_set(struct init_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	err->errnum = errnum;
	va_start(ap, fmt);
	n = init_vfmt(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (errnum)
		init_fmt(err->msg + n, sizeof(err->msg) - n, ": %s", init_strerror(errnum));
	return -1;
}

int init_open(const char *path, int flags)
{
	return openat(AT_FDCWD, path, flags | O_CLOEXEC);
}

ssize_t init_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t init_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, p + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static void init_vlog(const char *fmt, va_list ap)
{
	char line[INIT_ERR_MAX + 32];
	size_t n = init_fmt(line, sizeof(line), "berth-init: ");

	n += init_vfmt(line + n, sizeof(line) - n - 1, fmt, ap);
	line[n++] = '\n';
	(void)init_write_all(2, line, n);
}

void init_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	init_vlog(fmt, ap);
	va_end(ap);
}

void init_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	init_vlog(fmt, ap);
	va_end(ap);
	exit(1);
}
