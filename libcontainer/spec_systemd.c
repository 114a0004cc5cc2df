/* systemd's defaults (spec_systemd.h). What Podman's --systemd=true sets
 * up, done in the runtime so that any engine, or a hand-written config,
 * can boot systemd: it needs to know it is in a container, writable
 * tmpfs where it keeps runtime state, and a cgroup tree of its own. */
#include "spec_systemd.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mount_options.h"
#include "path_in_root.h"
#include "plan_build.h"
#include "spec_parse_internal.h"

#define CGROUP_MOUNT_POINT "/sys/fs/cgroup"

struct default_mount {
	const char *destination, *type;
	const char *const *options;    /* NULL-terminated */
};

/* /run and /tmp start with the image's files (tmpcopyup, as Podman does):
 * images ship directories there that their services expect. */
static const char *const run_options[] = { "nosuid", "nodev", "strictatime", "mode=755", "tmpcopyup", NULL };
/* Debian's and Ubuntu's /run/lock is world-writable (daemons not running
 * as root keep their lock files there), sticky like /tmp. */
static const char *const run_lock_options[] = { "nosuid", "nodev", "noexec", "strictatime", "mode=1777", NULL };
static const char *const tmp_options[] = { "nosuid", "nodev", "strictatime", "mode=1777", "tmpcopyup", NULL };
/* `berth spec`'s (runc's) cgroup mount: mount_cgroup makes systemd's own
 * hierarchies writable inside it, the v1 controllers stay read-only. */
static const char *const cgroup_options[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };

/* In this order: /run/lock goes inside the /run tmpfs. */
static const struct default_mount default_mounts[] = {
	{ "/run", "tmpfs", run_options },
	{ "/run/lock", "tmpfs", run_lock_options },
	{ "/tmp", "tmpfs", tmp_options },
	{ CGROUP_MOUNT_POINT, "cgroup", cgroup_options },
};

/* path_clean's spelling, so that "/run/" and "//run/." name the mount
 * point "/run" does; a path too long for out stays as written. */
static void clean_path(const char *path, char *out, size_t size)
{
	bool dotdot;

	if (path_clean(path, out, size, &dotdot) < 0)
		snprintf(out, size, "%s", path);
}

/* Is (clean) path dir itself, or below it? */
static bool path_within(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

static bool mount_configured(const struct spec *spec, const char *destination)
{
	char clean[PATH_MAX];

	for (size_t i = 0; i < spec->n_mounts; i++) {
		clean_path(spec->mounts[i].destination, clean, sizeof(clean));
		if (strcmp(clean, destination) == 0)
			return true;
	}
	return false;
}

/* Where a mount on destination goes: before the first mount below it,
 * which would be hidden if it came first; else at the end. */
static size_t insert_position(const struct spec *spec, const char *destination)
{
	char clean[PATH_MAX];

	for (size_t i = 0; i < spec->n_mounts; i++) {
		clean_path(spec->mounts[i].destination, clean, sizeof(clean));
		if (path_within(clean, destination))
			return i;
	}
	return spec->n_mounts;
}

static void free_mount_fields(struct spec_mount *m)
{
	free(m->destination);
	free(m->source);
	free(m->type);
	spec_free_strv(m->options);
	free(m->data);
	*m = (struct spec_mount){ 0 };
}

/* The mount as spec_parse would have made it from its JSON. */
static int make_mount(const struct default_mount *d, struct spec_mount *m, struct berth_err *err)
{
	size_t n = 0;

	*m = (struct spec_mount){ 0 };
	while (d->options[n])
		n++;
	m->destination = strdup(d->destination);
	m->source = strdup(d->type);
	m->type = strdup(d->type);
	m->options = calloc(n + 1, sizeof(char *));
	if (!m->destination || !m->source || !m->type || !m->options)
		goto oom;
	for (size_t i = 0; i < n; i++)
		if (!(m->options[i] = strdup(d->options[i])))
			goto oom;
	if (mount_options_decode(m, err) < 0) {
		free_mount_fields(m);
		return -1;
	}
	return 0;
oom:
	free_mount_fields(m);
	berth_err_set(err, ENOMEM, "mount on \"%s\"", d->destination);
	return -1;
}

static int add_mount(struct spec *spec, const struct default_mount *d, struct berth_err *err)
{
	size_t at = insert_position(spec, d->destination);
	struct spec_mount *mounts = realloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*mounts));
	struct spec_mount m;

	if (!mounts)
		return berth_err_set(err, ENOMEM, "mount on \"%s\"", d->destination);
	spec->mounts = mounts;
	if (make_mount(d, &m, err) < 0)
		return -1;
	memmove(&mounts[at + 1], &mounts[at], (spec->n_mounts - at) * sizeof(*mounts));
	mounts[at] = m;
	spec->n_mounts++;
	return 0;
}

static int add_container_env(struct spec_process *p, struct berth_err *err)
{
	size_t n = 0;
	char **env;

	for (; p->env && p->env[n]; n++)
		if (strncmp(p->env[n], "container=", 10) == 0)
			return 0;
	env = realloc(p->env, (n + 2) * sizeof(char *));
	if (!env)
		return berth_err_set(err, ENOMEM, "process.env");
	p->env = env;
	env[n] = strdup(SPEC_SYSTEMD_CONTAINER_ENV);
	env[n + 1] = NULL;
	return env[n] ? 0 : berth_err_set(err, ENOMEM, "process.env");
}

int spec_systemd_apply_defaults(struct spec *spec, struct berth_err *err)
{
	if (!plan_workload_is_systemd(spec))
		return 0;
	if (add_container_env(&spec->process, err) < 0)
		return berth_err_wrap(err, "systemd defaults");
	for (size_t i = 0; i < sizeof(default_mounts) / sizeof(default_mounts[0]); i++) {
		if (mount_configured(spec, default_mounts[i].destination))
			continue;
		if (add_mount(spec, &default_mounts[i], err) < 0)
			return berth_err_wrap(err, "systemd defaults");
	}
	/* A cgroup namespace makes the container's cgroup the root of the
	 * tree systemd sees and manages; a joined one is the config's choice. */
	spec->linux_.namespaces[SPEC_NS_CGROUP].present = true;
	return 0;
}
