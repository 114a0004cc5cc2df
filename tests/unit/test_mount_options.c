/* Unit tests for mount option decoding (mount_options.c). */
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "mount_options.h"
#include "unit.h"

/* Decodes a NULL-terminated option list into a fresh mount. */
static struct spec_mount decode(const char *type, const char *const *opts)
{
	struct spec_mount m;
	struct berth_err err;

	memset(&m, 0, sizeof(m));
	m.type = (char *)type;
	m.options = (char **)opts;
	UNIT_CHECK(mount_options_decode(&m, &err) == 0);
	return m;
}

static void release(struct spec_mount *m)
{
	free(m->data);
}

static void test_flags(void)
{
	static const char *const opts[] = { "nosuid", "nodev", "noexec", "ro", "relatime",
					    "strictatime", "dirsync", "sync", "nodiratime",
					    "lazytime", "mand", "iversion", "silent", "defaults", NULL };
	struct spec_mount m = decode("tmpfs", opts);

	UNIT_CHECK(m.flags == (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY | MS_RELATIME |
			       MS_STRICTATIME | MS_DIRSYNC | MS_SYNCHRONOUS | MS_NODIRATIME |
			       MS_LAZYTIME | MS_MANDLOCK | MS_I_VERSION | MS_SILENT));
	UNIT_CHECK(m.clear_flags == 0);
	UNIT_CHECK(!m.bind && !m.recursive_attrs && !m.idmap && m.data == NULL);
	release(&m);
}

static void test_clearing_flags(void)
{
	static const char *const opts[] = { "ro", "nosuid", "nodev", "noexec", "noatime",
					    "rw", "suid", "dev", "exec", "atime", "async",
					    "loud", "nomand", "noiversion", "nolazytime",
					    "norelatime", "nostrictatime", "diratime", NULL };
	struct spec_mount m = decode(NULL, opts);

	UNIT_CHECK(m.flags == 0);
	UNIT_CHECK(m.clear_flags == (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
				     MS_SYNCHRONOUS | MS_SILENT | MS_MANDLOCK | MS_I_VERSION |
				     MS_LAZYTIME | MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME));
	release(&m);
}

static void test_later_option_wins(void)
{
	static const char *const rw_ro[] = { "rw", "ro", NULL };
	static const char *const ro_rw[] = { "ro", "rw", NULL };
	struct spec_mount a = decode(NULL, rw_ro), b = decode(NULL, ro_rw);

	UNIT_CHECK(a.flags == MS_RDONLY && a.clear_flags == 0);
	UNIT_CHECK(b.flags == 0 && b.clear_flags == MS_RDONLY);
	release(&a);
	release(&b);
}

static void test_bind(void)
{
	static const char *const bind[] = { "bind", NULL };
	static const char *const rbind[] = { "rbind", "remount", NULL };
	static const char *const none[] = { NULL };
	struct spec_mount a = decode("none", bind), b = decode(NULL, rbind), c = decode("bind", none);

	UNIT_CHECK(a.bind && a.flags == MS_BIND);
	UNIT_CHECK(b.bind && b.flags == (MS_BIND | MS_REC | MS_REMOUNT));
	UNIT_CHECK(c.bind && c.flags == 0);
	release(&a);
	release(&b);
	release(&c);
}

static void test_propagation(void)
{
	static const struct { const char *name; unsigned long flags; } cases[] = {
		{ "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
		{ "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
		{ "slave", MS_SLAVE }, { "rslave", MS_SLAVE | MS_REC },
		{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
	};
	unsigned long flags = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *opts[] = { "nosuid", cases[i].name, NULL };
		struct spec_mount m = decode(NULL, opts);
		UNIT_CHECK(m.propagation == cases[i].flags);
		UNIT_CHECK(m.flags == MS_NOSUID && m.data == NULL);
		release(&m);
	}
	UNIT_CHECK(mount_propagation_from_name("rshared", &flags) == 0);
	UNIT_CHECK(flags == (MS_SHARED | MS_REC));
	UNIT_CHECK(mount_propagation_from_name("ro", &flags) == -1);
}

static void test_recursive_attrs(void)
{
	static const char *const set[] = { "rro", "rnosuid", "rnodev", "rnoexec", "rnodiratime",
					   "rnoatime", NULL };
	static const char *const clr[] = { "rrw", "rsuid", "rdev", "rexec", "rdiratime", "ratime",
					   "rnorelatime", "rnostrictatime", NULL };
	static const char *const relatime[] = { "rstrictatime", "rrelatime", NULL };
	static const char *const ro_then_rw[] = { "rro", "rrw", NULL };
	struct spec_mount a = decode(NULL, set), b = decode(NULL, clr), c = decode(NULL, relatime);
	struct spec_mount d = decode(NULL, ro_then_rw);

	UNIT_CHECK(a.recursive_attrs && a.flags == 0);
	UNIT_CHECK(a.attr_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				  MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOATIME));
	/* An atime mode in attr_set needs the whole atime field cleared. */
	UNIT_CHECK(a.attr_clr == MOUNT_ATTR__ATIME);
	UNIT_CHECK(b.recursive_attrs && b.attr_set == 0);
	/* Clearing an atime mode selects relatime: the kernel takes only the
	 * whole atime field in attr_clr. */
	UNIT_CHECK(b.attr_clr == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				  MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR__ATIME));
	UNIT_CHECK(c.attr_set == MOUNT_ATTR_RELATIME);
	UNIT_CHECK(c.attr_clr == MOUNT_ATTR__ATIME);
	UNIT_CHECK(d.attr_set == 0 && d.attr_clr == MOUNT_ATTR_RDONLY);
	release(&a);
	release(&b);
	release(&c);
	release(&d);
}

/* A cleared atime mode goes back to relatime only if it was the one chosen. */
static void test_clearing_atime_mode(void)
{
	static const char *const noatime_atime[] = { "rnoatime", "ratime", NULL };
	static const char *const strict_atime[] = { "rstrictatime", "ratime", NULL };
	struct spec_mount a = decode(NULL, noatime_atime), b = decode(NULL, strict_atime);

	UNIT_CHECK(a.attr_set == MOUNT_ATTR_RELATIME && a.attr_clr == MOUNT_ATTR__ATIME);
	UNIT_CHECK(b.attr_set == MOUNT_ATTR_STRICTATIME && b.attr_clr == MOUNT_ATTR__ATIME);
	release(&a);
	release(&b);
}

/* Every name `berth features` lists is decoded, none passed on as data. */
static void test_every_listed_option_is_known(void)
{
	const char *name;
	size_t i;

	for (i = 0; (name = mount_option_name(i)); i++) {
		const char *opts[] = { "rbind", name, NULL };
		struct spec_mount m = decode(NULL, opts);

		if (m.data)
			printf("# option \"%s\" went to data \"%s\"\n", name, m.data);
		UNIT_CHECK(m.data == NULL);
		release(&m);
	}
	UNIT_CHECK(i > 50);
}

static void test_idmap(void)
{
	static const char *const idmap[] = { "idmap", NULL };
	static const char *const ridmap[] = { "rbind", "ridmap", NULL };
	struct spec_mount a = decode("bind", idmap), b = decode(NULL, ridmap);

	UNIT_CHECK(a.idmap && !a.recursive_attrs && a.data == NULL);
	UNIT_CHECK(b.idmap && b.recursive_attrs && b.bind);
	release(&a);
	release(&b);
}

static void test_data(void)
{
	static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
	static const char *const pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666",
					   "mode=0620", "gid=5", "", NULL };
	static const char *const one[] = { "lowerdir=/a:/b", NULL };
	struct spec_mount a = decode("tmpfs", dev), b = decode("devpts", pts), c = decode("overlay", one);

	UNIT_CHECK_STR(a.data, "mode=755,size=65536k");
	UNIT_CHECK(a.flags == (MS_NOSUID | MS_STRICTATIME));
	UNIT_CHECK_STR(b.data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	UNIT_CHECK_STR(c.data, "lowerdir=/a:/b");
	release(&a);
	release(&b);
	release(&c);
}

static void test_no_options(void)
{
	struct spec_mount m;
	struct berth_err err;

	memset(&m, 0, sizeof(m));
	UNIT_CHECK(mount_options_decode(&m, &err) == 0);
	UNIT_CHECK(m.flags == 0 && m.data == NULL && !m.bind);
}

int main(void)
{
	UNIT_RUN(test_flags);
	UNIT_RUN(test_clearing_flags);
	UNIT_RUN(test_later_option_wins);
	UNIT_RUN(test_bind);
	UNIT_RUN(test_propagation);
	UNIT_RUN(test_recursive_attrs);
	UNIT_RUN(test_clearing_atime_mode);
	UNIT_RUN(test_every_listed_option_is_known);
	UNIT_RUN(test_idmap);
	UNIT_RUN(test_data);
	UNIT_RUN(test_no_options);
	UNIT_DONE();
}
