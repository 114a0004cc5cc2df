#ifndef BERTH_INIT_MEMFD_H
#define BERTH_INIT_MEMFD_H

#include "err.h"

/* A sealed, executable memfd holding the embedded berth-init: the
 * container runs its PID 1 from it and can never reach or rewrite the
 * host's berth binary (the CVE-2019-5736 class). */
int init_memfd_create(struct berth_err *err);

/* A sealed memfd holding len bytes of data (the launch plan), its offset
 * left at the end: read it with pread. */
int data_memfd_create(const char *name, const void *data, size_t len, struct berth_err *err);

#endif
