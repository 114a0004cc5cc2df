/* berth features: the runtime-spec features document (libcontainer's
 * features.h), which engines read before they run anything. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "runtime_features.h"

static const struct option features_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int no_options(int opt, const char *arg, void *data)
{
	return 1;
}

int cmd_features(struct cli *cli, int argc, char **argv)
{
	struct berth_err err;
	char *json;
	int first = cli_parse("features", argc, argv, features_options, "h", no_options, NULL);

	if (first < 0)
		return first == -2 ? 0 : 1;
	if (cli_want_args("features", argc - first, 0, 0) < 0)
		return 1;
	json = features_json(&err);
	if (!json)
		return cli_fail(&err);
	fputs(json, stdout);
	free(json);
	return fflush(stdout) == 0 ? 0 : cli_failf("features: write: %m");
}
