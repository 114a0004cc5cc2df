#include "sync.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdpass.h"

/* Builds only the bytes sent: a struct sync_msg on the stack would be 64 KiB
 * zeroed per message, page faults that showed as a third of all of a
 * container start's (each one costly in a VM). */
int sync_send(int fd, enum sync_type type, int errnum, const char *text, int pass_fd, struct berth_err *err)
{
	size_t head = offsetof(struct sync_msg, text);
	size_t n = text ? strnlen(text, sizeof(((struct sync_msg *)NULL)->text) - 1) : 0;
	size_t len = head + (text ? n + 1 : 0);
	uint32_t small[64];
	uint32_t *buf = len <= sizeof(small) ? small : malloc(len);
	int rc;

	if (!buf)
		return berth_err_set(err, ENOMEM, "sync message");
	buf[0] = type;
	buf[1] = (uint32_t)errnum;
	if (text) {
		memcpy((char *)buf + head, text, n);
		((char *)buf)[head + n] = '\0';
	}
	rc = fdpass_send(fd, buf, len, pass_fd, err);
	if (buf != small)
		free(buf);
	return rc;
}

int sync_recv(int fd, struct sync_msg *msg, int *passed_fd, struct berth_err *err)
{
	int got_fd = -1;
	ssize_t n;

	/* Only what arrives is written: no memset of the 64 KiB. */
	msg->type = 0;
	msg->errnum = 0;
	msg->text[0] = '\0';
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
	((char *)msg)[n] = '\0';
	return 1;
}
