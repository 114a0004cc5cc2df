/* Building the rootfs in stage 1: propagation of /, the rootfs bind, the
 * config mounts in order, /dev, the console. */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "path_in_root.h"

static bool is_dev_dir(const char *dest)
{
	return strcmp(dest, "/dev") == 0 || strcmp(dest, "/dev/") == 0;
}

static int setup_dev(const struct spec *spec, int root_fd, struct berth_err *err)
{
	bool dev_tmpfs = false, dev_bound = false;

	for (size_t i = 0; i < spec->n_mounts; i++) {
		if (!is_dev_dir(spec->mounts[i].destination))
			continue;
		/* Later mounts on /dev win. */
		dev_bound = spec->mounts[i].bind;
		dev_tmpfs = !dev_bound;
	}
	/* A /dev bound from elsewhere (maybe the host's) is never written to. */
	if (dev_bound || (!dev_tmpfs && spec->linux_.n_devices == 0))
		return 0;
	return devices_setup(spec, root_fd, dev_tmpfs, err);
}

int rootfs_prepare(const struct spec *spec, const char *rootfs, struct berth_err *err)
{
	return rootfs_prepare_from_stage0(spec, rootfs, NULL, err);
}

int rootfs_prepare_from_stage0(const struct spec *spec, const char *rootfs, const struct rootfs_from_stage0 *from,
			       struct berth_err *err)
{
	int root_fd, rc = 0;

	/*
	 * Nothing we mount from here on may propagate back to the host, but
	 * host mounts keep propagating in: every mount becomes a slave. The
	 * config's rootfsPropagation is applied to the new / once it is the
	 * root (rootfs_finalize): applied here, "unbindable" would make the
	 * rootfs bind below fail and "slave" or "private" would cut the rootfs
	 * off its host peer group before it is bound (runc has both bugs).
	 */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return berth_err_set(err, errno, "rootfs: set propagation of \"/\"");
	/* pivot_root and MS_MOVE refuse a new root whose parent mount is
	 * shared. runc makes that parent private after its own propagation
	 * step, which may be MS_SHARED; here every mount is now a slave (or
	 * private), none shared: there is nothing to look up. */
	/* pivot_root needs the new root to be a mount point. */
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berth_err_set(err, errno, "rootfs: bind \"%s\" on itself", rootfs);
	root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return berth_err_set(err, errno, "rootfs: open \"%s\"", rootfs);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		if (mount_apply(spec, i, root_fd, from, err) < 0) {
			rc = berth_err_wrap(err, "mounts[%zu]", i);
			break;
		}
	}
	if (rc == 0 && setup_dev(spec, root_fd, err) < 0)
		rc = berth_err_wrap(err, "/dev");
	close(root_fd);
	return rc;
}

int rootfs_mount_console(const char *rootfs, int slave_fd, struct berth_err *err)
{
	char src[PATH_IN_ROOT_FD_PATH_MAX];
	int root_fd, fd, rc = 0;

	root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return berth_err_set(err, errno, "console: open rootfs \"%s\"", rootfs);
	fd = path_in_root_create_target(root_fd, "/dev/console", false, err);
	close(root_fd);
	if (fd < 0)
		return berth_err_wrap(err, "console");
	if (mount_onto_fd(path_in_root_fd_path(slave_fd, src, sizeof(src)), fd, NULL, MS_BIND, NULL) < 0)
		rc = berth_err_set(err, errno, "console: bind pty on \"/dev/console\"");
	close(fd);
	return rc;
}
