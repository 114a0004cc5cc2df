/* The container's root filesystem, built by stage 1 inside the container's
 * new mount namespace: config mounts, /dev, the console, then pivot_root,
 * masked and read-only paths. Every path inside the rootfs is resolved with
 * path_in_root (never through a symlink out of it) and mounted by fd. */
#ifndef BERTH_ROOTFS_H
#define BERTH_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "spec.h"

/* Stage 1, already in the new mount namespace (user namespace with maps
 * written, cgroup namespace unshared if requested). rootfs: absolute host
 * path of root.path. Makes / rslave (or rootfsPropagation) so nothing
 * propagates back to the host, binds rootfs onto itself, performs
 * spec->mounts in order, and sets up /dev (default nodes and symlinks when
 * the config mounts a tmpfs on /dev; linux.devices unless /dev is a bind).
 * Relative bind sources are taken relative to the current directory (the
 * caller chdirs to the bundle). */
int rootfs_prepare(const struct spec *spec, const char *rootfs, struct berth_err *err);

/* What stage 0 made for the mounts, which rootfs_prepare alone does
 * without. */
struct cgroup_manager;
struct rootfs_from_stage0 {
	/* The idmapped trees stage 0 sent (SYNC_MOUNT_FD): idmap_fds[i] for
	 * spec->mounts[i], -1 where none; NULL for no idmapped mounts. The
	 * fds stay open (the caller closes them). */
	const int *idmap_fds;
	/* The container's cgroup, which stage 1 has joined: what a "cgroup"
	 * mount binds (NULL: the process's own, from /proc/self/cgroup). */
	const struct cgroup_manager *cgroup;
};

/* rootfs_prepare with what stage 0 made (from may be NULL). */
int rootfs_prepare_from_stage0(const struct spec *spec, const char *rootfs, const struct rootfs_from_stage0 *from,
			       struct berth_err *err);

/* Binds the pty slave (an open fd) over <rootfs>/dev/console, creating an
 * empty file there if missing. Between prepare and finalize. */
int rootfs_mount_console(const char *rootfs, int slave_fd, struct berth_err *err);

/* After createContainer hooks: pivot_root into rootfs (no_pivot: MS_MOVE to
 * / and chroot), detach the old root, then readonlyPaths, maskedPaths,
 * root.readonly, rootfsPropagation; chdir("/") at the end. */
int rootfs_finalize(const struct spec *spec, const char *rootfs, bool no_pivot, struct berth_err *err);

/* ---- internal to the rootfs code (mount_apply.c, mount_cgroup.c,
 * devices.c, rootfs_finalize.c); not for other callers ---- */

/* Performs spec->mounts[index] inside the rootfs open as root_fd; an
 * idmapped one is attached from from->idmap_fds (none: an error for it).
 * Errors are not prefixed with "mounts[N]" (the caller does that). */
int mount_apply(const struct spec *spec, size_t index, int root_fd, const struct rootfs_from_stage0 *from,
		struct berth_err *err);

/* The "cgroup" mount type (v1 hybrid: tmpfs + one dir per hierarchy plus
 * cgroup2 at "unified"; pure v2: cgroup2 at the destination). cg: the
 * container's cgroup, or NULL (see struct rootfs_from_stage0). */
int mount_cgroup(const struct spec *spec, const struct spec_mount *m, int root_fd, const struct cgroup_manager *cg,
		 struct berth_err *err);

/* Binds source onto the O_PATH target fd (MS_REC when recursive), then
 * remounts with the settable flags of `flags` unless `clear` and `flags`
 * carry none; keeps flags the kernel locked on the source (user namespaces)
 * unless listed in `clear`. root_fd/dest reopen the target after mounting. */
int mount_bind_fd(const char *source, int root_fd, const char *dest, int target_fd, bool recursive,
		  unsigned long flags, unsigned long clear, struct berth_err *err);

/* mount(2) onto /proc/self/fd/<target_fd>. Returns mount's result (errno). */
int mount_onto_fd(const char *source, int target_fd, const char *type, unsigned long flags, const void *data);

/* fs data with `context="<mountLabel>"` appended when SELinux is enabled and
 * the type takes a label; malloc'd copy of data otherwise (NULL if none).
 * Sets *oom on allocation failure. */
char *mount_label_data(const struct spec *spec, const char *type, const char *data, bool *oom);

/* Creates the default /dev nodes and symlinks (when default_dev) and the
 * nodes of linux.devices. */
int devices_setup(const struct spec *spec, int root_fd, bool default_dev, struct berth_err *err);

/* true when the config creates a new namespace of that type (no path). */
bool rootfs_new_ns(const struct spec *spec, enum spec_ns_type t);

#endif
