/* OCI hooks: each runs with the container's state JSON on stdin, its own
 * args and env, and an optional timeout. */
#ifndef BERTH_HOOKS_H
#define BERTH_HOOKS_H

#include "err.h"
#include "spec.h"

/* Runs every hook of kind in order; the first failure stops and is
 * returned: `createRuntime hook #0 "/bin/x": exit status 1: <output>`. */
int hooks_run(const struct spec *spec, enum spec_hook_kind kind, const char *state_json,
	      struct berth_err *err);

/* Same, for hooks whose failure is only a warning (poststart, poststop):
 * runs all of them and logs each failure. */
void hooks_run_warn(const struct spec *spec, enum spec_hook_kind kind, const char *state_json);

/* Whether create runs hooks between stage 1's steps (prestart,
 * createRuntime, createContainer): stage 1 then asks stage 0 for them. */
bool hooks_during_create(const struct spec *spec);

#endif
