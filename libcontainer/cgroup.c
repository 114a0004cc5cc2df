#include "cgroup.h"
#include "cgroup_hierarchy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


static bool path_has_dotdot(const char *p)
{
	const char *s = p;

	while ((s = strstr(s, ".."))) {
		bool start = (s == p || s[-1] == '/');
		bool end = (s[2] == '\0' || s[2] == '/');
		if (start && end)
			return true;
		s += 2;
	}
	return false;
}

/* A cgroup of pid ("self" for 0) from /proc/<pid>/cgroup: the first v1
 * hierarchy's, or the cgroup2 one ("0::") where there is no v1; with
 * v2_only the cgroup2 one. "/" if none. */
static int proc_cgroup_path(pid_t pid, bool v2_only, char *out, size_t len, struct berth_err *err)
{
	char line[4096], file[64];
	FILE *f;

	if (pid)
		snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	else
		snprintf(file, sizeof(file), "/proc/self/cgroup");
	f = fopen(file, "re");
	if (!f)
		return berth_err_set(err, errno, "open %s", file);
	snprintf(out, len, "/");
	while (fgets(line, sizeof(line), f)) {
		bool v2 = strncmp(line, "0::", 3) == 0;
		char *path = strchr(line, ':');
		if (!path || !(path = strchr(path + 1, ':')) || (v2_only && !v2))
			continue;
		path++;
		path[strcspn(path, "\n")] = '\0';
		snprintf(out, len, "%s", path);
		if (v2_only || !v2)
			break;
	}
	fclose(f);
	return 0;
}

int cgroup_resolve_path(const char *cgroups_path, const char *id, char *out, size_t len,
			struct berth_err *err)
{
	char parent[4096];

	if (!cgroups_path || !*cgroups_path) {
		if ((size_t)snprintf(out, len, "/%s", id) >= len)
			return berth_err_set(err, ENAMETOOLONG, "cgroup path");
		return 0;
	}
	if (path_has_dotdot(cgroups_path))
		return berth_err_msg(err, EINVAL, "linux.cgroupsPath \"%s\" must not contain \"..\"", cgroups_path);
	if (cgroups_path[0] == '/') {
		if ((size_t)snprintf(out, len, "%s", cgroups_path) >= len)
			return berth_err_set(err, ENAMETOOLONG, "cgroup path");
		return 0;
	}
	if (strchr(cgroups_path, ':'))
		return berth_err_set(err, EINVAL,
				     "linux.cgroupsPath \"%s\" looks like a systemd slice:name:unit path, which needs --systemd-cgroup",
				     cgroups_path);
	/* Relative paths go under our own cgroup. */
	if (proc_cgroup_path(0, false, parent, sizeof(parent), err) < 0)
		return -1;
	if ((size_t)snprintf(out, len, "%s/%s", strcmp(parent, "/") == 0 ? "" : parent, cgroups_path) >= len)
		return berth_err_set(err, ENAMETOOLONG, "cgroup path");
	return 0;
}

static int add_dir(struct cgroup_manager *m, const char *mountpoint, bool is_devices, bool is_v2,
		   struct berth_err *err)
{
	char *dir;

	if (m->n_dirs == CGROUP_MAX_HIERARCHIES)
		return 0;
	if (asprintf(&dir, "%s%s", mountpoint, m->path) < 0)
		return berth_err_set(err, ENOMEM, "cgroup");
	m->dir_is_v2[m->n_dirs] = is_v2;
	m->dirs[m->n_dirs++] = dir;
	if (is_devices)
		m->devices_dir = dir;
	return 0;
}

/* v1: every hierarchy mounted under CGROUP_ROOT, plus the v2 one of a
 * hybrid host, so nothing of the container's stays in berth's cgroups. */
static int collect_v1_hierarchies(struct cgroup_manager *m, struct berth_err *err)
{
	const struct cgroup_hierarchy *h;
	size_t n;

	if (cgroup_host_hierarchies(&h, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (add_dir(m, h[i].mountpoint, !h[i].v2 && cgroup_hierarchy_has(&h[i], "devices", 7), h[i].v2, err) < 0)
			return -1;
	if (m->n_dirs == 0)
		return berth_err_set(err, ENOENT, "no cgroup hierarchy is mounted under " CGROUP_ROOT);
	return 0;
}

struct cgroup_manager *cgroup_manager_open(const char *path, struct berth_err *err)
{
	struct cgroup_manager *m = calloc(1, sizeof(*m));
	int v2;

	if (!m) {
		berth_err_set(err, ENOMEM, "cgroup");
		return NULL;
	}
	snprintf(m->path, sizeof(m->path), "%s", path);
	v2 = cgroup_host_is_v2(err);
	if (v2 < 0)
		goto fail;
	if (v2) {
		m->ops = &cgroup_v2_ops;
		if (add_dir(m, CGROUP_ROOT, false, true, err) < 0)
			goto fail;
	} else {
		m->ops = &cgroup_v1_ops;
		if (collect_v1_hierarchies(m, err) < 0)
			goto fail;
	}
	return m;
fail:
	cgroup_manager_free(m);
	return NULL;
}

void cgroup_manager_free(struct cgroup_manager *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_dirs; i++)
		free(m->dirs[i]);
	free(m);
}

/* mkdir(path) said ENOENT, or is expected to: makes its missing ancestors,
 * found by walking up from the parent (usually only the last one or two
 * are missing), then path itself. Returns 1 when this call made path, 0
 * when it was there, -1 on error; *made is set once the leaf is made,
 * even when on_new then fails. *raced: an ancestor was removed meanwhile.
 * path is modified and restored. */
static int mkdir_with_parents(char *path, cgroup_on_new_fn on_new, bool leaf, bool *made, bool *raced,
			      struct berth_err *err)
{
	char *slash = strrchr(path, '/');
	bool parent_new = false;
	int rc = 0;

	if (!slash || slash == path)
		return berth_err_set(err, ENOENT, "mkdir %s", path);
	*slash = '\0';
	if (mkdir(path, 0755) == 0) {
		parent_new = true;
		rc = on_new ? on_new(path, false, false, err) : 0;
	} else if (errno == ENOENT) {
		rc = mkdir_with_parents(path, on_new, false, made, raced, err);
		parent_new = rc > 0;
	} else if (errno != EEXIST) {
		rc = berth_err_set(err, errno, "mkdir %s", path);
	}
	*slash = '/';
	if (rc < 0)
		return -1;
	if (*raced)
		return 0;
	if (mkdir(path, 0755) == 0) {
		*made = *made || leaf;
		return on_new && on_new(path, leaf, parent_new, err) < 0 ? -1 : 1;
	}
	if (errno == ENOENT)
		*raced = true;
	else if (errno != EEXIST)
		return berth_err_set(err, errno, "mkdir %s", path);
	return 0;
}

int cgroup_mkdir_p(const char *dir, cgroup_on_new_fn on_new, bool *parent_missing, bool *made,
		   struct berth_err *err)
{
	char path[4096];

	*made = false;
	/* The common case, the parent already there: one mkdir. */
	if (!(parent_missing && *parent_missing)) {
		if (mkdir(dir, 0755) == 0) {
			*made = true;
			return on_new ? on_new(dir, true, false, err) : 0;
		}
		if (errno == EEXIST)
			return 0;
		if (errno != ENOENT)
			return berth_err_set(err, errno, "mkdir %s", dir);
		if (parent_missing)
			*parent_missing = true;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s", dir) >= sizeof(path))
		return berth_err_set(err, ENAMETOOLONG, "mkdir %s", dir);
	/* Someone may remove an empty parent between two mkdirs here: start
	 * over a few times before giving up. */
	for (int attempt = 0; attempt < 5; attempt++) {
		bool raced = false;
		if (mkdir_with_parents(path, on_new, true, made, &raced, err) < 0)
			return -1;
		if (!raced)
			return 0;
	}
	return berth_err_set(err, ENOENT, "mkdir %s", dir);
}

int cgroup_write_file(const char *dir, const char *file, const char *value, struct berth_err *err)
{
	char path[4096];
	size_t len = strlen(value);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_err_set(err, errno, "open %s", path);
	n = write(fd, value, len);
	if (n != (ssize_t)len) {
		int e = n < 0 ? errno : EIO;
		close(fd);
		return berth_err_set(err, e, "write %s \"%s\"", path, value);
	}
	close(fd);
	return 0;
}

static int read_procs_file(const char *dir, pid_t **pids, size_t *n, size_t *cap, struct berth_err *err)
{
	char path[4096];
	FILE *f;
	long v;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : berth_err_set(err, errno, "open %s", path);
	while (fscanf(f, "%ld", &v) == 1) {
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 32;
			pid_t *grown = realloc(*pids, ncap * sizeof(pid_t));
			if (!grown) {
				fclose(f);
				return berth_err_set(err, ENOMEM, "read %s", path);
			}
			*pids = grown;
			*cap = ncap;
		}
		(*pids)[(*n)++] = (pid_t)v;
	}
	fclose(f);
	return 0;
}

int cgroup_read_procs_tree(const char *dir, pid_t **pids, size_t *n, size_t *cap, struct berth_err *err)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (read_procs_file(dir, pids, n, cap, err) < 0)
		return -1;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : berth_err_set(err, errno, "open %s", dir);
	while (rc == 0 && (de = readdir(d))) {
		char sub[4096];
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= sizeof(sub))
			continue;
		rc = cgroup_read_procs_tree(sub, pids, n, cap, err);
	}
	closedir(d);
	return rc;
}

int cgroup_rmdir_tree(const char *dir, struct berth_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 : berth_err_set(err, errno, "open %s", dir);
	while ((de = readdir(d))) {
		char sub[4096];
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= sizeof(sub))
			continue;
		if (cgroup_rmdir_tree(sub, err) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	/* A killed process leaves its cgroup a moment after the signal
	 * (up to 5 s here). */
	for (int tries = 0; tries < 1000; tries++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 5000000L }, NULL);
	}
	return berth_err_set(err, errno, "remove cgroup %s", dir);
}

int cgroup_signal_all(struct cgroup_manager *m, int sig, struct berth_err *err)
{
	pid_t *pids = NULL;
	size_t n = 0;

	if (m->ops->pids(m, &pids, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (kill(pids[i], sig) < 0 && errno != ESRCH) {
			int e = errno;
			pid_t pid = pids[i];
			free(pids);
			return berth_err_set(err, e, "kill %d", (int)pid);
		}
	}
	free(pids);
	return 0;
}

int cgroup_make_dir(struct cgroup_manager *m, size_t i, cgroup_on_new_fn on_new, bool *parent_missing,
		    struct berth_err *err)
{
	if (cgroup_mkdir_p(m->dirs[i], on_new, parent_missing, &m->dir_made[i], err) < 0)
		return -1;
	if (!m->dir_made[i] && m->must_be_new)
		return berth_err_set(err, EEXIST,
				     "%s was there before this container: remove it, or choose the cgroup with linux.cgroupsPath",
				     m->dirs[i]);
	return 0;
}

void cgroup_forget_joined(struct cgroup_manager *m)
{
	size_t kept = 0;

	for (size_t i = 0; i < m->n_dirs; i++) {
		if (!m->dir_made[i]) {
			if (m->devices_dir == m->dirs[i])
				m->devices_dir = NULL;
			free(m->dirs[i]);
			continue;
		}
		m->dirs[kept] = m->dirs[i];
		m->dir_is_v2[kept] = m->dir_is_v2[i];
		m->dir_made[kept] = true;
		kept++;
	}
	m->n_dirs = kept;
}

/* Removes each of m's directories that is an empty leaf: one rmdir each,
 * no listing. Returns whether none is left. */
static bool remove_empty_leaves(struct cgroup_manager *m)
{
	bool all = true;

	for (size_t i = 0; i < m->n_dirs; i++)
		if (rmdir(m->dirs[i]) < 0 && errno != ENOENT)
			all = false;
	return all;
}

int cgroup_destroy(struct cgroup_manager *m, struct berth_err *err)
{
	/* Usually every process is gone and no nested cgroup was made: done
	 * in one rmdir per hierarchy. Otherwise (rmdir says EBUSY) the
	 * careful way: kill what is inside, wait, remove the whole tree. */
	if (remove_empty_leaves(m))
		return 0;
	/* Up to 10 s: a killed process takes its time to exit on a loaded
	 * (or emulated) machine, and rmdir fails while it is inside. */
	for (int round = 0; round < 1000; round++) {
		pid_t *pids = NULL;
		size_t n = 0;
		if (m->ops->pids(m, &pids, &n, err) < 0)
			return -1;
		free(pids);
		if (n == 0)
			break;
		if (cgroup_signal_all(m, SIGKILL, err) < 0)
			return -1;
		nanosleep(&(struct timespec){ .tv_nsec = round < 10 ? 1000000L : 10000000L }, NULL);
	}
	return m->ops->remove(m, err);
}

int cgroup_read_value(const char *dir, const char *file, char *buf, size_t len, struct berth_err *err)
{
	char path[4200];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_err_set(err, errno, "open %s", path);
	n = read(fd, buf, len - 1);
	if (n < 0) {
		int e = errno;
		close(fd);
		return berth_err_set(err, e, "read %s", path);
	}
	close(fd);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

void cgroup_join_close(struct cgroup_join *j)
{
	if (j->clone_fd >= 0)
		close(j->clone_fd);
	for (size_t i = 0; i < j->n_task_fds; i++)
		close(j->task_fds[i]);
	j->clone_fd = -1;
	j->n_task_fds = 0;
}

int cgroup_join_prepare(struct cgroup_manager *m, struct cgroup_join *j, struct berth_err *err)
{
	char path[4200];

	j->clone_fd = -1;
	j->n_task_fds = 0;
	for (size_t i = 0; i < m->n_dirs; i++) {
		int fd;
		if (m->dir_is_v2[i]) {
			if (j->clone_fd >= 0)
				continue; /* one cgroup2 hierarchy per host */
			fd = open(m->dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
			snprintf(path, sizeof(path), "%s", m->dirs[i]);
		} else {
			snprintf(path, sizeof(path), "%s/tasks", m->dirs[i]);
			fd = open(path, O_WRONLY | O_CLOEXEC);
		}
		if (fd < 0) {
			berth_err_set(err, errno, "open %s", path);
			cgroup_join_close(j);
			return -1;
		}
		if (m->dir_is_v2[i])
			j->clone_fd = fd;
		else
			j->task_fds[j->n_task_fds++] = fd;
	}
	return 0;
}

int cgroup_join_self(const struct cgroup_join *j, struct berth_err *err)
{
	for (size_t i = 0; i < j->n_task_fds; i++)
		if (write(j->task_fds[i], "0", 1) != 1)
			return berth_err_set(err, errno, "join the cgroup (write \"0\" to tasks)");
	return 0;
}

int cgroup_join_finish(struct cgroup_manager *m, const struct cgroup_join *j, pid_t pid, bool placed,
		       struct berth_err *err)
{
	char value[32];

	if (placed || j->clone_fd < 0)
		return 0;
	/* A kernel without CLONE_INTO_CGROUP: the cgroup2 hierarchy the old way. */
	snprintf(value, sizeof(value), "%d", (int)pid);
	for (size_t i = 0; i < m->n_dirs; i++)
		if (m->dir_is_v2[i] && cgroup_write_file(m->dirs[i], "cgroup.procs", value, err) < 0)
			return -1;
	return 0;
}

int cgroup_join_use_init_cgroup(struct cgroup_manager *m, struct cgroup_join *j, pid_t init, struct berth_err *err)
{
	char path[4096], dir[8300];
	size_t own = strlen(m->path);
	int fd;

	if (proc_cgroup_path(init, true, path, sizeof(path), err) < 0)
		return -1;
	/* Only below the container's own cgroup: never where the process
	 * could not have gone by itself. */
	if (strncmp(path, m->path, own) != 0 || path[own] != '/')
		return berth_err_msg(err, EBUSY,
				     "the container's cgroup %s takes no processes (controllers are enabled below it), and its init is in %s, not below it",
				     m->path, path);
	for (size_t i = 0; i < m->n_dirs; i++) {
		if (!m->dir_is_v2[i])
			continue;
		snprintf(dir, sizeof(dir), "%s%s", m->dirs[i], path + own);
		fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return berth_err_set(err, errno, "open %s", dir);
		if (j->clone_fd >= 0)
			close(j->clone_fd);
		j->clone_fd = fd;
		return 0;
	}
	return berth_err_msg(err, EBUSY, "the container's cgroup takes no processes");
}
