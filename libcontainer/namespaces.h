/* Which namespaces the container gets and how: created by clone3 in stage
 * 0, joined by path with setns, or unshared in stage 1 when they must come
 * after another step (cgroup ns after the cgroup move, time ns offsets). */
#ifndef BERTH_NAMESPACES_H
#define BERTH_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"
#include "spec.h"

struct ns_plan {
	unsigned long clone_flags;      /* for clone3 */
	int unshare_flags;              /* stage 1, after the joins */
	int join_fds[SPEC_NS_COUNT];    /* opened by stage 0, -1 if not joined */
	int host_pid_ns_fd;             /* stage 0's own pid ns while joining one */
};

/* Opens the namespaces to join and computes the flags. */
int ns_plan_prepare(const struct spec *spec, struct ns_plan *ns, struct berth_err *err);
void ns_plan_close(struct ns_plan *ns);

/* Stage 0, around clone3: a pid namespace given by path is entered for
 * the children only (setns CLONE_NEWPID), then left again. */
int ns_enter_pid_for_children(struct ns_plan *ns, struct berth_err *err);
int ns_leave_pid_for_children(struct ns_plan *ns, struct berth_err *err);

/* Stage 0: uid_map / gid_map of a new user namespace. */
int ns_write_id_maps(pid_t pid, const struct spec *spec, struct berth_err *err);

/* /proc/PID/FILE gets text in one write (uid_map, gid_map, setgroups). */
int ns_write_proc_file(pid_t pid, const char *file, const char *text, struct berth_err *err);
/* maps as "containerID hostID size" lines into /proc/PID/FILE. */
int ns_write_map(pid_t pid, const char *file, const struct spec_id_mapping *maps, size_t n, struct berth_err *err);

/* Stage 1: joins by path (user first), becomes root of a user namespace,
 * unshares the rest, and writes time namespace offsets. */
int ns_join_and_unshare(const struct spec *spec, struct ns_plan *ns, struct berth_err *err);

/* The namespaces of pid (CLONE_NEW* flags) that differ from ours: the
 * ones to join with setns. Joining one's own user namespace is an error
 * (EINVAL), the others would be no-ops. */
int ns_differing_from_ours(pid_t pid, int *flags, struct berth_err *err);

#endif
