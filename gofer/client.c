/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client.c: the client's transport: one request out, one reply in, and
 * every check a reply from a possibly compromised Gofer must pass before
 * the Sentry believes a byte of it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gofer/client_int.h"
#include "lib/log.h"

/* fds one reply may carry before we call it a violation: room to receive
 * (and close) a few extra so none stays open in the Sentry. */
#define CLIENT_MAX_FDS 8

struct gofer_client *gofer_client_new(int sock)
{
	struct gofer_client *c = calloc(1, sizeof(*c));

	if (c)
		c->rbuf = malloc(GOFER_MSG_MAX);
	if (!c || !c->rbuf) {
		free(c);
		close(sock);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	c->sock = sock;
	return c;
}

void gofer_client_free(struct gofer_client *c)
{
	if (!c)
		return;
	close(c->sock);
	pthread_mutex_destroy(&c->lock);
	free(c->rbuf);
	free(c);
}

bool gofer_client_broken(struct gofer_client *c)
{
	bool b;

	gofer_client_lock(c);
	b = c->broken;
	gofer_client_unlock(c);
	return b;
}

void gofer_client_lock(struct gofer_client *c)
{
	pthread_mutex_lock(&c->lock);
}

void gofer_client_unlock(struct gofer_client *c)
{
	pthread_mutex_unlock(&c->lock);
}

long gofer_violation(struct gofer_client *c, const char *what)
{
	if (!c->broken)
		log_warn("gofer client: protocol violation (%s); the Gofer "
			 "connection is no longer used", what);
	c->broken = true;
	return -EIO;
}

static int send_request(struct gofer_client *c, unsigned type,
			const struct iovec *parts, int nparts)
{
	struct iovec iov[GOFER_WALK_MAX + 2];
	struct gofer_hdr h = { .type = (uint16_t)type, .tag = ++c->tag };
	size_t size = sizeof(h);
	struct msghdr m = { .msg_iov = iov };
	ssize_t n;

	if (nparts < 0 || nparts > GOFER_WALK_MAX + 1)
		return -EINVAL;
	for (int i = 0; i < nparts; i++) {
		iov[i + 1] = parts[i];
		size += parts[i].iov_len;
	}
	if (size > GOFER_MSG_MAX)
		return -ENAMETOOLONG; /* the caller's names, too long */
	h.size = (uint32_t)size;
	iov[0] = (struct iovec){ .iov_base = &h, .iov_len = sizeof(h) };
	m.msg_iovlen = (size_t)nparts + 1;
	/* MSG_NOSIGNAL: a dead Gofer is an error, not a SIGPIPE. */
	do
		n = sendmsg(c->sock, &m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		log_warn("gofer client: send: %s", strerror(errno));
		c->broken = true;
		return -EIO;
	}
	return 0;
}

/* Collect the fds of a received message (MSG_CTRUNC says whether the
 * kernel had to drop some: more than we have room for, or the Sentry's fd
 * table is full). */
static void take_fds(struct msghdr *m, int *fds, int *nfds)
{
	*nfds = 0;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(m); cm;
	     cm = CMSG_NXTHDR(m, cm)) {
		size_t k;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k && *nfds < CLIENT_MAX_FDS; i++)
			memcpy(&fds[(*nfds)++], CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(int));
	}
}

static void close_fds(const int *fds, int n)
{
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

/* Check a received reply against the request; its payload length, the
 * Gofer's -errno or -EIO. Owns fds[] (closes what it does not hand on). */
static long check_reply(struct gofer_client *c, unsigned type, size_t len,
			int flags, const int *fds, int nfds, int *fd)
{
	struct gofer_hdr h;

	if ((flags & MSG_TRUNC) || len < sizeof(h)) {
		close_fds(fds, nfds);
		return gofer_violation(c, "reply size");
	}
	memcpy(&h, c->rbuf, sizeof(h));
	if (h.size != len || h.type != (type | GOFER_REPLY) ||
	    h.tag != c->tag || h.flags != 0) {
		close_fds(fds, nfds);
		return gofer_violation(c, "reply header");
	}
	if (flags & MSG_CTRUNC) {
		/* The fds did not all arrive: most likely the Sentry's own fd
		 * table is full (a guest with many files open), possibly a
		 * Gofer sending too many. The message itself came whole, so
		 * the connection stays usable; this call fails. */
		close_fds(fds, nfds);
		return -ENFILE;
	}
	if (h.error != 0) {
		close_fds(fds, nfds);
		if (h.error < 0 || h.error > 4095 || len != sizeof(h) || nfds)
			return gofer_violation(c, "error reply");
		return -h.error;
	}
	if (nfds != (fd ? 1 : 0)) {
		close_fds(fds, nfds);
		return gofer_violation(c, "fds in reply");
	}
	if (fd)
		*fd = fds[0];
	return (long)(len - sizeof(h));
}

long gofer_transact(struct gofer_client *c, unsigned type,
		    const struct iovec *parts, int nparts, int *fd)
{
	union {
		char buf[CMSG_SPACE(CLIENT_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = c->rbuf, .iov_len = GOFER_MSG_MAX };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[CLIENT_MAX_FDS], nfds, err;
	ssize_t n;

	if (c->broken)
		return -EIO;
	err = send_request(c, type, parts, nparts);
	if (err)
		return err;
	m.msg_control = ctl.buf;
	m.msg_controllen = sizeof(ctl.buf);
	/* CLOEXEC: a donated fd must never leak into anything exec'd. */
	do
		n = recvmsg(c->sock, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		log_warn("gofer client: receive: %s",
			 n ? strerror(errno) : "the Gofer hung up");
		c->broken = true;
		return -EIO;
	}
	take_fds(&m, fds, &nfds);
	return check_reply(c, type, (size_t)n, m.msg_flags, fds, nfds, fd);
}

int gofer_call_fixed(struct gofer_client *c, unsigned type,
		     const struct iovec *parts, int nparts, void *rep,
		     size_t replen)
{
	long n;

	gofer_client_lock(c);
	n = gofer_transact(c, type, parts, nparts, NULL);
	if (n >= 0 && (size_t)n != replen)
		n = gofer_violation(c, "reply length");
	if (n > 0)
		memcpy(rep, gofer_reply_payload(c), replen);
	gofer_client_unlock(c);
	return n < 0 ? (int)n : 0;
}

int gofer_call_node(struct gofer_client *c, unsigned type,
		    const struct iovec *parts, int nparts, uint64_t *node,
		    struct gofer_stat *st)
{
	struct gofer_node_rep r;
	int err = gofer_call_fixed(c, type, parts, nparts, &r, sizeof(r));

	if (err)
		return err;
	*node = r.node;
	if (st)
		*st = r.stat;
	return 0;
}

int gofer_name_iov(struct iovec *iov, const char *name)
{
	size_t len = strlen(name);
	int err = gofer_check_name(name, len);

	if (err)
		return err;
	*iov = (struct iovec){ .iov_base = (void *)name, .iov_len = len + 1 };
	return 0;
}

bool gofer_fd_is_regular(int fd)
{
	struct stat st;

	/* The fstat syscall itself, which the Sentry's seccomp filter allows:
	 * glibc's fstat() is newfstatat(fd, "", AT_EMPTY_PATH), which would
	 * also take a path. */
	return syscall(SYS_fstat, fd, &st) == 0 && S_ISREG(st.st_mode);
}
