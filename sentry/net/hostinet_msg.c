/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostinet_msg.c: sendmsg and recvmsg on --network=host sockets. The
 * host call is non-blocking, with iovecs pointing into the guest's pages;
 * a guest call that would block waits in the Sentry (hostinet_wait) and
 * tries again. A blocking stream send goes on until everything is sent,
 * as Linux's does; MSG_WAITALL reads until the buffer is full.
 *
 * Control messages are filtered both ways through spec/netopts.yaml:
 * sent ones must be listed `send: true` (EINVAL otherwise, as Linux for
 * a type it does not know; SCM_RIGHTS and SCM_CREDENTIALS are dropped,
 * as Linux ignores them on internet sockets), received ones `recv: true`
 * (others are dropped; a host descriptor that somehow arrived is closed,
 * never passed on).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gen/linux_flags.h"
#include "sentry/abi/poll.h"
#include "sentry/kernel/task.h"
#include "sentry/net/hostinet.h"
#include "sentry/net/netopt.h"
#include "sentry/net/scm.h"
#include "sentry/net/socket.h"
#include "sentry/vfs/vfs.h"

#define HOST_IOV 64
#define HOST_CTL_MAX 4096
/* The flags a guest's send or receive may pass on to the host; the host
 * call is always non-blocking and never raises SIGPIPE. */
#define SEND_FLAGS                                                             \
	(LINUX_MSG_OOB | LINUX_MSG_DONTROUTE | LINUX_MSG_EOR |                 \
	 LINUX_MSG_MORE | LINUX_MSG_CONFIRM | LINUX_MSG_FASTOPEN)
#define RECV_FLAGS                                                             \
	(LINUX_MSG_OOB | LINUX_MSG_PEEK | LINUX_MSG_TRUNC | LINUX_MSG_ERRQUEUE)
#define MSG_FLAGS_BACK                                                         \
	(LINUX_MSG_TRUNC | LINUX_MSG_CTRUNC | LINUX_MSG_EOR | LINUX_MSG_OOB |  \
	 LINUX_MSG_ERRQUEUE)

/* A guest's control messages for the host, keeping only the listed ones
 * (host buffer in *out, its length returned) or -EINVAL. */
static long filter_send_cmsgs(const void *ctl, uint64_t len, void **out)
{
	const char *base = ctl;
	uint64_t off = 0, olen = 0;
	char *buf;

	*out = NULL;
	if (!len)
		return 0;
	buf = calloc(1, len);
	if (!buf)
		return -ENOMEM;
	while (len >= LINUX_CMSG_HDRLEN && off <= len - LINUX_CMSG_HDRLEN) {
		struct linux_cmsghdr h;
		const struct netopt_cmsg *c;

		memcpy(&h, base + off, sizeof(h));
		if (h.len < LINUX_CMSG_HDRLEN || h.len > len - off)
			goto inval;
		c = netopt_cmsg_find(h.level, h.type);
		if (h.level == LINUX_SOL_SOCKET &&
		    (h.type == LINUX_SCM_RIGHTS ||
		     h.type == LINUX_SCM_CREDENTIALS)) {
			/* AF_UNIX's: ignored (__sock_cmsg_send), and a
			 * sandbox descriptor must never reach the host. */
			off += LINUX_CMSG_ALIGN(h.len);
			continue;
		}
		if (!c || !c->send ||
		    h.len - LINUX_CMSG_HDRLEN > (uint64_t)c->size)
			goto inval;
		memcpy(buf + olen, base + off, h.len);
		olen += LINUX_CMSG_ALIGN(h.len);
		off += LINUX_CMSG_ALIGN(h.len);
	}
	*out = buf;
	return (long)(olen > len ? len : olen);
inval:
	free(buf);
	return -EINVAL;
}

/* One non-blocking host sendmsg of what the uio holds (at most max
 * bytes): the count, or -errno. */
static long send_once(struct socket *s, struct sock_msg *msg, uint32_t flags,
		      void *ctl, size_t ctllen, size_t max)
{
	struct iovec iov[HOST_IOV];
	struct msghdr mh = {0};
	int niov = 0;
	long got = 0;
	ssize_t n;

	if (msg->uio->resid) {
		got = vfs_uio_host_iovecs(msg->uio, false, iov, HOST_IOV, &niov,
					  max);
		if (got < 0)
			return got;
	}
	mh.msg_iov = iov;
	mh.msg_iovlen = (size_t)niov;
	if (msg->namelen) {
		mh.msg_name = msg->name;
		mh.msg_namelen = (socklen_t)msg->namelen;
	}
	mh.msg_control = ctl;
	mh.msg_controllen = ctllen;
	n = sendmsg(host_fd(s), &mh,
		    (int)((flags & SEND_FLAGS) | MSG_DONTWAIT | MSG_NOSIGNAL));
	if (n < 0)
		return -errno;
	vfs_uio_advance(msg->uio, (size_t)n);
	return n;
}

long hostinet_sendmsg(struct socket *s, struct sock_msg *msg, uint32_t flags)
{
	bool nonblock = flags & LINUX_MSG_DONTWAIT;
	int64_t deadline = socket_deadline(nonblock, s->sndtimeo_ns);
	size_t sent = 0;
	void *ctl = NULL;
	long ctllen, err;

	ctllen = filter_send_cmsgs(msg->ctl, msg->ctllen, &ctl);
	if (ctllen < 0)
		return ctllen;
	for (;;) {
		long n = send_once(s, msg, flags, sent ? NULL : ctl,
				   sent ? 0 : (size_t)ctllen, (size_t)-1);

		if (n >= 0) {
			sent += (size_t)n;
			if (!msg->uio->resid || s->type != LINUX_SOCK_STREAM)
				break;
			continue;
		}
		err = n;
		if (err != -EAGAIN || nonblock)
			break;
		err = hostinet_wait(s, msg->t, LINUX_POLLOUT, &deadline);
		if (err)
			break;
	}
	free(ctl);
	if (sent)
		return (long)sent;
	if (err == -EPIPE && !(flags & LINUX_MSG_NOSIGNAL))
		socket_sigpipe(msg->t);
	return err;
}

/* Pass the host's control messages the spec lets through to the guest's
 * buffer; descriptors that should never be there are closed. */
static void filter_recv_cmsgs(struct sock_msg *msg, struct msghdr *mh)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		const struct netopt_cmsg *nc =
			netopt_cmsg_find(c->cmsg_level, c->cmsg_type);
		size_t dlen = c->cmsg_len - CMSG_LEN(0);

		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int *fds = (int *)(void *)CMSG_DATA(c);

			for (size_t i = 0; i < dlen / sizeof(int); i++)
				close(fds[i]);
			continue;
		}
		if (!nc || !nc->recv || dlen > (size_t)nc->size)
			continue;
		scm_put_cmsg(msg, c->cmsg_level, c->cmsg_type, CMSG_DATA(c),
			     (uint32_t)dlen);
	}
	if (mh->msg_flags & MSG_CTRUNC)
		msg->flags |= LINUX_MSG_CTRUNC;
}

/* One non-blocking host recvmsg into the uio: the count, or -errno. */
static long recv_once(struct socket *s, struct sock_msg *msg, uint32_t flags,
		      bool first)
{
	struct iovec iov[HOST_IOV];
	struct linux_sockaddr_storage name;
	char ctl[HOST_CTL_MAX] __attribute__((aligned(8)));
	struct msghdr mh = {0};
	int niov = 0;
	ssize_t n;

	if (msg->uio->resid) {
		long got = vfs_uio_host_iovecs(msg->uio, true, iov, HOST_IOV,
					       &niov, (size_t)-1);

		if (got < 0)
			return got;
	}
	mh.msg_iov = iov;
	mh.msg_iovlen = (size_t)niov;
	mh.msg_name = &name;
	mh.msg_namelen = sizeof(name);
	if (first && msg->control) {
		mh.msg_control = ctl;
		mh.msg_controllen = msg->controllen < sizeof(ctl)
					    ? msg->controllen
					    : sizeof(ctl);
	}
	n = recvmsg(
		host_fd(s), &mh,
		(int)((flags & RECV_FLAGS) | MSG_DONTWAIT | MSG_CMSG_CLOEXEC));
	if (n < 0)
		return -errno;
	/* A datagram's MSG_TRUNC count may pass what the buffer took. */
	vfs_uio_advance(msg->uio, (size_t)n < msg->uio->resid
					  ? (size_t)n
					  : msg->uio->resid);
	if (first) {
		if (msg->name && mh.msg_namelen) {
			size_t nl = mh.msg_namelen < sizeof(name)
					    ? mh.msg_namelen
					    : sizeof(name);

			memcpy(msg->name, &name, nl);
			msg->namelen = (int)nl;
		}
		msg->flags |= (uint32_t)mh.msg_flags & MSG_FLAGS_BACK;
		if (mh.msg_controllen)
			filter_recv_cmsgs(msg, &mh);
		else if (mh.msg_flags & MSG_CTRUNC)
			msg->flags |= LINUX_MSG_CTRUNC;
	}
	return n;
}

/* The host stream's next byte is urgent data's mark, where Linux stops a
 * read that has data (tcp_recvmsg). */
static bool at_mark(struct socket *s)
{
	int v = 0;

	return !ioctl(host_fd(s), SIOCATMARK, &v) && v;
}

long hostinet_recvmsg(struct socket *s, struct sock_msg *msg, uint32_t flags)
{
	bool nonblock = flags & LINUX_MSG_DONTWAIT;
	bool waitall = (flags & LINUX_MSG_WAITALL) &&
		       s->type == LINUX_SOCK_STREAM &&
		       !(flags & (LINUX_MSG_PEEK | LINUX_MSG_OOB));
	int64_t deadline = socket_deadline(nonblock, s->rcvtimeo_ns);
	size_t got = 0;
	long err;

	for (;;) {
		long n = recv_once(s, msg, flags, got == 0);

		if (n >= 0 && s->type == LINUX_SOCK_STREAM)
			hostinet_urg_read(s, flags);
		if (n > 0) {
			got += (size_t)n;
			if (!waitall || !msg->uio->resid || at_mark(s))
				return (long)got;
			continue;
		}
		if (n == 0)
			return (long)got;
		err = n;
		/* Neither the error queue nor urgent data is waited for
		 * (tcp_recv_urg: "should never block"). */
		if (err != -EAGAIN || nonblock ||
		    (flags & (LINUX_MSG_ERRQUEUE | LINUX_MSG_OOB)))
			break;
		err = hostinet_wait(s, msg->t, LINUX_POLLIN, &deadline);
		if (err)
			break;
	}
	return got ? (long)got : err;
}
