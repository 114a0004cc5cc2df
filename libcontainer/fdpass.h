/* Passing file descriptors over unix sockets (SCM_RIGHTS): the console
 * master from stage 1 to stage 0 and on to --console-socket. */
#ifndef BERTH_FDPASS_H
#define BERTH_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* One sendmsg with payload (len > 0) and exactly one fd, as runc does. */
int fdpass_send(int sock, const void *payload, size_t len, int fd, struct berth_err *err);

/* Receives one message; *fd_out is the passed fd (O_CLOEXEC) or -1 if none.
 * Returns bytes of payload read (0 on EOF), -1 on error. */
ssize_t fdpass_recv(int sock, void *buf, size_t len, int *fd_out, struct berth_err *err);

/* Connects a SOCK_STREAM unix socket to path (long paths via /proc/self/fd). */
int unix_connect(const char *path, int type, struct berth_err *err);

/* runc's console/pidfd socket protocol: connect to the unix stream socket
 * at path, one sendmsg of payload (non-empty) with fd, no reply. */
int fdpass_send_to_path(const char *path, const char *payload, int fd, struct berth_err *err);

/* Binds and listens on a unix socket at path; returns the fd. */
int unix_listen(const char *path, int type, struct berth_err *err);

/* Before an execve: everything from fd 3 + preserve_fds up becomes
 * close-on-exec, except keep[0..n); the preserved fds and keep[] stay open
 * across it. */
int fds_prepare_exec(unsigned preserve_fds, const int *keep, size_t n, struct berth_err *err);

#endif
