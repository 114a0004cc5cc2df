/* The few kernel ABI definitions berth-init needs that musl's headers lack
 * (musl-gcc here has no kernel uapi headers). Values are fixed kernel ABI. */
#ifndef BERTH_INIT_KAPI_H
#define BERTH_INIT_KAPI_H

#include <stdint.h>
#include <sys/syscall.h>

struct kapi_sock_filter {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

struct kapi_sock_fprog {
	unsigned short len;
	struct kapi_sock_filter *filter;
};

#define KAPI_SECCOMP_SET_MODE_FILTER 1
#define KAPI_SECCOMP_MODE_FILTER 2
#define KAPI_SECCOMP_FILTER_FLAG_NEW_LISTENER (1u << 3)

/* Shared (not _PRIVATE): the kernel's clear_child_tid wake is shared. */
#define KAPI_FUTEX_WAIT 0
#define KAPI_FUTEX_WAKE 1

#define KAPI_LINUX_CAPABILITY_VERSION_3 0x20080522

struct kapi_cap_header {
	uint32_t version;
	int pid;
};

struct kapi_cap_data {
	uint32_t effective, permitted, inheritable;
};

#define KAPI_CLOSE_RANGE_CLOEXEC (1u << 2)

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_seccomp
#define SYS_seccomp 317
#endif

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

#endif
