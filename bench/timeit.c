/* timeit: the timing helper of `make bench` (bench/run.sh).
 *
 *   timeit [-o FILE] CMD [ARG...] [::: CMD [ARG...]]...
 *   timeit [-o FILE] -- CMD [ARG...]
 *	Runs the commands one after the other (stopping at the first that
 *	fails) and appends "WALL_US CPU_US MAXRSS_KIB" to FILE (or prints it
 *	on stdout): wall time by CLOCK_MONOTONIC from the first fork to the
 *	last exit, cpu time (user + system) of every process the commands
 *	made and that was reaped (wait4 rusage of the children: the runtime's
 *	own cpu and its children's). timeit is a child subreaper, so the cpu
 *	of a process a runtime orphans is counted too once it has exited.
 *	Exits with the status of the failing command, 0 if all succeeded.
 *	After "--", one command whose arguments may contain ":::" (xargs
 *	running timeit).
 *
 *   timeit --reaper CMD [ARG...]
 *	PID 1 of bench/run.sh's private pid namespace: runs CMD, collects
 *	every orphan until CMD exits, exits with CMD's status (the kernel then
 *	kills whatever is left in the namespace). SIGINT and SIGTERM are
 *	passed on to CMD.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t reaper_child;

static void forward_signal(int sig)
{
	if (reaper_child > 0)
		kill(reaper_child, sig);
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

static pid_t spawn(char **argv)
{
	pid_t pid = fork();

	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "timeit: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		perror("timeit: fork");
	return pid;
}

static int reaper(char **argv)
{
	struct sigaction sa;
	int status = 0;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pid = spawn(argv);
	if (pid < 0)
		return 1;
	reaper_child = pid;
	for (;;) {
		int st;
		pid_t got = wait(&st);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: nobody left */
		}
		if (got == pid) {
			status = exit_code(st);
			break;
		}
	}
	return status;
}

static long long us_of(const struct timeval *tv)
{
	return (long long)tv->tv_sec * 1000000 + tv->tv_usec;
}

static int timed(const char *out, char **argv, int argc, int split)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status = 0, i = 0;
	long long wall, cpu;
	FILE *f;

	/* Orphans of the runtime come to us, and their cpu with them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (i < argc && status == 0) {
		int j = i, st;
		pid_t pid;

		while (j < argc && (!split || strcmp(argv[j], ":::") != 0))
			j++;
		argv[j] = NULL; /* the ":::", or argv's own NULL */
		if (j == i) {
			fprintf(stderr, "timeit: empty command\n");
			return 2;
		}
		pid = spawn(argv + i);
		if (pid < 0)
			return 1;
		while (waitpid(pid, &st, 0) < 0) {
			if (errno != EINTR) {
				perror("timeit: waitpid");
				return 1;
			}
		}
		status = exit_code(st);
		i = j + 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Orphans that have already exited: their cpu counts too. Those still
	 * running (a created container's init) go on to PID 1 when we exit. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (status != 0)
		return status;
	getrusage(RUSAGE_CHILDREN, &ru);
	wall = ((long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec)) / 1000;
	cpu = us_of(&ru.ru_utime) + us_of(&ru.ru_stime);
	f = out ? fopen(out, "ae") : stdout;
	if (!f) {
		fprintf(stderr, "timeit: %s: %s\n", out, strerror(errno));
		return 1;
	}
	fprintf(f, "%lld %lld %ld\n", wall, cpu, ru.ru_maxrss);
	if (f != stdout)
		return fclose(f) == 0 ? 0 : 1;
	return fflush(f) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	int i = 1, split = 1;

	if (argc > 2 && strcmp(argv[1], "--reaper") == 0)
		return reaper(argv + 2);
	if (argc > 2 && strcmp(argv[1], "-o") == 0) {
		out = argv[2];
		i = 3;
	}
	if (i < argc && strcmp(argv[i], "--") == 0) {
		split = 0;
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: timeit [-o FILE] CMD [ARG...] [::: CMD [ARG...]]...\n"
				"       timeit [-o FILE] -- CMD [ARG...]\n"
				"       timeit --reaper CMD [ARG...]\n");
		return 2;
	}
	return timed(out, argv + i, argc - i, split);
}
