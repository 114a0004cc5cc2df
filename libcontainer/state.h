/* The container's state directory <root>/<id>/: state.json (OCI state plus
 * what berth needs), init.sock, and a copy of the config. Status is derived
 * when read: a dead, zombie or reused init pid means "stopped". */
#ifndef BERTH_STATE_H
#define BERTH_STATE_H

#include <stdbool.h>
#include <limits.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "err.h"
#include "spec.h"
#include "storage_record.h"

#define BERTH_ID_MAX NAME_MAX /* the id names the state dir and cgroup */

enum container_status {
	STATUS_CREATING, STATUS_CREATED, STATUS_RUNNING, STATUS_PAUSED, STATUS_STOPPED
};

/* What berth itself recorded about how far the container got. */
enum container_phase { PHASE_CREATING, PHASE_CREATED, PHASE_STARTED };

struct container_state {
	char *id;
	char *oci_version;
	char *bundle;                /* absolute */
	char *rootfs;                /* absolute */
	pid_t init_pid;
	unsigned long long init_start_time; /* /proc/<pid>/stat field 22 */
	char *created;               /* RFC 3339 with nanoseconds, UTC */
	char *owner;                 /* filled for list only (state_dir_owner) */
	enum container_phase phase;
	char *cgroup_path;           /* as placed in every hierarchy, "/berth/x" */
	struct spec_kv *annotations; size_t n_annotations;
	/* The hook kinds the saved config.json has (bit 1 << spec_hook_kind):
	 * start and delete read and parse it only for those. False known: a
	 * state.json of an older berth, which has no such record. */
	unsigned hook_kinds;
	bool hook_kinds_known;
	/* `berth mount`'s record (mounts.json): filled by berth_container_state
	 * only, printed by state_oci_json when not empty. */
	struct attached_mounts mounts;
	/* state.json is on disk (loaded, or saved once): the next save
	 * replaces it by exchange, a first one renames into place. */
	bool on_disk;
	/* derived by state_load */
	enum container_status status;
};

const char *container_status_name(enum container_status s);

/* Checks an id: 1..BERTH_ID_MAX chars of [A-Za-z0-9_+.-], not "." or "..". */
int container_id_validate(const char *id, struct berth_err *err);

/* <root>/<id> into buf. */
int state_dir_path(const char *root, const char *id, char *buf, size_t len, struct berth_err *err);

/* Writes state.json atomically (temp file, rename). */
int state_save(const char *dir, const struct container_state *st, struct berth_err *err);

/* dir/name replaced atomically by buf: a temp file (mode) renamed over it,
 * so a reader sees the old or the new text, never part of one. No fsync:
 * the state dir describes processes, which a power loss ends too, and
 * `start` must not wait for a disk flush while the workload already runs.
 * State files, the saved config.json and the pid file go through here. */
int state_write_file(const char *dir, const char *name, const void *buf, size_t len, mode_t mode,
		     struct berth_err *err);
/* The same for a name that cannot exist yet (a file of a state dir just
 * made): the temp file is renamed, without first trying to exchange. */
int state_create_file(const char *dir, const char *name, const void *buf, size_t len, mode_t mode,
		      struct berth_err *err);

/* Reads <root>/<id>/state.json and derives status. A missing container
 * gives errnum ENOENT and `container "id" does not exist`. */
int state_load(const char *root, const char *id, struct container_state *st, struct berth_err *err);

void state_free(struct container_state *st);

/* Who owns the container, as runc's list says it: the name of the state
 * dir's owner from /etc/passwd, "#<uid>" without one (malloc'd; NULL if
 * the dir is gone). `state` leaves it empty, as runc does. */
char *state_dir_owner(const char *root, const char *id);

/* The OCI state JSON as runc prints it (indented with two spaces when
 * pretty). status_override: NULL to use st->status. Returns malloc'd text. */
char *state_oci_json(const struct container_state *st, bool pretty, const char *status_override,
		     struct berth_err *err);

/* An exclusive flock on fd, just opened from path (fd -1: the open failed,
 * errno says why). Returns fd, or -1 with fd closed. */
int state_flock(int fd, const char *path, struct berth_err *err);

/* Takes an exclusive flock on the state dir; returns the fd (O_CLOEXEC). */
int state_lock(const char *dir, struct berth_err *err);

/* Start time of pid from /proc/<pid>/stat (0 if gone). *zombie set when
 * the process is a zombie or dead. */
unsigned long long proc_start_time(pid_t pid, bool *zombie);

/* Lists the ids under root (malloc'd array of malloc'd strings). */
int state_list_ids(const char *root, char ***ids, size_t *n, struct berth_err *err);

/* Current time in RFC 3339 with nanoseconds (Go's RFC3339Nano). */
void rfc3339_nano_now(char *buf, size_t len);

/* ts in UTC as Go's RFC3339Nano ("2026-12-05T04:19:09.5Z"). */
void rfc3339_nano(const struct timespec *ts, char *buf, size_t len);

#endif
