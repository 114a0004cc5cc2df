#include "seccomp_handoff.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kapi.h"
#include "plan.h"
#include "scm_rights.h"

/* Shared with the helper, a thread of the loader. Static: in fork mode the
 * loader shares berth-init's memory, which runs on once it has exec'd. */
static struct {
	int sock;       /* where the listener goes */
	int fd;         /* the listener, -1 until loaded */
	int pid;        /* the loader's pid in its own pid namespace */
	int acked;      /* the host has passed the listener on */
} handoff;

/* The helper runs with the loader's thread pointer, so a libc call that
 * sets errno would write the loader's (in fork mode berth-init's, which
 * runs concurrently once the workload has exec'd): bare syscalls only. */
static long handoff_syscall(long n, long a, long b, long c, long d)
{
#if defined(__x86_64__)
	long ret;
	register long r10 __asm__("r10") = d;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
	return x0;
#else
// cppcheck-suppress preprocessorErrorDirective
#error "seccomp_handoff.c: add this architecture's bare syscall"
#endif
}

static void handoff_cpu_relax(void)
{
#if defined(__x86_64__)
	__asm__ volatile("pause" ::: "memory");
#elif defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");
#endif
}

static int handoff_send(int fd)
{
	char payload[32];
	union scm_rights_buf control;
	struct iovec iov = { payload, 0 };
	struct msghdr msg = { 0 };
	long r;

	iov.iov_len = init_fmt(payload, sizeof(payload), "%s %d", CONTROL_MSG_SECCOMP, handoff.pid);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	scm_rights_attach(&msg, &control, fd);
	do {
		r = handoff_syscall(SYS_sendmsg, handoff.sock, (long)&msg, MSG_NOSIGNAL, 0);
	} while (r == -EINTR);
	return r < 0 ? -1 : 0;
}

/* The host's "seccomp ok" once listenerPath has the listener. */
static int handoff_wait_for_ack(void)
{
	size_t len = strlen(CONTROL_MSG_SECCOMP_OK);
	char ack[32];
	long r;

	do {
		r = handoff_syscall(SYS_recvfrom, handoff.sock, (long)ack, sizeof(ack), 0);
	} while (r == -EINTR);
	return r == (long)len && memcmp(ack, CONTROL_MSG_SECCOMP_OK, len) == 0 ? 0 : -1;
}

/* Sends as soon as the listener is there: after an early load (no
 * no_new_privileges) the loader still has steps to go. The loader wakes
 * the wait once it has stored the listener; the timeout covers a wake-up
 * that the user's filter refused. Then the loader goes on (to its exec)
 * only once the host says the agent has the listener: until then nothing
 * of the workload runs. If the host says anything else, or is gone, the
 * helper ends its thread group, the loader with it (an exit_group, since
 * a container's PID 1 ignores even its own SIGKILL). As a thread it needs
 * no reaping, and the loader's exec or exit ends it too. */
static int handoff_helper(void *arg)
{
	(void)arg;
	while (__atomic_load_n(&handoff.fd, __ATOMIC_ACQUIRE) < 0) {
		struct timespec wait = { 0, 10L * 1000 * 1000 };
		handoff_syscall(SYS_futex, (long)&handoff.fd, KAPI_FUTEX_WAIT, -1, (long)&wait);
	}
	if (handoff_send(handoff.fd) < 0 || handoff_wait_for_ack() < 0)
		handoff_syscall(SYS_exit_group, 1, 0, 0, 0);
	__atomic_store_n(&handoff.acked, 1, __ATOMIC_RELEASE);
	handoff_syscall(SYS_futex, (long)&handoff.acked, KAPI_FUTEX_WAKE, 1, 0);
	handoff_syscall(SYS_exit, 0, 0, 0, 0);
	return 0;
}

int seccomp_handoff_start(int sock, struct init_err *err)
{
	static char stack[16 * 1024] __attribute__((aligned(16)));

	if (sock < 0)
		return init_err_set(err, EINVAL, "seccomp listener: no socket to send it on");
	handoff.sock = sock;
	handoff.fd = -1;
	handoff.pid = (int)getpid();
	handoff.acked = 0;
	if (clone(handoff_helper, stack + sizeof(stack),
		  CLONE_VM | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD, NULL) < 0)
		return init_err_set(err, errno, "seccomp listener: clone its helper");
	return 0;
}

void seccomp_handoff_listener(int fd)
{
	__atomic_store_n(&handoff.fd, fd, __ATOMIC_RELEASE);
	/* These calls go through the user's filter now (a notified one is
	 * answered by the agent once the helper has sent the listener). If
	 * the filter refuses them, the helper's wait times out, and the
	 * loader spins: no syscall it could be refused. */
	syscall(SYS_futex, &handoff.fd, KAPI_FUTEX_WAKE, 1, NULL, NULL, 0);
	while (!__atomic_load_n(&handoff.acked, __ATOMIC_ACQUIRE)) {
		if (syscall(SYS_futex, &handoff.acked, KAPI_FUTEX_WAIT, 0, NULL, NULL, 0) < 0 &&
		    errno != EAGAIN && errno != EINTR)
			while (!__atomic_load_n(&handoff.acked, __ATOMIC_ACQUIRE))
				handoff_cpu_relax();
	}
}
