#include "stage1.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clone.h"
#include "console.h"
#include "fdpass.h"
#include "hooks.h"
#include "mount_idmap.h"
#include "process_limits.h"
#include "rootfs.h"
#include "sync.h"

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

static _Noreturn void stage1_fail(const struct stage1_args *a, struct berth_err *err)
{
	struct berth_err ignored;

	sync_send(a->sync_fd, SYNC_ERROR, err->errnum, err->msg, -1, &ignored);
	_exit(1);
}

/* Only namespaced sysctls may be set: anything else would change the host. */
static bool sysctl_is_namespaced(const struct spec *spec, const char *key)
{
	const struct spec_namespace *ns = spec->linux_.namespaces;
	static const char *const ipc_keys[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
						"kernel.shmall", "kernel.shmmax", "kernel.shmmni",
						"kernel.shm_rmid_forced" };

	for (size_t i = 0; i < sizeof(ipc_keys) / sizeof(*ipc_keys); i++)
		if (strcmp(key, ipc_keys[i]) == 0)
			return ns[SPEC_NS_IPC].present;
	if (strncmp(key, "fs.mqueue.", 10) == 0)
		return ns[SPEC_NS_IPC].present;
	if (strncmp(key, "net.", 4) == 0)
		return ns[SPEC_NS_NETWORK].present;
	if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
		return ns[SPEC_NS_UTS].present;
	return false;
}

/* Written from stage 1, already in the container's namespaces: the kernel
 * picks the namespace of the writer, not of the proc mount. */
static int apply_sysctls(const struct spec *spec, struct berth_err *err)
{
	for (size_t i = 0; i < spec->linux_.n_sysctl; i++) {
		const struct spec_kv *kv = &spec->linux_.sysctl[i];
		char path[4096];
		size_t len = strlen(kv->value);
		int fd;

		if (strstr(kv->key, "..") || strchr(kv->key, '/') || !sysctl_is_namespaced(spec, kv->key))
			return berth_err_set(err, EINVAL,
					     "linux.sysctl: \"%s\" is not namespaced in this container, refusing to change the host",
					     kv->key);
		snprintf(path, sizeof(path), "/proc/sys/%s", kv->key);
		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return berth_err_set(err, errno, "linux.sysctl: open %s", path);
		if (write(fd, kv->value, len) != (ssize_t)len) {
			int e = errno;
			close(fd);
			return berth_err_set(err, e, "linux.sysctl: write \"%s\" to %s", kv->value, path);
		}
		close(fd);
	}
	return 0;
}

static int set_names(const struct spec *spec, struct berth_err *err)
{
	bool own_uts = spec->linux_.namespaces[SPEC_NS_UTS].present;

	if ((spec->hostname || spec->domainname) && !own_uts)
		return berth_err_set(err, EINVAL, "hostname/domainname need a private UTS namespace");
	if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return berth_err_set(err, errno, "sethostname \"%s\"", spec->hostname);
	if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
		return berth_err_set(err, errno, "setdomainname \"%s\"", spec->domainname);
	return 0;
}

static int wait_for(const struct stage1_args *a, enum sync_type want, struct sync_msg *msg,
		    struct berth_err *err)
{
	int rc = sync_recv(a->sync_fd, msg, NULL, err);

	if (rc < 0)
		return -1;
	if (rc == 0 || msg->type == SYNC_ABORT)
		_exit(1); /* stage 0 gave up and reports why */
	if (msg->type != want)
		return berth_err_set(err, EPROTO, "unexpected message %u from berth", msg->type);
	return 0;
}

/* Waits for SYNC_GO, keeping the idmapped trees stage 0 sends before it
 * (SYNC_MOUNT_FD): fds[i] for spec->mounts[i], each checked to belong to
 * an idmapped mount and to come once. */
static int wait_for_go(const struct stage1_args *a, int *fds, struct sync_msg *msg, struct berth_err *err)
{
	if (a->go_given)
		return 0;
	for (;;) {
		char *end;
		unsigned long i;
		int fd = -1;
		int rc = sync_recv(a->sync_fd, msg, &fd, err);

		if (rc < 0)
			return -1;
		if (rc == 0 || msg->type == SYNC_ABORT)
			_exit(1); /* stage 0 gave up and reports why */
		if (msg->type != SYNC_MOUNT_FD) {
			if (fd >= 0)
				close(fd);
			if (msg->type != SYNC_GO)
				return berth_err_set(err, EPROTO, "unexpected message %u from berth", msg->type);
			return 0;
		}
		errno = 0;
		i = strtoul(msg->text, &end, 10);
		if (fd < 0 || errno || end == msg->text || *end || i >= a->spec->n_mounts ||
		    !mount_is_idmapped(&a->spec->mounts[i]) || fds[i] >= 0) {
			if (fd >= 0)
				close(fd);
			return berth_err_set(err, EPROTO, "bad idmapped mount message \"%s\" from berth", msg->text);
		}
		fds[i] = fd;
	}
}

static void close_all(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/* Leaves only stdio, the preserved fds and what berth-init needs. */
static int prepare_fds(const struct stage1_args *a, int console_slave, struct berth_err *err)
{
	const int keep[] = { a->plan_fd, a->control_fd, a->stdout_fd, a->stderr_fd };

	if (console_slave >= 0 && console_make_stdio(console_slave, err) < 0)
		return -1;
	return fds_prepare_exec(a->preserve_fds, keep, sizeof(keep) / sizeof(*keep), err);
}

/* unshare(CLONE_NEWPID) after joining a user namespace by path (so that
 * the pid namespace is that user namespace's) takes in only our children.
 * The container's init must be its PID 1, so a child goes on as stage 1:
 * stage 0's child (CLONE_PARENT), as we were. We tell stage 0 its pid and
 * exit; it waits for our exit, so stage 0 has the pid before it hears
 * anything from it. */
static int continue_in_new_pid_ns(const struct stage1_args *a, struct berth_err *err)
{
	int gate[2];
	char byte;
	pid_t pid;

	if (pipe2(gate, O_CLOEXEC) < 0)
		return berth_err_set(err, errno, "pipe2");
	pid = clone_child(CLONE_PARENT, -1, NULL, NULL);
	if (pid < 0) {
		int e = errno;
		close(gate[0]);
		close(gate[1]);
		return berth_err_set(err, e, "clone3 into the new pid namespace");
	}
	if (pid > 0) {
		struct berth_err ignored;

		close(gate[0]);
		_exit(sync_send(a->sync_fd, SYNC_PID, pid, NULL, -1, &ignored) < 0);
	}
	close(gate[1]);
	while (read(gate[0], &byte, 1) < 0 && errno == EINTR)
		;
	close(gate[0]);
	/* Cleared by the clone; our parent is stage 0 again. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return berth_err_set(err, errno, "prctl PR_SET_PDEATHSIG");
	return 0;
}

/* From SYNC_GO to a prepared rootfs: namespaces, names, config mounts. */
static int enter_and_mount(const struct stage1_args *a, int *idmap_fds, struct sync_msg *msg,
			   struct berth_err *err)
{
	const struct spec *spec = a->spec;

	if (wait_for_go(a, idmap_fds, msg, err) < 0)
		return -1;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return berth_err_set(err, errno, "prctl PR_SET_PDEATHSIG");
	if (ns_join_and_unshare(spec, a->ns, err) < 0)
		return -1;
	if ((a->ns->unshare_flags & CLONE_NEWPID) && continue_in_new_pid_ns(a, err) < 0)
		return -1;
	if (set_names(spec, err) < 0)
		return -1;
	/* runtime-spec: a relative mount source is relative to the bundle. */
	if (chdir(a->bundle) < 0)
		return berth_err_set(err, errno, "chdir to bundle \"%s\"", a->bundle);
	return rootfs_prepare_from_stage0(spec, a->rootfs,
					  &(struct rootfs_from_stage0){ .idmap_fds = idmap_fds, .cgroup = a->cgroup }, err);
}

static int run_stage1(const struct stage1_args *a, struct berth_err *err)
{
	const struct spec *spec = a->spec;
	int master = -1, slave = -1, rc;
	int *idmap_fds;
	char pty_name[64];
	sigset_t none;

	static struct sync_msg msg; /* 64 KiB: not on the stack */

	/* Before anything is charged to berth's own cgroups. */
	if (a->cgroup_join && cgroup_join_self(a->cgroup_join, err) < 0)
		return -1;
	idmap_fds = malloc((spec->n_mounts ? spec->n_mounts : 1) * sizeof(*idmap_fds));
	if (!idmap_fds)
		return berth_err_set(err, ENOMEM, "idmapped mounts");
	for (size_t i = 0; i < spec->n_mounts; i++)
		idmap_fds[i] = -1;
	rc = enter_and_mount(a, idmap_fds, &msg, err);
	/* Attached trees stay mounted; any left detached go away with the fd. */
	close_all(idmap_fds, spec->n_mounts);
	free(idmap_fds);
	if (rc < 0)
		return -1;
	/* Stage 0 runs prestart and createRuntime hooks now, in the runtime's
	 * namespaces, and sends back the state for createContainer hooks. */
	if (hooks_during_create(spec)) {
		if (sync_send(a->sync_fd, SYNC_HOOKS, 0, NULL, -1, err) < 0 ||
		    wait_for(a, SYNC_HOOKS_DONE, &msg, err) < 0)
			return -1;
		if (hooks_run(spec, SPEC_HOOK_CREATE_CONTAINER, msg.text, err) < 0)
			return -1;
	}
	if (spec->process.terminal) {
		if (console_open_pty(a->rootfs, &spec->process, &master, &slave, pty_name, sizeof(pty_name), err) < 0)
			return -1;
		if (rootfs_mount_console(a->rootfs, slave, err) < 0)
			return -1;
		if (sync_send(a->sync_fd, SYNC_CONSOLE, 0, pty_name, master, err) < 0)
			return -1;
		close(master);
	}
	if (apply_sysctls(spec, err) < 0)
		return -1;
	if (rootfs_finalize(spec, a->rootfs, a->no_pivot, err) < 0)
		return -1;
	if (!a->no_new_keyring && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 &&
	    errno != ENOSYS && errno != EPERM && errno != EACCES && errno != EDQUOT)
		return berth_err_set(err, errno, "join a new session keyring");
	if (process_apply_limits(spec, err) < 0)
		return -1;
	if (prepare_fds(a, slave, err) < 0)
		return -1;
	/* Only stage 1 had to die with berth; berth-init outlives create. */
	if (prctl(PR_SET_PDEATHSIG, 0) < 0)
		return berth_err_set(err, errno, "prctl PR_SET_PDEATHSIG");
	/* berth ignores SIGPIPE and run blocks signals: an exec keeps both. */
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (sync_send(a->sync_fd, SYNC_EXEC, 0, NULL, -1, err) < 0)
		return -1;
	{
		char plan_fd[16];
		char *argv[] = { "berth-init", plan_fd, NULL };
		char *envp[] = { NULL };
		snprintf(plan_fd, sizeof(plan_fd), "%d", a->plan_fd);
		syscall(SYS_execveat, a->init_memfd, "", argv, envp, AT_EMPTY_PATH);
	}
	return berth_err_set(err, errno, "exec berth-init");
}

_Noreturn void stage1_run(const struct stage1_args *a)
{
	struct berth_err err;

	berth_err_clear(&err);
	run_stage1(a, &err);
	stage1_fail(a, &err);
}
