/* berth list [-q] [--format table|json] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct list_opts { bool quiet; const char *format; };

static const struct option list_options[] = {
	{ "quiet", no_argument, NULL, 'q' },
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int handle_list_option(int opt, const char *arg, void *data)
{
	struct list_opts *o = data;

	if (opt == 'q')
		o->quiet = true;
	else
		o->format = arg;
	return 0;
}

#define LIST_COLUMNS 6

int cmd_list(struct cli *cli, int argc, char **argv)
{
	struct list_opts o = { false, "table" };
	struct berth_err err;
	char **ids = NULL;
	size_t n = 0, shown = 0;
	char *(*rows)[LIST_COLUMNS] = NULL;
	int first = cli_parse("list", argc, argv, list_options, "qf:h", handle_list_option, &o);
	bool json;

	if (first < 0)
		return first == -2 ? 0 : 1;
	if (cli_want_args("list", argc - first, 0, 0) < 0)
		return 1;
	if (strcmp(o.format, "table") != 0 && strcmp(o.format, "json") != 0)
		return cli_failf("list: invalid format \"%s\" (table or json)", o.format);
	json = strcmp(o.format, "json") == 0;
	if (state_list_ids(cli->ctx.root, &ids, &n, &err) < 0)
		return cli_fail(&err);
	rows = calloc(n + 1, sizeof(*rows));
	if (!rows)
		return cli_failf("list: out of memory");
	rows[0][0] = strdup("ID"), rows[0][1] = strdup("PID"), rows[0][2] = strdup("STATUS");
	rows[0][3] = strdup("BUNDLE"), rows[0][4] = strdup("CREATED"), rows[0][5] = strdup("OWNER");
	for (size_t i = 0; i < n; i++) {
		struct container_state st;
		if (state_load(cli->ctx.root, ids[i], &st, &err) < 0)
			continue; /* being created or deleted right now */
		st.owner = state_dir_owner(cli->ctx.root, ids[i]);
		if (o.quiet) {
			printf("%s\n", st.id);
		} else if (json) {
			char *j = state_oci_json(&st, false, NULL, &err);
			if (!j) {
				state_free(&st);
				continue;
			}
			printf("%s%s", shown ? "," : "[", j);
			free(j);
		} else {
			char **row = rows[shown + 1];
			row[0] = strdup(st.id);
			if (asprintf(&row[1], "%d", st.status == STATUS_STOPPED ? 0 : (int)st.init_pid) < 0)
				row[1] = NULL;
			row[2] = strdup(container_status_name(st.status));
			row[3] = strdup(st.bundle);
			row[4] = strdup(st.created);
			row[5] = strdup(st.owner ? st.owner : "");
		}
		shown++;
		state_free(&st);
	}
	/* -q wins over --format, as in runc. An empty list is what Go
	 * marshals for a nil slice: "null", not "[]". */
	if (json && !o.quiet)
		printf("%s\n", shown ? "]" : "null");
	else if (!o.quiet) {
		for (size_t r = 0; r <= shown; r++)
			for (int c = 0; c < LIST_COLUMNS; c++)
				if (!rows[r][c])
					rows[r][c] = strdup("");
		cli_print_table(&rows[0][0], shown + 1, LIST_COLUMNS);
	}
	for (size_t r = 0; r <= n; r++)
		for (int c = 0; c < LIST_COLUMNS; c++)
			free(rows[r][c]);
	free(rows);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return 0;
}
