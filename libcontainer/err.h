/* Errors as values: every fallible function fills a struct berth_err and
 * returns -1 (or NULL); callers add context on the way up so the user reads
 * one line: `create "web": cgroup: write memory.max: invalid argument`. */
#ifndef BERTH_ERR_H
#define BERTH_ERR_H

#include <stddef.h>

#define BERTH_ERR_MSG_MAX 2048

struct berth_err {
	int errnum;                  /* errno of the root cause, 0 if none */
	char msg[BERTH_ERR_MSG_MAX]; /* "context: context: cause: strerror" */
};

/* Sets the error to fmt (and ": <strerror(errnum)>" when errnum != 0).
 * Always returns -1 so callers can `return berth_err_set(...)`. */
int berth_err_set(struct berth_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like berth_err_set, for errors whose message says it all: errnum is
 * kept for callers that test it, but not appended to the text. */
int berth_err_msg(struct berth_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes the current message with fmt and ": ". Returns -1. */
int berth_err_wrap(struct berth_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* strerror() in Go/runc's style: lower-case first letter. */
const char *berth_strerror(int errnum);

void berth_err_clear(struct berth_err *err);

#endif
