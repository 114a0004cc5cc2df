/* berth spec [--bundle dir] [--rootless]: a default config.json. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "spec_default.h"

struct spec_opts { const char *bundle; bool rootless; };

enum { OPT_ROOTLESS = 1000 };

static const struct option spec_options[] = {
	{ "bundle", required_argument, NULL, 'b' },
	{ "rootless", no_argument, NULL, OPT_ROOTLESS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int handle_spec_option(int opt, const char *arg, void *data)
{
	struct spec_opts *o = data;

	if (opt == 'b')
		o->bundle = arg;
	else
		o->rootless = true;
	return 0;
}

int cmd_spec(struct cli *cli, int argc, char **argv)
{
	struct spec_opts o = { ".", false };
	struct berth_err err;
	char path[PATH_MAX];
	char *json;
	size_t len;
	int first = cli_parse("spec", argc, argv, spec_options, "b:h", handle_spec_option, &o), fd;

	if (first < 0)
		return first == -2 ? 0 : 1;
	if (cli_want_args("spec", argc - first, 0, 0) < 0)
		return 1;
	if ((size_t)snprintf(path, sizeof(path), "%s/config.json", o.bundle) >= sizeof(path))
		return cli_failf("spec: bundle path too long");
	json = spec_default_json(o.rootless, &err);
	if (!json)
		return cli_fail(&err);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		int e = errno;
		free(json);
		if (e == EEXIST)
			return cli_failf("spec: file %s exists: remove it first", path);
		return cli_failf("spec: create %s: %s", path, berth_strerror(e));
	}
	len = strlen(json);
	if (write(fd, json, len) != (ssize_t)len) {
		int e = errno;
		close(fd);
		free(json);
		return cli_failf("spec: write %s: %s", path, berth_strerror(e));
	}
	close(fd);
	free(json);
	return 0;
}
