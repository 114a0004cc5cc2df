/* Messages for the user and for engines: errors and warnings go to stderr
 * as one line ("berth: ...") and, with --log FILE, to that file as text or
 * as runc-style JSON lines {"level":...,"msg":...,"time":...} that
 * containerd's shim decodes to show the last error to its users. With
 * --log-format json and no --log, stderr gets the JSON lines instead, as
 * runc writes them. */
#ifndef BERTH_LOG_H
#define BERTH_LOG_H

#include <stdbool.h>

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARNING, LOG_LEVEL_ERROR };

/* path NULL: no log file. json: --log-format json. Returns -1 (and sets
 * errno) if the log file cannot be opened. */
int log_init(const char *path, bool json, bool debug);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
