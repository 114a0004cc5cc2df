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
	char **args;                /* NULL-terminated, >= 1 entry */
	uint32_t n_args;
	char **env;                 /* NULL-terminated, maybe empty */
	uint32_t n_env;
	const char *cwd;
	struct plan_user user;
	bool has_groups;
	const uint32_t *groups;
	uint32_t n_groups;
	bool has_caps;
	struct plan_caps caps;
	bool no_new_privs;
	bool has_seccomp;
	struct plan_seccomp_view seccomp;
	uint32_t mode;              /* enum plan_mode */
	const char *apparmor;       /* NULL: none */
	const char *selinux;        /* NULL: none */
	int control_fd;             /* -1: none */
	bool tty;
	struct plan_hook_view *hooks;
	uint32_t n_hooks;
	int stdout_fd, stderr_fd;   /* -1: none */
	uint32_t preserve_fds;
	void *vectors;              /* the one allocation behind args/env/hooks */
};

/* Validates buf (len bytes, 8-byte aligned) strictly and fills view.
 * Returns 0, or -1 with *why set to a static description of the defect. */
int plan_decode(const uint8_t *buf, size_t len, struct plan_view *view, const char **why);

void plan_view_free(struct plan_view *view);

#endif
