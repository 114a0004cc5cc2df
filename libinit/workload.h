/* Starting the workload (fork or exec mode) and, in fork mode, being its
 * PID 1: forwarding signals, reaping zombies, exiting with its status. */
#ifndef BERTH_INIT_WORKLOAD_H
#define BERTH_INIT_WORKLOAD_H

#include <sys/types.h>

#include "plan_decode.h"
#include "util.h"

/* Starts the workload as a child and waits until it has exec'd. Returns
 * its pid, or -1 with err set to the child's "<step>: <reason>" (the child
 * is reaped). A seccomp listener is sent over listener_sock. */
pid_t workload_spawn(const struct plan_view *plan, int listener_sock, struct init_err *err);

/* Serves the control socket, forwards signals and reaps until the workload
 * exits; then exits with its status (128+N when killed by signal N). */
__attribute__((noreturn)) void workload_supervise(pid_t workload, int sfd, int control_fd);

/* Exit status of a wait status, shell style. */
int workload_exit_status(int status);

#endif
