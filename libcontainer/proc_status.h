/* The fields of /proc/<tid>/status that berth reads about a process. */
#ifndef BERTH_PROC_STATUS_H
#define BERTH_PROC_STATUS_H

#include <stdint.h>
#include <sys/types.h>

struct proc_status {
	long uid[4], gid[4];        /* real, effective, saved, fs */
	uint64_t cap_permitted;     /* CapPrm */
	pid_t tgid;
	pid_t nspid;                /* in the task's own pid namespace */
};

/* Returns 0, or -ESRCH when the task is gone (or its status unreadable). */
int proc_status_read(pid_t tid, struct proc_status *st);

#endif
