/* Attaching a detached tree inside a container and detaching it again,
 * from a helper that joined the container's user and mount namespaces:
 * move_mount and umount2 act only on mounts of the caller's own mount
 * namespace, and a missing destination is created as the container's root
 * would create it (owned by its uid 0). */
#include "storage.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container_internal.h"
#include "namespaces.h"
#include "ns_helper.h"
#include "path_in_root.h"

/* The root of the container's filesystem as its PID 1 sees it. Before
 * pivot_root (a createRuntime or createContainer hook calling `berth
 * mount`) PID 1's root is still the host's, and the rootfs is at its host
 * path inside the container's mount namespace. */
static int open_root(const struct container_state *st, struct berth_err *err)
{
	char path[64];
	int proc_root, fd;

	snprintf(path, sizeof(path), "/proc/%d/root", (int)st->init_pid);
	proc_root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (proc_root < 0)
		return berth_err_set(err, errno, "open %s", path);
	if (st->phase != PHASE_CREATING)
		return proc_root;
	fd = path_in_root_open(proc_root, st->rootfs, O_PATH | O_DIRECTORY, err);
	close(proc_root);
	return fd;
}

int storage_target_open(const struct container_state *st, struct storage_target *t, struct berth_err *err)
{
	*t = (struct storage_target){ .st = st, .pidfd = -1, .root_fd = -1 };
	t->pidfd = container_init_pidfd(st, err);
	if (t->pidfd < 0)
		return -1;
	t->root_fd = open_root(st, err);
	if (t->root_fd < 0 || ns_differing_from_ours(st->init_pid, &t->join_flags, err) < 0) {
		storage_target_close(t);
		return berth_err_wrap(err, "container \"%s\"", st->id);
	}
	return 0;
}

void storage_target_close(struct storage_target *t)
{
	if (t->pidfd >= 0)
		close(t->pidfd);
	if (t->root_fd >= 0)
		close(t->root_fd);
	t->pidfd = t->root_fd = -1;
}

struct attach_args {
	const struct storage_target *t;
	int tree;
	const char *dest;
	bool lazy;
	int proc_fd;
};

/* The last component of dest must not be a symlink: following it would
 * put the mount somewhere the caller did not name. */
static int refuse_symlink_dest(int root_fd, const char *dest, struct berth_err *err)
{
	struct stat sb;
	int fd = path_in_root_open(root_fd, dest, O_PATH | O_NOFOLLOW, err);

	if (fd < 0)
		return err->errnum == ENOENT ? 0 : -1;
	if (fstat(fd, &sb) < 0) {
		int e = errno;
		close(fd);
		return berth_err_set(err, e, "stat \"%s\"", dest);
	}
	close(fd);
	if (S_ISLNK(sb.st_mode))
		return berth_err_msg(err, ELOOP, "\"%s\" is a symlink: refused (give the path it points to)", dest);
	return 0;
}

static int join_user_and_mount(const struct storage_target *t, struct berth_err *err)
{
	return ns_helper_join(t->pidfd, t->join_flags & (CLONE_NEWUSER | CLONE_NEWNS), err);
}

static int attach_in_child(void *arg, int *fd_out, struct berth_err *err)
{
	const struct attach_args *a = arg;
	struct stat tree_st, dest_st;
	int target, rc;

	if (fstat(a->tree, &tree_st) < 0)
		return berth_err_set(err, errno, "stat the source");
	if (join_user_and_mount(a->t, err) < 0 || refuse_symlink_dest(a->t->root_fd, a->dest, err) < 0)
		return -1;
	target = path_in_root_create_target(a->t->root_fd, a->dest, S_ISDIR(tree_st.st_mode), err);
	if (target < 0)
		return -1;
	if (fstat(target, &dest_st) < 0) {
		rc = berth_err_set(err, errno, "stat \"%s\"", a->dest);
	} else if (S_ISDIR(dest_st.st_mode) != S_ISDIR(tree_st.st_mode)) {
		rc = berth_err_msg(err, S_ISDIR(dest_st.st_mode) ? EISDIR : ENOTDIR,
				   "\"%s\" is %s but the source is %s", a->dest,
				   S_ISDIR(dest_st.st_mode) ? "a directory" : "not a directory",
				   S_ISDIR(tree_st.st_mode) ? "a directory" : "not a directory");
	} else if (move_mount(a->tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		rc = berth_err_set(err, errno, "move_mount onto \"%s\"", a->dest);
	} else {
		rc = 0;
	}
	close(target);
	return rc;
}

/* A read-only root (root.readonly), or one the container's root user may
 * not write (a user namespace over a rootfs owned by the host's root),
 * cannot get a new mount point from inside. The container's root is a
 * mount of the bundle's rootfs, so the mount point is made there, in the
 * host's view, as runc makes mount points before it remounts the root
 * read-only. */
static int create_in_bundle_rootfs(const struct storage_target *t, const char *dest, bool is_dir,
				   struct berth_err *err)
{
	int rootfs = open(t->st->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

	if (rootfs < 0)
		return berth_err_set(err, errno, "open rootfs \"%s\"", t->st->rootfs);
	fd = refuse_symlink_dest(rootfs, dest, err) < 0 ? -1 : path_in_root_create_target(rootfs, dest, is_dir, err);
	close(rootfs);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int storage_attach(const struct storage_target *t, int tree, const char *dest, struct berth_err *err)
{
	struct attach_args a = { .t = t, .tree = tree, .dest = dest };
	struct stat sb;
	int rc = ns_helper_call(attach_in_child, &a, NULL, err);

	if (rc == 0 || !(err->errnum == EROFS || err->errnum == EACCES || err->errnum == EPERM || err->errnum == EOVERFLOW))
		return rc;
	if (fstat(tree, &sb) < 0)
		return berth_err_set(err, errno, "stat the source");
	if (create_in_bundle_rootfs(t, dest, S_ISDIR(sb.st_mode), err) < 0)
		return berth_err_wrap(err, "make the mount point in the bundle's rootfs");
	return ns_helper_call(attach_in_child, &a, NULL, err);
}

static int detach_in_child(void *arg, int *fd_out, struct berth_err *err)
{
	const struct attach_args *a = arg;
	char link[PATH_IN_ROOT_FD_PATH_MAX], path[PATH_MAX];
	int target;
	ssize_t n;

	if (join_user_and_mount(a->t, err) < 0)
		return -1;
	target = path_in_root_open(a->t->root_fd, a->dest, O_PATH | O_NOFOLLOW, err);
	if (target < 0)
		return -1;
	/* umount2 takes a path, and an open fd on the mount would keep it
	 * busy: so the path the kernel gives for the safely resolved target
	 * (from our root, now the container's; no symlink left in it), read
	 * through the host's /proc, which still names this process. */
	snprintf(link, sizeof(link), "self/fd/%d", target);
	n = readlinkat(a->proc_fd, link, path, sizeof(path) - 1);
	close(target);
	if (n < 0)
		return berth_err_set(err, errno, "resolve \"%s\"", a->dest);
	path[n] = '\0';
	if (path[0] != '/')
		return berth_err_msg(err, EXDEV, "\"%s\" is not reachable in the container", a->dest);
	if (umount2(path, (a->lazy ? MNT_DETACH : 0) | UMOUNT_NOFOLLOW) < 0) {
		if (errno == EBUSY)
			return berth_err_msg(err, EBUSY, "umount \"%s\": busy (in use; --lazy detaches it anyway)", a->dest);
		if (errno == EINVAL)
			return berth_err_msg(err, EINVAL, "nothing is mounted on \"%s\"", a->dest);
		return berth_err_set(err, errno, "umount \"%s\"", a->dest);
	}
	return 0;
}

int storage_detach(const struct storage_target *t, const char *dest, bool lazy, struct berth_err *err)
{
	struct attach_args a = { .t = t, .tree = -1, .dest = dest, .lazy = lazy };
	int rc;

	a.proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (a.proc_fd < 0)
		return berth_err_set(err, errno, "open /proc");
	rc = ns_helper_call(detach_in_child, &a, NULL, err);
	close(a.proc_fd);
	return rc;
}
