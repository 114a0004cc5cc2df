/* The process `berth exec` runs, as runc builds it: a process.json given
 * with --process replaces the container's process whole; otherwise the
 * container's process is the template for the command line's overrides. */
#include "exec_process.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "spec_parse_internal.h"

static size_t strv_count(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* A decimal id as Go's strconv.Atoi takes it, within uint32. */
static int parse_id(const char *s, const char *what, uint32_t *out, struct berth_err *err)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (!s[0] || *end || errno || s[0] == '-' || v > UINT32_MAX)
		return berth_err_msg(err, EINVAL, "parsing %s as int for %s failed", s, what);
	*out = (uint32_t)v;
	return 0;
}

static int read_process_file(const char *path, struct spec_process *p, struct berth_err *err)
{
	char *text;
	size_t len;
	int rc;

	if (json_read_file(path, &text, &len, err) < 0)
		return berth_err_wrap(err, "process file");
	rc = spec_parse_process_json(text, len, p, err);
	free(text);
	if (rc < 0)
		return berth_err_wrap(err, "process file %s", path);
	return 0;
}

/* Sets "K=V" in env: replaces K where it is, else appends (the last
 * --env for a key wins, as in runc). */
static int env_set(strv_t *env, const char *kv, struct berth_err *err)
{
	const char *eq = strchr(kv, '=');
	size_t klen, n = strv_count(*env);
	char *copy, **grown;

	if (!eq || eq == kv)
		return berth_err_msg(err, EINVAL, "--env \"%s\": invalid environment variable: missing '='", kv);
	klen = (size_t)(eq - kv) + 1;
	copy = strdup(kv);
	if (!copy)
		return berth_err_set(err, ENOMEM, "--env");
	for (size_t i = 0; *env && i < n; i++) {
		if (strncmp((*env)[i], kv, klen) == 0) {
			free((*env)[i]);
			(*env)[i] = copy;
			return 0;
		}
	}
	grown = realloc(*env, (n + 2) * sizeof(*grown));
	if (!grown) {
		free(copy);
		return berth_err_set(err, ENOMEM, "--env");
	}
	grown[n] = copy;
	grown[n + 1] = NULL;
	*env = grown;
	return 0;
}

static int replace_args(struct spec_process *p, char *const *args, struct berth_err *err)
{
	size_t n = strv_count(args);
	strv_t copy = calloc(n + 1, sizeof(*copy));

	if (!copy)
		return berth_err_set(err, ENOMEM, "exec args");
	for (size_t i = 0; i < n; i++) {
		copy[i] = strdup(args[i]);
		if (!copy[i]) {
			spec_free_strv(copy);
			return berth_err_set(err, ENOMEM, "exec args");
		}
	}
	spec_free_strv(p->args);
	p->args = copy;
	return 0;
}

static int apply_user(struct spec_process *p, const struct berth_exec_opts *o, struct berth_err *err)
{
	size_t n = strv_count(o->additional_gids);

	if (o->user) {
		char uid[32] = "";
		const char *colon = strchr(o->user, ':');
		size_t ulen = colon ? (size_t)(colon - o->user) : strlen(o->user);

		if (ulen >= sizeof(uid))
			return berth_err_msg(err, EINVAL, "parsing %s as int for uid failed", o->user);
		memcpy(uid, o->user, ulen);
		uid[ulen] = '\0';
		if (parse_id(uid, "uid", &p->user.uid, err) < 0 ||
		    (colon && parse_id(colon + 1, "gid", &p->user.gid, err) < 0))
			return -1;
	}
	if (n) {
		uint32_t *gids = calloc(n, sizeof(*gids));
		if (!gids)
			return berth_err_set(err, ENOMEM, "--additional-gids");
		for (size_t i = 0; i < n; i++) {
			if (parse_id(o->additional_gids[i], "additional gid", &gids[i], err) < 0) {
				free(gids);
				return -1;
			}
		}
		free(p->user.additional_gids);
		p->user.additional_gids = gids;
		p->user.n_additional_gids = n;
	}
	return 0;
}

static int apply_overrides(struct spec_process *p, const struct berth_exec_opts *o, struct berth_err *err)
{
	if (!o->args || !o->args[0])
		return berth_err_msg(err, EINVAL, "process args cannot be empty");
	if (replace_args(p, o->args, err) < 0)
		return -1;
	p->terminal = o->tty;
	if (o->cwd) {
		if (o->cwd[0] != '/')
			return berth_err_msg(err, EINVAL, "--cwd \"%s\": must be an absolute path", o->cwd);
		if (spec_replace_str(&p->cwd, o->cwd, "exec", err) < 0)
			return -1;
	}
	for (size_t i = 0; o->env && o->env[i]; i++)
		if (env_set(&p->env, o->env[i], err) < 0)
			return -1;
	if (apply_user(p, o, err) < 0)
		return -1;
	for (size_t i = 0; o->caps && o->caps[i]; i++) {
		int cap = spec_cap_from_name(o->caps[i]);
		if (cap < 0)
			return berth_err_msg(err, EINVAL, "--cap: unknown capability \"%s\"", o->caps[i]);
		p->caps.set = true;
		p->caps.bounding |= UINT64_C(1) << cap;
		p->caps.effective |= UINT64_C(1) << cap;
		p->caps.permitted |= UINT64_C(1) << cap;
	}
	if (o->no_new_privs)
		p->no_new_privileges = true;
	if (o->apparmor && spec_replace_str(&p->apparmor_profile, o->apparmor, "exec", err) < 0)
		return -1;
	if (o->process_label && spec_replace_str(&p->selinux_label, o->process_label, "exec", err) < 0)
		return -1;
	return 0;
}

int exec_process_apply(struct spec *spec, const struct berth_exec_opts *o, struct berth_err *err)
{
	struct spec_process p;

	if (!o->process_file)
		return apply_overrides(&spec->process, o, err);
	if (read_process_file(o->process_file, &p, err) < 0)
		return -1;
	spec_free_process(&spec->process);
	spec->process = p;
	spec->has_process = true;
	return 0;
}
