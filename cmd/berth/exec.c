/* berth exec [options] <id> <command...> | -p process.json <id>
 * Exits with the process's status; 255 when berth itself fails (runc's
 * convention, which go-runc and the shims rely on). With --detach, 0 once
 * the process runs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "foreground.h"

#define EXEC_FAILED 255

enum { OPT_CONSOLE = 1000, OPT_PID_FILE, OPT_CWD, OPT_NO_NEW_PRIVS, OPT_APPARMOR, OPT_LABEL, OPT_PRESERVE,
       OPT_CGROUP, OPT_IGNORE_PAUSED, OPT_PIDFD };

static const struct option exec_options[] = {
	{ "console-socket", required_argument, NULL, OPT_CONSOLE },
	{ "pidfd-socket", required_argument, NULL, OPT_PIDFD },
	{ "cwd", required_argument, NULL, OPT_CWD },
	{ "env", required_argument, NULL, 'e' },
	{ "tty", no_argument, NULL, 't' },
	{ "user", required_argument, NULL, 'u' },
	{ "additional-gids", required_argument, NULL, 'g' },
	{ "process", required_argument, NULL, 'p' },
	{ "detach", no_argument, NULL, 'd' },
	{ "pid-file", required_argument, NULL, OPT_PID_FILE },
	{ "process-label", required_argument, NULL, OPT_LABEL },
	{ "apparmor", required_argument, NULL, OPT_APPARMOR },
	{ "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
	{ "cap", required_argument, NULL, 'c' },
	{ "preserve-fds", required_argument, NULL, OPT_PRESERVE },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The repeatable flags (-e, -g, -c), NULL-terminated; argv owns the strings. */
struct exec_lists {
	char **env, **gids, **caps;
	size_t n_env, n_gids, n_caps;
};

struct exec_cli {
	struct berth_exec_opts o;
	struct exec_lists l;
};

static int list_add(char ***list, size_t *n, const char *value)
{
	char **grown = realloc(*list, (*n + 2) * sizeof(*grown));

	if (!grown)
		return 1;
	grown[(*n)++] = (char *)value;
	grown[*n] = NULL;
	*list = grown;
	return 0;
}

static int handle_exec_option(int opt, const char *arg, void *data)
{
	struct exec_cli *c = data;
	struct berth_exec_opts *o = &c->o;

	switch (opt) {
	case OPT_CONSOLE: o->console_socket = arg; return 0;
	case OPT_PIDFD: o->pidfd_socket = arg; return 0;
	case OPT_CWD: o->cwd = arg; return 0;
	case 'e': return list_add(&c->l.env, &c->l.n_env, arg);
	case 't': o->tty = true; return 0;
	case 'u': o->user = arg; return 0;
	case 'g': return list_add(&c->l.gids, &c->l.n_gids, arg);
	case 'p': o->process_file = arg; return 0;
	case 'd': o->detach = true; return 0;
	case OPT_PID_FILE: o->pid_file = arg; return 0;
	case OPT_LABEL: o->process_label = arg; return 0;
	case OPT_APPARMOR: o->apparmor = arg; return 0;
	case OPT_NO_NEW_PRIVS: o->no_new_privs = true; return 0;
	case 'c': return list_add(&c->l.caps, &c->l.n_caps, arg);
	case OPT_PRESERVE: return cli_parse_uint("--preserve-fds", arg, &o->preserve_fds);
	case OPT_CGROUP: o->cgroup = arg; return 0;
	case OPT_IGNORE_PAUSED: o->ignore_paused = true; return 0;
	default: return 1;
	}
}

static void exec_cli_free(struct exec_cli *c)
{
	free(c->l.env);
	free(c->l.gids);
	free(c->l.caps);
}

/* runc's words: the shim shows "exec failed: <why>". */
static int exec_fail(const struct berth_err *err)
{
	cli_failf("exec failed: %s", err->msg);
	return EXEC_FAILED;
}

int cmd_exec(struct cli *cli, int argc, char **argv)
{
	struct exec_cli c = { 0 };
	struct berth_exec_result res;
	struct berth_err err;
	int first, sfd = -1, code;

	first = cli_parse("exec", argc, argv, exec_options, "e:tu:g:p:dc:h", handle_exec_option, &c);
	/* Usage errors exit 1, as runc's; failures to exec, 255. */
	if (first < 0 || cli_want_args("exec", argc - first, 1, -1) < 0) {
		exec_cli_free(&c);
		return first == -2 ? 0 : 1;
	}
	if (!c.o.process_file && argc - first < 2) {
		exec_cli_free(&c);
		cli_failf("exec failed: process args cannot be empty");
		return EXEC_FAILED;
	}
	c.o.id = argv[first];
	c.o.args = c.o.process_file ? NULL : argv + first + 1;
	c.o.env = c.l.env;
	c.o.additional_gids = c.l.gids;
	c.o.caps = c.l.caps;
	c.o.keep_console = !c.o.detach && !c.o.console_socket;
	if (!c.o.detach) {
		sfd = foreground_block_signals();
		if (sfd < 0) {
			exec_cli_free(&c);
			cli_failf("exec failed: signalfd: %s", strerror(errno));
			return EXEC_FAILED;
		}
	}
	code = berth_container_exec(&cli->ctx, &c.o, &res, &err);
	exec_cli_free(&c);
	if (code < 0) {
		if (sfd >= 0)
			close(sfd);
		return exec_fail(&err);
	}
	if (c.o.detach)
		return 0;
	code = foreground_wait(res.pid, sfd, res.console_master);
	if (res.console_master >= 0)
		close(res.console_master);
	close(sfd);
	return code;
}
