#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int signals_block_all(void)
{
	sigset_t all;

	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
		return -1;
	return signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* The signals ignored now, from the SigIgn line of /proc/self/status
 * (bit n-1 for signal n). Returns -1 when /proc cannot tell (not mounted,
 * masked): the caller then resets every signal. */
static int signals_ignored(uint64_t *mask)
{
	char buf[2048];
	const char *line;
	ssize_t n, got = 0;
	int fd = init_open("/proc/self/status", O_RDONLY);

	if (fd < 0)
		return -1;
	while ((size_t)got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	line = strstr(buf, "\nSigIgn:\t");
	if (!line)
		return -1;
	line += 9;
	*mask = 0;
	for (int i = 0; i < 16; i++) {
		char c = line[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (v < 0)
			return -1;
		*mask = *mask << 4 | (uint64_t)v;
	}
	return 0;
}

/* The kernel's struct sigaction for rt_sigaction (x86-64 layout, no
 * restorer needed for SIG_DFL). */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

void signals_reset(void)
{
	struct kernel_sigaction dfl = { SIG_DFL, 0, NULL, 0 };
	sigset_t none;
	uint64_t ignored = ~0ull;

	/* berth-init never installs a handler, and exec resets handled
	 * signals: only an ignored signal (inherited from berth's caller)
	 * would reach the workload. Reset just those when /proc says which:
	 * 3 syscalls instead of 64. The raw syscall: libc's sigaction
	 * refuses its internal signals (32-34), which a caller may still
	 * have ignored. SIGKILL and SIGSTOP refuse: that is fine. */
	(void)signals_ignored(&ignored);
	for (int sig = 1; sig <= 64; sig++)
		if (ignored & (1ull << (sig - 1)))
			(void)syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(dfl.mask));
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
