#include "fdpass.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/close_range.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "scm_rights.h"

int fdpass_send(int sock, const void *payload, size_t len, int fd, struct berth_err *err)
{
	union scm_rights_buf control;
	struct iovec iov = { .iov_base = (void *)payload, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0)
		scm_rights_attach(&msg, &control, fd);
	for (;;) {
		ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
		if (n >= 0)
			return 0;
		if (errno != EINTR)
			return berth_err_set(err, errno, "sendmsg");
	}
}

ssize_t fdpass_recv(int sock, void *buf, size_t len, int *fd_out, struct berth_err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = control.buf, .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *cmsg;
	ssize_t n;

	*fd_out = -1;
	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return berth_err_set(err, errno, "recvmsg");
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
			size_t nfds = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int fds[4];
			memcpy(fds, CMSG_DATA(cmsg), nfds * sizeof(int));
			for (size_t i = 0; i < nfds; i++) {
				if (*fd_out < 0)
					*fd_out = fds[i];
				else
					close(fds[i]); /* only one fd is ever expected */
			}
		}
	}
	return n;
}

/* sun_path holds 108 bytes; longer paths go through the parent dir's fd. */
static int unix_addr(const char *path, struct sockaddr_un *addr, int *dirfd, struct berth_err *err)
{
	char dir[PATH_MAX], base[PATH_MAX];

	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	*dirfd = -1;
	if (strlen(path) < sizeof(addr->sun_path)) {
		memcpy(addr->sun_path, path, strlen(path) + 1);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	snprintf(base, sizeof(base), "%s", path);
	*dirfd = open(dirname(dir), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0)
		return berth_err_set(err, errno, "open directory of socket \"%s\"", path);
	if (snprintf(addr->sun_path, sizeof(addr->sun_path), "/proc/self/fd/%d/%s", *dirfd,
		     basename(base)) >= (int)sizeof(addr->sun_path)) {
		close(*dirfd);
		*dirfd = -1;
		return berth_err_set(err, ENAMETOOLONG, "socket path \"%s\"", path);
	}
	return 0;
}

/* A socket of type connected to, or bound and listening on, path. */
static int unix_socket(const char *path, int type, bool listening, struct berth_err *err)
{
	struct sockaddr_un addr;
	int dirfd, fd, rc;

	if (unix_addr(path, &addr, &dirfd, err) < 0)
		return -1;
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		berth_err_set(err, errno, "socket");
		goto out;
	}
	if (listening) {
		rc = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
		if (rc == 0)
			rc = listen(fd, 16);
	} else {
		do {
			rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
		} while (rc < 0 && errno == EINTR);
	}
	if (rc < 0) {
		berth_err_set(err, errno, "%s \"%s\"", listening ? "listen on" : "connect to", path);
		close(fd);
		fd = -1;
	}
out:
	if (dirfd >= 0)
		close(dirfd);
	return fd;
}

int unix_connect(const char *path, int type, struct berth_err *err)
{
	return unix_socket(path, type, false, err);
}

int unix_listen(const char *path, int type, struct berth_err *err)
{
	return unix_socket(path, type, true, err);
}

int fdpass_send_to_path(const char *path, const char *payload, int fd, struct berth_err *err)
{
	int sock = unix_connect(path, SOCK_STREAM, err);
	int rc;

	if (sock < 0)
		return -1;
	rc = fdpass_send(sock, payload, strlen(payload), fd, err);
	close(sock);
	if (rc < 0)
		return berth_err_wrap(err, "send to \"%s\"", path);
	return 0;
}

int fds_prepare_exec(unsigned preserve_fds, const int *keep, size_t n, struct berth_err *err)
{
	if (syscall(SYS_close_range, 3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return berth_err_set(err, errno, "close_range");
	for (unsigned i = 0; i < preserve_fds; i++)
		if (fcntl(3 + (int)i, F_SETFD, 0) < 0)
			return berth_err_set(err, errno, "preserve fd %u", 3 + i);
	for (size_t i = 0; i < n; i++)
		if (keep[i] >= 0 && fcntl(keep[i], F_SETFD, 0) < 0)
			return berth_err_set(err, errno, "pass fd %d on", keep[i]);
	return 0;
}
