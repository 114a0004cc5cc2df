/* Each hook is forked with a pipe on stdin that berth-init feeds with the
 * state JSON while it waits (non-blocking, so a hook that never reads its
 * stdin cannot wedge PID 1), under the hook's timeout. */
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kapi.h"
#include "signals.h"

/* Poll tick when the kernel has no pidfd_open (before 5.3). */
#define HOOK_TICK_MS 10

static int64_t hooks_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

__attribute__((noreturn)) static void hooks_child(const struct plan_hook_view *h, int in_fd, int err_fd)
{
	int errnum;

	signals_reset();
	if (dup2(in_fd, 0) < 0) {
		errnum = errno;
		goto fail;
	}
	/* The hook sees stdio only, not the workload's preserved fds. */
	(void)syscall(SYS_close_range, 3u, ~0u, KAPI_CLOSE_RANGE_CLOEXEC);
	(void)fcntl(err_fd, F_SETFD, FD_CLOEXEC);
	execve(h->path, h->argv, h->envp);
	errnum = errno;
fail:
	(void)init_write_all(err_fd, &errnum, sizeof(errnum));
	_exit(127);
}

/* Feeds stdin and waits for the hook, killing it at the deadline.
 * Returns 0 with *status set, or -1 on timeout. */
static int hooks_wait(pid_t pid, int in_w, const char *state, size_t len, int32_t timeout,
		      int *status)
{
	int64_t deadline = timeout > 0 ? hooks_now_ms() + (int64_t)timeout * 1000 : -1;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	size_t done = 0;

	for (;;) {
		struct pollfd pfd[2] = { { pidfd, POLLIN, 0 }, { in_w, POLLOUT, 0 } };
		int wait_ms = pidfd >= 0 ? -1 : HOOK_TICK_MS;
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			break;
		if (deadline >= 0) {
			int64_t left = deadline - hooks_now_ms();
			if (left <= 0) {
				kill(pid, SIGKILL);
				while (waitpid(pid, status, 0) < 0 && errno == EINTR)
					;
				if (pidfd >= 0)
					close(pidfd);
				if (in_w >= 0)
					close(in_w);
				return -1;
			}
			if (wait_ms < 0 || left < wait_ms)
				wait_ms = (int)left;
		}
		(void)poll(pfd, 2, wait_ms);
		if (in_w >= 0 && (pfd[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t n = len > done ? write(in_w, state + done, len - done) : 0;
			if (n > 0)
				done += (size_t)n;
			if (n < 0 && errno == EPIPE)
				signals_discard_sigpipe();
			if (done == len || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				close(in_w);
				in_w = -1;
			}
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	if (in_w >= 0)
		close(in_w);
	return 0;
}

static int hooks_run_one(const struct plan_hook_view *h, const char *state, size_t len,
			 struct init_err *err)
{
	int in[2], ep[2], status = 0, exec_errno = 0;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0)
		return init_err_set(err, errno, "startContainer hook \"%s\": pipe", h->path);
	if (pipe2(ep, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return init_err_set(err, errno, "startContainer hook \"%s\": pipe", h->path);
	}
	pid = fork();
	if (pid == 0)
		hooks_child(h, in[0], ep[1]);
	close(in[0]);
	close(ep[1]);
	if (pid < 0) {
		close(in[1]);
		close(ep[0]);
		return init_err_set(err, errno, "startContainer hook \"%s\": fork", h->path);
	}
	(void)fcntl(in[1], F_SETFL, O_NONBLOCK);
	if (hooks_wait(pid, in[1], state, len, h->timeout, &status) < 0) {
		close(ep[0]);
		err->errnum = ETIMEDOUT;
		init_fmt(err->msg, sizeof(err->msg), "startContainer hook \"%s\": timed out after %ds",
			 h->path, (int)h->timeout);
		return -1;
	}
	if (init_read_all(ep[0], &exec_errno, sizeof(exec_errno)) != (ssize_t)sizeof(exec_errno))
		exec_errno = 0;
	close(ep[0]);
	if (exec_errno)
		return init_err_set(err, exec_errno, "startContainer hook \"%s\": exec", h->path);
	err->errnum = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		init_fmt(err->msg, sizeof(err->msg), "startContainer hook \"%s\": exited with status %d",
			 h->path, WEXITSTATUS(status));
		return -1;
	}
	if (WIFSIGNALED(status)) {
		init_fmt(err->msg, sizeof(err->msg), "startContainer hook \"%s\": killed by signal %d",
			 h->path, WTERMSIG(status));
		return -1;
	}
	return 0;
}

int hooks_run_start(const struct plan_view *plan, const char *state, size_t state_len,
		    struct init_err *err)
{
	for (uint32_t i = 0; i < plan->n_hooks; i++) {
		if (hooks_run_one(&plan->hooks[i], state, state_len, err) < 0)
			return -1;
	}
	return 0;
}
