#include "labels.h"

#include <fcntl.h>
#include <selinux/selinux.h>
#include <unistd.h>

bool labels_apparmor_enabled(void)
{
	char c = 0;
	int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == 'Y';
}

bool labels_selinux_enabled(void)
{
	return is_selinux_enabled() > 0;
}
