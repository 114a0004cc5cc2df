/* For the test tools that stand in for a socket's receiving end. */
#ifndef BERTH_TEST_LISTEN_RENAMED_H
#define BERTH_TEST_LISTEN_RENAMED_H

#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* A unix stream socket listening at path, bound under a temporary name
 * and renamed once it listens, so a test can poll for path. -1 on error. */
static int listen_renamed(const char *path, int backlog)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char tmp[sizeof(addr.sun_path)];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		close(fd);
		return -1;
	}
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", tmp);
	unlink(tmp);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, backlog) < 0 ||
	    rename(tmp, path) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

#endif
