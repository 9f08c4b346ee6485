/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loop_udp.c: UDP over the loopback stack (see loop.h). A send finds the
 * receiving socket in the port table (the lookup of __udp4_lib_lookup)
 * and puts the datagram in its queue, charged to its receive buffer: a
 * full buffer drops it, as Linux does, and the sender never waits (a
 * loopback device frees what it sent at once). A reader gets the
 * AF_UNIX core's datagram receive (boundaries, MSG_TRUNC, peek offsets)
 * with the source address and the IP control messages it asked for.
 *
 * Nobody on the port: for a connected socket the ICMP error Linux gets
 * back becomes ECONNREFUSED on its next call; otherwise the datagram is
 * gone without a word.
 *
 * UDP-Lite sockets run this same code with their own port table; what
 * sets them apart is the checksum coverage a datagram carries (nothing
 * is checksummed here, but a receiver may refuse a datagram covered less
 * than it demands, and that is seen).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "gen/linux_flags.h"
#include "gen/netopts.h"
#include "sentry/abi/poll.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/net/loop.h"
#include "sentry/net/socket.h"
#include "sentry/vfs/vfs.h"

#define EV_ALL                                                                 \
	(LINUX_POLLIN | LINUX_POLLOUT | LINUX_POLLERR | LINUX_POLLHUP |        \
	 LINUX_POLLRDNORM | LINUX_POLLWRNORM | LINUX_POLLWRBAND |              \
	 LINUX_POLLRDHUP)
/* The largest payload: 65535 less the IPv4 and UDP headers, or less the
 * UDP header for IPv6 (whose header is not in its payload length). */
#define UDP4_MAX 65507u
#define UDP6_MAX 65527u
#define UDP_HLEN 8

_Static_assert(sizeof(struct loop_cb) <= sizeof(((struct unix_skb *)0)->cb),
	       "a datagram's data must fit in unix_skb.cb");

/* The source address and the control messages (unix_proto.recv_info). */
static void udp_recv_info(struct socket *r, struct sock_msg *msg,
			  const struct unix_skb *skb)
{
	const struct loop_cb *cb = (const void *)skb->cb;

	if (msg->name)
		msg->namelen = inet_addr_out(r->family, &cb->src, msg->name);
	loop_put_ip_cmsgs(r, msg, cb);
}

const struct unix_proto loop_udp_proto = {
	.unhash = loop_unhash,
	.recv_info = udp_recv_info,
};

/* ip4_datagram_connect, ip6_datagram_connect; AF_UNSPEC disconnects
 * (udp_disconnect: what connect chose of the source goes back). */
static int udp_connect(struct socket *s, struct task *t,
		       struct linux_sockaddr_storage *a, int len, bool nonblock)
{
	struct loop_sock *ls = loop_sk(s);
	struct inet_ep dst;
	bool autobound;
	int err;

	(void)t;
	(void)nonblock;
	if (len < (int)sizeof(a->family))
		return -EINVAL;
	if (a->family == LINUX_AF_UNSPEC) {
		ls->connected = false;
		memset(&ls->remote, 0, sizeof(ls->remote));
		if (s->family == LINUX_AF_INET)
			inet_set_v4(&ls->remote, 0);
		loop_unbind_auto(s);
		socket_wake(s, EV_ALL);
		return 0;
	}
	err = inet_addr_in(s->family, a, len, INET_ADDR_CONNECT, &dst);
	if (!err)
		err = loop_route(s, &dst, true);
	if (!err)
		err = loop_pick_source(s, &dst, &autobound);
	if (err)
		return err;
	ls->remote = dst;
	ls->connected = true;
	socket_wake(s, EV_ALL);
	return 0;
}

/* Where a send goes: its address (udp_sendmsg's and udpv6_sendmsg's
 * checks; an AF_INET6 socket also takes an AF_INET address, and
 * AF_UNSPEC means none) or the connected peer. */
static int send_dest(struct socket *s, struct sock_msg *msg,
		     struct inet_ep *dst)
{
	struct loop_sock *ls = loop_sk(s);
	int family = s->family;

	if (msg->namelen && s->family == LINUX_AF_INET6) {
		if (msg->namelen < (int)sizeof(msg->name->family))
			return -EINVAL;
		if (msg->name->family == LINUX_AF_UNSPEC)
			msg->namelen = 0;
		else if (msg->name->family == LINUX_AF_INET)
			family = LINUX_AF_INET;
		else if (msg->name->family != LINUX_AF_INET6)
			return -EINVAL;
	}
	if (!msg->namelen) {
		if (!ls->connected)
			return -EDESTADDRREQ;
		*dst = ls->remote;
		return 0;
	}
	{
		int err = inet_addr_in(family, msg->name, msg->namelen,
				       INET_ADDR_SEND, dst);

		if (err)
			return err;
	}
	if (!dst->port)
		return -EINVAL;
	return loop_route(s, dst, true);
}

/* udplite_sender_cscov: the coverage a UDP-Lite datagram of len bytes
 * carries; 0 (all of it) unless the sender set a coverage shorter than
 * the datagram with its header (a longer one is an application error
 * that falls back to full coverage). */
static uint16_t sender_cscov(const struct loop_sock *ls, size_t len)
{
	if (ls->proto != LOOP_UDPLITE || !ls->send_cc || !ls->pcslen ||
	    ls->pcslen >= len + UDP_HLEN)
		return 0;
	return ls->pcslen;
}

/* udp_queue_rcv_one_skb's UDP-Lite test: a receiver that set
 * UDPLITE_RECV_CSCOV refuses a partially covered datagram when it asked
 * for full coverage (0) or for more than the datagram has. */
static bool coverage_refused(const struct loop_sock *r,
			     const struct loop_cb *cb)
{
	if (!r->recv_cc || !cb->cscov)
		return false;
	return !r->pcrlen || cb->cscov < r->pcrlen;
}

/* Deliver a built datagram to whoever holds its destination, in the
 * sender's protocol's table. */
static void deliver(struct socket *s, struct unix_skb *skb)
{
	struct loop_sock *ls = loop_sk(s);
	struct loop_cb *cb = (void *)skb->cb;
	struct socket *r = loop_lookup(ls->proto, &cb->src, &cb->dst, false);
	struct unix_sock *ru;

	if (!r) {
		if (ls->connected && inet_addr_equal(&cb->dst, &ls->remote) &&
		    cb->dst.port == ls->remote.port) {
			s->err = ECONNREFUSED;
			socket_wake(s, LINUX_POLLERR);
		}
		unix_skb_free(skb);
		return;
	}
	ru = unix_sk(r);
	if (ru->rmem > (size_t)r->rcvbuf || coverage_refused(loop_sk(r), cb)) {
		loop_sk(r)->drops++;
		unix_skb_free(skb);
		return;
	}
	skb->rcharged = true;
	ru->rmem += skb->truesize;
	unix_skb_queue_tail(r, skb);
	loop_sk(r)->bytes_rcvd += skb->len;
	socket_wake(r, LINUX_POLLIN | LINUX_POLLRDNORM);
}

static long udp_sendmsg(struct socket *s, struct sock_msg *msg, uint32_t flags)
{
	struct loop_sock *ls = loop_sk(s);
	size_t len = msg->uio->resid;
	struct loop_cmsg_info ci;
	struct unix_skb *skb;
	struct loop_cb *cb;
	struct inet_ep dst;
	struct timespec ts;
	long err;

	if (!ls->hashed) {
		/* inet_send_prepare binds first, whatever comes next. */
		err = loop_autobind(s, NULL);
		if (err)
			return err;
	}
	if (flags & LINUX_MSG_OOB)
		return -EOPNOTSUPP;
	err = send_dest(s, msg, &dst);
	if (!err)
		err = loop_cmsg_send(s, msg->ctl, msg->ctllen, &ci);
	if (err)
		return err;
	if (len > (inet_is_v4(&dst) ? UDP4_MAX : UDP6_MAX))
		return -EMSGSIZE;
	if (!inet_is_any(&ls->local) &&
	    inet_is_v4(&ls->local) != inet_is_v4(&dst))
		return -ENETUNREACH;
	err = socket_error(s);
	if (err)
		return err;
	if (s->shutdown & SOCK_SEND_SHUTDOWN) {
		if (!(flags & LINUX_MSG_NOSIGNAL))
			socket_sigpipe(msg->t);
		return -EPIPE;
	}
	/* udp_send_skb: segmentation offload needs a checksum the device
	 * can compute, which UDP-Lite's partial one is not. */
	if (ls->proto == LOOP_UDPLITE &&
	    loop_opt(s, LINUX_SOL_UDP, LINUX_UDP_SEGMENT))
		return -EIO;
	skb = unix_skb_alloc(NULL, len, 0);
	if (!skb)
		return -ENOMEM;
	if (len && vfs_uio_copy_from(msg->uio, skb->data, len) != (long)len) {
		unix_skb_free(skb);
		return -EFAULT;
	}
	skb->truesize = unix_truesize(len);
	cb = (void *)skb->cb;
	if (ci.has_src)
		cb->src = ci.src;
	else if (!inet_is_any(&ls->local))
		cb->src = ls->local;
	else
		loop_source(s, &dst, &cb->src);
	cb->src.port = ls->local.port;
	cb->dst = dst;
	cb->cscov = sender_cscov(ls, len);
	if (ci.ttl < 0)
		ci.ttl = inet_is_v4(&dst) ? ls->ttl : ls->hops;
	cb->ttl = (uint8_t)(ci.ttl >= 0 ? ci.ttl : 64);
	cb->tos = (uint8_t)(ci.tos >= 0 ? ci.tos
			    : inet_is_v4(&dst)
				    ? loop_opt(s, LINUX_SOL_IP, LINUX_IP_TOS)
				    : ls->tclass);
	clock_gettime(CLOCK_REALTIME, &ts);
	cb->tstamp_ns = ts.tv_sec * 1000000000ll + ts.tv_nsec;
	ls->bytes_sent += len;
	deliver(s, skb);
	return (long)len;
}

static long udp_recvmsg(struct socket *s, struct sock_msg *msg, uint32_t flags)
{
	if (flags & LINUX_MSG_ERRQUEUE)
		return -EAGAIN; /* nothing ever lands in the error queue */
	return unix_dgram_recvmsg(s, msg, flags & ~LINUX_MSG_OOB);
}

/* inet_shutdown: an unconnected socket keeps the bits but says
 * ENOTCONN. */
static int udp_shutdown(struct socket *s, int how)
{
	if (how < LINUX_SHUT_RD || how > LINUX_SHUT_RDWR)
		return -EINVAL;
	s->shutdown |= (uint32_t)how + 1;
	socket_wake(s, EV_ALL);
	return loop_sk(s)->connected ? 0 : -ENOTCONN;
}


const struct socket_ops loop_udp_ops = {
	.bind = loop_bind_addr,
	.connect = udp_connect,
	.sendmsg = udp_sendmsg,
	.recvmsg = udp_recvmsg,
	.getsockopt = loop_getsockopt,
	.setsockopt = loop_setsockopt,
	.shutdown = udp_shutdown,
	.getsockname = loop_getsockname,
	.getpeername = loop_getpeername,
	.poll = unix_datagram_poll,
	.ioctl = loop_ioctl,
	.set_peek_off = unix_set_peek_off,
	.release = unix_release,
	.destroy = unix_destroy,
};
