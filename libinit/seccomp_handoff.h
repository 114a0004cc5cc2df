/* Hands a seccomp user-notification listener to the host (SCMP_ACT_NOTIFY).
 *
 * The listener exists only once the filter is loaded, and from then on
 * every syscall of the loading process goes through the user's filter: a
 * sendmsg there could itself be notified (and wait for the very agent that
 * has not got the listener yet) or refused. So, as crun and Titus do, a
 * helper is cloned before the load, sharing the loader's memory and fd
 * table; here it is a thread of the loader, so it lives and dies with it
 * and leaves no zombie. The loader stores the listener's number in memory
 * and waits; the helper, which no filter binds, sends it and lets the
 * loader go on once the host has passed it to the agent. */
#ifndef BERTH_INIT_SECCOMP_HANDOFF_H
#define BERTH_INIT_SECCOMP_HANDOFF_H

#include <sys/types.h>

#include "util.h"

/* Starts the helper; it will send "seccomp <pid>" (pid: the caller's, in
 * its own pid namespace) with the listener on sock, a unix socket, once
 * seccomp_handoff_listener has been called. Call just before the load. */
int seccomp_handoff_start(int sock, struct init_err *err);

/* Gives the helper the listener (the result of seccomp(2)) and waits until
 * the host has passed it on (CONTROL_MSG_SECCOMP_OK); if the host cannot,
 * the helper ends the caller's thread group. */
void seccomp_handoff_listener(int fd);

#endif
