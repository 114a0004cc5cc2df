/*
 * seccomp_agent: a seccomp notify agent (listenerPath) for the integration
 * tests.
 *
 *   seccomp_agent SOCKET STATE_LOG ANSWER
 *
 * Listens on the unix stream socket SOCKET (bound under a temporary name
 * and renamed once it listens, so a test can poll for it). Every
 * connection must carry one message with exactly one fd (SCM_RIGHTS): the
 * container process state, appended to STATE_LOG as one line, and the
 * seccomp listener. Each notification on any listener is printed on stdout
 * as "<syscall nr> <pid>" and answered with ANSWER: "errno:N" (the call
 * fails with N) or "continue" (the kernel runs it). Runs until killed.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen_renamed.h"

#define MAX_LISTENERS 16

/* One connection: the state (appended to log) and the listener fd. */
static int receive_listener(int conn, const char *log)
{
	static char buf[1 << 16];
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *cmsg;
	int fd = -1, nfds = 0;
	ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	FILE *f;

	if (n <= 0) {
		fprintf(stderr, "seccomp_agent: recvmsg: %s\n", n < 0 ? strerror(errno) : "no message");
		return -1;
	}
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		nfds += (int)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	}
	if (nfds != 1) {
		fprintf(stderr, "seccomp_agent: %d fds in the message, want 1\n", nfds);
		return -1;
	}
	buf[n] = '\0';
	f = fopen(log, "ae");
	if (!f || fprintf(f, "%s\n", buf) < 0 || fclose(f) != 0) {
		perror(log);
		return -1;
	}
	return fd;
}

static int answer(int listener, const char *how)
{
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	int rc = 0;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return -1;
	req = calloc(1, sizes.seccomp_notif);
	resp = calloc(1, sizes.seccomp_notif_resp);
	if (!req || !resp)
		return -1;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
		/* ENOENT: the process went away before we read it. */
		rc = errno == ENOENT || errno == EINTR ? 0 : -1;
		goto out;
	}
	printf("%d %u\n", req->data.nr, req->pid);
	fflush(stdout);
	resp->id = req->id;
	if (strcmp(how, "continue") == 0)
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else
		resp->error = -atoi(how + strlen("errno:"));
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
		rc = -1;
out:
	free(req);
	free(resp);
	return rc;
}

int main(int argc, char **argv)
{
	struct pollfd pfd[1 + MAX_LISTENERS];
	int n = 1;

	if (argc != 4 || (strcmp(argv[3], "continue") != 0 && strncmp(argv[3], "errno:", 6) != 0)) {
		fprintf(stderr, "usage: seccomp_agent SOCKET STATE_LOG errno:N|continue\n");
		return 2;
	}
	pfd[0].fd = listen_renamed(argv[1], 8);
	pfd[0].events = POLLIN;
	if (pfd[0].fd < 0) {
		perror(argv[1]);
		return 1;
	}
	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return 1;
		}
		for (int i = 1; i < n; i++) {
			if (pfd[i].revents & POLLIN) {
				if (answer(pfd[i].fd, argv[3]) < 0)
					perror("seccomp notification");
			} else if (pfd[i].revents & (POLLHUP | POLLERR)) {
				close(pfd[i].fd); /* its processes are gone */
				pfd[i--] = pfd[--n];
			}
		}
		if (pfd[0].revents & POLLIN) {
			int conn = accept4(pfd[0].fd, NULL, NULL, SOCK_CLOEXEC), fd;
			if (conn < 0)
				continue;
			fd = receive_listener(conn, argv[2]);
			close(conn);
			if (fd >= 0 && n < 1 + MAX_LISTENERS) {
				pfd[n].fd = fd;
				pfd[n].events = POLLIN;
				pfd[n++].revents = 0;
			} else if (fd >= 0) {
				close(fd);
			}
		}
	}
}
