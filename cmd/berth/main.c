/* berth: an OCI container runtime with runc's command line. */
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"

#define BERTH_DEFAULT_ROOT "/run/berth"
#define BERTH_SPEC_VERSION "1.2.0"

int cmd_create(struct cli *cli, int argc, char **argv);
int cmd_start(struct cli *cli, int argc, char **argv);
int cmd_exec(struct cli *cli, int argc, char **argv);
int cmd_run(struct cli *cli, int argc, char **argv);
int cmd_state(struct cli *cli, int argc, char **argv);
int cmd_list(struct cli *cli, int argc, char **argv);
int cmd_kill(struct cli *cli, int argc, char **argv);
int cmd_delete(struct cli *cli, int argc, char **argv);
int cmd_spec(struct cli *cli, int argc, char **argv);
int cmd_pause(struct cli *cli, int argc, char **argv);
int cmd_resume(struct cli *cli, int argc, char **argv);
int cmd_ps(struct cli *cli, int argc, char **argv);
int cmd_events(struct cli *cli, int argc, char **argv);
int cmd_update(struct cli *cli, int argc, char **argv);
int cmd_features(struct cli *cli, int argc, char **argv);
int cmd_checkpoint(struct cli *cli, int argc, char **argv);
int cmd_restore(struct cli *cli, int argc, char **argv);
int cmd_mount(struct cli *cli, int argc, char **argv);
int cmd_umount(struct cli *cli, int argc, char **argv);

#define CREATE_OPTIONS                                                                          \
	"   --bundle value, -b value  path to the bundle (default: the current directory)\n"     \
	"   --console-socket value    unix socket that gets the pty master (terminal: true)\n"   \
	"   --pidfd-socket value      unix socket that gets a pidfd of the container's PID 1\n"  \
	"   --pid-file value          file to write PID 1's host pid to\n"                      \
	"   --no-pivot                move the rootfs over / instead of pivot_root\n"           \
	"   --no-new-keyring          keep the caller's session keyring\n"                      \
	"   --preserve-fds value      pass fds 3 .. 3+value-1 on to the container (default: 0)\n"

const struct verb cli_verbs[] = {
	{ "create", "[options] <container-id>", "create a container from a bundle", cmd_create, CREATE_OPTIONS },
	{ "start", "<container-id>", "start the workload of a created container", cmd_start, NULL },
	{ "run", "[options] <container-id>", "create and start a container, and wait for it", cmd_run,
	  CREATE_OPTIONS "   --detach, -d              return once the workload runs\n"
			 "   --keep                    do not delete the container when it stops\n" },
	{ "exec", "[options] <container-id> <command> [args...] | -p process.json <container-id>",
	  "run a process in a container", cmd_exec,
	  "   --process value, -p value         a process.json (replaces the command and the flags below)\n"
	  "   --console-socket value            unix socket that gets the pty master (with --tty)\n"
	  "   --pidfd-socket value              unix socket that gets a pidfd of the process\n"
	  "   --tty, -t                         give the process a pty\n"
	  "   --detach, -d                      return once the process runs\n"
	  "   --pid-file value                  file to write the process's host pid to\n"
	  "   --cwd value                       working directory in the container\n"
	  "   --env value, -e value             add or set an environment variable (K=V)\n"
	  "   --user value, -u value            uid[:gid]\n"
	  "   --additional-gids value, -g value add a supplementary group\n"
	  "   --cap value, -c value             add a capability (bounding, effective, permitted)\n"
	  "   --no-new-privs                    set no_new_privs\n"
	  "   --apparmor value                  AppArmor profile\n"
	  "   --process-label value             SELinux label\n"
	  "   --preserve-fds value              pass fds 3 .. 3+value-1 on (default: 0)\n"
	  "   --cgroup value                    run in an existing sub-cgroup: [controller,...:]path\n"
	  "   --ignore-paused                   exec even if the container is paused\n" },
	{ "state", "<container-id>", "print the state of a container as JSON", cmd_state, NULL },
	{ "list", "[options]", "list the containers under --root", cmd_list,
	  "   --format value, -f value  table or json (default: table)\n"
	  "   --quiet, -q               print the ids only\n" },
	{ "kill", "[--all] <container-id> [signal]", "send a signal (default SIGTERM; SIGRTMIN+3 to systemd) to a container", cmd_kill,
	  "   --all, -a                 signal every process in the container\n" },
	{ "delete", "[--force] <container-id>", "delete a container and everything it holds", cmd_delete,
	  "   --force, -f               kill a running container first; succeed if it does not exist\n" },
	{ "pause", "<container-id>", "freeze every process of a container", cmd_pause, NULL },
	{ "resume", "<container-id>", "thaw a paused container", cmd_resume, NULL },
	{ "ps", "[options] <container-id> [ps options]", "list the processes of a container", cmd_ps,
	  "   --format value, -f value  table (the host ps, default -ef) or json (host pids)\n" },
	{ "events", "[options] <container-id>", "print a container's resource usage and OOM events", cmd_events,
	  "   --stats                   print the stats once and exit\n"
	  "   --interval value          time between stats, Go syntax: 100ms, 1s (default: 5s)\n" },
	{ "update", "[options] <container-id>", "change the resource limits of a container", cmd_update,
	  "   --resources value, -r value  a linux.resources JSON file, '-' for stdin (other flags are ignored)\n"
	  "   --blkio-weight value         block IO weight, 10 to 1000\n"
	  "   --cpu-period value           CFS period (us)\n"
	  "   --cpu-quota value            CFS quota (us) per period, -1 for none\n"
	  "   --cpu-burst value            CFS burst (us)\n"
	  "   --cpu-share value            CPU shares (relative weight)\n"
	  "   --cpu-rt-period value        realtime period (us)\n"
	  "   --cpu-rt-runtime value       realtime runtime (us) per period\n"
	  "   --cpuset-cpus value          CPUs to run on (0-3,5)\n"
	  "   --cpuset-mems value          memory nodes to use\n"
	  "   --memory value               memory limit (100M, 1G; -1 for none)\n"
	  "   --memory-reservation value   memory soft limit\n"
	  "   --memory-swap value          memory+swap limit, -1 for unlimited swap\n"
	  "   --pids-limit value           maximum number of pids\n"
	  "   --l3-cache-schema value      Intel RDT L3 schema (not supported)\n"
	  "   --mem-bw-schema value        Intel RDT memory bandwidth schema (not supported)\n" },
	{ "mount", "[options] <container-id> SOURCE DEST | [--format table|json] <container-id>",
	  "attach a mount inside a created or running container, or list the attached ones", cmd_mount,
	  "   --type value, -t value     a new filesystem of this type (tmpfs, overlay, ext4...), SOURCE its source\n"
	  "   --options value, -o value  comma-separated: mount attributes (ro, nosuid, noexec, rro...);\n"
	  "                              with --type, also the filesystem's options (size=64m, lowerdir=...)\n"
	  "   --readonly, -r             read-only\n"
	  "   --recursive, -R            bind SOURCE with its submounts\n"
	  "   --idmap                    map file owners through the container's user namespace\n"
	  "   --from value               SOURCE is a path inside this other container\n"
	  "   --format value, -f value   listing: table or json (default: table)\n" },
	{ "umount", "[--lazy] <container-id> DEST", "remove a mount that berth mount attached", cmd_umount,
	  "   --lazy, -l                 detach it now, even while in use (MNT_DETACH)\n" },
	{ "spec", "[options]", "write a default config.json", cmd_spec,
	  "   --bundle value, -b value  where to write config.json (default: the current directory)\n"
	  "   --rootless                a config for a user without privileges (user namespace)\n" },
	{ "features", "", "print the features this runtime supports, as runtime-spec JSON", cmd_features, NULL },
	{ "checkpoint", "[options] <container-id>", "checkpoint a container (not supported: no CRIU)", cmd_checkpoint,
	  "   runc's flags are accepted (--image-path, --work-path, --leave-running, ...);\n"
	  "   the command fails: berth has no CRIU support\n" },
	{ "restore", "[options] <container-id>", "restore a container from a checkpoint (not supported: no CRIU)",
	  cmd_restore,
	  "   runc's flags are accepted (--image-path, --bundle, --detach, -no-subreaper, ...);\n"
	  "   the command fails: berth has no CRIU support\n" },
	{ NULL, NULL, NULL, NULL, NULL },
};

static void print_version(void)
{
	const struct scmp_version *v = seccomp_version();

	printf("berth version %s\ncommit: %s\nspec: %s\n", BERTH_VERSION, BERTH_COMMIT, BERTH_SPEC_VERSION);
	if (v)
		printf("libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
}

static void print_help(void)
{
	printf("berth - an OCI container runtime\n\n"
	       "Usage: berth [global options] <command> [command options] [arguments...]\n\n"
	       "Commands:\n");
	for (const struct verb *v = cli_verbs; v->name; v++)
		printf("   %-10s %s\n", v->name, v->summary);
	printf("\nGlobal options:\n"
	       "   --root value         state directory (default: " BERTH_DEFAULT_ROOT ")\n"
	       "   --log value          log file (default: stderr only)\n"
	       "   --log-format value   text or json (default: text)\n"
	       "   --debug              log debug messages\n"
	       "   --systemd-cgroup     manage cgroups through systemd\n"
	       "   --rootless value     true, false or auto (default: auto)\n"
	       "   --version, -v        print the version\n"
	       "   --help, -h           print this help\n");
}

/* Matches -name, --name, -name=value, --name=value. *value gets the text
 * after '=' or NULL. */
static bool match_flag(const char *arg, const char *name, const char **value)
{
	size_t len = strlen(name);

	if (arg[0] != '-')
		return false;
	arg += arg[1] == '-' ? 2 : 1;
	if (strncmp(arg, name, len) != 0 || (arg[len] != '\0' && arg[len] != '='))
		return false;
	*value = arg[len] == '=' ? arg + len + 1 : NULL;
	return true;
}

/* A boolean flag's value as Go's strconv.ParseBool reads it (runc's
 * "--debug=false"); NULL (no "=value") means true. -1 if invalid. */
static int parse_bool_value(const char *value)
{
	static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True" };
	static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False" };

	if (!value)
		return 1;
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		if (strcmp(value, yes[i]) == 0)
			return 1;
		if (strcmp(value, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* Global flags come before the verb, as with runc. Returns the index of
 * the verb, or -1 on error, or -2 when done (help/version printed). */
static int parse_global(struct cli *cli, int argc, char **argv)
{
	static const char *const with_value[] = { "root", "log", "log-format", "criu", "rootless" };
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i], *value = NULL;
		bool known = false;

		if (strcmp(a, "--") == 0)
			return i + 1;
		if (match_flag(a, "version", &value) || strcmp(a, "-v") == 0) {
			print_version();
			return -2;
		}
		if (match_flag(a, "help", &value) || strcmp(a, "-h") == 0) {
			print_help();
			return -2;
		}
		if (match_flag(a, "debug", &value) || match_flag(a, "systemd-cgroup", &value)) {
			int on = parse_bool_value(value);

			if (on < 0) {
				fprintf(stderr, "berth: invalid boolean value \"%s\" for flag \"%.*s\"\n", value,
					(int)strcspn(a, "="), a);
				return -1;
			}
			if (a[strspn(a, "-")] == 'd')
				cli->debug = on;
			else
				cli->ctx.systemd_cgroup = on;
			continue;
		}
		for (size_t f = 0; f < sizeof(with_value) / sizeof(*with_value); f++) {
			if (!match_flag(a, with_value[f], &value))
				continue;
			known = true;
			if (!value) {
				if (i + 1 >= argc) {
					fprintf(stderr, "berth: flag \"%s\" needs a value\n", a);
					return -1;
				}
				value = argv[++i];
			}
			if (f == 0)
				cli->ctx.root = value;
			else if (f == 1)
				cli->log_path = value;
			else if (f == 2)
				cli->log_format = value;
			else if (f == 4)
				cli->ctx.rootless = strcmp(value, "true") == 0;
			break;
		}
		if (!known) {
			fprintf(stderr, "berth: unknown global flag \"%s\" (see berth --help)\n", a);
			return -1;
		}
	}
	return i;
}

int main(int argc, char **argv)
{
	struct cli cli = { .ctx = { .root = BERTH_DEFAULT_ROOT } };
	bool json;
	int verb_at;

	/* Writes to a closed pipe (hooks, sockets) must fail, not kill berth. */
	signal(SIGPIPE, SIG_IGN);
	verb_at = parse_global(&cli, argc, argv);
	if (verb_at == -2)
		return 0;
	if (verb_at < 0)
		return 1;
	if (cli.log_format && strcmp(cli.log_format, "text") != 0 && strcmp(cli.log_format, "json") != 0) {
		fprintf(stderr, "berth: unknown log format \"%s\" (text or json)\n", cli.log_format);
		return 1;
	}
	json = cli.log_format && strcmp(cli.log_format, "json") == 0;
	if (log_init(cli.log_path, json, cli.debug) < 0) {
		fprintf(stderr, "berth: open log file \"%s\": %m\n", cli.log_path);
		return 1;
	}
	if (verb_at >= argc) {
		print_help();
		return 0;
	}
	/* "h" is runc's (urfave/cli's) short name for help. */
	if (strcmp(argv[verb_at], "help") == 0 || strcmp(argv[verb_at], "h") == 0) {
		if (verb_at + 1 >= argc)
			print_help();
		else if (!cli_print_verb_help(argv[verb_at + 1]))
			return cli_failf("help: unknown command \"%s\" (see berth --help)", argv[verb_at + 1]);
		return 0;
	}
	for (const struct verb *v = cli_verbs; v->name; v++)
		if (strcmp(v->name, argv[verb_at]) == 0)
			return v->run(&cli, argc - verb_at, argv + verb_at);
	return cli_failf("unknown command \"%s\" (see berth --help)", argv[verb_at]);
}
