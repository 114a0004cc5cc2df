/* Stage 0 <-> stage 1 messages over a SOCK_SEQPACKET socketpair. The
 * child's end is O_CLOEXEC, so a successful exec of berth-init shows up in
 * stage 0 as end-of-file right after SYNC_EXEC. */
#ifndef BERTH_SYNC_H
#define BERTH_SYNC_H

#include <stdint.h>

#include "err.h"

enum sync_type {
	SYNC_GO = 1,        /* 0 -> 1: maps written, cgroup joined: go on */
	SYNC_HOOKS,         /* 1 -> 0: rootfs mounted: run prestart/createRuntime */
	SYNC_HOOKS_DONE,    /* 0 -> 1: text = state JSON for createContainer hooks */
	SYNC_CONSOLE,       /* 1 -> 0: payload pty name, fd = master */
	SYNC_EXEC,          /* 1 -> 0: about to exec berth-init */
	SYNC_ERROR,         /* 1 -> 0: errnum + message; stage 1 exits */
	SYNC_ABORT,         /* 0 -> 1: give up, exit */
	/* 0 -> 1, before SYNC_GO, one per idmapped mount in config order:
	 * text = index in spec->mounts, fd = its detached idmapped tree
	 * (mount_idmap.c), which stage 1 attaches in mount_apply. */
	SYNC_MOUNT_FD,
	/* 1 -> 0: errnum = the pid of the process that goes on as stage 1,
	 * born in a pid namespace of a joined user namespace (stage1.c);
	 * the sender exits. */
	SYNC_PID,
};

struct sync_msg {
	uint32_t type;
	int32_t errnum;
	char text[65536];
};

int sync_send(int fd, enum sync_type type, int errnum, const char *text, int pass_fd, struct berth_err *err);

/* Returns 1 with a message, 0 on end-of-file, -1 on error. */
int sync_recv(int fd, struct sync_msg *msg, int *passed_fd, struct berth_err *err);

#endif
