#include "clone.h"

#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

pid_t clone_child(uint64_t flags, int cgroup_fd, int *pidfd, bool *placed)
{
	struct clone_args args = { .flags = flags, .exit_signal = SIGCHLD };
	pid_t pid;

	if (pidfd) {
		args.flags |= CLONE_PIDFD;
		args.pidfd = (uint64_t)(uintptr_t)pidfd;
	}
	/* Born in its cgroup: not one page or fork is charged outside it. */
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0 && cgroup_fd >= 0 && (errno == EINVAL || errno == E2BIG)) {
		args.flags &= ~(uint64_t)CLONE_INTO_CGROUP;
		args.cgroup = 0;
		pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
		if (placed)
			*placed = false;
	} else if (placed) {
		*placed = cgroup_fd >= 0;
	}
	return pid;
}
