/* berth create [options] <id> */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "create_opts.h"

enum { OPT_CONSOLE = 1000, OPT_PID_FILE, OPT_NO_PIVOT, OPT_NO_KEYRING, OPT_PRESERVE, OPT_PIDFD, OPT_KEEP,
       OPT_NO_SUBREAPER };

const struct option create_long_options[] = {
	{ "bundle", required_argument, NULL, 'b' },
	{ "console-socket", required_argument, NULL, OPT_CONSOLE },
	{ "pid-file", required_argument, NULL, OPT_PID_FILE },
	{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
	{ "no-new-keyring", no_argument, NULL, OPT_NO_KEYRING },
	{ "preserve-fds", required_argument, NULL, OPT_PRESERVE },
	{ "pidfd-socket", required_argument, NULL, OPT_PIDFD },
	{ "detach", no_argument, NULL, 'd' },
	{ "keep", no_argument, NULL, OPT_KEEP },
	{ "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int handle_create_option(int opt, const char *arg, void *data)
{
	struct create_cli_opts *o = data;

	switch (opt) {
	case 'b': o->create.bundle = arg; return 0;
	case OPT_CONSOLE: o->create.console_socket = arg; return 0;
	case OPT_PID_FILE: o->create.pid_file = arg; return 0;
	case OPT_NO_PIVOT: o->create.no_pivot = true; return 0;
	case OPT_NO_KEYRING: o->create.no_new_keyring = true; return 0;
	case OPT_PRESERVE: return cli_parse_uint("--preserve-fds", arg, &o->create.preserve_fds);
	case OPT_PIDFD: o->create.pidfd_socket = arg; return 0;
	case 'd': o->detach = true; return 0;
	case OPT_KEEP: o->keep = true; return 0;
	case OPT_NO_SUBREAPER: return 0; /* berth-init is always the subreaper */
	default: return 1;
	}
}

/* LISTEN_FDS (socket activation) fds come first and are passed on too,
 * as runc does: stdio + $LISTEN_FDS + --preserve-fds in total. As in
 * sd_listen_fds(3) they are ours only when LISTEN_PID names this process;
 * otherwise the variables were meant for an ancestor. */
static unsigned listen_fds(void)
{
	const char *s = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
	unsigned n = 0;
	long owner = 0;

	if (!s || !pid || sscanf(pid, "%ld", &owner) != 1 || owner != (long)getpid())
		return 0;
	if (sscanf(s, "%u", &n) != 1)
		n = 0;
	return n;
}

int parse_create_opts(const char *verb, int argc, char **argv, struct create_cli_opts *o)
{
	int first = cli_parse(verb, argc, argv, create_long_options, "b:dh", handle_create_option, o);

	if (first < 0)
		return first;
	if (cli_want_args(verb, argc - first, 1, 1) < 0)
		return -1;
	o->create.id = argv[first];
	o->create.listen_fds = listen_fds();
	return 0;
}

int cmd_create(struct cli *cli, int argc, char **argv)
{
	struct create_cli_opts o = { 0 };
	struct berth_created created;
	struct berth_err err;
	int rc = parse_create_opts("create", argc, argv, &o);

	if (rc < 0)
		return rc == -2 ? 0 : 1;
	if (berth_container_create(&cli->ctx, &o.create, &created, &err) < 0)
		return cli_fail(&err);
	state_free(&created.state);
	return 0;
}
