/* Launch plan: plan_build -> berth-init's own decoder round-trips every
 * record; malformed plans are refused; seccomp profiles compile (and the
 * compiled filters really filter). */
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* berth-init's decoder is not in libcontainer: build it into the test. */
#include "libinit/plan_decode.c" /* NOLINT(bugprone-suspicious-include) */
#include "labels.h"
#include "plan_build.h"
#include "seccomp_bpf.h"
#include "unit.h"

#define CAP_BIT(c) (1ull << (c))

static char *test_args[] = { "sh", "-c", "echo hi", NULL };
static char *test_env[] = { "PATH=/bin", "TERM=xterm", NULL };
static char *hook_args[] = { "hook", "--flag", NULL };
static char *hook_env[] = { "A=1", NULL };
static uint32_t test_gids[] = { 10, 20, 30 };
static char *read_write[] = { "read", "write", "no_such_syscall_berth", NULL };
static char *getppid_name[] = { "getppid", NULL };
static struct spec_seccomp_rule small_rules[] = {
	{ .names = read_write, .action = SCMP_ACT_ALLOW },
	{ .names = getppid_name, .action = SCMP_ACT_ERRNO(42) },
};

/* default allow; getppid fails with 42; read/write allow (== default:
 * skipped); a name libseccomp does not know is skipped. */
static void small_profile(struct spec_seccomp *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->set = true;
	sc->default_action = SCMP_ACT_ALLOW;
	sc->rules = small_rules;
	sc->n_rules = 2;
}

static struct spec_hook test_hooks[2];

static void fill_spec(struct spec *s)
{
	memset(s, 0, sizeof(*s));
	s->has_process = true;
	s->process.args = test_args;
	s->process.env = test_env;
	s->process.cwd = "/work";
	s->process.user.uid = 1000;
	s->process.user.gid = 1001;
	s->process.user.umask.set = true;
	s->process.user.umask.v = 027;
	s->process.user.additional_gids = test_gids;
	s->process.user.n_additional_gids = 3;
	s->process.caps.set = true;
	s->process.caps.bounding = CAP_BIT(0) | CAP_BIT(1) | CAP_BIT(63);
	s->process.caps.effective = CAP_BIT(0);
	s->process.caps.permitted = CAP_BIT(0) | CAP_BIT(1);
	s->process.caps.inheritable = CAP_BIT(1);
	s->process.caps.ambient = CAP_BIT(1);
	s->process.no_new_privileges = true;
	s->process.apparmor_profile = "berth-default";
	s->process.selinux_label = "";
	small_profile(&s->linux_.seccomp);
	memset(test_hooks, 0, sizeof(test_hooks));
	test_hooks[0].path = "/usr/bin/hook";
	test_hooks[0].args = hook_args;
	test_hooks[0].env = hook_env;
	test_hooks[0].timeout.set = true;
	test_hooks[0].timeout.v = 7;
	test_hooks[1].path = "/bin/true";
	s->hooks[SPEC_HOOK_START_CONTAINER].hooks = test_hooks;
	s->hooks[SPEC_HOOK_START_CONTAINER].n = 2;
}

static const struct plan_opts test_opts = { .control_fd = 5, .tty = true, .preserve_fds = 2,
					    .stdout_fd = 7, .stderr_fd = -1, .report_fd = -1 };

/* plan_build with test_opts, then plan_decode; false (and nothing to
 * free) when either failed. */
static bool build_and_decode(const struct spec *s, struct plan_buf *buf, struct plan_view *v)
{
	struct berth_err err = { 0 };
	const char *why = NULL;

	UNIT_CHECK(plan_build(s, &test_opts, buf, &err) == 0);
	if (!buf->data) {
		printf("# %s\n", err.msg);
		return false;
	}
	UNIT_CHECK(plan_decode(buf->data, buf->len, v, &why) == 0);
	if (!v->vectors) {
		printf("# decode: %s\n", why);
		plan_buf_free(buf);
		return false;
	}
	return true;
}

static void test_round_trip(void)
{
	struct spec s;
	struct plan_buf buf = { 0 };
	struct plan_view v;

	fill_spec(&s);
	if (!build_and_decode(&s, &buf, &v))
		return;
	UNIT_CHECK(v.n_args == 3);
	UNIT_CHECK_STR(v.args[0], "sh");
	UNIT_CHECK_STR(v.args[2], "echo hi");
	UNIT_CHECK(v.args[3] == NULL);
	UNIT_CHECK(v.n_env == 2);
	UNIT_CHECK_STR(v.env[1], "TERM=xterm");
	UNIT_CHECK(v.env[2] == NULL);
	UNIT_CHECK_STR(v.cwd, "/work");
	UNIT_CHECK(v.user.uid == 1000 && v.user.gid == 1001);
	UNIT_CHECK(v.user.has_umask && v.user.umask == 027);
	UNIT_CHECK(v.has_groups && v.n_groups == 3 && v.groups[2] == 30);
	UNIT_CHECK(v.has_caps);
	/* cap 63 is past this kernel's cap_last_cap: dropped silently */
	UNIT_CHECK(v.caps.bounding == (CAP_BIT(0) | CAP_BIT(1)));
	UNIT_CHECK(v.caps.effective == CAP_BIT(0));
	UNIT_CHECK(v.caps.permitted == (CAP_BIT(0) | CAP_BIT(1)));
	UNIT_CHECK(v.caps.inheritable == CAP_BIT(1) && v.caps.ambient == CAP_BIT(1));
	UNIT_CHECK(v.no_new_privs);
	UNIT_CHECK(v.has_seccomp && v.seccomp.n_insns > 0 && v.seccomp.flags == 0);
	UNIT_CHECK(v.mode == PLAN_MODE_FORK);
	/* Where AppArmor is off the profile is dropped with a warning. */
	if (labels_apparmor_enabled())
		UNIT_CHECK_STR(v.apparmor, "berth-default");
	else
		UNIT_CHECK(v.apparmor == NULL);
	UNIT_CHECK(v.selinux == NULL);
	UNIT_CHECK(v.control_fd == 5);
	UNIT_CHECK(v.tty);
	UNIT_CHECK(v.preserve_fds == 2);
	UNIT_CHECK(v.stdout_fd == 7 && v.stderr_fd == -1);
	UNIT_CHECK(v.n_hooks == 2);
	if (v.n_hooks == 2) {
		UNIT_CHECK_STR(v.hooks[0].path, "/usr/bin/hook");
		UNIT_CHECK(v.hooks[0].timeout == 7 && v.hooks[0].argc == 2 && v.hooks[0].envc == 1);
		UNIT_CHECK_STR(v.hooks[0].argv[1], "--flag");
		UNIT_CHECK(v.hooks[0].argv[2] == NULL);
		UNIT_CHECK_STR(v.hooks[0].envp[0], "A=1");
		UNIT_CHECK(v.hooks[0].envp[1] == NULL);
		UNIT_CHECK_STR(v.hooks[1].path, "/bin/true");
		UNIT_CHECK_STR(v.hooks[1].argv[0], "/bin/true"); /* no args: argv = { path } */
		UNIT_CHECK(v.hooks[1].argv[1] == NULL && v.hooks[1].envp[0] == NULL);
		UNIT_CHECK(v.hooks[1].timeout == 0);
	}
	plan_view_free(&v);
	plan_buf_free(&buf);
}

/* The smallest spec: no caps, seccomp, hooks, labels or options. */
static void test_minimal(void)
{
	static char *args[] = { "/bin/true", NULL };
	struct spec s;
	struct plan_opts opts = { .control_fd = -1, .stdout_fd = -1, .stderr_fd = -1, .report_fd = -1 };
	struct plan_buf buf = { 0 };
	struct berth_err err = { 0 };
	struct plan_view v;
	const char *why = NULL;

	memset(&s, 0, sizeof(s));
	s.has_process = true;
	s.process.args = args;
	UNIT_CHECK(plan_build(&s, &opts, &buf, &err) == 0);
	if (!buf.data || plan_decode(buf.data, buf.len, &v, &why) < 0) {
		UNIT_CHECK(0);
		plan_buf_free(&buf);
		return;
	}
	UNIT_CHECK_STR(v.cwd, "/");
	UNIT_CHECK(v.n_env == 0 && v.env[0] == NULL);
	UNIT_CHECK(v.has_groups && v.n_groups == 0);
	UNIT_CHECK(!v.has_caps && !v.has_seccomp && !v.no_new_privs && !v.tty);
	UNIT_CHECK(v.control_fd == -1 && v.preserve_fds == 0 && v.n_hooks == 0);
	UNIT_CHECK(!v.user.has_umask && v.user.uid == 0);
	plan_view_free(&v);
	plan_buf_free(&buf);
}

static void test_cap_not_in_bounding_set(void)
{
	struct spec s;
	struct plan_buf buf = { 0 };
	struct berth_err err = { 0 };

	if (prctl(PR_CAPBSET_READ, 24 /* CAP_SYS_RESOURCE */, 0, 0, 0) != 0) {
		printf("# skipped: berth holds CAP_SYS_RESOURCE here\n");
		return;
	}
	fill_spec(&s);
	s.process.caps.permitted |= CAP_BIT(24);
	UNIT_CHECK(plan_build(&s, &test_opts, &buf, &err) == -1);
	UNIT_CHECK(buf.data == NULL);
	UNIT_CHECK_STR(err.msg, "launch plan: process.capabilities: CAP_SYS_RESOURCE is not in berth's "
		       "bounding set: operation not permitted");
}

static void test_choose_mode(void)
{
	static char *sh[] = { "sh", NULL }, *init[] = { "/sbin/init", NULL };
	static char *systemd[] = { "/usr/lib/systemd/systemd", "--log-level=debug", NULL };
	struct spec_kv fork_kv = { "run.berth.init", "fork" }, exec_kv = { "run.berth.init", "exec" };
	struct spec s;

	memset(&s, 0, sizeof(s));
	s.has_process = true;
	s.process.args = sh;
	UNIT_CHECK(plan_choose_mode(&s) == PLAN_MODE_FORK);
	s.process.args = init;
	UNIT_CHECK(plan_choose_mode(&s) == PLAN_MODE_EXEC);
	s.process.args = systemd;
	UNIT_CHECK(plan_choose_mode(&s) == PLAN_MODE_EXEC);
	s.annotations = &fork_kv;
	s.n_annotations = 1;
	UNIT_CHECK(plan_choose_mode(&s) == PLAN_MODE_FORK);
	s.process.args = sh;
	s.annotations = &exec_kv;
	UNIT_CHECK(plan_choose_mode(&s) == PLAN_MODE_EXEC);
}

/* Decodes a copy of the first len bytes of plan (8-aligned) and returns
 * the decoder's complaint, or NULL if it accepted. */
static const char *decode_copy(const uint8_t *plan, size_t len)
{
	uint64_t *copy = calloc(1, len + 8);
	struct plan_view v;
	const char *why = NULL;

	memcpy(copy, plan, len);
	if (plan_decode((const uint8_t *)copy, len, &v, &why) == 0) {
		plan_view_free(&v);
		why = NULL;
	}
	free(copy);
	return why;
}

static void set_size(uint8_t *plan, uint32_t size)
{
	memcpy(plan + offsetof(struct plan_header, size), &size, sizeof(size));
}

static void test_malformed(void)
{
	static char *args[] = { "/bin/true", NULL };
	struct spec s;
	struct plan_opts opts = { .control_fd = -1, .stdout_fd = -1, .stderr_fd = -1, .report_fd = -1 };
	struct plan_buf buf = { 0 };
	struct berth_err err = { 0 };
	struct plan_record first;
	uint8_t *p;
	size_t arg_payload = sizeof(struct plan_header) + sizeof(struct plan_record);

	memset(&s, 0, sizeof(s));
	s.has_process = true;
	s.process.args = args;
	if (plan_build(&s, &opts, &buf, &err) < 0) {
		UNIT_CHECK(0);
		return;
	}
	p = buf.data;
	memcpy(&first, p + sizeof(struct plan_header), sizeof(first));
	UNIT_CHECK(first.type == PLAN_ARG && first.len == sizeof("/bin/true"));
	UNIT_CHECK(decode_copy(p, buf.len) == NULL);
	UNIT_CHECK(decode_copy(p, 7) != NULL);                       /* truncated header */
	UNIT_CHECK(decode_copy(p, buf.len - 8) != NULL);             /* size mismatch */
	set_size(p, (uint32_t)buf.len - 8);
	UNIT_CHECK_STR(decode_copy(p, buf.len - 8), "record extends past the end of the plan");
	set_size(p, (uint32_t)buf.len);
	p[0] ^= 1;
	UNIT_CHECK_STR(decode_copy(p, buf.len), "bad magic");
	p[0] ^= 1;
	p[arg_payload + first.len - 1] = 'x';                        /* string loses its NUL */
	UNIT_CHECK_STR(decode_copy(p, buf.len), "string record is not NUL-terminated");
	p[arg_payload + first.len - 1] = '\0';
	p[arg_payload + 4] = '\0';                                   /* embedded NUL */
	UNIT_CHECK_STR(decode_copy(p, buf.len), "string record is not NUL-terminated");
	p[arg_payload + 4] = 't';
	{
		struct plan_record r = first;
		r.len = 0x7fffffff;                                  /* record past end */
		memcpy(p + sizeof(struct plan_header), &r, sizeof(r));
		UNIT_CHECK_STR(decode_copy(p, buf.len), "record extends past the end of the plan");
		r = first;
		r.type = PLAN_TYPE_MAX;
		memcpy(p + sizeof(struct plan_header), &r, sizeof(r));
		UNIT_CHECK_STR(decode_copy(p, buf.len), "unknown record type");
		r.type = PLAN_ENV;                                   /* now no args at all */
		memcpy(p + sizeof(struct plan_header), &r, sizeof(r));
		UNIT_CHECK_STR(decode_copy(p, buf.len), "no args");
		r.type = PLAN_CWD;                                   /* duplicate (and relative) cwd */
		memcpy(p + sizeof(struct plan_header), &r, sizeof(r));
		UNIT_CHECK(decode_copy(p, buf.len) != NULL);
		memcpy(p + sizeof(struct plan_header), &first, sizeof(first));
	}
	p[8] = PLAN_VERSION + 1;
	UNIT_CHECK_STR(decode_copy(p, buf.len), "unsupported version");
	p[8] = PLAN_VERSION;
	UNIT_CHECK(decode_copy(p, buf.len) == NULL);
	plan_buf_free(&buf);
}

/* Loads the filter in a child (with NNP) and runs probe there. */
static int filter_child(const struct sock_filter *insns, size_t n, int (*probe)(void))
{
	struct sock_fprog prog = { (unsigned short)n, (struct sock_filter *)insns };
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
			_exit(2);
		_exit(probe());
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int probe_getppid(void)
{
	return syscall(SYS_getppid) == -1 && errno == 42 ? 0 : 1;
}

static void test_seccomp_small(void)
{
	struct spec_seccomp sc;
	struct sock_filter *insns = NULL;
	size_t n = 0;
	struct berth_err err = { 0 };

	small_profile(&sc);
	UNIT_CHECK(seccomp_compile(&sc, &insns, &n, &err) == 0);
	UNIT_CHECK(insns && n > 0);
	if (insns)
		UNIT_CHECK(filter_child(insns, n, probe_getppid) == 0);
	free(insns);
}

/* A filter with SCMP_ACT_NOTIFY asks the kernel for a listener, and TSYNC
 * (which the kernel refuses with one) goes. */
static void test_seccomp_listener_flags(void)
{
	struct spec s;
	struct plan_buf buf = { 0 };
	struct plan_view v;

	fill_spec(&s);
	s.linux_.seccomp.needs_notify = true;
	s.linux_.seccomp.listener_path = "/run/agent.sock";
	s.linux_.seccomp.flags = SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG;
	if (!build_and_decode(&s, &buf, &v))
		return;
	UNIT_CHECK(v.has_seccomp &&
		   v.seccomp.flags == (SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_LOG));
	plan_view_free(&v);
	plan_buf_free(&buf);
}

/* An arg rule and an unknown-only rule, and default errno. */
static void test_seccomp_args(void)
{
	static char *personality[] = { "personality", NULL }, *unknown[] = { "berth_nope", NULL };
	static struct spec_seccomp_arg two_same[] = {
		{ .index = 0, .value = 0, .op = SCMP_CMP_EQ },
		{ .index = 0, .value = 8, .op = SCMP_CMP_EQ },
	};
	struct spec_seccomp_rule rules[] = {
		{ .names = personality, .action = SCMP_ACT_ALLOW, .args = two_same, .n_args = 2 },
		{ .names = unknown, .action = SCMP_ACT_ALLOW },
	};
	struct spec_seccomp sc = { .set = true, .default_action = SCMP_ACT_ERRNO(EPERM),
				   .rules = rules, .n_rules = 2 };
	uint32_t arch = SCMP_ARCH_X86;
	struct sock_filter *insns = NULL;
	size_t n = 0;
	struct berth_err err = { 0 };

	sc.architectures = &arch;
	sc.n_architectures = 1;
	UNIT_CHECK(seccomp_compile(&sc, &insns, &n, &err) == 0);
	UNIT_CHECK(insns && n > 0);
	free(insns);
	rules[0].args[1].index = 6;
	UNIT_CHECK(seccomp_compile(&sc, &insns, &n, &err) == -1);
	rules[0].args[1].index = 0;
}

static int probe_docker(void)
{
	/* acct needs CAP_SYS_PACCT in Docker's profile: refused with EPERM;
	 * ordinary calls still work. */
	if (getpid() <= 0)
		return 1;
	return syscall(SYS_acct, NULL) == -1 && errno == EPERM ? 0 : 3;
}

/* Docker's default profile as shipped by containers-common, turned into
 * OCI form (the rules without capability conditions, x86_64) by jq, then
 * through spec_parse like any config.json. */
static void test_seccomp_docker_profile(void)
{
	static const char *cmd =
		"jq -c '{ociVersion: \"1.0.2\", root: {path: \"rootfs\"}, "
		"process: {args: [\"sh\"], cwd: \"/\"}, linux: {seccomp: {"
		"defaultAction, defaultErrnoRet, architectures: [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"], "
		"syscalls: [.syscalls[] | select(((.includes.caps // []) | length) == 0) "
		"| select(((.includes.arches // []) | length) == 0 or ((.includes.arches | index(\"amd64\")) != null)) "
		"| {names, action, errnoRet, args} | with_entries(select(.value != null))]}}}' "
		"/usr/share/containers/seccomp.json 2>/dev/null";
	char *json = NULL;
	size_t len = 0, cap = 0;
	struct berth_err err = { 0 };
	struct sock_filter *insns = NULL;
	struct spec *s;
	size_t n = 0;
	FILE *f;

	if (access("/usr/share/containers/seccomp.json", R_OK) < 0 || system("command -v jq >/dev/null") != 0) {
		printf("# skipped: no /usr/share/containers/seccomp.json or jq\n");
		return;
	}
	f = popen(cmd, "r");
	UNIT_CHECK(f != NULL);
	if (!f)
		return;
	for (;;) {
		size_t got;
		if (len + 4096 > cap) {
			char *bigger = realloc(json, cap ? cap * 2 : 65536);
			if (!bigger)
				break;
			json = bigger;
			cap = cap ? cap * 2 : 65536;
		}
		got = fread(json + len, 1, cap - len - 1, f);
		if (got == 0)
			break;
		len += got;
	}
	pclose(f);
	UNIT_CHECK(json != NULL);
	if (!json)
		return;
	json[len] = '\0';
	s = spec_parse(json, len, &err);
	UNIT_CHECK(s != NULL);
	if (!s) {
		printf("# %s\n", err.msg);
		free(json);
		return;
	}
	UNIT_CHECK(s->linux_.seccomp.set && s->linux_.seccomp.n_rules > 10);
	UNIT_CHECK(seccomp_compile(&s->linux_.seccomp, &insns, &n, &err) == 0);
	if (!insns)
		printf("# %s\n", err.msg);
	UNIT_CHECK(n > 100);
	if (insns)
		UNIT_CHECK(filter_child(insns, n, probe_docker) == 0);
	free(insns);
	spec_free(s);
	free(json);
}

int main(void)
{
	UNIT_RUN(test_round_trip);
	UNIT_RUN(test_minimal);
	UNIT_RUN(test_cap_not_in_bounding_set);
	UNIT_RUN(test_choose_mode);
	UNIT_RUN(test_malformed);
	UNIT_RUN(test_seccomp_small);
	UNIT_RUN(test_seccomp_listener_flags);
	UNIT_RUN(test_seccomp_args);
	UNIT_RUN(test_seccomp_docker_profile);
	UNIT_DONE();
}
