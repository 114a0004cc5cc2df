/* The verbs that take a container id and little else: start, state,
 * kill, delete, pause, resume. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct option help_only[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };

static int no_options(int opt, const char *arg, void *data)
{
	return 1;
}

/* Parses a verb with no options but --help and exactly one id. */
static int parse_id_only(const char *verb, int argc, char **argv, const char **id)
{
	int first = cli_parse(verb, argc, argv, help_only, "h", no_options, NULL);

	if (first < 0)
		return first;
	if (cli_want_args(verb, argc - first, 1, 1) < 0)
		return -1;
	*id = argv[first];
	return 0;
}

int cmd_start(struct cli *cli, int argc, char **argv)
{
	struct berth_err err;
	const char *id;
	int rc = parse_id_only("start", argc, argv, &id);

	if (rc < 0)
		return rc == -2 ? 0 : 1;
	if (berth_container_start(&cli->ctx, id, &err) < 0)
		return cli_fail(&err);
	return 0;
}

int cmd_state(struct cli *cli, int argc, char **argv)
{
	struct container_state st;
	struct berth_err err;
	const char *id;
	char *json;
	int rc = parse_id_only("state", argc, argv, &id);

	if (rc < 0)
		return rc == -2 ? 0 : 1;
	if (berth_container_state(&cli->ctx, id, &st, &err) < 0)
		return cli_fail(&err);
	json = state_oci_json(&st, true, NULL, &err);
	state_free(&st);
	if (!json)
		return cli_fail(&err);
	/* No newline after the JSON: runc writes none. */
	fputs(json, stdout);
	free(json);
	return 0;
}

struct kill_opts { bool all; };

static const struct option kill_options[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int handle_kill_option(int opt, const char *arg, void *data)
{
	((struct kill_opts *)data)->all = true;
	return 0;
}

int cmd_kill(struct cli *cli, int argc, char **argv)
{
	struct kill_opts o = { false };
	struct berth_err err;
	int first = cli_parse("kill", argc, argv, kill_options, "ah", handle_kill_option, &o);

	if (first < 0)
		return first == -2 ? 0 : 1;
	if (cli_want_args("kill", argc - first, 1, 2) < 0)
		return 1;
	if (berth_container_kill(&cli->ctx, argv[first], argc - first == 2 ? argv[first + 1] : NULL, o.all, &err) < 0)
		return cli_fail(&err);
	return 0;
}

struct delete_opts { bool force; };

static const struct option delete_options[] = {
	{ "force", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int handle_delete_option(int opt, const char *arg, void *data)
{
	((struct delete_opts *)data)->force = true;
	return 0;
}

int cmd_delete(struct cli *cli, int argc, char **argv)
{
	struct delete_opts o = { false };
	struct berth_err err;
	int first = cli_parse("delete", argc, argv, delete_options, "fh", handle_delete_option, &o);

	if (first < 0)
		return first == -2 ? 0 : 1;
	if (cli_want_args("delete", argc - first, 1, 1) < 0)
		return 1;
	if (berth_container_delete(&cli->ctx, argv[first], o.force, &err) < 0)
		return cli_fail(&err);
	return 0;
}

int cmd_pause(struct cli *cli, int argc, char **argv)
{
	struct berth_err err;
	const char *id;
	int rc = parse_id_only("pause", argc, argv, &id);

	if (rc < 0)
		return rc == -2 ? 0 : 1;
	if (berth_container_pause(&cli->ctx, id, &err) < 0)
		return cli_fail(&err);
	return 0;
}

int cmd_resume(struct cli *cli, int argc, char **argv)
{
	struct berth_err err;
	const char *id;
	int rc = parse_id_only("resume", argc, argv, &id);

	if (rc < 0)
		return rc == -2 ? 0 : 1;
	if (berth_container_resume(&cli->ctx, id, &err) < 0)
		return cli_fail(&err);
	return 0;
}
