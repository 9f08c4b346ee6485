/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loop.c: the loopback stack (see loop.h): socket(2) for it, and what its
 * TCP, UDP and UDP-Lite sockets share (names, ioctls, the state they
 * report).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/netopts.h"
#include "sentry/abi/capability.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/net/loop.h"
#include "sentry/net/netopt.h"
#include "sentry/net/socket.h"

extern const struct unix_proto loop_tcp_proto, loop_udp_proto;

struct socket *loop_sock_new(int family, int type, int protocol,
			     enum loop_proto proto, struct task *t)
{
	const struct socket_ops *ops =
		proto == LOOP_TCP ? &loop_tcp_ops : &loop_udp_ops;
	struct socket *s = socket_alloc(family, type, protocol, ops);
	struct loop_sock *ls;

	if (!s)
		return NULL;
	ls = calloc(1, sizeof(*ls) + netopt_nslots() * sizeof(int32_t));
	if (!ls) {
		socket_put(s);
		return NULL;
	}
	/* UDP-Lite is UDP's code, as udplite_prot is udp_prot's functions. */
	unix_sock_init(s, &ls->u,
		       proto == LOOP_TCP ? &loop_tcp_proto : &loop_udp_proto);
	ls->proto = proto;
	netopt_defaults(ls->opts);
	ls->ttl = ls->hops = ls->mcast_hops = -1;
	ls->uid = t && t->creds ? t->creds->euid : 0;
	ls->created_ns = kernel_now_ns();
	strcpy(ls->congestion, "cubic");
	if (family == LINUX_AF_INET6)
		memset(ls->local.addr, 0, 16);
	else
		inet_set_v4(&ls->local, 0);
	ls->remote = ls->local;
	if (proto == LOOP_TCP) {
		s->sndbuf = LOOP_TCP_WMEM_DEFAULT;
		s->rcvbuf = LOOP_TCP_RMEM_DEFAULT;
	}
	return s;
}

/* inet_create's protocol checks for the types the stack has. */
static int loop_create(struct task *t, int family, int type, int protocol,
		       struct socket **out)
{
	enum loop_proto proto;

	switch (type) {
	case LINUX_SOCK_STREAM:
		if (protocol && protocol != LINUX_IPPROTO_TCP &&
		    protocol != LINUX_IPPROTO_MPTCP)
			return -EPROTONOSUPPORT;
		proto = LOOP_TCP;
		protocol = protocol ? protocol : LINUX_IPPROTO_TCP;
		break;
	case LINUX_SOCK_DGRAM:
		/* Ping sockets: net.ipv4.ping_group_range is "1 0". */
		if (protocol == (family == LINUX_AF_INET
					 ? LINUX_IPPROTO_ICMP
					 : LINUX_IPPROTO_ICMPV6))
			return -EACCES;
		if (protocol == LINUX_IPPROTO_UDPLITE) {
			proto = LOOP_UDPLITE;
			break;
		}
		if (protocol && protocol != LINUX_IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		proto = LOOP_UDP;
		protocol = LINUX_IPPROTO_UDP;
		break;
	case LINUX_SOCK_RAW:
		/* There are no raw sockets: as if without CAP_NET_RAW. */
		return protocol ? -EPERM : -EPROTONOSUPPORT;
	default:
		return -ESOCKTNOSUPPORT;
	}
	*out = loop_sock_new(family, type, protocol, proto, t);
	return *out ? 0 : -ENOMEM;
}

const struct inet_stack loop_stack = {
	.name = "none",
	.create = loop_create,
};

int32_t loop_opt(const struct socket *s, int level, int name)
{
	const struct netopt *o = netopt_find(level, name);
	int slot = o ? netopt_slot(o) : -1;

	return slot < 0 ? 0 : loop_sk(s)->opts[slot];
}

void loop_source(const struct socket *s, const struct inet_ep *dst,
		 struct inet_ep *src)
{
	static const uint8_t one[16] = {[15] = 1};

	(void)s;
	if (inet_is_v4(dst))
		inet_set_v4(src, 0x7f000001u);
	else
		memcpy(src->addr, one, 16);
	src->port = 0;
}

int loop_tcp_state(const struct socket *s)
{
	const struct loop_sock *ls = loop_sk(s);

	if (ls->u.state == UNIX_LISTEN)
		return LINUX_TCP_LISTEN;
	if (ls->u.state != UNIX_CONNECTED || ls->peer_reset || ls->u.dead)
		return LINUX_TCP_CLOSE;
	if (s->shutdown & SOCK_SEND_SHUTDOWN)
		return ls->fin_rcvd ? LINUX_TCP_CLOSE : LINUX_TCP_FIN_WAIT2;
	return ls->fin_rcvd ? LINUX_TCP_CLOSE_WAIT : LINUX_TCP_ESTABLISHED;
}

int loop_getsockname(struct socket *s, struct linux_sockaddr_storage *a)
{
	return inet_addr_out(s->family, &loop_sk(s)->local, a);
}

/* inet_getname: a TCP socket that is closed (reset, or never connected)
 * has no peer. */
int loop_getpeername(struct socket *s, struct linux_sockaddr_storage *a)
{
	struct loop_sock *ls = loop_sk(s);

	if (!ls->connected ||
	    (ls->proto == LOOP_TCP && loop_tcp_state(s) == LINUX_TCP_CLOSE))
		return -ENOTCONN;
	return inet_addr_out(s->family, &ls->remote, a);
}

/* tcp_ioctl, udp_ioctl: what is queued to read (TCP: up to a pending
 * urgent byte), and TCP's mark; nothing ever waits to be sent or
 * acknowledged on a loopback link. */
long loop_ioctl(struct socket *s, struct task *t, uint32_t cmd, uint64_t arg)
{
	bool tcp = loop_sk(s)->proto == LOOP_TCP;
	int32_t v;

	switch (cmd) {
	case LINUX_SIOCINQ:
		if (s->listening)
			return -EINVAL;
		v = (int32_t)(tcp ? unix_oob_tcp_inq(s) : unix_inq_len(s));
		break;
	case LINUX_SIOCOUTQ:
	case LINUX_SIOCOUTQNSD:
		if (s->listening)
			return -EINVAL;
		v = 0;
		break;
	case LINUX_SIOCATMARK:
		if (!tcp)
			return -ENOTTY;
		v = unix_oob_at_mark(s);
		break;
	default:
		return -ENOTTY;
	}
	return task_copy_out(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
}

