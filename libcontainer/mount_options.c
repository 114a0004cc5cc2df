/* Mount option decoding (see mount_options.h). Tables follow runc's
 * libcontainer/specconv so a bundle mounts the same under both runtimes. */
#include "mount_options.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif

struct mount_flag_option {
	const char *name;
	bool clear;             /* the option removes the flag ("rw" clears MS_RDONLY) */
	unsigned long flag;
};

static const struct mount_flag_option mount_flag_options[] = {
	{ "async", true, MS_SYNCHRONOUS },
	{ "atime", true, MS_NOATIME },
	{ "bind", false, MS_BIND },
	{ "defaults", false, 0 },
	{ "dev", true, MS_NODEV },
	{ "diratime", true, MS_NODIRATIME },
	{ "dirsync", false, MS_DIRSYNC },
	{ "exec", true, MS_NOEXEC },
	{ "iversion", false, MS_I_VERSION },
	{ "lazytime", false, MS_LAZYTIME },
	{ "loud", true, MS_SILENT },
	{ "mand", false, MS_MANDLOCK },
	{ "noatime", false, MS_NOATIME },
	{ "nodev", false, MS_NODEV },
	{ "nodiratime", false, MS_NODIRATIME },
	{ "noexec", false, MS_NOEXEC },
	{ "noiversion", true, MS_I_VERSION },
	{ "nolazytime", true, MS_LAZYTIME },
	{ "nomand", true, MS_MANDLOCK },
	{ "norelatime", true, MS_RELATIME },
	{ "nostrictatime", true, MS_STRICTATIME },
	{ "nosuid", false, MS_NOSUID },
	{ "nosymfollow", false, MS_NOSYMFOLLOW },
	{ "rbind", false, MS_BIND | MS_REC },
	{ "relatime", false, MS_RELATIME },
	{ "remount", false, MS_REMOUNT },
	{ "ro", false, MS_RDONLY },
	{ "rw", true, MS_RDONLY },
	{ "silent", false, MS_SILENT },
	{ "strictatime", false, MS_STRICTATIME },
	{ "suid", true, MS_NOSUID },
	{ "symfollow", true, MS_NOSYMFOLLOW },
	{ "sync", false, MS_SYNCHRONOUS },
};

struct mount_propagation_option {
	const char *name;
	unsigned long flags;
};

static const struct mount_propagation_option mount_propagation_options[] = {
	{ "private", MS_PRIVATE },
	{ "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED },
	{ "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE },
	{ "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE },
	{ "runbindable", MS_UNBINDABLE | MS_REC },
};

/* Recursive attributes, applied with mount_setattr(AT_RECURSIVE). */
struct mount_attr_option {
	const char *name;
	bool clear;
	uint64_t attr;
};

static const struct mount_attr_option mount_attr_options[] = {
	{ "rro", false, MOUNT_ATTR_RDONLY },
	{ "rrw", true, MOUNT_ATTR_RDONLY },
	{ "rnosuid", false, MOUNT_ATTR_NOSUID },
	{ "rsuid", true, MOUNT_ATTR_NOSUID },
	{ "rnodev", false, MOUNT_ATTR_NODEV },
	{ "rdev", true, MOUNT_ATTR_NODEV },
	{ "rnoexec", false, MOUNT_ATTR_NOEXEC },
	{ "rexec", true, MOUNT_ATTR_NOEXEC },
	{ "rnodiratime", false, MOUNT_ATTR_NODIRATIME },
	{ "rdiratime", true, MOUNT_ATTR_NODIRATIME },
	{ "rrelatime", false, MOUNT_ATTR_RELATIME },
	{ "rnorelatime", true, MOUNT_ATTR_RELATIME },
	{ "rnoatime", false, MOUNT_ATTR_NOATIME },
	{ "ratime", true, MOUNT_ATTR_NOATIME },
	{ "rstrictatime", false, MOUNT_ATTR_STRICTATIME },
	{ "rnostrictatime", true, MOUNT_ATTR_STRICTATIME },
	{ "rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW },
	{ "rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW },
};

/* Idmapped bind mounts (mount_idmap.c); "ridmap" maps submounts too. */
static const char *const mount_idmap_options[] = { "idmap", "ridmap" };

/* runc's extension: a tmpfs starts with a copy of what it covers
 * (mount_copyup.c). Podman asks for it on /run and /tmp. */
#define MOUNT_OPTION_TMPCOPYUP "tmpcopyup"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

const char *mount_option_name(size_t i)
{
	if (i < ARRAY_LEN(mount_flag_options))
		return mount_flag_options[i].name;
	i -= ARRAY_LEN(mount_flag_options);
	if (i < ARRAY_LEN(mount_propagation_options))
		return mount_propagation_options[i].name;
	i -= ARRAY_LEN(mount_propagation_options);
	if (i < ARRAY_LEN(mount_attr_options))
		return mount_attr_options[i].name;
	i -= ARRAY_LEN(mount_attr_options);
	if (i < ARRAY_LEN(mount_idmap_options))
		return mount_idmap_options[i];
	return i == ARRAY_LEN(mount_idmap_options) ? MOUNT_OPTION_TMPCOPYUP : NULL;
}

static bool mount_is_idmap_option(const char *opt)
{
	for (size_t i = 0; i < ARRAY_LEN(mount_idmap_options); i++)
		if (strcmp(opt, mount_idmap_options[i]) == 0)
			return true;
	return false;
}

int mount_propagation_from_name(const char *name, unsigned long *out)
{
	for (size_t i = 0; i < ARRAY_LEN(mount_propagation_options); i++) {
		if (strcmp(name, mount_propagation_options[i].name) == 0) {
			*out = mount_propagation_options[i].flags;
			return 0;
		}
	}
	return -1;
}

static bool mount_apply_flag_option(struct spec_mount *m, const char *opt)
{
	for (size_t i = 0; i < ARRAY_LEN(mount_flag_options); i++) {
		const struct mount_flag_option *o = &mount_flag_options[i];
		if (strcmp(opt, o->name) != 0)
			continue;
		if (o->clear) {
			m->flags &= ~o->flag;
			m->clear_flags |= o->flag;
		} else {
			m->flags |= o->flag;
			m->clear_flags &= ~o->flag;
		}
		if (o->flag & MS_BIND)
			m->bind = true;
		return true;
	}
	return false;
}

static bool mount_apply_attr_option(struct spec_mount *m, const char *opt)
{
	for (size_t i = 0; i < ARRAY_LEN(mount_attr_options); i++) {
		const struct mount_attr_option *o = &mount_attr_options[i];
		if (strcmp(opt, o->name) != 0)
			continue;
		if (o->clear && o->attr != MOUNT_ATTR_RELATIME && (o->attr & MOUNT_ATTR__ATIME) == o->attr) {
			/* "ratime", "rnostrictatime": the kernel refuses part of
			 * the atime field in attr_clr (EINVAL), so clearing a mode
			 * selects relatime, the default, unless an earlier option
			 * chose another mode. */
			if (!(m->attr_clr & MOUNT_ATTR__ATIME) || (m->attr_set & MOUNT_ATTR__ATIME) == o->attr)
				m->attr_set &= ~(uint64_t)MOUNT_ATTR__ATIME;
			m->attr_clr |= MOUNT_ATTR__ATIME;
		} else if (o->clear) {
			m->attr_clr |= o->attr;
			m->attr_set &= ~o->attr;
		} else if ((o->attr & MOUNT_ATTR__ATIME) == o->attr) {
			/* The atime modes are one field, not bits: the last
			 * one wins, and mount_setattr(2) wants the whole field
			 * in attr_clr when one is set. */
			m->attr_set = (m->attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | o->attr;
			m->attr_clr |= MOUNT_ATTR__ATIME;
		} else {
			m->attr_set |= o->attr;
			m->attr_clr &= ~o->attr;
		}
		m->recursive_attrs = true;
		return true;
	}
	return false;
}

/* Appends opt to the comma-separated data string. */
static int mount_append_data(struct spec_mount *m, const char *opt, struct berth_err *err)
{
	size_t old = m->data ? strlen(m->data) : 0;
	size_t add = strlen(opt);
	char *data = realloc(m->data, old + add + 2);

	if (!data)
		return berth_err_set(err, ENOMEM, "mount option \"%s\"", opt);
	if (old)
		data[old++] = ',';
	memcpy(data + old, opt, add + 1);
	m->data = data;
	return 0;
}

int mount_options_decode(struct spec_mount *m, struct berth_err *err)
{
	if (m->type && strcmp(m->type, "bind") == 0)
		m->bind = true;
	for (char **p = m->options; p && *p; p++) {
		const char *opt = *p;
		unsigned long propagation;

		if (!*opt)
			continue;
		if (mount_apply_flag_option(m, opt) || mount_apply_attr_option(m, opt))
			continue;
		if (mount_propagation_from_name(opt, &propagation) == 0) {
			m->propagation = propagation;
			continue;
		}
		if (strcmp(opt, MOUNT_OPTION_TMPCOPYUP) == 0) {
			m->tmpcopyup = true;
			continue;
		}
		if (mount_is_idmap_option(opt)) {
			m->idmap = true;
			if (opt[0] == 'r')
				m->recursive_attrs = true;
			continue;
		}
		if (mount_append_data(m, opt, err) < 0)
			return -1;
	}
	return 0;
}

uint64_t mount_attr_from_ms_flags(unsigned long flags)
{
	uint64_t attr = 0;

	attr |= (flags & MS_RDONLY) ? MOUNT_ATTR_RDONLY : 0;
	attr |= (flags & MS_NOSUID) ? MOUNT_ATTR_NOSUID : 0;
	attr |= (flags & MS_NODEV) ? MOUNT_ATTR_NODEV : 0;
	attr |= (flags & MS_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0;
	attr |= (flags & MS_NODIRATIME) ? MOUNT_ATTR_NODIRATIME : 0;
	attr |= (flags & MS_NOSYMFOLLOW) ? MOUNT_ATTR_NOSYMFOLLOW : 0;
	/* One atime mode; relatime is the field's zero value. */
	if (flags & MS_NOATIME)
		attr |= MOUNT_ATTR_NOATIME;
	else if (flags & MS_STRICTATIME)
		attr |= MOUNT_ATTR_STRICTATIME;
	return attr;
}

bool mount_option_to_attr(const char *opt, uint64_t *set, uint64_t *clr, bool *recursive)
{
	const unsigned long atime_flags = MS_NOATIME | MS_STRICTATIME | MS_RELATIME;
	struct spec_mount m = { 0 };

	if (mount_apply_attr_option(&m, opt)) {
		*recursive = true;
	} else if (mount_apply_flag_option(&m, opt)) {
		bool atime = (m.flags | m.clear_flags) & atime_flags;
		m.attr_set = mount_attr_from_ms_flags(m.flags);
		m.attr_clr = mount_attr_from_ms_flags(m.clear_flags & ~atime_flags);
		if (!m.attr_set && !m.attr_clr && !atime)
			return false; /* "bind", "sync", "remount"...: not an attribute */
		if (atime)
			m.attr_clr |= MOUNT_ATTR__ATIME;
	} else {
		return false;
	}
	/* Later options win; an atime mode replaces the whole field. */
	*set = (*set & ~m.attr_clr) | m.attr_set;
	*clr = (*clr & ~m.attr_set) | m.attr_clr;
	if (m.attr_clr & MOUNT_ATTR__ATIME)
		*clr |= MOUNT_ATTR__ATIME;
	return true;
}
