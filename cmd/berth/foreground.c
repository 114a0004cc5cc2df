/* berth run and berth exec in the foreground: berth stays the parent of
 * the container's process, forwards the signals it gets, proxies a pty it
 * holds (no --console-socket) and exits with the process's status. */
#include "foreground.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "console.h"

static int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

int foreground_wait(pid_t pid, int sfd, int master)
{
	struct termios saved;
	bool raw = master >= 0 && console_raw_enter(master, &saved);
	bool stdin_open = master >= 0;
	int status = 0, code = -1;

	while (code < 0) {
		struct pollfd fds[3] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = master, .events = POLLIN },
			{ .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
		};
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (console_pump(master, STDOUT_FILENO) < 0)
				master = -1; /* hung up: keep waiting for the exit */
		}
		if ((fds[2].revents & (POLLIN | POLLHUP)) && master >= 0 && console_pump(STDIN_FILENO, master) < 0)
			stdin_open = false;
		if (fds[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGCHLD) {
				pid_t got;
				while ((got = waitpid(-1, &status, WNOHANG)) > 0)
					if (got == pid)
						code = exit_code_of(status);
			} else if (si.ssi_signo == SIGWINCH) {
				struct winsize ws;
				if (master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
					ioctl(master, TIOCSWINSZ, &ws);
			} else {
				kill(pid, (int)si.ssi_signo);
			}
		}
	}
	/* Drain what the workload wrote last. */
	while (master >= 0 && poll(&(struct pollfd){ .fd = master, .events = POLLIN }, 1, 0) > 0 &&
	       console_pump(master, STDOUT_FILENO) == 0)
		;
	if (raw)
		console_raw_leave(&saved);
	return code < 0 ? 255 : code;
}

int foreground_block_signals(void)
{
	static const int forwarded[] = { SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
					 SIGCONT, SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU };

	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(*forwarded); i++)
		sigaddset(&set, forwarded[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}
