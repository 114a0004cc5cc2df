/* `berth mount` inside libcontainer: detached mount trees made from a host
 * path, a path in another container, or a new filesystem
 * (storage_source.c), attached in a container's mount namespace or
 * detached from it (storage_attach.c); the verbs and their record
 * (storage.c, storage_record.c). Nothing is ever mounted in the host's
 * mount namespace: every tree is detached (open_tree OPEN_TREE_CLONE,
 * fsmount) until a helper that joined the container's namespaces moves it
 * into place. */
#ifndef BERTH_STORAGE_H
#define BERTH_STORAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "state.h"

/* A container mounts are made in or taken from. */
struct storage_target {
	const struct container_state *st;
	int pidfd;        /* its PID 1, checked against the state */
	int root_fd;      /* O_PATH of its root: the rootfs, before pivot_root too */
	int join_flags;   /* CLONE_NEW* of its namespaces that differ from ours */
};

/* st must be creating, created or running (the caller checks). */
int storage_target_open(const struct container_state *st, struct storage_target *t, struct berth_err *err);
void storage_target_close(struct storage_target *t);

/* Detached trees (O_CLOEXEC fds), with their mount attributes applied. */
int storage_tree_from_host(const char *source, bool recursive, struct berth_err *err);
int storage_tree_from_container(const struct storage_target *from, const char *source, bool recursive,
				struct berth_err *err);
/* A new filesystem of type, made in t's user, mount and network
 * namespaces so that t owns its superblock (paths in fs_options are t's). fs_options: "key=value" or "flag" strings
 * for fsconfig (NULL-terminated); attrs: MOUNT_ATTR_* for fsmount. */
int storage_tree_new_fs(const struct storage_target *t, const char *type, const char *source,
			char *const *fs_options, uint64_t attrs, struct berth_err *err);
/* mount_setattr on a detached tree; userns_fd >= 0 adds MOUNT_ATTR_IDMAP. */
int storage_tree_set_attrs(int tree, uint64_t set, uint64_t clr, bool recursive, int userns_fd,
			   struct berth_err *err);

/* Moves tree onto dest (absolute, cleaned) inside t, creating a missing
 * dest (a directory, or an empty file for a file tree) as t's root. A dest
 * whose last component is a symlink is refused; symlinks on the way
 * resolve inside t's root. */
int storage_attach(const struct storage_target *t, int tree, const char *dest, struct berth_err *err);
/* Unmounts what is mounted on dest inside t (MNT_DETACH when lazy). */
int storage_detach(const struct storage_target *t, const char *dest, bool lazy, struct berth_err *err);

#endif
