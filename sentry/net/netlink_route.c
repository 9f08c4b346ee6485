/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netlink_route.c: rtnetlink answers from the sandbox's interfaces
 * (netdev.h): links (RTM_GETLINK, a dump or one by index or name),
 * addresses (RTM_GETADDR dumps), routes (RTM_GETROUTE dumps: the routes
 * Linux derives from each address, and `ip route get` of a local
 * address), with the attributes iproute2 and glibc read. Every other
 * dump is empty; changes (RTM_NEW*, DEL*, SET*) are EPERM.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/netlink.h"
#include "sentry/net/inet.h"
#include "sentry/net/netdev.h"
#include "sentry/net/netlink.h"

#define NLBUF_MAX (1u << 20)
#define RTM_F_CLONED 0x200
#define RTCF_LOCAL 0x80000000u
#define RTA_UID 25
#define RTA_SRC 2
#define IFA_RT_PRIORITY6 256

static void grow(struct nlbuf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *n;

	if (b->err)
		return;
	if (b->len + more > NLBUF_MAX) {
		b->err = -ENOMEM;
		return;
	}
	while (cap < b->len + more)
		cap *= 2;
	if (cap == b->cap)
		return;
	n = realloc(b->data, cap);
	if (!n) {
		b->err = -ENOMEM;
		return;
	}
	memset(n + b->cap, 0, cap - b->cap);
	b->data = n;
	b->cap = cap;
}

size_t nlbuf_begin(struct nlbuf *b, uint16_t type, uint16_t flags, uint32_t seq,
		   uint32_t portid, const void *hdr, size_t hdrlen)
{
	struct linux_nlmsghdr h = {.nlmsg_type = type,
				   .nlmsg_flags = flags,
				   .nlmsg_seq = seq,
				   .nlmsg_pid = portid};
	size_t start = b->len;

	grow(b, LINUX_NLMSG_HDRLEN + LINUX_NLMSG_ALIGN(hdrlen));
	if (b->err)
		return start;
	memcpy(b->data + b->len, &h, sizeof(h));
	b->len += LINUX_NLMSG_HDRLEN;
	memcpy(b->data + b->len, hdr, hdrlen);
	b->len += LINUX_NLMSG_ALIGN(hdrlen);
	return start;
}

void nlbuf_attr(struct nlbuf *b, uint16_t type, const void *data, size_t len)
{
	struct linux_rtattr a = {.rta_len = (uint16_t)(sizeof(a) + len),
				 .rta_type = type};

	grow(b, LINUX_RTA_ALIGN(sizeof(a) + len));
	if (b->err)
		return;
	memcpy(b->data + b->len, &a, sizeof(a));
	if (len)
		memcpy(b->data + b->len + sizeof(a), data, len);
	b->len += LINUX_RTA_ALIGN(sizeof(a) + len);
}

static void attr_u32(struct nlbuf *b, uint16_t type, uint32_t v)
{
	nlbuf_attr(b, type, &v, sizeof(v));
}

static void attr_u8(struct nlbuf *b, uint16_t type, uint8_t v)
{
	nlbuf_attr(b, type, &v, sizeof(v));
}

void nlbuf_end(struct nlbuf *b, size_t start)
{
	uint32_t len = (uint32_t)(b->len - start);

	if (!b->err)
		memcpy(b->data + start, &len, sizeof(len));
}

void nlbuf_free(struct nlbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* The request's header fields the answers echo. */
struct rq {
	uint32_t seq, portid;
	uint16_t flags; /* NLM_F_MULTI for a dump */
	int family;	/* the dump's family filter, 0: all */
};

/* RTM_NEWLINK for one interface (rtnl_fill_ifinfo). */
static void put_link(struct nlbuf *b, const struct rq *q,
		     const struct netdev *d)
{
	static const char zeros[LINUX_RTNL_LINK_STATS64_SIZE];
	struct linux_ifinfomsg ifi = {.ifi_type = d->type,
				      .ifi_index = d->index,
				      .ifi_flags = d->flags};
	bool lo = d->flags & LINUX_IFF_LOOPBACK;
	size_t m = nlbuf_begin(b, LINUX_RTM_NEWLINK, q->flags, q->seq,
			       q->portid, &ifi, sizeof(ifi));

	nlbuf_attr(b, LINUX_IFLA_IFNAME, d->name, strlen(d->name) + 1);
	attr_u32(b, LINUX_IFLA_TXQLEN, d->txqlen);
	attr_u8(b, LINUX_IFLA_OPERSTATE,
		lo				 ? LINUX_IF_OPER_UNKNOWN
		: (d->flags & LINUX_IFF_RUNNING) ? LINUX_IF_OPER_UP
						 : 2);
	attr_u8(b, LINUX_IFLA_LINKMODE, 0);
	attr_u32(b, LINUX_IFLA_MTU, d->mtu);
	attr_u32(b, LINUX_IFLA_MIN_MTU, 0);
	attr_u32(b, LINUX_IFLA_MAX_MTU, 0);
	attr_u32(b, LINUX_IFLA_GROUP, 0);
	attr_u32(b, LINUX_IFLA_PROMISCUITY, 0);
	attr_u32(b, LINUX_IFLA_NUM_TX_QUEUES, 1);
	attr_u32(b, LINUX_IFLA_NUM_RX_QUEUES, 1);
	attr_u8(b, LINUX_IFLA_CARRIER, 1);
	attr_u32(b, LINUX_IFLA_CARRIER_CHANGES, 0);
	if (lo)
		nlbuf_attr(b, LINUX_IFLA_QDISC, "noqueue", 8);
	nlbuf_attr(b, LINUX_IFLA_MAP, zeros, LINUX_RTNL_LINK_IFMAP_SIZE);
	if (d->hwlen) {
		nlbuf_attr(b, LINUX_IFLA_ADDRESS, d->hwaddr, d->hwlen);
		nlbuf_attr(b, LINUX_IFLA_BROADCAST, d->brdaddr, d->hwlen);
	}
	nlbuf_attr(b, LINUX_IFLA_STATS64, zeros, LINUX_RTNL_LINK_STATS64_SIZE);
	nlbuf_attr(b, LINUX_IFLA_STATS, zeros, LINUX_RTNL_LINK_STATS_SIZE);
	nlbuf_end(b, m);
}

/* RTM_NEWADDR (inet_fill_ifaddr, inet6_fill_ifaddr). */
static void put_addr(struct nlbuf *b, const struct rq *q,
		     const struct netdev *d, const struct netdev_addr *a)
{
	static const uint8_t none[4];
	struct linux_ifaddrmsg ifa = {
		.ifa_family = (uint8_t)a->family,
		.ifa_prefixlen = a->prefixlen,
		.ifa_flags = LINUX_IFA_F_PERMANENT,
		.ifa_scope = a->scope,
		.ifa_index = (uint32_t)d->index,
	};
	struct linux_ifa_cacheinfo ci = {0xffffffffu, 0xffffffffu, 100, 100};
	size_t len = a->family == LINUX_AF_INET ? 4 : 16;
	size_t m = nlbuf_begin(b, LINUX_RTM_NEWADDR, q->flags, q->seq,
			       q->portid, &ifa, sizeof(ifa));

	nlbuf_attr(b, LINUX_IFA_ADDRESS, a->addr, len);
	if (a->family == LINUX_AF_INET) {
		nlbuf_attr(b, LINUX_IFA_LOCAL, a->addr, len);
		if (memcmp(a->brd, none, 4))
			nlbuf_attr(b, LINUX_IFA_BROADCAST, a->brd, 4);
		nlbuf_attr(b, LINUX_IFA_LABEL, d->name, strlen(d->name) + 1);
	}
	attr_u32(b, LINUX_IFA_FLAGS, LINUX_IFA_F_PERMANENT);
	nlbuf_attr(b, LINUX_IFA_CACHEINFO, &ci, sizeof(ci));
	nlbuf_end(b, m);
}

/* One RTM_NEWROUTE. */
struct route {
	int family;
	uint8_t dst[16], dst_len, table, scope, type;
	const uint8_t *prefsrc; /* NULL: none */
	int oif;
	bool metric; /* IPv6: RTA_PRIORITY and RTA_PREF */
	bool uid;    /* a lookup's answer: RTA_UID (IPv4), RTA_SRC :: (IPv6) */
	uint32_t priority;
};

static void put_route(struct nlbuf *b, const struct rq *q,
		      const struct route *r, uint32_t flags)
{
	struct linux_rtmsg rtm = {
		.rtm_family = (uint8_t)r->family,
		.rtm_dst_len = r->dst_len,
		.rtm_src_len = r->uid && r->metric ? 128 : 0,
		.rtm_table = r->table,
		.rtm_protocol = LINUX_RTPROT_KERNEL,
		.rtm_scope = r->scope,
		.rtm_type = r->type,
		.rtm_flags = flags,
	};
	size_t len = r->family == LINUX_AF_INET ? 4 : 16;
	size_t m = nlbuf_begin(b, LINUX_RTM_NEWROUTE, q->flags, q->seq,
			       q->portid, &rtm, sizeof(rtm));

	attr_u32(b, LINUX_RTA_TABLE, r->table);
	nlbuf_attr(b, LINUX_RTA_DST, r->dst, len);
	if (r->uid && r->metric)
		nlbuf_attr(b, RTA_SRC, (const uint8_t[16]){0}, 16);
	if (r->metric)
		attr_u32(b, LINUX_RTA_PRIORITY, r->priority);
	if (r->prefsrc)
		nlbuf_attr(b, LINUX_RTA_PREFSRC, r->prefsrc, len);
	attr_u32(b, LINUX_RTA_OIF, (uint32_t)r->oif);
	if (r->metric)
		attr_u8(b, LINUX_RTA_PREF, 0);
	if (r->uid && !r->metric)
		attr_u32(b, RTA_UID, 0);
	nlbuf_end(b, m);
}

/* The routes Linux makes for an address (fib_add_ifaddr,
 * addrconf_prefix_route): its network in the main table (none for lo),
 * and the local and broadcast routes in the local table. `local`
 * chooses which table's routes to add. */
static void addr_routes(struct nlbuf *b, const struct rq *q,
			const struct netdev *d, const struct netdev_addr *a,
			bool local)
{
	struct route r = {.family = a->family, .oif = d->index};
	bool lo = d->flags & LINUX_IFF_LOOPBACK;
	size_t n = a->family == LINUX_AF_INET ? 4 : 16;

	for (size_t i = 0; i < n; i++) {
		int bits = (int)a->prefixlen - (int)i * 8;
		uint8_t mask = bits >= 8   ? 0xff
			       : bits <= 0 ? 0
					   : (uint8_t)(0xff << (8 - bits));

		r.dst[i] = a->addr[i] & mask;
	}
	r.metric = a->family == LINUX_AF_INET6;
	if (!local) {
		if (lo || a->prefixlen == (n * 8))
			return;
		r.dst_len = a->prefixlen;
		r.table = LINUX_RT_TABLE_MAIN;
		r.type = LINUX_RTN_UNICAST;
		r.scope = r.metric ? LINUX_RT_SCOPE_UNIVERSE
				   : LINUX_RT_SCOPE_LINK;
		r.prefsrc = r.metric ? NULL : a->addr;
		r.priority = IFA_RT_PRIORITY6;
		put_route(b, q, &r, 0);
		return;
	}
	r.table = LINUX_RT_TABLE_LOCAL;
	r.type = LINUX_RTN_LOCAL;
	r.scope = r.metric ? LINUX_RT_SCOPE_UNIVERSE : LINUX_RT_SCOPE_HOST;
	r.prefsrc = r.metric ? NULL : a->addr;
	if (lo && !r.metric && a->prefixlen < 32) {
		r.dst_len = a->prefixlen; /* local 127.0.0.0/8 */
		put_route(b, q, &r, 0);
	}
	memcpy(r.dst, a->addr, n);
	r.dst_len = (uint8_t)(n * 8);
	put_route(b, q, &r, 0);
	if (!r.metric && a->prefixlen < 31) {
		uint32_t net, host = a->prefixlen ? ~0u >> a->prefixlen : ~0u;

		memcpy(&net, a->addr, 4);
		net = __builtin_bswap32(net) | host;
		net = __builtin_bswap32(net);
		memcpy(r.dst, &net, 4);
		r.type = LINUX_RTN_BROADCAST;
		r.scope = LINUX_RT_SCOPE_LINK;
		put_route(b, q, &r, 0);
	}
}

static void dump_links(struct nlbuf *b, const struct rq *q)
{
	const struct netdev *d;

	for (int i = 0; (d = netdev_at(i)); i++)
		put_link(b, q, d);
}

static void dump_addrs(struct nlbuf *b, const struct rq *q)
{
	static const int fams[] = {LINUX_AF_INET, LINUX_AF_INET6};
	const struct netdev *d;

	for (size_t f = 0; f < 2; f++) {
		if (q->family && q->family != fams[f])
			continue;
		for (int i = 0; (d = netdev_at(i)); i++)
			for (int k = 0; k < d->naddrs; k++)
				if (d->addrs[k].family == fams[f])
					put_addr(b, q, d, &d->addrs[k]);
	}
}

static void dump_routes(struct nlbuf *b, const struct rq *q)
{
	static const int fams[] = {LINUX_AF_INET, LINUX_AF_INET6};
	const struct netdev *d;

	for (size_t f = 0; f < 2; f++) {
		if (q->family && q->family != fams[f])
			continue;
		for (int local = 0; local < 2; local++)
			for (int i = 0; (d = netdev_at(i)); i++)
				for (int k = 0; k < d->naddrs; k++)
					if (d->addrs[k].family == fams[f])
						addr_routes(b, q, d,
							    &d->addrs[k],
							    local);
	}
}

/* An attribute of a request: its payload and length, or NULL. */
static const void *find_attr(const char *p, size_t len, uint16_t type,
			     size_t *alen)
{
	while (len >= sizeof(struct linux_rtattr)) {
		struct linux_rtattr a;

		memcpy(&a, p, sizeof(a));
		if (a.rta_len < sizeof(a) || a.rta_len > len)
			return NULL;
		if (a.rta_type == type) {
			*alen = a.rta_len - sizeof(a);
			return p + sizeof(a);
		}
		if (LINUX_RTA_ALIGN(a.rta_len) >= len)
			break;
		p += LINUX_RTA_ALIGN(a.rta_len);
		len -= LINUX_RTA_ALIGN(a.rta_len);
	}
	return NULL;
}

/* RTM_GETLINK of one interface, by index or IFLA_IFNAME (rtnl_getlink). */
static int get_link(struct nlbuf *b, const struct rq *q, const char *p,
		    size_t len)
{
	struct linux_ifinfomsg ifi;
	const struct netdev *d = NULL;
	const char *name;
	size_t nlen;

	if (len < sizeof(ifi))
		return -EINVAL;
	memcpy(&ifi, p, sizeof(ifi));
	if (ifi.ifi_index > 0) {
		d = netdev_by_index(ifi.ifi_index);
	} else {
		char n[LINUX_IFNAMSIZ] = {0};

		name = find_attr(p + sizeof(ifi), len - sizeof(ifi),
				 LINUX_IFLA_IFNAME, &nlen);
		if (!name)
			return -EINVAL;
		memcpy(n, name, nlen < sizeof(n) - 1 ? nlen : sizeof(n) - 1);
		d = netdev_by_name(n);
	}
	if (!d)
		return -ENODEV;
	put_link(b, q, d);
	return 0;
}

/* `ip route get`: lo's addresses route to lo; nothing else is reachable
 * (--network=none only: the host's routes are not the Sentry's to tell). */
static int get_route(struct nlbuf *b, const struct rq *q, const char *p,
		     size_t len)
{
	struct linux_rtmsg rtm;
	struct route r = {.oif = 1,
			  .table = LINUX_RT_TABLE_MAIN,
			  .type = LINUX_RTN_LOCAL,
			  .scope = LINUX_RT_SCOPE_UNIVERSE,
			  .uid = true};
	static const uint8_t src4[4] = {127, 0, 0, 1}, src6[16] = {[15] = 1};
	struct inet_ep ep = {0};
	const uint8_t *dst;
	size_t dlen;

	if (inet_mode() != NET_MODE_NONE)
		return -EOPNOTSUPP;
	if (len < sizeof(rtm))
		return -EINVAL;
	memcpy(&rtm, p, sizeof(rtm));
	dst = find_attr(p + sizeof(rtm), len - sizeof(rtm), LINUX_RTA_DST,
			&dlen);
	r.family = rtm.rtm_family;
	if (!dst || (dlen != 4 && dlen != 16))
		return -EINVAL;
	if (dlen == 4) {
		memcpy(ep.addr, inet_v4mapped_prefix, 12);
		memcpy(ep.addr + 12, dst, 4);
	} else {
		memcpy(ep.addr, dst, 16);
	}
	if (!inet_is_loopback(&ep))
		return -ENETUNREACH;
	memcpy(r.dst, dst, dlen);
	r.dst_len = (uint8_t)(dlen * 8);
	r.prefsrc = dlen == 4 ? src4 : src6;
	r.metric = dlen == 16;
	if (r.metric) /* IPv6 answers with the local table's route */
		r.table = LINUX_RT_TABLE_LOCAL;
	put_route(b, q, &r, r.metric ? 0 : RTM_F_CLONED | RTCF_LOCAL);
	return 0;
}

int rtnl_request(const struct linux_nlmsghdr *nlh, size_t len, uint32_t portid,
		 struct nlbuf *out)
{
	const char *p = (const char *)nlh + LINUX_NLMSG_HDRLEN;
	size_t plen = len - LINUX_NLMSG_HDRLEN;
	bool dump = (nlh->nlmsg_flags & LINUX_NLM_F_DUMP) == LINUX_NLM_F_DUMP;
	struct rq q = {.seq = nlh->nlmsg_seq, .portid = portid};
	int type = nlh->nlmsg_type;
	int err = 0;

	if (type < LINUX_RTM_BASE || type > LINUX_RTM_MAX)
		return -EOPNOTSUPP;
	if (((type - LINUX_RTM_BASE) & 3) != 2)
		return -EPERM; /* the sandbox's network is not its to change */
	if (plen >= 1 && ((const uint8_t *)p)[0] != LINUX_AF_UNSPEC) {
		/* rtnetlink_rcv_msg: a family without a handler of its own
		 * (glibc asks with AF_PACKET) dumps them all. */
		q.family = ((const uint8_t *)p)[0];
		if (q.family != LINUX_AF_INET && q.family != LINUX_AF_INET6)
			q.family = 0;
	}
	if (dump) {
		q.flags = LINUX_NLM_F_MULTI;
		if (type == LINUX_RTM_GETLINK)
			dump_links(out, &q);
		else if (type == LINUX_RTM_GETADDR)
			dump_addrs(out, &q);
		else if (type == LINUX_RTM_GETROUTE)
			dump_routes(out, &q);
		{
			int32_t done = 0;
			size_t m = nlbuf_begin(out, LINUX_NLMSG_DONE,
					       LINUX_NLM_F_MULTI, q.seq,
					       q.portid, &done, sizeof(done));

			nlbuf_end(out, m);
		}
	} else if (type == LINUX_RTM_GETLINK) {
		err = get_link(out, &q, p, plen);
	} else if (type == LINUX_RTM_GETROUTE) {
		err = get_route(out, &q, p, plen);
	} else {
		err = -EOPNOTSUPP;
	}
	return err ? err : out->err;
}
