#include "sync.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "fdpass.h"

int sync_send(int fd, enum sync_type type, int errnum, const char *text, int pass_fd, struct berth_err *err)
{
	struct sync_msg msg = { .type = type, .errnum = errnum };
	size_t len = offsetof(struct sync_msg, text);

	if (text) {
		size_t n = strnlen(text, sizeof(msg.text) - 1);
		memcpy(msg.text, text, n);
		len += n + 1;
	}
	return fdpass_send(fd, &msg, len, pass_fd, err);
}

int sync_recv(int fd, struct sync_msg *msg, int *passed_fd, struct berth_err *err)
{
	int got_fd = -1;
	ssize_t n;

	memset(msg, 0, sizeof(*msg));
	n = fdpass_recv(fd, msg, sizeof(*msg) - 1, &got_fd, err);
	if (passed_fd)
		*passed_fd = got_fd;
	else if (got_fd >= 0)
		close(got_fd);
	if (n < 0)
		return -1;
	if (n == 0)
		return 0;
	if ((size_t)n < offsetof(struct sync_msg, text))
		return berth_err_set(err, EPROTO, "short message from container init");
	msg->text[sizeof(msg->text) - 1] = '\0';
	return 1;
}
