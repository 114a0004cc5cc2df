#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "fdpass.h"

int console_open_pty(const char *rootfs, const struct spec_process *proc, int *master, int *slave,
		     char *name, size_t name_len, struct berth_err *err)
{
	struct open_how how = { .flags = O_RDWR | O_NOCTTY | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int rootfd, unlock = 0;
	unsigned int ptn;

	*master = *slave = -1;
	rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return berth_err_set(err, errno, "console: open rootfs \"%s\"", rootfs);
	*master = (int)syscall(SYS_openat2, rootfd, "/dev/pts/ptmx", &how, sizeof(how));
	close(rootfd);
	if (*master < 0)
		return berth_err_set(err, errno, "console: open /dev/pts/ptmx in the container (terminal: true needs a devpts mount on /dev/pts)");
	if (ioctl(*master, TIOCSPTLCK, &unlock) < 0 || ioctl(*master, TIOCGPTN, &ptn) < 0) {
		berth_err_set(err, errno, "console: unlock pty");
		goto fail;
	}
	snprintf(name, name_len, "/dev/pts/%u", ptn);
	/* TIOCGPTPEER opens the slave through the master: no path lookup. */
	*slave = ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0) {
		berth_err_set(err, errno, "console: open pty slave");
		goto fail;
	}
	if (proc->console_height.set || proc->console_width.set) {
		struct winsize ws = { .ws_row = (unsigned short)proc->console_height.v,
				      .ws_col = (unsigned short)proc->console_width.v };
		if (ioctl(*slave, TIOCSWINSZ, &ws) < 0) {
			berth_err_set(err, errno, "console: set consoleSize");
			goto fail;
		}
	}
	return 0;
fail:
	if (*slave >= 0)
		close(*slave);
	close(*master);
	*master = *slave = -1;
	return -1;
}

int console_make_stdio(int slave, struct berth_err *err)
{
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return berth_err_set(err, errno, "console: dup2");
	close(slave);
	return 0;
}

int console_send_to_socket(const char *socket_path, int master, const char *name, struct berth_err *err)
{
	if (fdpass_send_to_path(socket_path, name, master, err) < 0)
		return berth_err_wrap(err, "console socket");
	return 0;
}

int console_pump(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n <= 0)
		return n < 0 && errno == EINTR ? 0 : -1;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += w;
	}
	return 0;
}

bool console_raw_enter(int master, struct termios *saved)
{
	struct termios raw;
	struct winsize ws;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, saved) < 0)
		return false;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
	raw = *saved;
	cfmakeraw(&raw);
	raw.c_oflag = saved->c_oflag; /* keep output post-processing */
	return tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
}

void console_raw_leave(const struct termios *saved)
{
	tcsetattr(STDIN_FILENO, TCSANOW, saved);
}
