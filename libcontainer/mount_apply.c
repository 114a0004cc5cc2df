/* One entry of config.json "mounts" inside the rootfs, the way runc does it:
 * binds (then a remount for flags, then propagation, then recursive
 * attributes), proc, sysfs (with its /sys fallback), mqueue (with its
 * /dev/mqueue fallback), cgroup (mount_cgroup.c), idmapped binds (made by
 * stage 0, attached here) and any other fs type. */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <selinux/selinux.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "mount_idmap.h"
#include "mount_copyup.h"
#include "mount_options.h"
#include "path_in_root.h"

/* Per-mount flags a bind remount can change. */
#define REMOUNT_SETTABLE                                                                   \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
	 MS_STRICTATIME)
/* Flags the kernel locks on mounts inherited into a user namespace. */
#define LOCKABLE_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
#define PROPAGATION_FLAGS (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)

bool rootfs_new_ns(const struct spec *spec, enum spec_ns_type t)
{
	return spec->linux_.namespaces[t].present && !spec->linux_.namespaces[t].path;
}

int mount_onto_fd(const char *source, int target_fd, const char *type, unsigned long flags, const void *data)
{
	char path[PATH_IN_ROOT_FD_PATH_MAX];

	return mount(source, path_in_root_fd_path(target_fd, path, sizeof(path)), type, flags, data);
}

char *mount_label_data(const struct spec *spec, const char *type, const char *data, bool *oom)
{
	static const char *const unlabeled[] = { "proc", "sysfs", "cgroup", "cgroup2", "bind", NULL };
	const char *label = spec->linux_.mount_label;
	char *out = NULL;
	bool takes_label = label && *label && is_selinux_enabled() > 0;

	*oom = false;
	for (size_t i = 0; takes_label && unlabeled[i]; i++)
		if (type && strcmp(type, unlabeled[i]) == 0)
			takes_label = false;
	if (takes_label) {
		if (asprintf(&out, "%s%scontext=\"%s\"", data ? data : "", data && *data ? "," : "", label) < 0)
			out = NULL, *oom = true;
	} else if (data) {
		out = strdup(data);
		*oom = !out;
	}
	return out;
}

/* The mount now on dest (reopened: the fd we mounted onto still names the
 * covered directory). */
static int reopen_target(int root_fd, const char *dest, struct berth_err *err)
{
	return path_in_root_open(root_fd, dest, O_PATH, err);
}

static int remount_bind(int fd, const char *dest, unsigned long flags, unsigned long clear,
			struct berth_err *err)
{
	unsigned long mflags = MS_BIND | MS_REMOUNT | (flags & REMOUNT_SETTABLE);
	struct statfs st;

	if (mount_onto_fd(NULL, fd, NULL, mflags, NULL) == 0)
		return 0;
	if (errno != EPERM)
		return berth_err_set(err, errno, "remount \"%s\"", dest);
	/* In a user namespace the kernel refuses to drop flags it locked on
	 * the source mount: keep them (unless the config cleared them
	 * explicitly, which must then fail) and retry. */
	if (fstatfs(fd, &st) < 0)
		return berth_err_set(err, errno, "statfs \"%s\"", dest);
	mflags |= ((unsigned long)st.f_flags & LOCKABLE_FLAGS) & ~clear;
	if (mount_onto_fd(NULL, fd, NULL, mflags, NULL) < 0)
		return berth_err_set(err, errno, "remount \"%s\"", dest);
	return 0;
}

/* Propagation and recursive attributes, applied to the mount now on dest. */
static int apply_propagation_attrs(const struct spec_mount *m, int root_fd, struct berth_err *err)
{
	struct mount_attr attr = { .attr_set = m->attr_set, .attr_clr = m->attr_clr };
	int fd, rc = 0;

	if (!m->propagation && !m->recursive_attrs)
		return 0;
	fd = reopen_target(root_fd, m->destination, err);
	if (fd < 0)
		return -1;
	if (m->propagation && mount_onto_fd(NULL, fd, NULL, m->propagation, NULL) < 0)
		rc = berth_err_set(err, errno, "set propagation of \"%s\"", m->destination);
	if (rc == 0 && m->recursive_attrs) {
		/* Setting an atime mode requires clearing the whole atime field. */
		if (attr.attr_set & MOUNT_ATTR__ATIME)
			attr.attr_clr |= MOUNT_ATTR__ATIME;
		if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
			rc = berth_err_set(err, errno, "set recursive attributes on \"%s\"", m->destination);
	}
	close(fd);
	return rc;
}

int mount_bind_fd(const char *source, int root_fd, const char *dest, int target_fd, bool recursive,
		  unsigned long flags, unsigned long clear, struct berth_err *err)
{
	int fd, rc;

	if (mount_onto_fd(source, target_fd, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
		return berth_err_set(err, errno, "bind \"%s\" on \"%s\"", source, dest);
	if (!((flags | clear) & REMOUNT_SETTABLE))
		return 0;
	fd = reopen_target(root_fd, dest, err);
	if (fd < 0)
		return -1;
	rc = remount_bind(fd, dest, flags, clear, err);
	close(fd);
	return rc;
}

/* Attaches the idmapped tree stage 0 made (mount_idmap.c) on dest, then
 * applies the per-mount flags the way a bind does; propagation and "r*"
 * attributes follow in mount_apply like for any mount. */
static int mount_idmapped(const struct spec_mount *m, int root_fd, int tree_fd, struct berth_err *err)
{
	struct stat st;
	int fd, rc;

	if (fstat(tree_fd, &st) < 0)
		return berth_err_set(err, errno, "stat idmapped mount of \"%s\"", m->source);
	fd = path_in_root_create_target(root_fd, m->destination, S_ISDIR(st.st_mode), err);
	if (fd < 0)
		return -1;
	rc = move_mount(tree_fd, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
	close(fd);
	if (rc < 0)
		return berth_err_set(err, errno, "attach idmapped \"%s\" on \"%s\"", m->source, m->destination);
	if (!((m->flags | m->clear_flags) & REMOUNT_SETTABLE))
		return 0;
	fd = reopen_target(root_fd, m->destination, err);
	if (fd < 0)
		return -1;
	rc = remount_bind(fd, m->destination, m->flags, m->clear_flags, err);
	close(fd);
	return rc;
}

static int mount_bind(const struct spec_mount *m, int root_fd, struct berth_err *err)
{
	struct stat st;
	int fd, rc;

	if (!m->source) {
		berth_err_msg(err, EINVAL, "bind mount on \"%s\" has no source", m->destination);
		return -1;
	}
	if (stat(m->source, &st) < 0)
		return berth_err_set(err, errno, "stat bind source \"%s\"", m->source);
	fd = path_in_root_create_target(root_fd, m->destination, S_ISDIR(st.st_mode), err);
	if (fd < 0)
		return -1;
	rc = mount_bind_fd(m->source, root_fd, m->destination, fd, (m->flags & MS_REC) != 0, m->flags,
			   m->clear_flags, err);
	close(fd);
	return rc;
}

/* A tmpfs root takes the mode of the directory it covers unless the
 * options give one (runc prepends "mode=" the same way). */
static char *tmpfs_data(const struct spec *spec, const struct spec_mount *m, const char *type, int fd, bool *oom)
{
	char *with_mode = NULL, *out;
	struct stat st;

	if (strcmp(type, "tmpfs") == 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) &&
	    asprintf(&with_mode, "mode=%04o%s%s", (unsigned)(st.st_mode & 07777), m->data ? "," : "",
		     m->data ? m->data : "") < 0) {
		*oom = true;
		return NULL;
	}
	out = mount_label_data(spec, type, with_mode ? with_mode : m->data, oom);
	free(with_mode);
	return out;
}

/* tmpcopyup: the covered directory's contents into the new tmpfs (mounted
 * writable for the copy), then read-only if asked. */
static int copy_up(const struct spec_mount *m, int root_fd, int covered, unsigned long flags,
		   struct berth_err *err)
{
	int tmpfs = path_in_root_open(root_fd, m->destination, O_RDONLY | O_DIRECTORY, err);
	int rc;

	if (tmpfs < 0)
		return -1;
	rc = mount_copyup(covered, tmpfs, err);
	close(tmpfs);
	if (rc < 0)
		return berth_err_wrap(err, "tmpcopyup to \"%s\"", m->destination);
	if (flags & MS_RDONLY) {
		int fd = reopen_target(root_fd, m->destination, err);
		if (fd < 0)
			return -1;
		rc = remount_bind(fd, m->destination, flags, 0, err);
		close(fd);
	}
	return rc;
}

/* mount(2) of a filesystem (not a bind) onto dest, with the label. */
static int mount_fs(const struct spec *spec, const struct spec_mount *m, const char *type, int root_fd,
		    struct berth_err *err)
{
	unsigned long flags = m->flags & ~(MS_BIND | MS_REC | MS_REMOUNT | PROPAGATION_FLAGS);
	const char *source = m->source ? m->source : type;
	bool copyup = m->tmpcopyup && strcmp(type, "tmpfs") == 0;
	bool oom;
	char *data;
	int fd, covered = -1, rc = 0;

	fd = path_in_root_create_target(root_fd, m->destination, true, err);
	if (fd < 0)
		return -1;
	/* Opened before the mount: it keeps naming the directory underneath. */
	if (copyup) {
		covered = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (covered < 0) {
			close(fd);
			return berth_err_set(err, errno, "tmpcopyup: open \"%s\"", m->destination);
		}
	}
	data = tmpfs_data(spec, m, type, fd, &oom);
	if (oom)
		rc = berth_err_set(err, ENOMEM, "mount \"%s\" on \"%s\"", source, m->destination);
	else if (mount_onto_fd(source, fd, type, flags & ~(unsigned long)(copyup ? MS_RDONLY : 0), data) < 0)
		rc = berth_err_set(err, errno, "mount \"%s\" on \"%s\"", source, m->destination);
	else if (copyup)
		rc = copy_up(m, root_fd, covered, flags, err);
	free(data);
	if (covered >= 0)
		close(covered);
	close(fd);
	return rc;
}

/* Binds a host directory instead of mounting a filesystem the kernel
 * refuses us (sysfs without our own netns, mqueue in a user namespace).
 * The mount's per-mount flags become recursive attributes of the copy. */
static int mount_host_fallback(const struct spec_mount *m, const char *host, bool recursive, int root_fd,
			       struct berth_err *err)
{
	struct mount_attr attr = { 0 };
	int fd, rc;

	fd = path_in_root_create_target(root_fd, m->destination, true, err);
	if (fd < 0)
		return -1;
	rc = mount_bind_fd(host, root_fd, m->destination, fd, recursive, 0, 0, err);
	close(fd);
	if (rc < 0)
		return -1;
	attr.attr_set = mount_attr_from_ms_flags(m->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
	if (!attr.attr_set)
		return 0;
	fd = reopen_target(root_fd, m->destination, err);
	if (fd < 0)
		return -1;
	if (mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0)
		rc = berth_err_set(err, errno, "set attributes of \"%s\" on \"%s\"", host, m->destination);
	close(fd);
	return rc;
}

static int mount_sysfs(const struct spec *spec, const struct spec_mount *m, int root_fd, struct berth_err *err)
{
	/* Without a network namespace of its own the container may not see a
	 * fresh sysfs (its net/ view belongs to the host's netns): bind /sys. */
	if (!rootfs_new_ns(spec, SPEC_NS_NETWORK))
		return mount_host_fallback(m, "/sys", true, root_fd, err);
	if (mount_fs(spec, m, "sysfs", root_fd, err) == 0)
		return 0;
	if (err->errnum != EPERM || !spec->linux_.namespaces[SPEC_NS_USER].present)
		return -1;
	return mount_host_fallback(m, "/sys", true, root_fd, err);
}

static int mount_mqueue(const struct spec *spec, const struct spec_mount *m, int root_fd, struct berth_err *err)
{
	if (mount_fs(spec, m, "mqueue", root_fd, err) == 0)
		return 0;
	if (err->errnum != EPERM || !spec->linux_.namespaces[SPEC_NS_USER].present)
		return -1;
	return mount_host_fallback(m, "/dev/mqueue", false, root_fd, err);
}

int mount_apply(const struct spec *spec, size_t index, int root_fd, const struct rootfs_from_stage0 *from,
		struct berth_err *err)
{
	const struct spec_mount *m = &spec->mounts[index];
	int idmap_fd = from && from->idmap_fds ? from->idmap_fds[index] : -1;
	const char *type = m->type ? m->type : "";
	int rc;

	if (mount_is_idmapped(m) && idmap_fd < 0) {
		/* Only stage 0 can make idmapped mounts; without its tree
		 * (rootfs_prepare called on its own) there is none to attach. */
		berth_err_msg(err, EINVAL, "idmap mount was not prepared by stage 0");
		return -1;
	}
	if (mount_is_idmapped(m))
		rc = mount_idmapped(m, root_fd, idmap_fd, err);
	else if (m->bind)
		rc = mount_bind(m, root_fd, err);
	else if (strcmp(type, "cgroup") == 0)
		return mount_cgroup(spec, m, root_fd, from ? from->cgroup : NULL, err);
	else if (strcmp(type, "sysfs") == 0)
		rc = mount_sysfs(spec, m, root_fd, err);
	else if (strcmp(type, "mqueue") == 0)
		rc = mount_mqueue(spec, m, root_fd, err);
	else if (!*type) {
		berth_err_msg(err, EINVAL, "mount on \"%s\" has no type", m->destination);
		return -1;
	} else
		rc = mount_fs(spec, m, type, root_fd, err);
	if (rc < 0)
		return -1;
	return apply_propagation_attrs(m, root_fd, err);
}
