/* Helpers shared by the lifecycle verbs inside libcontainer. */
#ifndef BERTH_CONTAINER_INTERNAL_H
#define BERTH_CONTAINER_INTERNAL_H

#include <sys/types.h>

#include "err.h"

/* Removes the files berth puts in a state dir, then the dir. */
void container_remove_state_dir(const char *dir);

/* Decimal pid, no newline, written atomically (temp file + rename) as
 * go-runc's ReadPidFile expects; a relative path is relative to cwd. */
int container_write_pid_file(const char *path, pid_t pid, struct berth_err *err);

/* pidfd_open of a process the state recorded; errno ESRCH when it is
 * gone, also when its pid now names another process's thread. */
int container_pidfd_open(pid_t pid);

/* Waits until pid has exited (pidfd; it need not be our child). */
int container_wait_gone(pid_t pid, int timeout_ms, struct berth_err *err);

/* Thaws the container's cgroup (container_cgroup.c): a frozen v1 task
 * cannot die, so kill -9 and delete --force of a paused container thaw. */
struct container_state;
int container_thaw(const struct container_state *st, struct berth_err *err);

/* A pidfd of the container's PID 1, checked to be the process the state
 * recorded (start time). A stopped container: errnum ESRCH, "container not
 * running". */
int container_init_pidfd(const struct container_state *st, struct berth_err *err);

/* config.json of the state dir with the resources changed by `update`
 * (resources.json) laid over linux.resources (container_update.c). */
struct spec;
/* The config.json copied into the state dir dir at create. */
struct spec *container_load_saved_spec(const char *dir, struct berth_err *err);
struct spec *container_load_resources(const char *dir, struct berth_err *err);

#endif
