/*
 * perfprobe: opens a perf event the way a profiler does, for the seccomp
 * supervisor tests. Built static: it runs inside the busybox test rootfs.
 *
 *   perfprobe [--pid N] [--kernel] [--system] [--group] [--phys-addr]
 *
 * Opens a software task-clock event (user space only unless --kernel) on
 * the calling process, or on --pid N, or on CPU 0 for every process
 * (--system); --group opens a second event in the first one's group;
 * --phys-addr asks for samples with physical addresses.
 * Burns 20 ms of CPU, reads the count and prints "ok <count>", or prints
 * "error <errno> <message>" for the first call that failed and exits 1.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what)
{
	int e = errno;
	printf("error %d %s: %s\n", e, what, strerror(e));
	return 1;
}

static int phys_addr;

static int open_event(int pid, int cpu, int group, int kernel)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	attr.exclude_kernel = !kernel;
	attr.exclude_hv = !kernel;
	if (phys_addr) {
		attr.sample_period = 1000000;
		attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_PHYS_ADDR;
	}
	return (int)syscall(SYS_perf_event_open, &attr, pid, cpu, group, PERF_FLAG_FD_CLOEXEC);
}

static void burn(long ms)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
}

int main(int argc, char **argv)
{
	int pid = 0, cpu = -1, kernel = 0, group = 0, fd, member;
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
		else {
			fprintf(stderr, "usage: perfprobe [--pid N] [--kernel] [--system] [--group] [--phys-addr]\n");
			return 2;
		}
	}
	fd = open_event(pid, cpu, -1, kernel);
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
