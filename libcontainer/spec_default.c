/* The default spec (see spec_default.h), generated with yajl_gen
 * (json_util.h's jsonw) so the quoting is always right. */
#include "spec_default.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json_util.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const default_caps[] = {
	"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL,
};

static void gen_process(struct jsonw *gen)
{
	static const char *const args[] = { "sh", NULL };
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL,
	};
	static const char *const cap_sets[] = { "bounding", "effective", "permitted", "ambient" };

	jsonw_str(gen, "process");
	jsonw_map_open(gen);
	jsonw_str(gen, "terminal");
	jsonw_bool(gen, true);
	jsonw_str(gen, "user");
	jsonw_map_open(gen);
	jsonw_str(gen, "uid");
	jsonw_int(gen, 0);
	jsonw_str(gen, "gid");
	jsonw_int(gen, 0);
	jsonw_map_close(gen);
	jsonw_strv(gen, "args", args);
	jsonw_strv(gen, "env", env);
	jsonw_str(gen, "cwd");
	jsonw_str(gen, "/");
	jsonw_str(gen, "capabilities");
	jsonw_map_open(gen);
	for (size_t i = 0; i < ARRAY_LEN(cap_sets); i++)
		jsonw_strv(gen, cap_sets[i], default_caps);
	jsonw_map_close(gen);
	jsonw_str(gen, "rlimits");
	jsonw_array_open(gen);
	jsonw_map_open(gen);
	jsonw_str(gen, "type");
	jsonw_str(gen, "RLIMIT_NOFILE");
	jsonw_str(gen, "hard");
	jsonw_int(gen, 1024);
	jsonw_str(gen, "soft");
	jsonw_int(gen, 1024);
	jsonw_map_close(gen);
	jsonw_array_close(gen);
	jsonw_str(gen, "noNewPrivileges");
	jsonw_bool(gen, true);
	jsonw_map_close(gen);
}

struct default_mount {
	const char *destination, *type, *source;
	const char *options[8];     /* NULL-terminated; empty: no "options" key */
};

static void gen_mounts(struct jsonw *gen, bool rootless)
{
	static const struct default_mount mounts[] = {
		{ "/proc", "proc", "proc", { NULL } },
		{ "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k", NULL } },
		{ "/dev/pts", "devpts", "devpts",
		  { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL } },
		{ "/dev/shm", "tmpfs", "shm",
		  { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL } },
		{ "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev", NULL } },
		{ "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro", NULL } },
		{ "/sys/fs/cgroup", "cgroup", "cgroup",
		  { "nosuid", "noexec", "nodev", "relatime", "ro", NULL } },
	};
	/* Without root, gid 5 may be unmapped and sysfs cannot be mounted in
	 * a user namespace that does not own the network namespace. */
	static const struct default_mount rootless_devpts = {
		"/dev/pts", "devpts", "devpts",
		{ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL },
	};
	static const struct default_mount rootless_sys = {
		"/sys", "none", "/sys", { "rbind", "nosuid", "noexec", "nodev", "ro", NULL },
	};

	jsonw_str(gen, "mounts");
	jsonw_array_open(gen);
	for (size_t i = 0; i < ARRAY_LEN(mounts); i++) {
		const struct default_mount *m = &mounts[i];
		if (rootless && strcmp(m->destination, "/dev/pts") == 0)
			m = &rootless_devpts;
		else if (rootless && strcmp(m->destination, "/sys") == 0)
			m = &rootless_sys;
		jsonw_map_open(gen);
		jsonw_str(gen, "destination");
		jsonw_str(gen, m->destination);
		jsonw_str(gen, "type");
		jsonw_str(gen, m->type);
		jsonw_str(gen, "source");
		jsonw_str(gen, m->source);
		if (m->options[0])
			jsonw_strv(gen, "options", m->options);
		jsonw_map_close(gen);
	}
	jsonw_array_close(gen);
}

static void gen_id_mapping(struct jsonw *gen, const char *key, unsigned int host_id)
{
	jsonw_str(gen, key);
	jsonw_array_open(gen);
	jsonw_map_open(gen);
	jsonw_str(gen, "containerID");
	jsonw_int(gen, 0);
	jsonw_str(gen, "hostID");
	jsonw_int(gen, host_id);
	jsonw_str(gen, "size");
	jsonw_int(gen, 1);
	jsonw_map_close(gen);
	jsonw_array_close(gen);
}

static void gen_linux(struct jsonw *gen, bool rootless)
{
	static const char *const namespaces[] = { "pid", "network", "ipc", "uts", "mount" };
	static const char *const masked[] = {
		"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
		"/proc/scsi", NULL,
	};
	static const char *const readonly[] = {
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
	};

	jsonw_str(gen, "linux");
	jsonw_map_open(gen);
	if (rootless) {
		gen_id_mapping(gen, "uidMappings", geteuid());
		gen_id_mapping(gen, "gidMappings", getegid());
	} else {
		/* Deny every device; runc's default device rules are added on top. */
		jsonw_str(gen, "resources");
		jsonw_map_open(gen);
		jsonw_str(gen, "devices");
		jsonw_array_open(gen);
		jsonw_map_open(gen);
		jsonw_str(gen, "allow");
		jsonw_bool(gen, false);
		jsonw_str(gen, "access");
		jsonw_str(gen, "rwm");
		jsonw_map_close(gen);
		jsonw_array_close(gen);
		jsonw_map_close(gen);
	}
	jsonw_str(gen, "namespaces");
	jsonw_array_open(gen);
	for (size_t i = 0; i < ARRAY_LEN(namespaces); i++) {
		/* A user namespace cannot create network devices that reach out. */
		if (rootless && strcmp(namespaces[i], "network") == 0)
			continue;
		jsonw_map_open(gen);
		jsonw_str(gen, "type");
		jsonw_str(gen, namespaces[i]);
		jsonw_map_close(gen);
	}
	if (rootless) {
		jsonw_map_open(gen);
		jsonw_str(gen, "type");
		jsonw_str(gen, "user");
		jsonw_map_close(gen);
	}
	jsonw_array_close(gen);
	jsonw_strv(gen, "maskedPaths", masked);
	jsonw_strv(gen, "readonlyPaths", readonly);
	jsonw_map_close(gen);
}

char *spec_default_json(bool rootless, struct berth_err *err)
{
	struct jsonw gen;
	char *out;
	size_t len;

	if (jsonw_init(&gen, "\t", err) < 0)
		return NULL;
	jsonw_map_open(&gen);
	jsonw_str(&gen, "ociVersion");
	jsonw_str(&gen, "1.2.0");
	gen_process(&gen);
	jsonw_str(&gen, "root");
	jsonw_map_open(&gen);
	jsonw_str(&gen, "path");
	jsonw_str(&gen, "rootfs");
	jsonw_str(&gen, "readonly");
	jsonw_bool(&gen, true);
	jsonw_map_close(&gen);
	jsonw_str(&gen, "hostname");
	jsonw_str(&gen, "berth");
	gen_mounts(&gen, rootless);
	gen_linux(&gen, rootless);
	jsonw_map_close(&gen);

	out = jsonw_finish(&gen, "default spec", err);
	/* runc writes the file without a final newline. */
	for (len = out ? strlen(out) : 0; len && out[len - 1] == '\n'; len--)
		out[len - 1] = '\0';
	return out;
}
