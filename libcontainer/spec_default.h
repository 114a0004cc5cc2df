/* The example config.json that `berth spec` writes: the same content as
 * `runc spec` (and `runc spec --rootless`), with berth's name in it. */
#ifndef BERTH_SPEC_DEFAULT_H
#define BERTH_SPEC_DEFAULT_H

#include <stdbool.h>

#include "err.h"

/* Returns malloc'd JSON, tab-indented, without a trailing newline (as runc
 * writes it). rootless: a user namespace mapping the caller's euid/egid to
 * root, no network namespace, /sys bind-mounted from the host, no device
 * cgroup rules and no gid=5 on /dev/pts. */
char *spec_default_json(bool rootless, struct berth_err *err);

#endif
