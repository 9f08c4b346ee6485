/* SPDX-License-Identifier: Apache-2.0 */
/* console.c: see console.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "runsc/oci/console.h"

static int send_master(const char *path, int master, const char *name,
		       runsc_error_t *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { (void *)name, strlen(name) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cm.buf,
			      .msg_controllen = sizeof(cm.buf) };
	struct cmsghdr *c;
	cleanup_close int fd = -1;

	if (strlen(path) >= sizeof(sa.sun_path))
		return runsc_error_make(err, ENAMETOOLONG, "console socket %s", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return runsc_error_make(err, errno, "connecting to the console socket %s",
					path);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof(int));
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) < 0)
		return runsc_error_make(err, errno, "sending the console to %s", path);
	return 0;
}

int console_setup(const char *socket_path, unsigned rows, unsigned cols,
		  int *slave, runsc_error_t *err)
{
	cleanup_close int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	char name[64];
	int s;

	if (master < 0)
		return runsc_error_make(err, errno, "cannot open a pty");
	if (grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, name, sizeof(name)) != 0)
		return runsc_error_make(err, errno, "cannot set up the pty");
	s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		return runsc_error_make(err, errno, "cannot open %s", name);
	if (rows && cols) {
		struct winsize ws = { .ws_row = (unsigned short)rows,
				      .ws_col = (unsigned short)cols };

		ioctl(s, TIOCSWINSZ, &ws);
	}
	if (socket_path && send_master(socket_path, master, name, err)) {
		close(s);
		return -1;
	}
	*slave = s;
	return 0;
}
