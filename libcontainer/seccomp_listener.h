/* SCMP_ACT_NOTIFY: the seccomp listener of a container's process goes to
 * linux.seccomp.listenerPath with the "container process state" of the
 * runtime-spec (config-linux.md), as runc sends it, or to berth's own
 * supervisor. berth-init's helper hands it to the host first
 * (libinit/seccomp_handoff.h). */
#ifndef BERTH_SECCOMP_LISTENER_H
#define BERTH_SECCOMP_LISTENER_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"
#include "spec.h"

/* Whether a message from berth-init is the listener's ("seccomp <pid>");
 * *nspid: the process's pid in the container's pid namespace. */
bool seccomp_listener_message(const char *msg, pid_t *nspid);

/* Where the listener goes: to berth's supervisor when the profile has
 * supervised syscalls, else to sc->listener_path, in one message with the
 * container process state (pid: the process's pid on the host;
 * state_json: the container's OCI state). */
int seccomp_listener_deliver(const struct spec_seccomp *sc, pid_t pid, const char *state_json, int listener,
			     struct berth_err *err);

/* Tells berth-init's helper on sock that the agent has the listener, so
 * the workload may go on ("seccomp ok"). */
int seccomp_listener_ack(int sock, struct berth_err *err);

/* The host pid of init_pid or of its child whose pid in its own namespace
 * is nspid (the last NSpid field), or -1 with err set. */
pid_t seccomp_listener_host_pid(pid_t init_pid, pid_t nspid, struct berth_err *err);

#endif
