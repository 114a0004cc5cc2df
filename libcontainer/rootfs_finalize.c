/* The last rootfs steps in stage 1, after the createContainer hooks: switch
 * the root (pivot_root, or MS_MOVE + chroot), then rootfsPropagation,
 * readonlyPaths, maskedPaths, root.readonly. After the switch the old root
 * is gone, so these use the new mount API on fds instead of /proc/self/fd
 * (the container may not mount /proc at all). */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <selinux/selinux.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "path_in_root.h"

/* pivot_root(".", ".") stacks the old root on top of the new one; it is
 * then detached from where we stand (the trick runc and lxc use, which needs
 * no put_old directory in the image). */
static int pivot_into(const char *rootfs, struct berth_err *err)
{
	int old_root, new_root, rc = -1;

	old_root = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (old_root < 0)
		return berth_err_set(err, errno, "open old root");
	new_root = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (new_root < 0) {
		berth_err_set(err, errno, "open rootfs \"%s\"", rootfs);
		goto out_old;
	}
	if (fchdir(new_root) < 0) {
		berth_err_set(err, errno, "chdir to rootfs \"%s\"", rootfs);
		goto out;
	}
	if (syscall(SYS_pivot_root, ".", ".") < 0) {
		berth_err_set(err, errno, "pivot_root to \"%s\"", rootfs);
		goto out;
	}
	if (fchdir(old_root) < 0) {
		berth_err_set(err, errno, "chdir to old root");
		goto out;
	}
	/* Slave first, so the unmount does not propagate to the host. */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) {
		berth_err_set(err, errno, "make old root rslave");
		goto out;
	}
	if (umount2(".", MNT_DETACH) < 0) {
		berth_err_set(err, errno, "detach old root");
		goto out;
	}
	if (chdir("/") < 0) {
		berth_err_set(err, errno, "chdir to \"/\"");
		goto out;
	}
	rc = 0;
out:
	close(new_root);
out_old:
	close(old_root);
	return rc;
}

/* --no-pivot (rootfs on a ramfs, where pivot_root is refused). */
static int move_into(const char *rootfs, struct berth_err *err)
{
	if (chdir(rootfs) < 0)
		return berth_err_set(err, errno, "chdir to rootfs \"%s\"", rootfs);
	if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		return berth_err_set(err, errno, "move rootfs \"%s\" to \"/\"", rootfs);
	if (chroot(".") < 0)
		return berth_err_set(err, errno, "chroot to rootfs \"%s\"", rootfs);
	if (chdir("/") < 0)
		return berth_err_set(err, errno, "chdir to \"/\"");
	return 0;
}

/* Attaches the detached mount tree_fd on top of target_fd. */
static int attach_tree(int tree_fd, int target_fd)
{
	return move_mount(tree_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

/* A recursive read-only copy of the path's mount tree stacked on it: the
 * equivalent of bind + remount ro for every submount, keeping each mount's
 * other flags (mount_setattr changes only the bit asked for). */
static int make_readonly(int root_fd, const char *path, struct berth_err *err)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	int fd, tree, rc = 0;

	fd = path_in_root_open(root_fd, path, O_PATH, err);
	if (fd < 0)
		return err->errnum == ENOENT ? 0 : -1;
	tree = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	if (tree < 0) {
		rc = berth_err_set(err, errno, "bind \"%s\" on itself", path);
		goto out;
	}
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		rc = berth_err_set(err, errno, "make \"%s\" read-only", path);
	else if (attach_tree(tree, fd) < 0)
		rc = berth_err_set(err, errno, "mount read-only \"%s\"", path);
	close(tree);
out:
	close(fd);
	return rc;
}

/* A read-only empty tmpfs (with the mount label) for a masked directory. */
static int masking_tmpfs(const struct spec *spec, struct berth_err *err)
{
	const char *label = spec->linux_.mount_label;
	int fs, mnt = -1;

	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return berth_err_set(err, errno, "fsopen tmpfs");
	if (label && *label && is_selinux_enabled() > 0 &&
	    fsconfig(fs, FSCONFIG_SET_STRING, "context", label, 0) < 0) {
		berth_err_set(err, errno, "tmpfs: set context \"%s\"", label);
		goto out;
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		berth_err_set(err, errno, "create tmpfs");
		goto out;
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
	if (mnt < 0)
		berth_err_set(err, errno, "fsmount tmpfs");
out:
	close(fs);
	return mnt;
}

/* Directories get an empty read-only tmpfs, anything else /dev/null. */
static int mask_path(const struct spec *spec, int root_fd, const char *path, struct berth_err *err)
{
	struct stat st;
	int fd, tree, rc = 0;

	fd = path_in_root_open(root_fd, path, O_PATH, err);
	if (fd < 0)
		return err->errnum == ENOENT ? 0 : -1;
	if (fstat(fd, &st) < 0) {
		rc = berth_err_set(err, errno, "stat \"%s\"", path);
		goto out;
	}
	if (S_ISDIR(st.st_mode))
		tree = masking_tmpfs(spec, err);
	else if ((tree = open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0)
		berth_err_set(err, errno, "bind /dev/null");
	if (tree < 0) {
		rc = berth_err_wrap(err, "mask \"%s\"", path);
		goto out;
	}
	if (attach_tree(tree, fd) < 0)
		rc = berth_err_set(err, errno, "mask \"%s\"", path);
	close(tree);
out:
	close(fd);
	return rc;
}

/* Remount / read-only; in a user namespace the kernel insists that locked
 * flags stay, so carry over the current ones. */
static int make_root_readonly(struct berth_err *err)
{
	const unsigned long keep = MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME;
	struct statfs st;

	if (statfs("/", &st) < 0)
		return berth_err_set(err, errno, "statfs \"/\"");
	if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | ((unsigned long)st.f_flags & keep), NULL) < 0)
		return berth_err_set(err, errno, "remount \"/\" read-only");
	return 0;
}

int rootfs_finalize(const struct spec *spec, const char *rootfs, bool no_pivot, struct berth_err *err)
{
	int root_fd, rc = 0;

	if ((no_pivot ? move_into(rootfs, err) : pivot_into(rootfs, err)) < 0)
		return berth_err_wrap(err, "rootfs");
	/* Only now: set on the old root it would have been the host's /. */
	if (spec->linux_.rootfs_propagation && mount(NULL, "/", NULL, spec->linux_.rootfs_propagation, NULL) < 0)
		return berth_err_set(err, errno, "rootfs: set rootfsPropagation of \"/\"");
	root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return berth_err_set(err, errno, "rootfs: open \"/\"");
	for (size_t i = 0; rc == 0 && spec->linux_.readonly_paths && spec->linux_.readonly_paths[i]; i++)
		if (make_readonly(root_fd, spec->linux_.readonly_paths[i], err) < 0)
			rc = berth_err_wrap(err, "readonlyPaths[%zu]", i);
	for (size_t i = 0; rc == 0 && spec->linux_.masked_paths && spec->linux_.masked_paths[i]; i++)
		if (mask_path(spec, root_fd, spec->linux_.masked_paths[i], err) < 0)
			rc = berth_err_wrap(err, "maskedPaths[%zu]", i);
	close(root_fd);
	if (rc == 0 && spec->root_readonly && make_root_readonly(err) < 0)
		rc = berth_err_wrap(err, "root.readonly");
	if (rc == 0 && chdir("/") < 0)
		rc = berth_err_set(err, errno, "rootfs: chdir to \"/\"");
	return rc;
}
