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

bool cli_print_verb_help(const char *verb)
{
	for (const struct verb *v = cli_verbs; v->name; v++) {
		if (strcmp(v->name, verb) == 0) {
			printf("berth %s - %s\n\nUsage: berth %s%s%s\n", v->name, v->summary, v->name,
			       *v->usage ? " " : "", v->usage);
			if (v->options)
				printf("\nOptions:\n%s", v->options);
			return true;
		}
	}
	return false;
}

/* Go's flag package, which runc's CLI uses, knows no abbreviations
 * ("--bund") and no grouped or glued short options ("-dh", "-bDIR",
 * "-frob" as -f rob); getopt_long_only accepts all of them. Whether arg, the
 * element getopt just read, named the option it returned exactly. */
static bool cli_exact_flag(const char *arg, const struct option *opts, int longindex)
{
	const char *name;
	size_t len;

	if (longindex < 0)
		return strlen(arg) == 2;
	name = arg + (arg[1] == '-' ? 2 : 1);
	len = strcspn(name, "=");
	/* "-b=DIR": getopt took "b" for a prefix of "bundle", whose short
	 * alias it is. */
	if (len == 1 && opts[longindex].val == name[0])
		return true;
	return strlen(opts[longindex].name) == len && strncmp(opts[longindex].name, name, len) == 0;
}

int cli_parse(const char *verb, int argc, char **argv, const struct option *opts, const char *shortopts,
	      int (*handle)(int opt, const char *arg, void *data), void *data)
{
	char optstring[128];
	int c, longindex;

	/* "+": stop at the first positional argument (run ID -- args...);
	 * ":": report a missing value ourselves. */
	snprintf(optstring, sizeof(optstring), "+:%s", shortopts);
	optind = 0;
	opterr = 0;
	for (;;) {
		/* Without permutation the element being read is argv[optind]
		 * (optind 0 asks glibc to start over at 1). */
		int at = optind ? optind : 1;
		const char *arg = at < argc ? argv[at] : "?";

		longindex = -1;
		c = getopt_long_only(argc, argv, optstring, opts, &longindex);
		if (c == -1)
			break;
		if (c == '?' || (c != ':' && !cli_exact_flag(arg, opts, longindex))) {
			cli_failf("%s: unknown flag \"%s\"", verb, arg);
			return -1;
		}
		if (c == ':') {
			cli_failf("%s: flag \"%s\" needs a value", verb, arg);
			return -1;
		}
		if (c == 'h') {
			cli_print_verb_help(verb);
			return -2;
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

void cli_print_table(char *const *cells, size_t n_rows, size_t n_cols)
{
	size_t width[16] = { 0 };

	if (n_cols == 0 || n_cols > 16)
		return;
	for (size_t r = 0; r < n_rows; r++)
		for (size_t c = 0; c < n_cols; c++)
			if (strlen(cells[r * n_cols + c]) + 3 > width[c])
				width[c] = strlen(cells[r * n_cols + c]) + 3;
	for (size_t c = 0; c < n_cols; c++)
		if (width[c] < 12)
			width[c] = 12;
	for (size_t r = 0; r < n_rows; r++) {
		for (size_t c = 0; c + 1 < n_cols; c++)
			printf("%-*s", (int)width[c], cells[r * n_cols + c]);
		printf("%s\n", cells[r * n_cols + n_cols - 1]);
	}
}
