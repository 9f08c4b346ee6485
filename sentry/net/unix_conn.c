/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unix_conn.c: AF_UNIX connections: connect (stream, seqpacket and
 * datagram), listen with its backlog, accept, shutdown, socketpair.
 *
 * A stream connect makes the server's socket at once (Linux's embryo),
 * connected to the client, and queues it on the listener; accept() takes
 * it. The client may write before the accept: the data waits in the
 * embryo's queue.
 */
#include <errno.h>
#include <stdlib.h>

#include "gen/linux_flags.h"
#include "sentry/abi/poll.h"
#include "sentry/kernel/task.h"
#include "sentry/net/socket.h"
#include "sentry/net/unix.h"

#define EV_ALL                                                                 \
	(LINUX_POLLIN | LINUX_POLLOUT | LINUX_POLLERR | LINUX_POLLHUP |        \
	 LINUX_POLLRDNORM | LINUX_POLLWRNORM | LINUX_POLLWRBAND |              \
	 LINUX_POLLRDHUP)

void unix_stream_link(struct socket *s, struct task *t, struct socket *other,
		      struct socket *newsk)
{
	struct unix_sock *u = unix_sk(s), *nu = unix_sk(newsk);

	socket_get(s);
	nu->peer = s;
	nu->state = UNIX_CONNECTED;
	if (!u->proto) {
		socket_set_peercred(newsk, t);
		socket_copy_peercred(s, other);
	}
	u->state = UNIX_CONNECTED;
	socket_get(newsk);
	u->peer = newsk;
}

/* Wire a new connection; the embryo shares the listener's name. */
static void stream_connect_finish(struct socket *s, struct task *t,
				  struct socket *other, struct socket *newsk)
{
	struct unix_sock *nu = unix_sk(newsk), *ou = unix_sk(other);

	unix_stream_link(s, t, other, newsk);
	if (ou->path.dentry) {
		nu->path = ou->path;
		path_get(&nu->path);
	}
	if (ou->addr) {
		ou->addr->refs++;
		nu->addr = ou->addr;
	}
}

int unix_stream_connect(struct socket *s, struct task *t,
			struct linux_sockaddr_storage *a, int len,
			bool nonblock)
{
	struct unix_sock *u = unix_sk(s);
	struct socket *newsk, *other;
	struct unix_skb *skb;
	int64_t deadline;
	int err = unix_validate_addr(a, len);

	if (err)
		return err;
	if ((s->flags & SOCKF_PASSCRED) && !u->addr) {
		err = unix_autobind(s);
		if (err)
			return err;
	}
	deadline = socket_deadline(nonblock, s->sndtimeo_ns);
	newsk = unix_sock_new(s->type);
	if (!newsk)
		return -ENOMEM;
	skb = unix_skb_alloc(NULL, 0, 0);
	if (!skb) {
		socket_put(newsk);
		return -ENOMEM;
	}
	for (;;) {
		struct unix_sock *ou;

		err = unix_find_other(t, a, len, s->type, &other);
		if (err)
			goto out;
		ou = unix_sk(other);
		if (ou->state != UNIX_LISTEN ||
		    (other->shutdown & SOCK_RCV_SHUTDOWN)) {
			err = -ECONNREFUSED;
			goto out_put;
		}
		if (!unix_recvq_full(other))
			break;
		/* The backlog is full: wait for an accept (or EAGAIN). */
		err = socket_wait(t, &ou->peer_wq, NULL, ~0u, deadline);
		socket_put(other);
		if (err == -EAGAIN && deadline > 0) {
			deadline = -1;
			continue;
		}
		if (err)
			goto out;
	}
	if (u->state != UNIX_CLOSE) {
		err = u->state == UNIX_CONNECTED ? -EISCONN : -EINVAL;
		goto out_put;
	}
	stream_connect_finish(s, t, other, newsk);
	skb->embryo = newsk; /* our creation reference */
	unix_skb_queue_tail(other, skb);
	socket_wake(other, LINUX_POLLIN | LINUX_POLLRDNORM);
	socket_wake(s, EV_ALL);
	socket_put(other);
	return 0;
out_put:
	socket_put(other);
out:
	unix_skb_free(skb);
	socket_put(newsk);
	return err;
}

/* unix_may_send: a datagram peer connected elsewhere refuses us. */
static bool may_send(struct socket *s, struct socket *other)
{
	struct socket *op = unix_sk(other)->peer;

	return !op || op == s;
}

void unix_dgram_disconnected(struct socket *s, struct socket *other)
{
	struct unix_sock *u = unix_sk(s);

	if (!u->qlen)
		return;
	unix_purge_queue(s);
	waitq_notify(&u->peer_wq, EV_ALL);
	/* One end of a two-way datagram pipe went: the other learns. */
	if (!unix_sk(other)->dead && unix_sk(other)->peer == s) {
		other->err = ECONNRESET;
		socket_wake(other, LINUX_POLLERR);
	}
}

/* unix_dgram_connect: AF_UNSPEC disconnects; reconnecting elsewhere
 * flushes what the old peer sent. */
int unix_dgram_connect(struct socket *s, struct task *t,
		       struct linux_sockaddr_storage *a, int len, bool nonblock)
{
	struct unix_sock *u = unix_sk(s);
	struct socket *other = NULL, *old;
	int err;

	(void)nonblock;
	if (len < (int)sizeof(a->family))
		return -EINVAL;
	if (a->family != LINUX_AF_UNSPEC) {
		err = unix_validate_addr(a, len);
		if (err)
			return err;
		if ((s->flags & SOCKF_PASSCRED) && !u->addr) {
			err = unix_autobind(s);
			if (err)
				return err;
		}
		err = unix_find_other(t, a, len, s->type, &other);
		if (err)
			return err;
		if (!may_send(s, other)) {
			socket_put(other);
			return -EPERM;
		}
		u->state = UNIX_CONNECTED;
		unix_sk(other)->state = UNIX_CONNECTED;
	}
	old = u->peer;
	u->peer = other;
	if (!old) {
		socket_wake(s, EV_ALL);
		return 0;
	}
	if (!other)
		u->state = UNIX_CLOSE;
	unix_peer_wake_disconnect(s);
	socket_wake(s, EV_ALL);
	if (other != old) {
		unix_dgram_disconnected(s, old);
		if (!unix_sk(old)->peer)
			unix_sk(old)->state = UNIX_CLOSE;
	}
	socket_put(old);
	return 0;
}

int unix_listen(struct socket *s, struct task *t, int backlog)
{
	struct unix_sock *u = unix_sk(s);

	if (s->type != LINUX_SOCK_STREAM && s->type != LINUX_SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	if (!u->addr)
		return -EINVAL; /* no name to listen on */
	return unix_listen_core(s, t, backlog);
}

int unix_listen_core(struct socket *s, struct task *t, int backlog)
{
	struct unix_sock *u = unix_sk(s);

	if (u->state != UNIX_CLOSE && u->state != UNIX_LISTEN)
		return -EINVAL;
	if ((unsigned)backlog > u->max_backlog)
		waitq_notify(&u->peer_wq, EV_ALL); /* blocked connects */
	u->max_backlog = (unsigned)backlog;
	u->state = UNIX_LISTEN;
	s->listening = true;
	socket_set_peercred(s, t);
	socket_wake(s, EV_ALL);
	return 0;
}

/* unix_accept: take the oldest pending connection, waiting as a
 * datagram receive does (SO_RCVTIMEO applies); a listener shut down for
 * reading gives EINVAL once its queue is empty. */
int unix_accept(struct socket *s, struct task *t, bool nonblock,
		struct socket **out)
{
	struct unix_sock *u = unix_sk(s);
	struct unix_skb *skb;
	struct socket *newsk;
	int64_t deadline;

	if (s->type != LINUX_SOCK_STREAM && s->type != LINUX_SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	if (u->state != UNIX_LISTEN)
		return -EINVAL;
	deadline = socket_deadline(nonblock, s->rcvtimeo_ns);
	for (;;) {
		int err = socket_error(s);

		if (err)
			return err;
		skb = TAILQ_FIRST(&u->rq);
		if (skb)
			break;
		if (s->shutdown & SOCK_RCV_SHUTDOWN)
			return -EINVAL;
		if (u->state != UNIX_LISTEN)
			return -EINVAL;
		err = socket_wait(t, &s->wq, NULL,
				  LINUX_POLLIN | LINUX_POLLRDNORM |
					  LINUX_POLLERR | LINUX_POLLHUP |
					  LINUX_POLLRDHUP,
				  deadline);
		if (err == -EAGAIN && deadline > 0) {
			deadline = -1;
			continue;
		}
		if (err)
			return err;
	}
	unix_skb_unlink(s, skb);
	newsk = skb->embryo;
	skb->embryo = NULL;
	unix_skb_free(skb);
	waitq_notify(&u->peer_wq, EV_ALL); /* room for a blocked connect */
	newsk->flags |= s->flags & (SOCKF_PASSCRED | SOCKF_PASSSEC);
	*out = newsk;
	return 0;
}

/* unix_shutdown: our side, and the mirror image on a connected stream or
 * seqpacket peer. An unconnected socket may be shut down too. */
int unix_shutdown(struct socket *s, int how)
{
	struct socket *other = unix_sk(s)->peer;
	uint32_t mode;

	if (how < LINUX_SHUT_RD || how > LINUX_SHUT_RDWR)
		return -EINVAL;
	mode = (uint32_t)how + 1;
	s->shutdown |= mode;
	socket_wake(s, EV_ALL);
	waitq_notify(&unix_sk(s)->peer_wq, EV_ALL);
	if (other &&
	    (s->type == LINUX_SOCK_STREAM || s->type == LINUX_SOCK_SEQPACKET)) {
		uint32_t peer_mode = 0;

		if (mode & SOCK_RCV_SHUTDOWN)
			peer_mode |= SOCK_SEND_SHUTDOWN;
		if (mode & SOCK_SEND_SHUTDOWN)
			peer_mode |= SOCK_RCV_SHUTDOWN;
		other->shutdown |= peer_mode;
		socket_wake(other, EV_ALL);
	}
	return 0;
}

int unix_socketpair(struct task *t, struct socket *a, struct socket *b)
{
	struct unix_sock *ua = unix_sk(a), *ub = unix_sk(b);

	socket_get(b);
	ua->peer = b;
	socket_get(a);
	ub->peer = a;
	socket_set_peercred(a, t);
	socket_set_peercred(b, t);
	ua->state = UNIX_CONNECTED;
	ub->state = UNIX_CONNECTED;
	return 0;
}
