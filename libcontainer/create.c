/* berth create, stage 0: validate, claim the id, make the cgroup, clone the
 * container's first process and drive it until berth-init runs. A failure
 * anywhere removes everything made so far. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "clone.h"
#include "console.h"
#include "fdpass.h"
#include "container.h"
#include "container_internal.h"
#include "hooks.h"
#include "init_memfd.h"
#include "log.h"
#include "mount_idmap.h"
#include "namespaces.h"
#include "plan_build.h"
#include "spec_systemd.h"
#include "stage1.h"
#include "sync.h"

struct create_run {
	const struct berth_ctx *ctx;
	const struct berth_create_opts *opts;
	struct spec *spec;
	char *config_text;          /* config.json as parsed, saved as is */
	size_t config_len;
	char bundle[PATH_MAX];
	char rootfs[PATH_MAX];
	char dir[PATH_MAX];
	bool dir_made;
	int lock_fd, init_memfd, plan_fd, control_fd, sync_fd;
	struct cgroup_manager *cgroup;
	struct cgroup_join join;    /* how stage 1 joins the cgroup (cgroup.h) */
	bool placed;                /* born in the cgroup2 hierarchy */
	bool go_sent;               /* GO given at the clone: stage1_runs_alone */
	int stdio_fds[2];           /* run.berth.stdout / .stderr files, or -1 */
	struct ns_plan ns;
	bool ns_prepared;
	pid_t pid;
	int console_master;
	unsigned preserve_fds;      /* $LISTEN_FDS + --preserve-fds */
	struct container_state st;
};

static int resolve_paths(struct create_run *r, struct berth_err *err)
{
	const char *bundle = r->opts->bundle && *r->opts->bundle ? r->opts->bundle : ".";
	char joined[PATH_MAX * 2];

	if (!realpath(bundle, r->bundle))
		return berth_err_set(err, errno, "bundle \"%s\"", bundle);
	r->spec = spec_load_bundle_json(r->bundle, &r->config_text, &r->config_len, err);
	if (!r->spec)
		return -1;
	if (r->spec->root_path[0] == '/')
		snprintf(joined, sizeof(joined), "%s", r->spec->root_path);
	else
		snprintf(joined, sizeof(joined), "%s/%s", r->bundle, r->spec->root_path);
	if (!realpath(joined, r->rootfs))
		return berth_err_set(err, errno, "config.json: root.path \"%s\"", joined);
	return 0;
}

/* Socket activation: the workload learns about the fds the way systemd
 * tells them; berth-init sets LISTEN_PID to the workload's own pid. */
static int add_listen_env(struct spec *spec, unsigned n, struct berth_err *err)
{
	size_t count = 0;
	char **env;

	while (spec->process.env && spec->process.env[count])
		count++;
	env = realloc(spec->process.env, (count + 3) * sizeof(char *));
	if (!env)
		return berth_err_set(err, ENOMEM, "LISTEN_FDS");
	spec->process.env = env;
	if (asprintf(&env[count], "LISTEN_FDS=%u", n) < 0 || !(env[count + 1] = strdup("LISTEN_PID=1"))) {
		env[count] = NULL;
		return berth_err_set(err, ENOMEM, "LISTEN_FDS");
	}
	env[count + 2] = NULL;
	return 0;
}

static int check_console_and_fds(struct create_run *r, struct berth_err *err)
{
	const struct berth_create_opts *o = r->opts;

	if (r->spec->process.terminal && !o->console_socket && !o->keep_console)
		return berth_err_msg(err, EINVAL,
				     "cannot allocate tty if berth will detach without setting console socket");
	if (!r->spec->process.terminal && o->console_socket)
		return berth_err_msg(err, EINVAL, "cannot use console socket if berth will not allocate tty");
	r->preserve_fds = o->listen_fds + o->preserve_fds;
	for (unsigned i = 0; i < r->preserve_fds; i++)
		if (fcntl(3 + (int)i, F_GETFD) < 0)
			return berth_err_set(err, EBADF, "--preserve-fds/LISTEN_FDS: fd %u is not open", 3 + i);
	if (o->listen_fds)
		return add_listen_env(r->spec, o->listen_fds, err);
	return 0;
}

/* The state root and its parents, as runc's MkdirAll: Docker passes
 * <exec-root>/runtime-runc/moby before anything made it. */
static int make_root(const char *root, struct berth_err *err)
{
	char path[PATH_MAX];

	if (mkdir(root, 0711) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT || strlen(root) >= sizeof(path))
		return berth_err_set(err, errno, "make root \"%s\"", root);
	snprintf(path, sizeof(path), "%s", root);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0711) < 0 && errno != EEXIST)
			return berth_err_set(err, errno, "make root \"%s\"", path);
		*p = '/';
	}
	if (mkdir(path, 0711) < 0 && errno != EEXIST)
		return berth_err_set(err, errno, "make root \"%s\"", root);
	return 0;
}

static int claim_id(struct create_run *r, struct berth_err *err)
{
	const char *root = r->ctx->root;

	if (make_root(root, err) < 0)
		return -1;
	if (state_dir_path(root, r->opts->id, r->dir, sizeof(r->dir), err) < 0)
		return -1;
	/* mkdir is the claim: EEXIST means the id is taken. */
	if (mkdir(r->dir, 0711) < 0) {
		if (errno == EEXIST)
			return berth_err_set(err, 0, "container with id \"%s\" already exists", r->opts->id);
		return berth_err_set(err, errno, "make state directory \"%s\"", r->dir);
	}
	r->dir_made = true;
	r->lock_fd = state_lock(r->dir, err);
	return r->lock_fd < 0 ? -1 : 0;
}

/* The state dir's config.json: the text parsed, not the bundle's file read
 * again (it may have changed since). */
static int copy_config(struct create_run *r, struct berth_err *err)
{
	return state_create_file(r->dir, "config.json", r->config_text, r->config_len, 0600, err);
}

static int prepare_cgroup(struct create_run *r, struct berth_err *err)
{
	char path[PATH_MAX];

	if (r->ctx->systemd_cgroup && access("/run/systemd/system", F_OK) < 0)
		return berth_err_set(err, 0, "--systemd-cgroup: systemd is not running on this host (no /run/systemd/system)");
	if (cgroup_resolve_path(r->spec->linux_.cgroups_path, r->opts->id, path, sizeof(path), err) < 0)
		return -1;
	r->cgroup = cgroup_manager_open(path, err);
	if (!r->cgroup)
		return berth_err_wrap(err, "cgroup");
	r->cgroup->must_be_new = !r->spec->linux_.cgroups_path || !*r->spec->linux_.cgroups_path;
	r->st.cgroup_path = strdup(path);
	if (r->cgroup->ops->create(r->cgroup, r->spec, err) < 0)
		return berth_err_wrap(err, "cgroup");
	if (cgroup_join_prepare(r->cgroup, &r->join, err) < 0)
		return berth_err_wrap(err, "cgroup");
	return 0;
}

/* Annotations run.berth.stdout / run.berth.stderr: host files the
 * workload gets as fd 1 / 2, opened here (O_APPEND, created if missing) so
 * that a container's output outlives it whoever collects it. */
static const char *const stdio_annotations[2] = { SPEC_ANNOTATION_STDOUT, SPEC_ANNOTATION_STDERR };

static int open_stdio_files(struct create_run *r, struct berth_err *err)
{
	for (int i = 0; i < 2; i++) {
		const char *path = spec_annotation(r->spec, stdio_annotations[i]);
		if (!path)
			continue;
		if (path[0] != '/')
			return berth_err_msg(err, EINVAL, "annotations[\"%s\"]: \"%s\" is not an absolute path",
					     stdio_annotations[i], path);
		struct stat st;
		/* A log file, never a device, fifo or a symlink planted there. */
		r->stdio_fds[i] = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0640);
		if (r->stdio_fds[i] < 0)
			return berth_err_set(err, errno, "annotations[\"%s\"]: open \"%s\"", stdio_annotations[i],
					     path);
		if (fstat(r->stdio_fds[i], &st) < 0 || !S_ISREG(st.st_mode))
			return berth_err_msg(err, EINVAL, "annotations[\"%s\"]: \"%s\" is not a regular file",
					     stdio_annotations[i], path);
		if (fcntl(r->stdio_fds[i], F_SETFL, O_APPEND) < 0)
			return berth_err_set(err, errno, "annotations[\"%s\"]: \"%s\"", stdio_annotations[i], path);
	}
	return 0;
}

static int prepare_init(struct create_run *r, struct berth_err *err)
{
	char sock_path[PATH_MAX + 16];
	struct plan_buf plan = { 0 };
	struct plan_opts popts;
	int rc;

	r->init_memfd = init_memfd_create(err);
	if (r->init_memfd < 0)
		return -1;
	snprintf(sock_path, sizeof(sock_path), "%s/init.sock", r->dir);
	r->control_fd = unix_listen(sock_path, SOCK_SEQPACKET, err);
	if (r->control_fd < 0)
		return berth_err_wrap(err, "init.sock");
	if (open_stdio_files(r, err) < 0)
		return -1;
	popts = (struct plan_opts){ .control_fd = r->control_fd, .tty = r->spec->process.terminal,
				    .preserve_fds = r->preserve_fds, .stdout_fd = r->stdio_fds[0],
				    .stderr_fd = r->stdio_fds[1], .report_fd = -1,
				    .seccomp_cache_dir = r->ctx->root };
	if (plan_build(r->spec, &popts, &plan, err) < 0)
		return -1;
	rc = data_memfd_create("berth-plan", plan.data, plan.len, err);
	plan_buf_free(&plan);
	if (rc < 0)
		return -1;
	r->plan_fd = rc;
	return 0;
}

/* Stage 1 may run in berth's own memory (clone_child_sharing_memory: no
 * copy-on-write faults on either side, about 60 page faults fewer) when it
 * needs no answer from berth until it has exec'd berth-init, since berth
 * waits meanwhile: no user namespace to map ids for, no idmapped mounts to
 * make, no prestart, createRuntime or createContainer hooks to run between
 * its steps. Its GO then goes into the socket before the clone. Not with a
 * time namespace either: stage 1 enters it (namespaces.c), which the
 * kernel refuses a process whose memory is shared (EUSERS). */
static bool stage1_runs_alone(const struct spec *spec)
{
	if (spec->linux_.namespaces[SPEC_NS_USER].present || spec->linux_.namespaces[SPEC_NS_TIME].present ||
	    hooks_during_create(spec))
		return false;
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (mount_is_idmapped(&spec->mounts[i]))
			return false;
	return true;
}

struct stage1_start {
	struct stage1_args a;
	int parent_end; /* berth's end of the socket pair */
};

static _Noreturn void stage1_entry(void *arg)
{
	const struct stage1_start *s = arg;

	close(s->parent_end);
	stage1_run(&s->a);
}

static int clone_stage1(struct create_run *r, struct berth_err *err)
{
	struct stage1_start s;
	int pair[2];
	pid_t pid = -1;

	if (ns_plan_prepare(r->spec, &r->ns, err) < 0)
		return -1;
	r->ns_prepared = true;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		return berth_err_set(err, errno, "socketpair");
	r->go_sent = stage1_runs_alone(r->spec);
	if (ns_enter_pid_for_children(&r->ns, err) < 0)
		goto fail;
	s = (struct stage1_start){ .parent_end = pair[0],
				   .a = { .spec = r->spec, .rootfs = r->rootfs, .bundle = r->bundle, .ns = &r->ns,
					  .sync_fd = pair[1], .init_memfd = r->init_memfd, .plan_fd = r->plan_fd,
					  .control_fd = r->control_fd, .no_pivot = r->opts->no_pivot,
					  .no_new_keyring = r->opts->no_new_keyring, .preserve_fds = r->preserve_fds,
					  .stdout_fd = r->stdio_fds[0], .stderr_fd = r->stdio_fds[1],
					  .cgroup_join = &r->join, .cgroup = r->cgroup, .go_given = r->go_sent } };
	/* v2: born in its cgroup; attach() later is a no-op then, and moves
	 * it on v1 or where the kernel refused CLONE_INTO_CGROUP. */
	if (r->go_sent)
		pid = clone_child_sharing_memory(r->ns.clone_flags, r->join.clone_fd, stage1_entry, &s, &r->placed);
	if (!r->go_sent || (pid < 0 && errno == ENOSYS)) {
		pid = clone_child(r->ns.clone_flags, r->join.clone_fd, NULL, &r->placed);
		if (pid == 0)
			stage1_entry(&s);
	}
	if (pid < 0) {
		int e = errno;
		ns_leave_pid_for_children(&r->ns, err);
		berth_err_set(err, e, "clone3");
		goto fail;
	}
	close(pair[1]);
	r->pid = pid;
	r->sync_fd = pair[0];
	return ns_leave_pid_for_children(&r->ns, err);
fail:
	close(pair[0]);
	close(pair[1]);
	return -1;
}

static int record_state(struct create_run *r, enum container_phase phase, struct berth_err *err)
{
	bool zombie;

	r->st.phase = phase;
	r->st.init_pid = r->pid;
	r->st.init_start_time = proc_start_time(r->pid, &zombie);
	if (state_save(r->dir, &r->st, err) < 0)
		return -1;
	r->st.on_disk = true;
	return 0;
}

static char *state_json_for_hooks(struct create_run *r, const char *status, struct berth_err *err)
{
	r->st.status = STATUS_CREATING;
	return state_oci_json(&r->st, false, status, err);
}

static int run_create_hooks(struct create_run *r, struct berth_err *err)
{
	char *json = state_json_for_hooks(r, "creating", err);
	int rc = -1;

	if (!json)
		return -1;
	if (hooks_run(r->spec, SPEC_HOOK_PRESTART, json, err) < 0 ||
	    hooks_run(r->spec, SPEC_HOOK_CREATE_RUNTIME, json, err) < 0)
		goto out;
	rc = sync_send(r->sync_fd, SYNC_HOOKS_DONE, 0, json, -1, err);
out:
	free(json);
	return rc;
}

/* Stage 1 went on in its child, born in a new pid namespace of a joined
 * user namespace (stage1.c), and exits: the child is the container's init
 * from now on, and ours (CLONE_PARENT). */
static int take_over_from_stage1_child(struct create_run *r, pid_t child, struct berth_err *err)
{
	if (child <= 0)
		return berth_err_set(err, EPROTO, "bad pid %d from container init", (int)child);
	while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
		;
	r->pid = child;
	return record_state(r, PHASE_CREATING, err);
}

/* Answers stage 1 until it has exec'd berth-init (end-of-file after
 * SYNC_EXEC) or failed. */
static int drive_stage1(struct create_run *r, struct berth_err *err)
{
	static struct sync_msg msg;
	bool exec_sent = false;

	for (;;) {
		int fd = -1;
		int rc = sync_recv(r->sync_fd, &msg, &fd, err);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			if (exec_sent)
				return 0;
			return berth_err_set(err, 0, "container init exited before it was ready");
		}
		switch (msg.type) {
		case SYNC_HOOKS:
			if (run_create_hooks(r, err) < 0)
				return -1;
			break;
		case SYNC_CONSOLE:
			if (fd < 0)
				return berth_err_set(err, EPROTO, "console: no pty received");
			if (r->opts->console_socket) {
				rc = console_send_to_socket(r->opts->console_socket, fd, msg.text, err);
				close(fd);
				if (rc < 0)
					return -1;
			} else {
				r->console_master = fd;
			}
			break;
		case SYNC_EXEC:
			exec_sent = true;
			break;
		case SYNC_PID:
			if (fd >= 0)
				close(fd);
			if (take_over_from_stage1_child(r, msg.errnum, err) < 0)
				return -1;
			break;
		case SYNC_ERROR:
			berth_err_set(err, 0, "%s", msg.text);
			err->errnum = msg.errnum;
			return -1;
		default:
			if (fd >= 0)
				close(fd);
			return berth_err_set(err, EPROTO, "unexpected message %u from container init", msg.type);
		}
	}
}

static int start_stage1(struct create_run *r, struct berth_err *err)
{
	if (clone_stage1(r, err) < 0)
		return -1;
	if (ns_write_id_maps(r->pid, r->spec, err) < 0 || cgroup_join_finish(r->cgroup, &r->join, r->pid, r->placed, err) < 0)
		return -1;
	/* Idmapped mounts need the host's privileges: made here, sent before GO. */
	if (mount_idmap_send(r->spec, r->bundle, r->pid, r->ns.join_fds[SPEC_NS_USER], r->sync_fd, err) < 0)
		return -1;
	if (!r->go_sent && sync_send(r->sync_fd, SYNC_GO, 0, NULL, -1, err) < 0)
		return -1;
	/* Written while stage 1 mounts (two cores): nothing reads the state
	 * before stage 1 asks for the hooks, which this thread answers after.
	 * Stage 1 that ran alone has no hooks, and in berth's memory it has
	 * already exec'd (or failed) by now: the first state is "created". */
	if (!r->go_sent && record_state(r, PHASE_CREATING, err) < 0)
		return -1;
	return drive_stage1(r, err);
}

static void fill_state(struct create_run *r)
{
	char created[64];

	rfc3339_nano_now(created, sizeof(created));
	r->st.id = strdup(r->opts->id);
	r->st.oci_version = strdup(r->spec->oci_version);
	r->st.bundle = strdup(r->bundle);
	r->st.rootfs = strdup(r->rootfs);
	r->st.created = strdup(created);
	for (int k = 0; k < SPEC_HOOK_KIND_COUNT; k++)
		if (r->spec->hooks[k].n)
			r->st.hook_kinds |= 1u << k;
	r->st.hook_kinds_known = true;
	if (r->spec->n_annotations) {
		r->st.annotations = calloc(r->spec->n_annotations, sizeof(*r->st.annotations));
		for (size_t i = 0; r->st.annotations && i < r->spec->n_annotations; i++) {
			r->st.annotations[i].key = strdup(r->spec->annotations[i].key);
			r->st.annotations[i].value = strdup(r->spec->annotations[i].value);
			r->st.n_annotations++;
		}
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Undoes whatever was made: the process, the cgroup, the state dir. */
static void create_cleanup(struct create_run *r, bool failed)
{
	struct berth_err ignored;

	if (failed && r->pid > 0) {
		kill(r->pid, SIGKILL);
		while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (failed && r->cgroup) {
		cgroup_forget_joined(r->cgroup);
		cgroup_destroy(r->cgroup, &ignored);
	}
	if (failed && r->dir_made)
		container_remove_state_dir(r->dir);
	if (failed)
		close_fd(&r->console_master);
	close_fd(&r->sync_fd);
	close_fd(&r->plan_fd);
	close_fd(&r->init_memfd);
	close_fd(&r->control_fd);
	close_fd(&r->stdio_fds[0]);
	close_fd(&r->stdio_fds[1]);
	close_fd(&r->lock_fd);
	if (r->ns_prepared)
		ns_plan_close(&r->ns);
	cgroup_join_close(&r->join);
	cgroup_manager_free(r->cgroup);
	spec_free(r->spec);
	free(r->config_text);
	state_free(&r->st);
}

/* --pidfd-socket: a pidfd of PID 1, sent as runc sends it (the console
 * socket protocol), so the caller can wait for and signal the container
 * without pid reuse races. */
static int send_init_pidfd(const char *socket_path, pid_t pid, struct berth_err *err)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int rc;

	if (pidfd < 0)
		return berth_err_set(err, errno, "pidfd_open %d", (int)pid);
	rc = fdpass_send_to_path(socket_path, "pidfd", pidfd, err);
	close(pidfd);
	return rc < 0 ? berth_err_wrap(err, "pidfd socket") : 0;
}

int berth_container_create(const struct berth_ctx *ctx, const struct berth_create_opts *opts,
			   struct berth_created *out, struct berth_err *err)
{
	struct create_run r = { .ctx = ctx, .opts = opts, .lock_fd = -1, .init_memfd = -1, .plan_fd = -1,
				.control_fd = -1, .sync_fd = -1, .console_master = -1, .join = { .clone_fd = -1 },
				.stdio_fds = { -1, -1 } };
	int rc = -1;

	if (container_id_validate(opts->id, err) < 0)
		return -1;
	/* systemd's defaults go in before anything reads the spec's mounts,
	 * namespaces or process (they are not in the saved config.json). */
	if (resolve_paths(&r, err) < 0 || spec_systemd_apply_defaults(r.spec, err) < 0 ||
	    check_console_and_fds(&r, err) < 0)
		goto out;
	if (claim_id(&r, err) < 0)
		goto out;
	fill_state(&r);
	if (copy_config(&r, err) < 0 || prepare_cgroup(&r, err) < 0 || prepare_init(&r, err) < 0 ||
	    start_stage1(&r, err) < 0)
		goto out;
	if (record_state(&r, PHASE_CREATED, err) < 0)
		goto out;
	if (opts->pidfd_socket && send_init_pidfd(opts->pidfd_socket, r.pid, err) < 0)
		goto out;
	if (opts->pid_file && container_write_pid_file(opts->pid_file, r.pid, err) < 0)
		goto out;
	out->init_pid = r.pid;
	out->console_master = r.console_master;
	out->state = r.st;
	out->state.status = STATUS_CREATED;
	memset(&r.st, 0, sizeof(r.st));
	rc = 0;
out:
	create_cleanup(&r, rc < 0);
	return rc;
}
