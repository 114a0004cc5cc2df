/* The "cgroup" mount type. On cgroup v2 hosts it is a cgroup2 mount at the
 * destination. On v1 (and hybrid) hosts it is what runc builds: a tmpfs with
 * one directory per v1 hierarchy the host has mounted, each holding either a
 * fresh cgroup mount (with a new cgroup namespace, whose root is then the
 * container's own cgroup) or a bind of the host directory of the process's
 * own cgroup; plus cgroup2 at "unified" when the host has it.
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
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "mount_api.h"
#include "path_in_root.h"
#include "plan_build.h"

#define MAX_HIERARCHIES 32
#define CGROUP_MOUNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY)

/* Small, with its strings in one allocation: a table of PATH_MAX arrays
 * cost two page faults per hierarchy. */
struct hierarchy {
	const char *mountpoint; /* on the host, e.g. /sys/fs/cgroup/cpu,cpuacct */
	const char *root;       /* root of the mount inside the hierarchy */
	const char *opts;       /* mount data for a fresh mount, e.g. "cpu,cpuacct" */
	bool v2;
	char *text;             /* what the three point into (NULL: literals) */
};

/* Undoes mountinfo's octal escapes ("\040" for a space) in place. */
static void unescape_mountinfo(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*out++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* The options of a fresh mount: the super options minus rw/ro and
 * release_agent (which only the host's hierarchy owner should set). */
static void fresh_mount_opts(const char *super, char *out, size_t size)
{
	char buf[512];
	size_t len = 0;

	snprintf(buf, sizeof(buf), "%s", super);
	out[0] = '\0';
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "rw") || !strcmp(t, "ro") || !strncmp(t, "release_agent=", 14))
			continue;
		len += (size_t)snprintf(out + len, size - len, "%s%s", len ? "," : "", t);
		if (len >= size)
			break;
	}
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The host's cgroup hierarchies mounted at /sys/fs/cgroup/<name>, from
 * /proc/self/mountinfo; one per name (a hierarchy mounted twice is listed
 * once). */
static int read_hierarchies(struct hierarchy *h, size_t *n, struct berth_err *err)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, *text;
	size_t cap = 0, mp_len, root_len, opts_len;
	int rc = 0;

	*n = 0;
	if (!f)
		return berth_err_set(err, errno, "open /proc/self/mountinfo");
	while (getline(&line, &cap, f) > 0 && *n < MAX_HIERARCHIES) {
		char root[PATH_MAX], mp[PATH_MAX], fstype[64], super[512], opts[512];
		const char *sep = strstr(line, " - ");
		bool dup = false;

		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mp) != 2 ||
		    sscanf(sep + 3, "%63s %*s %511s", fstype, super) != 2)
			continue;
		if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
			continue;
		unescape_mountinfo(root);
		unescape_mountinfo(mp);
		/* Only the host's hierarchies, not ones under some rootfs. */
		if (strncmp(mp, "/sys/fs/cgroup/", 15) != 0 || strchr(mp + 15, '/'))
			continue;
		for (size_t i = 0; i < *n; i++)
			dup |= strcmp(base_name(h[i].mountpoint), base_name(mp)) == 0;
		if (dup)
			continue;
		fresh_mount_opts(super, opts, sizeof(opts));
		mp_len = strlen(mp) + 1;
		root_len = strlen(root) + 1;
		opts_len = strlen(opts) + 1;
		text = malloc(mp_len + root_len + opts_len);
		if (!text) {
			rc = berth_err_set(err, ENOMEM, "cgroup hierarchies");
			break;
		}
		memcpy(text, mp, mp_len);
		memcpy(text + mp_len, root, root_len);
		memcpy(text + mp_len + root_len, opts, opts_len);
		h[*n] = (struct hierarchy){ .mountpoint = text, .root = text + mp_len, .opts = text + mp_len + root_len,
					    .v2 = strcmp(fstype, "cgroup2") == 0, .text = text };
		(*n)++;
	}
	free(line);
	fclose(f);
	return rc;
}

static void free_hierarchies(struct hierarchy *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(h[i].text);
}

static bool opts_have(const char *opts, const char *token, size_t token_len)
{
	for (const char *p = opts; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == token_len && strncmp(p, token, len) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

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
static int own_cgroup_path(const char *cgroups, const struct hierarchy *h, char *out, size_t size,
			   struct berth_err *err)
{
	size_t root_len = strlen(h->root);

	if (!cgroups)
		return berth_err_set(err, ENOENT, "find own cgroup of \"%s\": /proc/self/cgroup not read", h->mountpoint);
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
			match = ctls != path && opts_have(h->opts, ctls, strcspn(ctls, ",:"));
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

/* Does systemd, the workload, get hierarchy h (NULL: the v2 host's one)
 * writable? See the top of this file. */
static bool writable_for_systemd(const struct spec *spec, const struct hierarchy *h)
{
	static const char named[] = "name=systemd";

	if (!plan_workload_is_systemd(spec) || !rootfs_new_ns(spec, SPEC_NS_CGROUP))
		return false;
	return !h || h->v2 || opts_have(h->opts, named, sizeof(named) - 1);
}

/* A bind of the host's directory host on <tmpfs_fd>/<name> with flags, in
 * three calls where a bind and a remount by path take six: the tree is
 * cloned, given its flags and attached by fd. */
static int bind_hierarchy(const char *host, int tmpfs_fd, const char *name, const char *dest, unsigned long flags,
			  struct berth_err *err)
{
	struct mount_attr attr = { 0 };
	int tree = open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	int rc = 0;

	if (tree < 0)
		return berth_err_set(err, errno, "bind \"%s\" on \"%s\"", host, dest);
	attr.attr_set = (flags & MS_RDONLY ? MOUNT_ATTR_RDONLY : 0) | (flags & MS_NOSUID ? MOUNT_ATTR_NOSUID : 0) |
			(flags & MS_NODEV ? MOUNT_ATTR_NODEV : 0) | (flags & MS_NOEXEC ? MOUNT_ATTR_NOEXEC : 0);
	if (attr.attr_set && mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		rc = berth_err_set(err, errno, "remount \"%s\"", dest);
	/* The directory was just made in a tmpfs nothing else has seen, and
	 * move_mount does not follow a symlink there anyway. */
	else if (move_mount(tree, "", tmpfs_fd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		rc = berth_err_set(err, errno, "bind \"%s\" on \"%s\"", host, dest);
	close(tree);
	return rc;
}

/* One hierarchy at <dest>/<name>: a fresh mount with a new cgroup namespace,
 * else a bind of the host directory of our own cgroup (cgroups: the lines
 * of /proc/self/cgroup). tmpfs_fd is the tmpfs just mounted at dest, which
 * nothing else can have written to yet: its directories are made and
 * opened without a walk from the root. */
static int mount_hierarchy(const struct spec *spec, const struct spec_mount *m, const struct hierarchy *h,
			   const char *cgroups, int tmpfs_fd, struct berth_err *err)
{
	char dest[PATH_MAX], own[PATH_MAX], host[PATH_MAX * 2];
	unsigned long flags = m->flags & CGROUP_MOUNT_FLAGS & ~(writable_for_systemd(spec, h) ? MS_RDONLY : 0UL);
	const char *type = h->v2 ? "cgroup2" : "cgroup";
	const char *name = base_name(h->mountpoint);
	int fd, rc = 0;

	if ((size_t)snprintf(dest, sizeof(dest), "%s/%s", m->destination, name) >= sizeof(dest))
		return berth_err_set(err, ENAMETOOLONG, "cgroup directory in \"%s\"", m->destination);
	if (mkdirat(tmpfs_fd, name, 0755) < 0 && errno != EEXIST)
		return berth_err_set(err, errno, "mkdir \"%s\"", dest);
	if (!rootfs_new_ns(spec, SPEC_NS_CGROUP)) {
		if (own_cgroup_path(cgroups, h, own, sizeof(own), err) < 0)
			return -1;
		snprintf(host, sizeof(host), "%s%s", h->mountpoint, strcmp(own, "/") ? own : "");
		return bind_hierarchy(host, tmpfs_fd, name, dest, flags, err);
	}
	fd = openat(tmpfs_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berth_err_set(err, errno, "open \"%s\"", dest);
	if (mount_onto_fd(type, fd, type, flags, h->v2 ? NULL : h->opts) < 0)
		rc = berth_err_set(err, errno, "mount \"%s\" on \"%s\"", type, dest);
	close(fd);
	return rc;
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

static int mount_cgroup_v1(const struct spec *spec, const struct spec_mount *m, int root_fd, struct berth_err *err)
{
	struct hierarchy h[MAX_HIERARCHIES];
	size_t n = 0;
	bool oom;
	char *data = NULL, *cgroups = NULL;
	int fd = -1, rc = -1;

	if (read_hierarchies(h, &n, err) < 0)
		goto out;
	if (!rootfs_new_ns(spec, SPEC_NS_CGROUP) && !(cgroups = read_own_cgroups(err)))
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
	close(fd);
	fd = path_in_root_open(root_fd, m->destination, O_PATH | O_DIRECTORY, err);
	if (fd < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (mount_hierarchy(spec, m, &h[i], cgroups, fd, err) < 0) {
			berth_err_wrap(err, "cgroup controller \"%s\"", h[i].v2 ? "unified" : h[i].opts);
			goto out;
		}
		link_comounted(fd, base_name(h[i].mountpoint));
	}
	if ((m->flags & MS_RDONLY) &&
	    mount_onto_fd(NULL, fd, NULL, MS_BIND | MS_REMOUNT | (m->flags & CGROUP_MOUNT_FLAGS), NULL) < 0) {
		berth_err_set(err, errno, "remount \"%s\" read-only", m->destination);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(data);
	free(cgroups);
	free_hierarchies(h, n);
	return rc;
}

static int mount_cgroup_v2(const struct spec *spec, const struct spec_mount *m, int root_fd, struct berth_err *err)
{
	struct hierarchy h = { .mountpoint = "/sys/fs/cgroup", .root = "/", .v2 = true };
	unsigned long flags = m->flags & CGROUP_MOUNT_FLAGS & ~(writable_for_systemd(spec, NULL) ? MS_RDONLY : 0UL);
	int fd, rc = 0;

	fd = path_in_root_create_target(root_fd, m->destination, true, err);
	if (fd < 0)
		return -1;
	if (mount_onto_fd("cgroup2", fd, "cgroup2", flags, NULL) < 0) {
		char own[PATH_MAX], host[PATH_MAX * 2], *cgroups = NULL;

		rc = berth_err_set(err, errno, "mount \"cgroup2\" on \"%s\"", m->destination);
		/* A user namespace without its own cgroup namespace may not
		 * mount cgroup2: bind our own cgroup instead, as runc does. */
		if (errno == EPERM && !rootfs_new_ns(spec, SPEC_NS_CGROUP) && (cgroups = read_own_cgroups(err)) &&
		    own_cgroup_path(cgroups, &h, own, sizeof(own), err) == 0) {
			snprintf(host, sizeof(host), "/sys/fs/cgroup%s", strcmp(own, "/") ? own : "");
			rc = mount_bind_fd(host, root_fd, m->destination, fd, false, flags, 0, err);
		}
		free(cgroups);
	}
	close(fd);
	return rc;
}

int mount_cgroup(const struct spec *spec, const struct spec_mount *m, int root_fd, struct berth_err *err)
{
	struct statfs st;

	if (statfs("/sys/fs/cgroup", &st) < 0)
		return berth_err_set(err, errno, "statfs /sys/fs/cgroup");
	if (st.f_type == CGROUP2_SUPER_MAGIC)
		return mount_cgroup_v2(spec, m, root_fd, err);
	return mount_cgroup_v1(spec, m, root_fd, err);
}
