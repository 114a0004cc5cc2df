#include "clone.h"

#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Born in its cgroup: not one page or fork is charged outside it. Kernels
 * before 5.7 refuse CLONE_INTO_CGROUP (EINVAL, or E2BIG for the larger
 * struct): then without it, and the caller moves the child. */
static pid_t clone3_into_cgroup(struct clone_args *args, int cgroup_fd, bool *placed,
				long (*call)(struct clone_args *, size_t, void (*)(void *), void *), void (*fn)(void *),
				void *arg)
{
	long pid;

	if (cgroup_fd >= 0) {
		args->flags |= CLONE_INTO_CGROUP;
		args->cgroup = (uint64_t)cgroup_fd;
	}
	pid = call(args, sizeof(*args), fn, arg);
	if (pid == -EINVAL || pid == -E2BIG) {
		if (cgroup_fd >= 0) {
			args->flags &= ~(uint64_t)CLONE_INTO_CGROUP;
			args->cgroup = 0;
			pid = call(args, sizeof(*args), fn, arg);
		}
		if (placed)
			*placed = false;
	} else if (placed) {
		*placed = cgroup_fd >= 0;
	}
	if (pid < 0) {
		errno = (int)-pid;
		return -1;
	}
	return (pid_t)pid;
}

/* clone3 through syscall(): returns in both processes, -errno on failure. */
static long clone3_plain(struct clone_args *args, size_t size, void (*fn)(void *), void *arg)
{
	long pid = syscall(SYS_clone3, args, size);

	(void)fn;
	(void)arg;
	return pid < 0 ? -errno : pid;
}

pid_t clone_child(uint64_t flags, int cgroup_fd, int *pidfd, bool *placed)
{
	/* clone3 refuses an exit signal with CLONE_PARENT: the child gets
	 * ours, and our parent is told. */
	struct clone_args args = { .flags = flags, .exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD };

	if (pidfd) {
		args.flags |= CLONE_PIDFD;
		args.pidfd = (uint64_t)(uintptr_t)pidfd;
	}
	return clone3_into_cgroup(&args, cgroup_fd, placed, clone3_plain, NULL, NULL);
}

#if defined(__x86_64__)
/* long clone3_call(struct clone_args *args, size_t size, void (*fn)(void *),
 * void *arg): clone3, then the child calls fn(arg) on the stack args gives
 * it, as the first frame there (fn must not return). The parent gets
 * clone3's raw result. fn and arg wait in r8 and r9, which the syscall
 * keeps in both processes. */
__asm__(".text\n"
	".globl berth_clone3_call\n"
	".type berth_clone3_call,@function\n"
	"berth_clone3_call:\n"
	"	mov %rdx, %r8\n"
	"	mov %rcx, %r9\n"
	"	mov $" BERTH_STR(SYS_clone3) ", %eax\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	xor %ebp, %ebp\n"
	"	mov %r9, %rdi\n"
	"	call *%r8\n"
	"	mov $" BERTH_STR(SYS_exit) ", %eax\n"
	"	mov $127, %edi\n"
	"	syscall\n"
	"	hlt\n"
	"1:	ret\n"
	".size berth_clone3_call, .-berth_clone3_call\n");
long berth_clone3_call(struct clone_args *args, size_t size, void (*fn)(void *), void *arg);

/* The child's stack starts this far below our own frame: below the call
 * into berth_clone3_call and its return address, which the parent still
 * needs when it resumes. */
#define PARENT_FRAME_MARGIN 4096
/* clone3 checks that [stack, stack + size) is user memory and starts the
 * child at its top; the child may use less or grow the stack further. */
#define CHILD_STACK_SPAN (1UL << 20)

pid_t clone_child_sharing_memory(uint64_t flags, int cgroup_fd, void (*fn)(void *), void *arg, bool *placed)
{
	struct clone_args args = { .flags = flags | CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD };
	/* The part of berth's stack below this frame is free until the child
	 * has exec'd or exited (CLONE_VFORK: we wait until then), and mostly
	 * mapped already by what ran before: the child's stack. The frame's
	 * own address, not a local's (which a sanitizer may keep elsewhere). */
	uintptr_t top = ((uintptr_t)__builtin_frame_address(0) - PARENT_FRAME_MARGIN) & ~(uintptr_t)15;

	args.stack = (uint64_t)(top - CHILD_STACK_SPAN);
	args.stack_size = CHILD_STACK_SPAN;
	return clone3_into_cgroup(&args, cgroup_fd, placed, berth_clone3_call, fn, arg);
}
#else
pid_t clone_child_sharing_memory(uint64_t flags, int cgroup_fd, void (*fn)(void *), void *arg, bool *placed)
{
	(void)flags;
	(void)cgroup_fd;
	(void)fn;
	(void)arg;
	(void)placed;
	errno = ENOSYS;
	return -1;
}
#endif
