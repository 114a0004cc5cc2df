/* clone3 for stage 1 and for `berth exec`: a child that can be born in its
 * cgroup, either a fork (own copy of memory) or, for stage 1 and the perf
 * supervisor's permission check, one that runs in the parent's memory
 * while the parent waits. */
#ifndef BERTH_CLONE_H
#define BERTH_CLONE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define BERTH_STR_(x) #x
#define BERTH_STR(x) BERTH_STR_(x)

/* clone3 with flags, CLONE_INTO_CGROUP when cgroup_fd >= 0, and
 * CLONE_PIDFD when pidfd is not NULL. Kernels before 5.7 refuse
 * CLONE_INTO_CGROUP: then the child is made without it and *placed (if not
 * NULL) is false, so the caller moves it. Returns like fork(), errno set. */
pid_t clone_child(uint64_t flags, int cgroup_fd, int *pidfd, bool *placed);

/* The same with CLONE_VM | CLONE_VFORK: the child runs fn(arg) in our
 * memory, on the unused part of our stack, and must end in an exec or
 * _exit (fn must not return); we resume then, with the child's pid.
 * Nothing is copied, so neither process takes copy-on-write faults. The
 * child has its own fds, cwd, signal dispositions and mask, but shares
 * the heap and libc's state: it may allocate, and must leave alone what
 * we use after it (and must not wait for anything from us). ENOSYS where
 * berth has no clone3 entry for the architecture (x86-64 only). */
pid_t clone_child_sharing_memory(uint64_t flags, int cgroup_fd, void (*fn)(void *), void *arg, bool *placed);

#endif
