/* The record of what `berth mount` attached to a container: mounts.json
 * in its state dir, apart from state.json so that `berth mount` never
 * needs the lock `create` holds while its hooks run (a createRuntime hook
 * may itself call `berth mount`). Updates are serialized by their own lock
 * file, mounts.lock. */
#ifndef BERTH_STORAGE_RECORD_H
#define BERTH_STORAGE_RECORD_H

#include <stddef.h>
#include <yajl/yajl_gen.h>

#include "err.h"

struct attached_mount {
	char *destination;   /* inside the container, as cleaned */
	char *type;          /* "bind" or the filesystem type */
	char *source;        /* host path, fs source, or path in `from` */
	char *from;          /* the container SOURCE is in, or NULL */
	char **options;      /* NULL-terminated: --options plus the flags */
};

struct attached_mounts {
	struct attached_mount *v;
	size_t n;
};

/* A missing mounts.json is an empty list. */
int attached_mounts_load(const char *dir, struct attached_mounts *out, struct berth_err *err);
int attached_mounts_save(const char *dir, const struct attached_mounts *m, struct berth_err *err);
void attached_mounts_free(struct attached_mounts *m);

/* Appends a deep copy of one. */
int attached_mounts_add(struct attached_mounts *m, const struct attached_mount *one, struct berth_err *err);
/* Removes the last one attached at destination; -1 if there is none. */
int attached_mounts_remove_last(struct attached_mounts *m, const char *destination);

/* The list as a JSON array of {destination, type, source, [from], options}. */
void attached_mounts_gen(yajl_gen g, const struct attached_mounts *m);

/* flock on <dir>/mounts.lock; returns the fd (O_CLOEXEC) to close. */
int attached_mounts_lock(const char *dir, struct berth_err *err);

#endif
