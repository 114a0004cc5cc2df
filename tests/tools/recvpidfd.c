/*
 * recvpidfd: the receiving end of --pidfd-socket, for the integration tests.
 *
 *   recvpidfd SOCKET
 *
 * Listens on the unix stream socket SOCKET (bound under a temporary name and
 * renamed once it listens, so a test can poll for it), accepts one
 * connection and receives one message that must carry exactly one fd in one
 * SCM_RIGHTS message. Prints "PAYLOAD PID" where PID is the process the
 * pidfd refers to (from /proc/self/fdinfo), then waits on the pidfd until
 * that process exits and prints "exited".
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen_renamed.h"

static int fail(const char *what)
{
	perror(what);
	return 1;
}

/* The "Pid:" line of the fd's fdinfo: what a pidfd refers to. */
static long pidfd_pid(int fd)
{
	char path[64], line[256];
	long pid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %ld", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

int main(int argc, char **argv)
{
	char payload[4096] = "";
	char cbuf[CMSG_SPACE(sizeof(int) * 2)];
	struct iovec iov = { payload, sizeof(payload) - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	struct pollfd pfd;
	int lfd, conn, fd;
	ssize_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: recvpidfd SOCKET\n");
		return 2;
	}
	lfd = listen_renamed(argv[1], 1);
	if (lfd < 0)
		return fail("listen");
	conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return fail("accept");
	n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return fail("recvmsg (or an empty payload)");
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)) || CMSG_NXTHDR(&msg, c)) {
		fprintf(stderr, "recvpidfd: want exactly one fd in one SCM_RIGHTS message\n");
		return 1;
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	payload[n] = '\0';
	printf("%s %ld\n", payload, pidfd_pid(fd));
	fflush(stdout);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(&pfd, 1, -1) < 0)
		return fail("poll");
	printf("exited\n");
	return 0;
}
