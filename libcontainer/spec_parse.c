/* config.json: top level (ociVersion, root, mounts, hooks, annotations),
 * loading from a bundle, and the name tables of spec.h. The process and
 * linux sections live in spec_parse_process.c and spec_parse_linux.c. */
#include "spec.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>

#include "mount_options.h"
#include "spec_json.h"
#include "spec_parse_internal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* config.json is small; a cap keeps a hostile bundle from exhausting memory. */
#define SPEC_CONFIG_MAX_BYTES (16u << 20)

static const char *const spec_ns_names[SPEC_NS_COUNT] = {
	[SPEC_NS_PID] = "pid", [SPEC_NS_NETWORK] = "network", [SPEC_NS_MOUNT] = "mount",
	[SPEC_NS_IPC] = "ipc", [SPEC_NS_UTS] = "uts", [SPEC_NS_USER] = "user",
	[SPEC_NS_CGROUP] = "cgroup", [SPEC_NS_TIME] = "time",
};

static const int spec_ns_clone_flags[SPEC_NS_COUNT] = {
	[SPEC_NS_PID] = CLONE_NEWPID, [SPEC_NS_NETWORK] = CLONE_NEWNET,
	[SPEC_NS_MOUNT] = CLONE_NEWNS, [SPEC_NS_IPC] = CLONE_NEWIPC,
	[SPEC_NS_UTS] = CLONE_NEWUTS, [SPEC_NS_USER] = CLONE_NEWUSER,
	[SPEC_NS_CGROUP] = CLONE_NEWCGROUP, [SPEC_NS_TIME] = CLONE_NEWTIME,
};

static const char *const spec_hook_names[SPEC_HOOK_KIND_COUNT] = {
	[SPEC_HOOK_PRESTART] = "prestart",
	[SPEC_HOOK_CREATE_RUNTIME] = "createRuntime",
	[SPEC_HOOK_CREATE_CONTAINER] = "createContainer",
	[SPEC_HOOK_START_CONTAINER] = "startContainer",
	[SPEC_HOOK_POSTSTART] = "poststart",
	[SPEC_HOOK_POSTSTOP] = "poststop",
};

const char *spec_ns_name(enum spec_ns_type t)
{
	return (unsigned)t < SPEC_NS_COUNT ? spec_ns_names[t] : "unknown";
}

int spec_ns_clone_flag(enum spec_ns_type t)
{
	return (unsigned)t < SPEC_NS_COUNT ? spec_ns_clone_flags[t] : 0;
}

const char *spec_hook_kind_name(enum spec_hook_kind k)
{
	return (unsigned)k < SPEC_HOOK_KIND_COUNT ? spec_hook_names[k] : "unknown";
}

const char *spec_annotation(const struct spec *spec, const char *key)
{
	if (!spec)
		return NULL;
	for (size_t i = 0; i < spec->n_annotations; i++)
		if (strcmp(spec->annotations[i].key, key) == 0)
			return spec->annotations[i].value;
	return NULL;
}

/* Reads one decimal component of a version; NULL if there is none. */
static const char *spec_version_number(const char *s, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return NULL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno ? NULL : end;
}

/* Accepts 1.0.0 .. 1.2.x (spec.h) with any pre-release or build suffix
 * ("1.0.2-dev", "1.2.0-rc.1"): those are the versions berth implements. */
static int spec_parse_oci_version(struct sj *j, yajl_val root, struct spec *spec)
{
	unsigned long major, minor, patch;
	const char *s;
	size_t mark;

	if (sj_req_str(j, root, "ociVersion", &spec->oci_version) < 0)
		return -1;
	s = spec->oci_version;
	if ((s = spec_version_number(s, &major)) && *s == '.' &&
	    (s = spec_version_number(s + 1, &minor)) && *s == '.' &&
	    (s = spec_version_number(s + 1, &patch)) && (*s == '\0' || *s == '-' || *s == '+') &&
	    major == SPEC_OCI_MAJOR && minor <= SPEC_OCI_MINOR_MAX)
		return 0;
	mark = sj_enter_key(j, "ociVersion");
	sj_fail(j, "unsupported version \"%s\" (berth supports 1.0.0 to 1.2.x)", spec->oci_version);
	sj_leave(j, mark);
	return -1;
}

static int spec_parse_root(struct sj *j, yajl_val top, struct spec *spec)
{
	yajl_val root = sj_lookup(top, "root");
	size_t mark = sj_enter_key(j, "root");

	if (!root) {
		sj_enter_key(j, "path");
		return sj_fail(j, "missing");
	}
	if (sj_as_object(j, root) < 0 || sj_req_str(j, root, "path", &spec->root_path) < 0 ||
	    sj_bool(j, root, "readonly", &spec->root_readonly) < 0)
		return -1;
	if (!spec->root_path[0]) {
		sj_enter_key(j, "path");
		return sj_fail(j, "must not be empty");
	}
	sj_leave(j, mark);
	return 0;
}

static int spec_parse_mount(struct sj *j, yajl_val v, void *elem, void *ctx)
{
	struct spec_mount *m = elem;
	size_t mark;

	if (sj_as_object(j, v) < 0 || sj_req_str(j, v, "destination", &m->destination) < 0 ||
	    sj_str(j, v, "source", &m->source) < 0 || sj_str(j, v, "type", &m->type) < 0 ||
	    sj_strv(j, v, "options", &m->options) < 0 ||
	    spec_parse_id_mappings(j, v, "uidMappings", &m->uid_mappings, &m->n_uid_mappings) < 0 ||
	    spec_parse_id_mappings(j, v, "gidMappings", &m->gid_mappings, &m->n_gid_mappings) < 0)
		return -1;
	mark = sj_enter_key(j, "destination");
	if (sj_check_absolute(j, m->destination) < 0)
		return -1;
	sj_leave(j, mark);
	mark = sj_enter_key(j, "options");
	if (mount_options_decode(m, j->err) < 0)
		return berth_err_wrap(j->err, "%s", j->path);
	/* mount_options_decode only says "idmapped"; the last of "idmap" and
	 * "ridmap" decides whether submounts are idmapped too (runc's rule). */
	for (char **p = m->options; p && *p; p++)
		if (strcmp(*p, "idmap") == 0 || strcmp(*p, "ridmap") == 0)
			m->idmap_recursive = (*p)[0] == 'r';
	sj_leave(j, mark);
	return 0;
}

static int spec_parse_mounts(struct sj *j, yajl_val top, struct spec *spec)
{
	return SJ_ARRAY(j, top, "mounts", spec_parse_mount, NULL, spec->mounts, spec->n_mounts);
}

static int spec_parse_hook(struct sj *j, yajl_val v, void *elem, void *ctx)
{
	struct spec_hook *h = elem;
	size_t mark;

	if (sj_as_object(j, v) < 0 || sj_req_str(j, v, "path", &h->path) < 0 ||
	    sj_strv(j, v, "args", &h->args) < 0 || sj_strv(j, v, "env", &h->env) < 0 ||
	    sj_opt_i64(j, v, "timeout", INT64_MIN, INT64_MAX, &h->timeout) < 0)
		return -1;
	mark = sj_enter_key(j, "path");
	if (sj_check_absolute(j, h->path) < 0)
		return -1;
	sj_leave(j, mark);
	if (h->timeout.set && h->timeout.v <= 0) {
		sj_enter_key(j, "timeout");
		return sj_fail(j, "must be greater than 0, got %lld", (long long)h->timeout.v);
	}
	return 0;
}

static int spec_parse_hooks(struct sj *j, yajl_val top, struct spec *spec)
{
	yajl_val hooks = sj_lookup(top, "hooks");
	size_t mark;

	if (!hooks)
		return 0;
	mark = sj_enter_key(j, "hooks");
	if (sj_as_object(j, hooks) < 0)
		return -1;
	for (int k = 0; k < SPEC_HOOK_KIND_COUNT; k++) {
		struct spec_hook_list *list = &spec->hooks[k];

		if (SJ_ARRAY(j, hooks, spec_hook_names[k], spec_parse_hook, NULL, list->hooks, list->n) < 0)
			return -1;
	}
	sj_leave(j, mark);
	return 0;
}

static int spec_parse_top(struct sj *j, yajl_val top, struct spec *spec)
{
	yajl_val v;
	size_t mark;

	if (sj_as_object(j, top) < 0 || spec_parse_oci_version(j, top, spec) < 0 ||
	    spec_parse_root(j, top, spec) < 0 || spec_parse_mounts(j, top, spec) < 0)
		return -1;
	v = sj_lookup(top, "process");
	if (!v) {
		sj_enter_key(j, "process");
		return sj_fail(j, "missing");
	}
	mark = sj_enter_key(j, "process");
	if (spec_parse_process(j, v, &spec->process) < 0)
		return -1;
	sj_leave(j, mark);
	spec->has_process = true;
	if (sj_str(j, top, "hostname", &spec->hostname) < 0 ||
	    sj_str(j, top, "domainname", &spec->domainname) < 0 ||
	    spec_parse_hooks(j, top, spec) < 0 ||
	    sj_kv(j, top, "annotations", &spec->annotations, &spec->n_annotations) < 0)
		return -1;
	/* linux is optional in the schema; its cross-checks (user namespace
	 * needs mappings...) run on an empty section too. */
	v = sj_lookup(top, "linux");
	mark = sj_enter_key(j, "linux");
	if (spec_parse_linux(j, v, &spec->linux_) < 0)
		return -1;
	sj_leave(j, mark);
	return spec_parse_seccomp_supervise(j, spec);
}

/* yajl's message spans lines (message, context, arrow): keep the first
 * non-empty line, trimmed, so the error stays one line. */
static void spec_yajl_message(const char *raw, char *out, size_t size)
{
	const char *start = raw, *end;

	while (*start && isspace((unsigned char)*start))
		start++;
	end = strchr(start, '\n');
	if (!end)
		end = start + strlen(start);
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	if (end == start) {
		snprintf(out, size, "unknown parse error");
		return;
	}
	snprintf(out, size, "%.*s", (int)(end - start), start);
}

/* The 1-based line and column of byte at of text. */
static void spec_text_position(const char *text, size_t at, unsigned *line, unsigned *column)
{
	size_t line_start = 0;

	*line = 1;
	for (size_t i = 0; i < at; i++) {
		if (text[i] == '\n') {
			(*line)++;
			line_start = i + 1;
		}
	}
	*column = (unsigned)(at - line_start + 1);
}

/* Where yajl stopped: the tree parser does not say, so the text is parsed
 * once more with a callback-less handle (only on error). yajl counts the
 * offending character as consumed; an input that ends too early fails at
 * its end. */
static void spec_json_error_at(const char *text, size_t len, unsigned *line, unsigned *column)
{
	yajl_handle h = yajl_alloc(NULL, NULL, NULL);
	size_t at = len;

	if (h) {
		/* As yajl_tree_parse does, so both fail at the same place. */
		yajl_config(h, yajl_allow_comments, 1);
		if (yajl_parse(h, (const unsigned char *)text, len) != yajl_status_ok) {
			at = yajl_get_bytes_consumed(h);
			at = at ? at - 1 : 0;
		}
		yajl_free(h);
	}
	spec_text_position(text, at < len ? at : len, line, column);
}

/* yajl builds and frees its tree recursively: a hostile file of millions
 * of '[' would overflow the stack, so deep nesting is refused up front.
 * Real configs nest about six levels. */
#define SPEC_MAX_NESTING 256

static bool spec_nesting_ok(const char *json, size_t len)
{
	bool in_string = false;
	size_t depth = 0;

	for (size_t i = 0; i < len; i++) {
		char c = json[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > SPEC_MAX_NESTING)
				return false;
		} else if ((c == ']' || c == '}') && depth) {
			depth--;
		}
	}
	return true;
}

/* The yajl tree of a JSON document, or NULL with the error at its line and
 * column. */
static yajl_val spec_parse_tree(const char *json, size_t len, struct berth_err *err)
{
	char yajl_err[512], msg[512];
	const char *nul;
	yajl_val top;
	char *text;

	nul = memchr(json, '\0', len);
	if (nul) {
		unsigned line, column;

		spec_text_position(json, (size_t)(nul - json), &line, &column);
		berth_err_set(err, 0, "invalid JSON at line %u, column %u: NUL byte in input", line, column);
		return NULL;
	}
	if (!spec_nesting_ok(json, len)) {
		berth_err_set(err, 0, "invalid JSON: nested deeper than %d levels", SPEC_MAX_NESTING);
		return NULL;
	}
	/* yajl_tree_parse wants a NUL-terminated string. */
	text = malloc(len + 1);
	if (!text) {
		berth_err_set(err, ENOMEM, "config");
		return NULL;
	}
	memcpy(text, json, len);
	text[len] = '\0';
	yajl_err[0] = '\0';
	top = yajl_tree_parse(text, yajl_err, sizeof(yajl_err));
	if (!top) {
		unsigned line, column;

		spec_json_error_at(text, len, &line, &column);
		spec_yajl_message(yajl_err, msg, sizeof(msg));
		berth_err_set(err, 0, "invalid JSON at line %u, column %u: %s", line, column, msg);
	}
	free(text);
	return top;
}

struct spec *spec_parse(const char *json, size_t len, struct berth_err *err)
{
	yajl_val top = spec_parse_tree(json, len, err);
	struct spec *spec;
	struct sj j;

	if (!top)
		return NULL;
	sj_init(&j, err);
	spec = sj_calloc(&j, 1, sizeof(*spec));
	if (spec && spec_parse_top(&j, top, spec) < 0) {
		spec_free(spec);
		spec = NULL;
	}
	yajl_tree_free(top);
	return spec;
}

int spec_parse_process_json(const char *json, size_t len, struct spec_process *p, struct berth_err *err)
{
	yajl_val top = spec_parse_tree(json, len, err);
	struct sj j;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!top)
		return -1;
	sj_init(&j, err);
	rc = spec_parse_process(&j, top, p);
	yajl_tree_free(top);
	if (rc < 0)
		spec_free_process(p);
	return rc;
}

/* Reads a whole regular file of at most SPEC_CONFIG_MAX_BYTES. */
static char *spec_read_file(const char *path, size_t *len, struct berth_err *err)
{
	struct stat st;
	size_t used = 0, cap;
	char *buf = NULL;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		berth_err_set(err, errno, "open \"%s\"", path);
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		berth_err_set(err, errno, "stat \"%s\"", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		berth_err_set(err, 0, "\"%s\" is not a regular file", path);
		goto fail;
	}
	if (st.st_size > (off_t)SPEC_CONFIG_MAX_BYTES) {
		berth_err_set(err, 0, "\"%s\" is larger than %u bytes", path, SPEC_CONFIG_MAX_BYTES);
		goto fail;
	}
	/* Sized from fstat (not the 16 MiB limit: an mmap and munmap per
	 * create), with room to notice a file that grows under us. */
	cap = (size_t)st.st_size + 4096;
	buf = malloc(cap);
	if (!buf) {
		berth_err_set(err, ENOMEM, "read \"%s\"", path);
		goto fail;
	}
	for (;;) {
		ssize_t n;
		if (used == cap) {
			char *bigger;
			cap = cap * 2 > SPEC_CONFIG_MAX_BYTES + 1 ? SPEC_CONFIG_MAX_BYTES + 1 : cap * 2;
			bigger = realloc(buf, cap);
			if (!bigger) {
				berth_err_set(err, ENOMEM, "read \"%s\"", path);
				goto fail;
			}
			buf = bigger;
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			berth_err_set(err, errno, "read \"%s\"", path);
			goto fail;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > SPEC_CONFIG_MAX_BYTES) {
			berth_err_set(err, 0, "\"%s\" is larger than %u bytes", path, SPEC_CONFIG_MAX_BYTES);
			goto fail;
		}
	}
	close(fd);
	*len = used;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/* bundle + "/" + name, without doubling a trailing slash. */
static char *spec_join_path(const char *dir, const char *name, struct berth_err *err)
{
	size_t dlen = strlen(dir);
	char *path;

	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	if (asprintf(&path, "%.*s%s%s", (int)dlen, dir, dir[dlen - 1] == '/' ? "" : "/", name) < 0) {
		berth_err_set(err, ENOMEM, "path");
		return NULL;
	}
	return path;
}

static int spec_check_rootfs(const char *bundle, const struct spec *spec, struct berth_err *err)
{
	struct stat st;
	char *path;
	int rc = 0;

	if (spec->root_path[0] == '/')
		path = strdup(spec->root_path);
	else
		path = spec_join_path(bundle, spec->root_path, err);
	if (!path)
		return berth_err_set(err, ENOMEM, "root.path");
	if (stat(path, &st) < 0)
		rc = berth_err_set(err, errno, "root.path: stat \"%s\"", path);
	else if (!S_ISDIR(st.st_mode))
		rc = berth_err_set(err, 0, "root.path: \"%s\" is not a directory", path);
	free(path);
	return rc;
}

struct spec *spec_load_bundle(const char *bundle, struct berth_err *err)
{
	return spec_load_bundle_json(bundle, NULL, NULL, err);
}

struct spec *spec_load_bundle_json(const char *bundle, char **text, size_t *text_len, struct berth_err *err)
{
	struct spec *spec = NULL;
	char *path, *json;
	size_t len = 0;

	if (!bundle || !*bundle) {
		berth_err_set(err, 0, "config.json: empty bundle path");
		return NULL;
	}
	path = spec_join_path(bundle, "config.json", err);
	if (!path)
		goto out;
	json = spec_read_file(path, &len, err);
	free(path);
	if (!json)
		goto out;
	spec = spec_parse(json, len, err);
	if (spec && spec_check_rootfs(bundle, spec, err) < 0) {
		spec_free(spec);
		spec = NULL;
	}
	if (spec && text) {
		*text = json;
		*text_len = len;
	} else {
		free(json);
	}
out:
	if (!spec)
		berth_err_wrap(err, "config.json");
	return spec;
}
