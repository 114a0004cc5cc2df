/* Process attributes that survive execve and need no library in berth-init:
 * rlimits, OOM score, scheduler, I/O priority, personality. Applied by
 * stage 1 to the container's init and by `berth exec` to its process. */
#include "process_limits.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/ioprio.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int process_apply_limits(const struct spec *spec, struct berth_err *err)
{
	const struct spec_process *p = &spec->process;

	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = { .rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard };
		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return berth_err_set(err, errno, "process.rlimits[%zu]: set %s to %llu/%llu", i,
					     p->rlimits[i].name, (unsigned long long)rl.rlim_cur,
					     (unsigned long long)rl.rlim_max);
	}
	if (p->oom_score_adj.set) {
		char buf[32];
		int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		int n = snprintf(buf, sizeof(buf), "%lld", (long long)p->oom_score_adj.v);
		if (fd < 0 || write(fd, buf, (size_t)n) != n) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			return berth_err_set(err, e, "process.oomScoreAdj: write %s", buf);
		}
		close(fd);
	}
	if (p->scheduler.set) {
		struct {
			uint32_t size, policy;
			uint64_t flags;
			int32_t nice;
			uint32_t priority;
			uint64_t runtime, deadline, period;
		} attr = { .size = 48, .policy = (uint32_t)p->scheduler.policy, .flags = p->scheduler.flags,
			   .nice = p->scheduler.nice, .priority = (uint32_t)p->scheduler.priority,
			   .runtime = p->scheduler.runtime, .deadline = p->scheduler.deadline,
			   .period = p->scheduler.period };
		if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
			return berth_err_set(err, errno, "process.scheduler: sched_setattr");
	}
	if (p->io_priority.set &&
	    syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(p->io_priority.class, p->io_priority.priority)) < 0)
		return berth_err_set(err, errno, "process.ioPriority: ioprio_set");
	if (spec->linux_.personality.set &&
	    personality(spec->linux_.personality.domain | spec->linux_.personality.flags) < 0)
		return berth_err_set(err, errno, "linux.personality");
	return 0;
}
