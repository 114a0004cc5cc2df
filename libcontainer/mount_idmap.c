/* Stage 0's half of idmapped mounts: a detached, idmapped copy of each
 * source (open_tree + mount_setattr), sent to stage 1 to be attached. */
#include "mount_idmap.h"
#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mount_api.h"
#include "sync.h"

bool mount_is_idmapped(const struct spec_mount *m)
{
	return m->idmap || m->n_uid_mappings || m->n_gid_mappings;
}

static bool has_own_mappings(const struct spec_mount *m)
{
	return m->n_uid_mappings || m->n_gid_mappings;
}

/* Refuses what the kernel or the spec would refuse later, before anything
 * is made, with the mount's place in the config. */
static int check_mount(const struct spec *spec, const struct spec_mount *m, struct berth_err *err)
{
	if (!m->bind)
		return berth_err_msg(err, EINVAL, "idmap mounts must be bind mounts (type \"bind\" or option \"bind\"/\"rbind\")");
	if (!m->source || !*m->source)
		return berth_err_msg(err, EINVAL, "idmap mount on \"%s\" has no source", m->destination);
	if (has_own_mappings(m) && (!m->n_uid_mappings || !m->n_gid_mappings))
		return berth_err_msg(err, EINVAL,
				     "idmap mount needs both uidMappings and gidMappings (or neither, for the container's)");
	if (!has_own_mappings(m) && !spec->linux_.namespaces[SPEC_NS_USER].present)
		return berth_err_msg(err, EINVAL,
				     "idmap mount without its own uidMappings/gidMappings needs a user namespace (linux.namespaces \"user\")");
	return 0;
}

/* A user namespace holding exactly the mount's own mappings, for
 * MOUNT_ATTR_IDMAP only: nothing ever runs in it. A helper child is cloned
 * into a new user namespace and blocks on a pipe; once its maps are written
 * and its namespace opened, closing our end lets it exit, and it is reaped.
 * If berth dies meanwhile the helper sees end-of-file and exits too. */
static int userns_with_mappings(const struct spec_mount *m, struct berth_err *err)
{
	struct clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	char path[64];
	int pipefd[2], ns_fd = -1, rc;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return berth_err_set(err, errno, "idmap user namespace: pipe");
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0) {
		char c;

		close(pipefd[1]);
		while (read(pipefd[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(pipefd[0]);
	if (pid < 0) {
		int e = errno;
		close(pipefd[1]);
		return berth_err_set(err, e, "idmap user namespace: clone3");
	}
	/* "deny" first: an unprivileged writer may not write gid_map otherwise,
	 * and no process in this namespace ever needs setgroups. */
	rc = ns_write_map(pid, "uid_map", m->uid_mappings, m->n_uid_mappings, err);
	if (rc == 0)
		rc = ns_write_proc_file(pid, "setgroups", "deny", err);
	if (rc == 0)
		rc = ns_write_map(pid, "gid_map", m->gid_mappings, m->n_gid_mappings, err);
	if (rc == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		ns_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (ns_fd < 0)
			berth_err_set(err, errno, "open %s", path);
	}
	close(pipefd[1]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (ns_fd < 0)
		return berth_err_wrap(err, "idmap user namespace");
	return ns_fd;
}

/* The detached, idmapped copy of m's source. As runc does, "rbind" decides
 * whether submounts come along (open_tree AT_RECURSIVE) and "ridmap"
 * whether they are idmapped too (mount_setattr AT_RECURSIVE). */
static int make_idmapped_tree(const struct spec_mount *m, int bundle_fd, int userns_fd, struct berth_err *err)
{
	unsigned tree_flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | ((m->flags & MS_REC) ? AT_RECURSIVE : 0);
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd };
	int fd;

	/* A relative source is relative to the bundle; openat rules do that. */
	fd = open_tree(bundle_fd, m->source, tree_flags);
	if (fd < 0)
		return berth_err_set(err, errno, "open_tree \"%s\"", m->source);
	if (mount_setattr(fd, "", AT_EMPTY_PATH | (m->idmap_recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0) {
		int e = errno;
		close(fd);
		return berth_err_set(err, e, "idmap \"%s\" (does its filesystem support idmapped mounts?)", m->source);
	}
	return fd;
}

/* One mount: its mapping namespace, the tree, the message to stage 1. */
static int send_one(const struct spec_mount *m, size_t index, int bundle_fd, int container_userns, int sync_fd,
		    struct berth_err *err)
{
	bool own = has_own_mappings(m);
	int userns = container_userns, tree, rc;
	char text[32];

	if (own) {
		userns = userns_with_mappings(m, err);
		if (userns < 0)
			return -1;
	}
	tree = make_idmapped_tree(m, bundle_fd, userns, err);
	if (own)
		close(userns);
	if (tree < 0)
		return -1;
	snprintf(text, sizeof(text), "%zu", index);
	rc = sync_send(sync_fd, SYNC_MOUNT_FD, 0, text, tree, err);
	close(tree);
	return rc;
}

/* The container's user namespace, for mounts without mappings of their
 * own: the joined one, or stage 1's (its maps are written by now). *fd is
 * -1 when no mount needs it; *opened says whether to close it. */
static int open_container_userns(const struct spec *spec, pid_t pid, int userns_fd, int *fd, bool *opened,
				 struct berth_err *err)
{
	char path[64];
	bool needed = false;

	*fd = -1;
	*opened = false;
	for (size_t i = 0; i < spec->n_mounts; i++)
		needed |= mount_is_idmapped(&spec->mounts[i]) && !has_own_mappings(&spec->mounts[i]);
	if (!needed)
		return 0;
	if (userns_fd >= 0) {
		*fd = userns_fd;
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return berth_err_set(err, errno, "idmap mounts: open %s", path);
	*opened = true;
	return 0;
}

int mount_idmap_send(const struct spec *spec, const char *bundle, pid_t pid, int userns_fd, int sync_fd,
		     struct berth_err *err)
{
	int bundle_fd, container_userns, rc = 0;
	bool any = false, opened;

	for (size_t i = 0; i < spec->n_mounts; i++) {
		if (!mount_is_idmapped(&spec->mounts[i]))
			continue;
		any = true;
		if (check_mount(spec, &spec->mounts[i], err) < 0)
			return berth_err_wrap(err, "mounts[%zu]", i);
	}
	if (!any)
		return 0;
	bundle_fd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (bundle_fd < 0)
		return berth_err_set(err, errno, "idmap mounts: open bundle \"%s\"", bundle);
	if (open_container_userns(spec, pid, userns_fd, &container_userns, &opened, err) < 0) {
		close(bundle_fd);
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < spec->n_mounts; i++) {
		if (mount_is_idmapped(&spec->mounts[i]) &&
		    send_one(&spec->mounts[i], i, bundle_fd, container_userns, sync_fd, err) < 0)
			rc = berth_err_wrap(err, "mounts[%zu]", i);
	}
	if (opened)
		close(container_userns);
	close(bundle_fd);
	return rc;
}
