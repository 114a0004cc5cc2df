/* berth's command line: main.c parses the global flags and dispatches to
 * one file per verb. The CLI only parses and prints; libcontainer works. */
#ifndef BERTH_CLI_H
#define BERTH_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "container.h"
#include "err.h"

struct cli {
	struct berth_ctx ctx;
	const char *log_path;
	const char *log_format;
	bool debug;
};

struct verb {
	const char *name;
	const char *usage;     /* "[options] <container-id>" */
	const char *summary;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *options;   /* the options section of `berth VERB --help` */
};

extern const struct verb cli_verbs[];

/* Prints the error as one line (and to --log); returns 1, runc's code. */
int cli_fail(const struct berth_err *err);
int cli_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parses a verb's options with getopt_long_only (so -flag works as
 * --flag, as Go's flag package does), stopping at the first positional
 * argument. Returns the index of the first positional argument, or -1 after
 * printing an error (or -2 after printing --help). handle() gets each
 * option; it returns non-zero to fail. */
int cli_parse(const char *verb, int argc, char **argv, const struct option *opts, const char *shortopts,
	      int (*handle)(int opt, const char *arg, void *data), void *data);

/* Exactly n positional arguments are required (n_max -1: any number). */
int cli_want_args(const char *verb, int have, int n_min, int n_max);

/* Prints the usage of verb; false (nothing printed) if there is no such verb. */
bool cli_print_verb_help(const char *verb);

/* Prints n_rows rows of n_cols (<= 16) cells, row-major, as Go's tabwriter
 * does with runc's settings (min width 12, padding 3). */
void cli_print_table(char *const *cells, size_t n_rows, size_t n_cols);

int cli_parse_uint(const char *flag, const char *s, unsigned *out);

#endif
