/* The container's terminal: a pty pair from the container's own devpts
 * instance; the master goes to the caller (--console-socket, or berth run's
 * proxy), the slave becomes the workload's stdio and /dev/console. */
#ifndef BERTH_CONSOLE_H
#define BERTH_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

#include "err.h"
#include "spec.h"

/* Stage 1, after rootfs_prepare: opens <rootfs>/dev/pts/ptmx (never leaving
 * the rootfs), applies consoleSize. name gets "/dev/pts/N". */
int console_open_pty(const char *rootfs, const struct spec_process *proc, int *master, int *slave,
		     char *name, size_t name_len, struct berth_err *err);

/* Stage 0: hands the master to the --console-socket listener the way runc
 * does (one message: payload = pty name, one SCM_RIGHTS fd). */
int console_send_to_socket(const char *socket_path, int master, const char *name, struct berth_err *err);

/* berth run without --console-socket proxies the pty itself: */
/* Puts stdin in raw mode if it is a terminal (and copies its size to
 * master); returns true if *saved must be restored with console_raw_leave. */
bool console_raw_enter(int master, struct termios *saved);
void console_raw_leave(const struct termios *saved);

/* Copies what is readable on from to to (one read). -1 on EOF/error. */
int console_pump(int from, int to);

/* The pty slave becomes fds 0, 1 and 2 (and is closed). */
int console_make_stdio(int slave, struct berth_err *err);

#endif
