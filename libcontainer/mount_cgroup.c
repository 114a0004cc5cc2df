/* The "cgroup" mount type. On cgroup v2 hosts it is a cgroup2 mount at the
 * destination. On v1 (and hybrid) hosts it is what runc builds: a tmpfs with
 * one directory per v1 hierarchy the host has mounted, each holding either a
 * fresh cgroup mount (with a new cgroup namespace, whose root is then the
 * container's own cgroup) or a bind of the host directory of the
 * container's cgroup (which stage 1 has joined); plus cgroup2 at "unified"
 * when the host has it.
 *
 * systemd as the workload (plan_workload_is_systemd) in a new cgroup
 * namespace gets the hierarchies it manages writable whatever the mount's
 * "ro" says: on v2 the cgroup2 mount; on v1 and hybrid the name=systemd
 * hierarchy and cgroup2 at "unified", which have no resource controllers.
 * The v1 controllers and the tmpfs holding them keep the mount's options:
 * the root of a v1 cgroup namespace is the container's own cgroup, whose
 * limits a writable controller would let the container raise, and a
 * read-only tmpfs leaves systemd no directory to mount a hierarchy the host
 * does not have (which would create it host-wide). */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_hierarchy.h"
#include "mount_api.h"
#include "path_in_root.h"
#include "plan_build.h"

#define CGROUP_MOUNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY)

/* /proc/self/cgroup, read once for all hierarchies: a malloc'd string, or
 * NULL with err set. */
static char *read_own_cgroups(struct berth_err *err)
{
	int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, len = 0;
	char *buf = NULL;

	if (fd < 0) {
		berth_err_set(err, errno, "open /proc/self/cgroup");
		return NULL;
	}
	for (;;) {
		ssize_t n;
		if (cap - len < 2) {
			char *bigger = realloc(buf, cap * 2);
			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		} else if (!buf && !(buf = malloc(cap))) {
			break;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			berth_err_set(err, errno, "read /proc/self/cgroup");
			free(buf);
			close(fd);
			return NULL;
		}
		if (n == 0) {
			buf[len] = '\0';
			close(fd);
			return buf;
		}
		len += (size_t)n;
	}
	berth_err_set(err, ENOMEM, "read /proc/self/cgroup");
	free(buf);
	close(fd);
	return NULL;
}

/* The process's own cgroup in hierarchy h, from the lines of
 * /proc/self/cgroup ("id:controllers:path"), made relative to the root of
 * the host's mount of it. */
static int own_cgroup_path(const char *cgroups, const struct cgroup_hierarchy *h, char *out, size_t size,
			   struct berth_err *err)
{
	size_t root_len = strlen(h->root);

	for (const char *line = cgroups; *line;) {
		const char *eol = strchrnul(line, '\n');
		const char *ctls = memchr(line, ':', (size_t)(eol - line));
		const char *path = ctls ? memchr(ctls + 1, ':', (size_t)(eol - ctls - 1)) : NULL;
		size_t path_len;
		bool match;

		line = *eol ? eol + 1 : eol;
		if (!path)
			continue;
		ctls++;
		if (h->v2)
			match = ctls == path;
		else
			match = ctls != path && cgroup_hierarchy_has(h, ctls, strcspn(ctls, ",:"));
		if (!match)
			continue;
		path++;
		path_len = (size_t)(eol - path);
		if (strcmp(h->root, "/") != 0 && path_len >= root_len && strncmp(path, h->root, root_len) == 0) {
			path += root_len;
			path_len -= root_len;
		}
		if (path_len == 0)
			snprintf(out, size, "/");
		else
			snprintf(out, size, "%.*s", (int)path_len, path);
		return 0;
	}
	return berth_err_set(err, ENOENT, "find own cgroup of \"%s\" in /proc/self/cgroup", h->mountpoint);
}

/* The host directory of the container's cgroup in hierarchy h, which
 * stage 1 joined first thing: from stage 0's cgroup manager (cg), else
 * (rootfs_prepare on its own) the process's own cgroup from
 * /proc/self/cgroup, read into *cgroups on first need. */
static int container_cgroup_dir(const struct cgroup_manager *cg, const struct cgroup_hierarchy *h, char **cgroups,
				char *out, size_t size, struct berth_err *err)
{
	size_t mp_len = strlen(h->mountpoint);
	char own[PATH_MAX];

	for (size_t i = 0; cg && i < cg->n_dirs; i++)
		if (strncmp(cg->dirs[i], h->mountpoint, mp_len) == 0 && (!cg->dirs[i][mp_len] || cg->dirs[i][mp_len] == '/')) {
			if ((size_t)snprintf(out, size, "%s", cg->dirs[i]) >= size)
				return berth_err_set(err, ENAMETOOLONG, "cgroup \"%s\"", cg->dirs[i]);
			return 0;
		}
	if (!*cgroups && !(*cgroups = read_own_cgroups(err)))
		return -1;
	if (own_cgroup_path(*cgroups, h, own, sizeof(own), err) < 0)
		return -1;
	if ((size_t)snprintf(out, size, "%s%s", h->mountpoint, strcmp(own, "/") ? own : "") >= size)
		return berth_err_set(err, ENAMETOOLONG, "cgroup \"%s%s\"", h->mountpoint, own);
	return 0;
}

/* Does systemd, the workload, get hierarchy h (NULL: the v2 host's one)
 * writable? See the top of this file. */
static bool writable_for_systemd(const struct spec *spec, const struct cgroup_hierarchy *h)
{
	static const char named[] = "name=systemd";

	if (!plan_workload_is_systemd(spec) || !rootfs_new_ns(spec, SPEC_NS_CGROUP))
		return false;
	return !h || h->v2 || cgroup_hierarchy_has(h, named, sizeof(named) - 1);
}

static uint64_t mount_attrs(unsigned long flags)
{
	return (flags & MS_RDONLY ? MOUNT_ATTR_RDONLY : 0) | (flags & MS_NOSUID ? MOUNT_ATTR_NOSUID : 0) |
	       (flags & MS_NODEV ? MOUNT_ATTR_NODEV : 0) | (flags & MS_NOEXEC ? MOUNT_ATTR_NOEXEC : 0);
}

struct cgroup_tmpfs {
	int fd;               /* the tmpfs just mounted at the destination */
	const struct cgroup_manager *cg;
	char *cgroups;        /* /proc/self/cgroup, when it had to be read */
};

/* One hierarchy at <dest>/<name>: a fresh mount with a new cgroup namespace,
 * else a bind of the host directory of the container's cgroup, both
 * without flags: the mount's come for the whole tree at the end
 * (set_cgroup_flags). The tmpfs was just mounted and nothing else can have
 * written to it yet: its directories are made and mounted on through its
 * fd, without a walk from the root. */
static int mount_hierarchy(const struct spec *spec, const struct spec_mount *m, const struct cgroup_hierarchy *h,
			   struct cgroup_tmpfs *t, struct berth_err *err)
{
	char dest[PATH_MAX], host[PATH_MAX], fd_path[PATH_IN_ROOT_FD_PATH_MAX], at[PATH_IN_ROOT_FD_PATH_MAX + NAME_MAX + 1];
	const char *type = h->v2 ? "cgroup2" : "cgroup";
	const char *name = cgroup_hierarchy_name(h);

	if ((size_t)snprintf(dest, sizeof(dest), "%s/%s", m->destination, name) >= sizeof(dest))
		return berth_err_set(err, ENAMETOOLONG, "cgroup directory in \"%s\"", m->destination);
	if (mkdirat(t->fd, name, 0755) < 0 && errno != EEXIST)
		return berth_err_set(err, errno, "mkdir \"%s\"", dest);
	snprintf(at, sizeof(at), "%s/%s", path_in_root_fd_path(t->fd, fd_path, sizeof(fd_path)), name);
	if (rootfs_new_ns(spec, SPEC_NS_CGROUP)) {
		if (mount(type, at, type, 0, h->v2 ? NULL : h->options) < 0)
			return berth_err_set(err, errno, "mount \"%s\" on \"%s\"", type, dest);
		return 0;
	}
	if (container_cgroup_dir(t->cg, h, &t->cgroups, host, sizeof(host), err) < 0)
		return -1;
	if (mount(host, at, NULL, MS_BIND, NULL) < 0)
		return berth_err_set(err, errno, "bind \"%s\" on \"%s\"", host, dest);
	return 0;
}

/* cpu,cpuacct -> symlinks cpu and cpuacct, as on the host. Best effort. */
static void link_comounted(int dir_fd, const char *name)
{
	char buf[256];

	if (!strchr(name, ','))
		return;
	snprintf(buf, sizeof(buf), "%s", name);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (strncmp(t, "name=", 5) != 0)
			(void)symlinkat(name, dir_fd, t);
}

/* The mount's flags (ro, nosuid, nodev, noexec) on the tmpfs and every
 * hierarchy in it with one recursive mount_setattr; then the hierarchies
 * systemd gets writable lose ro again, one call each. */
static int set_cgroup_flags(const struct spec *spec, const struct spec_mount *m, const struct cgroup_hierarchy *h,
			    size_t n, int tmpfs_fd, struct berth_err *err)
{
	struct mount_attr attr = { .attr_set = mount_attrs(m->flags & CGROUP_MOUNT_FLAGS) };
	struct mount_attr writable = { .attr_clr = MOUNT_ATTR_RDONLY };

	if (attr.attr_set && mount_setattr(tmpfs_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return berth_err_set(err, errno, "remount \"%s\"", m->destination);
	if (!(m->flags & MS_RDONLY))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (writable_for_systemd(spec, &h[i]) &&
		    mount_setattr(tmpfs_fd, cgroup_hierarchy_name(&h[i]), AT_SYMLINK_NOFOLLOW, &writable,
				  sizeof(writable)) < 0)
			return berth_err_set(err, errno, "make \"%s/%s\" writable for systemd", m->destination,
					     cgroup_hierarchy_name(&h[i]));
	return 0;
}

static int mount_cgroup_v1(const struct spec *spec, const struct spec_mount *m, int root_fd,
			   const struct cgroup_manager *cg, struct berth_err *err)
{
	struct cgroup_tmpfs t = { .fd = -1, .cg = cg };
	const struct cgroup_hierarchy *h;
	size_t n = 0;
	bool oom;
	char *data = NULL;
	int fd = -1, rc = -1;

	if (cgroup_host_hierarchies(&h, &n, err) < 0)
		goto out;
	fd = path_in_root_create_target(root_fd, m->destination, true, err);
	if (fd < 0)
		goto out;
	data = mount_label_data(spec, "tmpfs", "mode=755", &oom);
	if (oom) {
		berth_err_set(err, ENOMEM, "cgroup mount on \"%s\"", m->destination);
		goto out;
	}
	/* Writable for now: the hierarchy directories go in it. */
	if (mount_onto_fd("tmpfs", fd, "tmpfs", m->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC), data) < 0) {
		berth_err_set(err, errno, "mount \"tmpfs\" on \"%s\"", m->destination);
		goto out;
	}
	close(fd); /* the directory under the tmpfs: of no more use */
	fd = -1;
	t.fd = path_in_root_open(root_fd, m->destination, O_PATH | O_DIRECTORY, err);
	if (t.fd < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (mount_hierarchy(spec, m, &h[i], &t, err) < 0) {
			berth_err_wrap(err, "cgroup controller \"%s\"", h[i].v2 ? "unified" : h[i].options);
			goto out;
		}
		link_comounted(t.fd, cgroup_hierarchy_name(&h[i]));
	}
	rc = set_cgroup_flags(spec, m, h, n, t.fd, err);
out:
	if (fd >= 0)
		close(fd);
	if (t.fd >= 0)
		close(t.fd);
	free(data);
	free(t.cgroups);
	return rc;
}

static int mount_cgroup_v2(const struct spec *spec, const struct spec_mount *m, int root_fd,
			   const struct cgroup_manager *cg, struct berth_err *err)
{
	unsigned long flags = m->flags & CGROUP_MOUNT_FLAGS & ~(writable_for_systemd(spec, NULL) ? MS_RDONLY : 0UL);
	int fd, rc = 0;

	fd = path_in_root_create_target(root_fd, m->destination, true, err);
	if (fd < 0)
		return -1;
	if (mount_onto_fd("cgroup2", fd, "cgroup2", flags, NULL) < 0) {
		const struct cgroup_hierarchy h = { .mountpoint = CGROUP_ROOT, .root = "/", .v2 = true };
		char host[PATH_MAX], *cgroups = NULL;

		rc = berth_err_set(err, errno, "mount \"cgroup2\" on \"%s\"", m->destination);
		/* A user namespace without its own cgroup namespace may not
		 * mount cgroup2 (EPERM), and the kernel refuses cgroup2 on a
		 * cgroup2 mount's root (EBUSY: the host's /sys, bound when the
		 * container shares the host's network namespace): bind the
		 * container's cgroup instead, falling back where runc does. */
		if ((errno == EPERM || errno == EBUSY) && !rootfs_new_ns(spec, SPEC_NS_CGROUP) &&
		    container_cgroup_dir(cg, &h, &cgroups, host, sizeof(host), err) == 0)
			rc = mount_bind_fd(host, root_fd, m->destination, fd, false, flags, 0, err);
		free(cgroups);
	}
	close(fd);
	return rc;
}

int mount_cgroup(const struct spec *spec, const struct spec_mount *m, int root_fd, const struct cgroup_manager *cg,
		 struct berth_err *err)
{
	int v2 = cgroup_host_is_v2(err);

	if (v2 < 0)
		return -1;
	return v2 ? mount_cgroup_v2(spec, m, root_fd, cg, err) : mount_cgroup_v1(spec, m, root_fd, cg, err);
}
