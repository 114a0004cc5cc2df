/* config.json "linux.seccomp": actions, architectures, flags and rules into
 * libseccomp's values. Syscall names stay strings: a name this kernel or
 * libseccomp does not know is skipped when the filter is compiled, as runc
 * does, so one profile serves many kernels. */
#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "spec_parse_internal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct seccomp_name_value {
	const char *name;
	uint32_t value;
};

/* ERRNO and TRACE get their return value folded in by the caller. */
static const struct seccomp_name_value seccomp_actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0) },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0) },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG },
	{ "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY },
};

/* SECCOMP_FILTER_FLAG_* of linux/seccomp.h, the ones the runtime-spec lists. */
static const struct seccomp_name_value seccomp_flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", 1u << 0 },
	{ "SECCOMP_FILTER_FLAG_LOG", 1u << 1 },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 1u << 2 },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 1u << 5 },
};

static const struct seccomp_name_value seccomp_ops[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* The architectures the runtime-spec names. libseccomp has no list of its
 * own, so this one bounds what berth asks it about. */
static const char *const seccomp_spec_archs[] = {
	"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
	"SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
	"SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64",
	"SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
};

/* The libseccomp token of a runtime-spec architecture name, 0 if the name
 * is not one or this libseccomp does not know it. libseccomp names archs in
 * lower case without the prefix. */
static uint32_t seccomp_arch_token(const char *name)
{
	const char *suffix;
	char lower[64];
	size_t i, k;

	for (i = 0; i < ARRAY_LEN(seccomp_spec_archs); i++)
		if (strcmp(name, seccomp_spec_archs[i]) == 0)
			break;
	if (i == ARRAY_LEN(seccomp_spec_archs))
		return 0;
	/* Every table name has the prefix. */
	suffix = name + strlen("SCMP_ARCH_");
	if (strlen(suffix) >= sizeof(lower))
		return 0;
	for (k = 0; suffix[k]; k++)
		lower[k] = (char)tolower((unsigned char)suffix[k]);
	lower[k] = '\0';
	return seccomp_arch_resolve_name(lower);
}

const char *spec_seccomp_action_name(size_t i, uint32_t *action)
{
	if (i >= ARRAY_LEN(seccomp_actions))
		return NULL;
	*action = seccomp_actions[i].value;
	return seccomp_actions[i].name;
}

const char *spec_seccomp_operator_name(size_t i)
{
	return i < ARRAY_LEN(seccomp_ops) ? seccomp_ops[i].name : NULL;
}

const char *spec_seccomp_flag_name(size_t i, uint32_t *flag)
{
	if (i >= ARRAY_LEN(seccomp_flags))
		return NULL;
	*flag = seccomp_flags[i].value;
	return seccomp_flags[i].name;
}

const char *spec_seccomp_arch_name(size_t i, bool *known)
{
	if (i >= ARRAY_LEN(seccomp_spec_archs))
		return NULL;
	*known = seccomp_arch_token(seccomp_spec_archs[i]) != 0;
	return seccomp_spec_archs[i];
}

static int seccomp_lookup(const struct seccomp_name_value *table, size_t n, const char *name,
			  uint32_t *out)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(table[i].name, name) == 0) {
			*out = table[i].value;
			return 0;
		}
	}
	return -1;
}

/* Reads obj[action_key] (and obj[errno_key] for ERRNO/TRACE) into one
 * SCMP_ACT_* value; an errno defaults to EPERM like runc's. */
static int seccomp_parse_action(struct sj *j, yajl_val obj, const char *action_key,
				const char *errno_key, struct spec_seccomp *s, uint32_t *out)
{
	char *name = NULL;
	uint64_t errno_ret = EPERM;
	uint32_t action;
	size_t mark;

	if (sj_req_str(j, obj, action_key, &name) < 0)
		return -1;
	mark = sj_enter_key(j, action_key);
	if (seccomp_lookup(seccomp_actions, ARRAY_LEN(seccomp_actions), name, &action) < 0) {
		sj_fail(j, "unknown seccomp action \"%s\"", name);
		free(name);
		return -1;
	}
	sj_leave(j, mark);
	if (action == SCMP_ACT_ERRNO(0) || action == SCMP_ACT_TRACE(0)) {
		if (sj_u64(j, obj, errno_key, UINT16_MAX, &errno_ret) < 0) {
			free(name);
			return -1;
		}
		action |= (uint32_t)errno_ret;
	}
	if (action == SCMP_ACT_NOTIFY)
		s->needs_notify = true;
	free(name);
	*out = action;
	return 0;
}

static int seccomp_parse_architectures(struct sj *j, yajl_val seccomp, struct spec_seccomp *s)
{
	yajl_val v = sj_lookup(seccomp, "architectures");
	size_t mark, n;

	if (!v)
		return 0;
	mark = sj_enter_key(j, "architectures");
	if (sj_as_array(j, v, &n) < 0)
		return -1;
	s->architectures = sj_calloc(j, n, sizeof(*s->architectures));
	if (!s->architectures)
		return -1;
	s->n_architectures = n;
	for (size_t i = 0; i < n; i++) {
		yajl_val item = v->u.array.values[i];
		size_t imark = sj_enter_index(j, i);

		if (!YAJL_IS_STRING(item))
			return sj_fail(j, "expected a string, got %s", sj_type_name(item));
		s->architectures[i] = seccomp_arch_token(item->u.string);
		if (s->architectures[i] == 0)
			return sj_fail(j, "unknown seccomp architecture \"%s\"", item->u.string);
		sj_leave(j, imark);
	}
	sj_leave(j, mark);
	return 0;
}

static int seccomp_parse_flags(struct sj *j, yajl_val seccomp, struct spec_seccomp *s)
{
	yajl_val v = sj_lookup(seccomp, "flags");
	size_t mark, n;

	if (!v)
		return 0;
	mark = sj_enter_key(j, "flags");
	if (sj_as_array(j, v, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		yajl_val item = v->u.array.values[i];
		size_t imark = sj_enter_index(j, i);
		uint32_t flag;

		if (!YAJL_IS_STRING(item))
			return sj_fail(j, "expected a string, got %s", sj_type_name(item));
		if (seccomp_lookup(seccomp_flags, ARRAY_LEN(seccomp_flags), item->u.string, &flag) < 0)
			return sj_fail(j, "unknown seccomp flag \"%s\"", item->u.string);
		s->flags |= flag;
		sj_leave(j, imark);
	}
	sj_leave(j, mark);
	return 0;
}

static int seccomp_parse_arg(struct sj *j, yajl_val v, void *elem, void *ctx)
{
	struct spec_seccomp_arg *a = elem;
	uint64_t index = 0;
	char *op = NULL;
	uint32_t value;
	size_t mark;

	if (sj_as_object(j, v) < 0)
		return -1;
	if (!sj_lookup(v, "index") || !sj_lookup(v, "value")) {
		sj_enter_key(j, sj_lookup(v, "index") ? "value" : "index");
		return sj_fail(j, "missing");
	}
	/* Syscalls have six argument registers. */
	if (sj_u64(j, v, "index", 5, &index) < 0 ||
	    sj_u64(j, v, "value", UINT64_MAX, &a->value) < 0 ||
	    sj_u64(j, v, "valueTwo", UINT64_MAX, &a->value_two) < 0 ||
	    sj_req_str(j, v, "op", &op) < 0)
		return -1;
	a->index = (unsigned int)index;
	mark = sj_enter_key(j, "op");
	if (seccomp_lookup(seccomp_ops, ARRAY_LEN(seccomp_ops), op, &value) < 0) {
		sj_fail(j, "unknown seccomp operator \"%s\"", op);
		free(op);
		return -1;
	}
	free(op);
	sj_leave(j, mark);
	a->op = (int)value;
	return 0;
}

static int seccomp_parse_rule(struct sj *j, yajl_val v, void *elem, void *ctx)
{
	struct spec_seccomp *s = ctx;
	struct spec_seccomp_rule *r = elem;
	size_t mark;

	if (sj_as_object(j, v) < 0)
		return -1;
	mark = sj_enter_key(j, "names");
	if (!sj_lookup(v, "names"))
		return sj_fail(j, "missing");
	sj_leave(j, mark);
	if (sj_strv(j, v, "names", &r->names) < 0)
		return -1;
	if (!r->names[0]) {
		sj_enter_key(j, "names");
		return sj_fail(j, "must have at least one element");
	}
	if (seccomp_parse_action(j, v, "action", "errnoRet", s, &r->action) < 0)
		return -1;
	return SJ_ARRAY(j, v, "args", seccomp_parse_arg, NULL, r->args, r->n_args);
}

static int seccomp_parse_rules(struct sj *j, yajl_val seccomp, struct spec_seccomp *s)
{
	return SJ_ARRAY(j, seccomp, "syscalls", seccomp_parse_rule, s, s->rules, s->n_rules);
}

int spec_parse_seccomp(struct sj *j, yajl_val v, struct spec_seccomp *s)
{
	if (sj_as_object(j, v) < 0 ||
	    seccomp_parse_action(j, v, "defaultAction", "defaultErrnoRet", s, &s->default_action) < 0 ||
	    seccomp_parse_architectures(j, v, s) < 0 || seccomp_parse_flags(j, v, s) < 0 ||
	    sj_str(j, v, "listenerPath", &s->listener_path) < 0 ||
	    sj_str(j, v, "listenerMetadata", &s->listener_metadata) < 0 ||
	    seccomp_parse_rules(j, v, s) < 0)
		return -1;
	if (s->needs_notify && (!s->listener_path || !*s->listener_path)) {
		sj_enter_key(j, "listenerPath");
		return sj_fail(j, "must be set when an action is SCMP_ACT_NOTIFY");
	}
	s->set = true;
	return 0;
}

/* The syscalls the supervisor can answer, by their libseccomp names. */
static const struct seccomp_name_value supervisable[] = {
	{ "perf_event_open", SECCOMP_SUPERVISE_PERF_EVENT_OPEN },
};

const char *spec_seccomp_supervisable_name(size_t i, unsigned *bit)
{
	if (i >= ARRAY_LEN(supervisable))
		return NULL;
	*bit = supervisable[i].value;
	return supervisable[i].name;
}

int spec_parse_seccomp_supervise(struct sj *j, struct spec *spec)
{
	const char *want = spec_annotation(spec, SPEC_ANNOTATION_SECCOMP_SUPERVISE);
	struct spec_seccomp *s = &spec->linux_.seccomp;
	size_t mark;

	if (!want)
		return 0;
	mark = sj_enter_key(j, "annotations");
	sj_enter_member(j, SPEC_ANNOTATION_SECCOMP_SUPERVISE);
	for (const char *p = want; *p;) {
		size_t len = strcspn(p, ","), i;

		for (i = 0; i < ARRAY_LEN(supervisable); i++)
			if (strlen(supervisable[i].name) == len && strncmp(p, supervisable[i].name, len) == 0)
				break;
		if (i == ARRAY_LEN(supervisable))
			return sj_fail(j, "berth cannot supervise \"%.*s\" (it can: perf_event_open)", (int)len, p);
		s->supervised |= supervisable[i].value;
		p += len + (p[len] == ',');
	}
	if (!s->supervised)
		return sj_fail(j, "names no syscall");
	/* One filter has one listener, and it goes either to berth's
	 * supervisor or to listenerPath. */
	if (s->needs_notify)
		return sj_fail(j, "cannot be combined with SCMP_ACT_NOTIFY rules of linux.seccomp");
	if (!s->set) {
		s->set = true;
		s->default_action = SCMP_ACT_ALLOW;
	}
	s->needs_notify = true;
	sj_leave(j, mark);
	return 0;
}
