/* berth run: create + start + wait, with berth as the container init's
 * parent. Signals berth receives go on to the container; without
 * --console-socket a terminal container's pty is proxied to our stdio. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "console.h"
#include "create_opts.h"

static int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/* Waits for the init to exit, forwarding signals and the console. */
static int wait_for_init(pid_t init_pid, int sfd, int master)
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
					if (got == init_pid)
						code = exit_code_of(status);
			} else if (si.ssi_signo == SIGWINCH) {
				struct winsize ws;
				if (master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
					ioctl(master, TIOCSWINSZ, &ws);
			} else {
				kill(init_pid, (int)si.ssi_signo);
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

static void block_forwarded_signals(sigset_t *set)
{
	static const int forwarded[] = { SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
					 SIGCONT, SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU };

	sigemptyset(set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(*forwarded); i++)
		sigaddset(set, forwarded[i]);
	sigprocmask(SIG_BLOCK, set, NULL);
}

int cmd_run(struct cli *cli, int argc, char **argv)
{
	struct create_cli_opts o = { 0 };
	struct berth_created created;
	struct berth_err err, ignored;
	sigset_t set;
	int rc = parse_create_opts("run", argc, argv, &o), sfd, code;

	if (rc < 0)
		return rc == -2 ? 0 : 1;
	o.create.keep_console = !o.detach && !o.create.console_socket;
	/* Blocked before the clone: stage 1 unblocks them before exec. */
	block_forwarded_signals(&set);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return cli_failf("run: signalfd: %s", strerror(errno));
	if (berth_container_create(&cli->ctx, &o.create, &created, &err) < 0) {
		close(sfd);
		return cli_fail(&err);
	}
	if (berth_container_start(&cli->ctx, o.create.id, &err) < 0) {
		berth_container_delete(&cli->ctx, o.create.id, true, &ignored);
		if (created.console_master >= 0)
			close(created.console_master);
		close(sfd);
		return cli_fail(&err);
	}
	if (o.detach) {
		close(sfd);
		return 0;
	}
	code = wait_for_init(created.init_pid, sfd, created.console_master);
	if (created.console_master >= 0)
		close(created.console_master);
	close(sfd);
	if (!o.keep && berth_container_delete(&cli->ctx, o.create.id, true, &err) < 0)
		cli_fail(&err);
	return code;
}
