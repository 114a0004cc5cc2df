/* Compiles linux.seccomp into a classic BPF program with libseccomp. berth
 * loads it itself (berth-init, as the last step before exec), so only the
 * instructions travel, inside the launch plan. */
#ifndef BERTH_SECCOMP_BPF_H
#define BERTH_SECCOMP_BPF_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "spec.h"

/* On success *insns (free() it) holds *n_insns instructions. Unknown
 * syscall names are skipped like runc does; rules whose action is the
 * default action are skipped (libseccomp refuses them). */
int seccomp_compile(const struct spec_seccomp *sc, struct sock_filter **insns, size_t *n_insns,
		    struct berth_err *err);

/* Whether this kernel takes SECCOMP_FILTER_FLAG_* flag on its own, as
 * berth-init passes linux.seccomp.flags to seccomp(2). */
bool seccomp_filter_flag_supported(uint32_t flag);

#endif
