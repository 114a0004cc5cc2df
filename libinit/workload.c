#include "workload.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control.h"
#include "plan.h"
#include "process.h"
#include "signals.h"

/* The workload child shares berth-init's memory until its exec
 * (CLONE_VM | CLONE_VFORK, as posix_spawn does): no page tables to copy and
 * no copy-on-write faults on either side, where a fork of PID 1 cost about
 * 0.4 ms and a dozen faults. berth-init is stopped until the child has
 * exec'd or exited, so the child may run on a static stack and write
 * globals; a failed step is left in the context they share (no error
 * pipe), and the environment is built (and freed) by the parent. A child
 * killed before its exec looks like a success, as a fork's closed pipe
 * did: berth-init then reaps it as the workload. */
struct workload_spawn_ctx {
	const struct plan_view *plan;
	char **env;
	int listener_sock;
	struct init_err err;
	int failed;
};

/* Deep enough for process_exec_env (two PATH_MAX buffers and the error
 * formatter); only the pages the child touches are ever mapped. */
#define WORKLOAD_CHILD_STACK (64 * 1024)

static int workload_child(void *arg)
{
	struct workload_spawn_ctx *ctx = arg;

	process_exec_env(ctx->plan, ctx->env, ctx->listener_sock, &ctx->err);
	ctx->failed = 1;
	_exit(process_exit_code(ctx->err.errnum));
}

pid_t workload_spawn(const struct plan_view *plan, int listener_sock, struct init_err *err)
{
	static char stack[WORKLOAD_CHILD_STACK] __attribute__((aligned(16)));
	struct workload_spawn_ctx ctx = { plan, process_env(plan), listener_sock, { 0, "" }, 0 };
	pid_t pid;

	pid = clone(workload_child, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, &ctx);
	process_env_free(plan, ctx.env);
	if (pid < 0)
		return init_err_set(err, errno, "clone the workload");
	if (!ctx.failed)
		return pid;
	*err = ctx.err;
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
