/* Unit tests for config.json parsing (spec_parse*.c), the default spec and
 * spec_load_bundle. Each bad input must give exactly the expected message. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec.h"
#include "spec_default.h"
#include "unit.h"

/* A minimal valid config with pieces spliced in:
 * top-level extra keys, process extra keys, linux object body. */
static char *make_config(const char *top, const char *process, const char *linux_body)
{
	char *s = NULL;
	if (asprintf(&s,
		     "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
		     "\"process\":{\"args\":[\"sh\"]%s},\"linux\":{%s}%s}",
		     process ? process : "", linux_body ? linux_body : "", top ? top : "") < 0)
		abort();
	return s;
}

static struct spec *parse_str(const char *json, struct berth_err *err)
{
	berth_err_clear(err);
	return spec_parse(json, strlen(json), err);
}

/* Parses json, expecting failure with exactly want. */
static void expect_error_json(const char *json, const char *want, int line)
{
	struct berth_err err;
	struct spec *spec = parse_str(json, &err);
	if (spec) {
		printf("# line %d: parsed but wanted error \"%s\"\n", line, want);
		unit_current_failed = 1;
		spec_free(spec);
		return;
	}
	if (strcmp(err.msg, want) != 0) {
		printf("# line %d: got \"%s\", want \"%s\"\n", line, err.msg, want);
		unit_current_failed = 1;
	}
}

#define EXPECT_ERROR_JSON(json, want) expect_error_json((json), (want), __LINE__)
#define EXPECT_ERROR(top, process, linux_body, want)                      \
	do {                                                              \
		char *json_ = make_config((top), (process), (linux_body)); \
		expect_error_json(json_, (want), __LINE__);               \
		free(json_);                                              \
	} while (0)

static struct spec *parse_config(const char *top, const char *process, const char *linux_body)
{
	struct berth_err err;
	char *json = make_config(top, process, linux_body);
	struct spec *spec = parse_str(json, &err);
	if (!spec)
		printf("# unexpected error: %s\n", err.msg);
	free(json);
	return spec;
}

static uint64_t cap_bit(cap_value_t c)
{
	return UINT64_C(1) << c;
}

static void test_default_spec_parses(void)
{
	struct berth_err err;
	char *json = spec_default_json(false, &err);
	struct spec *spec;
	uint64_t caps = cap_bit(CAP_AUDIT_WRITE) | cap_bit(CAP_KILL) | cap_bit(CAP_NET_BIND_SERVICE);

	UNIT_CHECK(json != NULL);
	if (!json)
		return;
	UNIT_CHECK(json[strlen(json) - 1] == '}');
	UNIT_CHECK(strstr(json, "\n\t\"ociVersion\": \"1.2.0\",\n") != NULL);
	spec = parse_str(json, &err);
	free(json);
	UNIT_CHECK(spec != NULL);
	if (!spec) {
		printf("# %s\n", err.msg);
		return;
	}
	UNIT_CHECK_STR(spec->oci_version, "1.2.0");
	UNIT_CHECK_STR(spec->root_path, "rootfs");
	UNIT_CHECK(spec->root_readonly);
	UNIT_CHECK_STR(spec->hostname, "berth");
	UNIT_CHECK(spec->has_process && spec->process.terminal);
	UNIT_CHECK_STR(spec->process.args[0], "sh");
	UNIT_CHECK(spec->process.args[1] == NULL);
	UNIT_CHECK_STR(spec->process.env[1], "TERM=xterm");
	UNIT_CHECK_STR(spec->process.cwd, "/");
	UNIT_CHECK(spec->process.caps.set);
	UNIT_CHECK(spec->process.caps.bounding == caps);
	UNIT_CHECK(spec->process.caps.ambient == caps);
	UNIT_CHECK(spec->process.caps.inheritable == 0);
	UNIT_CHECK(spec->process.n_rlimits == 1);
	UNIT_CHECK(spec->process.rlimits[0].resource == RLIMIT_NOFILE);
	UNIT_CHECK(spec->process.rlimits[0].soft == 1024 && spec->process.rlimits[0].hard == 1024);
	UNIT_CHECK(spec->process.no_new_privileges);
	UNIT_CHECK(spec->n_mounts == 7);
	UNIT_CHECK_STR(spec->mounts[2].destination, "/dev/pts");
	UNIT_CHECK_STR(spec->mounts[2].data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	UNIT_CHECK(spec->mounts[2].flags == (MS_NOSUID | MS_NOEXEC));
	UNIT_CHECK(spec->mounts[5].flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY));
	UNIT_CHECK(spec->mounts[0].options == NULL && spec->mounts[0].data == NULL);
	UNIT_CHECK(spec->linux_.namespaces[SPEC_NS_NETWORK].present);
	UNIT_CHECK(!spec->linux_.namespaces[SPEC_NS_USER].present);
	UNIT_CHECK(spec->linux_.has_resources && spec->linux_.resources.n_devices == 1);
	UNIT_CHECK(!spec->linux_.resources.devices[0].allow);
	UNIT_CHECK_STR(spec->linux_.resources.devices[0].access, "rwm");
	UNIT_CHECK(!spec->linux_.resources.devices[0].major.set);
	UNIT_CHECK_STR(spec->linux_.masked_paths[0], "/proc/acpi");
	UNIT_CHECK_STR(spec->linux_.readonly_paths[4], "/proc/sysrq-trigger");
	spec_free(spec);
}

static void test_default_spec_rootless(void)
{
	struct berth_err err;
	char *json = spec_default_json(true, &err);
	struct spec *spec;

	UNIT_CHECK(json != NULL);
	if (!json)
		return;
	UNIT_CHECK(strstr(json, "gid=5") == NULL);
	spec = parse_str(json, &err);
	free(json);
	UNIT_CHECK(spec != NULL);
	if (!spec) {
		printf("# %s\n", err.msg);
		return;
	}
	UNIT_CHECK(spec->linux_.namespaces[SPEC_NS_USER].present);
	UNIT_CHECK(!spec->linux_.namespaces[SPEC_NS_NETWORK].present);
	UNIT_CHECK(spec->linux_.n_uid_mappings == 1 && spec->linux_.n_gid_mappings == 1);
	UNIT_CHECK(spec->linux_.uid_mappings[0].host_id == geteuid());
	UNIT_CHECK(spec->linux_.gid_mappings[0].host_id == getegid());
	UNIT_CHECK(spec->linux_.uid_mappings[0].size == 1);
	UNIT_CHECK(!spec->linux_.has_resources);
	UNIT_CHECK_STR(spec->mounts[5].source, "/sys");
	UNIT_CHECK(spec->mounts[5].bind && (spec->mounts[5].flags & MS_REC));
	spec_free(spec);
}

static void test_invalid_json(void)
{
	/* The position is 1-based; a text that ends early fails past its end. */
	EXPECT_ERROR_JSON("{\"ociVersion\":", "invalid JSON at line 1, column 15: parse error: premature EOF");
	EXPECT_ERROR_JSON("nope", "invalid JSON at line 1, column 1: lexical error: invalid string in json text.");
	EXPECT_ERROR_JSON("", "invalid JSON at line 1, column 1: parse error: premature EOF");
	EXPECT_ERROR_JSON("{\n  \"a\": 1,\n  }",
			  "invalid JSON at line 3, column 3: parse error: invalid object key (must be a string)");
	EXPECT_ERROR_JSON("{\"a\": 1}\n\nx",
			  "invalid JSON at line 3, column 1: parse error: trailing garbage");
	EXPECT_ERROR_JSON("{\n\"a\": /* comment */ 1,\n\"b\" 2}",
			  "invalid JSON at line 3, column 5: parse error: object key and value must be separated "
			  "by a colon (':')");
	EXPECT_ERROR_JSON("[1]", "expected an object, got array");
	{
		/* A NUL would end the text early for yajl: refused where it is. */
		static const char with_nul[] = "{\n  \"ociVersion\": \"1.2.0\0\"}";
		struct berth_err err;
		UNIT_CHECK(spec_parse(with_nul, sizeof(with_nul) - 1, &err) == NULL);
		UNIT_CHECK_STR(err.msg, "invalid JSON at line 2, column 23: NUL byte in input");
	}
	{
		/* Deep nesting is refused before yajl recurses into it. */
		size_t n = 100000;
		char *deep = malloc(n + 1);
		memset(deep, '[', n);
		deep[n] = '\0';
		EXPECT_ERROR_JSON(deep, "invalid JSON: nested deeper than 256 levels");
		free(deep);
	}
	EXPECT_ERROR_JSON("{\"ociVersion\":\"[[[\\\"\"}", "ociVersion: unsupported version "
			  "\"[[[\"\" (berth supports 1.0.0 to 1.2.x)");
}

static void test_oci_version(void)
{
	static const char *const good[] = { "1.0.0", "1.0.2-dev", "1.1.0", "1.2.0-rc.1", "1.2.9",
					    "1.2.0+dev" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char json[256];
		struct berth_err err;
		struct spec *spec;
		snprintf(json, sizeof(json),
			 "{\"ociVersion\":\"%s\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"]}}",
			 good[i]);
		spec = parse_str(json, &err);
		UNIT_CHECK(spec != NULL);
		if (!spec)
			printf("# %s: %s\n", good[i], err.msg);
		spec_free(spec);
	}
	EXPECT_ERROR_JSON("{\"ociVersion\":\"2.0.0\"}",
			  "ociVersion: unsupported version \"2.0.0\" (berth supports 1.0.0 to 1.2.x)");
	EXPECT_ERROR_JSON("{\"ociVersion\":\"1.3.0\"}",
			  "ociVersion: unsupported version \"1.3.0\" (berth supports 1.0.0 to 1.2.x)");
	EXPECT_ERROR_JSON("{\"ociVersion\":\"0.9.0\"}",
			  "ociVersion: unsupported version \"0.9.0\" (berth supports 1.0.0 to 1.2.x)");
	EXPECT_ERROR_JSON("{\"ociVersion\":\"1.0\"}",
			  "ociVersion: unsupported version \"1.0\" (berth supports 1.0.0 to 1.2.x)");
	EXPECT_ERROR_JSON("{\"root\":{\"path\":\"r\"}}", "ociVersion: missing");
	EXPECT_ERROR_JSON("{\"ociVersion\":1}", "ociVersion: expected a string, got number");
}

static void test_top_level_errors(void)
{
	EXPECT_ERROR_JSON("{\"ociVersion\":\"1.0.0\",\"process\":{\"args\":[\"sh\"]}}",
			  "root.path: missing");
	EXPECT_ERROR_JSON("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"}}", "process: missing");
	EXPECT_ERROR_JSON("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[]}}",
			  "process.args: must have at least one element");
	EXPECT_ERROR_JSON("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{}}",
			  "process.args: missing");
	EXPECT_ERROR_JSON("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\",3]}}",
			  "process.args[1]: expected a string, got number");
	EXPECT_ERROR(",\"mounts\":[{\"destination\":\"/a\"},{\"destination\":\"tmp\"}]", NULL, NULL,
		     "mounts[1].destination: \"tmp\" is not an absolute path");
	EXPECT_ERROR(",\"mounts\":[{\"type\":\"tmpfs\"}]", NULL, NULL, "mounts[0].destination: missing");
	EXPECT_ERROR(",\"hostname\":false", NULL, NULL, "hostname: expected a string, got boolean");
	EXPECT_ERROR(",\"annotations\":{\"a.b\":1}", NULL, NULL,
		     "annotations[\"a.b\"]: expected a string, got number");
	EXPECT_ERROR(",\"hooks\":{\"prestart\":[{\"path\":\"bin/true\"}]}", NULL, NULL,
		     "hooks.prestart[0].path: \"bin/true\" is not an absolute path");
	EXPECT_ERROR(",\"hooks\":{\"poststop\":[{\"path\":\"/bin/true\",\"timeout\":-1}]}", NULL, NULL,
		     "hooks.poststop[0].timeout: must be greater than 0, got -1");
	EXPECT_ERROR(",\"hooks\":{\"createRuntime\":{}}", NULL, NULL,
		     "hooks.createRuntime: expected an array, got object");
}

static void test_process_errors(void)
{
	EXPECT_ERROR(NULL, ",\"terminal\":\"yes\"", NULL,
		     "process.terminal: expected a boolean, got string");
	EXPECT_ERROR(NULL, ",\"user\":{\"uid\":\"0\"}", NULL,
		     "process.user.uid: expected an unsigned integer, got string");
	EXPECT_ERROR(NULL, ",\"user\":{\"uid\":-1}", NULL,
		     "process.user.uid: expected an unsigned integer, got -1");
	EXPECT_ERROR(NULL, ",\"user\":{\"uid\":4294967296}", NULL,
		     "process.user.uid: 4294967296 is out of range (max 4294967295)");
	EXPECT_ERROR(NULL, ",\"user\":{\"gid\":1.5}", NULL,
		     "process.user.gid: expected an unsigned integer, got 1.5");
	EXPECT_ERROR(NULL, ",\"user\":{\"additionalGids\":[1,\"x\"]}", NULL,
		     "process.user.additionalGids[1]: expected an unsigned integer, got string");
	EXPECT_ERROR(NULL, ",\"cwd\":\"home\"", NULL, "process.cwd: \"home\" is not an absolute path");
	EXPECT_ERROR(NULL,
		     ",\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_CHOWN\",\"CAP_NET_RAW\",\"CAP_FOO\"]}",
		     NULL, "process.capabilities.bounding[3]: unknown capability \"CAP_FOO\"");
	EXPECT_ERROR(NULL, ",\"capabilities\":{\"ambient\":[\"kill\"]}", NULL,
		     "process.capabilities.ambient[0]: unknown capability \"kill\"");
	EXPECT_ERROR(NULL, ",\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":1}]", NULL,
		     "process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"");
	EXPECT_ERROR(NULL,
		     ",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":1,\"hard\":1},"
		     "{\"type\":\"RLIMIT_CORE\",\"soft\":1,\"hard\":1}]",
		     NULL, "process.rlimits[1].type: duplicate rlimit \"RLIMIT_CORE\"");
	EXPECT_ERROR(NULL, ",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":1}]", NULL,
		     "process.rlimits[0].hard: missing");
	EXPECT_ERROR(NULL, ",\"scheduler\":{\"policy\":\"SCHED_FOO\"}", NULL,
		     "process.scheduler.policy: unknown scheduler policy \"SCHED_FOO\"");
	EXPECT_ERROR(NULL, ",\"scheduler\":{\"policy\":\"SCHED_RR\",\"flags\":[\"SCHED_FLAG_X\"]}", NULL,
		     "process.scheduler.flags[0]: unknown scheduler flag \"SCHED_FLAG_X\"");
	EXPECT_ERROR(NULL, ",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_FOO\"}", NULL,
		     "process.ioPriority.class: unknown ioPriority class \"IOPRIO_CLASS_FOO\"");
	EXPECT_ERROR(NULL, ",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_BE\",\"priority\":8}", NULL,
		     "process.ioPriority.priority: 8 is out of range (0 to 7)");
	EXPECT_ERROR(NULL, ",\"oomScoreAdj\":1001", NULL,
		     "process.oomScoreAdj: 1001 is out of range (-1000 to 1000)");
	EXPECT_ERROR(NULL, ",\"user\":{\"umask\":512}", NULL,
		     "process.user.umask: 512 is out of range (max 511)");
	EXPECT_ERROR(NULL, ",\"execCPUAffinity\":{\"initial\":\"0-x\"}", NULL,
		     "process.execCPUAffinity.initial: invalid CPU list \"0-x\": expected a CPU number");
	EXPECT_ERROR(NULL, ",\"execCPUAffinity\":{\"final\":\"3-1\"}", NULL,
		     "process.execCPUAffinity.final: invalid CPU list \"3-1\": range ends before it starts");
	EXPECT_ERROR(NULL, ",\"execCPUAffinity\":{\"final\":\"0,,1\"}", NULL,
		     "process.execCPUAffinity.final: invalid CPU list \"0,,1\": expected a CPU number");
	EXPECT_ERROR(NULL, ",\"execCPUAffinity\":{\"final\":\"1,\"}", NULL,
		     "process.execCPUAffinity.final: invalid CPU list \"1,\": ends with ','");
	EXPECT_ERROR(NULL, ",\"execCPUAffinity\":{\"final\":\"0 1\"}", NULL,
		     "process.execCPUAffinity.final: invalid CPU list \"0 1\": expected ',' or '-' after a CPU number");
	EXPECT_ERROR(NULL, ",\"execCPUAffinity\":{\"final\":\"1024\"}", NULL,
		     "process.execCPUAffinity.final: invalid CPU list \"1024\": CPU number out of range");
	EXPECT_ERROR(NULL, ",\"execCPUAffinity\":{\"final\":\"99999999999999999999999\"}", NULL,
		     "process.execCPUAffinity.final: invalid CPU list \"99999999999999999999999\": CPU number out of range");
}

static void test_process_fields(void)
{
	struct spec *spec = parse_config(
		",\"annotations\":{\"run.berth.init\":\"exec\",\"x\":\"y\"}",
		",\"cwd\":\"/work\",\"consoleSize\":{\"height\":24,\"width\":80},"
		"\"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,\"additionalGids\":[5,4294967295]},"
		"\"capabilities\":{\"effective\":[\"CAP_SYS_ADMIN\"],\"inheritable\":[\"CAP_CHOWN\"]},"
		"\"oomScoreAdj\":-500,\"selinuxLabel\":\"l\",\"apparmorProfile\":\"p\","
		"\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"nice\":-2,\"priority\":3,"
		"\"flags\":[\"SCHED_FLAG_RESET_ON_FORK\",\"SCHED_FLAG_RECLAIM\"],\"runtime\":10,\"deadline\":20,\"period\":30},"
		"\"ioPriority\":{\"class\":\"IOPRIO_CLASS_IDLE\",\"priority\":7},"
		"\"execCPUAffinity\":{\"initial\":\"0\",\"final\":\"1-3\"},\"unknownKey\":[1,2]",
		NULL);

	UNIT_CHECK(spec != NULL);
	if (!spec)
		return;
	UNIT_CHECK_STR(spec->process.cwd, "/work");
	UNIT_CHECK(spec->process.console_height.set && spec->process.console_height.v == 24);
	UNIT_CHECK(spec->process.console_width.v == 80);
	UNIT_CHECK(spec->process.user.uid == 1000 && spec->process.user.gid == 100);
	UNIT_CHECK(spec->process.user.umask.set && spec->process.user.umask.v == 18);
	UNIT_CHECK(spec->process.user.n_additional_gids == 2);
	UNIT_CHECK(spec->process.user.additional_gids[1] == UINT32_MAX);
	UNIT_CHECK(spec->process.caps.effective == cap_bit(CAP_SYS_ADMIN));
	UNIT_CHECK(spec->process.caps.inheritable == cap_bit(CAP_CHOWN));
	UNIT_CHECK(spec->process.oom_score_adj.set && spec->process.oom_score_adj.v == -500);
	UNIT_CHECK(spec->process.scheduler.set && spec->process.scheduler.policy == 6);
	UNIT_CHECK(spec->process.scheduler.nice == -2 && spec->process.scheduler.priority == 3);
	UNIT_CHECK(spec->process.scheduler.flags == 3 && spec->process.scheduler.period == 30);
	UNIT_CHECK(spec->process.io_priority.set && spec->process.io_priority.class == 3);
	UNIT_CHECK(spec->process.io_priority.priority == 7);
	UNIT_CHECK_STR(spec->process.exec_cpu_affinity_final, "1-3");
	UNIT_CHECK_STR(spec->process.selinux_label, "l");
	UNIT_CHECK_STR(spec_annotation(spec, "run.berth.init"), "exec");
	UNIT_CHECK(spec_annotation(spec, "nope") == NULL);
	spec_free(spec);
}

static void test_namespace_errors(void)
{
	EXPECT_ERROR(NULL, NULL,
		     "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"pidd\"}]",
		     "linux.namespaces[2].type: unknown namespace \"pidd\"");
	EXPECT_ERROR(NULL, NULL,
		     "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"uts\"},{\"type\":\"pid\"}]",
		     "linux.namespaces[3].type: duplicate namespace \"pid\"");
	EXPECT_ERROR(NULL, NULL, "\"namespaces\":[{\"type\":\"net\",\"path\":\"x\"}]",
		     "linux.namespaces[0].type: unknown namespace \"net\"");
	EXPECT_ERROR(NULL, NULL, "\"namespaces\":[{\"type\":\"network\",\"path\":\"x\"}]",
		     "linux.namespaces[0].path: \"x\" is not an absolute path");
	EXPECT_ERROR(NULL, NULL, "\"namespaces\":[{\"path\":\"/x\"}]", "linux.namespaces[0].type: missing");
	EXPECT_ERROR(NULL, NULL,
		     "\"namespaces\":[{\"type\":\"user\"}],"
		     "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":0}]",
		     "linux.uidMappings[0].size: must be greater than 0");
	EXPECT_ERROR(NULL, NULL,
		     "\"namespaces\":[{\"type\":\"user\"}],"
		     "\"uidMappings\":[{\"containerID\":0,\"hostID\":4294967295,\"size\":2}]",
		     "linux.uidMappings[0].size: hostID 4294967295 + size 2 overflows uint32");
	EXPECT_ERROR(NULL, NULL,
		     "\"namespaces\":[{\"type\":\"user\"}],"
		     "\"gidMappings\":[{\"containerID\":0,\"size\":1}]",
		     "linux.gidMappings[0].hostID: missing");
	EXPECT_ERROR(NULL, NULL,
		     "\"namespaces\":[{\"type\":\"pid\"}],"
		     "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]",
		     "linux.uidMappings: user namespace mappings given but no user namespace");
	EXPECT_ERROR(NULL, NULL, "\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]",
		     "linux.gidMappings: user namespace mappings given but no user namespace");
	EXPECT_ERROR(NULL, NULL,
		     "\"namespaces\":[{\"type\":\"user\"}],"
		     "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]",
		     "linux.namespaces: a new user namespace needs linux.uidMappings and linux.gidMappings");
	/* Overlapping ranges, on either side, are refused with both named. */
	EXPECT_ERROR(NULL, NULL,
		     "\"namespaces\":[{\"type\":\"user\"}],"
		     "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":100},"
		     "{\"containerID\":50,\"hostID\":200000,\"size\":100}]",
		     "linux.uidMappings[1]: containerID 50-149 overlaps linux.uidMappings[0] (0-99)");
	EXPECT_ERROR(NULL, NULL,
		     "\"namespaces\":[{\"type\":\"user\"}],"
		     "\"gidMappings\":[{\"containerID\":1000,\"hostID\":5,\"size\":1},"
		     "{\"containerID\":0,\"hostID\":1000,\"size\":1},"
		     "{\"containerID\":1,\"hostID\":0,\"size\":10}]",
		     "linux.gidMappings[2]: hostID 0-9 overlaps linux.gidMappings[0] (5-5)");
	EXPECT_ERROR(NULL, NULL,
		     "\"namespaces\":[{\"type\":\"user\"}],"
		     "\"uidMappings\":[{\"containerID\":10,\"hostID\":100000,\"size\":10},"
		     "{\"containerID\":0,\"hostID\":200000,\"size\":11}]",
		     "linux.uidMappings[1]: containerID 0-10 overlaps linux.uidMappings[0] (10-19)");
	/* Adjacent ranges touch but do not overlap. */
	{
		struct spec *spec = parse_config(
			NULL, NULL,
			"\"namespaces\":[{\"type\":\"user\"}],"
			"\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":10},"
			"{\"containerID\":10,\"hostID\":100010,\"size\":10}],"
			"\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]");
		UNIT_CHECK(spec != NULL);
		spec_free(spec);
	}
}

static void test_namespaces_and_names(void)
{
	struct spec *spec = parse_config(NULL, NULL,
		"\"namespaces\":[{\"type\":\"user\",\"path\":\"/proc/1/ns/user\"},{\"type\":\"time\"},"
		"{\"type\":\"cgroup\"},{\"type\":\"network\",\"path\":null}],"
		"\"timeOffsets\":{\"monotonic\":{\"secs\":-10,\"nanosecs\":5},\"boottime\":{\"secs\":99}}");

	UNIT_CHECK(spec != NULL);
	if (!spec)
		return;
	UNIT_CHECK_STR(spec->linux_.namespaces[SPEC_NS_USER].path, "/proc/1/ns/user");
	UNIT_CHECK(spec->linux_.namespaces[SPEC_NS_TIME].present);
	UNIT_CHECK(spec->linux_.namespaces[SPEC_NS_NETWORK].present);
	UNIT_CHECK(spec->linux_.namespaces[SPEC_NS_NETWORK].path == NULL);
	UNIT_CHECK(!spec->linux_.namespaces[SPEC_NS_PID].present);
	UNIT_CHECK(spec->linux_.time_monotonic.set && spec->linux_.time_monotonic.secs == -10);
	UNIT_CHECK(spec->linux_.time_monotonic.nanosecs == 5);
	UNIT_CHECK(spec->linux_.time_boottime.set && spec->linux_.time_boottime.secs == 99);
	spec_free(spec);

	UNIT_CHECK_STR(spec_ns_name(SPEC_NS_NETWORK), "network");
	UNIT_CHECK_STR(spec_ns_name(SPEC_NS_TIME), "time");
	UNIT_CHECK(spec_ns_clone_flag(SPEC_NS_PID) == CLONE_NEWPID);
	UNIT_CHECK(spec_ns_clone_flag(SPEC_NS_MOUNT) == CLONE_NEWNS);
	UNIT_CHECK(spec_ns_clone_flag(SPEC_NS_USER) == CLONE_NEWUSER);
	UNIT_CHECK_STR(spec_hook_kind_name(SPEC_HOOK_CREATE_RUNTIME), "createRuntime");
	UNIT_CHECK_STR(spec_hook_kind_name(SPEC_HOOK_POSTSTOP), "poststop");
}

static void test_linux_errors(void)
{
	EXPECT_ERROR(NULL, NULL, "\"personality\":{\"domain\":\"LINUX64\"}",
		     "linux.personality.domain: unknown personality domain \"LINUX64\"");
	EXPECT_ERROR(NULL, NULL, "\"rootfsPropagation\":\"sharedd\"",
		     "linux.rootfsPropagation: unknown propagation \"sharedd\"");
	EXPECT_ERROR(NULL, NULL, "\"devices\":[{\"type\":\"x\",\"path\":\"/dev/x\"}]",
		     "linux.devices[0].type: unknown device type \"x\" (want c, b, u or p)");
	EXPECT_ERROR(NULL, NULL, "\"devices\":[{\"type\":\"c\",\"path\":\"dev/x\",\"major\":1,\"minor\":3}]",
		     "linux.devices[0].path: \"dev/x\" is not an absolute path");
	EXPECT_ERROR(NULL, NULL, "\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"major\":1}]",
		     "linux.devices[0].minor: missing");
	EXPECT_ERROR(NULL, NULL, "\"sysctl\":{\"net.ipv4.ip_forward\":1}",
		     "linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string, got number");
	EXPECT_ERROR(NULL, NULL, "\"maskedPaths\":\"/proc\"",
		     "linux.maskedPaths: expected an array, got string");
	EXPECT_ERROR(NULL, NULL, "\"timeOffsets\":{\"realtime\":{\"secs\":1}}",
		     "linux.timeOffsets[\"realtime\"]: unknown clock (want monotonic or boottime)");
	EXPECT_ERROR(NULL, NULL, "\"resources\":{\"memory\":{\"limit\":\"1G\"}}",
		     "linux.resources.memory.limit: expected an integer, got string");
	EXPECT_ERROR(NULL, NULL, "\"resources\":{\"memory\":{\"limit\":9223372036854775808}}",
		     "linux.resources.memory.limit: 9223372036854775808 is out of range "
		     "(-1 to 9223372036854775807)");
	/* -1 is "no limit"; anything below is a mistake, not a limit. */
	EXPECT_ERROR(NULL, NULL, "\"resources\":{\"memory\":{\"swap\":-2}}",
		     "linux.resources.memory.swap: -2 is out of range (-1 to 9223372036854775807)");
	EXPECT_ERROR(NULL, NULL, "\"resources\":{\"pids\":{\"limit\":-3}}",
		     "linux.resources.pids.limit: -3 is out of range (-1 to 9223372036854775807)");
	EXPECT_ERROR(NULL, NULL, "\"resources\":{\"memory\":{\"swappiness\":101}}",
		     "linux.resources.memory.swappiness: 101 is out of range (max 100)");
	EXPECT_ERROR(NULL, NULL, "\"resources\":{\"cpu\":{\"idle\":2}}",
		     "linux.resources.cpu.idle: 2 is out of range (0 to 1)");
	EXPECT_ERROR(NULL, NULL, "\"resources\":{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":9}]}}",
		     "linux.resources.blockIO.weightDevice[0].weight: 9 is out of range (10 to 1000)");
	EXPECT_ERROR(NULL, NULL, "\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}",
		     "linux.resources.devices[0].access: invalid access \"rwx\" (want a subset of rwm)");
	EXPECT_ERROR(NULL, NULL, "\"resources\":{\"blockIO\":{\"weight\":70000}}",
		     "linux.resources.blockIO.weight: 70000 is out of range (max 1000)");
	EXPECT_ERROR(NULL, NULL,
		     "\"resources\":{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0}]}}",
		     "linux.resources.blockIO.throttleReadBpsDevice[0].rate: missing");
	EXPECT_ERROR(NULL, NULL, "\"resources\":{\"hugepageLimits\":[{\"pageSize\":\"2MB\"}]}",
		     "linux.resources.hugepageLimits[0].limit: missing");
	EXPECT_ERROR(NULL, NULL, "\"resources\":{\"rdma\":{\"mlx\":{\"hcaHandles\":-1}}}",
		     "linux.resources.rdma[\"mlx\"].hcaHandles: expected an unsigned integer, got -1");
}

static void test_linux_fields(void)
{
	struct spec *spec = parse_config(NULL, NULL,
		"\"devices\":[{\"type\":\"c\",\"path\":\"/dev/fuse\",\"major\":10,\"minor\":229,"
		"\"fileMode\":438,\"uid\":0,\"gid\":0},{\"type\":\"p\",\"path\":\"/dev/fifo\"}],"
		"\"cgroupsPath\":\"/berth/x\",\"rootfsPropagation\":\"rslave\","
		"\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},\"mountLabel\":\"m\","
		"\"personality\":{\"domain\":\"LINUX32\"},"
		"\"intelRdt\":{\"closID\":\"c\",\"l3CacheSchema\":\"L3:0=f\",\"enableMBM\":true},"
		"\"netDevices\":{\"eth1\":{\"name\":\"net0\"},\"eth2\":{}},"
		"\"resources\":{\"memory\":{\"limit\":9223372036854775807,\"swap\":-1,\"swappiness\":60,"
		"\"disableOOMKiller\":true},"
		"\"cpu\":{\"shares\":1024,\"quota\":-1,\"period\":100000,\"cpus\":\"0-1\",\"idle\":1},"
		"\"pids\":{\"limit\":-1},"
		"\"blockIO\":{\"weight\":500,\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":10}],"
		"\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":16,\"rate\":18446744073709551615}]},"
		"\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":18446744073709551615}],"
		"\"network\":{\"classID\":4,\"priorities\":[{\"name\":\"eth0\",\"priority\":5}]},"
		"\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3}},"
		"\"unified\":{\"memory.high\":\"max\"},"
		"\"devices\":[{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":-1,\"access\":\"rw\"}]}");
	const struct spec_linux *l;
	const struct spec_resources *r;

	UNIT_CHECK(spec != NULL);
	if (!spec)
		return;
	l = &spec->linux_;
	r = &l->resources;
	UNIT_CHECK(l->n_devices == 2 && l->devices[0].type == 'c' && l->devices[0].minor == 229);
	UNIT_CHECK(l->devices[0].file_mode.set && l->devices[0].file_mode.v == 0666);
	UNIT_CHECK(l->devices[1].type == 'p' && !l->devices[1].uid.set);
	UNIT_CHECK_STR(l->cgroups_path, "/berth/x");
	UNIT_CHECK(l->rootfs_propagation == (MS_SLAVE | MS_REC));
	UNIT_CHECK(l->n_sysctl == 1);
	UNIT_CHECK_STR(l->sysctl[0].key, "net.ipv4.ip_forward");
	UNIT_CHECK_STR(l->sysctl[0].value, "1");
	UNIT_CHECK(l->personality.set && l->personality.domain == PER_LINUX32);
	UNIT_CHECK(l->intel_rdt.set && l->intel_rdt.enable_mbm && !l->intel_rdt.enable_cmt);
	UNIT_CHECK_STR(l->intel_rdt.l3_cache_schema, "L3:0=f");
	UNIT_CHECK(l->n_net_devices == 2);
	UNIT_CHECK_STR(l->net_devices[0].value, "net0");
	UNIT_CHECK_STR(l->net_devices[1].value, "eth2");
	UNIT_CHECK(r->memory.limit.set && r->memory.limit.v == INT64_MAX);
	UNIT_CHECK(r->memory.swap.v == -1 && r->memory.swappiness.v == 60);
	UNIT_CHECK(r->memory.disable_oom_killer.set && r->memory.disable_oom_killer.v);
	UNIT_CHECK(!r->memory.use_hierarchy.set && !r->memory.reservation.set);
	UNIT_CHECK(r->cpu.shares.v == 1024 && r->cpu.quota.v == -1 && r->cpu.idle.v == 1);
	UNIT_CHECK_STR(r->cpu.cpus, "0-1");
	UNIT_CHECK(r->pids.limit.set && r->pids.limit.v == -1);
	UNIT_CHECK(r->block_io.weight.v == 500 && r->block_io.n_weight_devices == 1);
	UNIT_CHECK(r->block_io.weight_devices[0].weight.v == 10);
	UNIT_CHECK(r->block_io.n_throttle_write_iops == 1);
	UNIT_CHECK(r->block_io.throttle_write_iops[0].rate == UINT64_MAX);
	UNIT_CHECK(r->n_hugepage_limits == 1 && r->hugepage_limits[0].limit == UINT64_MAX);
	UNIT_CHECK(r->network.class_id.v == 4 && r->network.priorities[0].priority == 5);
	UNIT_CHECK(r->n_rdma == 1 && r->rdma[0].hca_handles.v == 3 && !r->rdma[0].hca_objects.set);
	UNIT_CHECK_STR(r->unified[0].value, "max");
	UNIT_CHECK(r->n_devices == 1 && r->devices[0].allow && r->devices[0].type == 'c');
	UNIT_CHECK(r->devices[0].major.set && !r->devices[0].minor.set);
	spec_free(spec);
}

static void test_seccomp(void)
{
	struct spec *spec = parse_config(NULL, NULL,
		"\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
		"\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_AARCH64\"],"
		"\"flags\":[\"SECCOMP_FILTER_FLAG_TSYNC\",\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],"
		"\"listenerPath\":\"/run/l.sock\",\"listenerMetadata\":\"md\","
		"\"syscalls\":[{\"names\":[\"read\",\"no_such_syscall\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,"
		"\"args\":[{\"index\":0,\"value\":18446744073709551615,\"valueTwo\":9223372036854775808,"
		"\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
		"{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"},"
		"{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":7},"
		"{\"names\":[\"bpf\"],\"action\":\"SCMP_ACT_NOTIFY\"},"
		"{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"}]}");
	const struct spec_seccomp *s;

	UNIT_CHECK(spec != NULL);
	if (!spec)
		return;
	s = &spec->linux_.seccomp;
	UNIT_CHECK(s->set);
	UNIT_CHECK(s->default_action == SCMP_ACT_ERRNO(38));
	UNIT_CHECK(s->n_architectures == 3 && s->architectures[0] == SCMP_ARCH_X86_64);
	UNIT_CHECK(s->architectures[1] == SCMP_ARCH_X86 && s->architectures[2] == SCMP_ARCH_AARCH64);
	UNIT_CHECK(s->flags == (1u | 32u));
	UNIT_CHECK_STR(s->listener_path, "/run/l.sock");
	UNIT_CHECK(s->n_rules == 6);
	UNIT_CHECK_STR(s->rules[0].names[1], "no_such_syscall");
	UNIT_CHECK(s->rules[0].action == SCMP_ACT_ALLOW);
	UNIT_CHECK(s->rules[1].action == SCMP_ACT_ERRNO(1));
	UNIT_CHECK(s->rules[1].n_args == 1 && s->rules[1].args[0].value == UINT64_MAX);
	UNIT_CHECK(s->rules[1].args[0].value_two == UINT64_C(9223372036854775808));
	UNIT_CHECK(s->rules[1].args[0].op == SCMP_CMP_MASKED_EQ);
	UNIT_CHECK(s->rules[2].action == SCMP_ACT_ERRNO(EPERM));
	UNIT_CHECK(s->rules[3].action == SCMP_ACT_TRACE(7));
	UNIT_CHECK(s->rules[4].action == SCMP_ACT_NOTIFY);
	UNIT_CHECK(s->rules[5].action == SCMP_ACT_KILL_PROCESS);
	UNIT_CHECK(s->needs_notify);
	spec_free(spec);

	spec = parse_config(NULL, NULL, "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
	UNIT_CHECK(spec && spec->linux_.seccomp.set && !spec->linux_.seccomp.needs_notify);
	UNIT_CHECK(spec && spec->linux_.seccomp.default_action == SCMP_ACT_ALLOW);
	UNIT_CHECK(spec && !spec->linux_.seccomp.supervised);
	spec_free(spec);

	/* Supervision without a profile makes one that allows the rest. */
	spec = parse_config(",\"annotations\":{\"run.berth.seccomp.supervise\":\"perf_event_open\"}", NULL, NULL);
	UNIT_CHECK(spec && spec->linux_.seccomp.set && spec->linux_.seccomp.needs_notify);
	UNIT_CHECK(spec && spec->linux_.seccomp.default_action == SCMP_ACT_ALLOW);
	UNIT_CHECK(spec && spec->linux_.seccomp.supervised == SECCOMP_SUPERVISE_PERF_EVENT_OPEN);
	spec_free(spec);
}

static void test_seccomp_errors(void)
{
	EXPECT_ERROR(NULL, NULL, "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_FOO\"}",
		     "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_FOO\"");
	EXPECT_ERROR(NULL, NULL, "\"seccomp\":{}", "linux.seccomp.defaultAction: missing");
	EXPECT_ERROR(NULL, NULL,
		     "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_Z80\"]}",
		     "linux.seccomp.architectures[0]: unknown seccomp architecture \"SCMP_ARCH_Z80\"");
	EXPECT_ERROR(NULL, NULL,
		     "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_X\"]}",
		     "linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_X\"");
	EXPECT_ERROR(NULL, NULL,
		     "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],"
		     "\"action\":\"SCMP_ACT_LOG\"},{\"names\":[\"b\"],\"action\":\"SCMP_ACT_ERRNO\","
		     "\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_XX\"}]}]}",
		     "linux.seccomp.syscalls[1].args[0].op: unknown seccomp operator \"SCMP_CMP_XX\"");
	EXPECT_ERROR(NULL, NULL,
		     "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"b\"],"
		     "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		     "linux.seccomp.syscalls[0].args[0].index: 6 is out of range (max 5)");
	EXPECT_ERROR(NULL, NULL,
		     "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"b\"],"
		     "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":18446744073709551616,"
		     "\"op\":\"SCMP_CMP_EQ\"}]}]}",
		     "linux.seccomp.syscalls[0].args[0].value: 18446744073709551616 is out of range "
		     "(max 18446744073709551615)");
	EXPECT_ERROR(NULL, NULL,
		     "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[],"
		     "\"action\":\"SCMP_ACT_ERRNO\"}]}",
		     "linux.seccomp.syscalls[0].names: must have at least one element");
	EXPECT_ERROR(NULL, NULL,
		     "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"x\"]}]}",
		     "linux.seccomp.syscalls[0].action: missing");
}

static void test_mount_decoding_in_spec(void)
{
	struct spec *spec = parse_config(
		",\"mounts\":[{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\","
		"\"options\":[\"rro\",\"rprivate\",\"nosuid\"],"
		"\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]},"
		"{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"options\":[\"mode=1777\",\"size=1g\",\"idmap\"]}]",
		NULL, NULL);

	UNIT_CHECK(spec != NULL);
	if (!spec)
		return;
	UNIT_CHECK(spec->mounts[0].bind && spec->mounts[0].recursive_attrs);
	UNIT_CHECK(spec->mounts[0].attr_set == MOUNT_ATTR_RDONLY);
	UNIT_CHECK(spec->mounts[0].propagation == (MS_PRIVATE | MS_REC));
	UNIT_CHECK(spec->mounts[0].flags == MS_NOSUID && spec->mounts[0].data == NULL);
	UNIT_CHECK(spec->mounts[0].n_uid_mappings == 1);
	UNIT_CHECK(spec->mounts[0].uid_mappings[0].host_id == 100000);
	UNIT_CHECK_STR(spec->mounts[1].data, "mode=1777,size=1g");
	UNIT_CHECK(spec->mounts[1].idmap && !spec->mounts[1].bind);
	spec_free(spec);
}

/* Errors deep inside each section, after earlier parts were allocated:
 * ASan's leak checker fails the run if spec_free misses anything. */
static void test_partial_free(void)
{
	EXPECT_ERROR(",\"mounts\":[{\"destination\":\"/a\",\"options\":[\"x=1\",\"ro\"]},"
		     "{\"destination\":\"/b\",\"options\":[\"y\",7]}]",
		     ",\"env\":[\"A=1\"],\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":2}]",
		     NULL, "mounts[1].options[1]: expected a string, got number");
	EXPECT_ERROR(",\"hostname\":\"h\",\"annotations\":{\"a\":\"b\"},"
		     "\"hooks\":{\"prestart\":[{\"path\":\"/a\",\"args\":[\"a\"],\"env\":[\"e\"]},"
		     "{\"path\":\"/b\",\"args\":[\"b\",false]}]}",
		     ",\"user\":{\"additionalGids\":[1,2]},\"selinuxLabel\":\"x\"", NULL,
		     "hooks.prestart[1].args[1]: expected a string, got boolean");
	EXPECT_ERROR(NULL, ",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":2},{\"type\":3}]",
		     NULL, "process.rlimits[1].type: expected a string, got number");
	EXPECT_ERROR(NULL, NULL,
		     "\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"}],"
		     "\"devices\":[{\"type\":\"c\",\"path\":\"/dev/a\",\"major\":1,\"minor\":1}],"
		     "\"sysctl\":{\"a\":\"b\"},\"maskedPaths\":[\"/a\"],\"cgroupsPath\":\"c\","
		     "\"netDevices\":{\"eth0\":{}},\"intelRdt\":{\"closID\":\"x\"},"
		     "\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"r\"}],\"cpu\":{\"cpus\":\"1\"},"
		     "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":1}],\"unified\":{\"a\":\"b\"},"
		     "\"rdma\":{\"m\":{}},\"network\":{\"priorities\":[{\"name\":\"e\",\"priority\":1}]}},"
		     "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/l\","
		     "\"architectures\":[\"SCMP_ARCH_X86\"],"
		     "\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":1,"
		     "\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]},{\"names\":[\"b\"],\"action\":\"SCMP_ACT_X\"}]}",
		     "linux.seccomp.syscalls[1].action: unknown seccomp action \"SCMP_ACT_X\"");
	EXPECT_ERROR(NULL, NULL,
		     "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		     "\"syscalls\":[{\"names\":[\"bpf\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
		     "linux.seccomp.listenerPath: must be set when an action is SCMP_ACT_NOTIFY");
	EXPECT_ERROR(",\"annotations\":{\"run.berth.seccomp.supervise\":\"perf_event_open,bpf\"}", NULL, NULL,
		     "annotations[\"run.berth.seccomp.supervise\"]: berth cannot supervise \"bpf\" "
		     "(it can: perf_event_open)");
	EXPECT_ERROR(",\"annotations\":{\"run.berth.seccomp.supervise\":\"\"}", NULL, NULL,
		     "annotations[\"run.berth.seccomp.supervise\"]: names no syscall");
	EXPECT_ERROR(NULL, NULL,
		     "\"resources\":{\"blockIO\":{\"weightDevice\":[{\"major\":1,\"minor\":2}],"
		     "\"throttleReadBpsDevice\":[{\"major\":1,\"minor\":2,\"rate\":3}]},"
		     "\"network\":{\"priorities\":[{\"name\":\"e\"}]}}",
		     "linux.resources.network.priorities[0].priority: missing");
	EXPECT_ERROR(NULL, NULL, "\"personality\":{\"domain\":\"LINUX\",\"flags\":[\"X\"]}",
		     "linux.personality.flags: unknown personality flag \"X\"");
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	UNIT_CHECK(fd >= 0);
	if (fd < 0)
		return;
	UNIT_CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

static void test_load_bundle(void)
{
	char dir[] = "/tmp/berth-test-spec-XXXXXX";
	char path[512], want[1024];
	struct berth_err err;
	struct spec *spec;
	char *json;

	UNIT_CHECK(mkdtemp(dir) != NULL);

	berth_err_clear(&err);
	UNIT_CHECK(spec_load_bundle(dir, &err) == NULL);
	snprintf(want, sizeof(want), "config.json: open \"%s/config.json\": no such file or directory", dir);
	UNIT_CHECK_STR(err.msg, want);
	UNIT_CHECK(err.errnum == ENOENT);

	json = spec_default_json(false, &err);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	write_file(path, json ? json : "");
	free(json);

	UNIT_CHECK(spec_load_bundle(dir, &err) == NULL);
	snprintf(want, sizeof(want),
		 "config.json: root.path: stat \"%s/rootfs\": no such file or directory", dir);
	UNIT_CHECK_STR(err.msg, want);

	snprintf(path, sizeof(path), "%s/rootfs", dir);
	write_file(path, "");
	UNIT_CHECK(spec_load_bundle(dir, &err) == NULL);
	snprintf(want, sizeof(want), "config.json: root.path: \"%s/rootfs\" is not a directory", dir);
	UNIT_CHECK_STR(err.msg, want);

	unlink(path);
	UNIT_CHECK(mkdir(path, 0755) == 0);
	spec = spec_load_bundle(dir, &err);
	UNIT_CHECK(spec != NULL);
	if (!spec)
		printf("# %s\n", err.msg);
	spec_free(spec);

	/* A trailing slash on the bundle must not double up in messages. */
	snprintf(path, sizeof(path), "%s/", dir);
	spec = spec_load_bundle(path, &err);
	UNIT_CHECK(spec != NULL);
	spec_free(spec);

	snprintf(path, sizeof(path), "%s/config.json", dir);
	write_file(path, "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[]}}");
	UNIT_CHECK(spec_load_bundle(dir, &err) == NULL);
	UNIT_CHECK_STR(err.msg, "config.json: process.args: must have at least one element");

	write_file(path, "{\"ociVersion\":\"1.0.0\",");
	UNIT_CHECK(spec_load_bundle(dir, &err) == NULL);
	UNIT_CHECK_STR(err.msg, "config.json: invalid JSON at line 1, column 23: parse error: premature EOF");

	unlink(path);
	snprintf(path, sizeof(path), "%s/rootfs", dir);
	rmdir(path);
	rmdir(dir);
}

static void test_null_means_absent(void)
{
	struct spec *spec = parse_config(",\"hostname\":null,\"hooks\":null", ",\"cwd\":null,\"env\":null",
					 "\"seccomp\":null,\"resources\":null");
	UNIT_CHECK(spec != NULL);
	if (!spec)
		return;
	UNIT_CHECK(spec->hostname == NULL && spec->process.env == NULL);
	UNIT_CHECK_STR(spec->process.cwd, "/");
	UNIT_CHECK(!spec->linux_.seccomp.set && !spec->linux_.has_resources);
	spec_free(spec);
}

int main(void)
{
	UNIT_RUN(test_default_spec_parses);
	UNIT_RUN(test_default_spec_rootless);
	UNIT_RUN(test_invalid_json);
	UNIT_RUN(test_oci_version);
	UNIT_RUN(test_top_level_errors);
	UNIT_RUN(test_process_errors);
	UNIT_RUN(test_process_fields);
	UNIT_RUN(test_namespace_errors);
	UNIT_RUN(test_namespaces_and_names);
	UNIT_RUN(test_linux_errors);
	UNIT_RUN(test_linux_fields);
	UNIT_RUN(test_seccomp);
	UNIT_RUN(test_seccomp_errors);
	UNIT_RUN(test_mount_decoding_in_spec);
	UNIT_RUN(test_partial_free);
	UNIT_RUN(test_load_bundle);
	UNIT_RUN(test_null_means_absent);
	UNIT_DONE();
}
