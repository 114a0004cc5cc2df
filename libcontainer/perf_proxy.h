/* perf_event_open on a container process's behalf, for the seccomp
 * supervisor: the call arrives as a user notification, berth opens the
 * event with its own privileges after checking it, and installs the fd in
 * the caller (SECCOMP_IOCTL_NOTIF_ADDFD). The policy is that of an
 * unprivileged user at perf_event_paranoid 2, confined to the container:
 *   - per-task events only (pid >= 0): no system-wide (pid -1) or cgroup
 *     events, which would count the host's other processes;
 *   - exclude_kernel set (perf retries so by itself on EACCES), and none
 *     of what needs CAP_PERFMON or kernel access besides: namespace
 *     records, interrupt registers, physical addresses, branch records of
 *     kernel or hypervisor level;
 *   - types hardware, software, hw-cache and raw (no tracepoints or
 *     breakpoints, which show kernel data);
 *   - the target is the caller, or a task of the caller's pid namespace
 *     other than its PID 1 that the caller, with its own ids and
 *     capabilities in its own user namespace, may read as ptrace's
 *     PTRACE_MODE_READ_REALCREDS says (the same uids and gids and the
 *     target dumpable, unless the caller has CAP_SYS_PTRACE over it),
 *     which the kernel itself is asked by a child of the supervisor made
 *     the caller;
 *   - sigtrap (a signal to the target) only on the caller itself;
 *   - pid and group_fd mean what they mean in the caller: its pid
 *     namespace, its fd table. */
#ifndef BERTH_PERF_PROXY_H
#define BERTH_PERF_PROXY_H

#include <linux/seccomp.h>

/* Answers the notification req on listener: with the new fd, or an errno. */
void perf_proxy_answer(int listener, const struct seccomp_notif *req);

#endif
