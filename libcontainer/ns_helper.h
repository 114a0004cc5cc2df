/* Work that must happen inside another process's namespaces. setns
 * changes the caller for good (and a mount namespace may only be joined by
 * a single-threaded process), so berth forks a helper for it: the helper
 * joins, works, hands back at most one fd over a socketpair (SCM_RIGHTS)
 * or its error as text, and exits. Used by `berth mount` to open a tree
 * in one container and attach it in another. */
#ifndef BERTH_NS_HELPER_H
#define BERTH_NS_HELPER_H

#include <sys/types.h>

#include "err.h"

/* fn runs in the forked child. It returns -1 with err filled, or 0 and
 * may set *fd_out to an fd to hand back. */
typedef int (*ns_helper_fn)(void *arg, int *fd_out, struct berth_err *err);

/* Runs fn in a child and waits for it. *fd_out (if not NULL) gets the fd
 * fn handed back (O_CLOEXEC) or -1. The child's error comes back whole,
 * errnum included. */
int ns_helper_call(ns_helper_fn fn, void *arg, int *fd_out, struct berth_err *err);

/* In the child: setns(pidfd, flags), and root of a user namespace it
 * joined (uid and gid 0 there). flags without the ones already ours. */
int ns_helper_join(int pidfd, int flags, struct berth_err *err);

#endif
