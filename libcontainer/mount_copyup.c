/* "tmpcopyup" (runc's extension, which Podman uses on /run and /tmp): the
 * new tmpfs starts with a copy of the directory it covers, so an image's
 * files there stay visible. Everything is done relative to directory fds,
 * never following a symlink: the copy cannot be steered out of the rootfs.
 * Kept: contents, owners, modes, and the extended attributes of files and
 * directories (file capabilities, SELinux labels) where tmpfs takes them,
 * as crun does; timestamps are not (neither runc nor crun keeps them). */
#include "mount_copyup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define COPYUP_MAX_DEPTH 64

static int copy_tree(int from, int to, int depth, struct berth_err *err);

/* Every extended attribute of in that we may read, onto out. A name the
 * tmpfs does not take (user.* before Linux 6.6) is left out, as crun does;
 * one that went away meanwhile too. */
static int copy_xattrs(int in, int out, const char *name, struct berth_err *err)
{
	char *names = NULL, *value = NULL;
	ssize_t len = flistxattr(in, NULL, 0);
	int rc = -1;

	if (len < 0)
		return (errno == ENOTSUP) ? 0 : berth_err_set(err, errno, "list extended attributes of \"%s\"", name);
	if (len == 0)
		return 0;
	names = malloc((size_t)len);
	value = malloc(XATTR_SIZE_MAX);
	if (!names || !value) {
		berth_err_set(err, ENOMEM, "extended attributes of \"%s\"", name);
		goto out;
	}
	len = flistxattr(in, names, (size_t)len);
	if (len < 0) {
		berth_err_set(err, errno, "list extended attributes of \"%s\"", name);
		goto out;
	}
	for (char *key = names; key < names + len; key += strlen(key) + 1) {
		ssize_t n = fgetxattr(in, key, value, XATTR_SIZE_MAX);
		if (n < 0 && errno == ENODATA)
			continue;
		if (n < 0) {
			berth_err_set(err, errno, "read %s of \"%s\"", key, name);
			goto out;
		}
		if (fsetxattr(out, key, value, (size_t)n, 0) < 0 && errno != ENOTSUP && errno != EINVAL) {
			berth_err_set(err, errno, "set %s on \"%s\"", key, name);
			goto out;
		}
	}
	rc = 0;
out:
	free(names);
	free(value);
	return rc;
}

static int copy_file(int from, int to, const char *name, const struct stat *st, struct berth_err *err)
{
	int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int out = -1, rc = -1;
	off_t left = st->st_size;

	if (in < 0)
		return berth_err_set(err, errno, "open \"%s\"", name);
	out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st->st_mode & 07777);
	if (out < 0) {
		berth_err_set(err, errno, "create \"%s\"", name);
		goto out;
	}
	while (left > 0) {
		ssize_t n = sendfile(out, in, NULL, (size_t)(left > (1 << 30) ? (1 << 30) : left));
		if (n < 0) {
			berth_err_set(err, errno, "copy \"%s\"", name);
			goto out;
		}
		if (n == 0)
			break; /* the file shrank meanwhile */
		left -= n;
	}
	if (fchown(out, st->st_uid, st->st_gid) < 0 || fchmod(out, st->st_mode & 07777) < 0) {
		berth_err_set(err, errno, "set owner and mode of \"%s\"", name);
		goto out;
	}
	/* After the owner: chown drops security.capability. */
	rc = copy_xattrs(in, out, name, err);
out:
	if (out >= 0)
		close(out);
	close(in);
	return rc;
}

static int copy_dir(int from, int to, const char *name, const struct stat *st, int depth, struct berth_err *err)
{
	int in, out, rc;

	if (mkdirat(to, name, st->st_mode & 07777) < 0)
		return berth_err_set(err, errno, "mkdir \"%s\"", name);
	in = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return berth_err_set(err, errno, "open \"%s\"", name);
	out = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (out < 0) {
		close(in);
		return berth_err_set(err, errno, "open \"%s\"", name);
	}
	rc = copy_tree(in, out, depth + 1, err);
	if (rc == 0 && (fchown(out, st->st_uid, st->st_gid) < 0 || fchmod(out, st->st_mode & 07777) < 0))
		rc = berth_err_set(err, errno, "set owner and mode of \"%s\"", name);
	if (rc == 0)
		rc = copy_xattrs(in, out, name, err);
	close(in);
	close(out);
	return rc;
}

static int copy_entry(int from, int to, const char *name, int depth, struct berth_err *err)
{
	struct stat st;
	char target[4096];
	ssize_t n;

	if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_err_set(err, errno, "stat \"%s\"", name);
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		return copy_file(from, to, name, &st, err);
	case S_IFDIR:
		return copy_dir(from, to, name, &st, depth, err);
	case S_IFLNK:
		n = readlinkat(from, name, target, sizeof(target) - 1);
		if (n < 0)
			return berth_err_set(err, errno, "readlink \"%s\"", name);
		target[n] = '\0';
		if (symlinkat(target, to, name) < 0)
			return berth_err_set(err, errno, "symlink \"%s\"", name);
		break;
	default: /* fifos, sockets, device nodes */
		if (mknodat(to, name, st.st_mode, st.st_rdev) < 0)
			return berth_err_set(err, errno, "mknod \"%s\"", name);
		break;
	}
	if (fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_err_set(err, errno, "set owner of \"%s\"", name);
	return 0;
}

static int copy_tree(int from, int to, int depth, struct berth_err *err)
{
	int fd = dup(from);
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > COPYUP_MAX_DEPTH)
		return berth_err_msg(err, ELOOP, "directories nested deeper than %d", COPYUP_MAX_DEPTH);
	if (fd < 0)
		return berth_err_set(err, errno, "dup");
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return berth_err_set(err, errno, "read directory");
	}
	errno = 0;
	while (rc == 0 && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		rc = copy_entry(from, to, de->d_name, depth, err);
	}
	closedir(d);
	return rc;
}

int mount_copyup(int covered_fd, int tmpfs_fd, struct berth_err *err)
{
	return copy_tree(covered_fd, tmpfs_fd, 0, err);
}
