/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostinet.c: --network=host sockets (see hostinet.h): creating them,
 * names, connections, shutdown, readiness and closing.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gen/linux_flags.h"
#include "sentry/abi/poll.h"
#include "sentry/kernel/fdnotify.h"
#include "sentry/kernel/task.h"
#include "sentry/net/hostinet.h"
#include "sentry/net/inet.h"
#include "sentry/net/socket.h"
#include "sentry/vfs/fasync.h"

/* The guest's poll bits are the host's on x86-64 (both are Linux). */
#define EV_ALL                                                                 \
	(LINUX_POLLIN | LINUX_POLLOUT | LINUX_POLLERR | LINUX_POLLHUP |        \
	 LINUX_POLLRDNORM | LINUX_POLLWRNORM | LINUX_POLLWRBAND |              \
	 LINUX_POLLRDHUP | LINUX_POLLPRI)

static const struct socket_ops hostinet_ops;

int hostinet_wait(struct socket *s, struct task *t, uint32_t events,
		  int64_t *deadline)
{
	int err =
		socket_wait(t, &s->wq, NULL,
			    events | LINUX_POLLERR | LINUX_POLLHUP, *deadline);

	if (err == -EAGAIN && *deadline > 0) {
		*deadline = -1; /* one last try */
		return 0;
	}
	return err;
}

/* The bytes before the host stream's urgent mark (tcp_inq counts only
 * those while urgent data waits), or -1: unknown, or SO_OOBINLINE, where
 * FIONREAD counts every byte. */
static int urg_inq(int fd)
{
	int v, inl = 0;
	socklen_t len = sizeof(inl);

	if (getsockopt(fd, SOL_SOCKET, SO_OOBINLINE, &inl, &len) || inl ||
	    ioctl(fd, FIONREAD, &v))
		return -1;
	return v;
}

/*
 * The host signals urgent data only to the host socket's owner, which is
 * nobody: the guest's owner (F_SETOWN) gets SIGURG from here instead,
 * when the host starts reporting POLLPRI, or reports it with the mark
 * further on. Linux signals every new urgent byte; one that comes while
 * the reader stands at the old one goes unsignalled here.
 */
static int urg_notify(struct waiter *w, uint32_t events)
{
	struct socket *s = w->priv;
	struct host_sock *h = s->priv;
	int inq;

	if (!(events & LINUX_POLLPRI)) {
		h->urg_seen = false;
		return 0;
	}
	inq = urg_inq(h->fd);
	if (!h->urg_seen || (inq >= 0 && inq > h->urg_inq))
		fasync_send_sigurg(s->file);
	h->urg_seen = true;
	h->urg_inq = inq;
	return 0;
}

void hostinet_urg_read(struct socket *s, uint32_t flags)
{
	struct host_sock *h = s->priv;

	if (!h->urg_seen || (flags & LINUX_MSG_PEEK))
		return;
	if (flags & LINUX_MSG_OOB)
		h->urg_seen = false; /* the next POLLPRI is news */
	else
		h->urg_inq = urg_inq(h->fd);
}

/* Wrap a host socket fd (the reference is the new socket's). */
static int wrap(int fd, int family, int type, int protocol, struct socket **out)
{
	struct socket *s = socket_alloc(family, type, protocol, &hostinet_ops);
	struct host_sock *h;
	int err;

	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		close(fd);
		socket_put(s);
		return -ENOMEM;
	}
	h->fd = fd;
	s->priv = h;
	if (type == LINUX_SOCK_STREAM) {
		waiter_init_fn(&h->urg_w, urg_notify, s, EV_ALL);
		waitq_add(&s->wq, &h->urg_w);
	}
	err = fdnotify_add(fd, &s->wq);
	if (err) {
		socket_put(s);
		return err;
	}
	*out = s;
	return 0;
}

/* Stream and datagram sockets only (the seccomp filter allows no other);
 * the host checks the protocol. */
static int hostinet_create(struct task *t, int family, int type, int protocol,
			   struct socket **out)
{
	int fd;

	(void)t;
	if (type != LINUX_SOCK_STREAM && type != LINUX_SOCK_DGRAM)
		return type == LINUX_SOCK_RAW ? -EPERM : -ESOCKTNOSUPPORT;
	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return -errno;
	if (!protocol) {
		socklen_t len = sizeof(protocol);

		if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len))
			protocol = 0;
	}
	return wrap(fd, family, type, protocol, out);
}

const struct inet_stack hostinet_stack = {
	.name = "host",
	.create = hostinet_create,
};

static int hostinet_bind(struct socket *s, struct task *t,
			 struct linux_sockaddr_storage *a, int len)
{
	(void)t;
	return bind(host_fd(s), (const struct sockaddr *)a, (socklen_t)len)
		       ? -errno
		       : 0;
}

/* A blocking connect waits for the host's handshake, then reports how it
 * went (SO_ERROR), as inet_wait_for_connect. */
static int hostinet_connect(struct socket *s, struct task *t,
			    struct linux_sockaddr_storage *a, int len,
			    bool nonblock)
{
	int64_t deadline = socket_deadline(nonblock, s->sndtimeo_ns);
	int fd = host_fd(s), err = 0;
	socklen_t elen = sizeof(err);

	if (!connect(fd, (const struct sockaddr *)a, (socklen_t)len))
		return 0;
	if (errno != EINPROGRESS || nonblock)
		return -errno;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int w;

		if (poll(&p, 1, 0) > 0)
			break;
		w = hostinet_wait(s, t, LINUX_POLLOUT, &deadline);
		if (w == -EAGAIN)
			return -EINPROGRESS; /* SO_SNDTIMEO ran out */
		if (w)
			return w;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen))
		return -errno;
	return -err;
}

static int hostinet_listen(struct socket *s, struct task *t, int backlog)
{
	(void)t;
	if (listen(host_fd(s), backlog))
		return -errno;
	s->listening = true;
	return 0;
}

static int hostinet_accept(struct socket *s, struct task *t, bool nonblock,
			   struct socket **out)
{
	int64_t deadline = socket_deadline(nonblock, s->rcvtimeo_ns);

	for (;;) {
		int fd = accept4(host_fd(s), NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		int err;

		if (fd >= 0)
			return wrap(fd, s->family, s->type, s->protocol, out);
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (nonblock)
			return -EAGAIN;
		err = hostinet_wait(s, t, LINUX_POLLIN, &deadline);
		if (err)
			return err;
	}
}

static int hostinet_shutdown(struct socket *s, int how)
{
	return shutdown(host_fd(s), how) ? -errno : 0;
}

static int hostinet_getname(struct socket *s, struct linux_sockaddr_storage *a,
			    bool peer)
{
	socklen_t len = sizeof(*a);
	int r = peer ? getpeername(host_fd(s), (struct sockaddr *)a, &len)
		     : getsockname(host_fd(s), (struct sockaddr *)a, &len);

	if (r)
		return -errno;
	return len > sizeof(*a) ? (int)sizeof(*a) : (int)len;
}

static int hostinet_getsockname(struct socket *s,
				struct linux_sockaddr_storage *a)
{
	return hostinet_getname(s, a, false);
}

static int hostinet_getpeername(struct socket *s,
				struct linux_sockaddr_storage *a)
{
	return hostinet_getname(s, a, true);
}

/* The host's readiness now; the notifier wakes s->wq when it changes. */
static uint32_t hostinet_poll(struct socket *s, struct waitq **wq)
{
	struct pollfd p = {.fd = host_fd(s),
			   .events = POLLIN | POLLOUT | POLLPRI | POLLRDHUP |
				     POLLRDNORM | POLLWRNORM | POLLWRBAND};

	if (wq)
		*wq = &s->wq;
	if (poll(&p, 1, 0) < 0)
		return LINUX_POLLERR;
	return (uint32_t)p.revents & EV_ALL;
}

static void hostinet_release(struct socket *s)
{
	struct host_sock *h = s->priv;

	if (!h || h->fd < 0)
		return;
	waitq_remove(&h->urg_w);
	socket_wake(s, EV_ALL);
	fdnotify_remove(h->fd);
	close(h->fd);
	h->fd = -1;
}

static void hostinet_destroy(struct socket *s)
{
	hostinet_release(s);
	free(s->priv);
}

static const struct socket_ops hostinet_ops = {
	.bind = hostinet_bind,
	.connect = hostinet_connect,
	.listen = hostinet_listen,
	.accept = hostinet_accept,
	.sendmsg = hostinet_sendmsg,
	.recvmsg = hostinet_recvmsg,
	.getsockopt = hostinet_getsockopt,
	.setsockopt = hostinet_setsockopt,
	.shutdown = hostinet_shutdown,
	.getsockname = hostinet_getsockname,
	.getpeername = hostinet_getpeername,
	.poll = hostinet_poll,
	.ioctl = hostinet_ioctl,
	.release = hostinet_release,
	.destroy = hostinet_destroy,
	.all_levels = true,
};
