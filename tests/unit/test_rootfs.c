/* Unit tests for the rootfs code (rootfs.c, path_in_root.c, mount_apply.c,
 * mount_cgroup.c, devices.c, rootfs_finalize.c). Needs root: each scenario
 * forks, unshares mount/pid/net/ipc(/cgroup) namespaces, forks again to be
 * PID 1 there, builds a busybox rootfs with a hand-filled spec shaped like
 * `runc spec`'s, and checks from inside; results come back over a pipe. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "path_in_root.h"
#include "rootfs.h"
#include "spec.h"
#include "unit.h"

struct scenario {
	bool no_pivot;
	bool new_cgroupns;
	bool userns;    /* mknod refused, mounts locked: the fallbacks */
	bool console;   /* bind a pty slave on /dev/console */
	/* userns: the host's modes of the nodes bound in, taken beforehand
	 * (a host's udev rules decide them, not berth). */
	mode_t host_null_mode, host_zero_mode, host_urandom_mode, host_tty_mode, host_fuse_mode;
	unsigned long rootfs_propagation;
};

static char tmp_dir[PATH_MAX], rootfs_dir[PATH_MAX], bind_src[PATH_MAX];
static char probe_name[64]; /* created through rootfs/evil -> /etc; never on the host */
static int result_fd = -1;

#define FMT_PATH(buf, ...)                                                        \
	do {                                                                      \
		if ((size_t)snprintf(buf, sizeof(buf), __VA_ARGS__) >= sizeof(buf)) \
			abort();                                                  \
	} while (0)

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

static void path_join(char *out, const char *a, const char *b)
{
	if (snprintf(out, PATH_MAX, "%s/%s", a, b) >= PATH_MAX)
		abort();
}

static void must(int rc, const char *what)
{
	if (rc < 0) {
		perror(what);
		abort();
	}
}

/* A busybox rootfs plus the traps: symlinks out of it, a file where a
 * directory is expected, directories to mask and make read-only. */
static void build_rootfs(void)
{
	char p[PATH_MAX];

	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/berth-rootfs-XXXXXX");
	if (!mkdtemp(tmp_dir))
		abort();
	snprintf(probe_name, sizeof(probe_name), "berth-probe-%d", (int)getpid());
	path_join(rootfs_dir, tmp_dir, "rootfs");
	path_join(bind_src, tmp_dir, "bindsrc");
	must(mkdir(rootfs_dir, 0755), "mkdir rootfs");
	must(mkdir(bind_src, 0755), "mkdir bindsrc");
	path_join(p, bind_src, "file");
	write_file(p, "hello\n");
	path_join(p, rootfs_dir, "bin");
	must(mkdir(p, 0755), "mkdir bin");
	{
		char cmd[PATH_MAX + 64];

		snprintf(cmd, sizeof(cmd), "cp /bin/busybox '%s/bin/busybox'", rootfs_dir);
		if (system(cmd) != 0)
			abort();
	}
	path_join(p, rootfs_dir, "bin/sh");
	must(symlink("busybox", p), "symlink sh");
	path_join(p, rootfs_dir, "evil");
	must(symlink("/etc", p), "symlink evil");
	path_join(p, rootfs_dir, "evil2");
	must(symlink("../../../../../../tmp", p), "symlink evil2");
	path_join(p, rootfs_dir, "masked_dir");
	must(mkdir(p, 0755), "mkdir masked_dir");
	path_join(p, rootfs_dir, "masked_dir/secret");
	write_file(p, "secret\n");
	path_join(p, rootfs_dir, "masked_file");
	write_file(p, "secret\n");
	path_join(p, rootfs_dir, "ro_dir");
	must(mkdir(p, 0755), "mkdir ro_dir");
	path_join(p, rootfs_dir, "ro_dir/file");
	write_file(p, "data\n");
	path_join(p, rootfs_dir, "a_file");
	write_file(p, "x\n");
}

static void cleanup_rootfs(void)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp_dir);
}

static int count_mountinfo_lines(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int n = 0, c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* ---- inside the container: report failures as lines on result_fd ---- */

static void report(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(bool ok, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (ok)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(result_fd, line, (size_t)n) < 0)
		_exit(3);
}

/* The mountinfo line whose mount point is mp (the last one: on top). */
/* fstype: 64 bytes, opts: 512, root: PATH_MAX */
static bool find_mount(const char *mp, char *fstype, char *opts, char *root)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], m[PATH_MAX], r[PATH_MAX], o[512], t[64];
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s %511s", r, m, o) != 3 ||
		    sscanf(sep + 3, "%63s", t) != 1 || strcmp(m, mp) != 0)
			continue;
		memcpy(fstype, t, sizeof(t));
		memcpy(opts, o, sizeof(o));
		memcpy(root, r, sizeof(r));
		found = true;
	}
	fclose(f);
	return found;
}

static bool has_opt(const char *opts, const char *opt)
{
	size_t len = strlen(opt);

	for (const char *p = opts; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, opt, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

static void expect_mount(const char *mp, const char *fstype, const char *opt)
{
	char t[64], o[512], r[PATH_MAX];

	if (!find_mount(mp, t, o, r)) {
		report(false, "no mount on %s", mp);
		return;
	}
	report(!fstype || strcmp(t, fstype) == 0, "%s: fstype %s, want %s", mp, t, fstype ? fstype : "");
	report(!opt || has_opt(o, opt), "%s: options %s lack %s", mp, o, opt);
}

static void expect_errno(int rc, int want, const char *what)
{
	report(rc < 0 && errno == want, "%s: rc %d errno %d (%s), want errno %d", what, rc, errno,
	       strerror(errno), want);
}

static void expect_link(const char *path, const char *want)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0) {
		report(false, "readlink %s: %s", path, strerror(errno));
		return;
	}
	buf[n] = '\0';
	report(strcmp(buf, want) == 0, "%s -> %s, want %s", path, buf, want);
}

static mode_t host_mode(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_mode & 07777 : 0;
}

static void expect_chr(const char *path, unsigned int major, unsigned int minor, mode_t mode)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		report(false, "stat %s: %s", path, strerror(errno));
		return;
	}
	report(S_ISCHR(st.st_mode) && major(st.st_rdev) == major && minor(st.st_rdev) == minor,
	       "%s is not char %u:%u", path, major, minor);
	report((st.st_mode & 07777) == mode, "%s mode %o, want %o", path, st.st_mode & 07777, mode);
}

static void check_inside(const struct scenario *sc, dev_t console_rdev)
{
	bool new_cgroupns = sc->new_cgroupns;
	char p[PATH_MAX], buf[64], t[64], o[512], r[PATH_MAX];
	struct stat st;
	int fd;

	report(getpid() == 1, "pid %d, want 1", (int)getpid());
	report(getcwd(p, sizeof(p)) && strcmp(p, "/") == 0, "cwd is not /");
	report(stat("/bin/busybox", &st) == 0, "no /bin/busybox in the new root");
	expect_mount("/", "ext4", "ro");
	expect_mount("/proc", "proc", NULL);
	expect_mount("/dev", "tmpfs", "nosuid");
	expect_mount("/dev/pts", "devpts", "noexec");
	expect_mount("/dev/shm", "tmpfs", "nodev");
	expect_mount("/dev/mqueue", "mqueue", "nosuid");
	expect_mount("/sys", "sysfs", "ro");
	if (sc->userns) {
		/* nosuid,nodev,noexec were locked on the source: kept by the ro remount. */
		expect_mount("/mnt/locked", "tmpfs", "ro");
		expect_mount("/mnt/locked", "tmpfs", "nosuid");
		expect_mount("/mnt/locked", "tmpfs", "noexec");
	}
	expect_mount("/sys/fs/cgroup", "tmpfs", "ro");
	expect_mount("/sys/fs/cgroup/cpu", "cgroup", "ro");
	expect_mount("/sys/fs/cgroup/systemd", "cgroup", "ro");
	expect_mount("/sys/fs/cgroup/unified", "cgroup2", "ro");
	/* With a cgroup namespace the container's cgroup is the root. */
	if (find_mount("/sys/fs/cgroup/memory", t, o, r))
		report(!new_cgroupns || strcmp(r, "/") == 0, "memory cgroup mount root %s", r);
	else
		report(false, "no mount on /sys/fs/cgroup/memory");
	/* Mounts through symlinks pointing out of the rootfs stayed in it. */
	FMT_PATH(p, "/etc/%s", probe_name);
	expect_mount(p, "tmpfs", NULL);
	FMT_PATH(p, "/tmp/%s", probe_name);
	expect_mount(p, "ext4", "ro");
	fd = open(p, O_RDONLY | O_CLOEXEC);
	report(fd >= 0 && read(fd, buf, sizeof(buf)) == 6 && memcmp(buf, "hello\n", 6) == 0,
	       "bound file %s does not read hello", p);
	if (fd >= 0)
		close(fd);
	expect_errno(open(p, O_WRONLY | O_CLOEXEC), EROFS, "write bound ro file");
	expect_errno(mkdir("/mnt/rdir/sub", 0755), EROFS, "mkdir in rro bind");
	/* /dev */
	expect_chr("/dev/null", 1, 3, sc->userns ? sc->host_null_mode : 0666);
	expect_chr("/dev/zero", 1, 5, sc->userns ? sc->host_zero_mode : 0666);
	expect_chr("/dev/urandom", 1, 9, sc->userns ? sc->host_urandom_mode : 0666);
	expect_chr("/dev/tty", 5, 0, sc->userns ? sc->host_tty_mode : 0666);
	if (sc->userns) {
		/* Bound from the host, whose node keeps its own mode and owner. */
		expect_chr("/dev/fuse", 10, 229, sc->host_fuse_mode);
		expect_mount("/dev/fuse", "devtmpfs", NULL);
		expect_mount("/dev/null", "devtmpfs", NULL);
	} else {
		expect_chr("/dev/fuse", 10, 229, 0640);
		report(stat("/dev/fuse", &st) == 0 && st.st_uid == 1 && st.st_gid == 2, "/dev/fuse owner");
	}
	if (sc->console)
		report(stat("/dev/console", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == console_rdev,
		       "/dev/console is not the pty slave");
	expect_link("/dev/ptmx", "pts/ptmx");
	expect_link("/dev/fd", "/proc/self/fd");
	expect_link("/dev/stdin", "/proc/self/fd/0");
	expect_link("/dev/stderr", "/proc/self/fd/2");
	expect_link("/dev/core", "/proc/kcore");
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	report(fd >= 0 && write(fd, "x", 1) == 1, "write /dev/null");
	if (fd >= 0)
		close(fd);
	/* masked and read-only paths, read-only root */
	fd = open("/proc/keys", O_RDONLY | O_CLOEXEC);
	report(fd >= 0 && read(fd, buf, sizeof(buf)) == 0, "masked /proc/keys is not empty");
	if (fd >= 0)
		close(fd);
	fd = open("/masked_file", O_RDONLY | O_CLOEXEC);
	report(fd >= 0 && read(fd, buf, sizeof(buf)) == 0, "masked /masked_file is not empty");
	if (fd >= 0)
		close(fd);
	expect_errno(stat("/masked_dir/secret", &st), ENOENT, "masked dir content");
	expect_errno(mkdir("/masked_dir/x", 0755), EROFS, "mkdir in masked dir");
	expect_errno(mkdir("/proc/acpi/x", 0755), EROFS, "mkdir in masked /proc/acpi");
	expect_errno(open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC), EROFS, "write /proc/sys");
	expect_errno(open("/ro_dir/file", O_WRONLY | O_CLOEXEC), EROFS, "write /ro_dir/file");
	expect_errno(mkdir("/newdir", 0755), EROFS, "mkdir in read-only root");
	fd = open("/dev/shm/x", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	report(fd >= 0, "create in /dev/shm: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* ---- the hand-made spec, like `runc spec` plus the traps ---- */

#define MNT(dst, typ, src, fl, dat) { .destination = (dst), .type = (typ), .source = (src), .flags = (fl), .data = (dat) }


static void fill_spec(struct spec *spec, struct spec_mount *mounts, size_t *n, struct spec_device *dev,
		      const struct scenario *sc)
{
	static char etc_probe[128], tmp_probe[128], file_src[PATH_MAX + 8];
	static char *masked[] = { "/proc/kcore", "/proc/keys", "/proc/acpi", "/proc/does-not-exist", "/masked_dir", "/masked_file",
				  "/no/such/dir", NULL };
	static char *readonly[] = { "/proc/sys", "/proc/sysrq-trigger", "/ro_dir", "/missing", NULL };
	size_t i = 0;

	snprintf(etc_probe, sizeof(etc_probe), "/evil/%s", probe_name);
	snprintf(tmp_probe, sizeof(tmp_probe), "/evil2/%s", probe_name);
	snprintf(file_src, sizeof(file_src), "%s/file", bind_src);
	memset(spec, 0, sizeof(*spec));
	mounts[i++] = (struct spec_mount)MNT("/proc", "proc", "proc", 0, NULL);
	mounts[i++] = (struct spec_mount)MNT("/dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
	/* gid 5 is not mapped in the test's user namespace */
	mounts[i++] = (struct spec_mount)MNT("/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
					     sc->userns ? "newinstance,ptmxmode=0666,mode=0620"
							: "newinstance,ptmxmode=0666,mode=0620,gid=5");
	mounts[i++] = (struct spec_mount)MNT("/dev/shm", "tmpfs", "shm", MS_NOSUID | MS_NOEXEC | MS_NODEV,
					     "mode=1777,size=65536k");
	mounts[i++] = (struct spec_mount)MNT("/dev/mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
	mounts[i++] = (struct spec_mount)MNT("/sys", "sysfs", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL);
	mounts[i++] = (struct spec_mount)MNT("/sys/fs/cgroup", "cgroup", "cgroup",
					     MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY, NULL);
	mounts[i++] = (struct spec_mount)MNT(etc_probe, "tmpfs", "tmpfs", 0, NULL);
	mounts[i] = (struct spec_mount)MNT(tmp_probe, "bind", file_src, MS_BIND | MS_RDONLY, NULL);
	mounts[i++].bind = true;
	mounts[i] = (struct spec_mount)MNT("/mnt/rdir", NULL, bind_src, MS_BIND | MS_REC, NULL);
	mounts[i].bind = true;
	mounts[i].recursive_attrs = true;
	mounts[i].propagation = MS_PRIVATE | MS_REC;
	mounts[i++].attr_set = MOUNT_ATTR_RDONLY;
	if (sc->userns) {
		static char locked_src[PATH_MAX + 8];

		snprintf(locked_src, sizeof(locked_src), "%s/locked", tmp_dir);
		mounts[i] = (struct spec_mount)MNT("/mnt/locked", "bind", locked_src, MS_BIND | MS_RDONLY, NULL);
		mounts[i++].bind = true;
	}
	*n = i;
	spec->mounts = mounts;
	spec->n_mounts = i;
	spec->root_readonly = true;
	for (int t = 0; t < SPEC_NS_COUNT; t++)
		spec->linux_.namespaces[t].present = t != SPEC_NS_USER && t != SPEC_NS_TIME &&
						     (t != SPEC_NS_CGROUP || sc->new_cgroupns);
	spec->linux_.namespaces[SPEC_NS_USER].present = sc->userns;
	spec->linux_.namespaces[SPEC_NS_NETWORK].present = !sc->userns;
	*dev = (struct spec_device){ .type = 'c', .path = "/dev/fuse", .major = 10, .minor = 229,
				     .file_mode = { true, 0640 }, .uid = { true, 1 }, .gid = { true, 2 } };
	spec->linux_.devices = dev;
	spec->linux_.n_devices = 1;
	spec->linux_.masked_paths = masked;
	spec->linux_.readonly_paths = readonly;
	spec->linux_.rootfs_propagation = sc->rootfs_propagation;
}

/* PID 1 of the new pid namespace. */
static int run_container(const struct scenario *sc)
{
	struct spec_mount mounts[16];
	struct spec_device dev;
	struct berth_err err = { 0 };
	struct spec spec;
	struct stat st = { 0 };
	size_t n;

	fill_spec(&spec, mounts, &n, &dev, sc);
	if (rootfs_prepare(&spec, rootfs_dir, &err) < 0) {
		report(false, "rootfs_prepare: %s", err.msg);
		return 1;
	}
	if (sc->console) {
		int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), slave = -1;

		if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
		    (slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 || fstat(slave, &st) < 0) {
			report(false, "open pty: %s", strerror(errno));
			return 1;
		}
		if (rootfs_mount_console(rootfs_dir, slave, &err) < 0) {
			report(false, "rootfs_mount_console: %s", err.msg);
			return 1;
		}
	}
	if (rootfs_finalize(&spec, rootfs_dir, sc->no_pivot, &err) < 0) {
		report(false, "rootfs_finalize: %s", err.msg);
		return 1;
	}
	check_inside(sc, st.st_rdev);
	return 0;
}

/* Forks into new namespaces, runs fn as PID 1 there; returns what the
 * container reported (malloc'd, "" when all went well) or NULL. */
/* A user namespace mapping only root (to root): enough to make the kernel
 * refuse mknod and lock the flags of inherited mounts. */
static int enter_userns(void)
{
	static const char *const files[][2] = { { "/proc/self/setgroups", "deny" },
						{ "/proc/self/uid_map", "0 0 1" },
						{ "/proc/self/gid_map", "0 0 1" } };

	if (unshare(CLONE_NEWUSER) < 0)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		int fd = open(files[i][0], O_WRONLY | O_CLOEXEC);
		ssize_t len = (ssize_t)strlen(files[i][1]);

		if (fd < 0 || write(fd, files[i][1], (size_t)len) != len) {
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/* Mounts a nosuid,nodev,noexec tmpfs on <tmp>/locked in a private mount
 * namespace; entering a user namespace then locks those flags. */
static int lock_a_mount(void)
{
	char p[PATH_MAX];

	FMT_PATH(p, "%s/locked", tmp_dir);
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		return -1;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL) < 0)
		return -1;
	return mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

static char *in_container(int (*fn)(const void *), const void *arg, int extra_flags)
{
	int fds[2], status;
	char *out = NULL;
	size_t len = 0;
	FILE *mem;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return NULL;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return NULL;
	if (pid == 0) {
		pid_t init;

		close(fds[0]);
		result_fd = fds[1];
		if ((extra_flags & CLONE_NEWUSER) && (lock_a_mount() < 0 || enter_userns() < 0)) {
			report(false, "enter user namespace: %s", strerror(errno));
			_exit(1);
		}
		if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | (extra_flags & ~CLONE_NEWUSER)) < 0) {
			report(false, "unshare: %s", strerror(errno));
			_exit(1);
		}
		init = fork();
		if (init == 0)
			_exit(fn(arg));
		if (init < 0 || waitpid(init, &status, 0) != init) {
			report(false, "fork/wait pid 1: %s", strerror(errno));
			_exit(1);
		}
		if (!WIFEXITED(status))
			report(false, "pid 1 died: status %#x", status);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 2);
	}
	close(fds[1]);
	mem = open_memstream(&out, &len);
	if (mem) {
		char buf[4096];
		ssize_t r;

		while ((r = read(fds[0], buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)r, mem);
		fclose(mem);
	}
	close(fds[0]);
	waitpid(pid, &status, 0);
	return out;
}

static int run_container_cb(const void *arg)
{
	return run_container(arg);
}

static void expect_clean_report(char *out)
{
	UNIT_CHECK(out != NULL);
	if (out && *out) {
		for (char *save = NULL, *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			printf("# inside: %s\n", l);
		unit_current_failed = 1;
	}
	free(out);
}

static void expect_host_untouched(int mounts_before)
{
	char p[PATH_MAX];
	struct stat st;

	FMT_PATH(p, "/etc/%s", probe_name);
	UNIT_CHECK(lstat(p, &st) < 0 && errno == ENOENT);
	FMT_PATH(p, "/tmp/%s", probe_name);
	UNIT_CHECK(lstat(p, &st) < 0 && errno == ENOENT);
	FMT_PATH(p, "%s/etc/%s", rootfs_dir, probe_name);
	UNIT_CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
	FMT_PATH(p, "%s/tmp/%s", rootfs_dir, probe_name);
	UNIT_CHECK(stat(p, &st) == 0 && S_ISREG(st.st_mode));
	UNIT_CHECK(count_mountinfo_lines() == mounts_before);
}

static void test_rootfs_pivot_root(void)
{
	struct scenario sc = { .no_pivot = false, .new_cgroupns = true, .console = true };
	int before = count_mountinfo_lines();

	expect_clean_report(in_container(run_container_cb, &sc, CLONE_NEWNET | CLONE_NEWCGROUP));
	expect_host_untouched(before);
}

static void test_rootfs_no_pivot_shared_host_cgroupns(void)
{
	struct scenario sc = { .no_pivot = true, .rootfs_propagation = MS_SHARED | MS_REC };
	int before = count_mountinfo_lines();

	expect_clean_report(in_container(run_container_cb, &sc, CLONE_NEWNET));
	expect_host_untouched(before);
}

/* User namespace, no network namespace: /dev nodes bound from the host,
 * /sys bound from the host, locked flags kept on remounts. */
static void test_rootfs_userns_fallbacks(void)
{
	struct scenario sc = { .new_cgroupns = true, .userns = true };
	int before = count_mountinfo_lines();
	struct stat fuse_before, fuse_after;

	sc.host_null_mode = host_mode("/dev/null");
	sc.host_zero_mode = host_mode("/dev/zero");
	sc.host_urandom_mode = host_mode("/dev/urandom");
	sc.host_tty_mode = host_mode("/dev/tty");
	sc.host_fuse_mode = host_mode("/dev/fuse");
	UNIT_CHECK(stat("/dev/fuse", &fuse_before) == 0);
	expect_clean_report(in_container(run_container_cb, &sc, CLONE_NEWUSER | CLONE_NEWCGROUP));
	expect_host_untouched(before);
	UNIT_CHECK(stat("/dev/fuse", &fuse_after) == 0);
	UNIT_CHECK(fuse_after.st_mode == fuse_before.st_mode && fuse_after.st_uid == fuse_before.st_uid &&
		   fuse_after.st_gid == fuse_before.st_gid);
}

/* One bad mount: prepare must fail with exactly this message. */
struct bad_mount {
	struct spec_mount m;
	const char *want;
};

static int run_bad_mount(const void *arg)
{
	const struct bad_mount *b = arg;
	struct berth_err err = { 0 };
	struct spec_mount mounts[2] = { MNT("/proc", "proc", "proc", 0, NULL), b->m };
	struct spec spec;

	memset(&spec, 0, sizeof(spec));
	spec.mounts = mounts;
	spec.n_mounts = 2;
	if (rootfs_prepare(&spec, rootfs_dir, &err) == 0)
		report(false, "prepare succeeded, want %s", b->want);
	else
		report(strcmp(err.msg, b->want) == 0, "error \"%s\", want \"%s\"", err.msg, b->want);
	return 0;
}

static void test_rootfs_mount_errors(void)
{
	struct bad_mount cases[] = {
		{ MNT("/x", "tmpfs", "tmpfs", 0, NULL), "mounts[1]: idmap mount was not prepared by stage 0" },
		{ MNT("/a_file/sub", "tmpfs", "tmpfs", 0, NULL),
		  "mounts[1]: mkdir \"/a_file/sub\" in rootfs: not a directory" },
		{ MNT("/x", "nosuchfs", "none", 0, NULL), "mounts[1]: mount \"none\" on \"/x\": no such device" },
		{ MNT("/y", "bind", "/nonexistent-berth", MS_BIND, NULL),
		  "mounts[1]: stat bind source \"/nonexistent-berth\": no such file or directory" },
	};
	int before = count_mountinfo_lines();

	cases[0].m.idmap = true;
	cases[3].m.bind = true;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_clean_report(in_container(run_bad_mount, &cases[i], 0));
	UNIT_CHECK(count_mountinfo_lines() == before);
}

/* path_clean: one spelling per path; ".." kept and reported. */
static void test_path_clean(void)
{
	char out[16];
	bool dotdot;

	UNIT_CHECK(path_clean("//run/./lock/", out, sizeof(out), &dotdot) == 0);
	UNIT_CHECK_STR(out, "/run/lock");
	UNIT_CHECK(!dotdot);
	UNIT_CHECK(path_clean("", out, sizeof(out), &dotdot) == 0);
	UNIT_CHECK_STR(out, "/");
	UNIT_CHECK(path_clean("/a/../etc", out, sizeof(out), &dotdot) == 0);
	UNIT_CHECK_STR(out, "/a/../etc");
	UNIT_CHECK(dotdot);
	UNIT_CHECK(path_clean("/..x/y", out, sizeof(out), &dotdot) == 0 && !dotdot);
	UNIT_CHECK(path_clean("/a-very-long-path-name", out, sizeof(out), &dotdot) < 0);
}

/* path_in_root on its own: no namespaces or mounts needed. */
static void test_path_in_root_confinement(void)
{
	char root[PATH_MAX] = "/tmp/berth-pir-XXXXXX", p[PATH_MAX], host[PATH_MAX];
	struct berth_err err = { 0 };
	struct stat st;
	int root_fd, fd;

	if (!mkdtemp(root))
		abort();
	path_join(p, root, "evil");
	must(symlink("/etc", p), "symlink");
	path_join(p, root, "up");
	must(symlink("../../../../../../../etc", p), "symlink");
	path_join(p, root, "loop");
	must(symlink("loop", p), "symlink");
	path_join(p, root, "file");
	write_file(p, "x");
	root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	UNIT_CHECK(root_fd >= 0);

	/* An absolute symlink is followed inside the root: creates root/etc/<probe>. */
	FMT_PATH(p, "/evil/%s/deeper", probe_name);
	fd = path_in_root_mkdir_all(root_fd, p, 0755, &err);
	UNIT_CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	FMT_PATH(host, "/etc/%s", probe_name);
	UNIT_CHECK(lstat(host, &st) < 0 && errno == ENOENT);
	FMT_PATH(p, "%s/etc/%s/deeper", root, probe_name);
	UNIT_CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));

	/* ".." clamps at the root; a file target is created as a file. */
	FMT_PATH(p, "/up/%s-file", probe_name);
	fd = path_in_root_create_target(root_fd, p, false, &err);
	UNIT_CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	FMT_PATH(host, "/etc/%s-file", probe_name);
	UNIT_CHECK(lstat(host, &st) < 0 && errno == ENOENT);
	FMT_PATH(p, "%s/etc/%s-file", root, probe_name);
	UNIT_CHECK(stat(p, &st) == 0 && S_ISREG(st.st_mode));

	/* The host's /etc/passwd is not reachable. */
	UNIT_CHECK(path_in_root_open(root_fd, "/../../etc/passwd", O_RDONLY, &err) < 0);
	UNIT_CHECK(err.errnum == ENOENT);
	UNIT_CHECK_STR(err.msg, "open \"/../../etc/passwd\" in rootfs: no such file or directory");

	UNIT_CHECK(path_in_root_mkdir_all(root_fd, "/file/sub", 0755, &err) < 0);
	UNIT_CHECK_STR(err.msg, "mkdir \"/file/sub\" in rootfs: not a directory");
	UNIT_CHECK(path_in_root_mkdir_all(root_fd, "/loop/sub", 0755, &err) < 0);
	UNIT_CHECK(err.errnum == ELOOP);

	/* "/" is the root itself. */
	fd = path_in_root_mkdir_all(root_fd, "/", 0755, &err);
	UNIT_CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	close(root_fd);
	{
		char cmd[PATH_MAX + 32];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", root);
	}
}

int main(void)
{
	if (geteuid() != 0) {
		printf("ok 1 # skip not root\n1..1\n");
		return 0;
	}
	build_rootfs();
	UNIT_RUN(test_path_clean);
	UNIT_RUN(test_path_in_root_confinement);
	UNIT_RUN(test_rootfs_pivot_root);
	cleanup_rootfs();
	build_rootfs();
	UNIT_RUN(test_rootfs_no_pivot_shared_host_cgroupns);
	UNIT_RUN(test_rootfs_mount_errors);
	cleanup_rootfs();
	build_rootfs();
	UNIT_RUN(test_rootfs_userns_fallbacks);
	cleanup_rootfs();
	UNIT_DONE();
}
