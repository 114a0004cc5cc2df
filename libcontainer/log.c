#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
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

/* RFC 3339 with the local offset, as logrus writes "time": Go prints a zero
 * offset as "Z" and any other as +hh:mm. */
static void format_time(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	if (tm.tm_gmtoff == 0) {
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
		return;
	}
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S%z", &tm);
	/* strftime gives +0100; RFC 3339 wants +01:00. */
	if (n >= 5 && n + 2 < len) {
		memmove(buf + n - 1, buf + n - 2, 3);
		buf[n - 2] = ':';
	}
}

/* msg as logrus' text formatter quotes it (Go's %q for the usual cases), so
 * a message with quotes or newlines stays one parseable key=value line. */
static void quote_text(const char *msg, char *out, size_t len)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)msg; *p && n + 5 < len; p++) {
		switch (*p) {
		case '"': out[n++] = '\\'; out[n++] = '"'; break;
		case '\\': out[n++] = '\\'; out[n++] = '\\'; break;
		case '\n': out[n++] = '\\'; out[n++] = 'n'; break;
		case '\t': out[n++] = '\\'; out[n++] = 't'; break;
		case '\r': out[n++] = '\\'; out[n++] = 'r'; break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				n += (size_t)snprintf(out + n, len - n, "\\x%02x", *p);
			else
				out[n++] = (char)*p;
		}
	}
	out[n] = '\0';
}

static void write_json_line(int fd, enum log_level level, const char *msg)
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
		/* One call per line, whole (a cut line would not parse), so
		 * concurrent writers to an O_APPEND file never interleave. */
		struct iovec iov[2] = { { (void *)out, out_len }, { "\n", 1 } };
		if (writev(fd, iov, 2) < 0) {
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

	/* Without --log, runc's logrus writes to stderr in the chosen format:
	 * a JSON line is what a caller asking for json parses. */
	if (log_fd < 0 && log_json) {
		write_json_line(STDERR_FILENO, level, msg);
		return;
	}
	if (log_fd >= 0) {
		if (log_json) {
			write_json_line(log_fd, level, msg);
		} else {
			char t[64], quoted[sizeof(msg) * 2];
			format_time(t, sizeof(t));
			quote_text(msg, quoted, sizeof(quoted));
			dprintf(log_fd, "time=\"%s\" level=%s msg=\"%s\"\n", t, level_name(level), quoted);
		}
	}
	/* Errors and warnings always reach the user on stderr, as runc's
	 * fatal() does even when a log file is set. */
	if (level >= LOG_LEVEL_WARNING || log_fd < 0)
		dprintf(STDERR_FILENO, "berth: %s%s\n", level == LOG_LEVEL_WARNING ? "warning: " : "", msg);
}
