/* Decoding of config.json mount option strings ("nosuid", "rbind", "rro",
 * "mode=755"...) into the flag fields of struct spec_mount, the way runc
 * decodes them. */
#ifndef BERTH_MOUNT_OPTIONS_H
#define BERTH_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "spec.h"

/* Fills flags, clear_flags, propagation, attr_set, attr_clr,
 * recursive_attrs, bind, idmap and data from m->options and m->type.
 * Later options override earlier ones ("ro" then "rw" gives rw). */
int mount_options_decode(struct spec_mount *m, struct berth_err *err);

/* "private", "rshared", ... to MS_* (| MS_REC for the r-variants).
 * Returns -1 (err not touched) for a name that is not a propagation. */
int mount_propagation_from_name(const char *name, unsigned long *out);

/* The i-th option name mount_options_decode recognizes (flags,
 * propagation, recursive attributes, idmap), NULL past the last; any other
 * option is filesystem data. `berth features` lists them. */
const char *mount_option_name(size_t i);

/* The MOUNT_ATTR_* bits (mount_setattr, fsmount) for MS_* flags: ro,
 * nosuid, nodev, noexec, nodiratime, nosymfollow and the atime mode. */
uint64_t mount_attr_from_ms_flags(unsigned long flags);

/* Adds a per-mount attribute option to *set / *clr: the flag names ("ro",
 * "rw", "nosuid", "noatime"...) and their recursive forms ("rro"...,
 * which set *recursive). Later options override earlier ones. Returns
 * false for any other option ("bind", "sync", fs data...). */
bool mount_option_to_attr(const char *opt, uint64_t *set, uint64_t *clr, bool *recursive);

#endif
