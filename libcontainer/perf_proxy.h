/* perf_event_open on a container process's behalf, for the seccomp
 * supervisor: the call arrives as a user notification, berth opens the
 * event with its own privileges after checking it, and installs the fd in
 * the caller (SECCOMP_IOCTL_NOTIF_ADDFD). The policy is that of an
 * unprivileged user at perf_event_paranoid 2, confined to the container:
 *   - per-task events only (pid >= 0): no system-wide (pid -1) or cgroup
 *     events, which would count the host's other processes;
 *   - exclude_kernel set (perf retries so by itself on EACCES), and none
 *     of what needs CAP_PERFMON or kernel access besides: namespace
 *     records, interrupt registers, physical addresses;
 *   - types hardware, software, hw-cache and raw (no tracepoints or
 *     breakpoints, which show kernel data);
 *   - the target is the caller, or a task of the caller's pid namespace
 *     other than its PID 1 whose real, effective and saved uids and gids
 *     are all the caller's real ones (ptrace's rule without CAP_SYS_PTRACE);
 *   - pid and group_fd mean what they mean in the caller: its pid
 *     namespace, its fd table. */
#ifndef BERTH_PERF_PROXY_H
#define BERTH_PERF_PROXY_H

#include <linux/seccomp.h>

/* Answers the notification req on listener: with the new fd, or an errno. */
void perf_proxy_answer(int listener, const struct seccomp_notif *req);

#endif
