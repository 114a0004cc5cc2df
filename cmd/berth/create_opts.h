#ifndef BERTH_CREATE_OPTS_H
#define BERTH_CREATE_OPTS_H

#include "container.h"

/* create's flags, which run shares (plus --detach and --keep). */
struct create_cli_opts {
	struct berth_create_opts create;
	bool detach;
	bool keep;
};

/* Returns 0, -1 (error printed) or -2 (help printed). */
int parse_create_opts(const char *verb, int argc, char **argv, struct create_cli_opts *o);

#endif
