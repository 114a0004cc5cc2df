/* config.json "process": args, env, cwd, user, capabilities, rlimits,
 * scheduler, I/O priority and the rest of what berth-init applies. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "cpu_affinity.h"
#include "spec_parse_internal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct spec_name_value {
	const char *name;
	long value;
};

/* Looks name up in a table; -1 when absent. */
static int spec_lookup_name(const struct spec_name_value *table, size_t n, const char *name,
			    long *out)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(table[i].name, name) == 0) {
			*out = table[i].value;
			return 0;
		}
	}
	return -1;
}

static const struct spec_name_value spec_rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU }, { "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE }, { "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE }, { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC }, { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

/* Linux reserves 4 for SCHED_ISO, which the runtime-spec lists. */
static const struct spec_name_value spec_sched_policies[] = {
	{ "SCHED_OTHER", SCHED_OTHER }, { "SCHED_FIFO", SCHED_FIFO }, { "SCHED_RR", SCHED_RR },
	{ "SCHED_BATCH", SCHED_BATCH }, { "SCHED_ISO", 4 }, { "SCHED_IDLE", SCHED_IDLE },
	{ "SCHED_DEADLINE", 6 },
};

/* SCHED_FLAG_* of linux/sched.h (not in glibc's headers). */
static const struct spec_name_value spec_sched_flags[] = {
	{ "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },
	{ "SCHED_FLAG_DL_OVERRUN", 0x04 }, { "SCHED_FLAG_KEEP_POLICY", 0x08 },
	{ "SCHED_FLAG_KEEP_PARAMS", 0x10 }, { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
	{ "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

/* IOPRIO_CLASS_* of linux/ioprio.h. */
static const struct spec_name_value spec_ioprio_classes[] = {
	{ "IOPRIO_CLASS_RT", 1 }, { "IOPRIO_CLASS_BE", 2 }, { "IOPRIO_CLASS_IDLE", 3 },
};

static int spec_parse_user(struct sj *j, yajl_val v, struct spec_user *u)
{
	yajl_val gids;
	size_t mark, n;

	if (sj_as_object(j, v) < 0 || sj_u32(j, v, "uid", &u->uid) < 0 ||
	    sj_u32(j, v, "gid", &u->gid) < 0 || sj_opt_u64(j, v, "umask", 0777, &u->umask) < 0)
		return -1;
	gids = sj_lookup(v, "additionalGids");
	if (!gids)
		return 0;
	mark = sj_enter_key(j, "additionalGids");
	if (sj_as_array(j, gids, &n) < 0)
		return -1;
	u->additional_gids = sj_calloc(j, n, sizeof(*u->additional_gids));
	if (!u->additional_gids)
		return -1;
	u->n_additional_gids = n;
	for (size_t i = 0; i < n; i++) {
		uint64_t gid;
		size_t imark = sj_enter_index(j, i);
		if (sj_as_u64(j, gids->u.array.values[i], UINT32_MAX, &gid) < 0)
			return -1;
		u->additional_gids[i] = (uint32_t)gid;
		sj_leave(j, imark);
	}
	sj_leave(j, mark);
	return 0;
}

/* One capability list ("bounding", ...) to a bit mask, names via libcap. */
int spec_cap_from_name(const char *name)
{
	cap_value_t cap;

	/* cap_from_name also takes numbers and lower case; the spec only has
	 * the CAP_ names. The masks are 64 bits. */
	if (strncmp(name, "CAP_", 4) != 0 || cap_from_name(name, &cap) != 0 || cap < 0 || cap > 63)
		return -1;
	return cap;
}

static int spec_parse_cap_list(struct sj *j, yajl_val caps, const char *key, uint64_t *mask)
{
	yajl_val v = sj_lookup(caps, key);
	size_t mark, n;

	if (!v)
		return 0;
	mark = sj_enter_key(j, key);
	if (sj_as_array(j, v, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		yajl_val item = v->u.array.values[i];
		size_t imark = sj_enter_index(j, i);
		const char *name;
		cap_value_t cap;

		if (!YAJL_IS_STRING(item))
			return sj_fail(j, "expected a string, got %s", sj_type_name(item));
		name = item->u.string;
		cap = spec_cap_from_name(name);
		if (cap < 0)
			return sj_fail(j, "unknown capability \"%s\"", name);
		*mask |= UINT64_C(1) << cap;
		sj_leave(j, imark);
	}
	sj_leave(j, mark);
	return 0;
}

static int spec_parse_caps(struct sj *j, yajl_val v, struct spec_caps *c)
{
	if (sj_as_object(j, v) < 0 || spec_parse_cap_list(j, v, "bounding", &c->bounding) < 0 ||
	    spec_parse_cap_list(j, v, "effective", &c->effective) < 0 ||
	    spec_parse_cap_list(j, v, "inheritable", &c->inheritable) < 0 ||
	    spec_parse_cap_list(j, v, "permitted", &c->permitted) < 0 ||
	    spec_parse_cap_list(j, v, "ambient", &c->ambient) < 0)
		return -1;
	c->set = true;
	return 0;
}

static int spec_parse_rlimit(struct sj *j, yajl_val v, struct spec_rlimit *r,
			     const struct spec_rlimit *earlier, size_t n_earlier)
{
	uint64_t soft = 0, hard = 0;
	long resource;
	size_t mark;

	if (sj_as_object(j, v) < 0 || sj_req_str(j, v, "type", &r->name) < 0)
		return -1;
	mark = sj_enter_key(j, "type");
	if (spec_lookup_name(spec_rlimit_names, ARRAY_LEN(spec_rlimit_names), r->name, &resource) < 0)
		return sj_fail(j, "unknown rlimit \"%s\"", r->name);
	/* The runtime-spec forbids the same type twice. */
	for (size_t i = 0; i < n_earlier; i++)
		if (earlier[i].resource == (int)resource)
			return sj_fail(j, "duplicate rlimit \"%s\"", r->name);
	sj_leave(j, mark);
	r->resource = (int)resource;
	if (!sj_lookup(v, "soft") || !sj_lookup(v, "hard")) {
		sj_enter_key(j, sj_lookup(v, "soft") ? "hard" : "soft");
		return sj_fail(j, "missing");
	}
	if (sj_u64(j, v, "soft", UINT64_MAX, &soft) < 0 ||
	    sj_u64(j, v, "hard", UINT64_MAX, &hard) < 0)
		return -1;
	r->soft = soft;
	r->hard = hard;
	return 0;
}

static int spec_parse_rlimits(struct sj *j, yajl_val proc, struct spec_process *p)
{
	yajl_val v = sj_lookup(proc, "rlimits");
	size_t mark, n;

	if (!v)
		return 0;
	mark = sj_enter_key(j, "rlimits");
	if (sj_as_array(j, v, &n) < 0)
		return -1;
	p->rlimits = sj_calloc(j, n, sizeof(*p->rlimits));
	if (!p->rlimits)
		return -1;
	p->n_rlimits = n;
	for (size_t i = 0; i < n; i++) {
		size_t imark = sj_enter_index(j, i);
		p->rlimits[i].resource = -1;
		if (spec_parse_rlimit(j, v->u.array.values[i], &p->rlimits[i], p->rlimits, i) < 0)
			return -1;
		sj_leave(j, imark);
	}
	sj_leave(j, mark);
	return 0;
}

static int spec_parse_sched_flags(struct sj *j, yajl_val sched, uint64_t *flags)
{
	yajl_val v = sj_lookup(sched, "flags");
	size_t mark, n;

	if (!v)
		return 0;
	mark = sj_enter_key(j, "flags");
	if (sj_as_array(j, v, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		yajl_val item = v->u.array.values[i];
		size_t imark = sj_enter_index(j, i);
		long flag;

		if (!YAJL_IS_STRING(item))
			return sj_fail(j, "expected a string, got %s", sj_type_name(item));
		if (spec_lookup_name(spec_sched_flags, ARRAY_LEN(spec_sched_flags), item->u.string,
				     &flag) < 0)
			return sj_fail(j, "unknown scheduler flag \"%s\"", item->u.string);
		*flags |= (uint64_t)flag;
		sj_leave(j, imark);
	}
	sj_leave(j, mark);
	return 0;
}

static int spec_parse_scheduler(struct sj *j, yajl_val v, struct spec_scheduler *s)
{
	char *policy = NULL;
	int64_t nice = 0, priority = 0;
	long value;
	size_t mark;
	int rc;

	if (sj_as_object(j, v) < 0 || sj_req_str(j, v, "policy", &policy) < 0)
		return -1;
	mark = sj_enter_key(j, "policy");
	rc = spec_lookup_name(spec_sched_policies, ARRAY_LEN(spec_sched_policies), policy, &value);
	if (rc < 0)
		sj_fail(j, "unknown scheduler policy \"%s\"", policy);
	free(policy);
	if (rc < 0)
		return -1;
	sj_leave(j, mark);
	s->policy = (int)value;
	if (sj_i64(j, v, "nice", -20, 19, &nice) < 0 ||
	    sj_i64(j, v, "priority", INT32_MIN, INT32_MAX, &priority) < 0 ||
	    spec_parse_sched_flags(j, v, &s->flags) < 0 ||
	    sj_u64(j, v, "runtime", UINT64_MAX, &s->runtime) < 0 ||
	    sj_u64(j, v, "deadline", UINT64_MAX, &s->deadline) < 0 ||
	    sj_u64(j, v, "period", UINT64_MAX, &s->period) < 0)
		return -1;
	s->nice = (int32_t)nice;
	s->priority = (int32_t)priority;
	s->set = true;
	return 0;
}

static int spec_parse_io_priority(struct sj *j, yajl_val v, struct spec_io_priority *io)
{
	char *class = NULL;
	int64_t priority = 0;
	long value;
	size_t mark;
	int rc;

	if (sj_as_object(j, v) < 0 || sj_req_str(j, v, "class", &class) < 0)
		return -1;
	mark = sj_enter_key(j, "class");
	rc = spec_lookup_name(spec_ioprio_classes, ARRAY_LEN(spec_ioprio_classes), class, &value);
	if (rc < 0)
		sj_fail(j, "unknown ioPriority class \"%s\"", class);
	free(class);
	if (rc < 0)
		return -1;
	sj_leave(j, mark);
	if (sj_i64(j, v, "priority", 0, 7, &priority) < 0)
		return -1;
	io->class = (int)value;
	io->priority = (int)priority;
	io->set = true;
	return 0;
}

/* Parses the optional object under key with fn, keeping the path right. */
#define SPEC_PARSE_SUBOBJECT(j, obj, key, fn, out)                            \
	({                                                                    \
		yajl_val sub_ = sj_lookup((obj), (key));                     \
		int rc_ = 0;                                                  \
		if (sub_) {                                                   \
			size_t mark_ = sj_enter_key((j), (key));              \
			rc_ = fn((j), sub_, (out));                           \
			if (rc_ == 0)                                         \
				sj_leave((j), mark_);                         \
		}                                                             \
		rc_;                                                          \
	})

static int spec_parse_console_size(struct sj *j, yajl_val v, struct spec_process *p)
{
	if (sj_as_object(j, v) < 0 ||
	    sj_opt_u64(j, v, "height", UINT16_MAX, &p->console_height) < 0 ||
	    sj_opt_u64(j, v, "width", UINT16_MAX, &p->console_width) < 0)
		return -1;
	return 0;
}

/* One of execCPUAffinity's lists, checked here so that a bad one fails
 * like any other config error, before anything is made. */
static int spec_parse_cpu_list(struct sj *j, yajl_val v, const char *key, char **out)
{
	cpu_set_t set;
	const char *why;
	size_t mark;

	if (sj_str(j, v, key, out) < 0)
		return -1;
	if (!*out)
		return 0;
	mark = sj_enter_key(j, key);
	if (cpu_list_parse(*out, &set, &why) < 0)
		return sj_fail(j, "invalid CPU list \"%s\": %s", *out, why);
	sj_leave(j, mark);
	return 0;
}

static int spec_parse_cpu_affinity(struct sj *j, yajl_val v, struct spec_process *p)
{
	if (sj_as_object(j, v) < 0 ||
	    spec_parse_cpu_list(j, v, "initial", &p->exec_cpu_affinity_initial) < 0 ||
	    spec_parse_cpu_list(j, v, "final", &p->exec_cpu_affinity_final) < 0)
		return -1;
	return 0;
}

static int spec_parse_args(struct sj *j, yajl_val v, struct spec_process *p)
{
	size_t mark = sj_enter_key(j, "args");

	if (!sj_lookup(v, "args"))
		return sj_fail(j, "missing");
	sj_leave(j, mark);
	if (sj_strv(j, v, "args", &p->args) < 0)
		return -1;
	if (!p->args[0]) {
		sj_enter_key(j, "args");
		return sj_fail(j, "must have at least one element");
	}
	return 0;
}

int spec_parse_process(struct sj *j, yajl_val v, struct spec_process *p)
{
	size_t mark;

	if (sj_as_object(j, v) < 0 || sj_bool(j, v, "terminal", &p->terminal) < 0 ||
	    SPEC_PARSE_SUBOBJECT(j, v, "consoleSize", spec_parse_console_size, p) < 0 ||
	    SPEC_PARSE_SUBOBJECT(j, v, "user", spec_parse_user, &p->user) < 0 ||
	    spec_parse_args(j, v, p) < 0 || sj_strv(j, v, "env", &p->env) < 0 ||
	    sj_str(j, v, "cwd", &p->cwd) < 0)
		return -1;
	if (!p->cwd) {
		p->cwd = sj_strdup(j, "/");
		if (!p->cwd)
			return -1;
	}
	mark = sj_enter_key(j, "cwd");
	if (sj_check_absolute(j, p->cwd) < 0)
		return -1;
	sj_leave(j, mark);
	if (SPEC_PARSE_SUBOBJECT(j, v, "capabilities", spec_parse_caps, &p->caps) < 0 ||
	    spec_parse_rlimits(j, v, p) < 0 ||
	    sj_str(j, v, "apparmorProfile", &p->apparmor_profile) < 0 ||
	    sj_bool(j, v, "noNewPrivileges", &p->no_new_privileges) < 0 ||
	    sj_opt_i64(j, v, "oomScoreAdj", -1000, 1000, &p->oom_score_adj) < 0 ||
	    SPEC_PARSE_SUBOBJECT(j, v, "scheduler", spec_parse_scheduler, &p->scheduler) < 0 ||
	    sj_str(j, v, "selinuxLabel", &p->selinux_label) < 0 ||
	    SPEC_PARSE_SUBOBJECT(j, v, "ioPriority", spec_parse_io_priority, &p->io_priority) < 0 ||
	    SPEC_PARSE_SUBOBJECT(j, v, "execCPUAffinity", spec_parse_cpu_affinity, p) < 0)
		return -1;
	return 0;
}
