#include "perf_proxy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clone.h"
#include "proc_status.h"

#define PERF_FLAGS_ALLOWED (PERF_FLAG_FD_NO_GROUP | PERF_FLAG_FD_OUTPUT | PERF_FLAG_FD_CLOEXEC)
#define PERF_ATTR_SIZE_MAX 4096 /* the kernel's limit: one page */

static int ns_of(pid_t tid, const char *type, struct stat *st)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)tid, type);
	return stat(path, st) < 0 ? -errno : 0;
}

static bool same_ns(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev;
}

/* The host tid of the task that is nspid in the pid namespace ns (not in
 * one below it). A walk of the host's /proc, that skips a whole process
 * whose leader is in another pid namespace: the kernel makes threads only
 * in their process's (CLONE_THREAD with another namespace is EINVAL), so a
 * busy host's threads cost nothing. */
static pid_t host_tid_in_ns(const struct stat *ns, pid_t nspid)
{
	DIR *proc = opendir("/proc");
	pid_t found = -1;
	struct dirent *p;

	if (!proc)
		return -1;
	while (found < 0 && (p = readdir(proc))) {
		char path[300];
		struct stat leader;
		struct dirent *t;
		DIR *tasks;

		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		if (ns_of((pid_t)atoi(p->d_name), "pid", &leader) == 0 && !same_ns(&leader, ns))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		tasks = opendir(path);
		if (!tasks)
			continue;
		while (found < 0 && (t = readdir(tasks))) {
			pid_t tid = (pid_t)atoi(t->d_name);
			struct proc_status ids;
			struct stat st;
			if (tid <= 0 || ns_of(tid, "pid", &st) < 0 || !same_ns(&st, ns))
				continue;
			if (proc_status_read(tid, &ids) == 0 && ids.nspid == nspid)
				found = tid;
		}
		closedir(tasks);
	}
	closedir(proc);
	return found;
}

static int read_target(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	if (n < 0)
		return errno == ESRCH ? -ESRCH : -EFAULT;
	return (size_t)n == len ? 0 : -EFAULT;
}

/* The caller's perf_event_attr as perf_copy_attr takes it: size 0 means
 * the first version; bytes past what berth knows must be zero. */
static int copy_attr(pid_t pid, uint64_t addr, struct perf_event_attr *attr)
{
	static unsigned char extra[PERF_ATTR_SIZE_MAX];
	uint32_t size;
	int r;

	memset(attr, 0, sizeof(*attr));
	r = read_target(pid, addr + offsetof(struct perf_event_attr, size), &size, sizeof(size));
	if (r < 0)
		return r;
	if (size == 0)
		size = PERF_ATTR_SIZE_VER0;
	if (size < PERF_ATTR_SIZE_VER0 || size > PERF_ATTR_SIZE_MAX)
		return -E2BIG;
	if (size > sizeof(*attr)) {
		size_t more = size - sizeof(*attr);
		if ((r = read_target(pid, addr + sizeof(*attr), extra, more)) < 0)
			return r;
		for (size_t i = 0; i < more; i++)
			if (extra[i])
				return -E2BIG;
		size = sizeof(*attr);
	}
	r = read_target(pid, addr, attr, size);
	attr->size = size;
	return r;
}

/* Branch records at kernel or hypervisor level, asked for or added by the
 * kernel itself when no level is given and exclude_hv is not set: the
 * kernel wants kernel access for them (exclude_kernel is checked before). */
static bool branch_stack_privileged(const struct perf_event_attr *attr)
{
	uint64_t levels;

	if (!(attr->sample_type & PERF_SAMPLE_BRANCH_STACK))
		return false;
	levels = attr->branch_sample_type & PERF_SAMPLE_BRANCH_PLM_ALL;
	if (!levels)
		levels = (attr->exclude_user ? 0 : PERF_SAMPLE_BRANCH_USER) | (attr->exclude_hv ? 0 : PERF_SAMPLE_BRANCH_HV);
	return (levels & (PERF_SAMPLE_BRANCH_KERNEL | PERF_SAMPLE_BRANCH_HV)) != 0;
}

static int check_attr(const struct perf_event_attr *attr, int pid, unsigned long flags)
{
	if (flags & ~(unsigned long)PERF_FLAGS_ALLOWED)
		return (flags & PERF_FLAG_PID_CGROUP) ? -EACCES : -EINVAL;
	if (pid < 0)
		return -EACCES; /* system-wide */
	if (!attr->exclude_kernel)
		return -EACCES;
	/* What the kernel grants only with CAP_PERFMON or kernel access:
	 * namespace records, registers at the interrupt, physical addresses,
	 * kernel-level branch records. */
	if (attr->namespaces || (attr->sample_type & (PERF_SAMPLE_REGS_INTR | PERF_SAMPLE_PHYS_ADDR)) ||
	    branch_stack_privileged(attr))
		return -EACCES;
	switch (attr->type) {
	case PERF_TYPE_HARDWARE:
	case PERF_TYPE_SOFTWARE:
	case PERF_TYPE_HW_CACHE:
	case PERF_TYPE_RAW:
		return 0;
	default:
		return -EACCES;
	}
}

struct check_request {
	pid_t caller_tid, target_tid;
};

/* Runs in a child of the daemon, which becomes the caller as ptrace's
 * PTRACE_MODE_READ_REALCREDS sees it: the caller's user namespace (its
 * capabilities are that namespace's), its real uid and gid as every id, its
 * permitted capabilities as effective ones (it may raise them). Then the
 * kernel answers: /proc guards a task's maps with that check and, the file
 * being world-readable, with nothing else. Exits 0 if the open succeeds.
 * The child shares the daemon's memory: ids change by raw syscalls, which
 * touch only the calling task, never libc's per-process bookkeeping. */
static _Noreturn void check_as_caller(void *arg)
{
	const struct check_request *req = arg;
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct caps[2];
	struct proc_status caller;
	struct stat ours, theirs;
	char path[64];
	int fd;

	if (ns_of(getpid(), "user", &ours) < 0 || ns_of(req->caller_tid, "user", &theirs) < 0)
		_exit(1);
	if (!same_ns(&ours, &theirs)) {
		/* The daemon owns every user namespace below its own, so it
		 * may enter, with all capabilities there until it drops them. */
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)req->caller_tid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWUSER) < 0)
			_exit(1);
		close(fd);
	}
	/* Read after setns: the ids as the caller's namespace numbers them.
	 * Supplementary groups stay: ptrace's check does not look at them. */
	if (proc_status_read(req->caller_tid, &caller) < 0 || syscall(SYS_capget, &hdr, caps) < 0)
		_exit(1);
	caps[0].permitted &= (uint32_t)caller.cap_permitted;
	caps[1].permitted &= (uint32_t)(caller.cap_permitted >> 32);
	caps[0].effective = caps[0].permitted;
	caps[1].effective = caps[1].permitted;
	caps[0].inheritable = caps[1].inheritable = 0;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_setresgid, caller.gid[0], caller.gid[0], caller.gid[0]) < 0 ||
	    syscall(SYS_setresuid, caller.uid[0], caller.uid[0], caller.uid[0]) < 0 ||
	    syscall(SYS_capset, &hdr, caps) < 0)
		_exit(1);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)req->target_tid);
	_exit(open(path, O_RDONLY | O_CLOEXEC) < 0);
}

/* Whether the caller may read target_tid as ptrace's
 * PTRACE_MODE_READ_REALCREDS has it, the kernel's own test for perf on
 * another task: ids that match (or CAP_SYS_PTRACE over the target's user
 * namespace), and a dumpable target (or CAP_SYS_PTRACE over its memory's).
 * Asked of the kernel by a child made the caller (check_as_caller), one
 * that shares our memory: a fork's page-table copy costs ten times the
 * rest here (~0.6 ms in this VM). Once per event on another process,
 * which perf opens a few of per thread. */
static bool caller_may_read(pid_t caller_tid, pid_t target_tid)
{
	struct check_request req = { .caller_tid = caller_tid, .target_tid = target_tid };
	pid_t child = clone_child_sharing_memory(0, -1, check_as_caller, &req, NULL), got;
	int status;

	if (child < 0 && errno == ENOSYS) {
		child = fork();
		if (child == 0)
			check_as_caller(&req);
	}
	if (child < 0)
		return false;
	while ((got = waitpid(child, &status, 0)) < 0 && errno == EINTR)
		;
	return got == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The host tid the caller's pid argument names, if the caller may profile
 * it (perf_proxy.h). sigtrap (a signal sent to the target) only on the
 * caller itself; never PID 1, berth-init (refused before any walk). */
static pid_t target_task(const struct seccomp_notif *req, int pid, const struct proc_status *caller, bool sigtrap)
{
	struct stat ns;
	pid_t tid;

	if (pid == 0 || pid == caller->nspid)
		return (pid_t)req->pid;
	if (sigtrap || pid == 1)
		return -EACCES;
	if (ns_of((pid_t)req->pid, "pid", &ns) < 0)
		return -ESRCH;
	/* The walk reads the tid's status already: it is pid in ns. */
	tid = host_tid_in_ns(&ns, pid);
	if (tid < 0)
		return -ESRCH;
	if (!caller_may_read((pid_t)req->pid, tid))
		return -EACCES;
	return tid;
}

static void answer_errno(int listener, uint64_t id, int errnum)
{
	struct seccomp_notif_resp resp = { .id = id, .error = -errnum };

	(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

/* The caller's group_fd, from its fd table. */
static int fetch_group_fd(pid_t tgid, int group_fd)
{
	int pidfd, fd;

	if (group_fd == -1)
		return -1;
	pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
	if (pidfd < 0)
		return -ESRCH;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, group_fd, 0);
	close(pidfd);
	return fd < 0 ? -EBADF : fd;
}

void perf_proxy_answer(int listener, const struct seccomp_notif *req)
{
	struct perf_event_attr attr;
	struct proc_status caller;
	int pid = (int)req->data.args[1], cpu = (int)req->data.args[2], group_fd = (int)req->data.args[3];
	unsigned long flags = (unsigned long)req->data.args[4];
	int group = -1, event = -1, r;
	pid_t target = -1;

	r = copy_attr((pid_t)req->pid, req->data.args[0], &attr);
	if (r == 0)
		r = proc_status_read((pid_t)req->pid, &caller);
	if (r == 0)
		r = check_attr(&attr, pid, flags);
	if (r == 0 && (target = target_task(req, pid, &caller, attr.sigtrap)) < 0)
		r = (int)target;
	if (r == 0 && (group = fetch_group_fd(caller.tgid, group_fd)) < -1)
		r = group;
	/* What was read belongs to the caller only if it is still waiting
	 * (its pid could have been reused meanwhile). */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0)
		goto out;
	if (r < 0) {
		answer_errno(listener, req->id, -r);
		goto out;
	}
	event = (int)syscall(SYS_perf_event_open, &attr, target, cpu, group, flags | PERF_FLAG_FD_CLOEXEC);
	if (event < 0) {
		answer_errno(listener, req->id, errno);
	} else {
		struct seccomp_notif_addfd addfd = {
			.id = req->id, .flags = SECCOMP_ADDFD_FLAG_SEND, .srcfd = (uint32_t)event,
			.newfd_flags = (flags & PERF_FLAG_FD_CLOEXEC) ? O_CLOEXEC : 0,
		};
		/* Installs the event in the caller and answers with its number. */
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd) < 0 && errno != ENOENT)
			answer_errno(listener, req->id, errno);
	}
out:
	if (event >= 0)
		close(event);
	if (group >= 0)
		close(group);
}
