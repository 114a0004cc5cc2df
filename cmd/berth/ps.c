/* berth ps [--format table|json] <container-id> [ps options]: the
 * container's processes. json: an array of host pids (containerd's Pids);
 * table: the host ps (default -ef) cut to the container's lines (Top). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

struct ps_opts { const char *format; };

static const struct option ps_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int handle_ps_option(int opt, const char *arg, void *data)
{
	((struct ps_opts *)data)->format = arg;
	return 0;
}

static void print_json(const pid_t *pids, size_t n)
{
	putchar('[');
	for (size_t i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", (int)pids[i]);
	/* A newline after the array, as Go's json.Encoder ends it. */
	puts("]");
}

/* Runs ps with args and returns its whole stdout (malloc'd), or NULL
 * after printing an error. */
static char *run_host_ps(char **args, int n_args)
{
	char **argv = calloc((size_t)n_args + 2, sizeof(char *));
	char *out = NULL;
	size_t len = 0, cap = 0;
	int pipefd[2], status;
	pid_t child;

	if (!argv || pipe2(pipefd, O_CLOEXEC) < 0) {
		free(argv);
		cli_failf("ps: %s", strerror(errno));
		return NULL;
	}
	argv[0] = "ps";
	for (int i = 0; i < n_args; i++)
		argv[i + 1] = args[i];
	child = fork();
	if (child < 0) {
		cli_failf("ps: fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		free(argv);
		return NULL;
	}
	if (child == 0) {
		if (dup2(pipefd[1], STDOUT_FILENO) < 0)
			_exit(127);
		execvp("ps", argv);
		fprintf(stderr, "berth: ps: exec ps: %s\n", strerror(errno));
		_exit(127);
	}
	free(argv);
	close(pipefd[1]);
	for (;;) {
		ssize_t n;
		if (len + 4096 + 1 > cap) {
			char *grown = realloc(out, cap = cap ? cap * 2 : 16384);
			if (!grown)
				break;
			out = grown;
		}
		n = read(pipefd[0], out + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(pipefd[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (!out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		cli_failf("ps: the host ps failed (%s)", WIFEXITED(status) ? "non-zero exit status" : "killed");
		free(out);
		return NULL;
	}
	out[len] = '\0';
	return out;
}

/* The index of the PID column in ps's header line, or -1. */
static int pid_column(const char *header)
{
	char copy[4096], *save = NULL;
	int col = 0;

	snprintf(copy, sizeof(copy), "%s", header);
	for (char *f = strtok_r(copy, " \t", &save); f; f = strtok_r(NULL, " \t", &save), col++)
		if (strcmp(f, "PID") == 0)
			return col;
	return -1;
}

static bool line_has_pid(const char *line, int col, const pid_t *pids, size_t n)
{
	char copy[4096], *save = NULL, *f;
	long pid;

	snprintf(copy, sizeof(copy), "%s", line);
	f = strtok_r(copy, " \t", &save);
	for (int i = 0; f && i < col; i++)
		f = strtok_r(NULL, " \t", &save);
	if (!f)
		return false;
	pid = strtol(f, NULL, 10);
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

static int print_table(char **ps_args, int n_args, const pid_t *pids, size_t n)
{
	static char *default_args[] = { "-ef" };
	char *text = n_args ? run_host_ps(ps_args, n_args) : run_host_ps(default_args, 1);
	char *save = NULL, *line;
	int col;

	if (!text)
		return 1;
	line = strtok_r(text, "\n", &save);
	col = line ? pid_column(line) : -1;
	if (col < 0) {
		free(text);
		return cli_failf("couldn't find PID field in ps output");
	}
	puts(line);
	while ((line = strtok_r(NULL, "\n", &save)))
		if (line_has_pid(line, col, pids, n))
			puts(line);
	free(text);
	return 0;
}

int cmd_ps(struct cli *cli, int argc, char **argv)
{
	struct ps_opts o = { "table" };
	struct berth_err err;
	pid_t *pids;
	size_t n;
	int first = cli_parse("ps", argc, argv, ps_options, "f:h", handle_ps_option, &o), rc = 0;

	if (first < 0)
		return first == -2 ? 0 : 1;
	if (cli_want_args("ps", argc - first, 1, -1) < 0)
		return 1;
	if (strcmp(o.format, "table") != 0 && strcmp(o.format, "json") != 0)
		return cli_failf("invalid format option \"%s\" (table or json)", o.format);
	if (berth_container_pids(&cli->ctx, argv[first], &pids, &n, &err) < 0)
		return cli_fail(&err);
	if (strcmp(o.format, "json") == 0)
		print_json(pids, n);
	else
		rc = print_table(argv + first + 1, argc - first - 1, pids, n);
	free(pids);
	return rc;
}
