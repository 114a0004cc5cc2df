#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define HOOK_OUTPUT_MAX 2048

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static _Noreturn void hook_child(const struct spec_hook *hook, int in_fd, int out_fd)
{
	static char *const empty_env[] = { NULL };
	char *default_argv[] = { hook->path, NULL };
	sigset_t all;

	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
	    dup2(out_fd, STDERR_FILENO) < 0)
		_exit(127);
	execve(hook->path, hook->args ? hook->args : default_argv, hook->env ? hook->env : empty_env);
	dprintf(STDERR_FILENO, "exec: %s", strerror(errno));
	_exit(127);
}

/* The poll loop of hook_wait(), bounded by the hook's timeout. */
static int hook_wait_loop(pid_t pid, int pidfd, int *in_fd, int out_fd, const char *input,
			  long long deadline, char *output, int *status)
{
	size_t in_len = strlen(input), in_off = 0, out_len = 0;
	bool out_open = true;

	for (;;) {
		struct pollfd fds[3];
		int nfds = 0, timeout = -1, rc;

		fds[nfds++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		if (out_open)
			fds[nfds++] = (struct pollfd){ .fd = out_fd, .events = POLLIN };
		if (*in_fd >= 0)
			fds[nfds++] = (struct pollfd){ .fd = *in_fd, .events = POLLOUT };
		if (deadline > 0) {
			long long left = deadline - now_ms();
			if (left <= 0)
				return -ETIMEDOUT;
			timeout = (int)left;
		}
		rc = poll(fds, (nfds_t)nfds, timeout);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -errno;
		if (rc == 0)
			return -ETIMEDOUT;
		for (int i = 1; i < nfds; i++) {
			if (!fds[i].revents)
				continue;
			if (fds[i].fd == out_fd) {
				char buf[512];
				ssize_t n = read(out_fd, buf, sizeof(buf));
				if (n <= 0) {
					out_open = false;
					continue;
				}
				for (ssize_t j = 0; j < n && out_len < HOOK_OUTPUT_MAX - 1; j++)
					output[out_len++] = buf[j];
				output[out_len] = '\0';
			} else {
				ssize_t n = write(*in_fd, input + in_off, in_len - in_off);
				if (n > 0)
					in_off += (size_t)n;
				if (n < 0 || in_off == in_len) {
					close(*in_fd); /* EOF: the hook may read to the end */
					*in_fd = -1;
				}
			}
		}
		if (fds[0].revents && !out_open) {
			if (*in_fd >= 0)
				close(*in_fd);
			*in_fd = -1;
			if (waitpid(pid, status, 0) < 0)
				return -errno;
			return 0;
		}
		if (fds[0].revents && out_open) {
			/* Exited; drain what is already buffered without blocking. */
			int fl = fcntl(out_fd, F_GETFL);
			if (fl < 0 || fcntl(out_fd, F_SETFL, fl | O_NONBLOCK) < 0)
				out_open = false;
		}
	}
}

/* Feeds stdin, collects output and waits; always closes in_fd. */
static int hook_wait(pid_t pid, int pidfd, int in_fd, int out_fd, const char *input, long long deadline,
		     char *output, int *status)
{
	int rc = hook_wait_loop(pid, pidfd, &in_fd, out_fd, input, deadline, output, status);

	if (in_fd >= 0)
		close(in_fd);
	return rc;
}

static void trim_output(char *s)
{
	size_t n = strlen(s);
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
}

static int run_one(const struct spec_hook *hook, const char *what, size_t index, const char *state_json,
		   struct berth_err *err)
{
	int in_pipe[2] = { -1, -1 }, out_pipe[2] = { -1, -1 };
	char output[HOOK_OUTPUT_MAX] = "";
	long long deadline = 0;
	int pidfd = -1, status = 0, rc;
	pid_t pid;

	if (pipe2(in_pipe, O_CLOEXEC) < 0 || pipe2(out_pipe, O_CLOEXEC) < 0) {
		rc = berth_err_set(err, errno, "%s hook #%zu \"%s\": pipe", what, index, hook->path);
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		rc = berth_err_set(err, errno, "%s hook #%zu \"%s\": fork", what, index, hook->path);
		goto out;
	}
	if (pid == 0)
		hook_child(hook, in_pipe[0], out_pipe[1]);
	close(in_pipe[0]);
	close(out_pipe[1]);
	in_pipe[0] = out_pipe[1] = -1;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		rc = berth_err_set(err, errno, "%s hook #%zu \"%s\": pidfd_open", what, index, hook->path);
		goto out;
	}
	if (hook->timeout.set && hook->timeout.v > 0)
		deadline = now_ms() + hook->timeout.v * 1000;
	rc = hook_wait(pid, pidfd, in_pipe[1], out_pipe[0], state_json, deadline, output, &status);
	in_pipe[1] = -1; /* closed by hook_wait */
	trim_output(output);
	if (rc == -ETIMEDOUT) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		rc = berth_err_set(err, 0, "%s hook #%zu \"%s\": timed out after %llds", what, index, hook->path,
				   (long long)hook->timeout.v);
	} else if (rc < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		rc = berth_err_set(err, -rc, "%s hook #%zu \"%s\"", what, index, hook->path);
	} else if (WIFSIGNALED(status)) {
		rc = berth_err_set(err, 0, "%s hook #%zu \"%s\": killed by signal %d%s%s", what, index, hook->path,
				   WTERMSIG(status), *output ? ": " : "", output);
	} else if (WEXITSTATUS(status) != 0) {
		rc = berth_err_set(err, 0, "%s hook #%zu \"%s\": exit status %d%s%s", what, index, hook->path,
				   WEXITSTATUS(status), *output ? ": " : "", output);
	}
out:
	for (int i = 0; i < 2; i++) {
		if (in_pipe[i] >= 0)
			close(in_pipe[i]);
		if (out_pipe[i] >= 0)
			close(out_pipe[i]);
	}
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}

int hooks_run(const struct spec *spec, enum spec_hook_kind kind, const char *state_json,
	      struct berth_err *err)
{
	const struct spec_hook_list *list = &spec->hooks[kind];

	for (size_t i = 0; i < list->n; i++)
		if (run_one(&list->hooks[i], spec_hook_kind_name(kind), i, state_json, err) < 0)
			return -1;
	return 0;
}

void hooks_run_warn(const struct spec *spec, enum spec_hook_kind kind, const char *state_json)
{
	const struct spec_hook_list *list = &spec->hooks[kind];
	struct berth_err err;

	for (size_t i = 0; i < list->n; i++)
		if (run_one(&list->hooks[i], spec_hook_kind_name(kind), i, state_json, &err) < 0)
			log_warn("%s", err.msg);
}

bool hooks_during_create(const struct spec *spec)
{
	return spec->hooks[SPEC_HOOK_PRESTART].n || spec->hooks[SPEC_HOOK_CREATE_RUNTIME].n ||
	       spec->hooks[SPEC_HOOK_CREATE_CONTAINER].n;
}
