/* floor: the physical limit of `make bench` (bench/run.sh). Only what any
 * container start must do, with nothing a runtime adds (no config to parse,
 * no state, no /dev, no capabilities, no seccomp):
 *
 *   floor ROOTFS [CMD [ARG...]]	(CMD defaults to /bin/true)
 *
 * makes one cgroup per mounted cgroup hierarchy under /sys/fs/cgroup (as
 * berth does: every v1 hierarchy, and the unified one if mounted), clones a
 * child with the namespaces of berth's default spec (pid, mount, uts, ipc,
 * net), moves it into the cgroups; the child makes / private, binds ROOTFS,
 * pivot_roots into it, mounts /proc and execs CMD. floor waits for it,
 * removes the cgroups and exits with its status.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define CGROUP_ROOT "/sys/fs/cgroup"
#define MAX_HIER 32

static char cg_dirs[MAX_HIER][PATH_MAX];
static int n_cg;

static int write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* A new v1 cpuset cgroup has empty cpus and mems and refuses tasks. */
static int cpuset_inherit(const char *hier, const char *dir)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char path[PATH_MAX + 32], buf[256];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		ssize_t n;
		int fd;

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", hier, files[i]) >= sizeof(path))
			return -1;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return errno == ENOENT ? 0 : -1; /* not the cpuset hierarchy */
		n = read(fd, buf, sizeof(buf));
		close(fd);
		if (n < 0)
			return -1;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, files[i]) >= sizeof(path) ||
		    write_file(path, buf, (size_t)n) < 0)
			return -1;
	}
	return 0;
}

static void remove_cgroups(void)
{
	for (int i = n_cg - 1; i >= 0; i--)
		if (rmdir(cg_dirs[i]) < 0)
			fprintf(stderr, "floor: rmdir %s: %s\n", cg_dirs[i], strerror(errno));
	n_cg = 0;
}

static int make_cgroups(void)
{
	DIR *d = opendir(CGROUP_ROOT);
	struct dirent *e;
	struct statfs sfs;
	char hier[PATH_MAX];

	if (!d)
		return -1;
	if (fstatfs(dirfd(d), &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC) {
		closedir(d); /* cgroup2 only: one hierarchy, its root */
		snprintf(cg_dirs[0], PATH_MAX, "%s/bench-floor-%d", CGROUP_ROOT, (int)getpid());
		if (mkdir(cg_dirs[0], 0755) < 0)
			return -1;
		n_cg = 1;
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.' || n_cg == MAX_HIER)
			continue;
		if ((size_t)snprintf(hier, sizeof(hier), "%s/%s", CGROUP_ROOT, e->d_name) >= sizeof(hier) ||
		    statfs(hier, &sfs) < 0 ||
		    (sfs.f_type != CGROUP_SUPER_MAGIC && sfs.f_type != CGROUP2_SUPER_MAGIC))
			continue;
		if ((size_t)snprintf(cg_dirs[n_cg], PATH_MAX, "%s/bench-floor-%d", hier, (int)getpid()) >= PATH_MAX ||
		    mkdir(cg_dirs[n_cg], 0755) < 0) {
			closedir(d);
			return -1;
		}
		n_cg++;
		if (cpuset_inherit(hier, cg_dirs[n_cg - 1]) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

/* The cheapest join there is (berth's, see libcontainer/cgroup.h): each v1
 * hierarchy's `tasks` is opened here and the child writes "0" to it, which
 * the kernel does without the global migration lock; a cgroup2 hierarchy
 * (hybrid's unified) has no `tasks` and gets the pid in cgroup.procs. */
static int task_fds[64];

static int open_task_fds(void)
{
	char path[PATH_MAX + 32];

	for (int i = 0; i < n_cg; i++)
		task_fds[i] = -1;
	for (int i = 0; i < n_cg; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/tasks", cg_dirs[i]) >= sizeof(path))
			return -1;
		task_fds[i] = open(path, O_WRONLY | O_CLOEXEC);
		if (task_fds[i] < 0 && errno != ENOENT)
			return -1;
	}
	return 0;
}

static void close_task_fds(void)
{
	for (int i = 0; i < n_cg; i++)
		if (task_fds[i] >= 0)
			close(task_fds[i]);
}

static int join_cgroups(pid_t pid)
{
	char path[PATH_MAX + 32], buf[32];
	int len = snprintf(buf, sizeof(buf), "%d\n", (int)pid);

	for (int i = 0; i < n_cg; i++) {
		if (task_fds[i] >= 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/cgroup.procs", cg_dirs[i]) >= sizeof(path) ||
		    write_file(path, buf, (size_t)len) < 0)
			return -1;
	}
	return 0;
}

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	_exit(1);
}

/* The child: waits until it is in its cgroups, then the rootfs and exec. */
static void child(int sync_fd, const char *rootfs, char **argv)
{
	char c;

	for (int i = 0; i < n_cg; i++)
		if (task_fds[i] >= 0 && write(task_fds[i], "0", 1) != 1)
			die("join cgroup");
	if (read(sync_fd, &c, 1) != 1)
		_exit(1); /* the parent failed */
	close(sync_fd);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make / private");
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		die("bind rootfs");
	if (chdir(rootfs) < 0)
		die("chdir rootfs");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		die("detach old root");
	if (chdir("/") < 0)
		die("chdir /");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die("mount /proc");
	execv(argv[0], argv);
	die(argv[0]);
}

int main(int argc, char **argv)
{
	static char *default_cmd[] = { "/bin/true", NULL };
	struct clone_args ca;
	char **cmd = argc > 2 ? argv + 2 : default_cmd;
	int sync_pipe[2], status;
	long pid;

	if (argc < 2) {
		fprintf(stderr, "usage: floor ROOTFS [CMD [ARG...]]\n");
		return 2;
	}
	if (make_cgroups() < 0) {
		fprintf(stderr, "floor: cgroups: %s\n", strerror(errno));
		remove_cgroups();
		return 1;
	}
	if (open_task_fds() < 0 || pipe2(sync_pipe, O_CLOEXEC) < 0) {
		perror("floor: tasks or pipe");
		close_task_fds();
		remove_cgroups();
		return 1;
	}
	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET;
	ca.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0) {
		close(sync_pipe[1]);
		child(sync_pipe[0], argv[1], cmd);
	}
	close(sync_pipe[0]);
	close_task_fds();
	if (pid < 0) {
		perror("floor: clone3");
		remove_cgroups();
		return 1;
	}
	if (join_cgroups((pid_t)pid) < 0) {
		perror("floor: join cgroups");
		kill((pid_t)pid, SIGKILL);
	} else if (write(sync_pipe[1], "x", 1) != 1) {
		perror("floor: sync");
	}
	close(sync_pipe[1]);
	while (waitpid((pid_t)pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("floor: waitpid");
			status = 1 << 8;
			break;
		}
	}
	remove_cgroups();
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
