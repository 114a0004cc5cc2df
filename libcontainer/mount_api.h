/* The new mount API (open_tree, move_mount, fsopen/fsmount, mount_setattr)
 * as glibc >= 2.36 declares it in <sys/mount.h>, with the constants older
 * headers may lack. */
#ifndef BERTH_MOUNT_API_H
#define BERTH_MOUNT_API_H

#include <fcntl.h>
#include <sys/mount.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif

#endif
