/* berth-init takes every signal through a signalfd: it blocks them all, so
 * nothing interrupts it asynchronously, and decides per signal what to do. */
#ifndef BERTH_INIT_SIGNALS_H
#define BERTH_INIT_SIGNALS_H

#include <stdbool.h>

/* Blocks every signal and returns a CLOEXEC signalfd for them, or -1. */
int signals_block_all(void);

/* Default dispositions and an empty mask: what a freshly exec'd program
 * expects. Used by children (hooks, workload) and before exec in place. */
void signals_reset(void);

/* Whether signo ends a created (not yet started) container: the waiting
 * init exits with 128+signo on those, as runc's init would die. */
bool signals_is_terminating(int signo);

/* Reads one signal from the signalfd: its number, 0 if none, -1 on error. */
int signals_read(int sfd);

/* Throws away a SIGPIPE our own write left pending on this thread. */
void signals_discard_sigpipe(void);

#endif
