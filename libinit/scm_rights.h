/* One fd as SCM_RIGHTS ancillary data of a message. Header only, shared by
 * berth-init (which links no library of berth's) and the host side. */
#ifndef BERTH_SCM_RIGHTS_H
#define BERTH_SCM_RIGHTS_H

#include <string.h>
#include <sys/socket.h>

union scm_rights_buf {
	char buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

/* Makes msg carry fd; control must live until the message is sent. No
 * syscall, no errno: safe in berth-init's seccomp helper. */
static inline void scm_rights_attach(struct msghdr *msg, union scm_rights_buf *control, int fd)
{
	struct cmsghdr *cmsg;

	memset(control, 0, sizeof(*control));
	msg->msg_control = control->buf;
	msg->msg_controllen = sizeof(control->buf);
	cmsg = CMSG_FIRSTHDR(msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
}

#endif
