/* The features document (see runtime_features.h). Keys come in the order of the
 * runtime-spec's Go types, as runc prints them; the name lists runc sorts
 * are sorted too, so the two outputs compare line by line. An empty list
 * is left out, as Go's omitempty does ("unknown", never "[]"). */
#include "runtime_features.h"

#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "labels.h"
#include "mount_options.h"
#include "plan_build.h"
#include "seccomp_bpf.h"
#include "spec.h"

/* More than any table behind a list holds (mount options: about 60). */
#define FEATURES_MAX_NAMES 128
#define FEATURES_CAP_NAME_MAX 48

/* A list of names being collected for one key. */
struct name_list {
	const char *names[FEATURES_MAX_NAMES];
	size_t n;
};

static void name_list_add(struct name_list *l, const char *name)
{
	/* The tables are fixed at build time and far below the bound. */
	if (l->n < FEATURES_MAX_NAMES)
		l->names[l->n++] = name;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "key": [names...], sorted if asked; nothing at all for an empty list. */
static void gen_name_list(struct jsonw *w, const char *key, struct name_list *l, bool sorted)
{
	if (l->n == 0)
		return;
	if (sorted)
		qsort(l->names, l->n, sizeof(l->names[0]), compare_names);
	jsonw_str(w, key);
	jsonw_array_open(w);
	for (size_t i = 0; i < l->n; i++)
		jsonw_str(w, l->names[i]);
	jsonw_array_close(w);
}

static void gen_str_entry(struct jsonw *w, const char *key, const char *value)
{
	jsonw_str(w, key);
	jsonw_str(w, value);
}

static void gen_bool_entry(struct jsonw *w, const char *key, bool value)
{
	jsonw_str(w, key);
	jsonw_bool(w, value);
}

/* "key": {"enabled": value} */
static void gen_enabled(struct jsonw *w, const char *key, bool value)
{
	jsonw_str(w, key);
	jsonw_map_open(w);
	gen_bool_entry(w, "enabled", value);
	jsonw_map_close(w);
}

/* Every kind the parser reads is run: prestart and createRuntime by
 * stage 0, createContainer in stage 1, startContainer by berth-init,
 * poststart by start, poststop by delete. */
static const char *hook_name_at(size_t i)
{
	return i < SPEC_HOOK_KIND_COUNT ? spec_hook_kind_name((enum spec_hook_kind)i) : NULL;
}

static const char *namespace_name_at(size_t i)
{
	return i < SPEC_NS_COUNT ? spec_ns_name((enum spec_ns_type)i) : NULL;
}

/* "key": [every name name_at gives until NULL]. */
static void gen_table_names(struct jsonw *w, const char *key, const char *(*name_at)(size_t), bool sorted)
{
	struct name_list names = { .n = 0 };
	const char *name;

	for (size_t i = 0; (name = name_at(i)); i++)
		name_list_add(&names, name);
	gen_name_list(w, key, &names, sorted);
}

/* The caps the parser accepts (libcap's names) that the kernel has: a cap
 * past the kernel's last is dropped from the plan, never granted. In
 * number order, as runc lists them. */
static void gen_capabilities(struct jsonw *w)
{
	char names[64][FEATURES_CAP_NAME_MAX];
	struct name_list caps = { .n = 0 };
	int last = plan_cap_last_cap();

	for (int cap = 0; cap <= last && cap < 64; cap++) {
		plan_cap_name(cap, names[cap], sizeof(names[cap]));
		if (spec_cap_from_name(names[cap]) == cap)
			name_list_add(&caps, names[cap]);
	}
	gen_name_list(w, "capabilities", &caps, false);
}

static void gen_cgroup(struct jsonw *w)
{
	jsonw_str(w, "cgroup");
	jsonw_map_open(w);
	gen_bool_entry(w, "v1", true);
	gen_bool_entry(w, "v2", true);
	/* No systemd driver: a slice:prefix:name cgroupsPath is refused. */
	gen_bool_entry(w, "systemd", false);
	gen_bool_entry(w, "systemdUser", false);
	/* linux.resources.rdma is written to rdma.max (v1 and v2). */
	gen_bool_entry(w, "rdma", true);
	jsonw_map_close(w);
}

static void gen_seccomp(struct jsonw *w)
{
	struct name_list actions = { .n = 0 }, operators = { .n = 0 }, archs = { .n = 0 };
	struct name_list known_flags = { .n = 0 }, supported_flags = { .n = 0 };
	const char *name;
	uint32_t value;
	bool known;

	for (size_t i = 0; (name = spec_seccomp_action_name(i, &value)); i++)
		name_list_add(&actions, name);
	for (size_t i = 0; (name = spec_seccomp_operator_name(i)); i++)
		name_list_add(&operators, name);
	for (size_t i = 0; (name = spec_seccomp_arch_name(i, &known)); i++)
		if (known)
			name_list_add(&archs, name);
	for (size_t i = 0; (name = spec_seccomp_flag_name(i, &value)); i++) {
		name_list_add(&known_flags, name);
		if (seccomp_filter_flag_supported(value))
			name_list_add(&supported_flags, name);
	}
	jsonw_str(w, "seccomp");
	jsonw_map_open(w);
	gen_bool_entry(w, "enabled", true);
	gen_name_list(w, "actions", &actions, true);
	gen_name_list(w, "operators", &operators, true);
	gen_name_list(w, "archs", &archs, true);
	gen_name_list(w, "knownFlags", &known_flags, false);
	gen_name_list(w, "supportedFlags", &supported_flags, false);
	jsonw_map_close(w);
}

static void gen_linux(struct jsonw *w)
{
	jsonw_str(w, "linux");
	jsonw_map_open(w);
	gen_table_names(w, "namespaces", namespace_name_at, true);
	gen_capabilities(w);
	gen_cgroup(w);
	gen_seccomp(w);
	/* The host decides: without the LSM on, berth skips profiles and
	 * labels with a warning (labels.h), so it does not claim them. */
	gen_enabled(w, "apparmor", labels_apparmor_enabled());
	gen_enabled(w, "selinux", labels_selinux_enabled());
	/* linux.intelRdt is parsed but not applied. */
	gen_enabled(w, "intelRdt", false);
	/* uidMappings/gidMappings and "idmap"/"ridmap" on bind mounts
	 * (mount_idmap.c). */
	jsonw_str(w, "mountExtensions");
	jsonw_map_open(w);
	gen_enabled(w, "idmap", true);
	jsonw_map_close(w);
	jsonw_map_close(w);
}

/* Sorted by key, as Go prints a map. */
static void gen_annotations(struct jsonw *w)
{
	const struct scmp_version *v = seccomp_version();
	char libseccomp[48];

	jsonw_str(w, "annotations");
	jsonw_map_open(w);
	if (v) {
		snprintf(libseccomp, sizeof(libseccomp), "%u.%u.%u", v->major, v->minor, v->micro);
		gen_str_entry(w, "io.github.seccomp.libseccomp.version", libseccomp);
	}
	gen_str_entry(w, "run.berth.commit", BERTH_COMMIT);
	gen_str_entry(w, "run.berth.version", BERTH_VERSION);
	jsonw_map_close(w);
}

char *features_json(struct berth_err *err)
{
	struct jsonw w;

	if (jsonw_init(&w, "    ", err) < 0)
		return NULL;
	jsonw_map_open(&w);
	gen_str_entry(&w, "ociVersionMin", SPEC_OCI_VERSION_MIN);
	gen_str_entry(&w, "ociVersionMax", SPEC_OCI_VERSION_MAX);
	gen_table_names(&w, "hooks", hook_name_at, false);
	gen_table_names(&w, "mountOptions", mount_option_name, true);
	gen_linux(&w);
	gen_annotations(&w);
	jsonw_str(&w, "potentiallyUnsafeConfigAnnotations");
	jsonw_array_open(&w);
	jsonw_str(&w, SPEC_ANNOTATION_STDOUT);
	jsonw_str(&w, SPEC_ANNOTATION_STDERR);
	/* It lets the workload profile itself past its seccomp profile. */
	jsonw_str(&w, SPEC_ANNOTATION_SECCOMP_SUPERVISE);
	jsonw_array_close(&w);
	jsonw_map_close(&w);
	return jsonw_finish(&w, "features", err);
}
