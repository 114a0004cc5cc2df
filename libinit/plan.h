/* The launch plan: everything berth-init needs to start the workload,
 * compiled by stage 0 (policy) and applied by berth-init (mechanism).
 * Shared by both sides; berth-init links against no library, so this header
 * uses only kernel ABI types.
 *
 * Wire format (host byte order, never leaves the machine):
 *   struct plan_header, then records, each a struct plan_record followed by
 *   `len` bytes of payload padded to 8 bytes. Strings are NUL-terminated and
 *   their NUL is counted in len. Unknown record types are an error: the plan
 *   is produced by the same build that embeds berth-init. */
#ifndef BERTH_PLAN_H
#define BERTH_PLAN_H

#include <stdint.h>

#define PLAN_MAGIC 0x6e616c7068747262ULL /* "brthplan" */
#define PLAN_VERSION 1
#define PLAN_MAX_SIZE (16u << 20)

struct plan_header {
	uint64_t magic;
	uint32_t version;
	uint32_t size;      /* total bytes including this header */
};

struct plan_record {
	uint16_t type;      /* enum plan_record_type */
	uint16_t reserved;
	uint32_t len;       /* payload bytes, excluding padding */
};

enum plan_record_type {
	PLAN_ARG = 1,        /* string, repeated: argv in order (>= 1) */
	PLAN_ENV,            /* string, repeated: "K=V" */
	PLAN_CWD,            /* string, absolute */
	PLAN_USER,           /* struct plan_user */
	PLAN_GROUPS,         /* uint32_t[]: supplementary gids (may be empty) */
	PLAN_CAPS,           /* struct plan_caps; absent: keep current caps */
	PLAN_NO_NEW_PRIVS,   /* empty */
	PLAN_SECCOMP,        /* struct plan_seccomp + struct sock_filter[] */
	PLAN_MODE,           /* uint32_t enum plan_mode */
	PLAN_APPARMOR,       /* string: profile, written to attr/apparmor/exec */
	PLAN_SELINUX,        /* string: label, written to /proc/self/attr/exec */
	PLAN_CONTROL_FD,     /* int32_t: listening init.sock (SOCK_SEQPACKET) */
	PLAN_TTY,            /* empty: fd 0 is a terminal; the workload makes it
	                        its controlling tty (setsid + TIOCSCTTY) */
	PLAN_HOOK_START,     /* struct plan_hook + strings; startContainer hook */
	PLAN_STDOUT_FD,      /* int32_t: give the workload this fd as fd 1 */
	PLAN_STDERR_FD,      /* int32_t: give the workload this fd as fd 2 */
	PLAN_PRESERVE_FDS,   /* uint32_t: fds 3..3+n-1 go to the workload */
	PLAN_REPORT_FD,      /* int32_t: `berth exec`'s report socket: a failure
	                        to start is written there as "<errno> <message>";
	                        it is close-on-exec, so EOF means exec'd */
	PLAN_TYPE_MAX
};

enum plan_mode {
	PLAN_MODE_FORK = 0,  /* fork the workload, stay PID 1, reap, forward */
	PLAN_MODE_EXEC = 1,  /* apply the plan and exec the workload in place */
};

struct plan_user {
	uint32_t uid, gid;
	uint32_t umask;
	uint32_t has_umask;
};

struct plan_caps {
	uint64_t bounding, effective, inheritable, permitted, ambient;
	uint32_t last_cap;   /* the kernel's last capability, as berth read it */
	uint32_t reserved;   /* 0 */
};

struct plan_seccomp {
	uint32_t flags;      /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
	uint32_t n_insns;    /* followed by n_insns struct sock_filter */
};

/* Followed by path\0, argc strings, envc strings (each NUL-terminated). */
struct plan_hook {
	int32_t timeout;     /* seconds, 0 = none */
	uint32_t argc, envc;
};

/* init.sock protocol (SOCK_SEQPACKET, one message each way):
 *   request  "start\n" followed by the OCI state JSON (for startContainer
 *            hooks' stdin), at most CONTROL_MSG_MAX bytes;
 *   reply    "ok <pid>" on success, or "err <errno> <message>" when the
 *            workload could not be started (berth start prints message).
 *            errno is 0 when the cause has none (a hook exited non-zero),
 *            e.g. `err 0 startContainer hook "/x": exited with status 3`.
 *            In exec mode success has no reply: the connection is CLOEXEC,
 *            so the host reads EOF once the workload has been exec'd.
 *            After a start: "start" -> "err 16 container already started";
 *            anything else (before or after) -> "err 22 unknown command".
 *   A client must send its message within 5 s of connecting.
 *   When the filter has a listener (SCMP_ACT_NOTIFY), a helper of the
 *   workload sends "seccomp <pid>" on the same connection, before the
 *   reply, with the listener as SCM_RIGHTS (pid: the workload's in the
 *   container's pid namespace), and waits for "seccomp ok": the host
 *   sends it once listenerPath has the listener. Until then the workload
 *   is not exec'd; without it, it is killed. `berth exec`'s report socket
 *   (PLAN_REPORT_FD) carries the same exchange.
 * Without a PLAN_CONTROL_FD record berth-init starts the workload at once
 * (startContainer hooks then get an empty stdin). */
#define CONTROL_MSG_MAX 65536
#define CONTROL_CMD_START "start\n"
#define CONTROL_MSG_SECCOMP "seccomp"
#define CONTROL_MSG_SECCOMP_OK "seccomp ok"

/* berth-init is exec'd as: argv = { "berth-init", "<plan fd>", NULL }. */

static inline uint32_t plan_align8(uint32_t n) { return (n + 7u) & ~7u; }

#endif
