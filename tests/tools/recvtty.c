/*
 * recvtty: the receiving end of --console-socket, for the integration tests.
 *
 *   recvtty SOCKET [--winsize] [--write STRING] [--dump FILE]
 *
 * Listens on the unix stream socket SOCKET, accepts one connection and
 * receives one message that must carry exactly one fd in one SCM_RIGHTS
 * control message (the protocol runc and containerd use). The payload (the
 * pty name) is printed to stderr. The fd must be a tty. With --winsize its
 * window size is printed to stderr as "recvtty: winsize: ROWS COLS". With
 * --write, STRING is written to the pty master. Then everything read from
 * the master is copied to FILE (default stdout) until EOF or EIO (the last
 * slave closed).
 *
 * The socket is bound under a temporary name and renamed to SOCKET once it
 * listens, so a test can poll for SOCKET to exist and then connect safely.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define PAYLOAD_MAX 4096

struct recvtty_opts {
	const char *socket_path;
	const char *dump_path;
	const char *write_string;
	int print_winsize;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: recvtty SOCKET [--winsize] [--write STRING] [--dump FILE]\n");
}

static int parse_args(int argc, char **argv, struct recvtty_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	if (argc < 2 || argv[1][0] == '-')
		return -1;
	opts->socket_path = argv[1];
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--winsize") == 0) {
			opts->print_winsize = 1;
		} else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc) {
			opts->dump_path = argv[++i];
		} else if (strcmp(argv[i], "--write") == 0 && i + 1 < argc) {
			opts->write_string = argv[++i];
		} else {
			fprintf(stderr, "recvtty: unknown argument \"%s\"\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

static int fill_sockaddr(struct sockaddr_un *addr, const char *path)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr->sun_path)) {
		fprintf(stderr, "recvtty: socket path \"%s\" too long\n", path);
		return -1;
	}
	strcpy(addr->sun_path, path);
	return 0;
}

/* Returns a listening socket that appears at PATH only once it listens. */
static int listen_at(const char *path)
{
	char tmp_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct sockaddr_un addr;
	int fd;

	if (snprintf(tmp_path, sizeof(tmp_path), "%s.tmp", path) >= (int)sizeof(tmp_path) ||
	    fill_sockaddr(&addr, tmp_path) < 0) {
		fprintf(stderr, "recvtty: socket path \"%s\" too long\n", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "recvtty: socket: %s\n", strerror(errno));
		return -1;
	}
	unlink(tmp_path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fprintf(stderr, "recvtty: bind \"%s\": %s\n", tmp_path, strerror(errno));
		goto fail;
	}
	if (listen(fd, 1) < 0) {
		fprintf(stderr, "recvtty: listen \"%s\": %s\n", tmp_path, strerror(errno));
		goto fail;
	}
	if (rename(tmp_path, path) < 0) {
		fprintf(stderr, "recvtty: rename \"%s\" to \"%s\": %s\n", tmp_path, path,
			strerror(errno));
		goto fail;
	}
	return fd;
fail:
	unlink(tmp_path);
	close(fd);
	return -1;
}

/*
 * Receives one message; it must hold a non-empty payload and exactly one
 * SCM_RIGHTS control message with exactly one fd. Returns that fd.
 */
static int receive_console_fd(int conn)
{
	char payload[PAYLOAD_MAX + 1];
	/* Room for more than one fd, so extra fds are detected, not truncated. */
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 8)];
	} control;
	struct iovec iov = { .iov_base = payload, .iov_len = PAYLOAD_MAX };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	int fd = -1, nr_cmsgs = 0;
	ssize_t n;

	n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0) {
		fprintf(stderr, "recvtty: recvmsg: %s\n", strerror(errno));
		return -1;
	}
	payload[n] = '\0';
	fprintf(stderr, "recvtty: pty name: %s\n", payload);
	if (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) {
		fprintf(stderr, "recvtty: message truncated (flags %#x)\n", msg.msg_flags);
		return -1;
	}
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		size_t nr_fds;

		nr_cmsgs++;
		if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) {
			fprintf(stderr, "recvtty: unexpected control message %d/%d\n",
				cmsg->cmsg_level, cmsg->cmsg_type);
			return -1;
		}
		nr_fds = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (nr_fds != 1) {
			fprintf(stderr, "recvtty: SCM_RIGHTS carries %zu fds, want 1\n", nr_fds);
			return -1;
		}
		memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	}
	if (nr_cmsgs != 1 || fd < 0) {
		fprintf(stderr, "recvtty: got %d control messages, want 1 SCM_RIGHTS\n",
			nr_cmsgs);
		return -1;
	}
	if (n == 0) {
		fprintf(stderr, "recvtty: empty payload, want the pty name\n");
		close(fd);
		return -1;
	}
	return fd;
}

static int check_tty(int master, int print_winsize)
{
	struct winsize ws;

	if (!isatty(master)) {
		fprintf(stderr, "recvtty: received fd is not a tty: %s\n", strerror(errno));
		return -1;
	}
	if (ioctl(master, TIOCGWINSZ, &ws) < 0) {
		fprintf(stderr, "recvtty: TIOCGWINSZ: %s\n", strerror(errno));
		return -1;
	}
	if (print_winsize)
		fprintf(stderr, "recvtty: winsize: %u %u\n", ws.ws_row, ws.ws_col);
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copies the master to OUT until EOF or EIO (every slave fd closed). */
static int dump_master(int master, int out)
{
	char buf[4096];

	for (;;) {
		ssize_t n = read(master, buf, sizeof(buf));

		if (n == 0 || (n < 0 && errno == EIO))
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "recvtty: read pty master: %s\n", strerror(errno));
			return -1;
		}
		if (write_all(out, buf, (size_t)n) < 0) {
			fprintf(stderr, "recvtty: write output: %s\n", strerror(errno));
			return -1;
		}
	}
}

int main(int argc, char **argv)
{
	struct recvtty_opts opts;
	int listener, conn, master, out = STDOUT_FILENO, ret = 1;

	if (parse_args(argc, argv, &opts) < 0) {
		usage();
		return 2;
	}
	listener = listen_at(opts.socket_path);
	if (listener < 0)
		return 1;
	conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0) {
		fprintf(stderr, "recvtty: accept: %s\n", strerror(errno));
		close(listener);
		return 1;
	}
	close(listener);
	master = receive_console_fd(conn);
	close(conn);
	if (master < 0)
		return 1;
	if (check_tty(master, opts.print_winsize) < 0)
		goto out_master;
	if (opts.dump_path) {
		out = open(opts.dump_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0) {
			fprintf(stderr, "recvtty: open \"%s\": %s\n", opts.dump_path,
				strerror(errno));
			goto out_master;
		}
	}
	if (opts.write_string &&
	    write_all(master, opts.write_string, strlen(opts.write_string)) < 0) {
		fprintf(stderr, "recvtty: write pty master: %s\n", strerror(errno));
		goto out_file;
	}
	if (dump_master(master, out) == 0)
		ret = 0;
out_file:
	if (out != STDOUT_FILENO)
		close(out);
out_master:
	close(master);
	return ret;
}
