/* The cgroup v2 device program (cgroup_v2_devices.c) against the kernel:
 * attach it to a scratch cgroup on the unified hierarchy (pure v2 or
 * hybrid host), move a child in, and check which opens the kernel lets
 * through. Needs root and a cgroup2 mount; says "skip" otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup_resources.h"
#include "unit.h"

static bool find_cgroup2(char *out, size_t len)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char mnt[1024], fstype[64];
		char *sep = strstr(line, " - ");
		if (sep && sscanf(line, "%*s %*s %*s %*s %1023s", mnt) == 1 && sscanf(sep + 3, "%63s", fstype) == 1 &&
		    strcmp(fstype, "cgroup2") == 0) {
			snprintf(out, len, "%s", mnt);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* 0 when open(path, flags) succeeds, else errno. */
static int open_errno(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* In the child: join dir, then report each open as one bit of the exit
 * status (1 = refused with EPERM). */
static int child_in_cgroup(const char *dir)
{
	char pid[32];
	struct berth_err err;
	int bits = 0;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (cgroup_write_file(dir, "cgroup.procs", pid, &err) < 0)
		return 64;
	bits |= open_errno("/dev/null", O_RDWR) == EPERM ? 1 : 0;
	bits |= open_errno("/dev/loop-control", O_RDONLY) == EPERM ? 2 : 0;
	bits |= open_errno("/dev/loop-control", O_WRONLY) == EPERM ? 4 : 0;
	bits |= open_errno("/dev/fuse", O_RDWR) == EPERM ? 8 : 0;
	return bits;
}

static void test_device_program_in_kernel(void)
{
	struct spec_device_cgroup rules[] = {
		{ .allow = false },
		{ .allow = true, .type = 'c', .major = { true, 10 }, .minor = { true, 237 }, .access = (char *)"r" },
	};
	struct spec spec;
	struct berth_err err;
	char mount[1024], dir[1200];
	int status = 0;
	pid_t pid;

	if (geteuid() != 0 || !find_cgroup2(mount, sizeof(mount)) || access("/dev/loop-control", F_OK) < 0 ||
	    access("/dev/fuse", F_OK) < 0) {
		printf("# skip: needs root, a cgroup2 mount, /dev/loop-control and /dev/fuse\n");
		return;
	}
	memset(&spec, 0, sizeof(spec));
	spec.linux_.has_resources = true;
	spec.linux_.resources.devices = rules;
	spec.linux_.resources.n_devices = sizeof(rules) / sizeof(*rules);
	snprintf(dir, sizeof(dir), "%s/berth-unit-devices-%d", mount, (int)getpid());
	UNIT_CHECK(mkdir(dir, 0755) == 0);
	if (cgroup_v2_devices_apply(dir, &spec, &err) < 0) {
		printf("# %s\n", err.msg);
		UNIT_CHECK(!"device program loads and attaches");
		rmdir(dir);
		return;
	}
	pid = fork();
	if (pid == 0)
		_exit(child_in_cgroup(dir));
	UNIT_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	/* /dev/null (default list) and loop-control for reading pass; writing
	 * loop-control (rule is "r") and fuse (no rule) are refused. */
	UNIT_CHECK(WEXITSTATUS(status) == (4 | 8));
	if (WEXITSTATUS(status) != (4 | 8))
		printf("# child status %d\n", WEXITSTATUS(status));
	UNIT_CHECK(rmdir(dir) == 0);
}

int main(void)
{
	UNIT_RUN(test_device_program_in_kernel);
	UNIT_DONE();
}
