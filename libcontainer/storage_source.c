/* Detached mount trees for `berth mount`: a clone of a host path, a clone
 * of a path in another container (taken in that container's mount
 * namespace, where open_tree must run), or a new filesystem made in the
 * target's user, mount and network namespaces. A helper hands trees made in other
 * namespaces back over a socket (SCM_RIGHTS). */
#include "storage.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mount_api.h"
#include "ns_helper.h"
#include "path_in_root.h"

static unsigned tree_flags(bool recursive)
{
	return OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
}

int storage_tree_from_host(const char *source, bool recursive, struct berth_err *err)
{
	int fd = open_tree(AT_FDCWD, source, tree_flags(recursive));

	if (fd < 0)
		return berth_err_set(err, errno, "source \"%s\"", source);
	return fd;
}

struct from_args {
	const struct storage_target *from;
	const char *source;
	bool recursive;
};

static int clone_in_child(void *arg, int *fd_out, struct berth_err *err)
{
	const struct from_args *a = arg;
	int src, tree;

	/* open_tree clones only mounts of the caller's mount namespace. Host
	 * root needs no user namespace for that, and resolves as itself. */
	if (ns_helper_join(a->from->pidfd, a->from->join_flags & CLONE_NEWNS, err) < 0)
		return -1;
	src = path_in_root_open(a->from->root_fd, a->source, O_PATH, err);
	if (src < 0)
		return -1;
	tree = open_tree(src, "", tree_flags(a->recursive) | AT_EMPTY_PATH);
	close(src);
	if (tree < 0)
		return berth_err_set(err, errno, "open_tree \"%s\"", a->source);
	*fd_out = tree;
	return 0;
}

int storage_tree_from_container(const struct storage_target *from, const char *source, bool recursive,
				struct berth_err *err)
{
	struct from_args a = { .from = from, .source = source, .recursive = recursive };
	int tree;

	if (ns_helper_call(clone_in_child, &a, &tree, err) < 0)
		return berth_err_wrap(err, "container \"%s\"", from->st->id);
	return tree;
}

struct fs_args {
	const struct storage_target *t;
	const char *type, *source;
	char *const *options;
	uint64_t attrs;
};

/* The kernel explains a refused fsconfig in the context's log ("e ..."
 * lines, read from the fs fd): the most useful part of the error. */
static int fs_error(int fsfd, int e, const char *what, const char *type, struct berth_err *err)
{
	char log[512];
	ssize_t n = read(fsfd, log, sizeof(log) - 1);

	if (n > 2) {
		log[n] = '\0';
		log[strcspn(log, "\n")] = '\0';
		return berth_err_msg(err, e, "%s %s: %s: %s", type, what, log + 2, berth_strerror(e));
	}
	return berth_err_set(err, e, "%s %s", type, what);
}

static int configure_fs(int fsfd, const struct fs_args *a, struct berth_err *err)
{
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source", a->source, 0) < 0)
		return fs_error(fsfd, errno, "source", a->type, err);
	for (char *const *o = a->options; o && *o; o++) {
		char key[256];
		const char *eq = strchr(*o, '=');
		int rc;

		if (!eq) {
			rc = fsconfig(fsfd, FSCONFIG_SET_FLAG, *o, NULL, 0);
		} else {
			snprintf(key, sizeof(key), "%.*s", (int)(eq - *o), *o);
			rc = fsconfig(fsfd, FSCONFIG_SET_STRING, key, eq + 1, 0);
		}
		if (rc < 0) {
			char what[300];
			snprintf(what, sizeof(what), "option \"%s\"", *o);
			return fs_error(fsfd, errno, what, a->type, err);
		}
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fs_error(fsfd, errno, "create", a->type, err);
	return 0;
}

static int new_fs_in_child(void *arg, int *fd_out, struct berth_err *err)
{
	const struct fs_args *a = arg;
	int fsfd, tree;

	/* fsopen and fsmount want CAP_SYS_ADMIN over the caller's mount
	 * namespace: in the container's user namespace, that is the
	 * container's mount namespace. Paths in the options (overlay's
	 * lowerdir...) are therefore the container's paths. */
	if (ns_helper_join(a->t->pidfd, a->t->join_flags & (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET), err) < 0)
		return -1;
	fsfd = fsopen(a->type, FSOPEN_CLOEXEC);
	if (fsfd < 0) {
		if (errno == ENODEV)
			return berth_err_msg(err, ENODEV, "unknown filesystem type \"%s\"", a->type);
		if (errno == EPERM && (a->t->join_flags & CLONE_NEWUSER))
			return berth_err_msg(err, EPERM, "%s cannot be mounted in the container's user namespace",
					     a->type);
		return berth_err_set(err, errno, "fsopen \"%s\"", a->type);
	}
	if (configure_fs(fsfd, a, err) < 0) {
		close(fsfd);
		return -1;
	}
	tree = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned)a->attrs);
	if (tree < 0)
		fs_error(fsfd, errno, "fsmount", a->type, err);
	close(fsfd);
	if (tree < 0)
		return -1;
	*fd_out = tree;
	return 0;
}

int storage_tree_new_fs(const struct storage_target *t, const char *type, const char *source,
			char *const *fs_options, uint64_t attrs, struct berth_err *err)
{
	struct fs_args a = { .t = t, .type = type, .source = source, .options = fs_options, .attrs = attrs };
	int tree;

	if (ns_helper_call(new_fs_in_child, &a, &tree, err) < 0)
		return -1;
	return tree;
}

int storage_tree_set_attrs(int tree, uint64_t set, uint64_t clr, bool recursive, int userns_fd,
			   struct berth_err *err)
{
	struct mount_attr attr = { .attr_set = set, .attr_clr = clr };

	if (userns_fd >= 0) {
		attr.attr_set |= MOUNT_ATTR_IDMAP;
		attr.userns_fd = (uint64_t)userns_fd;
	}
	if (!attr.attr_set && !attr.attr_clr)
		return 0;
	if (mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0) {
		if (userns_fd >= 0)
			return berth_err_set(err, errno, "idmap (does the filesystem support idmapped mounts?)");
		return berth_err_set(err, errno, "set mount attributes");
	}
	return 0;
}
