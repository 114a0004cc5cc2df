/* berth checkpoint and berth restore: runc does them with CRIU, which berth
 * does not have. Both take runc's flags, so what an engine sends
 * (containerd: checkpoint --image-path P --work-path P --leave-running ID;
 * restore ... -no-subreaper --bundle B ID) fails on the missing feature and
 * not on its syntax. */
#include "cli.h"

enum {
	OPT_IMAGE_PATH = 1000,
	OPT_WORK_PATH,
	OPT_PARENT_PATH,
	OPT_LEAVE_RUNNING,
	OPT_TCP_ESTABLISHED,
	OPT_EXT_UNIX_SK,
	OPT_SHELL_JOB,
	OPT_LAZY_PAGES,
	OPT_STATUS_FD,
	OPT_PAGE_SERVER,
	OPT_FILE_LOCKS,
	OPT_PRE_DUMP,
	OPT_MANAGE_CGROUPS_MODE,
	OPT_EMPTY_NS,
	OPT_AUTO_DEDUP,
	OPT_CONSOLE_SOCKET,
	OPT_PID_FILE,
	OPT_NO_SUBREAPER,
	OPT_NO_PIVOT,
	OPT_LSM_PROFILE,
	OPT_LSM_MOUNT_CONTEXT,
};

/* The flags runc's checkpoint and restore share. */
#define CRIU_COMMON_OPTIONS                                                         \
	{ "image-path", required_argument, NULL, OPT_IMAGE_PATH },                  \
	{ "work-path", required_argument, NULL, OPT_WORK_PATH },                    \
	{ "tcp-established", no_argument, NULL, OPT_TCP_ESTABLISHED },              \
	{ "ext-unix-sk", no_argument, NULL, OPT_EXT_UNIX_SK },                      \
	{ "shell-job", no_argument, NULL, OPT_SHELL_JOB },                          \
	{ "lazy-pages", no_argument, NULL, OPT_LAZY_PAGES },                        \
	{ "file-locks", no_argument, NULL, OPT_FILE_LOCKS },                        \
	{ "manage-cgroups-mode", required_argument, NULL, OPT_MANAGE_CGROUPS_MODE }, \
	{ "empty-ns", required_argument, NULL, OPT_EMPTY_NS },                      \
	{ "auto-dedup", no_argument, NULL, OPT_AUTO_DEDUP },                        \
	{ "help", no_argument, NULL, 'h' }

static const struct option checkpoint_options[] = {
	CRIU_COMMON_OPTIONS,
	{ "parent-path", required_argument, NULL, OPT_PARENT_PATH },
	{ "leave-running", no_argument, NULL, OPT_LEAVE_RUNNING },
	{ "status-fd", required_argument, NULL, OPT_STATUS_FD },
	{ "page-server", required_argument, NULL, OPT_PAGE_SERVER },
	{ "pre-dump", no_argument, NULL, OPT_PRE_DUMP },
	{ NULL, 0, NULL, 0 },
};

static const struct option restore_options[] = {
	CRIU_COMMON_OPTIONS,
	{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
	{ "bundle", required_argument, NULL, 'b' },
	{ "detach", no_argument, NULL, 'd' },
	{ "pid-file", required_argument, NULL, OPT_PID_FILE },
	{ "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
	{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
	{ "lsm-profile", required_argument, NULL, OPT_LSM_PROFILE },
	{ "lsm-mount-context", required_argument, NULL, OPT_LSM_MOUNT_CONTEXT },
	{ NULL, 0, NULL, 0 },
};

/* Every flag is accepted and none matters: nothing is done either way. */
static int ignore_option(int opt, const char *arg, void *data)
{
	return 0;
}

static int criu_verb(const char *verb, int argc, char **argv, const struct option *opts, const char *shortopts)
{
	int first = cli_parse(verb, argc, argv, opts, shortopts, ignore_option, NULL);

	if (first < 0)
		return first == -2 ? 0 : 1;
	if (cli_want_args(verb, argc - first, 1, 1) < 0)
		return 1;
	return cli_failf("%s \"%s\": not supported: berth has no CRIU support", verb, argv[first]);
}

int cmd_checkpoint(struct cli *cli, int argc, char **argv)
{
	return criu_verb("checkpoint", argc, argv, checkpoint_options, "h");
}

int cmd_restore(struct cli *cli, int argc, char **argv)
{
	return criu_verb("restore", argc, argv, restore_options, "b:dh");
}
