/* libcontainer's public API: everything the CLI does to a container goes
 * through these calls, so berth can also be linked as a library. */
#ifndef BERTH_CONTAINER_H
#define BERTH_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"
#include "state.h"

struct berth_ctx {
	const char *root;          /* state root, default /run/berth */
	bool systemd_cgroup;
	bool rootless;
};

struct berth_create_opts {
	const char *id;
	const char *bundle;        /* default "." */
	const char *console_socket;
	const char *pid_file;
	const char *pidfd_socket;  /* gets a pidfd of the container's PID 1 */
	bool no_pivot;
	bool no_new_keyring;
	unsigned preserve_fds;
	unsigned listen_fds;       /* $LISTEN_FDS: passed on before preserve_fds */
	/* berth run in the foreground: keep the pty master (terminal: true
	 * without --console-socket) for the caller to proxy. */
	bool keep_console;
};

struct berth_created {
	pid_t init_pid;
	int console_master;        /* keep_console: the pty master, else -1 */
	/* The state as create saved it (status created), for the caller to
	 * go on with (berth run); state_free it. */
	struct container_state state;
};

int berth_container_create(const struct berth_ctx *ctx, const struct berth_create_opts *opts,
			   struct berth_created *out, struct berth_err *err);
int berth_container_start(const struct berth_ctx *ctx, const char *id, struct berth_err *err);
/* start and delete on a state the caller holds and has not let go of
 * since (berth run: berth_created.state), instead of reading it back from
 * the state dir; they keep it up to date. */
int berth_container_start_state(const struct berth_ctx *ctx, struct container_state *st, struct berth_err *err);
int berth_container_delete_state(const struct berth_ctx *ctx, struct container_state *st, bool force,
				 struct berth_err *err);
/* signal: a name (with or without SIG), a number, or NULL/"" for the
 * default: SIGTERM, or SIGRTMIN+3 to a running systemd container without
 * all (systemd halts on it and re-executes itself on SIGTERM). */
int berth_container_kill(const struct berth_ctx *ctx, const char *id, const char *signal, bool all,
			 struct berth_err *err);
int berth_container_delete(const struct berth_ctx *ctx, const char *id, bool force, struct berth_err *err);

/* Freezes / thaws every process of a running (or created) container, as
 * runc: "container not running" / "container not paused" otherwise. */
int berth_container_pause(const struct berth_ctx *ctx, const char *id, struct berth_err *err);
int berth_container_resume(const struct berth_ctx *ctx, const char *id, struct berth_err *err);

/* Host pids of every process in the container's cgroup, nested cgroups
 * included, sorted (malloc'd; *n may be 0). */
int berth_container_pids(const struct berth_ctx *ctx, const char *id, pid_t **pids, size_t *n,
			 struct berth_err *err);

/* `events`: one stats object (stats_only), or a stream of stats every
 * interval_ms and oom objects as they happen, until the container stops.
 * Each object is handed to emit as one line of JSON without newline. */
struct berth_events_opts {
	bool stats_only;
	unsigned interval_ms;
	int (*emit)(const char *json, size_t len, void *data);
	void *data;
};
int berth_container_events(const struct berth_ctx *ctx, const char *id, const struct berth_events_opts *opts,
			   struct berth_err *err);

/* `update`: writes r's memory, cpu, cpuset, blockIO.weight, pids and
 * unified members to a container that has not stopped and records them in
 * the state dir (resources.json). r comes from berth_resources_parse (a
 * linux.resources JSON object, errors naming the member) or is filled from
 * flags. */
struct spec_resources;
struct spec_resources *berth_resources_parse(const char *json, size_t len, struct berth_err *err);
void berth_resources_free(struct spec_resources *r);
int berth_container_update(const struct berth_ctx *ctx, const char *id, const struct spec_resources *r,
			   struct berth_err *err);

/* `exec`: runs a process in a created or running container. Without
 * process_file the container's process is the template: args, and the
 * overrides below. See berth_container_exec. */
struct berth_exec_opts {
	const char *id;
	const char *process_file;  /* --process: an OCI process JSON */
	char *const *args;         /* the command (NULL-terminated) */
	const char *console_socket;
	const char *pidfd_socket;
	const char *pid_file;
	bool tty, detach, ignore_paused;
	const char *cwd;
	char *const *env;          /* "K=V" added to the container's env */
	const char *user;          /* "uid[:gid]" */
	char *const *additional_gids;
	char *const *caps;         /* added to bounding, effective, permitted */
	bool no_new_privs;
	const char *apparmor, *process_label;
	unsigned preserve_fds;
	const char *cgroup;        /* "[controller[,controller]:]sub/path" */
	/* A terminal without --console-socket: the caller gets the master
	 * to proxy (berth exec -t in the foreground). */
	bool keep_console;
};

struct berth_exec_result {
	pid_t pid;                 /* host pid of the exec'd process, our child */
	int console_master;        /* keep_console: the pty master, else -1 */
};

/* Joins every namespace and the cgroup of the container, applies the
 * process (user, caps, seccomp, rlimits, labels, no_new_privs) and execs
 * it as a child of the caller. Returns once it has exec'd (the pid file is
 * written then): the caller waits for it, or (detach) leaves it to its
 * subreaper. */
int berth_container_exec(const struct berth_ctx *ctx, const struct berth_exec_opts *opts,
			 struct berth_exec_result *out, struct berth_err *err);

/* `berth mount`: attaches a mount at destination (absolute, inside the
 * container's root) of a creating, created or running container, without
 * mounting anything in the host's mount namespace (storage.c). */
struct berth_mount_opts {
	const char *id;
	const char *source;      /* host path; with from, a path in that container;
				    with type, the filesystem's source */
	const char *destination;
	const char *type;        /* a new filesystem of this type; NULL or "bind": a bind */
	const char *options;     /* "o1,o2": mount attributes; fs options with type */
	const char *from;        /* another container's id, or NULL */
	bool readonly, recursive, idmap;
};
int berth_container_mount(const struct berth_ctx *ctx, const struct berth_mount_opts *opts, struct berth_err *err);
/* Removes what `berth mount` attached at destination (MNT_DETACH when lazy). */
int berth_container_umount(const struct berth_ctx *ctx, const char *id, const char *destination, bool lazy,
			   struct berth_err *err);
/* What `berth mount` attached, in order (free with attached_mounts_free). */
int berth_container_mounts(const struct berth_ctx *ctx, const char *id, struct attached_mounts *out,
			   struct berth_err *err);

/* Loads the state (status derived) with the attached mounts; the caller
 * frees it with state_free. */
int berth_container_state(const struct berth_ctx *ctx, const char *id, struct container_state *st,
			  struct berth_err *err);

/* Signal names as runc takes them: "KILL", "SIGKILL", "9", "RTMIN+3". */
int berth_parse_signal(const char *s, int *sig, struct berth_err *err);

#endif
