#ifndef BERTH_EXEC_PROCESS_H
#define BERTH_EXEC_PROCESS_H

#include "container.h"
#include "err.h"
#include "spec.h"

/* Turns spec->process (the container's, from its saved config) into the
 * process `berth exec` runs: o->process_file replaces it, else o's command
 * and overrides are applied to it. Errors read as runc's. */
int exec_process_apply(struct spec *spec, const struct berth_exec_opts *o, struct berth_err *err);

#endif
