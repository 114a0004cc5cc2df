#ifndef BERTH_FOREGROUND_H
#define BERTH_FOREGROUND_H

#include <sys/types.h>

/* Blocks the signals berth forwards (before the clone: the child unblocks
 * them before exec) and returns a signalfd for them, or -1. */
int foreground_block_signals(void);

/* Waits for our child pid to exit, forwarding signals from sfd to it and
 * proxying master (-1: none) to our stdio. Returns its exit code (128 +
 * signal when killed), 255 if waiting failed. */
int foreground_wait(pid_t pid, int sfd, int master);

#endif
