/* berth-init's small helpers: a tiny formatter (no stdio), full writes and
 * reads, and an error value like libcontainer's berth_err. */
#ifndef BERTH_INIT_UTIL_H
#define BERTH_INIT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#define INIT_ERR_MAX 1024

struct init_err {
	int errnum;                 /* 0 when there is no errno cause */
	char msg[INIT_ERR_MAX];     /* "what: strerror" */
};

/* Formats into buf (always NUL-terminated) and returns the length written.
 * Understands %s, %d, %u, %lu, %ld and %%; enough for berth-init. */
size_t init_vfmt(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
size_t init_fmt(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets err to fmt, plus ": <strerror(errnum)>" when errnum != 0. Returns -1. */
int init_err_set(struct init_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* strerror with a lower-case first letter, as Go and runc print it. */
const char *init_strerror(int errnum);

/* open(path, flags | O_CLOEXEC) in one syscall: musl's open() follows
 * every O_CLOEXEC open with an fcntl for kernels older than 2.6.23. */
int init_open(const char *path, int flags);

ssize_t init_write_all(int fd, const void *buf, size_t len);
ssize_t init_read_all(int fd, void *buf, size_t len); /* until len or EOF */

/* Writes "berth-init: <msg>\n" to stderr. */
void init_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* init_log, then exit(1). */
__attribute__((noreturn, format(printf, 1, 2))) void init_die(const char *fmt, ...);

#endif
