#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control.h"
#include "plan.h"
#include "process.h"
#include "signals.h"

/* The child reports a failed step as "<errno> <message>" on a CLOEXEC pipe:
 * EOF with nothing read means execve succeeded. */
pid_t workload_fork(const struct plan_view *plan, struct init_err *err)
{
	char report[INIT_ERR_MAX + 16];
	int ep[2];
	ssize_t n;
	pid_t pid;

	if (pipe2(ep, O_CLOEXEC) < 0)
		return init_err_set(err, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		init_err_set(err, errno, "fork");
		close(ep[0]);
		close(ep[1]);
		return -1;
	}
	if (pid == 0) {
		struct init_err child_err = { 0, "" };
		close(ep[0]);
		process_exec(plan, &child_err);
		n = (ssize_t)init_fmt(report, sizeof(report), "%d %s", child_err.errnum, child_err.msg);
		(void)init_write_all(ep[1], report, (size_t)n);
		_exit(process_exit_code(child_err.errnum));
	}
	close(ep[1]);
	n = init_read_all(ep[0], report, sizeof(report) - 1);
	close(ep[0]);
	if (n == 0)
		return pid;
	if (n < 0) {
		init_err_set(err, errno, "read the workload's start report");
	} else {
		char *p = report;
		report[n] = '\0';
		err->errnum = (int)strtol(report, &p, 10);
		init_fmt(err->msg, sizeof(err->msg), "%s", *p == ' ' ? p + 1 : p);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return -1;
}

int workload_exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/* Reaps every zombie (PID 1 inherits orphans). Returns 1 and sets *status
 * once the workload itself has been reaped. */
static int workload_reap(pid_t workload, int *status)
{
	int found = 0, st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == workload) {
			*status = st;
			found = 1;
		}
	}
	return found;
}

void workload_supervise(pid_t workload, int sfd, int control_fd)
{
	struct pollfd pfd[2] = { { sfd, POLLIN, 0 }, { control_fd, POLLIN, 0 } };
	int status = 0;

	for (;;) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			init_die("poll: %s", init_strerror(errno));
		if (pfd[0].revents & POLLIN) {
			int sig;
			while ((sig = signals_read(sfd)) > 0) {
				if (sig != SIGCHLD)
					(void)kill(workload, sig);
			}
			if (sig < 0)
				init_die("read signalfd: %s", init_strerror(errno));
			/* Reap on every wake-up: SIGCHLDs coalesce. */
			if (workload_reap(workload, &status))
				exit(workload_exit_status(status));
		}
		if (pfd[1].revents & (POLLIN | POLLERR | POLLHUP)) {
			const char *msg = NULL;
			size_t len = 0;
			int fatal;
			int conn = control_receive(control_fd, &msg, &len, &fatal);
			if (conn >= 0) {
				control_reply_other(conn, msg, len);
				close(conn);
			}
			if (fatal)
				pfd[1].fd = -1;
		}
	}
}
