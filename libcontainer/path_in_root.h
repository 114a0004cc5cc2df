/* Safe path resolution inside a container's rootfs. Every lookup goes through
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) relative to an O_PATH fd
 * of the rootfs, so a symlink in the image (absolute or full of "..") can
 * never lead outside of it. Missing directories are created one component
 * at a time with mkdirat() relative to a parent fd that was itself resolved
 * safely. Used for config mounts, /dev nodes, masked/readonly paths and
 * `berth mount` (which resolves DEST inside a running container). */
#ifndef BERTH_PATH_IN_ROOT_H
#define BERTH_PATH_IN_ROOT_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

/* openat2(root_fd, path, flags | O_CLOEXEC) confined to root_fd. path may be
 * absolute (it is taken relative to root_fd). Returns an fd or -1; errors
 * read `open "<path>" in rootfs: <cause>` and keep errno in err->errnum. */
int path_in_root_open(int root_fd, const char *path, int flags, struct berth_err *err);

/* Resolves path as a directory inside root_fd, creating every missing
 * component (mode, minus umask). A dangling symlink on the way is followed
 * the way the kernel would inside the root and its target created. Returns
 * an O_PATH|O_DIRECTORY fd of the directory or -1. */
int path_in_root_mkdir_all(int root_fd, const char *path, mode_t mode, struct berth_err *err);

/* Makes sure a mount target exists: a directory (is_dir) or an empty regular
 * file (mode 0644) for file bind mounts; missing parents are created as
 * directories (0755). An existing target is used as it is. Returns an O_PATH
 * fd of the target (mount onto /proc/self/fd/N of it) or -1. */
int path_in_root_create_target(int root_fd, const char *path, bool is_dir, struct berth_err *err);

/* path as an absolute path without repeated slashes, "." components and
 * a trailing slash ("//run/./" -> "/run"; "" -> "/"), so two spellings of
 * one mount point compare equal. ".." is kept as text (the kernel resolves
 * it inside the root, not this function); *dotdot says whether there was
 * one. Returns -1 (ENAMETOOLONG) if out is too small. */
int path_clean(const char *path, char *out, size_t size, bool *dotdot);

/* Writes "/proc/self/fd/<fd>" into buf: the path to mount onto an fd. */
const char *path_in_root_fd_path(int fd, char *buf, size_t len);

#define PATH_IN_ROOT_FD_PATH_MAX 32

#endif
