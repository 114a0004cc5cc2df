/* Strict launch-plan decoder. The plan comes from the berth binary that
 * embeds this init, but it crosses a process boundary through an fd, so
 * every size, bound and string is checked before anything trusts it. */
#include "plan_decode.h"

#include <stdlib.h>
#include <string.h>

#define PLAN_MAX_GROUPS 65536u      /* NGROUPS_MAX */
#define PLAN_MAX_INSNS 4096u        /* BPF_MAXINSNS */
#define PLAN_MAX_PRESERVE 65536u

struct plan_cursor {
	const uint8_t *buf;
	size_t size;
	size_t off;
};

/* Next record and its payload; 0 at the end, 1 for a record, -1 on error. */
static int plan_next(struct plan_cursor *cur, struct plan_record *rec,
		     const uint8_t **payload, const char **why)
{
	size_t left;

	if (cur->off == cur->size)
		return 0;
	left = cur->size - cur->off;
	if (left < sizeof(*rec)) {
		*why = "truncated record header";
		return -1;
	}
	memcpy(rec, cur->buf + cur->off, sizeof(*rec));
	left -= sizeof(*rec);
	if (rec->len > left || plan_align8(rec->len) > left) {
		*why = "record extends past the end of the plan";
		return -1;
	}
	if (rec->reserved != 0) {
		*why = "record reserved field is not zero";
		return -1;
	}
	*payload = cur->buf + cur->off + sizeof(*rec);
	cur->off += sizeof(*rec) + plan_align8(rec->len);
	return 1;
}

/* A string payload: non-empty, exactly one NUL, at the end. */
static int plan_check_string(const uint8_t *p, uint32_t len)
{
	return len >= 1 && memchr(p, 0, len) == p + len - 1 ? 0 : -1;
}

/* Counts the NUL-terminated strings that exactly fill p[0..len). */
static int plan_count_strings(const uint8_t *p, size_t len, uint64_t *count)
{
	size_t off = 0;

	*count = 0;
	while (off < len) {
		const uint8_t *nul = memchr(p + off, 0, len - off);
		if (!nul)
			return -1;
		off = (size_t)(nul - p) + 1;
		(*count)++;
	}
	return 0;
}

static int plan_check_i32_fd(const uint8_t *p, uint32_t len, int min, int *out)
{
	int32_t v;

	if (len != sizeof(v))
		return -1;
	memcpy(&v, p, sizeof(v));
	if (v < min)
		return -1;
	*out = v;
	return 0;
}

/* Pass 1: validate every record; count the pointer slots pass 2 needs. */
static int plan_validate(struct plan_cursor cur, struct plan_view *v,
			 size_t *slots, const char **why)
{
	uint32_t seen = 0;
	struct plan_record rec;
	const uint8_t *p = NULL;
	int r;

	*slots = 0;
	while ((r = plan_next(&cur, &rec, &p, why)) == 1) {
		if (rec.type == 0 || rec.type >= PLAN_TYPE_MAX) {
			*why = "unknown record type";
			return -1;
		}
		if (rec.type != PLAN_ARG && rec.type != PLAN_ENV && rec.type != PLAN_HOOK_START) {
			if (seen & (1u << rec.type)) {
				*why = "duplicate record";
				return -1;
			}
			seen |= 1u << rec.type;
		}
		switch (rec.type) {
		case PLAN_ARG:
		case PLAN_ENV:
		case PLAN_APPARMOR:
		case PLAN_SELINUX:
		case PLAN_CWD:
			if (plan_check_string(p, rec.len) < 0) {
				*why = "string record is not NUL-terminated";
				return -1;
			}
			if (rec.type == PLAN_CWD && p[0] != '/') {
				*why = "cwd is not absolute";
				return -1;
			}
			if (rec.type == PLAN_ARG)
				v->n_args++;
			if (rec.type == PLAN_ENV)
				v->n_env++;
			break;
		case PLAN_USER:
			if (rec.len != sizeof(struct plan_user)) {
				*why = "bad user record size";
				return -1;
			}
			break;
		case PLAN_GROUPS:
			if (rec.len % sizeof(uint32_t) || rec.len / sizeof(uint32_t) > PLAN_MAX_GROUPS) {
				*why = "bad groups record size";
				return -1;
			}
			break;
		case PLAN_CAPS:
			if (rec.len != sizeof(struct plan_caps)) {
				*why = "bad capabilities record size";
				return -1;
			}
			break;
		case PLAN_NO_NEW_PRIVS:
		case PLAN_TTY:
			if (rec.len != 0) {
				*why = "flag record has a payload";
				return -1;
			}
			break;
		case PLAN_SECCOMP: {
			struct plan_seccomp sc;
			if (rec.len < sizeof(sc)) {
				*why = "bad seccomp record size";
				return -1;
			}
			memcpy(&sc, p, sizeof(sc));
			if (sc.n_insns == 0 || sc.n_insns > PLAN_MAX_INSNS ||
			    rec.len != sizeof(sc) + (uint64_t)sc.n_insns * 8u) {
				*why = "bad seccomp program size";
				return -1;
			}
			break;
		}
		case PLAN_MODE: {
			uint32_t mode;
			if (rec.len != sizeof(mode)) {
				*why = "bad mode record size";
				return -1;
			}
			memcpy(&mode, p, sizeof(mode));
			if (mode != PLAN_MODE_FORK && mode != PLAN_MODE_EXEC) {
				*why = "unknown mode";
				return -1;
			}
			break;
		}
		case PLAN_CONTROL_FD:
		case PLAN_REPORT_FD:
		case PLAN_STDOUT_FD:
		case PLAN_STDERR_FD: {
			int fd;
			if (plan_check_i32_fd(p, rec.len, rec.type == PLAN_CONTROL_FD || rec.type == PLAN_REPORT_FD ? 3 : 0, &fd) < 0) {
				*why = "bad fd record";
				return -1;
			}
			break;
		}
		case PLAN_PRESERVE_FDS: {
			uint32_t n;
			if (rec.len != sizeof(n)) {
				*why = "bad preserve-fds record size";
				return -1;
			}
			memcpy(&n, p, sizeof(n));
			if (n > PLAN_MAX_PRESERVE) {
				*why = "too many preserved fds";
				return -1;
			}
			break;
		}
		case PLAN_HOOK_START: {
			struct plan_hook h;
			uint64_t n;
			if (rec.len < sizeof(h)) {
				*why = "bad hook record size";
				return -1;
			}
			memcpy(&h, p, sizeof(h));
			if (plan_count_strings(p + sizeof(h), rec.len - sizeof(h), &n) < 0 ||
			    n != 1u + (uint64_t)h.argc + h.envc) {
				*why = "bad hook strings";
				return -1;
			}
			if (p[sizeof(h)] != '/') {
				*why = "hook path is not absolute";
				return -1;
			}
			if (h.timeout < 0) {
				*why = "negative hook timeout";
				return -1;
			}
			v->n_hooks++;
			/* argv (argc or 1 entry when empty) + NULL, envp + NULL */
			*slots += (h.argc ? h.argc : 1u) + 1u + h.envc + 1u;
			break;
		}
		}
	}
	if (r < 0)
		return -1;
	if (v->n_args == 0) {
		*why = "no args";
		return -1;
	}
	if (!(seen & (1u << PLAN_USER))) {
		*why = "no user record";
		return -1;
	}
	if (!(seen & (1u << PLAN_CWD))) {
		*why = "no cwd record";
		return -1;
	}
	*slots += v->n_args + 1u + v->n_env + 1u;
	return 0;
}

/* Fills vec with the n NUL-terminated strings starting at p; returns the
 * position after the last one. */
static const uint8_t *plan_fill_strings(const uint8_t *p, char **vec, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		vec[i] = (char *)p;
		p += strlen((const char *)p) + 1;
	}
	vec[n] = NULL;
	return p;
}

/* Pass 2: point the view at the (already validated) records. */
static void plan_fill(struct plan_cursor cur, struct plan_view *v, char **slot)
{
	struct plan_record rec;
	const uint8_t *p = NULL;
	const char *ignored;
	uint32_t n_args = 0, n_env = 0, n_hooks = 0;

	v->args = slot;
	slot += v->n_args + 1;
	v->env = slot;
	slot += v->n_env + 1;
	while (plan_next(&cur, &rec, &p, &ignored) == 1) {
		switch (rec.type) {
		case PLAN_ARG: v->args[n_args++] = (char *)p; break;
		case PLAN_ENV: v->env[n_env++] = (char *)p; break;
		case PLAN_CWD: v->cwd = (const char *)p; break;
		case PLAN_USER: memcpy(&v->user, p, sizeof(v->user)); break;
		case PLAN_GROUPS:
			v->has_groups = true;
			v->groups = (const uint32_t *)(const void *)p;
			v->n_groups = rec.len / sizeof(uint32_t);
			break;
		case PLAN_CAPS:
			v->has_caps = true;
			memcpy(&v->caps, p, sizeof(v->caps));
			break;
		case PLAN_NO_NEW_PRIVS: v->no_new_privs = true; break;
		case PLAN_SECCOMP: {
			struct plan_seccomp sc;
			memcpy(&sc, p, sizeof(sc));
			v->has_seccomp = true;
			v->seccomp.flags = sc.flags;
			v->seccomp.n_insns = sc.n_insns;
			v->seccomp.insns = p + sizeof(sc);
			break;
		}
		case PLAN_MODE: memcpy(&v->mode, p, sizeof(v->mode)); break;
		case PLAN_APPARMOR: v->apparmor = (const char *)p; break;
		case PLAN_SELINUX: v->selinux = (const char *)p; break;
		case PLAN_CONTROL_FD: plan_check_i32_fd(p, rec.len, 0, &v->control_fd); break;
		case PLAN_REPORT_FD: plan_check_i32_fd(p, rec.len, 0, &v->report_fd); break;
		case PLAN_TTY: v->tty = true; break;
		case PLAN_STDOUT_FD: plan_check_i32_fd(p, rec.len, 0, &v->stdout_fd); break;
		case PLAN_STDERR_FD: plan_check_i32_fd(p, rec.len, 0, &v->stderr_fd); break;
		case PLAN_PRESERVE_FDS: memcpy(&v->preserve_fds, p, sizeof(v->preserve_fds)); break;
		case PLAN_HOOK_START: {
			struct plan_hook h;
			struct plan_hook_view *hv = &v->hooks[n_hooks++];
			const uint8_t *s;
			memcpy(&h, p, sizeof(h));
			hv->timeout = h.timeout;
			hv->path = (const char *)p + sizeof(h);
			hv->argc = h.argc;
			hv->envc = h.envc;
			hv->argv = slot;
			s = p + sizeof(h) + strlen(hv->path) + 1;
			if (h.argc) {
				s = plan_fill_strings(s, slot, h.argc);
				slot += h.argc + 1;
			} else {
				/* like exec.Cmd: no args means argv = { path } */
				slot[0] = (char *)hv->path;
				slot[1] = NULL;
				slot += 2;
			}
			hv->envp = slot;
			plan_fill_strings(s, slot, h.envc);
			slot += h.envc + 1;
			break;
		}
		}
	}
	v->args[n_args] = NULL;
	v->env[n_env] = NULL;
}

int plan_decode(const uint8_t *buf, size_t len, struct plan_view *view, const char **why)
{
	struct plan_header hdr;
	struct plan_cursor cur;
	size_t slots, hooks_bytes;

	memset(view, 0, sizeof(*view));
	view->control_fd = view->report_fd = view->stdout_fd = view->stderr_fd = -1;
	if ((uintptr_t)buf % 8u) {
		*why = "plan buffer is not 8-byte aligned";
		return -1;
	}
	if (len < sizeof(hdr)) {
		*why = "truncated header";
		return -1;
	}
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.magic != PLAN_MAGIC) {
		*why = "bad magic";
		return -1;
	}
	if (hdr.version != PLAN_VERSION) {
		*why = "unsupported version";
		return -1;
	}
	if (hdr.size != len || hdr.size > PLAN_MAX_SIZE) {
		*why = "size in header does not match the plan";
		return -1;
	}
	cur.buf = buf;
	cur.size = len;
	cur.off = sizeof(hdr);
	if (plan_validate(cur, view, &slots, why) < 0)
		return -1;
	hooks_bytes = view->n_hooks * sizeof(struct plan_hook_view);
	view->vectors = malloc(hooks_bytes + slots * sizeof(char *));
	if (!view->vectors) {
		*why = "out of memory";
		return -1;
	}
	view->hooks = view->vectors;
	plan_fill(cur, view, (char **)(void *)((uint8_t *)view->vectors + hooks_bytes));
	/* The preserved range goes to the workload as is: the control socket
	 * must not sit inside it. */
	if ((view->control_fd >= 0 && (uint64_t)view->control_fd < 3u + (uint64_t)view->preserve_fds) ||
	    (view->report_fd >= 0 && (uint64_t)view->report_fd < 3u + (uint64_t)view->preserve_fds)) {
		plan_view_free(view);
		*why = "control or report fd inside the preserved fd range";
		return -1;
	}
	return 0;
}

void plan_view_free(struct plan_view *view)
{
	free(view->vectors);
	view->vectors = NULL;
	view->hooks = NULL;
	view->args = view->env = NULL;
}
