/* The runtime-spec "features document" (features.md, features-linux.md)
 * that `berth features` prints: what this build of berth recognizes, read
 * from the same tables and checks the config parser and the launch code
 * use, so it cannot claim what berth refuses. Engines read it once at
 * start (containerd enables user-namespaced pods and recursive read-only
 * mounts from it). Not named features.h: with -Ilibcontainer that would
 * hide glibc's <features.h>. */
#ifndef BERTH_RUNTIME_FEATURES_H
#define BERTH_RUNTIME_FEATURES_H

#include "err.h"

/* malloc'd JSON, indented with 4 spaces like runc's (json.MarshalIndent),
 * ending with a newline. */
char *features_json(struct berth_err *err);

#endif
