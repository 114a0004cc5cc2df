/* linux.resources -> cgroup files, shared by the v1 and v2 managers only.
 *
 * Each controller has a v1 writer (cgroup_v1_resources.c) and a v2 writer
 * (cgroup_v2_resources.c) that fill one cgroup directory. Which one runs is
 * decided per controller at run time: a controller mounted as a v1 hierarchy
 * goes through its v1 files, otherwise through the unified hierarchy when it
 * is listed in its cgroup.controllers (hybrid hosts), and on a pure v2 host
 * everything goes through v2. */
#ifndef BERTH_CGROUP_RESOURCES_H
#define BERTH_CGROUP_RESOURCES_H

#include <stdbool.h>

#include "cgroup.h"

typedef int (*cgroup_set_fn)(const char *dir, const struct spec_resources *r, struct berth_err *err);

struct cgroup_controller {
	const char *v1_name;       /* hierarchy option in mountinfo ("blkio") */
	const char *v2_name;       /* name in cgroup.controllers ("io"), NULL: none */
	const char *config_key;    /* for errors: "linux.resources.blockIO" */
	bool (*wanted)(const struct spec_resources *r);
	cgroup_set_fn set_v1, set_v2;
};

extern const struct cgroup_controller cgroup_controllers[];
extern const size_t cgroup_n_controllers;

/* The v2 writers, one per controller (cgroup_v2_resources.c). */
int cgroup_v2_set_memory(const char *dir, const struct spec_resources *r, struct berth_err *err);
int cgroup_v2_set_cpu(const char *dir, const struct spec_resources *r, struct berth_err *err);
int cgroup_v2_set_cpuset(const char *dir, const struct spec_resources *r, struct berth_err *err);
int cgroup_v2_set_pids(const char *dir, const struct spec_resources *r, struct berth_err *err);
int cgroup_v2_set_io(const char *dir, const struct spec_resources *r, struct berth_err *err);
int cgroup_v2_set_hugetlb(const char *dir, const struct spec_resources *r, struct berth_err *err);
int cgroup_v2_set_rdma(const char *dir, const struct spec_resources *r, struct berth_err *err);

/* Whether the unified hierarchy mounted at mount offers controller. */
bool cgroup_v2_has_controller(const char *mount, const char *controller);
/* Writes "+controller" to cgroup.subtree_control of mount and of every
 * ancestor of path below it, so path's directory gets the controller. */
int cgroup_v2_enable(const char *mount, const char *path, const char *controller, struct berth_err *err);
/* Hands every controller the hierarchy offers down to path (as runc does),
 * so usage files (memory.current, pids.current...) exist for stats even
 * without limits. Best effort: a level that cannot delegate (processes in
 * it) keeps what it has, and only controllers asked for are errors, later. */
void cgroup_v2_enable_all(const char *mount, const char *path);
/* linux.resources.unified on the unified hierarchy at mount: each key's
 * controller must be offered there, else a clear refusal. */
int cgroup_v2_set_unified(const char *mount, const char *path, const struct spec_resources *r,
			  struct berth_err *err);
/* Every wanted controller through v2 at mount+path (pure v2 hosts). */
int cgroup_v2_apply_all(const char *mount, const char *path, const struct spec_resources *r,
			struct berth_err *err);

bool cgroup_file_exists(const char *dir, const char *file);

/* The v1 manager's apply op (cgroup_v1_resources.c). */
int cgroup_v1_apply(struct cgroup_manager *m, const struct spec_resources *r, struct berth_err *err);
/* The v2 manager's apply op (cgroup_v2_resources.c). */
int cgroup_v2_apply(struct cgroup_manager *m, const struct spec_resources *r, struct berth_err *err);

/* v2 device rules: an eBPF BPF_CGROUP_DEVICE program attached to dir, with
 * the same default-deny + default allow list as v1 (cgroup_v2_devices.c). */
int cgroup_v2_devices_apply(const char *dir, const struct spec *spec, struct berth_err *err);

#endif
