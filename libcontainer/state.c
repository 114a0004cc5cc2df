#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "cgroup.h"
#include "json_util.h"

const char *container_status_name(enum container_status s)
{
	switch (s) {
	case STATUS_CREATING: return "creating";
	case STATUS_CREATED: return "created";
	case STATUS_RUNNING: return "running";
	case STATUS_PAUSED: return "paused";
	default: return "stopped";
	}
}

/* Sets an invalid-id error: errno EINVAL for callers, but no strerror
 * suffix, which would only repeat "invalid". The id is quoted with
 * non-printable bytes escaped, so the error stays one line. */
static int invalid_id(struct berth_err *err, const char *id, const char *why)
{
	char quoted[NAME_MAX * 4 + 1];
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)id; *p && n + 5 < sizeof(quoted); p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
			quoted[n++] = (char)*p;
		else
			n += (size_t)snprintf(quoted + n, sizeof(quoted) - n, "\\x%02x", *p);
	}
	quoted[n] = '\0';
	berth_err_msg(err, EINVAL, "invalid container id \"%s\"%s%s", quoted, why ? ": " : "", why ? why : "");
	return -1;
}

int container_id_validate(const char *id, struct berth_err *err)
{
	size_t len = strlen(id);

	if (len == 0) {
		berth_err_msg(err, EINVAL, "invalid container id: empty");
		return -1;
	}
	if (len > BERTH_ID_MAX) {
		berth_err_msg(err, EINVAL, "invalid container id: longer than %d characters", BERTH_ID_MAX);
		return -1;
	}
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return invalid_id(err, id, NULL);
	for (const char *p = id; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.' || c == '+'))
			return invalid_id(err, id, "only letters, digits and _+.- are allowed");
	}
	return 0;
}

int state_dir_path(const char *root, const char *id, char *buf, size_t len, struct berth_err *err)
{
	if ((size_t)snprintf(buf, len, "%s/%s", root, id) >= len)
		return berth_err_set(err, ENAMETOOLONG, "state directory for \"%s\"", id);
	return 0;
}

/* UTC calendar fields of t, as gmtime_r, which glibc makes read the time
 * zone file on first use (seven syscalls per create for a UTC time).
 * Days to civil date after Howard Hinnant's days_from_civil inverse. */
static void utc_fields(time_t t, struct tm *tm)
{
	long long days = t / 86400, secs = t % 86400;
	long long era, doe, yoe, doy, mp, y;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	days += 719468; /* from 1970-01-01 to 0000-03-01 */
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->tm_mon = (int)(mp < 10 ? mp + 2 : mp - 10);
	tm->tm_year = (int)(y + (tm->tm_mon <= 1) - 1900);
	tm->tm_hour = (int)(secs / 3600);
	tm->tm_min = (int)(secs / 60 % 60);
	tm->tm_sec = (int)(secs % 60);
}

void rfc3339_nano(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;
	char frac[16];
	int n;

	utc_fields(ts->tv_sec, &tm);
	/* Go's RFC3339Nano drops trailing zeros of the fraction. */
	snprintf(frac, sizeof(frac), ".%09ld", ts->tv_nsec);
	n = (int)strlen(frac);
	while (n > 1 && frac[n - 1] == '0')
		frac[--n] = '\0';
	if (n == 1)
		frac[0] = '\0';
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

void rfc3339_nano_now(char *buf, size_t len)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	rfc3339_nano(&ts, buf, len);
}

unsigned long long proc_start_time(pid_t pid, bool *zombie)
{
	char path[64], buf[1024];
	unsigned long long start = 0;
	char *p;
	ssize_t n;
	int fd;

	*zombie = true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may contain spaces and parentheses: fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	p += 2;
	*zombie = (*p == 'Z' || *p == 'X');
	/* p is field 3 (state); starttime is field 22. */
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		start = strtoull(p, NULL, 10);
	return start;
}

static const char *phase_name(enum container_phase p)
{
	return p == PHASE_CREATING ? "creating" : p == PHASE_CREATED ? "created" : "started";
}

static int gen_state_file(yajl_gen g, const struct container_state *st)
{
	yajl_gen_map_open(g);
	json_gen_kv_str(g, "ociVersion", st->oci_version);
	json_gen_kv_str(g, "id", st->id);
	json_gen_kv_int(g, "pid", st->init_pid);
	json_gen_kv_int(g, "initStartTime", (long long)st->init_start_time);
	json_gen_kv_str(g, "bundle", st->bundle);
	json_gen_kv_str(g, "rootfs", st->rootfs);
	json_gen_kv_str(g, "created", st->created);
	json_gen_kv_str(g, "phase", phase_name(st->phase));
	json_gen_kv_str(g, "cgroupPath", st->cgroup_path);
	json_gen_str(g, "hooks");
	yajl_gen_array_open(g);
	for (int k = 0; k < SPEC_HOOK_KIND_COUNT; k++)
		if (st->hook_kinds & (1u << k))
			json_gen_str(g, spec_hook_kind_name((enum spec_hook_kind)k));
	yajl_gen_array_close(g);
	json_gen_str(g, "annotations");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < st->n_annotations; i++)
		json_gen_kv_str(g, st->annotations[i].key, st->annotations[i].value);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	return 0;
}

/* path replaced by tmp. A rename over an existing file makes ext4 start
 * writing the new file's data out at once (auto_da_alloc, there for
 * programs that replace files without fsync): about 150 us per state write
 * here. Exchanging the two names is just as atomic for a reader (the old
 * text or the new, never none) and skips that; the old text then leaves
 * under the temporary name. A plain rename where there is nothing to
 * exchange with yet, or the filesystem cannot exchange. */
static int replace_file(const char *tmp, const char *path)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_EXCHANGE) < 0)
		return errno == ENOENT || errno == EINVAL || errno == ENOSYS ? rename(tmp, path) : -1;
	/* The new text is in place; a temporary name left over is truncated
	 * by the next write and removed with the state dir. */
	(void)unlink(tmp);
	return 0;
}

static int write_file(const char *dir, const char *name, const void *buf, size_t len, mode_t mode, bool exists,
		      struct berth_err *err)
{
	char tmp[PATH_MAX + 64], path[PATH_MAX + 64];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return berth_err_set(err, errno, "open \"%s\"", tmp);
	if (write(fd, buf, len) != (ssize_t)len) {
		int e = errno ? errno : EIO;
		close(fd);
		unlink(tmp);
		return berth_err_set(err, e, "write \"%s\"", tmp);
	}
	close(fd);
	if ((exists ? replace_file(tmp, path) : rename(tmp, path)) < 0) {
		int e = errno;
		unlink(tmp);
		return berth_err_set(err, e, "rename to \"%s\"", path);
	}
	return 0;
}

int state_write_file(const char *dir, const char *name, const void *buf, size_t len, mode_t mode,
		     struct berth_err *err)
{
	return write_file(dir, name, buf, len, mode, true, err);
}

int state_create_file(const char *dir, const char *name, const void *buf, size_t len, mode_t mode,
		      struct berth_err *err)
{
	return write_file(dir, name, buf, len, mode, false, err);
}

int state_save(const char *dir, const struct container_state *st, struct berth_err *err)
{
	const unsigned char *buf;
	size_t len;
	yajl_gen g;
	int rc;

	g = yajl_gen_alloc(NULL);
	if (!g)
		return berth_err_set(err, ENOMEM, "state.json");
	gen_state_file(g, st);
	yajl_gen_get_buf(g, &buf, &len);
	rc = write_file(dir, "state.json", buf, len, 0600, st->on_disk, err);
	yajl_gen_free(g);
	return rc;
}

static enum container_status derive_status(const struct container_state *st)
{
	bool zombie;
	unsigned long long start;

	if (st->init_pid <= 0)
		return st->phase == PHASE_CREATING ? STATUS_CREATING : STATUS_STOPPED;
	start = proc_start_time(st->init_pid, &zombie);
	if (start == 0 || zombie || start != st->init_start_time)
		return STATUS_STOPPED;
	/* Paused lives in the freezer, not in state.json, so a thaw from
	 * outside berth shows too; one small read of a live container. */
	if (st->phase != PHASE_CREATING && cgroup_path_frozen(st->cgroup_path))
		return STATUS_PAUSED;
	switch (st->phase) {
	case PHASE_CREATING: return STATUS_CREATING;
	case PHASE_CREATED: return STATUS_CREATED;
	default: return STATUS_RUNNING;
	}
}

int state_load(const char *root, const char *id, struct container_state *st, struct berth_err *err)
{
	char path[4096], errbuf[256];
	char *text = NULL;
	size_t len;
	yajl_val tree = NULL, annotations, hooks;
	const char *phase;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	if (container_id_validate(id, err) < 0)
		return -1;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s/state.json", root, id) >= sizeof(path))
		return berth_err_set(err, ENAMETOOLONG, "state of \"%s\"", id);
	if (json_read_file(path, &text, &len, err) < 0) {
		if (err->errnum == ENOENT || err->errnum == ENOTDIR)
		{
			/* No strerror suffix: engines match this exact wording. */
			berth_err_msg(err, ENOENT, "container \"%s\" does not exist", id);
			return -1;
		}
		return -1;
	}
	tree = yajl_tree_parse(text, errbuf, sizeof(errbuf));
	if (!tree || !YAJL_IS_OBJECT(tree)) {
		berth_err_set(err, EINVAL, "container \"%s\": state.json is corrupt", id);
		goto out;
	}
	st->id = json_dup_str(tree, "id");
	st->oci_version = json_dup_str(tree, "ociVersion");
	st->bundle = json_dup_str(tree, "bundle");
	st->rootfs = json_dup_str(tree, "rootfs");
	st->created = json_dup_str(tree, "created");
	st->cgroup_path = json_dup_str(tree, "cgroupPath");
	st->init_pid = (pid_t)json_get_int(tree, "pid");
	st->init_start_time = (unsigned long long)json_get_int(tree, "initStartTime");
	hooks = yajl_tree_get(tree, (const char *[]){ "hooks", NULL }, yajl_t_array);
	st->hook_kinds_known = hooks != NULL;
	for (size_t i = 0; hooks && i < hooks->u.array.len; i++) {
		const char *name = YAJL_GET_STRING(hooks->u.array.values[i]);
		for (int k = 0; name && k < SPEC_HOOK_KIND_COUNT; k++)
			if (strcmp(name, spec_hook_kind_name((enum spec_hook_kind)k)) == 0)
				st->hook_kinds |= 1u << k;
	}
	st->on_disk = true;
	phase = json_get_str(tree, "phase");
	st->phase = !phase || strcmp(phase, "creating") == 0 ? PHASE_CREATING
		    : strcmp(phase, "created") == 0       ? PHASE_CREATED
							  : PHASE_STARTED;
	annotations = yajl_tree_get(tree, (const char *[]){ "annotations", NULL }, yajl_t_object);
	if (annotations && annotations->u.object.len) {
		size_t n = annotations->u.object.len;
		st->annotations = calloc(n, sizeof(*st->annotations));
		if (!st->annotations) {
			berth_err_set(err, ENOMEM, "state");
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			yajl_val v = annotations->u.object.values[i];
			st->annotations[st->n_annotations].key = strdup(annotations->u.object.keys[i]);
			st->annotations[st->n_annotations].value = strdup(YAJL_IS_STRING(v) ? v->u.string : "");
			st->n_annotations++;
		}
	}
	if (!st->id || !st->bundle || !st->rootfs || !st->created) {
		berth_err_set(err, EINVAL, "container \"%s\": state.json is incomplete", id);
		goto out;
	}
	st->status = derive_status(st);
	rc = 0;
out:
	if (rc < 0)
		state_free(st);
	yajl_tree_free(tree);
	free(text);
	return rc;
}

/* The user's name from /etc/passwd, as runc's user.LookupUid reads it (no
 * NSS: berth is linked statically), "#<uid>" if it has none. */
static void user_name(uid_t uid, char *out, size_t len)
{
	FILE *f = fopen("/etc/passwd", "re");
	char line[1024];

	snprintf(out, len, "#%u", (unsigned)uid);
	while (f && fgets(line, sizeof(line), f)) {
		char *name = line, *rest = strchr(line, ':'), *end;
		unsigned long id;
		if (!rest || !(rest = strchr(rest + 1, ':')))
			continue;
		id = strtoul(rest + 1, &end, 10);
		if (end == rest + 1 || *end != ':' || id != uid)
			continue;
		*strchr(name, ':') = '\0';
		snprintf(out, len, "%.*s", (int)(len - 1), name);
		break;
	}
	if (f)
		fclose(f);
}

char *state_dir_owner(const char *root, const char *id)
{
	char dir[PATH_MAX], name[256];
	struct stat sb;
	struct berth_err ignored;

	if (state_dir_path(root, id, dir, sizeof(dir), &ignored) < 0 || stat(dir, &sb) < 0)
		return NULL;
	user_name(sb.st_uid, name, sizeof(name));
	return strdup(name);
}

void state_free(struct container_state *st)
{
	free(st->id);
	free(st->oci_version);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->owner);
	free(st->cgroup_path);
	for (size_t i = 0; i < st->n_annotations; i++) {
		free(st->annotations[i].key);
		free(st->annotations[i].value);
	}
	free(st->annotations);
	attached_mounts_free(&st->mounts);
	memset(st, 0, sizeof(*st));
}

char *state_oci_json(const struct container_state *st, bool pretty, const char *status_override,
		     struct berth_err *err)
{
	const unsigned char *buf;
	size_t len;
	char *out;
	yajl_gen g = yajl_gen_alloc(NULL);
	enum container_status status = st->status;

	if (!g) {
		berth_err_set(err, ENOMEM, "state JSON");
		return NULL;
	}
	if (pretty) {
		yajl_gen_config(g, yajl_gen_beautify, 1);
		yajl_gen_config(g, yajl_gen_indent_string, "  ");
	}
	yajl_gen_map_open(g);
	json_gen_kv_str(g, "ociVersion", st->oci_version ? st->oci_version : "1.2.0");
	json_gen_kv_str(g, "id", st->id);
	/* runc reports pid 0 once the container has stopped. */
	json_gen_kv_int(g, "pid", status == STATUS_STOPPED ? 0 : st->init_pid);
	json_gen_kv_str(g, "status", status_override ? status_override : container_status_name(status));
	json_gen_kv_str(g, "bundle", st->bundle);
	json_gen_kv_str(g, "rootfs", st->rootfs);
	json_gen_kv_str(g, "created", st->created);
	/* runc's field order: annotations (only when set) before owner. */
	if (st->n_annotations) {
		json_gen_str(g, "annotations");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < st->n_annotations; i++)
			json_gen_kv_str(g, st->annotations[i].key, st->annotations[i].value);
		yajl_gen_map_close(g);
	}
	json_gen_kv_str(g, "owner", st->owner ? st->owner : "");
	/* berth's own addition, ignored by engines: what `berth mount` attached. */
	if (st->mounts.n) {
		json_gen_str(g, "mounts");
		attached_mounts_gen(g, &st->mounts);
	}
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	while (len > 0 && buf[len - 1] == '\n')
		len--; /* beautify ends with a newline; callers print their own */
	out = strndup((const char *)buf, len);
	yajl_gen_free(g);
	if (!out)
		berth_err_set(err, ENOMEM, "state JSON");
	return out;
}

int state_flock(int fd, const char *path, struct berth_err *err)
{
	if (fd < 0)
		return berth_err_set(err, errno, "open \"%s\"", path);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			berth_err_set(err, errno, "lock \"%s\"", path);
			close(fd);
			return -1;
		}
	}
	return fd;
}

int state_lock(const char *dir, struct berth_err *err)
{
	return state_flock(open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), dir, err);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_list_ids(const char *root, char ***ids, size_t *n, struct berth_err *err)
{
	DIR *d = opendir(root);
	struct dirent *de;
	size_t cap = 0;

	*ids = NULL;
	*n = 0;
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return berth_err_set(err, errno, "open root \"%s\"", root);
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		if (*n == cap) {
			char **grown;
			cap = cap ? cap * 2 : 16;
			grown = realloc(*ids, cap * sizeof(char *));
			if (!grown)
				goto nomem;
			*ids = grown;
		}
		(*ids)[*n] = strdup(de->d_name);
		if (!(*ids)[*n])
			goto nomem;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(*ids, *n, sizeof(char *), compare_strings);
	return 0;
nomem:
	closedir(d);
	for (size_t i = 0; i < *n; i++)
		free((*ids)[i]);
	free(*ids);
	*ids = NULL;
	*n = 0;
	return berth_err_set(err, ENOMEM, "list containers");
}
