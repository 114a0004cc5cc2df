/* The default spec (see spec_default.h), generated with yajl_gen so the
 * quoting is always right. */
#include "spec_default.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* yajl_gen calls return a status; the first failure is kept and checked
 * once at the end instead of after every call. */
struct gen {
	yajl_gen g;
	yajl_gen_status status;
};

static void gen_check(struct gen *gen, yajl_gen_status st)
{
	if (gen->status == yajl_gen_status_ok)
		gen->status = st;
}

static void gen_str(struct gen *gen, const char *s)
{
	gen_check(gen, yajl_gen_string(gen->g, (const unsigned char *)s, strlen(s)));
}

static void gen_int(struct gen *gen, long long n)
{
	gen_check(gen, yajl_gen_integer(gen->g, n));
}

static void gen_bool(struct gen *gen, bool b)
{
	gen_check(gen, yajl_gen_bool(gen->g, b));
}

static void gen_open_map(struct gen *gen)
{
	gen_check(gen, yajl_gen_map_open(gen->g));
}

static void gen_close_map(struct gen *gen)
{
	gen_check(gen, yajl_gen_map_close(gen->g));
}

static void gen_open_array(struct gen *gen)
{
	gen_check(gen, yajl_gen_array_open(gen->g));
}

static void gen_close_array(struct gen *gen)
{
	gen_check(gen, yajl_gen_array_close(gen->g));
}

/* "key": [ strings... ] for a NULL-terminated list. */
static void gen_strv(struct gen *gen, const char *key, const char *const *v)
{
	gen_str(gen, key);
	gen_open_array(gen);
	for (; *v; v++)
		gen_str(gen, *v);
	gen_close_array(gen);
}

static const char *const default_caps[] = {
	"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL,
};

static void gen_process(struct gen *gen)
{
	static const char *const args[] = { "sh", NULL };
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL,
	};
	static const char *const cap_sets[] = { "bounding", "effective", "permitted", "ambient" };

	gen_str(gen, "process");
	gen_open_map(gen);
	gen_str(gen, "terminal");
	gen_bool(gen, true);
	gen_str(gen, "user");
	gen_open_map(gen);
	gen_str(gen, "uid");
	gen_int(gen, 0);
	gen_str(gen, "gid");
	gen_int(gen, 0);
	gen_close_map(gen);
	gen_strv(gen, "args", args);
	gen_strv(gen, "env", env);
	gen_str(gen, "cwd");
	gen_str(gen, "/");
	gen_str(gen, "capabilities");
	gen_open_map(gen);
	for (size_t i = 0; i < ARRAY_LEN(cap_sets); i++)
		gen_strv(gen, cap_sets[i], default_caps);
	gen_close_map(gen);
	gen_str(gen, "rlimits");
	gen_open_array(gen);
	gen_open_map(gen);
	gen_str(gen, "type");
	gen_str(gen, "RLIMIT_NOFILE");
	gen_str(gen, "hard");
	gen_int(gen, 1024);
	gen_str(gen, "soft");
	gen_int(gen, 1024);
	gen_close_map(gen);
	gen_close_array(gen);
	gen_str(gen, "noNewPrivileges");
	gen_bool(gen, true);
	gen_close_map(gen);
}

struct default_mount {
	const char *destination, *type, *source;
	const char *options[8];     /* NULL-terminated; empty: no "options" key */
};

static void gen_mounts(struct gen *gen, bool rootless)
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

	gen_str(gen, "mounts");
	gen_open_array(gen);
	for (size_t i = 0; i < ARRAY_LEN(mounts); i++) {
		const struct default_mount *m = &mounts[i];
		if (rootless && strcmp(m->destination, "/dev/pts") == 0)
			m = &rootless_devpts;
		else if (rootless && strcmp(m->destination, "/sys") == 0)
			m = &rootless_sys;
		gen_open_map(gen);
		gen_str(gen, "destination");
		gen_str(gen, m->destination);
		gen_str(gen, "type");
		gen_str(gen, m->type);
		gen_str(gen, "source");
		gen_str(gen, m->source);
		if (m->options[0])
			gen_strv(gen, "options", m->options);
		gen_close_map(gen);
	}
	gen_close_array(gen);
}

static void gen_id_mapping(struct gen *gen, const char *key, unsigned int host_id)
{
	gen_str(gen, key);
	gen_open_array(gen);
	gen_open_map(gen);
	gen_str(gen, "containerID");
	gen_int(gen, 0);
	gen_str(gen, "hostID");
	gen_int(gen, host_id);
	gen_str(gen, "size");
	gen_int(gen, 1);
	gen_close_map(gen);
	gen_close_array(gen);
}

static void gen_linux(struct gen *gen, bool rootless)
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

	gen_str(gen, "linux");
	gen_open_map(gen);
	if (rootless) {
		gen_id_mapping(gen, "uidMappings", geteuid());
		gen_id_mapping(gen, "gidMappings", getegid());
	} else {
		/* Deny every device; runc's default device rules are added on top. */
		gen_str(gen, "resources");
		gen_open_map(gen);
		gen_str(gen, "devices");
		gen_open_array(gen);
		gen_open_map(gen);
		gen_str(gen, "allow");
		gen_bool(gen, false);
		gen_str(gen, "access");
		gen_str(gen, "rwm");
		gen_close_map(gen);
		gen_close_array(gen);
		gen_close_map(gen);
	}
	gen_str(gen, "namespaces");
	gen_open_array(gen);
	for (size_t i = 0; i < ARRAY_LEN(namespaces); i++) {
		/* A user namespace cannot create network devices that reach out. */
		if (rootless && strcmp(namespaces[i], "network") == 0)
			continue;
		gen_open_map(gen);
		gen_str(gen, "type");
		gen_str(gen, namespaces[i]);
		gen_close_map(gen);
	}
	if (rootless) {
		gen_open_map(gen);
		gen_str(gen, "type");
		gen_str(gen, "user");
		gen_close_map(gen);
	}
	gen_close_array(gen);
	gen_strv(gen, "maskedPaths", masked);
	gen_strv(gen, "readonlyPaths", readonly);
	gen_close_map(gen);
}

char *spec_default_json(bool rootless, struct berth_err *err)
{
	const unsigned char *buf;
	struct gen gen = { .status = yajl_gen_status_ok };
	char *out = NULL;
	size_t len;

	gen.g = yajl_gen_alloc(NULL);
	if (!gen.g) {
		berth_err_set(err, ENOMEM, "default spec");
		return NULL;
	}
	yajl_gen_config(gen.g, yajl_gen_beautify, 1);
	yajl_gen_config(gen.g, yajl_gen_indent_string, "\t");

	gen_open_map(&gen);
	gen_str(&gen, "ociVersion");
	gen_str(&gen, "1.2.0");
	gen_process(&gen);
	gen_str(&gen, "root");
	gen_open_map(&gen);
	gen_str(&gen, "path");
	gen_str(&gen, "rootfs");
	gen_str(&gen, "readonly");
	gen_bool(&gen, true);
	gen_close_map(&gen);
	gen_str(&gen, "hostname");
	gen_str(&gen, "berth");
	gen_mounts(&gen, rootless);
	gen_linux(&gen, rootless);
	gen_close_map(&gen);

	if (gen.status != yajl_gen_status_ok) {
		berth_err_set(err, 0, "default spec: generating JSON failed (yajl status %d)",
			      (int)gen.status);
	} else if (yajl_gen_get_buf(gen.g, &buf, &len) != yajl_gen_status_ok) {
		berth_err_set(err, 0, "default spec: yajl_gen_get_buf failed");
	} else {
		/* runc writes the file without a final newline. */
		while (len && buf[len - 1] == '\n')
			len--;
		out = strndup((const char *)buf, len);
		if (!out)
			berth_err_set(err, ENOMEM, "default spec");
	}
	yajl_gen_free(gen.g);
	return out;
}
