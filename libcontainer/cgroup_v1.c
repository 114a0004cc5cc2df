/* cgroup v1: the same path made in every mounted hierarchy (and in the v2
 * hierarchy of a hybrid host); device rules through devices.allow/deny. */
#include "cgroup.h"
#include "cgroup_resources.h"
#include "cgroup_stats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Devices every container gets, as runc allows them by default. */
static const char *const default_device_rules[] = {
	"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
	"c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm",
};

static int read_small_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* A new cpuset cgroup starts with empty cpus/mems and refuses tasks:
 * copy them down from the parent. The parent may itself be new and still
 * empty (another berth made it a moment ago for a cgroupsPath and has not
 * filled it yet): then it is filled first, from its own parent. own_first:
 * look at dir's own cpus first, which the kernel fills (mems with them)
 * when the parent has cgroup.clone_children (a container under a parent
 * berth made earlier); else (a parent berth makes on the way) they are
 * taken as empty. Returns 1 for a directory of the cpuset hierarchy, 0 for
 * any other. */
static int cpuset_inherit(const char *dir, bool own_first, struct berth_err *err)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char path[4200], parent[4096], value[4096];
	char *slash;

	if (!strstr(dir, "cpuset"))
		return 0; /* not the cpuset hierarchy: spare the failed opens */
	if (own_first) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[0]);
		if (read_small_file(path, value, sizeof(value)) < 0)
			return 0; /* not the cpuset hierarchy, or its root */
		if (value[0])
			return 1;
	}
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", parent, files[i]);
		if (read_small_file(path, value, sizeof(value)) < 0) {
			if (!own_first && i == 0)
				return 0; /* not the cpuset hierarchy */
			return berth_err_set(err, errno, "read %s", path);
		}
		if (!value[0]) {
			if (cpuset_inherit(parent, false, err) < 0)
				return -1;
			if (read_small_file(path, value, sizeof(value)) < 0)
				return berth_err_set(err, errno, "read %s", path);
		}
		if (cgroup_write_file(dir, files[i], value, err) < 0)
			return -1;
	}
	return 1;
}

/* A cpuset directory berth makes above a container's (missing parents of
 * a cgroupsPath) also gets cgroup.clone_children: the kernel then gives
 * each container's cpuset its cpus and mems as it is made. Under a parent
 * made (and so set up) just before, nothing is left to check; elsewhere
 * cpuset_inherit finds them set (one read where it took two reads and two
 * writes). The default /<id> sits under the host's root cpuset, which
 * berth leaves as it is: there it copies. */
static int cpuset_on_new(const char *dir, bool leaf, bool parent_new, struct berth_err *err)
{
	int rc;

	if (leaf && parent_new)
		return 0;
	rc = cpuset_inherit(dir, leaf, err);
	if (rc <= 0 || leaf)
		return rc;
	return cgroup_write_file(dir, "cgroup.clone_children", "1", err);
}

static void format_device_rule(const struct spec_device_cgroup *d, char *buf, size_t len)
{
	char major[24] = "*", minor[24] = "*";

	if (d->major.set)
		snprintf(major, sizeof(major), "%lld", (long long)d->major.v);
	if (d->minor.set)
		snprintf(minor, sizeof(minor), "%lld", (long long)d->minor.v);
	snprintf(buf, len, "%c %s:%s %s", d->type ? d->type : 'a', major, minor,
		 d->access && *d->access ? d->access : "rwm");
}

/* devices.allow and devices.deny, each opened once for all the rules
 * (the kernel takes one rule per write). */
struct device_files {
	const char *dir;
	int fd[2]; /* allow, deny */
};

static int write_device_rule(struct device_files *f, bool allow, const char *rule, struct berth_err *err)
{
	const char *name = allow ? "devices.allow" : "devices.deny";
	int *fd = &f->fd[allow ? 0 : 1];
	size_t len = strlen(rule);
	ssize_t n;

	if (*fd < 0) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", f->dir, name);
		*fd = open(path, O_WRONLY | O_CLOEXEC);
		if (*fd < 0)
			return berth_err_set(err, errno, "open %s", path);
	}
	n = write(*fd, rule, len);
	if (n != (ssize_t)len)
		return berth_err_set(err, n < 0 ? errno : EIO, "write %s/%s \"%s\"", f->dir, name, rule);
	return 0;
}

static int write_device_rules(struct device_files *f, const struct spec *spec, struct berth_err *err)
{
	const struct spec_resources *res = &spec->linux_.resources;
	char rule[128];

	/* Start from nothing allowed, then the config's rules in order, then
	 * the defaults and the config's own devices, as runc does. */
	if (write_device_rule(f, false, "a", err) < 0)
		return -1;
	for (size_t i = 0; i < res->n_devices; i++) {
		const struct spec_device_cgroup *d = &res->devices[i];
		format_device_rule(d, rule, sizeof(rule));
		if (d->type == 'a' || d->type == 0) {
			if (!d->allow)
				continue; /* already denied everything */
			snprintf(rule, sizeof(rule), "a");
		}
		if (write_device_rule(f, d->allow, rule, err) < 0)
			return berth_err_wrap(err, "linux.resources.devices[%zu]", i);
	}
	for (size_t i = 0; i < sizeof(default_device_rules) / sizeof(*default_device_rules); i++)
		if (write_device_rule(f, true, default_device_rules[i], err) < 0)
			return -1;
	for (size_t i = 0; i < spec->linux_.n_devices; i++) {
		const struct spec_device *d = &spec->linux_.devices[i];
		char type = d->type == 'u' ? 'c' : d->type;
		if (type == 'p')
			continue; /* fifos need no device permission */
		snprintf(rule, sizeof(rule), "%c %lld:%lld rwm", type, (long long)d->major, (long long)d->minor);
		if (write_device_rule(f, true, rule, err) < 0)
			return berth_err_wrap(err, "linux.devices[%zu]", i);
	}
	return 0;
}

static int apply_device_rules(const char *dir, const struct spec *spec, struct berth_err *err)
{
	struct device_files f = { dir, { -1, -1 } };
	int rc = write_device_rules(&f, spec, err);

	for (int i = 0; i < 2; i++)
		if (f.fd[i] >= 0)
			close(f.fd[i]);
	return rc;
}

static int v1_create(struct cgroup_manager *m, const struct spec *spec, struct berth_err *err)
{
	bool parent_missing = false;

	for (size_t i = 0; i < m->n_dirs; i++)
		if (cgroup_make_dir(m, i, cpuset_on_new, &parent_missing, err) < 0)
			return -1;
	if (m->devices_dir && spec->linux_.has_resources && apply_device_rules(m->devices_dir, spec, err) < 0)
		return -1;
	return spec->linux_.has_resources ? m->ops->apply(m, &spec->linux_.resources, err) : 0;
}

static int v1_attach(struct cgroup_manager *m, pid_t pid, struct berth_err *err)
{
	char value[32];

	snprintf(value, sizeof(value), "%d", (int)pid);
	for (size_t i = 0; i < m->n_dirs; i++)
		if (cgroup_write_file(m->dirs[i], "cgroup.procs", value, err) < 0)
			return -1;
	return 0;
}

static int compare_pids(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

static int v1_pids(struct cgroup_manager *m, pid_t **pids, size_t *n, struct berth_err *err)
{
	size_t cap = 0, out = 0;

	*pids = NULL;
	*n = 0;
	/* A process may sit in a nested cgroup of one hierarchy only: union. */
	for (size_t i = 0; i < m->n_dirs; i++)
		if (cgroup_read_procs_tree(m->dirs[i], pids, n, &cap, err) < 0) {
			free(*pids);
			*pids = NULL;
			*n = 0;
			return -1;
		}
	if (*n == 0)
		return 0;
	qsort(*pids, *n, sizeof(pid_t), compare_pids);
	for (size_t i = 0; i < *n; i++)
		if (out == 0 || (*pids)[out - 1] != (*pids)[i])
			(*pids)[out++] = (*pids)[i];
	*n = out;
	return 0;
}

static int v1_remove(struct cgroup_manager *m, struct berth_err *err)
{
	int rc = 0;

	for (size_t i = 0; i < m->n_dirs; i++)
		if (cgroup_rmdir_tree(m->dirs[i], err) < 0)
			rc = -1;
	return rc;
}

const struct cgroup_ops cgroup_v1_ops = {
	.name = "v1",
	.create = v1_create,
	.attach = v1_attach,
	.pids = v1_pids,
	.remove = v1_remove,
	.apply = cgroup_v1_apply,
	.freeze = cgroup_v1_freeze,
	.freezer_state = cgroup_v1_freezer_state,
	.stats = cgroup_v1_stats,
	.oom_watch = cgroup_v1_oom_watch,
	.oom_read = cgroup_v1_oom_read,
};
