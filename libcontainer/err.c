#include "err.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *berth_strerror(int errnum)
{
	static __thread char buf[128];
	const char *s = strerror_r(errnum, buf, sizeof(buf));
	if (s != buf) {
		snprintf(buf, sizeof(buf), "%s", s);
	}
	buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

int berth_err_set(struct berth_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err)
		return -1;
	err->errnum = errnum;
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (errnum && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": %s", berth_strerror(errnum));
	return -1;
}

int berth_err_msg(struct berth_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->errnum = errnum;
	return -1;
}

int berth_err_wrap(struct berth_err *err, const char *fmt, ...)
{
	char prefix[512];
	size_t plen, olen;
	va_list ap;
	int n;

	if (!err)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(prefix, sizeof(prefix) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	plen = strlen(prefix);
	memcpy(prefix + plen, ": ", 3);
	plen += 2;
	/* Shift the message right to make room, truncating its tail. */
	olen = strnlen(err->msg, sizeof(err->msg) - 1);
	if (plen + olen > sizeof(err->msg) - 1)
		olen = sizeof(err->msg) - 1 - plen;
	memmove(err->msg + plen, err->msg, olen);
	memcpy(err->msg, prefix, plen);
	err->msg[plen + olen] = '\0';
	return -1;
}

void berth_err_clear(struct berth_err *err)
{
	err->errnum = 0;
	err->msg[0] = '\0';
}
