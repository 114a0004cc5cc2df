/* Compiled seccomp filters kept between runs: compiling a Docker-like
 * profile with libseccomp costs ~10 ms of cpu, every container of a host
 * usually shares a handful of profiles, and the program depends only on
 * the profile, libseccomp and the machine. The cache lives in the state
 * root (<root>/.seccomp/, 0700; `list` skips dot names). A file holds the
 * whole key text, compared byte for byte before its program is used, so
 * a hash collision can never hand out another profile's filter. */
#ifndef BERTH_SECCOMP_CACHE_H
#define BERTH_SECCOMP_CACHE_H

#include <linux/filter.h>
#include <stddef.h>

#include "err.h"
#include "spec.h"

/* seccomp_compile, through the cache in dir (NULL: no cache). A cache that
 * cannot be read or written is no error: the filter is compiled. */
int seccomp_compile_cached(const char *dir, const struct spec_seccomp *sc, struct sock_filter **insns,
			   size_t *n_insns, struct berth_err *err);

#endif
