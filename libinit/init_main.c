/* berth-init: the container's PID 1. Reads the launch plan, waits on
 * init.sock for "start" (the storage phase happens meanwhile), runs the
 * startContainer hooks, then starts the workload and either stays as its
 * init (fork mode) or becomes it (exec mode). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control.h"
#include "hooks.h"
#include "plan.h"
#include "plan_decode.h"
#include "process.h"
#include "signals.h"
#include "util.h"
#include "workload.h"

/* Reads the whole plan (the fd may be a memfd at any offset, or a pipe) into
 * an 8-byte aligned buffer. */
static uint8_t *init_read_plan(int fd, size_t *len)
{
	struct plan_header hdr;
	ssize_t n = pread(fd, &hdr, sizeof(hdr), 0);
	int seekable = n >= 0;
	uint64_t *buf;

	if (!seekable)
		n = init_read_all(fd, &hdr, sizeof(hdr));
	if (n < 0)
		init_die("plan: read fd %d: %s", fd, init_strerror(errno));
	if (n != (ssize_t)sizeof(hdr))
		init_die("plan: truncated header");
	if (hdr.magic != PLAN_MAGIC)
		init_die("plan: bad magic");
	if (hdr.size < sizeof(hdr) || hdr.size > PLAN_MAX_SIZE)
		init_die("plan: bad size %u", hdr.size);
	buf = malloc(plan_align8(hdr.size));
	if (!buf)
		init_die("plan: out of memory");
	memcpy(buf, &hdr, sizeof(hdr));
	if (seekable) {
		size_t done = sizeof(hdr);
		while (done < hdr.size) {
			n = pread(fd, (uint8_t *)buf + done, hdr.size - done, (off_t)done);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			done += (size_t)n;
		}
		n = n < 0 ? -1 : (ssize_t)(done - sizeof(hdr));
	} else {
		n = init_read_all(fd, (uint8_t *)buf + sizeof(hdr), hdr.size - sizeof(hdr));
	}
	if (n < 0)
		init_die("plan: read fd %d: %s", fd, init_strerror(errno));
	if ((size_t)n != hdr.size - sizeof(hdr))
		init_die("plan: truncated (%u of %u bytes)", (unsigned)((size_t)n + sizeof(hdr)), hdr.size);
	*len = hdr.size;
	return (uint8_t *)buf;
}

static int init_parse_fd(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 1 << 30)
		init_die("bad plan fd \"%s\"", s);
	return (int)v;
}

/* Runs the hooks and starts the workload. In fork mode returns its pid
 * after replying "ok <pid>"; on failure replies and exits 1; in exec mode
 * returns only through failure (which also exits). */
static pid_t init_start(const struct plan_view *plan, int conn, const char *state, size_t state_len)
{
	struct init_err err = { 0, "" };
	/* Whoever asked to start (or `berth exec`) gets the seccomp listener. */
	int listener_sock = conn >= 0 ? conn : plan->report_fd;
	pid_t pid;

	if (hooks_run_start(plan, state, state_len, &err) < 0)
		goto fail;
	if (plan->mode == PLAN_MODE_EXEC) {
		/* conn is CLOEXEC: the host reads EOF once exec succeeded. */
		process_exec(plan, listener_sock, &err);
		goto fail;
	}
	pid = workload_spawn(plan, listener_sock, &err);
	if (pid < 0)
		goto fail;
	if (conn >= 0) {
		control_reply_ok(conn, pid);
		close(conn);
	}
	return pid;
fail:
	/* The host prints the reply; stderr is the container's, so only
	 * write there when nobody asked. */
	if (conn < 0 && plan->report_fd >= 0) {
		char report[INIT_ERR_MAX + 16];
		size_t n = init_fmt(report, sizeof(report), "%d %s", err.errnum, err.msg);
		(void)init_write_all(plan->report_fd, report, n);
		exit(255);
	}
	if (conn < 0)
		init_die("%s", err.msg);
	control_reply_err(conn, err.errnum, err.msg);
	exit(1);
}

/* The created state: wait for "start" or a terminating signal. Returns the
 * connection that asked to start, its state JSON in *state. */
static int init_wait_for_start(int sfd, int control_fd, const char **state, size_t *state_len)
{
	struct pollfd pfd[2] = { { sfd, POLLIN, 0 }, { control_fd, POLLIN, 0 } };

	for (;;) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			init_die("poll: %s", init_strerror(errno));
		if (pfd[0].revents & POLLIN) {
			int sig;
			while ((sig = signals_read(sfd)) > 0) {
				if (signals_is_terminating(sig))
					exit(128 + sig);
			}
			if (sig < 0)
				init_die("read signalfd: %s", init_strerror(errno));
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		}
		if (pfd[1].revents & (POLLIN | POLLERR | POLLHUP)) {
			const char *msg = NULL;
			size_t len = 0;
			int fatal;
			int conn = control_receive(control_fd, &msg, &len, &fatal);
			if (conn >= 0 && control_is_start(msg, len, state, state_len))
				return conn;
			if (conn >= 0) {
				control_reply_other(conn, msg, len);
				close(conn);
			}
			if (fatal)
				init_die("control socket unusable before start");
		}
	}
}

int main(int argc, char **argv)
{
	struct plan_view plan;
	const char *why = "";
	const char *state = "";
	size_t len, state_len = 0;
	uint8_t *buf;
	int plan_fd, sfd, conn = -1;
	pid_t pid;

	if (argc != 2)
		init_die("usage: berth-init <plan fd>");
	plan_fd = init_parse_fd(argv[1]);
	buf = init_read_plan(plan_fd, &len);
	if (plan_decode(buf, len, &plan, &why) < 0)
		init_die("plan: %s", why);
	if ((unsigned)plan_fd < 3u + plan.preserve_fds)
		init_die("plan: plan fd %d inside the preserved fd range", plan_fd);
	close(plan_fd);
	/* Nothing in the container may ptrace or read PID 1's memory. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		init_die("prctl PR_SET_DUMPABLE: %s", init_strerror(errno));
	/* `ps` inside shows "berth-init", not the memfd's name. */
	if (prctl(PR_SET_NAME, "berth-init", 0, 0, 0) < 0)
		init_die("prctl PR_SET_NAME: %s", init_strerror(errno));
	if (plan.control_fd >= 0 && fcntl(plan.control_fd, F_SETFD, FD_CLOEXEC) < 0)
		init_die("control fd %d: %s", plan.control_fd, init_strerror(errno));
	if (plan.report_fd >= 0 && fcntl(plan.report_fd, F_SETFD, FD_CLOEXEC) < 0)
		init_die("report fd %d: %s", plan.report_fd, init_strerror(errno));
	sfd = signals_block_all();
	if (sfd < 0)
		init_die("signalfd: %s", init_strerror(errno));
	/* Without a control socket there is no created state: start at once. */
	if (plan.control_fd >= 0)
		conn = init_wait_for_start(sfd, plan.control_fd, &state, &state_len);
	pid = init_start(&plan, conn, state, state_len);
	workload_supervise(pid, sfd, plan.control_fd);
}
