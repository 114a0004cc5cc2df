/* init.sock: the host's one-message-each-way channel to berth-init
 * (protocol in plan.h). */
#ifndef BERTH_INIT_CONTROL_H
#define BERTH_INIT_CONTROL_H

#include <stddef.h>

/* Accepts one connection on listen_fd and reads its message into a static
 * buffer (*msg, NUL-terminated, valid until the next call). Returns the CLOEXEC
 * connection fd with *len set, or -1 when there is nothing usable (a
 * transient accept failure, or a peer that sent nothing in time); *fatal
 * is set when the listening socket itself is broken. */
int control_receive(int listen_fd, const char **msg, size_t *len, int *fatal);

/* Sends "ok <pid>". */
void control_reply_ok(int conn, int pid);

/* Sends "err <errnum> <message>". */
void control_reply_err(int conn, int errnum, const char *message);

/* Whether msg is a start request ("start" or "start\n<state json>"); sets
 * state to the JSON part (maybe empty). */
int control_is_start(const char *msg, size_t len, const char **state, size_t *state_len);

/* Answers a message other than the first start. */
void control_reply_other(int conn, const char *msg, size_t len);

#endif
