/* berth mount [options] <id> SOURCE DEST | berth mount [--format] <id>
 * berth umount [--lazy] <id> DEST */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "cli.h"
#include "storage_record.h"

struct mount_cli {
	struct berth_mount_opts m;
	const char *format;
};

enum { OPT_FROM = 256, OPT_IDMAP };

static const struct option mount_options[] = {
	{ "type", required_argument, NULL, 't' },
	{ "options", required_argument, NULL, 'o' },
	{ "readonly", no_argument, NULL, 'r' },
	{ "recursive", no_argument, NULL, 'R' },
	{ "idmap", no_argument, NULL, OPT_IDMAP },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int handle_mount_option(int opt, const char *arg, void *data)
{
	struct mount_cli *o = data;

	switch (opt) {
	case 't': o->m.type = arg; break;
	case 'o': o->m.options = arg; break;
	case 'r': o->m.readonly = true; break;
	case 'R': o->m.recursive = true; break;
	case OPT_IDMAP: o->m.idmap = true; break;
	case OPT_FROM: o->m.from = arg; break;
	default: o->format = arg; break;
	}
	return 0;
}

static char *join_options(char **options)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	for (char **o = options; o && *o; o++)
		fprintf(f, "%s%s", o == options ? "" : ",", *o);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

#define MOUNT_COLUMNS 4

static int print_mounts(const struct attached_mounts *all, const char *format)
{
	char *(*rows)[MOUNT_COLUMNS];

	if (strcmp(format, "json") == 0) {
		const unsigned char *buf;
		size_t len;
		yajl_gen g = yajl_gen_alloc(NULL);
		if (!g)
			return cli_failf("out of memory");
		attached_mounts_gen(g, all);
		yajl_gen_get_buf(g, &buf, &len);
		printf("%.*s\n", (int)len, (const char *)buf);
		yajl_gen_free(g);
		return 0;
	}
	rows = calloc(all->n + 1, sizeof(*rows));
	if (!rows)
		return cli_failf("out of memory");
	rows[0][0] = strdup("DESTINATION"), rows[0][1] = strdup("TYPE"), rows[0][2] = strdup("SOURCE");
	rows[0][3] = strdup("OPTIONS");
	for (size_t i = 0; i < all->n; i++) {
		const struct attached_mount *a = &all->v[i];
		rows[i + 1][0] = strdup(a->destination);
		rows[i + 1][1] = strdup(a->type);
		if (a->from && asprintf(&rows[i + 1][2], "%s:%s", a->from, a->source) < 0)
			rows[i + 1][2] = NULL;
		else if (!a->from)
			rows[i + 1][2] = strdup(a->source);
		rows[i + 1][3] = join_options(a->options);
	}
	for (size_t r = 0; r <= all->n; r++)
		for (int c = 0; c < MOUNT_COLUMNS; c++)
			if (!rows[r][c])
				rows[r][c] = strdup("");
	cli_print_table(&rows[0][0], all->n + 1, MOUNT_COLUMNS);
	for (size_t r = 0; r <= all->n; r++)
		for (int c = 0; c < MOUNT_COLUMNS; c++)
			free(rows[r][c]);
	free(rows);
	return 0;
}

int cmd_mount(struct cli *cli, int argc, char **argv)
{
	struct mount_cli o = { .format = "table" };
	struct attached_mounts all;
	struct berth_err err;
	int first = cli_parse("mount", argc, argv, mount_options, "t:o:rRf:h", handle_mount_option, &o);
	int n;

	if (first < 0)
		return first == -2 ? 0 : 1;
	n = argc - first;
	if (n != 1 && cli_want_args("mount", n, 3, 3) < 0)
		return 1;
	if (strcmp(o.format, "table") != 0 && strcmp(o.format, "json") != 0)
		return cli_failf("invalid format option \"%s\"", o.format);
	if (n == 1) {
		int rc;
		if (berth_container_mounts(&cli->ctx, argv[first], &all, &err) < 0)
			return cli_fail(&err);
		rc = print_mounts(&all, o.format);
		attached_mounts_free(&all);
		return rc;
	}
	o.m.id = argv[first];
	o.m.source = argv[first + 1];
	o.m.destination = argv[first + 2];
	if (berth_container_mount(&cli->ctx, &o.m, &err) < 0)
		return cli_fail(&err);
	return 0;
}

static const struct option umount_options[] = {
	{ "lazy", no_argument, NULL, 'l' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int handle_umount_option(int opt, const char *arg, void *data)
{
	*(bool *)data = true;
	return 0;
}

int cmd_umount(struct cli *cli, int argc, char **argv)
{
	struct berth_err err;
	bool lazy = false;
	int first = cli_parse("umount", argc, argv, umount_options, "lh", handle_umount_option, &lazy);

	if (first < 0)
		return first == -2 ? 0 : 1;
	if (cli_want_args("umount", argc - first, 2, 2) < 0)
		return 1;
	if (berth_container_umount(&cli->ctx, argv[first], argv[first + 1], lazy, &err) < 0)
		return cli_fail(&err);
	return 0;
}
