/* Stage 0's side of the launch plan (libinit/plan.h): compiles the
 * validated spec's process part (args, env, user, capabilities, seccomp
 * BPF, labels, hooks) into the binary plan berth-init applies. */
#ifndef BERTH_PLAN_BUILD_H
#define BERTH_PLAN_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "plan.h"
#include "spec.h"

struct plan_buf {
	uint8_t *data;              /* 8-byte aligned (malloc) */
	size_t len, cap;
};

struct plan_opts {
	int control_fd;             /* listening init.sock fd number in berth-init, -1 none */
	bool tty;                   /* fd 0 is the terminal */
	unsigned preserve_fds;
	int stdout_fd, stderr_fd;   /* -1 none */
	/* berth exec: berth-init applies the plan and execs in place (no
	 * startContainer hooks), reporting a failure on report_fd. */
	bool exec_process;
	int report_fd;              /* -1 none */
	const char *seccomp_cache_dir; /* the state root (seccomp_cache.h), NULL: none */
};

/* The workload is an init system that wants to be PID 1: basename(args[0])
 * is "systemd", or args[0] is "/sbin/init" (a symlink to systemd on the
 * distributions that ship one, as Podman assumes too). The one test for
 * exec mode, systemd's defaults (spec_systemd.h) and kill's default
 * signal. */
bool plan_workload_is_systemd(const struct spec *spec);

/* EXEC when annotation run.berth.init=exec, or plan_workload_is_systemd;
 * run.berth.init=fork forces FORK. */
enum plan_mode plan_choose_mode(const struct spec *spec);

/* Encodes spec->process (+ startContainer hooks, linux.seccomp) into out,
 * which the caller initialises to {0} and frees with plan_buf_free. */
int plan_build(const struct spec *spec, const struct plan_opts *opts, struct plan_buf *out,
	       struct berth_err *err);

void plan_buf_free(struct plan_buf *buf);

/* The highest capability number the running kernel knows (caps above it
 * are dropped from a plan), and a capability's name in the spec's spelling
 * ("CAP_KILL"). `berth features` lists the same caps. */
int plan_cap_last_cap(void);
void plan_cap_name(int cap, char *out, size_t size);

#endif
