/* Decoding of config.json mount option strings ("nosuid", "rbind", "rro",
 * "mode=755"...) into the flag fields of struct spec_mount, the way runc
 * decodes them. */
#ifndef BERTH_MOUNT_OPTIONS_H
#define BERTH_MOUNT_OPTIONS_H

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

#endif
