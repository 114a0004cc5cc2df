#include "container_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "json_util.h"
#include "state.h"
#include "spec.h"

void container_remove_state_dir(const char *dir)
{
	/* What every state dir holds goes by name: with nothing else there
	 * that is three unlinks and the rmdir, where a listing takes nine
	 * calls. Anything else (resources.json, mounts.json, a temp file a
	 * killed berth left) is found by the listing when rmdir says the dir
	 * is not empty. */
	static const char *const usual[] = { "init.sock", "state.json", "config.json" };
	char path[PATH_MAX + 16];
	struct dirent *de;
	DIR *d;

	for (size_t i = 0; i < sizeof(usual) / sizeof(*usual); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, usual[i]);
		(void)unlink(path);
	}
	if (rmdir(dir) == 0 || errno != ENOTEMPTY)
		return;
	d = opendir(dir);
	if (d) {
		while ((de = readdir(d))) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			unlinkat(dirfd(d), de->d_name, 0);
		}
		closedir(d);
	}
	rmdir(dir);
}

int container_write_pid_file(const char *path, pid_t pid, struct berth_err *err)
{
	char copy1[PATH_MAX], copy2[PATH_MAX], dir[PATH_MAX], buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	snprintf(copy1, sizeof(copy1), "%s", path);
	snprintf(copy2, sizeof(copy2), "%s", path);
	if (!realpath(dirname(copy1), dir))
		return berth_err_set(err, errno, "pid file \"%s\"", path);
	if (state_write_file(dir, basename(copy2), buf, (size_t)n, 0644, err) < 0)
		return berth_err_wrap(err, "pid file");
	return 0;
}

int container_pidfd_open(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	/* EINVAL: pid now names a thread of another process, so the process
	 * (a thread-group leader) the state recorded is gone. */
	if (fd < 0 && errno == EINVAL && pid > 0)
		errno = ESRCH;
	return fd;
}

int container_wait_gone(pid_t pid, int timeout_ms, struct berth_err *err)
{
	int pidfd = container_pidfd_open(pid);
	struct pollfd pfd;
	int rc;

	if (pidfd < 0)
		return errno == ESRCH ? 0 : berth_err_set(err, errno, "pidfd_open %d", (int)pid);
	pfd = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	do {
		rc = poll(&pfd, 1, timeout_ms);
	} while (rc < 0 && errno == EINTR);
	close(pidfd);
	if (rc == 0)
		return berth_err_set(err, ETIMEDOUT, "process %d did not exit", (int)pid);
	return rc < 0 ? berth_err_set(err, errno, "wait for %d", (int)pid) : 0;
}

struct spec *container_load_saved_spec(const char *dir, struct berth_err *err)
{
	char path[PATH_MAX + 16];
	struct spec *spec;
	char *text;
	size_t len;

	snprintf(path, sizeof(path), "%s/config.json", dir);
	if (json_read_file(path, &text, &len, err) < 0)
		return NULL;
	spec = spec_parse(text, len, err);
	free(text);
	return spec;
}

int container_init_pidfd(const struct container_state *st, struct berth_err *err)
{
	int pidfd = container_pidfd_open(st->init_pid);
	unsigned long long start;
	bool zombie;

	if (pidfd < 0)
		return errno == ESRCH ? berth_err_msg(err, ESRCH, "container not running")
				      : berth_err_set(err, errno, "pidfd_open %d", (int)st->init_pid);
	/* The pidfd is of the pid as it is now: still our init only if it
	 * started when the state says. */
	start = proc_start_time(st->init_pid, &zombie);
	if (start != st->init_start_time || zombie) {
		close(pidfd);
		return berth_err_msg(err, ESRCH, "container not running");
	}
	return pidfd;
}
