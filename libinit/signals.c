#include "signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

int signals_block_all(void)
{
	sigset_t all;

	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
		return -1;
	return signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
}

void signals_reset(void)
{
	struct sigaction dfl;
	sigset_t none;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	/* SIGKILL, SIGSTOP and libc-internal signals refuse: that is fine. */
	for (int sig = 1; sig < _NSIG; sig++)
		(void)sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Before start there is no workload to forward to. As runc's init does
 * (Go's default handling), the signals that ask a program to stop end the
 * container; the others (USR1, USR2, ALRM, WINCH, CHLD...) are dropped, so
 * a stray notification does not kill a container that was never started. */
bool signals_is_terminating(int signo)
{
	switch (signo) {
	case SIGHUP:
	case SIGINT:
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGTERM:
	case SIGSTKFLT:
	case SIGSYS:
		return true;
	default:
		return false;
	}
}

int signals_read(int sfd)
{
	struct signalfd_siginfo si;
	ssize_t n;

	do {
		n = read(sfd, &si, sizeof(si));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? 0 : -1;
	if (n != (ssize_t)sizeof(si))
		return -1;
	return (int)si.ssi_signo;
}

void signals_discard_sigpipe(void)
{
	sigset_t pipe_only;
	struct timespec zero = { 0, 0 };

	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	while (sigtimedwait(&pipe_only, NULL, &zero) == SIGPIPE)
		;
}
