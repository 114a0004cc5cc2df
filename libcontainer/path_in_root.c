#include "path_in_root.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* How many dangling symlinks one resolution may follow (the kernel's limit). */
#define MAX_SYMLINK_HOPS 40

enum target_kind { TARGET_DIR, TARGET_FILE };

const char *path_in_root_fd_path(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
	return buf;
}

/* openat2 confined to root_fd; retries EAGAIN, which RESOLVE_IN_ROOT returns
 * when a concurrent rename could have let ".." escape. */
static int openat2_in_root(int root_fd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = -1;

	for (int tries = 0; tries < 32; tries++) {
		fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return (int)fd;
}

int path_clean(const char *path, char *out, size_t size, bool *dotdot)
{
	size_t len = 0;

	*dotdot = false;
	for (const char *p = path; *p;) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.')) {
			p += n;
			continue;
		}
		*dotdot |= n == 2 && p[0] == '.' && p[1] == '.';
		if (len + 1 + n >= size) {
			errno = ENAMETOOLONG;
			return -1;
		}
		out[len++] = '/';
		memcpy(out + len, p, n);
		len += n;
		p += n;
	}
	if (size < 2) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	return 0;
}

int path_in_root_open(int root_fd, const char *path, int flags, struct berth_err *err)
{
	int fd = openat2_in_root(root_fd, path, flags);

	if (fd < 0)
		return berth_err_set(err, errno, "open \"%s\" in rootfs", path);
	return fd;
}

/* Splits path into its non-empty components (in place). Returns the count. */
static size_t split_components(char *path, char **comps, size_t max)
{
	size_t n = 0;

	for (char *save = NULL, *c = strtok_r(path, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (n == max)
			return max + 1;
		comps[n++] = c;
	}
	return n;
}

/* Builds the path to follow instead of a dangling symlink found at
 * comps[i]: its target (relative to the parent when relative), then the
 * components after it. Returns a malloc'd string or NULL (errno set). */
static char *follow_dangling(const char *target, char **comps, size_t i, size_t n)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	if (target[0] != '/')
		for (size_t k = 0; k < i; k++)
			fprintf(f, "/%s", comps[k]);
	fprintf(f, "/%s", target);
	for (size_t k = i + 1; k < n; k++)
		fprintf(f, "/%s", comps[k]);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* Creates comps[i] inside parent_fd: a directory, or for the last component
 * of a file target an empty file. EEXIST is passed through to the caller. */
static int create_component(int parent_fd, const char *name, bool want_file, mode_t dir_mode)
{
	int fd;

	if (!want_file)
		return mkdirat(parent_fd, name, dir_mode);
	/* O_EXCL|O_NOFOLLOW: never open (or create through) an existing symlink. */
	fd = openat(parent_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Writes "/comps[0]/.../comps[last]" into buf. Returns -1 if it is too long. */
static int join_prefix(char *buf, size_t size, char **comps, size_t last)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t k = 0; k <= last; k++) {
		int w = snprintf(buf + len, size - len, "/%s", comps[k]);
		if (w < 0 || (size_t)w >= size - len) {
			errno = ENAMETOOLONG;
			return -1;
		}
		len += (size_t)w;
	}
	return 0;
}

#define MAX_COMPONENTS 512

/* The deepest existing directory among the proper prefixes of comps[0..n),
 * found from the end (usually the parent exists: one openat2). Returns its
 * fd and sets *first to the index of the first component below it, which
 * did not resolve; -1 on an error other than ENOENT. */
static int open_deepest_parent(int root_fd, char **comps, size_t n, size_t *first)
{
	char prefix[PATH_MAX];

	for (size_t k = n - 1; k > 0; k--) {
		int fd;
		if (join_prefix(prefix, sizeof(prefix), comps, k - 1) < 0)
			return -1;
		fd = openat2_in_root(root_fd, prefix, O_PATH | O_DIRECTORY);
		if (fd >= 0) {
			*first = k;
			return fd;
		}
		if (errno != ENOENT)
			return -1;
	}
	*first = 0;
	return openat2_in_root(root_fd, "/", O_PATH | O_DIRECTORY);
}

/*
 * The walk behind mkdir_all and create_target. Finds the deepest existing
 * prefix of the path through openat2 from the root (so symlinks resolve
 * inside it), then creates each missing component relative to the previous,
 * safely opened, prefix and opens it again from the root. A dangling symlink
 * makes the walk restart on the path it points to.
 */
static int resolve_create(int root_fd, const char *path, enum target_kind kind, mode_t dir_mode,
			  struct berth_err *err)
{
	char *work = strdup(path), *copy = NULL;
	char *comps[MAX_COMPONENTS];
	char prefix[PATH_MAX], target[PATH_MAX];
	int parent_fd = -1, fd = -1, hops = 0;
	size_t n, first = 0;

	if (!work)
		return berth_err_set(err, errno, "resolve \"%s\" in rootfs", path);
restart:
	fd = openat2_in_root(root_fd, work, O_PATH | (kind == TARGET_DIR ? O_DIRECTORY : 0));
	if (fd >= 0 || errno != ENOENT)
		goto out;
	free(copy);
	copy = strdup(work);
	if (!copy)
		goto out;
	n = split_components(copy, comps, MAX_COMPONENTS);
	if (n > MAX_COMPONENTS) {
		errno = ENAMETOOLONG;
		goto out;
	}
	if (n == 0) {
		fd = openat2_in_root(root_fd, "/", O_PATH | O_DIRECTORY);
		goto out;
	}
	parent_fd = open_deepest_parent(root_fd, comps, n, &first);
	if (parent_fd < 0)
		goto out;
	for (size_t i = first; i < n; i++) {
		bool want_file = i + 1 == n && kind == TARGET_FILE;
		int oflags = O_PATH | (want_file ? 0 : O_DIRECTORY);
		ssize_t tlen;
		bool dots;

		if (join_prefix(prefix, sizeof(prefix), comps, i) < 0)
			goto out;
		dots = strcmp(comps[i], ".") == 0 || strcmp(comps[i], "..") == 0;
		if (dots || create_component(parent_fd, comps[i], want_file, dir_mode) == 0 || errno == EEXIST)
			fd = openat2_in_root(root_fd, prefix, oflags);
		if (fd < 0 && errno == ENOENT && !dots) {
			/* It exists but does not resolve: a dangling symlink.
			 * Follow it by hand; the restart resolves its target
			 * inside the root again, ".." clamped at the root. */
			tlen = readlinkat(parent_fd, comps[i], target, sizeof(target) - 1);
			if (tlen < 0)
				goto out;
			target[tlen] = '\0';
			if (++hops > MAX_SYMLINK_HOPS) {
				errno = ELOOP;
				goto out;
			}
			free(work);
			work = follow_dangling(target, comps, i, n);
			close(parent_fd);
			parent_fd = -1;
			if (!work)
				goto out;
			goto restart;
		}
		if (fd < 0)
			goto out;
		if (i + 1 < n) {
			close(parent_fd);
			parent_fd = fd;
			fd = -1;
		}
	}
out:
	if (fd < 0)
		berth_err_set(err, errno, "%s \"%s\" in rootfs", kind == TARGET_FILE ? "create" : "mkdir",
			      path);
	if (parent_fd >= 0)
		close(parent_fd);
	free(copy);
	free(work);
	return fd;
}

int path_in_root_mkdir_all(int root_fd, const char *path, mode_t mode, struct berth_err *err)
{
	return resolve_create(root_fd, path, TARGET_DIR, mode, err);
}

int path_in_root_create_target(int root_fd, const char *path, bool is_dir, struct berth_err *err)
{
	return resolve_create(root_fd, path, is_dir ? TARGET_DIR : TARGET_FILE, 0755, err);
}
