#include "control.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "plan.h"
#include "util.h"

/* A client that connects must speak at once; berth-init is PID 1 and must
 * not hang on a silent peer. */
#define CONTROL_READ_TIMEOUT_MS 5000

/* One message plus room to notice an oversized one; shared by all phases. */
static char control_buf[CONTROL_MSG_MAX + 2];

int control_receive(int listen_fd, const char **msg, size_t *len, int *fatal)
{
	char *buf = control_buf;
	size_t size = sizeof(control_buf);
	struct pollfd pfd;
	ssize_t n;
	int conn;

	*fatal = 0;
	conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0) {
		switch (errno) {
		case EINTR: case EAGAIN: case ECONNABORTED: case EPROTO:
		case EMFILE: case ENFILE: case ENOBUFS: case ENOMEM:
			return -1;
		default:
			init_log("accept on the control socket: %s", init_strerror(errno));
			*fatal = 1;
			return -1;
		}
	}
	pfd.fd = conn;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, CONTROL_READ_TIMEOUT_MS) <= 0) {
		close(conn);
		return -1;
	}
	do {
		n = recv(conn, buf, size - 1, MSG_TRUNC);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		close(conn);
		return -1;
	}
	if ((size_t)n > CONTROL_MSG_MAX || (size_t)n >= size) {
		control_reply_err(conn, E2BIG, "message too long");
		close(conn);
		return -1;
	}
	buf[n] = '\0';
	*msg = buf;
	*len = (size_t)n;
	return conn;
}

static void control_send(int conn, const char *msg, size_t len)
{
	while (send(conn, msg, len, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

void control_reply_ok(int conn, int pid)
{
	char msg[32];
	size_t n = init_fmt(msg, sizeof(msg), "ok %d", pid);

	control_send(conn, msg, n);
}

void control_reply_err(int conn, int errnum, const char *message)
{
	char msg[INIT_ERR_MAX + 32];
	size_t n = init_fmt(msg, sizeof(msg), "err %d %s", errnum, message);

	control_send(conn, msg, n);
}

int control_is_start(const char *msg, size_t len, const char **state, size_t *state_len)
{
	size_t cmd = strlen(CONTROL_CMD_START) - 1; /* "start" without '\n' */

	if (len < cmd || memcmp(msg, CONTROL_CMD_START, cmd) != 0 ||
	    (len > cmd && msg[cmd] != '\n'))
		return 0;
	*state = len > cmd ? msg + cmd + 1 : msg + len;
	*state_len = len > cmd ? len - cmd - 1 : 0;
	return 1;
}

void control_reply_other(int conn, const char *msg, size_t len)
{
	const char *state;
	size_t state_len;

	if (control_is_start(msg, len, &state, &state_len))
		control_reply_err(conn, EBUSY, "container already started");
	else
		control_reply_err(conn, EINVAL, "unknown command");
}
