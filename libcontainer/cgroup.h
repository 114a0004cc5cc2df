/* The container's cgroup: one small interface, with a cgroup v1
 * (per-controller hierarchies, hybrid hosts) and a cgroup v2 (unified)
 * implementation behind it, chosen from the host's layout at run time. */
#ifndef BERTH_CGROUP_H
#define BERTH_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "spec.h"

struct cgroup_manager;
struct cgroup_stats;
struct cgroup_oom_watch;

struct cgroup_ops {
	const char *name;
	/* mkdir the cgroup (and parents) in every hierarchy and apply the
	 * device rules and (through apply) linux.resources, before pid is
	 * put in. */
	int (*create)(struct cgroup_manager *m, const struct spec *spec, struct berth_err *err);
	int (*attach)(struct cgroup_manager *m, pid_t pid, struct berth_err *err);
	/* pids in the container's cgroup, nested cgroups included. */
	int (*pids)(struct cgroup_manager *m, pid_t **pids, size_t *n, struct berth_err *err);
	/* An O_PATH fd of the cgroup for clone3(CLONE_INTO_CGROUP), or -1
	 * (NULL op: v1, where a process is moved with cgroup.procs only). */
	int (*open_clone_target)(struct cgroup_manager *m, struct berth_err *err);
	/* rmdir the cgroup and every nested one (processes already gone). */
	int (*remove)(struct cgroup_manager *m, struct berth_err *err);
	/* Writes linux.resources (devices aside) to the cgroup's files, each
	 * controller through v1 or v2 as the host has it; create and update. */
	int (*apply)(struct cgroup_manager *m, const struct spec_resources *r, struct berth_err *err);
	/* pause/resume: freeze (true) or thaw; returns once the kernel has. */
	int (*freeze)(struct cgroup_manager *m, bool frozen, struct berth_err *err);
	int (*freezer_state)(struct cgroup_manager *m, bool *frozen, struct berth_err *err);
	/* Usage counters for `events` (cgroup_stats.h). */
	int (*stats)(struct cgroup_manager *m, struct cgroup_stats *out, struct berth_err *err);
	/* OOM kills: oom_watch starts watching; after w->fd polls readable,
	 * oom_read counts the kills since (*gone: the cgroup was removed). */
	int (*oom_watch)(struct cgroup_manager *m, struct cgroup_oom_watch *w, struct berth_err *err);
	int (*oom_read)(struct cgroup_oom_watch *w, unsigned *kills, bool *gone, struct berth_err *err);
};

#define CGROUP_MAX_HIERARCHIES 16

struct cgroup_manager {
	const struct cgroup_ops *ops;
	char path[4096];                   /* "/<id>", same in every hierarchy */
	size_t n_dirs;
	char *dirs[CGROUP_MAX_HIERARCHIES]; /* <mountpoint><path> per hierarchy */
	char *devices_dir;                 /* v1 devices hierarchy dir, or NULL */
	bool dir_is_v2[CGROUP_MAX_HIERARCHIES]; /* cgroup2: v2 host, or hybrid's unified */
	bool dir_made[CGROUP_MAX_HIERARCHIES];  /* create made it (else it was there) */
	/* The default path: the cgroup must be berth's own, made by create.
	 * /<id> sits among the host's own cgroups, and a container that joined
	 * one of them would take it (and whatever runs in it) along when it
	 * is deleted. */
	bool must_be_new;
};

/* How create's new process joins the container's cgroup without the lock
 * a move takes: cgroup_threadgroup_rwsem, whose write side waits for an
 * RCU grace period (10-20 ms once the host has been idle; every runtime
 * that writes a pid to cgroup.procs pays it). The cgroup2 hierarchy (v2,
 * or hybrid's unified) is joined at birth with CLONE_INTO_CGROUP; each v1
 * hierarchy by the child itself, writing "0" (the calling thread, which is
 * the whole single-threaded process) to `tasks`: the one write the kernel
 * lets skip that lock. */
struct cgroup_join {
	int clone_fd;                              /* CLONE_INTO_CGROUP target, or -1 */
	int task_fds[CGROUP_MAX_HIERARCHIES];      /* v1 `tasks`, for the child */
	size_t n_task_fds;
};

/* Opens what the join needs (the cgroup must exist: after create). */
int cgroup_join_prepare(struct cgroup_manager *m, struct cgroup_join *j, struct berth_err *err);
/* The child, first thing after clone: joins every v1 hierarchy. */
int cgroup_join_self(const struct cgroup_join *j, struct berth_err *err);
/* The parent, after clone: moves pid where neither covered it (placed:
 * CLONE_INTO_CGROUP took effect). */
int cgroup_join_finish(struct cgroup_manager *m, const struct cgroup_join *j, pid_t pid, bool placed,
		       struct berth_err *err);
void cgroup_join_close(struct cgroup_join *j);
/* cgroup2: a cgroup with controllers enabled below it takes no processes
 * (EBUSY), and systemd or a nested runtime leaves the container's that way
 * (its own processes moved into a child first). Then a new process goes
 * where the container's PID 1 is, as runc does: j->clone_fd becomes that
 * cgroup, which must be below the container's. */
int cgroup_join_use_init_cgroup(struct cgroup_manager *m, struct cgroup_join *j, pid_t init, struct berth_err *err);

/* linux.cgroupsPath -> absolute cgroup path: "" -> /<id> (as crun); relative ->
 * under berth's own cgroup; ".." components are refused. */
int cgroup_resolve_path(const char *cgroups_path, const char *id, char *out, size_t len,
			struct berth_err *err);

/* Detects the host layout and fills the per-hierarchy dirs for path. */
struct cgroup_manager *cgroup_manager_open(const char *path, struct berth_err *err);
void cgroup_manager_free(struct cgroup_manager *m);

/* Sends sig to every process in the cgroup. */
int cgroup_signal_all(struct cgroup_manager *m, int sig, struct berth_err *err);

/* Kills what is left (SIGKILL until empty) and removes the cgroup. */
int cgroup_destroy(struct cgroup_manager *m, struct berth_err *err);
/* For a failed create: forgets the directories create did not make, so
 * that cgroup_destroy then leaves a cgroup the container only joined (and
 * whatever else runs there) alone. */
void cgroup_forget_joined(struct cgroup_manager *m);

extern const struct cgroup_ops cgroup_v1_ops, cgroup_v2_ops;

/* Freezer (cgroup_freezer.c). cgroup_path_frozen is the cheap check for
 * state: true when the cgroup at that path is frozen or freezing. */
int cgroup_v1_freeze(struct cgroup_manager *m, bool frozen, struct berth_err *err);
int cgroup_v1_freezer_state(struct cgroup_manager *m, bool *frozen, struct berth_err *err);
int cgroup_v2_freeze(struct cgroup_manager *m, bool frozen, struct berth_err *err);
int cgroup_v2_freezer_state(struct cgroup_manager *m, bool *frozen, struct berth_err *err);
bool cgroup_path_frozen(const char *cgroup_path);

/* Shared by both implementations. */
int cgroup_read_procs_tree(const char *dir, pid_t **pids, size_t *n, size_t *cap, struct berth_err *err);
/* mkdir -p; on_new (may be NULL) runs for each directory made, leaf true
 * for dir itself, false for an ancestor made on the way; parent_new: this
 * call made the directory's parent (and ran on_new on it) just before.
 * parent_missing (may be NULL) carries a guess from one hierarchy to the
 * next: when the last dir's parent was missing, start with the parent
 * (two mkdirs where finding out again takes three); set when it was. */
typedef int (*cgroup_on_new_fn)(const char *path, bool leaf, bool parent_new, struct berth_err *err);
/* *made: this call made dir itself (set even when on_new then failed). */
int cgroup_mkdir_p(const char *dir, cgroup_on_new_fn on_new, bool *parent_missing, bool *made,
		   struct berth_err *err);
/* create: cgroup_mkdir_p of dir i, noting whether it made it; refuses a
 * default path that was there. */
int cgroup_make_dir(struct cgroup_manager *m, size_t i, cgroup_on_new_fn on_new, bool *parent_missing,
		    struct berth_err *err);
int cgroup_rmdir_tree(const char *dir, struct berth_err *err);
int cgroup_write_file(const char *dir, const char *file, const char *value, struct berth_err *err);
/* The first line of dir/file into buf (len bytes), without its newline. */
int cgroup_read_value(const char *dir, const char *file, char *buf, size_t len, struct berth_err *err);

#endif
