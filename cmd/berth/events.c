/* berth events [--stats] [--interval D] <container-id>: the container's
 * cgroup stats as JSON (once, or every D until it stops) and OOM kills. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct events_opts {
	bool stats;
	const char *interval;
};

static const struct option events_options[] = {
	{ "stats", no_argument, NULL, 's' },
	{ "interval", required_argument, NULL, 'i' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int handle_events_option(int opt, const char *arg, void *data)
{
	struct events_opts *o = data;

	if (opt == 's')
		o->stats = true;
	else
		o->interval = arg;
	return 0;
}

/* A Go duration ("100ms", "1.5s", "1m30s") in milliseconds; -1 if it is
 * not one (Go requires a unit on every number but a bare "0"). */
static long long parse_go_duration(const char *s)
{
	static const struct { const char *unit; double ms; } units[] = {
		{ "ns", 1e-6 }, { "us", 1e-3 }, { "\xc2\xb5s", 1e-3 }, { "ms", 1 }, { "s", 1e3 }, { "m", 6e4 }, { "h", 3.6e6 },
	};
	double total = 0;

	if (strcmp(s, "0") == 0)
		return 0;
	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double v;
		size_t best = 0, best_len = 0;
		if (*s == '-' || *s == '+')
			return -1;
		errno = 0;
		v = strtod(s, &end);
		if (end == s || errno)
			return -1;
		s = end;
		/* Longest unit that matches: "ms" before "m". */
		for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++) {
			size_t len = strlen(units[i].unit);
			if (strncmp(s, units[i].unit, len) == 0 && len > best_len) {
				best = i;
				best_len = len;
			}
		}
		if (!best_len)
			return -1;
		total += v * units[best].ms;
		s += best_len;
	}
	if (total > 0 && total < 1)
		return 1; /* below a millisecond: as fast as berth polls */
	return total > 1e12 ? -1 : (long long)total;
}

static int print_line(const char *json, size_t len, void *data)
{
	/* One object per line, flushed, so a reader sees each as it comes. */
	if (fwrite(json, 1, len, stdout) != len || putchar('\n') == EOF || fflush(stdout) == EOF)
		return -1;
	return 0;
}

int cmd_events(struct cli *cli, int argc, char **argv)
{
	struct events_opts o = { false, "5s" };
	struct berth_events_opts opts = { .emit = print_line };
	struct berth_err err;
	long long ms;
	int first = cli_parse("events", argc, argv, events_options, "h", handle_events_option, &o);

	if (first < 0)
		return first == -2 ? 0 : 1;
	if (cli_want_args("events", argc - first, 1, 1) < 0)
		return 1;
	ms = parse_go_duration(o.interval);
	if (ms < 0)
		return cli_failf("invalid value \"%s\" for flag -interval: parse error", o.interval);
	if (ms == 0)
		return cli_failf("duration interval must be greater than 0");
	opts.stats_only = o.stats;
	opts.interval_ms = (unsigned)(ms > 86400000LL ? 86400000LL : ms);
	if (berth_container_events(&cli->ctx, argv[first], &opts, &err) < 0)
		return cli_fail(&err);
	return 0;
}
