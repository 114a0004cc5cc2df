/* The order below matters and follows runc: the bounding set is dropped
 * while we still hold CAP_SETPCAP (before the uid change clears effective
 * caps); capset comes after setresuid (PR_SET_KEEPCAPS keeps permitted);
 * seccomp comes last when no_new_privileges is set, otherwise first, since
 * without NNP installing a filter needs CAP_SYS_ADMIN, which the workload's
 * capability sets usually lack. */
#include "process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kapi.h"
#include "seccomp_handoff.h"
#include "signals.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Only with a terminal: the workload becomes a session leader and takes
 * fd 0 as its controlling tty. Without one it stays in berth-init's session
 * (it cannot be a group leader's session anyway, and there is no tty to own). */
static int process_take_tty(struct init_err *err)
{
	if (setsid() < 0 && !(errno == EPERM && getsid(0) == getpid()))
		return init_err_set(err, errno, "setsid");
	if (ioctl(0, TIOCSCTTY, 0) < 0) {
		int saved = errno;
		/* Steal it when some other session still holds it (needs
		 * CAP_SYS_ADMIN); report the first error otherwise. */
		if (ioctl(0, TIOCSCTTY, 1) < 0)
			return init_err_set(err, saved, "ioctl TIOCSCTTY");
	}
	return 0;
}

static int process_write_attr(const char *path, const char *value, int *errnum)
{
	int fd = init_open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0) {
		*errnum = errno;
		return -1;
	}
	n = write(fd, value, strlen(value));
	*errnum = errno;
	close(fd);
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

static int process_set_labels(const struct plan_view *plan, struct init_err *err)
{
	int errnum = 0;

	if (plan->selinux && process_write_attr("/proc/self/attr/exec", plan->selinux, &errnum) < 0)
		return init_err_set(err, errnum, "set SELinux exec label \"%s\"", plan->selinux);
	if (plan->apparmor) {
		char value[INIT_ERR_MAX];
		init_fmt(value, sizeof(value), "exec %s", plan->apparmor);
		if (process_write_attr("/proc/self/attr/apparmor/exec", value, &errnum) < 0 &&
		    (errnum != ENOENT || process_write_attr("/proc/self/attr/exec", value, &errnum) < 0))
			return init_err_set(err, errnum, "set AppArmor profile \"%s\"", plan->apparmor);
	}
	return 0;
}

/* The kernel's last capability: PR_CAPBSET_READ fails with EINVAL past it
 * (no /proc needed, which the container may not mount); a binary search
 * takes 6 calls instead of one per capability. */
static int process_last_cap(void)
{
	int lo = 0, hi = 63; /* lo is valid; the answer is in [lo, hi] */

	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (prctl(PR_CAPBSET_READ, mid, 0, 0, 0) < 0 && errno == EINVAL)
			hi = mid - 1;
		else
			lo = mid;
	}
	return lo;
}

/* Dropping a capability that is not in the bounding set succeeds (given
 * CAP_SETPCAP), so no read is needed before each drop; without
 * CAP_SETPCAP, a capability that is already gone is no error. */
static int process_drop_bounding(const struct plan_caps *caps, struct init_err *err)
{
	uint64_t keep = caps->bounding;
	/* berth read the last cap when it made the plan; probe only for a
	 * value out of range. */
	int last = caps->last_cap > 0 && caps->last_cap < 64 ? (int)caps->last_cap : process_last_cap();

	for (int cap = 0; cap <= last; cap++) {
		if ((keep & (1ull << cap)) || prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EPERM && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 0)
			continue;
		return init_err_set(err, errno, "drop capability %d from the bounding set", cap);
	}
	return 0;
}

/* "deny" in /proc/self/setgroups (unprivileged user namespace): setgroups
 * cannot work, and runc then skips an empty list silently. */
static int process_setgroups_denied(void)
{
	char buf[8] = { 0 };
	int fd = init_open("/proc/self/setgroups", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n >= 4 && memcmp(buf, "deny", 4) == 0;
}

static int process_set_user(const struct plan_view *plan, struct init_err *err)
{
	const uint32_t *groups = plan->groups;
	uint32_t n_groups = plan->n_groups;

	if (plan->has_groups || plan->user.uid != 0) {
		if (!plan->has_groups)
			n_groups = 0;
		/* Ask /proc only when the call fails: most containers may. */
		if (syscall(SYS_setgroups, (size_t)n_groups, (const gid_t *)groups) < 0) {
			int saved = errno;
			if (!(n_groups == 0 && saved == EPERM && process_setgroups_denied()))
				return init_err_set(err, saved, "setgroups");
		}
	}
	/* Raw syscalls: the process is single-threaded, and musl's wrappers
	 * block every signal around each call to sync threads (six syscalls
	 * more). */
	if (syscall(SYS_setresgid, plan->user.gid, plan->user.gid, plan->user.gid) < 0)
		return init_err_set(err, errno, "setresgid %u", plan->user.gid);
	if (syscall(SYS_setresuid, plan->user.uid, plan->user.uid, plan->user.uid) < 0)
		return init_err_set(err, errno, "setresuid %u", plan->user.uid);
	if (plan->user.has_umask)
		umask((mode_t)plan->user.umask);
	return 0;
}

static int process_set_caps(const struct plan_caps *caps, struct init_err *err)
{
	struct kapi_cap_header hdr = { KAPI_LINUX_CAPABILITY_VERSION_3, 0 };
	struct kapi_cap_data data[2];

	for (int i = 0; i < 2; i++) {
		data[i].effective = (uint32_t)(caps->effective >> (32 * i));
		data[i].permitted = (uint32_t)(caps->permitted >> (32 * i));
		data[i].inheritable = (uint32_t)(caps->inheritable >> (32 * i));
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		return init_err_set(err, errno, "capset");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    !(errno == EINVAL && caps->ambient == 0))
		return init_err_set(err, errno, "clear ambient capabilities");
	for (int cap = 0; cap < 64; cap++) {
		if ((caps->ambient & (1ull << cap)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return init_err_set(err, errno, "raise ambient capability %d", cap);
	}
	return 0;
}

static int process_set_cloexec(int fd, int on)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0)
		return -1;
	flags = on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
	return fcntl(fd, F_SETFD, flags);
}

/* The workload gets 0-2 and the preserved fds; everything else berth-init
 * holds (control socket, error pipe...) is marked close-on-exec rather than
 * closed, so a failing exec can still be reported. */
static int process_fix_fds(const struct plan_view *plan, struct init_err *err)
{
	unsigned first = 3u + plan->preserve_fds;
	DIR *dir;
	struct dirent *de;

	if (plan->stdout_fd >= 0 && dup2(plan->stdout_fd, 1) < 0)
		return init_err_set(err, errno, "dup2 fd %d to stdout", plan->stdout_fd);
	if (plan->stderr_fd >= 0 && dup2(plan->stderr_fd, 2) < 0)
		return init_err_set(err, errno, "dup2 fd %d to stderr", plan->stderr_fd);
	for (unsigned fd = 3; fd < first; fd++) {
		if (process_set_cloexec((int)fd, 0) < 0)
			return init_err_set(err, errno, "preserved fd %u", fd);
	}
	if (syscall(SYS_close_range, first, ~0u, KAPI_CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	dir = opendir("/proc/self/fd");
	if (!dir)
		return init_err_set(err, errno, "close fds: open /proc/self/fd");
	while ((de = readdir(dir)) != NULL) {
		int fd = atoi(de->d_name);
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9' && fd >= (int)first && fd != dirfd(dir))
			(void)process_set_cloexec(fd, 1);
	}
	closedir(dir);
	return 0;
}

static const char *process_env_path(char *const env[])
{
	for (size_t i = 0; env[i]; i++) {
		if (strncmp(env[i], "PATH=", 5) == 0)
			return env[i] + 5;
	}
	return DEFAULT_PATH;
}

/* execvp's lookup, done before seccomp so the filter need not allow stat
 * or access for it. */
static int process_find_exec(const struct plan_view *plan, char *out, size_t size,
			     struct init_err *err)
{
	const char *name = plan->args[0];
	const char *dir = process_env_path(plan->env);
	int denied = 0;

	if (strchr(name, '/')) {
		init_fmt(out, size, "%s", name);
		return 0;
	}
	while (name[0] && dir) {
		const char *end = strchr(dir, ':');
		size_t dlen = end ? (size_t)(end - dir) : strlen(dir);
		struct stat st;
		char d[4096];

		if (dlen >= sizeof(d))
			dlen = sizeof(d) - 1;
		memcpy(d, dir, dlen);
		d[dlen] = '\0';
		init_fmt(out, size, "%s/%s", dlen ? d : ".", name);
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			denied = 1;
		}
		dir = end ? end + 1 : NULL;
	}
	if (denied)
		return init_err_set(err, EACCES, "exec \"%s\"", name);
	err->errnum = ENOENT;
	init_fmt(err->msg, sizeof(err->msg), "exec: \"%s\": executable file not found in $PATH", name);
	return -1;
}

/* Loads the filter. One with a listener (SCMP_ACT_NOTIFY) hands it to the
 * host over listener_sock, through a helper started just before. */
static int process_seccomp(const struct plan_view *plan, int listener_sock, struct init_err *err)
{
	struct kapi_sock_fprog prog;
	bool listener = plan->seccomp.flags & KAPI_SECCOMP_FILTER_FLAG_NEW_LISTENER;
	long fd;

	prog.len = (unsigned short)plan->seccomp.n_insns;
	prog.filter = (struct kapi_sock_filter *)plan->seccomp.insns;
	if (listener && seccomp_handoff_start(listener_sock, err) < 0)
		return -1;
	fd = syscall(SYS_seccomp, KAPI_SECCOMP_SET_MODE_FILTER, plan->seccomp.flags, &prog);
	if (fd >= 0) {
		if (listener)
			seccomp_handoff_listener((int)fd);
		return 0;
	}
	if (errno == ENOSYS && plan->seccomp.flags == 0 &&
	    prctl(PR_SET_SECCOMP, KAPI_SECCOMP_MODE_FILTER, &prog, 0, 0) == 0)
		return 0;
	return init_err_set(err, errno, "seccomp");
}

/* The home directory of uid in the container's /etc/passwd, "/" when it
 * is not there (runc's default). */
static void process_passwd_home(uint32_t uid, char *home, size_t size)
{
	static char buf[65536];
	char *line, *next;
	ssize_t n = -1;
	int fd = init_open("/etc/passwd", O_RDONLY);

	init_fmt(home, size, "/");
	if (fd >= 0) {
		n = init_read_all(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (line = buf; line; line = next) {
		char *field[7] = { 0 }, *p = line, *end;
		int nf = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		while (nf < 7) {
			field[nf++] = p;
			p = strchr(p, ':');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (nf < 6 || !field[2][0])
			continue;
		if (strtoul(field[2], &end, 10) == uid && *end == '\0' && field[5][0]) {
			init_fmt(home, size, "%s", field[5]);
			return;
		}
	}
}

/* As runc: a process without HOME gets its user's home. */
char **process_env(const struct plan_view *plan)
{
	static char home[4096 + 8];
	char **env;
	size_t n = 0;

	for (; plan->env[n]; n++)
		if (strncmp(plan->env[n], "HOME=", 5) == 0)
			return plan->env;
	env = malloc((n + 2) * sizeof(*env));
	if (!env)
		return plan->env;
	memcpy(env, plan->env, n * sizeof(*env));
	init_fmt(home, sizeof(home), "HOME=");
	process_passwd_home(plan->user.uid, home + 5, sizeof(home) - 5);
	env[n] = home;
	env[n + 1] = NULL;
	return env;
}

/* Socket activation: stage 0 put LISTEN_PID=1 in the environment (the
 * caller's pid means nothing inside); in fork mode the workload is not
 * PID 1, so the variable must name the process that execs. */
static void process_fix_listen_pid(char **env)
{
	static char listen_pid[32];

	for (size_t i = 0; env[i]; i++) {
		if (strncmp(env[i], "LISTEN_PID=", 11) == 0) {
			init_fmt(listen_pid, sizeof(listen_pid), "LISTEN_PID=%d", (int)getpid());
			env[i] = listen_pid;
		}
	}
}

int process_exec_env(const struct plan_view *plan, char **env, int listener_sock, struct init_err *err)
{
	char path[4096];
	bool seccomp_early = plan->has_seccomp && !plan->no_new_privs;

	if (plan->tty && process_take_tty(err) < 0)
		return -1;
	if (process_set_labels(plan, err) < 0)
		return -1;
	if (seccomp_early && process_seccomp(plan, listener_sock, err) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return init_err_set(err, errno, "prctl PR_SET_KEEPCAPS");
	if (plan->has_caps && process_drop_bounding(&plan->caps, err) < 0)
		return -1;
	if (process_set_user(plan, err) < 0)
		return -1;
	if (plan->has_caps && process_set_caps(&plan->caps, err) < 0)
		return -1;
	if (chdir(plan->cwd) < 0)
		return init_err_set(err, errno, "chdir to cwd (\"%s\") set in config.json failed", plan->cwd);
	if (plan->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return init_err_set(err, errno, "prctl PR_SET_NO_NEW_PRIVS");
	if (process_fix_fds(plan, err) < 0)
		return -1;
	if (process_find_exec(plan, path, sizeof(path), err) < 0)
		return -1;
	process_fix_listen_pid(env);
	signals_reset();
	if (plan->has_seccomp && !seccomp_early && process_seccomp(plan, listener_sock, err) < 0)
		return -1;
	execve(path, plan->args, env);
	return init_err_set(err, errno, "exec \"%s\"", path);
}

void process_env_free(const struct plan_view *plan, char **env)
{
	if (env != plan->env)
		free(env);
}

int process_exec(const struct plan_view *plan, int listener_sock, struct init_err *err)
{
	/* Read while still root: the passwd file may not be readable later. */
	char **env = process_env(plan);
	int rc = process_exec_env(plan, env, listener_sock, err);

	process_env_free(plan, env);
	return rc;
}

int process_exit_code(int errnum)
{
	switch (errnum) {
	case ENOENT:
	case ENOTDIR:
		return 127;
	case EACCES:
	case ENOEXEC:
		return 126;
	default:
		return 127;
	}
}
