/* Decoded, validated view of a launch plan. Every pointer points into the
 * plan buffer (which must outlive the view) except the argv/envp vectors,
 * which live in one allocation freed by plan_view_free(). Shared by
 * berth-init and the unit tests, so it uses only libc. */
#ifndef BERTH_PLAN_DECODE_H
#define BERTH_PLAN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"

struct plan_hook_view {
	int32_t timeout;            /* seconds, 0 = none */
	const char *path;
	char **argv;                /* NULL-terminated, argc entries */
	char **envp;                /* NULL-terminated, envc entries */
	uint32_t argc, envc;
};

struct plan_seccomp_view {
	uint32_t flags;
	uint32_t n_insns;
	const void *insns;          /* n_insns 8-byte struct sock_filter */
};

struct plan_view {
	/* pointers first, then 32-bit fields, then flags: no padding holes */
	char **args;                /* NULL-terminated, >= 1 entry */
	char **env;                 /* NULL-terminated, maybe empty */
	const char *cwd;
	const uint32_t *groups;
	const char *apparmor;       /* NULL: none */
	const char *selinux;        /* NULL: none */
	struct plan_hook_view *hooks;
	void *vectors;              /* the one allocation behind args/env/hooks */
	struct plan_seccomp_view seccomp;
	struct plan_caps caps;
	struct plan_user user;
	uint32_t n_args, n_env, n_groups, n_hooks;
	uint32_t mode;              /* enum plan_mode */
	uint32_t preserve_fds;
	int control_fd;             /* -1: none */
	int report_fd;              /* -1: none (berth exec's error channel) */
	int stdout_fd, stderr_fd;   /* -1: none */
	bool has_groups, has_caps, no_new_privs, has_seccomp, tty;
};

/* Validates buf (len bytes, 8-byte aligned) strictly and fills view.
 * Returns 0, or -1 with *why set to a static description of the defect. */
int plan_decode(const uint8_t *buf, size_t len, struct plan_view *view, const char **why);

void plan_view_free(struct plan_view *view);

#endif
