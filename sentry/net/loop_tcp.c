/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loop_tcp.c: TCP over the loopback stack (see loop.h). A connection is
 * an AF_UNIX-core stream: connect() finds the listener in the port table,
 * makes the server side at once (holding the listener's port) and queues
 * it for accept(); the bytes then travel as the core's messages.
 *
 * What TCP does differently from AF_UNIX, with Linux's errors: a send
 * before connecting is EPIPE, a receive ENOTCONN; a non-blocking connect
 * is EINPROGRESS even though it is done (the next connect() reports how
 * it went, as inet_stream_connect); SHUT_RD tells the peer nothing; a
 * closing peer sends FIN (EOF, and the first write after it goes, then
 * EPIPE), or RST when it had unread data or SO_LINGER 0 (ECONNRESET).
 * Urgent data (MSG_OOB) is the core's, TCP's way (unix_oob.c).
 */
#include <errno.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/netopts.h"
#include "sentry/abi/poll.h"
#include "sentry/kernel/task.h"
#include "sentry/net/loop.h"
#include "sentry/net/netopt.h"
#include "sentry/net/scm.h"
#include "sentry/net/socket.h"
#include "sentry/vfs/vfs.h"

#define EV_ALL                                                                 \
	(LINUX_POLLIN | LINUX_POLLOUT | LINUX_POLLERR | LINUX_POLLHUP |        \
	 LINUX_POLLRDNORM | LINUX_POLLWRNORM | LINUX_POLLWRBAND |              \
	 LINUX_POLLRDHUP)

/* A closing peer's FIN or RST reaches peer (unix_proto.peer_closed). */
static void tcp_peer_closed(struct socket *s, struct socket *peer, bool reset)
{
	struct loop_sock *pl = loop_sk(peer);

	if (s->linger.onoff && !s->linger.linger)
		reset = true; /* SO_LINGER 0: close aborts */
	if (reset) {
		peer->err = ECONNRESET;
		pl->peer_reset = true;
		peer->shutdown = SOCK_SHUTDOWN_MASK;
	} else {
		pl->fin_rcvd = true;
		peer->shutdown |= SOCK_RCV_SHUTDOWN;
	}
	socket_wake(peer, EV_ALL);
}

const struct unix_proto loop_tcp_proto = {
	.unhash = loop_unhash,
	.peer_closed = tcp_peer_closed,
	.tcp_urgent = true,
};

/* A new connection's server side: the listener's options (inet_clone:
 * the child is a copy of the listening sock), bound to where the client
 * connected, connected to the client. */
static struct socket *make_child(struct socket *listener, struct socket *s,
				 const struct inet_ep *dst)
{
	struct loop_sock *ll = loop_sk(listener), *cl;
	struct socket *c = loop_sock_new(listener->family, LINUX_SOCK_STREAM,
					 listener->protocol, LOOP_TCP, NULL);

	if (!c)
		return NULL;
	cl = loop_sk(c);
	memcpy(cl->opts, ll->opts, netopt_nslots() * sizeof(int32_t));
	c->flags = listener->flags & ~(SOCKF_PASSCRED | SOCKF_PASSSEC);
	c->sndbuf = listener->sndbuf;
	c->rcvbuf = listener->rcvbuf;
	c->rcvlowat = listener->rcvlowat;
	c->priority = listener->priority;
	c->mark = listener->mark;
	c->linger = listener->linger;
	c->rcvtimeo_ns = listener->rcvtimeo_ns;
	c->sndtimeo_ns = listener->sndtimeo_ns;
	memcpy(cl->congestion, ll->congestion, sizeof(cl->congestion));
	cl->v6only = ll->v6only;
	cl->uid = ll->uid;
	cl->ttl = ll->ttl;
	cl->user_mss = ll->user_mss;
	cl->local = *dst;
	cl->remote = loop_sk(s)->local;
	cl->connected = true;
	if (!(c->flags & SOCKF_SNDBUF_LOCK))
		c->sndbuf = LOOP_TCP_WMEM_MAX;
	return c;
}

/* Wait while the listener's backlog is full (a SYN Linux would drop and
 * retry): 0 to connect now, or -errno. A non-blocking connect, or one
 * whose SO_SNDTIMEO ran out, goes past the backlog instead: it would
 * have succeeded on a later retry. */
static int wait_backlog(struct socket *s, struct task *t, struct socket *l,
			int64_t *deadline)
{
	while (unix_recvq_full(l) && *deadline >= 0) {
		int err = socket_wait(t, &unix_sk(l)->peer_wq, NULL, ~0u,
				      *deadline);

		if (err == -EAGAIN)
			*deadline = -1;
		else if (err)
			return err;
		if (unix_sk(l)->state != UNIX_LISTEN || unix_sk(s)->dead)
			return -ECONNREFUSED;
	}
	return 0;
}

/* The connection is refused: a blocking connect says so, a non-blocking
 * one says EINPROGRESS and leaves the error for SO_ERROR or the next
 * connect. The socket keeps the name it got, as Linux's does. */
static int refused(struct socket *s, bool nonblock)
{
	struct loop_sock *ls = loop_sk(s);

	if (!nonblock)
		return -ECONNREFUSED;
	s->err = ECONNREFUSED;
	s->shutdown = SOCK_SHUTDOWN_MASK;
	ls->connecting = true;
	socket_wake(s, EV_ALL);
	return -EINPROGRESS;
}

/* The second connect() after a non-blocking one (inet_stream_connect's
 * SS_CONNECTING case, the handshake over): 0 once connected, the error
 * it ended with otherwise. */
static int connect_result(struct socket *s)
{
	struct loop_sock *ls = loop_sk(s);
	int err;

	ls->connecting = false;
	if (ls->u.state == UNIX_CONNECTED)
		return 0;
	err = socket_error(s);
	return err ? err : -ECONNABORTED;
}

/* connect(AF_UNSPEC): tcp_disconnect, an abort the peer sees as RST. */
static int tcp_disconnect(struct socket *s)
{
	struct loop_sock *ls = loop_sk(s);
	struct socket *peer = ls->u.peer;

	if (ls->u.state == UNIX_LISTEN) {
		unix_purge_queue(s);
		ls->u.state = UNIX_CLOSE;
		s->listening = false;
	} else if (peer) {
		ls->u.peer = NULL;
		tcp_peer_closed(s, peer, true);
		socket_put(peer);
		unix_purge_queue(s);
		ls->u.state = UNIX_CLOSE;
	}
	ls->connected = ls->connecting = ls->fin_rcvd = ls->peer_reset = false;
	s->shutdown = 0;
	socket_wake(s, EV_ALL);
	return 0;
}

static int tcp_connect(struct socket *s, struct task *t,
		       struct linux_sockaddr_storage *a, int len, bool nonblock)
{
	struct loop_sock *ls = loop_sk(s);
	struct socket *other, *child;
	struct unix_skb *skb;
	struct inet_ep dst;
	int64_t deadline;
	bool autobound;
	int err;

	if (len < (int)sizeof(a->family))
		return -EINVAL;
	if (a->family == LINUX_AF_UNSPEC)
		return tcp_disconnect(s);
	if (ls->connecting)
		return connect_result(s);
	if (ls->connected || ls->u.state != UNIX_CLOSE)
		return -EISCONN;
	err = inet_addr_in(s->family, a, len, INET_ADDR_CONNECT, &dst);
	if (!err)
		err = loop_route(s, &dst, false);
	if (!err && inet_is_multicast(&dst))
		err = -ENETUNREACH;
	if (!err)
		err = loop_pick_source(s, &dst, &autobound);
	if (err)
		return err;
	s->shutdown = 0;
	s->err = 0;
	other = loop_lookup(LOOP_TCP, &ls->local, &dst, true);
	if (!other)
		return refused(s, nonblock);
	socket_get(other);
	deadline = socket_deadline(nonblock, s->sndtimeo_ns);
	err = wait_backlog(s, t, other, &deadline);
	if (!err &&
	    (unix_sk(other)->state != UNIX_LISTEN || ls->u.state != UNIX_CLOSE))
		err = -ECONNREFUSED;
	if (err) {
		socket_put(other);
		return err == -ECONNREFUSED ? refused(s, nonblock) : err;
	}
	child = make_child(other, s, &dst);
	skb = child ? unix_skb_alloc(NULL, 0, 0) : NULL;
	if (!skb) {
		socket_put(child);
		socket_put(other);
		return -ENOMEM;
	}
	loop_hash_child(child);
	unix_stream_link(s, t, other, child);
	skb->embryo = child; /* the creation reference */
	unix_skb_queue_tail(other, skb);
	socket_wake(other, LINUX_POLLIN | LINUX_POLLRDNORM);
	socket_put(other);
	ls->remote = dst;
	ls->connected = true;
	if (!(s->flags & SOCKF_SNDBUF_LOCK))
		s->sndbuf = LOOP_TCP_WMEM_MAX;
	socket_wake(s, EV_ALL);
	if (nonblock || deadline < 0) {
		ls->connecting = true;
		return -EINPROGRESS;
	}
	return 0;
}

/* inet_listen: an unbound socket gets an ephemeral port first; the port
 * is checked again against other listeners. */
static int tcp_listen(struct socket *s, struct task *t, int backlog)
{
	struct loop_sock *ls = loop_sk(s);
	int err;

	if (ls->connected || ls->connecting ||
	    (ls->u.state != UNIX_CLOSE && ls->u.state != UNIX_LISTEN))
		return -EINVAL;
	if (!ls->hashed) {
		err = loop_autobind(s, NULL);
		if (err)
			return err;
	}
	if (ls->u.state != UNIX_LISTEN) {
		err = loop_port_listen_check(s);
		if (err)
			return err;
	}
	return unix_listen_core(s, t, backlog);
}

static int tcp_accept(struct socket *s, struct task *t, bool nonblock,
		      struct socket **out)
{
	return unix_accept(s, t, nonblock, out);
}

/* What a send finds wrong before it may queue (tcp_sendmsg_locked's
 * checks): a pending error, or a connection that cannot carry data. */
static long send_check(struct socket *s, uint32_t flags, struct task *t)
{
	int st = loop_tcp_state(s);
	long err = socket_error(s);

	if (!err &&
	    ((st != LINUX_TCP_ESTABLISHED && st != LINUX_TCP_CLOSE_WAIT) ||
	     (s->shutdown & SOCK_SEND_SHUTDOWN)))
		err = -EPIPE;
	if (err == -EPIPE && !(flags & LINUX_MSG_NOSIGNAL))
		socket_sigpipe(t);
	return err;
}

static long tcp_sendmsg(struct socket *s, struct sock_msg *msg, uint32_t flags)
{
	struct loop_sock *ls = loop_sk(s);
	struct scm_cookie scm = {0};
	struct loop_cmsg_info ci;
	struct socket *other;
	long err;

	err = loop_cmsg_send(s, msg->ctl, msg->ctllen, &ci);
	if (err)
		return err;
	err = send_check(s, flags, msg->t);
	if (err)
		return err;
	other = ls->u.peer;
	if (!other || unix_sk(other)->dead) {
		/* The peer closed (FIN): these bytes go, and its RST comes
		 * back (EPIPE in CLOSE_WAIT, ECONNRESET otherwise). */
		long len = (long)msg->uio->resid;

		vfs_uio_advance(msg->uio, msg->uio->resid);
		s->err = ls->fin_rcvd ? EPIPE : ECONNRESET;
		ls->peer_reset = true;
		s->shutdown = SOCK_SHUTDOWN_MASK;
		socket_wake(s, EV_ALL);
		return len;
	}
	err = unix_stream_send(s, other, msg, flags, &scm);
	if (err > 0) {
		ls->bytes_sent += (uint64_t)err;
		loop_sk(other)->bytes_rcvd += (uint64_t)err;
	}
	return err;
}

/* TCP_INQ: what is left to read (tcp_inq_hint: the urgent byte too), as
 * a TCP_CM_INQ control message. */
static void put_inq(struct socket *s, struct sock_msg *msg)
{
	int32_t inq = (int32_t)unix_inq_len(s);

	if (loop_opt(s, LINUX_SOL_TCP, LINUX_TCP_INQ) && msg->control)
		scm_put_cmsg(msg, LINUX_SOL_TCP, LINUX_TCP_CM_INQ, &inq,
			     sizeof(inq));
}

static long tcp_recvmsg(struct socket *s, struct sock_msg *msg, uint32_t flags)
{
	struct loop_sock *ls = loop_sk(s);
	long n;

	if (flags & LINUX_MSG_ERRQUEUE)
		return -EAGAIN; /* nothing ever lands in the error queue */
	/* MSG_OOB on a socket never connected: tcp_recv_urg's EINVAL. */
	if (ls->u.state == UNIX_LISTEN ||
	    (!ls->connected && !(flags & LINUX_MSG_OOB)))
		return -ENOTCONN;
	n = unix_stream_read(s, msg, flags);
	if (n >= 0)
		put_inq(s, msg);
	return n;
}

/* inet_shutdown: a socket never connected (or reset) says ENOTCONN but
 * keeps the bits; a listener shut down for reading stops listening; a
 * connected one sends FIN for SHUT_WR and nothing for SHUT_RD. */
static int tcp_shutdown(struct socket *s, int how)
{
	struct loop_sock *ls = loop_sk(s);
	struct socket *peer = ls->u.peer;
	uint32_t mode;

	if (how < LINUX_SHUT_RD || how > LINUX_SHUT_RDWR)
		return -EINVAL;
	mode = (uint32_t)how + 1;
	if (ls->u.state == UNIX_LISTEN) {
		if (mode & SOCK_RCV_SHUTDOWN)
			tcp_disconnect(s);
		return 0;
	}
	if (!ls->connected || ls->peer_reset) {
		s->shutdown |= mode;
		socket_wake(s, EV_ALL);
		return -ENOTCONN;
	}
	if ((mode & SOCK_SEND_SHUTDOWN) &&
	    !(s->shutdown & SOCK_SEND_SHUTDOWN) && peer &&
	    !unix_sk(peer)->dead) {
		loop_sk(peer)->fin_rcvd = true;
		peer->shutdown |= SOCK_RCV_SHUTDOWN;
		socket_wake(peer, EV_ALL);
	}
	s->shutdown |= mode;
	socket_wake(s, EV_ALL);
	return 0;
}

/* tcp_poll */
static uint32_t tcp_poll(struct socket *s, struct waitq **wq)
{
	struct loop_sock *ls = loop_sk(s);
	int st = loop_tcp_state(s);
	uint32_t mask = 0;
	long target;

	if (wq)
		*wq = &s->wq;
	if (st == LINUX_TCP_LISTEN)
		return ls->u.qlen ? LINUX_POLLIN | LINUX_POLLRDNORM : 0;
	if (s->shutdown == SOCK_SHUTDOWN_MASK || st == LINUX_TCP_CLOSE)
		mask |= LINUX_POLLHUP;
	if (s->shutdown & SOCK_RCV_SHUTDOWN)
		mask |= LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLRDHUP;
	/* A reader at an urgent byte it will skip needs one more. */
	target = s->rcvlowat ? s->rcvlowat : 1;
	if (unix_oob_at_mark(s) && !(s->flags & SOCKF_OOBINLINE))
		target++;
	if (ls->u.qlen && unix_inq_len(s) >= target)
		mask |= LINUX_POLLIN | LINUX_POLLRDNORM;
	if (unix_oob_pending(s))
		mask |= LINUX_POLLPRI;
	if (!(s->shutdown & SOCK_SEND_SHUTDOWN)) {
		if (unix_writable(s))
			mask |= LINUX_POLLOUT | LINUX_POLLWRNORM;
	} else {
		mask |= LINUX_POLLOUT | LINUX_POLLWRNORM;
	}
	if (s->err)
		mask |= LINUX_POLLERR;
	return mask;
}

const struct socket_ops loop_tcp_ops = {
	.bind = loop_bind_addr,
	.connect = tcp_connect,
	.listen = tcp_listen,
	.accept = tcp_accept,
	.sendmsg = tcp_sendmsg,
	.recvmsg = tcp_recvmsg,
	.getsockopt = loop_getsockopt,
	.setsockopt = loop_setsockopt,
	.shutdown = tcp_shutdown,
	.getsockname = loop_getsockname,
	.getpeername = loop_getpeername,
	.poll = tcp_poll,
	.ioctl = loop_ioctl,
	.set_peek_off = unix_set_peek_off,
	.release = unix_release,
	.destroy = unix_destroy,
};
