/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unix.c: the AF_UNIX family (see unix.h): creating sockets, their ops
 * tables, closing, readiness and ioctls.
 */
#include <errno.h>
#include <stdlib.h>

#include "gen/linux_flags.h"
#include "gen/netopts.h"
#include "sentry/abi/poll.h"
#include "sentry/kernel/task.h"
#include "sentry/net/scm.h"
#include "sentry/net/socket.h"
#include "sentry/net/unix.h"

#define EV_ALL                                                                 \
	(LINUX_POLLIN | LINUX_POLLOUT | LINUX_POLLERR | LINUX_POLLHUP |        \
	 LINUX_POLLRDNORM | LINUX_POLLWRNORM | LINUX_POLLWRBAND |              \
	 LINUX_POLLRDHUP)
#define EV_OUT (LINUX_POLLOUT | LINUX_POLLWRNORM | LINUX_POLLWRBAND)

static const struct socket_ops unix_stream_ops, unix_dgram_ops,
	unix_seqpacket_ops;

/* A full peer's queue made room (or the peer went): stop relaying and
 * tell our pollers we may write (unix_dgram_peer_wake_relay). */
static int peer_wake_relay(struct waiter *w, uint32_t events)
{
	struct socket *s = w->priv;

	(void)events;
	waitq_remove(w);
	unix_sk(s)->peer_wake_on = NULL;
	socket_wake(s, EV_OUT);
	return 1;
}

void unix_peer_wake_disconnect(struct socket *s)
{
	struct unix_sock *u = unix_sk(s);

	if (u->peer_wake_on) {
		waitq_remove(&u->peer_wake);
		u->peer_wake_on = NULL;
	}
}

void unix_sock_init(struct socket *s, struct unix_sock *u,
		    const struct unix_proto *proto)
{
	u->sk = s;
	u->proto = proto;
	u->state = UNIX_CLOSE;
	u->max_backlog = UNIX_MAX_DGRAM_QLEN;
	TAILQ_INIT(&u->rq);
	waitq_init(&u->peer_wq);
	waiter_init_fn(&u->peer_wake, peer_wake_relay, s, ~0u);
	s->priv = u;
}

struct socket *unix_sock_new(int type)
{
	const struct socket_ops *ops =
		type == LINUX_SOCK_STREAM      ? &unix_stream_ops
		: type == LINUX_SOCK_SEQPACKET ? &unix_seqpacket_ops
					       : &unix_dgram_ops;
	struct socket *s = socket_alloc(LINUX_AF_UNIX, type, 0, ops);
	struct unix_sock *u;

	if (!s)
		return NULL;
	u = calloc(1, sizeof(*u));
	if (!u) {
		socket_put(s);
		return NULL;
	}
	unix_sock_init(s, u, NULL);
	return s;
}

void unix_release_sock(struct socket *s, bool embrion)
{
	struct unix_sock *u = unix_sk(s);
	struct socket *skpair;

	if (u->dead)
		return;
	u->dead = true;
	unix_unbind(s);
	if (u->proto)
		u->proto->unhash(s);
	s->shutdown = SOCK_SHUTDOWN_MASK;
	u->state = UNIX_CLOSE;
	s->listening = false;
	skpair = u->peer;
	u->peer = NULL;
	unix_peer_wake_disconnect(s);
	waitq_notify(&u->peer_wq, EV_ALL);
	socket_wake(s, EV_ALL);
	if (skpair) {
		if (u->proto && s->type == LINUX_SOCK_STREAM) {
			u->proto->peer_closed(s, skpair, u->qlen || embrion);
		} else if (s->type == LINUX_SOCK_STREAM ||
			   s->type == LINUX_SOCK_SEQPACKET) {
			/* No more writes; unread data lost is a reset. */
			skpair->shutdown = SOCK_SHUTDOWN_MASK;
			if (u->qlen || embrion)
				skpair->err = ECONNRESET;
			socket_wake(skpair, EV_ALL);
		}
		socket_put(skpair);
	}
	unix_purge_queue(s);
	if (unix_gc_pending())
		unix_gc();
}

void unix_release(struct socket *s)
{
	unix_release_sock(s, false);
}

void unix_destroy(struct socket *s)
{
	struct unix_sock *u = unix_sk(s);

	if (!u)
		return; /* its creation failed */
	if (!u->dead)
		unix_release_sock(s, false);
	unix_addr_put(u->addr);
	path_put(&u->path);
	free(u);
}

bool unix_writable(const struct socket *s)
{
	const struct unix_sock *u = unix_sk(s);

	return u->state != UNIX_LISTEN && u->wmem * 4 <= (size_t)s->sndbuf;
}

uint32_t unix_stream_poll(struct socket *s, struct waitq **wq)
{
	struct unix_sock *u = unix_sk(s);
	uint32_t mask = 0;

	if (wq)
		*wq = &s->wq;
	if (s->err)
		mask |= LINUX_POLLERR;
	if (s->shutdown == SOCK_SHUTDOWN_MASK)
		mask |= LINUX_POLLHUP;
	if (s->shutdown & SOCK_RCV_SHUTDOWN)
		mask |= LINUX_POLLRDHUP | LINUX_POLLIN | LINUX_POLLRDNORM;
	if (u->qlen)
		mask |= LINUX_POLLIN | LINUX_POLLRDNORM;
	if (unix_oob_pending(s))
		mask |= LINUX_POLLPRI;
	if (u->state == UNIX_CLOSE)
		mask |= LINUX_POLLHUP;
	if (unix_writable(s))
		mask |= EV_OUT;
	return mask;
}

/* unix_dgram_peer_wake_me: while other's queue is full, relay its
 * wake-ups to us; true if we must not report POLLOUT. */
static bool peer_wake_me(struct socket *s, struct socket *other)
{
	struct unix_sock *u = unix_sk(s);

	if (unix_recvq_full(other) && !unix_sk(other)->dead) {
		if (u->peer_wake_on != other) {
			unix_peer_wake_disconnect(s);
			waitq_add(&unix_sk(other)->peer_wq, &u->peer_wake);
			u->peer_wake_on = other;
		}
		return true;
	}
	unix_peer_wake_disconnect(s);
	return false;
}

bool unix_dgram_must_wait(struct socket *s, struct socket *other)
{
	return peer_wake_me(s, other);
}

/* The read side of Linux's datagram_poll: errors, shutdown, queued
 * messages. */
static uint32_t datagram_poll_in(struct socket *s, struct waitq **wq)
{
	uint32_t mask = 0;

	if (wq)
		*wq = &s->wq;
	if (s->err)
		mask |= LINUX_POLLERR;
	if (s->shutdown & SOCK_RCV_SHUTDOWN)
		mask |= LINUX_POLLRDHUP | LINUX_POLLIN | LINUX_POLLRDNORM;
	if (s->shutdown == SOCK_SHUTDOWN_MASK)
		mask |= LINUX_POLLHUP;
	if (unix_sk(s)->qlen)
		mask |= LINUX_POLLIN | LINUX_POLLRDNORM;
	return mask;
}

uint32_t unix_datagram_poll(struct socket *s, struct waitq **wq)
{
	return datagram_poll_in(s, wq) | LINUX_POLLOUT | LINUX_POLLWRNORM |
	       LINUX_POLLWRBAND;
}

uint32_t unix_dgram_poll(struct socket *s, struct waitq **wq)
{
	struct unix_sock *u = unix_sk(s);
	struct socket *other;
	uint32_t mask = datagram_poll_in(s, wq);
	bool w;

	if (s->type == LINUX_SOCK_SEQPACKET && u->state == UNIX_CLOSE)
		mask |= LINUX_POLLHUP;
	w = unix_writable(s);
	other = u->peer;
	if (w && other && unix_sk(other)->peer != s && unix_recvq_full(other) &&
	    peer_wake_me(s, other))
		w = false;
	if (w)
		mask |= EV_OUT;
	return mask;
}

long unix_inq_len(struct socket *s)
{
	struct unix_sock *u = unix_sk(s);
	struct unix_skb *skb;
	long n = 0;

	if (s->type != LINUX_SOCK_STREAM) {
		skb = TAILQ_FIRST(&u->rq);
		return skb ? (long)skb->len : 0;
	}
	TAILQ_FOREACH(skb, &u->rq, link)
	n += (long)(skb->len - skb->consumed);
	return n;
}

static long unix_ioctl(struct socket *s, struct task *t, uint32_t cmd,
		       uint64_t arg)
{
	int32_t v;

	switch (cmd) {
	case LINUX_SIOCOUTQ:
		v = (int32_t)unix_sk(s)->wmem;
		break;
	case LINUX_SIOCINQ:
		if (unix_sk(s)->state == UNIX_LISTEN)
			return -EINVAL;
		v = (int32_t)unix_inq_len(s);
		break;
	case LINUX_SIOCATMARK:
		/* Only streams have out-of-band data. */
		if (s->type != LINUX_SOCK_STREAM)
			return -EOPNOTSUPP;
		v = unix_oob_at_mark(s);
		break;
	default:
		return -ENOTTY;
	}
	return task_copy_out(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
}

int unix_set_peek_off(struct socket *s, int val)
{
	s->peek_off = val;
	return 0;
}

static const struct socket_ops unix_stream_ops = {
	.bind = unix_bind,
	.connect = unix_stream_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.sendmsg = unix_stream_sendmsg,
	.recvmsg = unix_stream_recvmsg,
	.shutdown = unix_shutdown,
	.getsockname = unix_getsockname,
	.getpeername = unix_getpeername,
	.poll = unix_stream_poll,
	.ioctl = unix_ioctl,
	.set_peek_off = unix_set_peek_off,
	.release = unix_release,
	.destroy = unix_destroy,
};

static const struct socket_ops unix_dgram_ops = {
	.bind = unix_bind,
	.connect = unix_dgram_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.sendmsg = unix_dgram_sendmsg,
	.recvmsg = unix_dgram_recvmsg,
	.shutdown = unix_shutdown,
	.getsockname = unix_getsockname,
	.getpeername = unix_getpeername,
	.poll = unix_dgram_poll,
	.ioctl = unix_ioctl,
	.set_peek_off = unix_set_peek_off,
	.release = unix_release,
	.destroy = unix_destroy,
};

static const struct socket_ops unix_seqpacket_ops = {
	.bind = unix_bind,
	.connect = unix_stream_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.sendmsg = unix_seqpacket_sendmsg,
	.recvmsg = unix_seqpacket_recvmsg,
	.shutdown = unix_shutdown,
	.getsockname = unix_getsockname,
	.getpeername = unix_getpeername,
	.poll = unix_dgram_poll,
	.ioctl = unix_ioctl,
	.set_peek_off = unix_set_peek_off,
	.release = unix_release,
	.destroy = unix_destroy,
};

/* unix_create: protocol 0 or PF_UNIX; SOCK_RAW is a datagram socket. */
static int unix_create(struct task *t, int type, int protocol,
		       struct socket **out)
{
	(void)t;
	if (protocol && protocol != LINUX_AF_UNIX)
		return -EPROTONOSUPPORT;
	switch (type) {
	case LINUX_SOCK_STREAM:
	case LINUX_SOCK_SEQPACKET:
	case LINUX_SOCK_DGRAM:
		break;
	case LINUX_SOCK_RAW:
		type = LINUX_SOCK_DGRAM;
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}
	*out = unix_sock_new(type);
	return *out ? 0 : -ENOMEM;
}

const struct socket_family unix_family = {
	.family = LINUX_AF_UNIX,
	.create = unix_create,
	.socketpair = unix_socketpair,
};
