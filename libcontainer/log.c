#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

static int log_fd = -1;
static bool log_json;
static bool log_debug_enabled;

int log_init(const char *path, bool json, bool debug)
{
	log_json = json;
	log_debug_enabled = debug;
	if (path && *path) {
		log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (log_fd < 0)
			return -1;
	}
	return 0;
}

static const char *level_name(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_DEBUG: return "debug";
	case LOG_LEVEL_INFO: return "info";
	case LOG_LEVEL_WARNING: return "warning";
	default: return "error";
	}
}

/* RFC 3339 with the local offset, as logrus writes "time". */
static void format_time(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S%z", &tm);
	/* strftime gives +0000; RFC 3339 wants +00:00 (or Z). */
	if (n >= 5 && n + 2 < len) {
		memmove(buf + n - 1, buf + n - 2, 3);
		buf[n - 2] = ':';
	}
}

static void write_json_line(enum log_level level, const char *msg)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *out;
	size_t out_len;
	char t[64];

	if (!g)
		return;
	format_time(t, sizeof(t));
	yajl_gen_map_open(g);
	yajl_gen_string(g, (const unsigned char *)"level", 5);
	yajl_gen_string(g, (const unsigned char *)level_name(level), strlen(level_name(level)));
	yajl_gen_string(g, (const unsigned char *)"msg", 3);
	yajl_gen_string(g, (const unsigned char *)msg, strlen(msg));
	yajl_gen_string(g, (const unsigned char *)"time", 4);
	yajl_gen_string(g, (const unsigned char *)t, strlen(t));
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &out, &out_len) == yajl_gen_status_ok) {
		char line[8192];
		size_t n = out_len < sizeof(line) - 1 ? out_len : sizeof(line) - 1;
		memcpy(line, out, n);
		line[n++] = '\n';
		/* One write per line so concurrent writers never interleave. */
		if (write(log_fd, line, n) < 0) {
			/* Nowhere left to report a failing log. */
		}
	}
	yajl_gen_free(g);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	if (level == LOG_LEVEL_DEBUG && !log_debug_enabled)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (log_fd >= 0) {
		if (log_json) {
			write_json_line(level, msg);
		} else {
			char t[64];
			format_time(t, sizeof(t));
			dprintf(log_fd, "time=\"%s\" level=%s msg=\"%s\"\n", t, level_name(level), msg);
		}
	}
	/* Errors and warnings always reach the user on stderr, as runc's
	 * fatal() does even when a log file is set. */
	if (level >= LOG_LEVEL_WARNING || log_fd < 0)
		dprintf(STDERR_FILENO, "berth: %s%s\n", level == LOG_LEVEL_WARNING ? "warning: " : "", msg);
}
