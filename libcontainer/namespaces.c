#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int ns_plan_prepare(const struct spec *spec, struct ns_plan *ns, struct berth_err *err)
{
	const struct spec_namespace *nss = spec->linux_.namespaces;
	bool join_user = nss[SPEC_NS_USER].present && nss[SPEC_NS_USER].path;

	memset(ns, 0, sizeof(*ns));
	ns->host_pid_ns_fd = -1;
	for (int t = 0; t < SPEC_NS_COUNT; t++)
		ns->join_fds[t] = -1;
	for (int t = 0; t < SPEC_NS_COUNT; t++) {
		int flag = spec_ns_clone_flag((enum spec_ns_type)t);
		if (!nss[t].present)
			continue;
		if (nss[t].path) {
			ns->join_fds[t] = open(nss[t].path, O_RDONLY | O_CLOEXEC);
			if (ns->join_fds[t] < 0) {
				berth_err_set(err, errno, "linux.namespaces: open %s namespace \"%s\"",
					      spec_ns_name((enum spec_ns_type)t), nss[t].path);
				ns_plan_close(ns);
				return -1;
			}
			continue;
		}
		/* cgroup: after stage 0 moved the child into its cgroup; time:
		 * offsets must be written before any process is inside. New
		 * namespaces must belong to a joined user namespace, so with
		 * one they are all unshared after the join; a new pid
		 * namespace then takes in only stage 1's child, which goes on
		 * as stage 1 (stage1.c). */
		if (t == SPEC_NS_CGROUP || t == SPEC_NS_TIME || join_user)
			ns->unshare_flags |= flag;
		else
			ns->clone_flags |= (unsigned long)flag;
	}
	return 0;
}

void ns_plan_close(struct ns_plan *ns)
{
	for (int t = 0; t < SPEC_NS_COUNT; t++) {
		if (ns->join_fds[t] >= 0)
			close(ns->join_fds[t]);
		ns->join_fds[t] = -1;
	}
	if (ns->host_pid_ns_fd >= 0)
		close(ns->host_pid_ns_fd);
	ns->host_pid_ns_fd = -1;
}

int ns_enter_pid_for_children(struct ns_plan *ns, struct berth_err *err)
{
	if (ns->join_fds[SPEC_NS_PID] < 0)
		return 0;
	ns->host_pid_ns_fd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (ns->host_pid_ns_fd < 0)
		return berth_err_set(err, errno, "open /proc/self/ns/pid");
	if (setns(ns->join_fds[SPEC_NS_PID], CLONE_NEWPID) < 0)
		return berth_err_set(err, errno, "join pid namespace");
	return 0;
}

int ns_leave_pid_for_children(struct ns_plan *ns, struct berth_err *err)
{
	if (ns->host_pid_ns_fd < 0)
		return 0;
	if (setns(ns->host_pid_ns_fd, CLONE_NEWPID) < 0)
		return berth_err_set(err, errno, "return to berth's pid namespace");
	close(ns->host_pid_ns_fd);
	ns->host_pid_ns_fd = -1;
	return 0;
}

int ns_write_proc_file(pid_t pid, const char *file, const char *text, struct berth_err *err)
{
	char path[64];
	size_t len = strlen(text);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_err_set(err, errno, "open %s", path);
	/* One write: the kernel takes a map whole or not at all. */
	n = write(fd, text, len);
	if (n != (ssize_t)len) {
		int e = n < 0 ? errno : EIO;
		close(fd);
		return berth_err_set(err, e, "write %s", path);
	}
	if (close(fd) < 0)
		return berth_err_set(err, errno, "write %s", path);
	return 0;
}

int ns_write_map(pid_t pid, const char *file, const struct spec_id_mapping *maps, size_t n, struct berth_err *err)
{
	char buf[4096];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n", maps[i].container_id,
					maps[i].host_id, maps[i].size);
	if (len >= sizeof(buf))
		return berth_err_msg(err, E2BIG, "%s: too many mappings", file);
	return ns_write_proc_file(pid, file, buf, err);
}

int ns_write_id_maps(pid_t pid, const struct spec *spec, struct berth_err *err)
{
	const struct spec_linux *l = &spec->linux_;

	if (!l->namespaces[SPEC_NS_USER].present || l->namespaces[SPEC_NS_USER].path)
		return 0;
	if (ns_write_map(pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err) < 0 ||
	    ns_write_map(pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err) < 0)
		return berth_err_wrap(err, "user namespace");
	return 0;
}

static int write_time_offsets(const struct spec *spec, struct berth_err *err)
{
	const struct spec_time_offset *mono = &spec->linux_.time_monotonic;
	const struct spec_time_offset *boot = &spec->linux_.time_boottime;
	char buf[128];
	size_t len = 0;
	int fd;

	if (mono->set)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "monotonic %lld %u\n",
					(long long)mono->secs, mono->nanosecs);
	if (boot->set)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "boottime %lld %u\n",
					(long long)boot->secs, boot->nanosecs);
	if (len == 0)
		return 0;
	fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_err_set(err, errno, "open /proc/self/timens_offsets");
	if (write(fd, buf, len) != (ssize_t)len) {
		int e = errno;
		close(fd);
		return berth_err_set(err, e, "linux.timeOffsets: write /proc/self/timens_offsets");
	}
	close(fd);
	return 0;
}

/* unshare(CLONE_NEWTIME) moves only our children (and, on newer kernels,
 * our next exec). berth-init, which we exec, clones the workload with
 * CLONE_VM, which the kernel refuses (EINVAL) while a process's time
 * namespace and its children's differ: Debian 12's Linux 6.1 leaves
 * berth-init in the old one. So stage 1 enters the new namespace itself,
 * once its offsets are written (they are fixed from then on). */
static int enter_new_time_ns(struct berth_err *err)
{
	int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return berth_err_set(err, errno, "open /proc/self/ns/time_for_children");
	if (setns(fd, CLONE_NEWTIME) < 0) {
		int e = errno;
		close(fd);
		return berth_err_set(err, e, "enter the new time namespace");
	}
	close(fd);
	return 0;
}

int ns_join_and_unshare(const struct spec *spec, struct ns_plan *ns, struct berth_err *err)
{
	static const enum spec_ns_type order[] = { SPEC_NS_USER, SPEC_NS_MOUNT, SPEC_NS_NETWORK, SPEC_NS_IPC,
						   SPEC_NS_UTS, SPEC_NS_CGROUP, SPEC_NS_TIME };
	bool in_user = spec->linux_.namespaces[SPEC_NS_USER].present;

	for (size_t i = 0; i < sizeof(order) / sizeof(*order); i++) {
		enum spec_ns_type t = order[i];
		if (ns->join_fds[t] < 0)
			continue;
		if (setns(ns->join_fds[t], spec_ns_clone_flag(t)) < 0)
			return berth_err_set(err, errno, "join %s namespace \"%s\"", spec_ns_name(t),
					     spec->linux_.namespaces[t].path);
	}
	if (in_user) {
		/* Become the user namespace's root: caps and file access as
		 * uid 0 of the container from here on. */
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			return berth_err_set(err, errno, "become root in the user namespace (is uid/gid 0 mapped?)");
	}
	if (ns->unshare_flags && unshare(ns->unshare_flags) < 0)
		return berth_err_set(err, errno, "unshare namespaces");
	if ((ns->unshare_flags & CLONE_NEWTIME) && (write_time_offsets(spec, err) < 0 || enter_new_time_ns(err) < 0))
		return -1;
	return 0;
}

static const struct {
	const char *name;
	int flag;
} proc_namespaces[] = {
	{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },   { "net", CLONE_NEWNET },
	{ "ipc", CLONE_NEWIPC },   { "uts", CLONE_NEWUTS },  { "cgroup", CLONE_NEWCGROUP },
	{ "time", CLONE_NEWTIME }, { "pid", CLONE_NEWPID },
};

int ns_differing_from_ours(pid_t pid, int *flags, struct berth_err *err)
{
	*flags = 0;
	for (size_t i = 0; i < sizeof(proc_namespaces) / sizeof(*proc_namespaces); i++) {
		char theirs[64], ours[64];
		struct stat a, b;

		snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)pid, proc_namespaces[i].name);
		snprintf(ours, sizeof(ours), "/proc/self/ns/%s", proc_namespaces[i].name);
		if (stat(ours, &b) < 0) {
			if (errno == ENOENT)
				continue; /* a kernel without this namespace type */
			return berth_err_set(err, errno, "stat %s", ours);
		}
		if (stat(theirs, &a) < 0)
			return berth_err_set(err, errno, "stat %s", theirs);
		if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
			*flags |= proc_namespaces[i].flag;
	}
	return 0;
}
