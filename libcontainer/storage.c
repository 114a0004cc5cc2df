/* berth mount / berth umount: the verbs' logic (storage.h has the model).
 * They take mounts.lock, never the state dir's lock: `create` holds that
 * one while its hooks run, and a hook may call `berth mount`. */
#include "storage.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "container.h"
#include "log.h"
#include "mount_options.h"
#include "path_in_root.h"
#include "storage_record.h"

#define MAX_MOUNT_OPTIONS 64

/* What --options and the flags ask for, sorted by where it goes. */
struct mount_request {
	const struct berth_mount_opts *o;
	char dest[PATH_MAX];
	bool bind, recursive, idmap, recursive_attrs;
	uint64_t attr_set, attr_clr;
	char *options_copy;
	char *given[MAX_MOUNT_OPTIONS + 1];    /* every option, as given */
	char *fs_options[MAX_MOUNT_OPTIONS + 1]; /* for fsconfig (new fs) */
	size_t n_given, n_fs;
};

/* dest cleaned (path_clean): absolute, and no ".." (which could only mean
 * a place outside the container's root). */
static int clean_destination(const char *in, char *out, size_t len, struct berth_err *err)
{
	bool dotdot;

	if (in[0] != '/')
		return berth_err_msg(err, EINVAL, "destination \"%s\" is not an absolute path", in);
	if (path_clean(in, out, len, &dotdot) < 0)
		return berth_err_msg(err, ENAMETOOLONG, "destination \"%s\" is too long", in);
	if (dotdot)
		return berth_err_msg(err, EINVAL, "destination \"%s\" leads outside the container's root", in);
	if (strcmp(out, "/") == 0)
		return berth_err_msg(err, EINVAL, "cannot mount over the container's root");
	return 0;
}

static int decode_option(struct mount_request *r, char *opt, struct berth_err *err)
{
	if (r->n_given == MAX_MOUNT_OPTIONS)
		return berth_err_msg(err, E2BIG, "--options: more than %d options", MAX_MOUNT_OPTIONS);
	r->given[r->n_given++] = opt;
	if (mount_option_to_attr(opt, &r->attr_set, &r->attr_clr, &r->recursive_attrs))
		return 0;
	if (r->bind) {
		if (strcmp(opt, "bind") == 0 || strcmp(opt, "defaults") == 0)
			return 0;
		if (strcmp(opt, "rbind") == 0) {
			r->recursive = true;
			return 0;
		}
		if (strcmp(opt, "idmap") == 0 || strcmp(opt, "ridmap") == 0) {
			r->idmap = true;
			r->recursive_attrs |= opt[0] == 'r';
			return 0;
		}
		return berth_err_msg(err, EINVAL, "--options: \"%s\" does not apply to a bind mount (filesystem options need --type)",
				     opt);
	}
	r->fs_options[r->n_fs++] = opt;
	return 0;
}

static int decode_request(struct mount_request *r, struct berth_err *err)
{
	const struct berth_mount_opts *o = r->o;

	if (clean_destination(o->destination, r->dest, sizeof(r->dest), err) < 0)
		return -1;
	if (!o->source || !*o->source)
		return berth_err_msg(err, EINVAL, "no source given");
	r->bind = !o->type || strcmp(o->type, "bind") == 0;
	r->recursive = o->recursive;
	r->idmap = o->idmap;
	if (!r->bind && o->from)
		return berth_err_msg(err, EINVAL, "--from takes a path in another container, not a new filesystem (--type)");
	r->options_copy = strdup(o->options ? o->options : "");
	if (!r->options_copy)
		return berth_err_set(err, ENOMEM, "--options");
	for (char *save = NULL, *opt = strtok_r(r->options_copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save))
		if (decode_option(r, opt, err) < 0)
			return -1;
	if (r->idmap && !r->bind)
		return berth_err_msg(err, EINVAL, "--idmap applies to bind mounts (a host path or --from)");
	if (o->readonly) {
		r->attr_set |= MOUNT_ATTR_RDONLY;
		r->attr_clr &= ~(uint64_t)MOUNT_ATTR_RDONLY;
	}
	return 0;
}

static int check_status(const struct container_state *st, const char *verb, struct berth_err *err)
{
	switch (st->status) {
	case STATUS_PAUSED:
		return berth_err_msg(err, 0, "cannot %s a paused container (resume it first)", verb);
	case STATUS_STOPPED:
		return berth_err_msg(err, 0, "cannot %s a stopped container", verb);
	default:
		return 0;
	}
}

static int open_target(const struct berth_ctx *ctx, const char *id, const char *verb, struct container_state *st,
		       struct storage_target *t, struct berth_err *err)
{
	if (state_load(ctx->root, id, st, err) < 0)
		return -1;
	if (check_status(st, verb, err) < 0 || storage_target_open(st, t, err) < 0) {
		state_free(st);
		return -1;
	}
	return 0;
}

static int open_userns(const struct storage_target *t, struct berth_err *err)
{
	char path[64];
	int fd;

	if (!(t->join_flags & CLONE_NEWUSER))
		return berth_err_msg(err, EINVAL, "--idmap: container \"%s\" has no user namespace of its own", t->st->id);
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)t->st->init_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_err_set(err, errno, "--idmap: open %s", path);
	return fd;
}

/* The detached tree the request names, attributes applied. *source_out
 * gets what the record shows as the source (a host path made absolute). */
static int make_tree(const struct berth_ctx *ctx, struct mount_request *r, const struct storage_target *t,
		     char *source_out, size_t len, struct berth_err *err)
{
	const struct berth_mount_opts *o = r->o;
	int tree, userns = -1;

	snprintf(source_out, len, "%s", o->source);
	if (!r->bind) {
		r->fs_options[r->n_fs] = NULL;
		return storage_tree_new_fs(t, o->type, o->source, r->fs_options, r->attr_set, err);
	}
	if (o->from) {
		struct container_state other;
		struct storage_target from;
		if (open_target(ctx, o->from, "mount from", &other, &from, err) < 0)
			return berth_err_wrap(err, "--from");
		tree = storage_tree_from_container(&from, o->source, r->recursive, err);
		storage_target_close(&from);
		state_free(&other);
	} else {
		char real[PATH_MAX];
		if (!realpath(o->source, real))
			return berth_err_set(err, errno, "source \"%s\"", o->source);
		snprintf(source_out, len, "%s", real);
		tree = storage_tree_from_host(real, r->recursive, err);
	}
	if (tree < 0)
		return -1;
	if (r->idmap && (userns = open_userns(t, err)) < 0) {
		close(tree);
		return -1;
	}
	if (storage_tree_set_attrs(tree, r->attr_set, r->attr_clr, r->recursive || r->recursive_attrs, userns, err) < 0) {
		close(tree);
		tree = -1;
	}
	if (userns >= 0)
		close(userns);
	return tree;
}

/* The record's options: the given ones and what the flags added. */
static void record_options(const struct mount_request *r, char **out)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_given; i++)
		out[n++] = r->given[i];
	if (r->bind && r->o->recursive)
		out[n++] = (char *)"rbind";
	if (r->o->readonly)
		out[n++] = (char *)"ro";
	if (r->o->idmap)
		out[n++] = (char *)"idmap";
	out[n] = NULL;
}

static int record_mount(const char *dir, const struct mount_request *r, const char *source, struct berth_err *err)
{
	char *options[MAX_MOUNT_OPTIONS + 4];
	struct attached_mount one = { .destination = (char *)r->dest, .type = (char *)(r->bind ? "bind" : r->o->type),
				      .source = (char *)source, .from = (char *)r->o->from, .options = options };
	struct attached_mounts all;
	int rc;

	record_options(r, options);
	if (attached_mounts_load(dir, &all, err) < 0)
		return -1;
	rc = attached_mounts_add(&all, &one, err);
	if (rc == 0)
		rc = attached_mounts_save(dir, &all, err);
	attached_mounts_free(&all);
	return rc;
}

int berth_container_mount(const struct berth_ctx *ctx, const struct berth_mount_opts *o, struct berth_err *err)
{
	struct mount_request r = { .o = o };
	struct container_state st;
	struct storage_target t;
	char dir[PATH_MAX], source[PATH_MAX];
	int lock_fd = -1, tree = -1, rc = -1;

	if (decode_request(&r, err) < 0) {
		free(r.options_copy);
		return -1;
	}
	if (open_target(ctx, o->id, "mount into", &st, &t, err) < 0) {
		free(r.options_copy);
		return -1;
	}
	if (state_dir_path(ctx->root, o->id, dir, sizeof(dir), err) < 0 || (lock_fd = attached_mounts_lock(dir, err)) < 0)
		goto out;
	tree = make_tree(ctx, &r, &t, source, sizeof(source), err);
	if (tree < 0 || storage_attach(&t, tree, r.dest, err) < 0)
		goto out;
	if (record_mount(dir, &r, source, err) < 0) {
		struct berth_err ignored;
		storage_detach(&t, r.dest, true, &ignored);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		berth_err_wrap(err, "mount \"%s\" on \"%s\"", o->source, o->destination);
	if (tree >= 0)
		close(tree);
	if (lock_fd >= 0)
		close(lock_fd);
	storage_target_close(&t);
	state_free(&st);
	free(r.options_copy);
	return rc;
}

int berth_container_umount(const struct berth_ctx *ctx, const char *id, const char *destination, bool lazy,
			   struct berth_err *err)
{
	struct attached_mounts all = { 0 };
	struct container_state st;
	struct storage_target t;
	char dir[PATH_MAX], dest[PATH_MAX];
	int lock_fd = -1, rc = -1;

	if (clean_destination(destination, dest, sizeof(dest), err) < 0)
		return berth_err_wrap(err, "umount");
	if (open_target(ctx, id, "umount in", &st, &t, err) < 0)
		return -1;
	if (state_dir_path(ctx->root, id, dir, sizeof(dir), err) < 0 || (lock_fd = attached_mounts_lock(dir, err)) < 0 ||
	    attached_mounts_load(dir, &all, err) < 0)
		goto out;
	if (attached_mounts_remove_last(&all, dest) < 0) {
		berth_err_msg(err, ENOENT, "umount: nothing was attached on \"%s\" by berth mount", dest);
		goto out;
	}
	if (storage_detach(&t, dest, lazy, err) < 0) {
		/* Gone already (the workload unmounted it): only the record is left. */
		if (err->errnum != EINVAL)
			goto out;
		log_warn("umount: %s", err->msg);
	}
	rc = attached_mounts_save(dir, &all, err);
out:
	if (lock_fd >= 0)
		close(lock_fd);
	attached_mounts_free(&all);
	storage_target_close(&t);
	state_free(&st);
	return rc;
}

int berth_container_mounts(const struct berth_ctx *ctx, const char *id, struct attached_mounts *out,
			   struct berth_err *err)
{
	struct container_state st;
	char dir[PATH_MAX];
	int rc;

	if (state_load(ctx->root, id, &st, err) < 0)
		return -1;
	state_free(&st);
	rc = state_dir_path(ctx->root, id, dir, sizeof(dir), err);
	return rc < 0 ? -1 : attached_mounts_load(dir, out, err);
}
