/* berth exec: a new process in a created or running container.
 *
 *   berth (caller's child)                 exec child
 *   ----------------------                 ----------
 *   state, saved config + overrides,
 *   launch plan (exec mode) -> memfd
 *   setns(init pidfd, CLONE_NEWPID) for children only
 *   clone3(CLONE_INTO_CGROUP, CLONE_PIDFD) ->  v1: "0" to each `tasks` (cgroup.h)
 *   "go" ------------------------------------>  dumpable 0; execCPUAffinity.final;
 *                                              rlimits, oom, sched
 *                                              setns(init pidfd, the rest)
 *                                              tty: pty from the container's
 *                                                devpts -> console socket / us
 *   <- "<errno> <message>" on failure           execveat(berth-init memfd)
 *   EOF: the workload has exec'd                  applies the plan, execs
 *
 * The child is the process itself from clone to the workload's exec (same
 * pid), so with --detach nothing stays between the workload and the
 * caller's subreaper. berth-init, not berth, runs inside the container's
 * namespaces past setns: the host binary is never exposed there. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "clone.h"
#include "console.h"
#include "container.h"
#include "container_internal.h"
#include "cpu_affinity.h"
#include "exec_process.h"
#include "fdpass.h"
#include "init_memfd.h"
#include "namespaces.h"
#include "plan_build.h"
#include "process_limits.h"
#include "seccomp_listener.h"

#define EXEC_GO "go"
#define EXEC_CONSOLE "console"

struct exec_run {
	const struct berth_exec_opts *o;
	struct container_state st;
	bool st_loaded;
	struct spec *spec;
	struct cgroup_manager *cg;    /* the container's cgroup */
	struct cgroup_manager *sub;   /* --cgroup, or NULL */
	bool sub_all;                 /* --cgroup names no controller */
	char sub_controllers[256];
	int init_pidfd;
	int join_flags;               /* namespaces the child must join */
	int init_memfd, plan_fd;
	int sock[2];                  /* [0] ours, [1] the child's report fd */
	int console_sock;             /* connected --console-socket, or -1 */
	int clone_target;             /* --cgroup: v2 dir for CLONE_INTO_CGROUP */
	struct cgroup_join join;      /* no --cgroup: the child joins itself (cgroup.h) */
	pid_t pid;
	int pidfd;
	int master;
};


static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int check_status(struct exec_run *r, struct berth_err *err)
{
	switch (r->st.status) {
	case STATUS_STOPPED:
		return berth_err_msg(err, 0, "cannot exec in a stopped container");
	case STATUS_PAUSED:
		if (!r->o->ignore_paused)
			return berth_err_msg(err, 0, "cannot exec in a paused container (use --ignore-paused to override)");
		return 0;
	case STATUS_CREATING:
		return berth_err_msg(err, 0, "cannot exec in a container that is being created");
	default:
		return 0;
	}
}

/* Whether the v1 hierarchy dir (/sys/fs/cgroup/cpu,cpuacct/...) holds one
 * of --cgroup's controllers. */
static bool sub_applies_to(const struct exec_run *r, const char *dir)
{
	const char *name = dir + strlen("/sys/fs/cgroup/");
	char item[64];

	if (r->sub_all)
		return true;
	if (strncmp(dir, "/sys/fs/cgroup/", 15) != 0)
		return false;
	for (const char *p = name; *p && *p != '/';) {
		size_t n = strcspn(p, ",/");
		snprintf(item, sizeof(item), ",%.*s,", (int)n, p);
		if (strstr(r->sub_controllers, item))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/* --cgroup [controllers:]path: an existing cgroup below the container's. */
static int open_sub_cgroup(struct exec_run *r, struct berth_err *err)
{
	const char *spec = r->o->cgroup, *colon = strchr(spec, ':'), *path = colon ? colon + 1 : spec;
	char full[PATH_MAX];

	while (*path == '/')
		path++;
	if (!*path || strcmp(path, "..") == 0 || strncmp(path, "../", 3) == 0 || strstr(path, "/../") ||
	    (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0))
		return berth_err_msg(err, EINVAL, "--cgroup: %s is not a sub cgroup path", spec);
	/* v2 has one hierarchy: the controllers part selects nothing. */
	r->sub_all = !colon || colon == spec || strcmp(r->cg->ops->name, "v2") == 0;
	if (!r->sub_all)
		snprintf(r->sub_controllers, sizeof(r->sub_controllers), ",%.*s,", (int)(colon - spec), spec);
	if ((size_t)snprintf(full, sizeof(full), "%s/%s", r->st.cgroup_path, path) >= sizeof(full))
		return berth_err_msg(err, ENAMETOOLONG, "--cgroup: path too long");
	r->sub = cgroup_manager_open(full, err);
	if (!r->sub)
		return berth_err_wrap(err, "--cgroup");
	for (size_t i = 0; i < r->sub->n_dirs; i++) {
		struct stat st;
		if (!sub_applies_to(r, r->sub->dirs[i]))
			continue;
		if (stat(r->sub->dirs[i], &st) < 0)
			return berth_err_set(err, errno, "--cgroup: %s", r->sub->dirs[i]);
		if (!S_ISDIR(st.st_mode))
			return berth_err_set(err, ENOTDIR, "--cgroup: %s", r->sub->dirs[i]);
	}
	return 0;
}

/* --cgroup (a sub-cgroup, some controllers only), v1 or a kernel without
 * CLONE_INTO_CGROUP: move the child ourselves. */
static int attach_child(struct exec_run *r, struct berth_err *err)
{
	char pid[16];

	if (r->cg->ops->attach(r->cg, r->pid, err) < 0)
		return -1;
	if (!r->sub)
		return 0;
	snprintf(pid, sizeof(pid), "%d", (int)r->pid);
	for (size_t i = 0; i < r->sub->n_dirs; i++)
		if (sub_applies_to(r, r->sub->dirs[i]) && cgroup_write_file(r->sub->dirs[i], "cgroup.procs", pid, err) < 0)
			return berth_err_wrap(err, "--cgroup");
	return 0;
}

static int prepare(struct exec_run *r, const struct berth_ctx *ctx, struct berth_err *err)
{
	const struct berth_exec_opts *o = r->o;
	struct plan_opts popts;
	struct plan_buf plan = { 0 };
	char dir[PATH_MAX];
	int rc;

	if (container_id_validate(o->id, err) < 0 || state_load(ctx->root, o->id, &r->st, err) < 0)
		return -1;
	r->st_loaded = true;
	if (check_status(r, err) < 0 || state_dir_path(ctx->root, o->id, dir, sizeof(dir), err) < 0)
		return -1;
	r->spec = container_load_saved_spec(dir, err);
	if (!r->spec)
		return berth_err_wrap(err, "saved config");
	if (exec_process_apply(r->spec, o, err) < 0)
		return -1;
	if (r->spec->process.terminal && !o->console_socket && !o->keep_console)
		return berth_err_msg(err, EINVAL, "cannot allocate tty if berth will detach without setting console socket");
	if (!r->spec->process.terminal && o->console_socket)
		return berth_err_msg(err, EINVAL, "cannot use console socket if berth will not allocate tty");
	for (unsigned i = 0; i < o->preserve_fds; i++)
		if (fcntl(3 + (int)i, F_GETFD) < 0)
			return berth_err_set(err, errno, "--preserve-fds %u: fd %u", o->preserve_fds, 3 + i);
	r->init_pidfd = container_pidfd_open(r->st.init_pid);
	if (r->init_pidfd < 0 && errno == ESRCH) /* it stopped since state_load */
		return berth_err_msg(err, ESRCH, "cannot exec in a stopped container");
	if (r->init_pidfd < 0)
		return berth_err_set(err, errno, "pidfd_open %d", (int)r->st.init_pid);
	if (ns_differing_from_ours(r->st.init_pid, &r->join_flags, err) < 0)
		return -1;
	r->cg = cgroup_manager_open(r->st.cgroup_path, err);
	if (!r->cg || (o->cgroup && open_sub_cgroup(r, err) < 0))
		return -1;
	if (!o->cgroup) {
		if (cgroup_join_prepare(r->cg, &r->join, err) < 0)
			return -1;
	} else if (r->cg->ops->open_clone_target && (!r->sub || r->sub_all)) {
		struct cgroup_manager *target = r->sub ? r->sub : r->cg;
		r->clone_target = target->ops->open_clone_target(target, err);
		if (r->clone_target < 0)
			return -1;
	}
	if (o->console_socket) {
		r->console_sock = unix_connect(o->console_socket, SOCK_STREAM, err);
		if (r->console_sock < 0)
			return berth_err_wrap(err, "console socket");
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, r->sock) < 0)
		return berth_err_set(err, errno, "socketpair");
	r->init_memfd = init_memfd_create(err);
	if (r->init_memfd < 0)
		return -1;
	popts = (struct plan_opts){ .control_fd = -1, .tty = r->spec->process.terminal,
				    .preserve_fds = o->preserve_fds, .stdout_fd = -1, .stderr_fd = -1,
				    .exec_process = true, .report_fd = r->sock[1], .seccomp_cache_dir = ctx->root };
	if (plan_build(r->spec, &popts, &plan, err) < 0)
		return -1;
	rc = data_memfd_create("berth-exec-plan", plan.data, plan.len, err);
	plan_buf_free(&plan);
	if (rc < 0)
		return -1;
	r->plan_fd = rc;
	return 0;
}

/* Sends "<errno> <message>" to the parent and exits. */
static _Noreturn void child_fail(int sock, const struct berth_err *err)
{
	char report[sizeof(err->msg) + 16];
	int n = snprintf(report, sizeof(report), "%d %s", err->errnum, err->msg);

	if (send(sock, report, (size_t)n, MSG_NOSIGNAL) < 0)
		_exit(254);
	_exit(255);
}

static int child_console(struct exec_run *r, struct berth_err *err)
{
	char name[64];
	int master, slave, rc;

	/* Our root is the container's now: its /dev/pts. */
	if (console_open_pty("/", &r->spec->process, &master, &slave, name, sizeof(name), err) < 0)
		return -1;
	if (r->console_sock >= 0)
		rc = fdpass_send(r->console_sock, name, strlen(name), master, err);
	else
		rc = fdpass_send(r->sock[1], EXEC_CONSOLE, strlen(EXEC_CONSOLE), master, err);
	close(master);
	close_fd(&r->console_sock);
	if (rc < 0) {
		close(slave);
		return berth_err_wrap(err, "console");
	}
	return console_make_stdio(slave, err);
}

static _Noreturn void exec_child(struct exec_run *r)
{
	struct berth_err err = { 0, "" };
	char go[8], plan_fd[16];
	char *argv[] = { "berth-init", plan_fd, NULL };
	char *envp[] = { NULL };
	ssize_t n;

	close_fd(&r->sock[0]);
	if (cgroup_join_self(&r->join, &err) < 0)
		child_fail(r->sock[1], &err);
	/* Nothing in the container may ptrace us or open /proc/<pid>/exe
	 * (the host's berth) while we are still berth. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		child_fail(r->sock[1], &(struct berth_err){ errno, "prctl PR_SET_DUMPABLE" });
	n = recv(r->sock[1], go, sizeof(go), 0);
	if (n != (ssize_t)strlen(EXEC_GO))
		_exit(255); /* berth went away before we were placed */
	/* In the container's cgroup now: its CPUs from here on. */
	if (cpu_affinity_apply(r->spec->process.exec_cpu_affinity_final, "execCPUAffinity.final", &err) < 0 ||
	    process_apply_limits(r->spec, &err) < 0)
		child_fail(r->sock[1], &err);
	if ((r->join_flags & ~CLONE_NEWPID) && setns(r->init_pidfd, r->join_flags & ~CLONE_NEWPID) < 0) {
		berth_err_set(&err, errno, "join the container's namespaces");
		child_fail(r->sock[1], &err);
	}
	/* Root of the joined user namespace, or berth-init's execve would
	 * drop the capabilities it needs to apply the plan. */
	if ((r->join_flags & CLONE_NEWUSER) && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
		berth_err_set(&err, errno, "become root in the container's user namespace");
		child_fail(r->sock[1], &err);
	}
	if (r->spec->process.terminal && child_console(r, &err) < 0)
		child_fail(r->sock[1], &err);
	snprintf(plan_fd, sizeof(plan_fd), "%d", r->plan_fd);
	if (fds_prepare_exec(r->o->preserve_fds, (const int[]){ r->plan_fd, r->sock[1] }, 2, &err) < 0)
		child_fail(r->sock[1], &err);
	syscall(SYS_execveat, r->init_memfd, "", argv, envp, AT_EMPTY_PATH);
	berth_err_set(&err, errno, "exec berth-init");
	child_fail(r->sock[1], &err);
}

/* The clone itself, on execCPUAffinity.initial's CPUs if it names any: the
 * child inherits them and runs there until it is in the container's
 * cgroup (on v2 it is born there). We go back to our own CPUs after it. */
static int clone_exec_child(struct exec_run *r, bool *placed, struct berth_err *err)
{
	const char *initial = r->spec->process.exec_cpu_affinity_initial;
	bool moved = initial && *initial, no_target = false;
	cpu_set_t own;
	int e;

	if (moved && sched_getaffinity(0, sizeof(own), &own) < 0)
		return berth_err_set(err, errno, "sched_getaffinity");
	if (moved && cpu_affinity_apply(initial, "execCPUAffinity.initial", err) < 0)
		return -1;
	r->pid = clone_child(0, r->o->cgroup ? r->clone_target : r->join.clone_fd, &r->pidfd, placed);
	/* The container's own cgroup2 dir takes no processes when systemd or
	 * a nested runtime in it has enabled controllers below it. */
	if (r->pid < 0 && errno == EBUSY && !r->o->cgroup && r->join.clone_fd >= 0) {
		no_target = cgroup_join_use_init_cgroup(r->cg, &r->join, r->st.init_pid, err) < 0;
		if (!no_target)
			r->pid = clone_child(0, r->join.clone_fd, &r->pidfd, placed);
	}
	if (r->pid == 0)
		exec_child(r);
	e = errno;
	/* A child left behind by a failure here is killed by exec_cleanup. */
	if (moved && sched_setaffinity(0, sizeof(own), &own) < 0 && !no_target)
		return berth_err_set(err, errno, "execCPUAffinity.initial: return to our own CPUs");
	if (no_target)
		return -1;
	if (r->pid < 0)
		return berth_err_set(err, e, "clone3");
	return 0;
}

/* Children only: our own pid namespace stays. */
static int clone_in_pid_ns(struct exec_run *r, struct berth_err *err)
{
	int own = -1, rc, e;
	bool placed = false;

	if (r->join_flags & CLONE_NEWPID) {
		own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (own < 0)
			return berth_err_set(err, errno, "open /proc/self/ns/pid");
		if (setns(r->init_pidfd, CLONE_NEWPID) < 0) {
			e = errno;
			close(own);
			return berth_err_set(err, e, "join the container's pid namespace");
		}
	}
	rc = clone_exec_child(r, &placed, err);
	if (own >= 0) {
		if (setns(own, CLONE_NEWPID) < 0 && rc == 0)
			rc = berth_err_set(err, errno, "return to our own pid namespace");
		close(own);
	}
	if (rc < 0)
		return -1;
	close_fd(&r->sock[1]);
	if (!r->o->cgroup && cgroup_join_finish(r->cg, &r->join, r->pid, placed, err) < 0)
		return -1;
	if (r->o->cgroup && (!placed || (r->sub && !r->sub_all)) && attach_child(r, err) < 0)
		return -1;
	if (send(r->sock[0], EXEC_GO, strlen(EXEC_GO), MSG_NOSIGNAL) < 0)
		return berth_err_set(err, errno, "start the exec'd process");
	return 0;
}

/* The process's seccomp listener goes to listenerPath or berth's
 * supervisor, then the process may exec; if it cannot, the exec fails and
 * the process is killed (exec_cleanup). */
static int forward_listener(struct exec_run *r, int listener, struct berth_err *err)
{
	char *state = state_oci_json(&r->st, false, NULL, err);
	int rc;

	if (!state)
		return -1;
	rc = seccomp_listener_deliver(&r->spec->linux_.seccomp, r->pid, state, listener, err);
	free(state);
	return rc < 0 ? -1 : seccomp_listener_ack(r->sock[0], err);
}

/* Until EOF (the workload has exec'd): the console master, the seccomp
 * listener, or a failure. */
static int read_reports(struct exec_run *r, struct berth_err *err)
{
	for (;;) {
		char msg[sizeof(err->msg) + 16];
		int fd = -1;
		pid_t nspid;
		ssize_t n = fdpass_recv(r->sock[0], msg, sizeof(msg) - 1, &fd, err);

		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		msg[n] = '\0';
		if (fd >= 0 && strcmp(msg, EXEC_CONSOLE) == 0) {
			close_fd(&r->master);
			r->master = fd;
			continue;
		}
		if (fd >= 0 && seccomp_listener_message(msg, &nspid)) {
			int rc = forward_listener(r, fd, err);
			close(fd);
			if (rc < 0)
				return -1;
			continue;
		}
		if (fd >= 0)
			close(fd);
		{
			char *text;
			int e = (int)strtol(msg, &text, 10);
			return berth_err_msg(err, e, "%s", *text == ' ' ? text + 1 : text);
		}
	}
}

static int send_pidfd(struct exec_run *r, struct berth_err *err)
{
	if (fdpass_send_to_path(r->o->pidfd_socket, "pidfd", r->pidfd, err) < 0)
		return berth_err_wrap(err, "pidfd socket");
	return 0;
}

static void exec_cleanup(struct exec_run *r, bool failed)
{
	if (failed && r->pid > 0) {
		kill(r->pid, SIGKILL);
		while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (failed)
		close_fd(&r->master);
	close_fd(&r->init_pidfd);
	close_fd(&r->init_memfd);
	close_fd(&r->plan_fd);
	close_fd(&r->sock[0]);
	close_fd(&r->sock[1]);
	close_fd(&r->console_sock);
	close_fd(&r->clone_target);
	cgroup_join_close(&r->join);
	close_fd(&r->pidfd);
	if (r->sub)
		cgroup_manager_free(r->sub);
	if (r->cg)
		cgroup_manager_free(r->cg);
	if (r->spec)
		spec_free(r->spec);
	if (r->st_loaded)
		state_free(&r->st);
}

int berth_container_exec(const struct berth_ctx *ctx, const struct berth_exec_opts *opts,
			 struct berth_exec_result *out, struct berth_err *err)
{
	struct exec_run r = { .o = opts, .init_pidfd = -1, .init_memfd = -1, .plan_fd = -1, .sock = { -1, -1 },
			      .console_sock = -1, .clone_target = -1, .join = { .clone_fd = -1 },
			      .pidfd = -1, .master = -1 };
	int rc = -1;

	if (prepare(&r, ctx, err) < 0 || clone_in_pid_ns(&r, err) < 0 || read_reports(&r, err) < 0)
		goto out;
	if (opts->pidfd_socket && send_pidfd(&r, err) < 0)
		goto out;
	if (opts->pid_file && container_write_pid_file(opts->pid_file, r.pid, err) < 0)
		goto out;
	out->pid = r.pid;
	out->console_master = r.master;
	rc = 0;
out:
	exec_cleanup(&r, rc < 0);
	return rc;
}
