#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

int cli_fail(const struct berth_err *err)
{
	log_error("%s", err->msg);
	return 1;
}

int cli_failf(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("%s", msg);
	return 1;
}

void cli_print_verb_help(const char *verb)
{
	for (const struct verb *v = cli_verbs; v->name; v++) {
		if (strcmp(v->name, verb) == 0) {
			printf("berth %s - %s\n\nUsage: berth %s %s\n", v->name, v->summary, v->name, v->usage);
			return;
		}
	}
}

int cli_parse(const char *verb, int argc, char **argv, const struct option *opts, const char *shortopts,
	      int (*handle)(int opt, const char *arg, void *data), void *data)
{
	char optstring[128];
	int c;

	/* "+": stop at the first positional argument (run ID -- args...);
	 * ":": report a missing value ourselves. */
	snprintf(optstring, sizeof(optstring), "+:%s", shortopts);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, optstring, opts, NULL)) != -1) {
		if (c == 'h') {
			cli_print_verb_help(verb);
			return -2;
		}
		if (c == '?') {
			const char *bad = argv[optind - 1];
			cli_failf("%s: unknown flag \"%s\"", verb, bad ? bad : "?");
			return -1;
		}
		if (c == ':') {
			cli_failf("%s: flag \"%s\" needs a value", verb, argv[optind - 1]);
			return -1;
		}
		if (handle(c, optarg, data) != 0)
			return -1;
	}
	return optind;
}

int cli_want_args(const char *verb, int have, int n_min, int n_max)
{
	if (have < n_min) {
		if (n_min == 1)
			cli_failf("%s: a container id is required (see berth %s --help)", verb, verb);
		else
			cli_failf("%s: %d arguments are required (see berth %s --help)", verb, n_min, verb);
		return -1;
	}
	if (n_max >= 0 && have > n_max) {
		cli_failf("%s: too many arguments (see berth %s --help)", verb, verb);
		return -1;
	}
	return 0;
}

int cli_parse_uint(const char *flag, const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || s[0] == '-' || v > 1u << 20) {
		cli_failf("invalid value \"%s\" for flag %s", s, flag);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}
