/* Idmapped bind mounts (config.json mounts with "idmap"/"ridmap" or their
 * own uidMappings/gidMappings), the stage 0 half. mount_setattr(
 * MOUNT_ATTR_IDMAP) needs CAP_SYS_ADMIN in the user namespace that owns the
 * source's superblock (the host's), which stage 1 no longer has inside the
 * container's user namespace: so stage 0 makes each mount as a detached,
 * idmapped copy of its source and sends it to stage 1 (SYNC_MOUNT_FD), and
 * stage 1 only attaches it inside the rootfs (mount_apply.c). */
#ifndef BERTH_MOUNT_IDMAP_H
#define BERTH_MOUNT_IDMAP_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"
#include "spec.h"

/* true when mounts[i] must be idmapped: an "idmap"/"ridmap" option or
 * mappings of its own (runc treats mappings alone as "idmap"). */
bool mount_is_idmapped(const struct spec_mount *m);

/* Stage 0, after the container's uid_map/gid_map are written and before
 * SYNC_GO. Checks every idmapped mount (bind only, both mappings or none,
 * a user namespace when it has no mappings of its own), then for each one
 * in order makes the idmapped copy of its source (relative to bundle) and
 * sends it as SYNC_MOUNT_FD on sync_fd. The mapping is the mount's own (a
 * short-lived helper user namespace) or the container's: userns_fd when the
 * config joins one by path (not closed here), else /proc/<pid>/ns/user.
 * Leaves no fd or helper process behind; errors name "mounts[N]". */
int mount_idmap_send(const struct spec *spec, const char *bundle, pid_t pid, int userns_fd, int sync_fd,
		     struct berth_err *err);

#endif
