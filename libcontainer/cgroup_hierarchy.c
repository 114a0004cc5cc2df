#include "cgroup_hierarchy.h"

#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>

#define MAX_HIERARCHIES 32

/* Filled on first use, kept for the life of the process. */
static struct {
	int is_v2; /* -1: not looked at yet */
	bool read;
	size_t n;
	struct cgroup_hierarchy h[MAX_HIERARCHIES];
} host = { .is_v2 = -1 };

int cgroup_host_is_v2(struct berth_err *err)
{
	struct statfs sfs;

	if (host.is_v2 < 0) {
		if (statfs(CGROUP_ROOT, &sfs) < 0)
			return berth_err_set(err, errno, "statfs " CGROUP_ROOT);
		host.is_v2 = sfs.f_type == CGROUP2_SUPER_MAGIC;
	}
	return host.is_v2;
}

/* Undoes mountinfo's octal escapes ("\040" for a space) in place. */
static void unescape_mountinfo(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*out++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* The options of a fresh mount: the super options minus rw/ro and
 * release_agent (which only the host's hierarchy owner should set). */
static void fresh_mount_options(const char *super, char *out, size_t size)
{
	char buf[512];
	size_t len = 0;

	snprintf(buf, sizeof(buf), "%s", super);
	out[0] = '\0';
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "rw") || !strcmp(t, "ro") || !strncmp(t, "release_agent=", 14))
			continue;
		len += (size_t)snprintf(out + len, size - len, "%s%s", len ? "," : "", t);
		if (len >= size)
			break;
	}
}

const char *cgroup_hierarchy_name(const struct cgroup_hierarchy *h)
{
	const char *slash = strrchr(h->mountpoint, '/');

	return slash ? slash + 1 : h->mountpoint;
}

/* Keeps one hierarchy: its three strings in one allocation. */
static int add_hierarchy(const char *mountpoint, const char *root, const char *options, bool v2,
			 struct berth_err *err)
{
	size_t mp_len = strlen(mountpoint) + 1, root_len = strlen(root) + 1, opts_len = strlen(options) + 1;
	char *text = malloc(mp_len + root_len + opts_len);

	if (!text)
		return berth_err_set(err, ENOMEM, "cgroup hierarchies");
	memcpy(text, mountpoint, mp_len);
	memcpy(text + mp_len, root, root_len);
	memcpy(text + mp_len + root_len, options, opts_len);
	host.h[host.n++] = (struct cgroup_hierarchy){ .mountpoint = text, .root = text + mp_len,
						      .options = text + mp_len + root_len, .v2 = v2 };
	return 0;
}

static void forget_hierarchies(void)
{
	for (size_t i = 0; i < host.n; i++)
		free((char *)host.h[i].mountpoint);
	host.n = 0;
}

static bool listed(const char *mountpoint)
{
	const char *name = strrchr(mountpoint, '/') + 1;

	for (size_t i = 0; i < host.n; i++)
		if (strcmp(cgroup_hierarchy_name(&host.h[i]), name) == 0)
			return true;
	return false;
}

static int read_hierarchies(struct berth_err *err)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	if (!f)
		return berth_err_set(err, errno, "open /proc/self/mountinfo");
	while (rc == 0 && getline(&line, &cap, f) > 0 && host.n < MAX_HIERARCHIES) {
		char root[4096], mp[4096], fstype[64], super[512], options[512];
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mp) != 2 ||
		    sscanf(sep + 3, "%63s %*s %511s", fstype, super) != 2)
			continue;
		if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
			continue;
		unescape_mountinfo(root);
		unescape_mountinfo(mp);
		/* Only the host's hierarchies, not ones under some rootfs. */
		if (strncmp(mp, CGROUP_ROOT "/", sizeof(CGROUP_ROOT)) != 0 || strchr(mp + sizeof(CGROUP_ROOT), '/') ||
		    listed(mp))
			continue;
		fresh_mount_options(super, options, sizeof(options));
		rc = add_hierarchy(mp, root, options, strcmp(fstype, "cgroup2") == 0, err);
	}
	free(line);
	fclose(f);
	if (rc < 0)
		forget_hierarchies();
	return rc;
}

int cgroup_host_hierarchies(const struct cgroup_hierarchy **h, size_t *n, struct berth_err *err)
{
	if (!host.read) {
		if (read_hierarchies(err) < 0)
			return -1;
		host.read = true;
	}
	*h = host.h;
	*n = host.n;
	return 0;
}

bool cgroup_hierarchy_has(const struct cgroup_hierarchy *h, const char *controller, size_t token_len)
{
	for (const char *p = h->options; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == token_len && strncmp(p, controller, len) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}
