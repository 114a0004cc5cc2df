#include "seccomp_supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "perf_proxy.h"

/* Nothing of the verb that forked it: fd 3 is the listener, 0-2 are
 * /dev/null (the verb's stdio may be the container's), every other fd is
 * closed (the state dir's lock above all), no signal is blocked. */
static int supervisor_detach(int listener)
{
	sigset_t none;
	int null;

	if (dup2(listener, 3) < 0 || syscall(SYS_close_range, 4, ~0U, 0) < 0)
		return -1;
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		return -1;
	if (null > 3)
		close(null);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0 || signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return -1;
	(void)prctl(PR_SET_NAME, "berth-supervise", 0, 0, 0);
	return chdir("/");
}

/* Until the filter has no process left (POLLHUP), or the listener fails. */
static _Noreturn void supervisor_run(int listener)
{
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	uint32_t native = seccomp_arch_native();

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		_exit(1);
	req = calloc(1, sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif : sizeof(*req));
	if (!req)
		_exit(1);
	for (;;) {
		struct pollfd pfd = { .fd = listener, .events = POLLIN };

		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if (!(pfd.revents & POLLIN))
			_exit(0); /* POLLHUP: every process of the filter is gone */
		memset(req, 0, sizes.seccomp_notif);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == ENOENT || errno == EINTR)
				continue; /* the caller went away first */
			_exit(1);
		}
		if (req->data.arch == native && req->data.nr == __NR_perf_event_open) {
			perf_proxy_answer(listener, req);
		} else {
			/* The filter notifies nothing else; a foreign
			 * architecture's call has other numbers and layouts. */
			struct seccomp_notif_resp resp = { .id = req->id, .error = -ENOSYS };
			(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
		}
	}
}

int seccomp_supervisor_spawn(int listener, struct berth_err *err)
{
	pid_t child = fork(), got;
	int status;

	if (child < 0)
		return berth_err_set(err, errno, "seccomp supervisor: fork");
	if (child == 0) {
		/* A session of its own, and a grandchild: no caller waits
		 * for it, and no terminal signal reaches it. Detached before
		 * the second fork, so its failure is this child's status. */
		pid_t daemon;
		if (setsid() < 0 || supervisor_detach(listener) < 0)
			_exit(1);
		daemon = fork();
		if (daemon != 0)
			_exit(daemon < 0);
		supervisor_run(3);
	}
	while ((got = waitpid(child, &status, 0)) < 0 && errno == EINTR)
		;
	if (got < 0)
		return berth_err_set(err, errno, "seccomp supervisor: wait");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return berth_err_set(err, 0, "seccomp supervisor: could not start");
	return 0;
}
