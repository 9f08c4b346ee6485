/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netlink.c: AF_NETLINK sockets (see netlink.h): port ids (bind, the
 * automatic one of a first send), requests parsed as netlink_rcv_skb
 * does, answers and acknowledgements queued as datagrams from the
 * kernel, and the SOL_NETLINK options of spec/netopts.yaml.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/netopts.h"
#include "sentry/abi/netlink.h"
#include "sentry/abi/poll.h"
#include "sentry/kernel/task.h"
#include "sentry/net/netlink.h"
#include "sentry/net/netopt.h"
#include "sentry/net/scm.h"
#include "sentry/net/socket.h"
#include "sentry/net/unix.h"
#include "sentry/vfs/vfs.h"

/* A request larger than this is refused (a netlink skb's size bound). */
#define NL_SEND_MAX (1u << 20)

struct nl_sock {
	struct unix_sock u; /* first: the AF_UNIX core's datagram queue */
	uint32_t portid;    /* 0 until bound */
	uint32_t groups;    /* multicast groups 1..32 joined */
	LIST_ENTRY(nl_sock) link;
	int32_t opts[]; /* stored options (netopt_slot) */
};

static LIST_HEAD(, nl_sock) bound = LIST_HEAD_INITIALIZER(bound);
static int32_t rover = -4096;

static struct nl_sock *nl_sk(const struct socket *s)
{
	return s->priv;
}

static bool portid_used(uint32_t id)
{
	struct nl_sock *n;

	LIST_FOREACH(n, &bound, link)
	if (n->portid == id)
		return true;
	return false;
}

static void nl_unhash(struct socket *s)
{
	struct nl_sock *n = nl_sk(s);

	if (n->portid)
		LIST_REMOVE(n, link);
	n->portid = 0;
}

static int nl_insert(struct socket *s, uint32_t id)
{
	if (portid_used(id))
		return -EADDRINUSE;
	nl_sk(s)->portid = id;
	LIST_INSERT_HEAD(&bound, nl_sk(s), link);
	return 0;
}

/* netlink_autobind: the process's tgid if free, else negative ids. */
static int nl_autobind(struct socket *s, struct task *t)
{
	uint32_t id = t && t->tg ? (uint32_t)t->tg->tgid : 0;

	if (nl_sk(s)->portid)
		return 0;
	while (!id || portid_used(id)) {
		id = (uint32_t)rover--;
		if (rover > -4096)
			rover = -4096;
	}
	return nl_insert(s, id);
}

static int32_t nl_opt(const struct socket *s, int name)
{
	const struct netopt *o = netopt_find(LINUX_SOL_NETLINK, name);
	int slot = o ? netopt_slot(o) : -1;

	return slot < 0 ? 0 : nl_sk(s)->opts[slot];
}

/* The kernel's address, and NETLINK_PKTINFO (unix_proto.recv_info). */
static void nl_recv_info(struct socket *r, struct sock_msg *msg,
			 const struct unix_skb *skb)
{
	struct linux_sockaddr_nl nl = {.nl_family = LINUX_AF_NETLINK};

	(void)skb;
	if (msg->name) {
		memset(msg->name, 0, sizeof(*msg->name));
		memcpy(msg->name, &nl, sizeof(nl));
		msg->namelen = sizeof(nl);
	}
	if (nl_opt(r, LINUX_NETLINK_PKTINFO) && msg->control) {
		uint32_t group = 0;

		scm_put_cmsg(msg, LINUX_SOL_NETLINK, LINUX_NETLINK_PKTINFO,
			     &group, sizeof(group));
	}
}

static const struct unix_proto nl_proto = {
	.unhash = nl_unhash,
	.recv_info = nl_recv_info,
};

/* The sockaddr_nl of bind and connect (netlink_bind's checks). */
static int nl_addr(const struct linux_sockaddr_storage *a, int len,
		   struct linux_sockaddr_nl *nl)
{
	if (len < (int)sizeof(*nl))
		return -EINVAL;
	memcpy(nl, a, sizeof(*nl));
	if (nl->nl_family != LINUX_AF_NETLINK)
		return -EINVAL;
	return 0;
}

static int nl_bind(struct socket *s, struct task *t,
		   struct linux_sockaddr_storage *a, int len)
{
	struct nl_sock *n = nl_sk(s);
	struct linux_sockaddr_nl nl;
	int err = nl_addr(a, len, &nl);

	if (err)
		return err;
	n->groups |= nl.nl_groups;
	if (n->portid)
		return nl.nl_pid && nl.nl_pid != n->portid ? -EINVAL : 0;
	return nl.nl_pid ? nl_insert(s, nl.nl_pid) : nl_autobind(s, t);
}

/* Only the kernel (port 0) answers; connect just names it. */
static int nl_connect(struct socket *s, struct task *t,
		      struct linux_sockaddr_storage *a, int len, bool nonblock)
{
	struct linux_sockaddr_nl nl;
	int err;

	(void)nonblock;
	if (len >= (int)sizeof(a->family) && a->family == LINUX_AF_UNSPEC)
		return 0;
	err = nl_addr(a, len, &nl);
	return err ? err : nl_autobind(s, t);
}

static int nl_getname(struct socket *s, struct linux_sockaddr_storage *a,
		      bool peer)
{
	struct linux_sockaddr_nl nl = {.nl_family = LINUX_AF_NETLINK};

	if (!peer) {
		nl.nl_pid = nl_sk(s)->portid;
		nl.nl_groups = nl_sk(s)->groups;
	}
	memset(a, 0, sizeof(*a));
	memcpy(a, &nl, sizeof(nl));
	return sizeof(nl);
}

static int nl_getsockname(struct socket *s, struct linux_sockaddr_storage *a)
{
	return nl_getname(s, a, false);
}

static int nl_getpeername(struct socket *s, struct linux_sockaddr_storage *a)
{
	return nl_getname(s, a, true);
}

/* Queue one datagram of the kernel's for s. */
static int nl_deliver(struct socket *s, const void *data, size_t len)
{
	struct unix_skb *skb = unix_skb_alloc(NULL, len, 0);

	if (!skb)
		return -ENOMEM;
	memcpy(skb->data, data, len);
	skb->truesize = unix_truesize(len);
	skb->rcharged = true;
	unix_sk(s)->rmem += skb->truesize;
	unix_skb_queue_tail(s, skb);
	socket_wake(s, LINUX_POLLIN | LINUX_POLLRDNORM);
	return 0;
}

/* netlink_ack: NLMSG_ERROR with the error (0: an acknowledgement) and
 * the request's header, and its payload too for an error unless
 * NETLINK_CAP_ACK. */
static void nl_ack(struct socket *s, const char *req, int err, struct nlbuf *b)
{
	struct linux_nlmsghdr nlh;
	bool whole;
	size_t plen;
	char *e;

	memcpy(&nlh, req, sizeof(nlh));
	whole = err && !nl_opt(s, LINUX_NETLINK_CAP_ACK);
	plen = whole ? nlh.nlmsg_len : sizeof(nlh);
	e = malloc(sizeof(int32_t) + plen);
	if (!e) {
		b->err = -ENOMEM;
		return;
	}
	memcpy(e, &err, sizeof(int32_t));
	memcpy(e + sizeof(int32_t), req, plen);
	nlbuf_end(b, nlbuf_begin(b, LINUX_NLMSG_ERROR,
				 whole ? 0 : LINUX_NLM_F_CAPPED, nlh.nlmsg_seq,
				 nl_sk(s)->portid, e, sizeof(int32_t) + plen));
	free(e);
}

/* netlink_rcv_skb: each request in turn; a malformed one ends the
 * batch silently, as Linux. */
static void nl_process(struct socket *s, const char *buf, size_t len)
{
	while (len >= LINUX_NLMSG_HDRLEN) {
		struct linux_nlmsghdr nlh;
		struct nlbuf b = {0};
		size_t step;
		int err = 0;

		memcpy(&nlh, buf, sizeof(nlh));
		if (nlh.nlmsg_len < LINUX_NLMSG_HDRLEN || nlh.nlmsg_len > len)
			return;
		if (nlh.nlmsg_flags & LINUX_NLM_F_REQUEST) {
			if (nlh.nlmsg_type >= LINUX_NLMSG_MIN_TYPE)
				err = rtnl_request((const void *)buf,
						   nlh.nlmsg_len,
						   nl_sk(s)->portid, &b);
			/* The answer, then the ack, each a datagram. */
			if (b.len && !b.err)
				nl_deliver(s, b.data, b.len);
			nlbuf_free(&b);
			if (err || (nlh.nlmsg_flags & LINUX_NLM_F_ACK &&
				    !(nlh.nlmsg_flags & LINUX_NLM_F_DUMP))) {
				nl_ack(s, buf, err, &b);
				if (b.len && !b.err)
					nl_deliver(s, b.data, b.len);
				nlbuf_free(&b);
			}
		}
		step = LINUX_NLMSG_ALIGN(nlh.nlmsg_len);
		if (step >= len)
			return;
		buf += step;
		len -= step;
	}
}

static long nl_sendmsg(struct socket *s, struct sock_msg *msg, uint32_t flags)
{
	size_t len = msg->uio->resid;
	struct scm_cookie scm;
	char *buf;
	long err;

	(void)flags;
	err = scm_send(msg->t, s, msg->ctl, msg->ctllen, &scm);
	if (err)
		return err;
	scm_destroy(&scm);
	if (msg->namelen) {
		struct linux_sockaddr_nl nl;

		err = nl_addr(msg->name, msg->namelen, &nl);
		if (err)
			return err;
		if (nl.nl_pid || nl.nl_groups)
			return -ECONNREFUSED; /* no other process listens */
	}
	if (len > NL_SEND_MAX || len > (size_t)s->sndbuf - 32)
		return -EMSGSIZE;
	err = nl_autobind(s, msg->t);
	if (err)
		return err;
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	if (vfs_uio_copy_from(msg->uio, buf, len) != (long)len) {
		free(buf);
		return -EFAULT;
	}
	nl_process(s, buf, len);
	free(buf);
	return (long)len;
}

static long nl_recvmsg(struct socket *s, struct sock_msg *msg, uint32_t flags)
{
	return unix_dgram_recvmsg(s, msg, flags & ~LINUX_MSG_OOB);
}

static int nl_setsockopt(struct socket *s, struct task *t, int level, int name,
			 uint64_t optval, int optlen)
{
	const struct netopt *o = netopt_find(level, name);
	int32_t v;

	if (level != LINUX_SOL_NETLINK || !o || o->sentry == NETOPT_ABSENT)
		return -ENOPROTOOPT;
	if (optlen < 4)
		return -EINVAL;
	if (task_copy_in(t, optval, &v, sizeof(v)))
		return -EFAULT;
	if (o->sentry == NETOPT_STORE) {
		nl_sk(s)->opts[netopt_slot(o)] = v != 0;
		return 0;
	}
	/* NETLINK_ADD_MEMBERSHIP, NETLINK_DROP_MEMBERSHIP */
	if (v < 1 || v > 32)
		return v ? -EINVAL : 0;
	if (name == LINUX_NETLINK_ADD_MEMBERSHIP)
		nl_sk(s)->groups |= 1u << (v - 1);
	else
		nl_sk(s)->groups &= ~(1u << (v - 1));
	return 0;
}

static int nl_getsockopt(struct socket *s, struct task *t, int level, int name,
			 uint64_t optval, uint64_t optlen)
{
	const struct netopt *o = netopt_find(level, name);
	int32_t len, v;

	if (level != LINUX_SOL_NETLINK || !o || o->sentry != NETOPT_STORE)
		return -ENOPROTOOPT;
	if (task_copy_in(t, optlen, &len, sizeof(len)))
		return -EFAULT;
	if (len < (int32_t)sizeof(v))
		return -EINVAL;
	len = sizeof(v);
	v = nl_sk(s)->opts[netopt_slot(o)];
	if (task_copy_out(t, optval, &v, sizeof(v)) ||
	    task_copy_out(t, optlen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}



static const struct socket_ops nl_ops = {
	.bind = nl_bind,
	.connect = nl_connect,
	.sendmsg = nl_sendmsg,
	.recvmsg = nl_recvmsg,
	.getsockopt = nl_getsockopt,
	.setsockopt = nl_setsockopt,
	.getsockname = nl_getsockname,
	.getpeername = nl_getpeername,
	.poll = unix_datagram_poll,
	.set_peek_off = unix_set_peek_off,
	.release = unix_release,
	.destroy = unix_destroy,
};

/* netlink_create: raw or datagram, NETLINK_ROUTE only. */
static int nl_create(struct task *t, int type, int protocol,
		     struct socket **out)
{
	struct socket *s;
	struct nl_sock *n;

	(void)t;
	if (type != LINUX_SOCK_RAW && type != LINUX_SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol < 0 || protocol >= LINUX_MAX_LINKS)
		return -EPROTONOSUPPORT;
	if (protocol != LINUX_NETLINK_ROUTE)
		return -EPROTONOSUPPORT;
	s = socket_alloc(LINUX_AF_NETLINK, type, protocol, &nl_ops);
	if (!s)
		return -ENOMEM;
	n = calloc(1, sizeof(*n) + netopt_nslots() * sizeof(int32_t));
	if (!n) {
		socket_put(s);
		return -ENOMEM;
	}
	unix_sock_init(s, &n->u, &nl_proto);
	netopt_defaults(n->opts);
	*out = s;
	return 0;
}

const struct socket_family netlink_family = {
	.family = LINUX_AF_NETLINK,
	.create = nl_create,
};
