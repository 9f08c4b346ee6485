/* SPDX-License-Identifier: Apache-2.0 */
/* control_client.c: see control_client.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "runsc/oci/control_client.h"
#include "runsc/oci/state.h"

int ctl_connect(const char *root, const char *id, runsc_error_t *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[4096];
	int dfd, fd;

	if (state_path(root, id, NULL, dir, sizeof(dir)))
		return runsc_error_make(err, ENAMETOOLONG, "%s", root);
	/* A long state root would overflow sun_path: name the socket
	 * through a directory fd instead. */
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return runsc_error_make(err, errno, "container %s", id);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/sandbox.sock",
		 dfd);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		close(dfd);
		return runsc_error_make(err, e, "cannot reach the sandbox of %s", id);
	}
	close(dfd);
	return fd;
}

int ctl_call(int fd, const struct ctl_req *req, const void *payload,
	     size_t plen, const int *fds, int nfds, struct ctl_reply *reply,
	     char **out, runsc_error_t *err)
{
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov[2] = { { (void *)req, sizeof(*req) },
				{ (void *)payload, plen } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = plen ? 2 : 1 };
	char *buf;
	ssize_t n;

	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)nfds * sizeof(int));
	}
	if (sizeof(*req) + plen > CTL_MSG_MAX)
		return runsc_error_make(err, E2BIG, "request to the sandbox");
	while (sendmsg(fd, &msg, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return runsc_error_make(err, errno, "sending to the sandbox");
	buf = malloc(CTL_MSG_MAX);
	if (!buf)
		return runsc_error_make(err, ENOMEM, "reply");
	while ((n = recv(fd, buf, CTL_MSG_MAX, 0)) < 0 && errno == EINTR)
		;
	if (n < (ssize_t)sizeof(*reply)) {
		free(buf);
		return runsc_error_make(err, n < 0 ? errno : 0,
					"the sandbox did not answer");
	}
	memcpy(reply, buf, sizeof(*reply));
	if (out) {
		size_t len = (size_t)n - sizeof(*reply);

		*out = malloc(len + 1);
		if (*out) {
			memcpy(*out, buf + sizeof(*reply), len);
			(*out)[len] = 0;
		}
	}
	free(buf);
	return 0;
}
