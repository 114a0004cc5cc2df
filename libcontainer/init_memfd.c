#include "init_memfd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

extern const unsigned char berth_init_blob[], berth_init_blob_end[];

static int sealed_memfd(const char *name, unsigned int exec_flag, const void *data, size_t len,
			struct berth_err *err)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | exec_flag);
	size_t off = 0;

	/* Kernels before 6.3 do not know MFD_EXEC (and exec by default). */
	if (fd < 0 && errno == EINVAL && exec_flag)
		fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return berth_err_set(err, errno, "memfd_create %s", name);
	while (off < len) {
		ssize_t n = write(fd, (const char *)data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			close(fd);
			return berth_err_set(err, e, "write %s", name);
		}
		off += (size_t)n;
	}
	/* The offset stays at the end: berth-init reads the plan with pread,
	 * and execveat reads a binary from its start whatever the offset. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
		int e = errno;
		close(fd);
		return berth_err_set(err, e, "seal %s", name);
	}
	return fd;
}

int init_memfd_create(struct berth_err *err)
{
	/* The two symbols bound one blob (init_blob.S), so the difference is
	 * its size. */
	size_t size = (uintptr_t)berth_init_blob_end - (uintptr_t)berth_init_blob;

	return sealed_memfd("berth-init", MFD_EXEC, berth_init_blob, size, err);
}

int data_memfd_create(const char *name, const void *data, size_t len, struct berth_err *err)
{
	return sealed_memfd(name, 0, data, len, err);
}
