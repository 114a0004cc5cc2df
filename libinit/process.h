/* Turns the calling process into the workload: applies the process part of
 * the plan (session, labels, user, capabilities, cwd, no_new_privs, fds,
 * seccomp) and execs args. Used by the workload child (which shares
 * berth-init's memory until its exec) and by exec mode in PID 1 itself. */
#ifndef BERTH_INIT_PROCESS_H
#define BERTH_INIT_PROCESS_H

#include "plan_decode.h"
#include "util.h"

/* Returns only on failure, with err naming the step that failed. A seccomp
 * listener (SCMP_ACT_NOTIFY) is sent over listener_sock (plan.h). */
int process_exec(const struct plan_view *plan, int listener_sock, struct init_err *err);

/* The workload's environment: the plan's, plus HOME from the container's
 * /etc/passwd when the plan has none (read while still root). Free it
 * with process_env_free. */
char **process_env(const struct plan_view *plan);
void process_env_free(const struct plan_view *plan, char **env);

/* process_exec with an environment from process_env. Writes nothing but
 * the calling process's own state (fds, ids, signal dispositions), env
 * and static buffers: safe in a child sharing its parent's memory. */
int process_exec_env(const struct plan_view *plan, char **env, int listener_sock, struct init_err *err);

/* Exit status a shell would use for an exec failure with errnum. */
int process_exit_code(int errnum);

#endif
