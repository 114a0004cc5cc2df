#include "ns_helper.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sync.h"

static void helper_child(int sock, ns_helper_fn fn, void *arg)
{
	struct berth_err err = { 0 };
	int fd = -1, rc;

	/* A helper left alone inside a container would pin its namespaces. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(1);
	rc = fn(arg, &fd, &err);
	if (rc < 0)
		rc = sync_send(sock, SYNC_ERROR, err.errnum, err.msg, -1, &err);
	else
		rc = sync_send(sock, SYNC_MOUNT_FD, 0, "", fd, &err);
	_exit(rc < 0 ? 1 : 0);
}

int ns_helper_call(ns_helper_fn fn, void *arg, int *fd_out, struct berth_err *err)
{
	static struct sync_msg msg;
	int pair[2], fd = -1, status, rc;
	pid_t pid;

	if (fd_out)
		*fd_out = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		return berth_err_set(err, errno, "helper: socketpair");
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(pair[0]);
		close(pair[1]);
		return berth_err_set(err, e, "helper: fork");
	}
	if (pid == 0) {
		close(pair[0]);
		helper_child(pair[1], fn, arg);
	}
	close(pair[1]);
	rc = sync_recv(pair[0], &msg, &fd, err);
	close(pair[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc < 0)
		return berth_err_wrap(err, "helper");
	if (rc == 0)
		return berth_err_set(err, EPROTO, "helper exited (status %d) without an answer", status);
	if (msg.type == SYNC_ERROR) {
		if (fd >= 0)
			close(fd);
		berth_err_msg(err, msg.errnum, "%s", msg.text);
		return -1;
	}
	if (fd_out)
		*fd_out = fd;
	else if (fd >= 0)
		close(fd);
	return 0;
}

int ns_helper_join(int pidfd, int flags, struct berth_err *err)
{
	if (!flags)
		return 0;
	if (setns(pidfd, flags) < 0)
		return berth_err_set(err, errno, "join the container's namespaces");
	if ((flags & CLONE_NEWUSER) && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return berth_err_set(err, errno, "become root in the container's user namespace");
	return 0;
}
