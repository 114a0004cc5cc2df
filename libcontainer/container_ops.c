/* start, kill, delete and state of an existing container. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "container_internal.h"
#include "fdpass.h"
#include "hooks.h"
#include "json_util.h"
#include "log.h"
#include "plan.h"
#include "plan_build.h"
#include "seccomp_listener.h"

int berth_container_state(const struct berth_ctx *ctx, const char *id, struct container_state *st,
			  struct berth_err *err)
{
	char dir[PATH_MAX];

	if (state_load(ctx->root, id, st, err) < 0)
		return -1;
	if (state_dir_path(ctx->root, id, dir, sizeof(dir), err) < 0 || attached_mounts_load(dir, &st->mounts, err) < 0) {
		state_free(st);
		return -1;
	}
	return 0;
}


static void run_warn_hooks(const char *dir, const struct container_state *st, enum spec_hook_kind kind,
			   const char *status)
{
	struct berth_err err;
	struct spec *spec;
	char *json;

	/* The saved config is read only when it has hooks of this kind. */
	if (st->hook_kinds_known && !(st->hook_kinds & (1u << kind)))
		return;
	spec = container_load_saved_spec(dir, &err);
	if (!spec) {
		log_warn("%s hooks: %s", spec_hook_kind_name(kind), err.msg);
		return;
	}
	if (spec->hooks[kind].n) {
		json = state_oci_json(st, false, status, &err);
		if (json)
			hooks_run_warn(spec, kind, json);
		free(json);
	}
	spec_free(spec);
}

/* berth-init's "ok <pid>" or "err <errno> <message>". */
static int parse_init_reply(const char *reply, struct berth_err *err)
{
	if (strncmp(reply, "err ", 4) == 0) {
		char *msg = NULL;
		long e = strtol(reply + 4, &msg, 10);
		while (msg && *msg == ' ')
			msg++;
		berth_err_set(err, 0, "%s", msg && *msg ? msg : "container init failed");
		err->errnum = (int)e;
		return -1;
	}
	if (strncmp(reply, "ok", 2) != 0)
		return berth_err_set(err, EPROTO, "start: unexpected reply from container init");
	return 0;
}

static int signal_init(const struct container_state *st, int sig, struct berth_err *err);

/* The workload's seccomp listener goes to listenerPath or berth's
 * supervisor; then the workload may go on to its exec. If it cannot, it
 * must not run unsupervised: the container is killed. */
static int forward_listener(int sock, const char *dir, const struct container_state *st, const char *state_json,
			    pid_t nspid, int listener, struct berth_err *err)
{
	struct berth_err ignored;
	struct spec *spec = container_load_saved_spec(dir, err);
	pid_t pid = -1;
	int rc = -1;

	if (spec && (pid = seccomp_listener_host_pid(st->init_pid, nspid, err)) > 0)
		rc = seccomp_listener_deliver(&spec->linux_.seccomp, pid, state_json, listener, err);
	spec_free(spec);
	if (rc == 0)
		rc = seccomp_listener_ack(sock, err);
	if (rc < 0)
		(void)signal_init(st, SIGKILL, &ignored);
	return rc;
}

/* Sends "start" over init.sock and reads berth-init's answer ("ok" or
 * "err"), and before it the seccomp listener when the filter has one. */
static int tell_init_to_start(const char *dir, const struct container_state *st, const char *state_json,
			      struct berth_err *err)
{
	char path[PATH_MAX + 16];
	char *request, reply[4096];
	size_t len = strlen(CONTROL_CMD_START) + strlen(state_json);
	int sock, rc;

	if (len > CONTROL_MSG_MAX)
		return berth_err_set(err, E2BIG, "start: state too large");
	snprintf(path, sizeof(path), "%s/init.sock", dir);
	sock = unix_connect(path, SOCK_SEQPACKET, err);
	if (sock < 0)
		return berth_err_wrap(err, "start: container init");
	request = malloc(len + 1);
	if (!request) {
		close(sock);
		return berth_err_set(err, ENOMEM, "start");
	}
	snprintf(request, len + 1, "%s%s", CONTROL_CMD_START, state_json);
	rc = (int)send(sock, request, len, MSG_NOSIGNAL);
	free(request);
	if (rc < 0) {
		rc = berth_err_set(err, errno, "start: send to container init");
		goto out;
	}
	/* The listener's message, if any, comes first: the workload waits for
	 * it to be delivered before its exec, and berth-init answers after
	 * that. In exec mode no answer comes: EOF means the workload has
	 * replaced berth-init. */
	for (rc = 0; rc == 0;) {
		int fd = -1;
		pid_t nspid;
		ssize_t n = fdpass_recv(sock, reply, sizeof(reply) - 1, &fd, err);

		if (n < 0) {
			rc = berth_err_wrap(err, "start: read from container init");
			break;
		}
		if (n == 0)
			break;
		reply[n] = '\0';
		if (fd >= 0 && seccomp_listener_message(reply, &nspid)) {
			rc = forward_listener(sock, dir, st, state_json, nspid, fd, err);
			close(fd);
			continue;
		}
		if (fd >= 0)
			close(fd);
		rc = parse_init_reply(reply, err);
		break;
	}
out:
	close(sock);
	return rc;
}

/* A start that failed (the workload's exec, a startContainer hook) ends
 * berth-init right after its answer. Returns once it has exited (1 s at
 * most): a caller that deletes the container as soon as start fails must
 * find it stopped. containerd's shim refused the delete of a task it still
 * saw as created ("task must be stopped before deletion") when dockerd
 * asked before the shim had reaped the init, and the container leaked. */
static void wait_for_failed_init(const struct container_state *st)
{
	struct berth_err ignored;
	struct pollfd pfd = { .events = POLLIN };

	pfd.fd = container_init_pidfd(st, &ignored);
	if (pfd.fd < 0)
		return; /* gone already */
	while (poll(&pfd, 1, 1000) < 0 && errno == EINTR)
		;
	close(pfd.fd);
}

static int open_dir_locked(const struct berth_ctx *ctx, const char *id, char *dir, size_t len,
			   struct berth_err *err)
{
	if (state_dir_path(ctx->root, id, dir, len, err) < 0)
		return -1;
	return state_lock(dir, err);
}

int berth_container_start_state(const struct berth_ctx *ctx, struct container_state *st, struct berth_err *err)
{
	char dir[PATH_MAX];
	char *json = NULL;
	int lock_fd, rc = -1;

	lock_fd = open_dir_locked(ctx, st->id, dir, sizeof(dir), err);
	if (lock_fd < 0)
		return -1;
	switch (st->status) {
	case STATUS_CREATED:
		break;
	case STATUS_STOPPED:
		berth_err_set(err, 0, "cannot start a container that has stopped");
		goto out;
	case STATUS_CREATING:
		berth_err_set(err, 0, "cannot start a container that is still being created");
		goto out;
	default:
		berth_err_set(err, 0, "cannot start an already running container");
		goto out;
	}
	json = state_oci_json(st, false, NULL, err);
	if (!json)
		goto out;
	if (tell_init_to_start(dir, st, json, err) < 0) {
		wait_for_failed_init(st);
		goto out;
	}
	st->phase = PHASE_STARTED;
	if (state_save(dir, st, err) < 0)
		goto out;
	st->on_disk = true;
	st->status = STATUS_RUNNING;
	run_warn_hooks(dir, st, SPEC_HOOK_POSTSTART, "running");
	rc = 0;
out:
	free(json);
	close(lock_fd);
	return rc;
}

int berth_container_start(const struct berth_ctx *ctx, const char *id, struct berth_err *err)
{
	struct container_state st;
	int rc;

	if (state_load(ctx->root, id, &st, err) < 0)
		return -1;
	rc = berth_container_start_state(ctx, &st, err);
	state_free(&st);
	return rc;
}

/* Signals the init through a pidfd after checking it is still ours. */
static int signal_init(const struct container_state *st, int sig, struct berth_err *err)
{
	int pidfd = container_init_pidfd(st, err);

	if (pidfd < 0)
		return -1;
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) {
		int e = errno;
		close(pidfd);
		return berth_err_set(err, e, "kill container init");
	}
	close(pidfd);
	return 0;
}

static int signal_all(const struct container_state *st, int sig, struct berth_err *err)
{
	struct cgroup_manager *m = cgroup_manager_open(st->cgroup_path, err);
	int rc;

	if (!m)
		return -1;
	rc = cgroup_signal_all(m, sig, err);
	cgroup_manager_free(m);
	return rc;
}

/* kill's signal when none is given: SIGTERM, as runc, except for systemd,
 * which re-executes itself on SIGTERM and halts on SIGRTMIN+3 (glibc's
 * SIGRTMIN, which systemd's numbering follows). Decided from the saved
 * config with the same test that made the container's init systemd.
 * SIGTERM still before start, when PID 1 is berth-init (which ends on it
 * and drops SIGRTMIN+3), and with --all: SIGRTMIN+3's default action would
 * end every other process at once, where systemd stops them in order. */
static int default_kill_signal(const struct berth_ctx *ctx, const char *id, const struct container_state *st,
			       bool all)
{
	char dir[PATH_MAX];
	struct berth_err err;
	struct spec *spec;
	bool systemd;

	if (all || (st->status != STATUS_RUNNING && st->status != STATUS_PAUSED))
		return SIGTERM;
	if (state_dir_path(ctx->root, id, dir, sizeof(dir), &err) < 0 ||
	    !(spec = container_load_saved_spec(dir, &err))) {
		log_warn("kill: %s; sending SIGTERM", err.msg);
		return SIGTERM;
	}
	systemd = plan_workload_is_systemd(spec);
	spec_free(spec);
	return systemd ? SIGRTMIN + 3 : SIGTERM;
}

int berth_container_kill(const struct berth_ctx *ctx, const char *id, const char *signal, bool all,
			 struct berth_err *err)
{
	struct container_state st;
	int rc, sig;

	/* As runc: a missing container is reported before a bad signal. */
	if (state_load(ctx->root, id, &st, err) < 0)
		return -1;
	if (!signal || !*signal) {
		sig = default_kill_signal(ctx, id, &st, all);
	} else if (berth_parse_signal(signal, &sig, err) < 0) {
		state_free(&st);
		return -1;
	}
	if (st.status == STATUS_STOPPED && !all) {
		state_free(&st);
		return berth_err_set(err, 0, "container not running");
	}
	rc = all ? signal_all(&st, sig, err) : signal_init(&st, sig, err);
	/* As runc: SIGKILL to a paused container thaws it so it can die;
	 * other signals wait for resume. */
	if (rc == 0 && sig == SIGKILL && st.status == STATUS_PAUSED)
		rc = container_thaw(&st, err);
	state_free(&st);
	return rc;
}

static int destroy(const char *dir, struct container_state *st, struct berth_err *err)
{
	struct cgroup_manager *m;
	int rc = 0;

	if (st->status != STATUS_STOPPED) {
		struct berth_err ignored;
		bool killed = signal_init(st, SIGKILL, &ignored) == 0;
		if (st->status == STATUS_PAUSED && container_thaw(st, err) < 0)
			return berth_err_wrap(err, "thaw");
		if (killed && container_wait_gone(st->init_pid, 10000, err) < 0)
			return -1;
	}
	m = cgroup_manager_open(st->cgroup_path, err);
	if (!m || cgroup_destroy(m, err) < 0)
		rc = -1;
	cgroup_manager_free(m);
	if (rc < 0)
		return berth_err_wrap(err, "cgroup");
	st->status = STATUS_STOPPED;
	run_warn_hooks(dir, st, SPEC_HOOK_POSTSTOP, "stopped");
	container_remove_state_dir(dir);
	return 0;
}

int berth_container_delete_state(const struct berth_ctx *ctx, struct container_state *st, bool force,
				 struct berth_err *err)
{
	char dir[PATH_MAX];
	int lock_fd, rc = -1;

	lock_fd = open_dir_locked(ctx, st->id, dir, sizeof(dir), err);
	if (lock_fd < 0)
		return -1;
	if ((st->status == STATUS_RUNNING || st->status == STATUS_PAUSED) && !force)
		/* runc's words; the status is the last word. */
		berth_err_set(err, 0, "cannot delete container %s that is not stopped: %s", st->id,
			      container_status_name(st->status));
	else
		rc = destroy(dir, st, err);
	close(lock_fd);
	return rc;
}

int berth_container_delete(const struct berth_ctx *ctx, const char *id, bool force, struct berth_err *err)
{
	struct container_state st;
	int rc;

	if (state_load(ctx->root, id, &st, err) < 0) {
		/* Engines delete --force again what is gone already. */
		if (force && err->errnum == ENOENT)
			return 0;
		return -1;
	}
	rc = berth_container_delete_state(ctx, &st, force, err);
	state_free(&st);
	return rc;
}

/* runc's text, without a strerror suffix that would repeat it. */
static int bad_signal(struct berth_err *err, const char *what, const char *s)
{
	berth_err_msg(err, EINVAL, "%s signal \"%s\"", what, s);
	return -1;
}

int berth_parse_signal(const char *s, int *sig, struct berth_err *err)
{
	const char *raw = s;
	char *end;
	long n;

	/* runc: no signal, or an empty one, is SIGTERM. */
	if (!s || !*s) {
		*sig = SIGTERM;
		return 0;
	}
	n = strtol(s, &end, 10);
	if (*end == '\0') {
		/* 0 probes that the container's init exists, as kill(2) does. */
		if (n < 0 || n > SIGRTMAX)
			return bad_signal(err, "invalid", s);
		*sig = (int)n;
		return 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < SIGRTMIN; i++) {
		const char *name = sigabbrev_np(i);
		if (name && strcasecmp(s, name) == 0) {
			*sig = i;
			return 0;
		}
	}
	if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
		bool min = strncasecmp(s, "RTMIN", 5) == 0;
		long off = 0;
		if (s[5] != '\0') {
			off = strtol(s + 5, &end, 10);
			if (*end || (min && off < 0) || (!min && off > 0))
				return bad_signal(err, "unknown", raw);
		}
		n = (min ? SIGRTMIN : SIGRTMAX) + off;
		if (n >= SIGRTMIN && n <= SIGRTMAX) {
			*sig = (int)n;
			return 0;
		}
	}
	return bad_signal(err, "unknown", raw);
}
