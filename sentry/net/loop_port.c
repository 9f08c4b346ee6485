/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loop_port.c: the loopback stack's port tables, one per protocol: who
 * holds which port, the bind rules of inet_csk_bind_conflict and
 * udp_lib_lport_inuse, ephemeral ports, and the lookup that finds the
 * socket a connection or a datagram is for (compute_score's preferences:
 * a specific address over the wildcard, a connected socket's own peer,
 * an AF_INET socket over an AF_INET6 one; SO_REUSEPORT groups spread by
 * the source port). UDP-Lite has a table of its own, as Linux's
 * udplite_table is apart from udp_table: a UDP and a UDP-Lite socket may
 * hold the same port, and neither ever gets the other's datagrams.
 *
 * A socket is in its table from bind (or the automatic bind of connect,
 * listen or sendto) until it is closed; a connection's server side holds
 * its listener's port too, as Linux's accepted sockets do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/capability.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/sysctl.h"
#include "sentry/kernel/task.h"
#include "sentry/net/loop.h"
#include "sentry/net/socket.h"

#define PORT_BUCKETS 512

LIST_HEAD(loop_list, loop_sock);
static struct loop_list tables[LOOP_NPROTO][PORT_BUCKETS];
static uint32_t port_cursor;

static struct loop_list *bucket(enum loop_proto p, uint16_t port)
{
	return &tables[p][port % PORT_BUCKETS];
}

/* Does the socket take IPv4 traffic, IPv6 traffic? */
static bool takes_v4(const struct loop_sock *ls)
{
	if (ls->u.sk->family == LINUX_AF_INET)
		return true;
	return inet_is_v4(&ls->local) ||
	       (inet_is_any(&ls->local) && !ls->v6only);
}

static bool takes_v6(const struct loop_sock *ls)
{
	return ls->u.sk->family == LINUX_AF_INET6 && !inet_is_v4(&ls->local);
}

/* inet_rcv_saddr_equal with wildcards matching: may the two bound
 * addresses receive the same traffic? */
static bool addrs_overlap(const struct loop_sock *a, const struct loop_sock *b)
{
	bool any_a = inet_is_any(&a->local), any_b = inet_is_any(&b->local);

	if ((takes_v4(a) && takes_v4(b)) || (takes_v6(a) && takes_v6(b))) {
		if (any_a || any_b)
			return true;
		return inet_addr_equal(&a->local, &b->local);
	}
	return false;
}

static bool reuseport_match(const struct loop_sock *a,
			    const struct loop_sock *b)
{
	return (a->u.sk->flags & SOCKF_REUSEPORT) &&
	       (b->u.sk->flags & SOCKF_REUSEPORT) && a->uid == b->uid;
}

/* inet_bind_conflict / udp_lib_lport_inuse for ls against o on the same
 * port. TCP: SO_REUSEADDR on both lets them share unless o listens (at
 * listen() the check runs again, so two such sockets cannot both
 * listen); UDP and UDP-Lite: SO_REUSEADDR on both is enough. SO_REUSEPORT on
 * both, of one user, always is. */
static bool conflict(const struct loop_sock *ls, const struct loop_sock *o)
{
	bool reuse = (ls->u.sk->flags & SOCKF_REUSEADDR) &&
		     (o->u.sk->flags & SOCKF_REUSEADDR);

	if (o == ls || !addrs_overlap(ls, o))
		return false;
	if (reuse && (ls->proto != LOOP_TCP || !o->u.sk->listening))
		return false;
	return !reuseport_match(ls, o);
}

static bool port_conflicts(const struct loop_sock *ls, uint16_t port)
{
	struct loop_sock *o;

	LIST_FOREACH(o, bucket(ls->proto, port), port_link)
	if (o->local.port == port && conflict(ls, o))
		return true;
	return false;
}

static bool port_used(enum loop_proto p, uint16_t port)
{
	struct loop_sock *o;

	LIST_FOREACH(o, bucket(p, port), port_link)
	if (o->local.port == port)
		return true;
	return false;
}

static void hash(struct loop_sock *ls)
{
	LIST_INSERT_HEAD(bucket(ls->proto, ls->local.port), ls, port_link);
	ls->hashed = true;
}

void loop_unhash(struct socket *s)
{
	struct loop_sock *ls = loop_sk(s);

	if (ls->hashed)
		LIST_REMOVE(ls, port_link);
	ls->hashed = false;
}

/* An unused port from the ephemeral range (inet_csk_find_open_port
 * starts at a random offset; so does this, then walks on). */
static int ephemeral(struct loop_sock *ls)
{
	const uint32_t n = LOOP_EPHEMERAL_HIGH - LOOP_EPHEMERAL_LOW + 1;

	if (!port_cursor)
		port_cursor = (uint32_t)(kernel_now_ns() / 1000) * 2654435761u;
	for (uint32_t i = 0; i < n; i++) {
		uint16_t port =
			(uint16_t)(LOOP_EPHEMERAL_LOW + (port_cursor++ % n));

		if (!port_used(ls->proto, port)) {
			ls->local.port = port;
			return 0;
		}
	}
	return -EADDRINUSE;
}

/* Is the address one the sandbox has (__inet_bind's and ipv6_chk_addr's
 * test): the wildcard, lo's, a multicast group; broadcast for IPv4. */
static bool local_addr(const struct socket *s, const struct inet_ep *a)
{
	if (inet_is_any(a) || inet_is_loopback(a) || inet_is_multicast(a))
		return true;
	return s->family == LINUX_AF_INET && inet_is_broadcast(a);
}

int loop_bind(struct socket *s, struct task *t, const struct inet_ep *ep)
{
	struct loop_sock *ls = loop_sk(s);
	struct inet_ep old = ls->local;

	if (s->family == LINUX_AF_INET6 && inet_is_v4(ep) && ls->v6only)
		return -EINVAL;
	if (s->family == LINUX_AF_INET6 && inet_is_multicast(ep) &&
	    ls->proto == LOOP_TCP)
		return -EINVAL;
	if (!local_addr(s, ep))
		return -EADDRNOTAVAIL;
	if (ep->port && ep->port < sysctl_unprivileged_port_start() && t &&
	    !creds_capable(t->creds, LINUX_CAP_NET_BIND_SERVICE))
		return -EACCES;
	if (ls->hashed || ls->u.state != UNIX_CLOSE || ls->connected)
		return -EINVAL;
	ls->local = *ep;
	if (!ep->port) {
		int err = ephemeral(ls);

		if (err) {
			ls->local = old;
			return err;
		}
	} else if (port_conflicts(ls, ep->port)) {
		ls->local = old;
		return -EADDRINUSE;
	}
	hash(ls);
	return 0;
}

int loop_autobind(struct socket *s, const struct inet_ep *src)
{
	struct loop_sock *ls = loop_sk(s);
	int err;

	if (ls->hashed)
		return 0;
	if (src) {
		ls->local = *src;
	} else if (s->family == LINUX_AF_INET) {
		inet_set_v4(&ls->local, 0);
	} else {
		memset(ls->local.addr, 0, 16);
	}
	ls->local.port = 0;
	err = ephemeral(ls);
	if (err)
		return err;
	hash(ls);
	return 0;
}

int loop_port_listen_check(struct socket *s)
{
	struct loop_sock *ls = loop_sk(s);

	return port_conflicts(ls, ls->local.port) ? -EADDRINUSE : 0;
}

void loop_hash_child(struct socket *child)
{
	hash(loop_sk(child));
}

/* compute_score: -1 when the socket does not take this traffic, else how
 * well it matches. */
static int score(const struct loop_sock *ls, const struct inet_ep *src,
		 const struct inet_ep *dst, bool listeners)
{
	int sc;

	if (ls->local.port != dst->port || ls->u.dead)
		return -1;
	if (listeners != (ls->u.state == UNIX_LISTEN))
		return -1;
	if (inet_is_v4(dst) ? !takes_v4(ls) : !takes_v6(ls))
		return -1;
	sc = ls->u.sk->family == LINUX_AF_INET ? 2 : 1;
	if (!inet_is_any(&ls->local)) {
		if (!inet_addr_equal(&ls->local, dst))
			return -1;
		sc += 4;
	}
	if (ls->connected && !listeners) {
		if (!inet_addr_equal(&ls->remote, src) ||
		    ls->remote.port != src->port)
			return -1;
		sc += 8;
	}
	return sc;
}

struct socket *loop_lookup(enum loop_proto p, const struct inet_ep *src,
			   const struct inet_ep *dst, bool listeners)
{
	struct loop_sock *ls, *best = NULL, *group[64];
	int best_sc = -1, n = 0;

	LIST_FOREACH(ls, bucket(p, dst->port), port_link)
	{
		int sc = score(ls, src, dst, listeners);

		if (sc < 0 || sc < best_sc)
			continue;
		if (sc > best_sc) {
			best_sc = sc;
			best = ls;
			n = 0;
		}
		/* SO_REUSEPORT: equal sockets of one group share. */
		if (best && (ls == best || reuseport_match(ls, best)) &&
		    n < (int)(sizeof(group) / sizeof(group[0])))
			group[n++] = ls;
	}
	if (!best)
		return NULL;
	if (n > 1)
		best = group[(src->port * 2654435761u) % (uint32_t)n];
	return best->u.sk;
}

void loop_for_each(enum loop_proto p, void (*fn)(struct socket *, void *),
		   void *arg)
{
	for (int b = 0; b < PORT_BUCKETS; b++) {
		struct loop_sock *ls, *next;

		for (ls = LIST_FIRST(&tables[p][b]); ls; ls = next) {
			next = LIST_NEXT(ls, port_link);
			fn(ls->u.sk, arg);
		}
	}
}

int loop_route(struct socket *s, struct inet_ep *dst, bool udp)
{
	struct loop_sock *ls = loop_sk(s);

	if (inet_is_any(dst)) {
		/* ip_route_connect: no destination means this host, from
		 * the bound address if there is one. */
		uint16_t port = dst->port;

		if (!inet_is_any(&ls->local) &&
		    inet_is_v4(&ls->local) == inet_is_v4(dst))
			*dst = ls->local;
		else
			loop_source(s, dst, dst);
		dst->port = port;
		return 0;
	}
	if (s->family == LINUX_AF_INET6 && inet_is_v4(dst) && ls->v6only)
		return -ENETUNREACH;
	if (inet_is_broadcast(dst) && udp)
		return (s->flags & SOCKF_BROADCAST) ? -ENETUNREACH : -EACCES;
	if (!inet_is_loopback(dst))
		return -ENETUNREACH;
	return 0;
}

int loop_bind_addr(struct socket *s, struct task *t,
		   struct linux_sockaddr_storage *a, int len)
{
	struct loop_sock *ls = loop_sk(s);
	struct inet_ep ep;
	int err = inet_addr_in(s->family, a, len, INET_ADDR_BIND, &ep);

	if (!err)
		err = loop_bind(s, t, &ep);
	if (!err) {
		ls->user_addr = !inet_is_any(&ep);
		ls->user_port = ep.port != 0;
	}
	return err;
}

int loop_pick_source(struct socket *s, const struct inet_ep *dst,
		     bool *autobound)
{
	struct loop_sock *ls = loop_sk(s);
	struct inet_ep src;

	*autobound = false;
	loop_source(s, dst, &src);
	if (!ls->hashed) {
		*autobound = true;
		return loop_autobind(s, &src);
	}
	if (inet_is_any(&ls->local)) {
		src.port = ls->local.port;
		ls->local = src;
	} else if (inet_is_v4(&ls->local) != inet_is_v4(dst)) {
		return -ENETUNREACH;
	}
	return 0;
}

void loop_unbind_auto(struct socket *s)
{
	struct loop_sock *ls = loop_sk(s);

	if (!ls->user_addr) {
		if (s->family == LINUX_AF_INET)
			inet_set_v4(&ls->local, 0);
		else
			memset(ls->local.addr, 0, 16);
	}
	if (!ls->user_port) {
		loop_unhash(s);
		ls->local.port = 0;
	}
}
