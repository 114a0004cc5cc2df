#ifndef BERTH_MOUNT_COPYUP_H
#define BERTH_MOUNT_COPYUP_H

#include "err.h"

/* Copies the contents of the directory covered_fd (opened before the tmpfs
 * was mounted over it) into the tmpfs root tmpfs_fd: files, directories,
 * symlinks and nodes with their owners and modes. Both fds O_RDONLY
 * directories. */
int mount_copyup(int covered_fd, int tmpfs_fd, struct berth_err *err);

#endif
