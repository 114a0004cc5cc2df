/* /dev inside the rootfs: the default nodes every container gets (null,
 * zero, full, random, urandom, tty) and the standard symlinks when the
 * config mounts a tmpfs on /dev, and the nodes listed in linux.devices.
 * Where mknod is not allowed (user namespace) the host's node is bind-mounted
 * onto an empty file instead. Everything created here lives under the
 * container's rootfs; host files are only ever used as bind sources. */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "path_in_root.h"

struct dev_node {
	const char *path;
	int64_t major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	char type;
};

static const struct dev_node default_nodes[] = {
	{ "/dev/null", 1, 3, 0666, 0, 0, 'c' },    { "/dev/zero", 1, 5, 0666, 0, 0, 'c' },
	{ "/dev/full", 1, 7, 0666, 0, 0, 'c' },    { "/dev/random", 1, 8, 0666, 0, 0, 'c' },
	{ "/dev/urandom", 1, 9, 0666, 0, 0, 'c' }, { "/dev/tty", 5, 0, 0666, 0, 0, 'c' },
};

struct dev_link {
	const char *name;   /* in /dev */
	const char *target;
};

static const struct dev_link default_links[] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
};

/* Splits "/dev/net/tun" into "/dev/net" and "tun". */
static int split_path(const char *path, char *parent, size_t size, const char **name, struct berth_err *err)
{
	const char *slash = strrchr(path, '/');

	if (!slash || !slash[1] || !strcmp(slash + 1, ".") || !strcmp(slash + 1, "..") ||
	    (size_t)(slash - path) >= size) {
		berth_err_msg(err, EINVAL, "device path \"%s\" is not a file path", path);
		return -1;
	}
	memcpy(parent, path, (size_t)(slash - path));
	parent[slash - path] = '\0';
	*name = slash + 1;
	return 0;
}

/* mknod is refused (user namespace): bind the host's node of the same path
 * onto an empty file. The host node is only the source of the bind. */
static int bind_host_node(int parent_fd, const char *name, const struct dev_node *d, struct berth_err *err)
{
	int fd = openat(parent_fd, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
	int rc = 0;

	if (fd < 0)
		return berth_err_set(err, errno, "create \"%s\" in rootfs", d->path);
	close(fd);
	fd = openat(parent_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berth_err_set(err, errno, "open \"%s\" in rootfs", d->path);
	if (mount_onto_fd(d->path, fd, NULL, MS_BIND, NULL) < 0)
		rc = berth_err_set(err, errno, "bind host device \"%s\"", d->path);
	close(fd);
	return rc;
}

/* Sets the mode bits mknod may not keep (setuid, setgid, sticky) through
 * an O_PATH fd of the node just made, so a symlink swapped in meanwhile is
 * never followed. The permission bits came through mknod whole (umask 0). */
static int set_special_mode(int parent_fd, const char *name, const struct dev_node *d, struct berth_err *err)
{
	char fdpath[PATH_IN_ROOT_FD_PATH_MAX];
	int fd = openat(parent_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return berth_err_set(err, errno, "open \"%s\" in rootfs", d->path);
	if (chmod(path_in_root_fd_path(fd, fdpath, sizeof(fdpath)), d->mode) < 0)
		rc = berth_err_set(err, errno, "chmod \"%s\"", d->path);
	close(fd);
	return rc;
}

/* Replaces what the image or the defaults put at name: never a directory,
 * and never a mount point, which is a host node bound there already
 * (chmod/chown on it would change the host's node). Returns 1 when the
 * node must be left as it is. */
static int clear_existing(int parent_fd, const char *name, const struct dev_node *d, struct berth_err *err)
{
	struct statx st;

	if (statx(parent_fd, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &st) < 0)
		return errno == ENOENT ? 0 : berth_err_set(err, errno, "stat \"%s\"", d->path);
	if ((st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (st.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return 1;
	if (S_ISDIR(st.stx_mode))
		return berth_err_set(err, EISDIR, "create device \"%s\"", d->path);
	if (unlinkat(parent_fd, name, 0) < 0)
		return berth_err_set(err, errno, "replace \"%s\"", d->path);
	return 0;
}

/* One node. dev_fd: /dev inside the rootfs, already resolved, or -1. The
 * caller set the umask to 0, so mknod's mode is the config's; the usual
 * case is two syscalls, mknodat and fchownat. */
static int create_node(int root_fd, int dev_fd, const struct dev_node *d, struct berth_err *err)
{
	char parent[PATH_MAX];
	const char *name;
	mode_t kind;
	dev_t rdev = makedev((unsigned int)d->major, (unsigned int)d->minor);
	int parent_fd, rc = -1, r;

	switch (d->type) {
	case 'c': case 'u': kind = S_IFCHR; break;
	case 'b': kind = S_IFBLK; break;
	case 'p': kind = S_IFIFO; break;
	default:
		berth_err_msg(err, EINVAL, "device \"%s\": unknown type '%c'", d->path, d->type);
		return -1;
	}
	if (split_path(d->path, parent, sizeof(parent), &name, err) < 0)
		return -1;
	if (dev_fd >= 0 && strcmp(parent, "/dev") == 0)
		parent_fd = dev_fd;
	else if ((parent_fd = path_in_root_mkdir_all(root_fd, *parent ? parent : "/", 0755, err)) < 0)
		return -1;
	r = mknodat(parent_fd, name, kind | (d->mode & 07777), rdev);
	if (r < 0 && errno == EEXIST) {
		r = clear_existing(parent_fd, name, d, err);
		if (r != 0) {
			rc = r > 0 ? 0 : -1;
			goto out;
		}
		r = mknodat(parent_fd, name, kind | (d->mode & 07777), rdev);
	}
	if (r < 0) {
		if (errno == EPERM && kind != S_IFIFO)
			rc = bind_host_node(parent_fd, name, d, err);
		else
			berth_err_set(err, errno, "mknod \"%s\"", d->path);
		goto out;
	}
	if ((d->mode & 07000) && set_special_mode(parent_fd, name, d, err) < 0)
		goto out;
	/* AT_SYMLINK_NOFOLLOW: a symlink swapped in is changed, not followed. */
	if (fchownat(parent_fd, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0) {
		berth_err_set(err, errno, "chown \"%s\"", d->path);
		goto out;
	}
	rc = 0;
out:
	if (parent_fd != dev_fd)
		close(parent_fd);
	return rc;
}

/* Makes /dev/<name> a symlink to target. replace: remove what is there. */
static int make_link(int dev_fd, const char *name, const char *target, bool replace, struct berth_err *err)
{
	if (replace && unlinkat(dev_fd, name, 0) < 0 && errno != ENOENT)
		return berth_err_set(err, errno, "remove /dev/%s", name);
	if (symlinkat(target, dev_fd, name) < 0 && errno != EEXIST)
		return berth_err_set(err, errno, "symlink /dev/%s -> %s", name, target);
	return 0;
}

static bool config_mounts_proc(const struct spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (spec->mounts[i].type && !strcmp(spec->mounts[i].type, "proc") &&
		    !strcmp(spec->mounts[i].destination, "/proc"))
			return true;
	return false;
}

static int default_dev_setup(const struct spec *spec, int root_fd, int dev_fd, struct berth_err *err)
{
	int rc = 0;

	for (size_t i = 0; i < sizeof(default_nodes) / sizeof(default_nodes[0]); i++)
		if (create_node(root_fd, dev_fd, &default_nodes[i], err) < 0)
			return -1;
	for (size_t i = 0; rc == 0 && i < sizeof(default_links) / sizeof(default_links[0]); i++)
		rc = make_link(dev_fd, default_links[i].name, default_links[i].target, false, err);
	/* The ptmx of the container's own devpts instance (newinstance). */
	if (rc == 0)
		rc = make_link(dev_fd, "ptmx", "pts/ptmx", true, err);
	if (rc == 0 && config_mounts_proc(spec))
		rc = make_link(dev_fd, "core", "/proc/kcore", false, err);
	return rc;
}

static int create_config_devices(const struct spec *spec, int root_fd, int dev_fd, struct berth_err *err)
{
	for (size_t i = 0; i < spec->linux_.n_devices; i++) {
		const struct spec_device *sd = &spec->linux_.devices[i];
		struct dev_node d = {
			.path = sd->path,
			.type = sd->type,
			.major = sd->major,
			.minor = sd->minor,
			.mode = sd->file_mode.set ? (mode_t)sd->file_mode.v : 0666,
			.uid = sd->uid.set ? (uid_t)sd->uid.v : 0,
			.gid = sd->gid.set ? (gid_t)sd->gid.v : 0,
		};

		if (create_node(root_fd, dev_fd, &d, err) < 0)
			return berth_err_wrap(err, "linux.devices[%zu]", i);
	}
	return 0;
}

/* Whether a node goes straight into /dev. */
static bool any_in_dev(const struct spec *spec)
{
	for (size_t i = 0; i < spec->linux_.n_devices; i++)
		if (strncmp(spec->linux_.devices[i].path, "/dev/", 5) == 0)
			return true;
	return false;
}

int devices_setup(const struct spec *spec, int root_fd, bool default_dev, struct berth_err *err)
{
	mode_t old_umask;
	int dev_fd = -1, rc;

	if (!default_dev && spec->linux_.n_devices == 0)
		return 0;
	/* /dev resolved once for every node in it. */
	if ((default_dev || any_in_dev(spec)) && (dev_fd = path_in_root_mkdir_all(root_fd, "/dev", 0755, err)) < 0)
		return -1;
	old_umask = umask(0);
	rc = default_dev ? default_dev_setup(spec, root_fd, dev_fd, err) : 0;
	if (rc == 0)
		rc = create_config_devices(spec, root_fd, dev_fd, err);
	umask(old_umask);
	if (dev_fd >= 0)
		close(dev_fd);
	return rc;
}
