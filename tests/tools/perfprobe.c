/*
 * perfprobe: opens a perf event the way a profiler does, for the seccomp
 * supervisor tests. Built static: it runs inside the busybox test rootfs.
 *
 *   perfprobe [--pid N] [--kernel] [--system] [--group] [--phys-addr]
 *             [--branch user|kernel] [--sigtrap] [--nondumpable-child]
 *
 * Opens a software task-clock event (user space only unless --kernel) on
 * the calling process, or on --pid N, or on CPU 0 for every process
 * (--system); --group opens a second event in the first one's group;
 * --phys-addr asks for samples with physical addresses; --branch for
 * samples with branch records of that level; --sigtrap for a SIGTRAP to
 * the target on overflow; --nondumpable-child targets a child that made
 * itself non-dumpable (prctl PR_SET_DUMPABLE 0).
 * Burns 20 ms of its CPU time, reads the count and prints "ok <count>", or prints
 * "error <errno> <message>" for the first call that failed and exits 1.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what)
{
	int e = errno;
	printf("error %d %s: %s\n", e, what, strerror(e));
	return 1;
}

static int phys_addr, sigtrap;
static uint64_t branch_levels; /* PERF_SAMPLE_BRANCH_USER or _KERNEL, or 0 */

static int open_event(int pid, int cpu, int group, int kernel)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	attr.exclude_kernel = !kernel;
	attr.exclude_hv = !kernel;
	if (phys_addr || branch_levels || sigtrap)
		attr.sample_period = 1000000;
	if (phys_addr)
		attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_PHYS_ADDR;
	if (branch_levels) {
		attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_BRANCH_STACK;
		attr.branch_sample_type = PERF_SAMPLE_BRANCH_ANY | branch_levels;
	}
	if (sigtrap) {
		attr.sigtrap = 1;
		attr.remove_on_exec = 1;
	}
	return (int)syscall(SYS_perf_event_open, &attr, pid, cpu, group, PERF_FLAG_FD_CLOEXEC);
}

/* ms of this thread's CPU time, not of the clock: on a loaded machine a
 * wall-clock loop may get a fraction of it, and the count with it. */
static void burn(long ms)
{
	struct timespec start, now;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
	do {
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
}

static void on_sigtrap(int sig)
{
	(void)sig;
}

/* A child that makes itself non-dumpable and waits to be killed. */
static int nondumpable_child(void)
{
	int ready[2];
	pid_t pid;
	char c;

	if (pipe(ready) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 && write(ready[1], "x", 1) == 1)
			pause();
		_exit(1);
	}
	close(ready[1]);
	if (pid < 0 || read(ready[0], &c, 1) != 1)
		return -1;
	close(ready[0]);
	return pid;
}

int main(int argc, char **argv)
{
	int pid = 0, cpu = -1, kernel = 0, group = 0, child = 0, fd, member;
	uint64_t count = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--pid") == 0 && i + 1 < argc)
			pid = atoi(argv[++i]);
		else if (strcmp(argv[i], "--kernel") == 0)
			kernel = 1;
		else if (strcmp(argv[i], "--system") == 0)
			pid = -1, cpu = 0;
		else if (strcmp(argv[i], "--group") == 0)
			group = 1;
		else if (strcmp(argv[i], "--phys-addr") == 0)
			phys_addr = 1;
		else if (strcmp(argv[i], "--branch") == 0 && i + 1 < argc && strcmp(argv[i + 1], "user") == 0)
			branch_levels = PERF_SAMPLE_BRANCH_USER, i++;
		else if (strcmp(argv[i], "--branch") == 0 && i + 1 < argc && strcmp(argv[i + 1], "kernel") == 0)
			branch_levels = PERF_SAMPLE_BRANCH_KERNEL, i++;
		else if (strcmp(argv[i], "--sigtrap") == 0)
			sigtrap = 1;
		else if (strcmp(argv[i], "--nondumpable-child") == 0)
			child = 1;
		else {
			fprintf(stderr, "usage: perfprobe [--pid N] [--kernel] [--system] [--group] [--phys-addr]\n"
					"                 [--branch user|kernel] [--sigtrap] [--nondumpable-child]\n");
			return 2;
		}
	}
	/* --sigtrap: the event's overflows arrive as SIGTRAP, which would kill. */
	if (sigtrap && signal(SIGTRAP, on_sigtrap) == SIG_ERR)
		return fail("SIGTRAP handler");
	if (child && (pid = nondumpable_child()) < 0)
		return fail("fork a non-dumpable child");
	fd = open_event(pid, cpu, -1, kernel);
	if (child) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (fd < 0)
		return fail("perf_event_open");
	if (group) {
		member = open_event(pid, cpu, fd, kernel);
		if (member < 0)
			return fail("perf_event_open in the group");
	}
	if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0)
		return fail("enable");
	burn(20);
	if (read(fd, &count, sizeof(count)) != (ssize_t)sizeof(count))
		return fail("read");
	printf("ok %llu\n", (unsigned long long)count);
	return 0;
}
