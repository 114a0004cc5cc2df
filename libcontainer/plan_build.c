/* Policy lives here, in stage 0: capability checks against what berth
 * itself holds, seccomp compilation, mode choice. berth-init only applies
 * the result. */
#include "plan_build.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "labels.h"
#include "log.h"
#include "seccomp_bpf.h"
#include "seccomp_cache.h"

#define PLAN_ANNOTATION_INIT "run.berth.init"

_Static_assert(sizeof(struct sock_filter) == 8, "sock_filter is 8 bytes on the wire");

void plan_buf_free(struct plan_buf *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->len = buf->cap = 0;
}

static int plan_reserve(struct plan_buf *buf, size_t more, struct berth_err *err)
{
	size_t cap = buf->cap ? buf->cap : 4096;
	uint8_t *data;

	if (more > PLAN_MAX_SIZE || buf->len + more > PLAN_MAX_SIZE)
		return berth_err_set(err, E2BIG, "launch plan larger than %u bytes", PLAN_MAX_SIZE);
	if (buf->len + more <= buf->cap)
		return 0;
	while (cap < buf->len + more)
		cap *= 2;
	data = realloc(buf->data, cap);
	if (!data)
		return berth_err_set(err, ENOMEM, "launch plan");
	buf->data = data;
	buf->cap = cap;
	return 0;
}

/* Appends one record whose payload is the concatenation of two parts. */
static int plan_put2(struct plan_buf *buf, enum plan_record_type type, const void *a, size_t alen,
		     const void *b, size_t blen, struct berth_err *err)
{
	struct plan_record rec = { (uint16_t)type, 0, 0 };
	size_t len = alen + blen;

	if (len > PLAN_MAX_SIZE)
		return berth_err_set(err, E2BIG, "launch plan record too large");
	rec.len = (uint32_t)len;
	if (plan_reserve(buf, sizeof(rec) + plan_align8(rec.len), err) < 0)
		return -1;
	memcpy(buf->data + buf->len, &rec, sizeof(rec));
	buf->len += sizeof(rec);
	if (alen)
		memcpy(buf->data + buf->len, a, alen);
	if (blen)
		memcpy(buf->data + buf->len + alen, b, blen);
	memset(buf->data + buf->len + len, 0, plan_align8(rec.len) - len);
	buf->len += plan_align8(rec.len);
	return 0;
}

static int plan_put(struct plan_buf *buf, enum plan_record_type type, const void *data, size_t len,
		    struct berth_err *err)
{
	return plan_put2(buf, type, data, len, NULL, 0, err);
}

static int plan_put_str(struct plan_buf *buf, enum plan_record_type type, const char *s,
			struct berth_err *err)
{
	return plan_put(buf, type, s, strlen(s) + 1, err);
}

static int plan_put_i32(struct plan_buf *buf, enum plan_record_type type, int32_t v,
			struct berth_err *err)
{
	return plan_put(buf, type, &v, sizeof(v), err);
}

static size_t plan_strv_len(strv_t v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static int plan_put_strv(struct plan_buf *buf, enum plan_record_type type, strv_t v,
			 struct berth_err *err)
{
	for (size_t i = 0; v && v[i]; i++) {
		if (plan_put_str(buf, type, v[i], err) < 0)
			return -1;
	}
	return 0;
}

bool plan_workload_is_systemd(const struct spec *spec)
{
	const char *arg0, *base;

	if (!spec->has_process || !spec->process.args || !spec->process.args[0])
		return false;
	arg0 = spec->process.args[0];
	base = strrchr(arg0, '/');
	base = base ? base + 1 : arg0;
	return strcmp(base, "systemd") == 0 || strcmp(arg0, "/sbin/init") == 0;
}

enum plan_mode plan_choose_mode(const struct spec *spec)
{
	const char *want = spec_annotation(spec, PLAN_ANNOTATION_INIT);

	if (want && strcmp(want, "fork") == 0)
		return PLAN_MODE_FORK;
	if (want && strcmp(want, "exec") == 0)
		return PLAN_MODE_EXEC;
	return plan_workload_is_systemd(spec) ? PLAN_MODE_EXEC : PLAN_MODE_FORK;
}

int plan_cap_last_cap(void)
{
	/* libcap's start-up found it already (PR_CAPBSET_READ fails with
	 * EINVAL past the last one), as /proc/sys/kernel/cap_last_cap says. */
	cap_value_t bits = cap_max_bits();
	int last;

	if (bits > 0 && bits <= 64)
		return (int)bits - 1;
	for (last = 0; last < 63 && prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0; last++)
		;
	return last;
}

void plan_cap_name(int cap, char *out, size_t size)
{
	char *name = cap_to_name((cap_value_t)cap);

	snprintf(out, size, "%s", name ? name : "CAP_?");
	if (name)
		cap_free(name);
	for (char *p = out; *p; p++) {
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	}
}

/* Caps the kernel does not know are dropped silently (configs list new
 * caps before kernels ship them); a known cap that berth itself cannot
 * hold could never be granted, so it is an error. */
static int plan_put_caps(struct plan_buf *buf, const struct spec_caps *sc, struct berth_err *err)
{
	int last = plan_cap_last_cap();
	uint64_t known = last >= 63 ? ~0ull : (1ull << (last + 1)) - 1;
	uint64_t wanted = (sc->bounding | sc->effective | sc->inheritable | sc->permitted | sc->ambient) & known;
	struct plan_caps caps;

	for (int cap = 0; cap <= last; cap++) {
		if (!(wanted & (1ull << cap)))
			continue;
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1) {
			char name[64];
			plan_cap_name(cap, name, sizeof(name));
			return berth_err_set(err, EPERM, "process.capabilities: %s is not in berth's bounding set", name);
		}
	}
	caps.bounding = sc->bounding & known;
	caps.effective = sc->effective & known;
	caps.inheritable = sc->inheritable & known;
	caps.permitted = sc->permitted & known;
	/* The kernel only keeps an ambient cap that is also permitted and
	 * inheritable; runc drops the others silently (its default spec asks
	 * for ambient caps without inheritable ones), and so does berth. */
	caps.ambient = sc->ambient & sc->inheritable & sc->permitted & known;
	/* Read here already: berth-init need not probe for it again. */
	caps.last_cap = (uint32_t)last;
	caps.reserved = 0;
	return plan_put(buf, PLAN_CAPS, &caps, sizeof(caps), err);
}

static int plan_put_seccomp(struct plan_buf *buf, const struct spec_seccomp *sc, const char *cache_dir,
			    struct berth_err *err)
{
	struct sock_filter *insns = NULL;
	struct plan_seccomp hdr;
	size_t n = 0;
	int r;

	if (seccomp_compile_cached(cache_dir, sc, &insns, &n, err) < 0)
		return -1;
	hdr.flags = sc->flags;
	if (sc->needs_notify) {
		/* berth-init's loader is single-threaded, so TSYNC changes
		 * nothing; the kernel refuses it together with a listener. */
		hdr.flags &= ~(uint32_t)SECCOMP_FILTER_FLAG_TSYNC;
		hdr.flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	}
	hdr.n_insns = (uint32_t)n;
	r = plan_put2(buf, PLAN_SECCOMP, &hdr, sizeof(hdr), insns, n * sizeof(*insns), err);
	free(insns);
	return r;
}

static int plan_put_hook(struct plan_buf *buf, const struct spec_hook *hook, size_t index,
			 struct berth_err *err)
{
	struct plan_hook h;
	size_t len = strlen(hook->path) + 1, off;
	char *strings;
	int r;

	h.timeout = hook->timeout.set ? (hook->timeout.v > INT32_MAX ? INT32_MAX : (int32_t)hook->timeout.v) : 0;
	h.argc = (uint32_t)plan_strv_len(hook->args);
	h.envc = (uint32_t)plan_strv_len(hook->env);
	for (size_t i = 0; i < h.argc; i++)
		len += strlen(hook->args[i]) + 1;
	for (size_t i = 0; i < h.envc; i++)
		len += strlen(hook->env[i]) + 1;
	strings = malloc(len);
	if (!strings)
		return berth_err_set(err, ENOMEM, "hooks.startContainer[%zu]", index);
	off = 0;
	memcpy(strings, hook->path, strlen(hook->path) + 1);
	off += strlen(hook->path) + 1;
	for (size_t i = 0; i < h.argc; i++) {
		memcpy(strings + off, hook->args[i], strlen(hook->args[i]) + 1);
		off += strlen(hook->args[i]) + 1;
	}
	for (size_t i = 0; i < h.envc; i++) {
		memcpy(strings + off, hook->env[i], strlen(hook->env[i]) + 1);
		off += strlen(hook->env[i]) + 1;
	}
	r = plan_put2(buf, PLAN_HOOK_START, &h, sizeof(h), strings, len, err);
	free(strings);
	return r;
}

static int plan_put_process(struct plan_buf *buf, const struct spec *spec, enum plan_mode chosen,
			    struct berth_err *err)
{
	const struct spec_process *p = &spec->process;
	struct plan_user user = { 0 };
	uint32_t mode = (uint32_t)chosen;
	const uint32_t *gids = p->user.additional_gids;
	size_t n_gids = p->user.n_additional_gids;

	if (!p->args || !p->args[0])
		return berth_err_set(err, EINVAL, "process.args: empty");
	if (plan_put_strv(buf, PLAN_ARG, p->args, err) < 0 || plan_put_strv(buf, PLAN_ENV, p->env, err) < 0)
		return -1;
	if (plan_put_str(buf, PLAN_CWD, p->cwd && p->cwd[0] ? p->cwd : "/", err) < 0)
		return -1;
	user.uid = p->user.uid;
	user.gid = p->user.gid;
	user.has_umask = p->user.umask.set;
	user.umask = p->user.umask.set ? (uint32_t)p->user.umask.v : 0;
	if (plan_put(buf, PLAN_USER, &user, sizeof(user), err) < 0)
		return -1;
	/* Always present, even empty: like runc, the workload never inherits
	 * stage 1's supplementary groups. */
	if (plan_put(buf, PLAN_GROUPS, gids, n_gids * sizeof(*gids), err) < 0)
		return -1;
	if (p->caps.set && plan_put_caps(buf, &p->caps, err) < 0)
		return -1;
	if (p->no_new_privileges && plan_put(buf, PLAN_NO_NEW_PRIVS, NULL, 0, err) < 0)
		return -1;
	if (plan_put(buf, PLAN_MODE, &mode, sizeof(mode), err) < 0)
		return -1;
	if (p->apparmor_profile && p->apparmor_profile[0]) {
		if (!labels_apparmor_enabled())
			log_warn("process.apparmorProfile \"%s\" ignored: AppArmor is not enabled on this host",
				 p->apparmor_profile);
		else if (plan_put_str(buf, PLAN_APPARMOR, p->apparmor_profile, err) < 0)
			return -1;
	}
	if (p->selinux_label && p->selinux_label[0]) {
		if (!labels_selinux_enabled())
			log_warn("process.selinuxLabel \"%s\" ignored: SELinux is not enabled on this host",
				 p->selinux_label);
		else if (plan_put_str(buf, PLAN_SELINUX, p->selinux_label, err) < 0)
			return -1;
	}
	return 0;
}

static int plan_put_opts(struct plan_buf *buf, const struct plan_opts *opts, struct berth_err *err)
{
	if (opts->control_fd >= 0 && plan_put_i32(buf, PLAN_CONTROL_FD, opts->control_fd, err) < 0)
		return -1;
	if (opts->report_fd >= 0 && plan_put_i32(buf, PLAN_REPORT_FD, opts->report_fd, err) < 0)
		return -1;
	if (opts->tty && plan_put(buf, PLAN_TTY, NULL, 0, err) < 0)
		return -1;
	if (opts->preserve_fds > 0) {
		uint32_t n = opts->preserve_fds;
		if (plan_put(buf, PLAN_PRESERVE_FDS, &n, sizeof(n), err) < 0)
			return -1;
	}
	if (opts->stdout_fd >= 0 && plan_put_i32(buf, PLAN_STDOUT_FD, opts->stdout_fd, err) < 0)
		return -1;
	if (opts->stderr_fd >= 0 && plan_put_i32(buf, PLAN_STDERR_FD, opts->stderr_fd, err) < 0)
		return -1;
	return 0;
}

int plan_build(const struct spec *spec, const struct plan_opts *opts, struct plan_buf *out,
	       struct berth_err *err)
{
	/* An exec'd process is not the container's start: no hooks. */
	static const struct spec_hook_list no_hooks = { NULL, 0 };
	const struct spec_hook_list *hooks = opts->exec_process ? &no_hooks : &spec->hooks[SPEC_HOOK_START_CONTAINER];
	enum plan_mode mode = opts->exec_process ? PLAN_MODE_EXEC : plan_choose_mode(spec);
	struct plan_header hdr = { PLAN_MAGIC, PLAN_VERSION, 0 };

	out->len = 0;
	if (!spec->has_process)
		return berth_err_set(err, EINVAL, "launch plan: config.json has no process");
	if ((opts->control_fd >= 0 && (unsigned)opts->control_fd < 3u + opts->preserve_fds) ||
	    (opts->report_fd >= 0 && (unsigned)opts->report_fd < 3u + opts->preserve_fds))
		return berth_err_set(err, EINVAL, "launch plan: control or report fd is a stdio or preserved fd");
	if (plan_reserve(out, sizeof(hdr), err) < 0)
		goto fail;
	memcpy(out->data, &hdr, sizeof(hdr));
	out->len = sizeof(hdr);
	if (plan_put_process(out, spec, mode, err) < 0)
		goto fail;
	if (spec->linux_.seccomp.set && plan_put_seccomp(out, &spec->linux_.seccomp, opts->seccomp_cache_dir, err) < 0)
		goto fail;
	for (size_t i = 0; i < hooks->n; i++) {
		if (plan_put_hook(out, &hooks->hooks[i], i, err) < 0)
			goto fail;
	}
	if (plan_put_opts(out, opts, err) < 0)
		goto fail;
	hdr.size = (uint32_t)out->len;
	memcpy(out->data, &hdr, sizeof(hdr));
	return 0;
fail:
	plan_buf_free(out);
	return berth_err_wrap(err, "launch plan");
}
