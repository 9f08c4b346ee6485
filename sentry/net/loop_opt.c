/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loop_opt.c: the loopback stack's socket options at the IP, IPv6, TCP,
 * UDP and UDP-Lite levels, and the IP control messages of UDP sends and
 * receives. spec/netopts.yaml says what each option does: `store`
 * options are kept and reported back by the generic code here, with
 * Linux's length rules per level; `special` ones are the cases below.
 */
#include <errno.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/netopts.h"
#include "sentry/kernel/task.h"
#include "sentry/net/loop.h"
#include "sentry/net/netopt.h"
#include "sentry/net/scm.h"
#include "sentry/net/socket.h"

#define TCP_MSS_DEFAULT 536
#define TCP_MIN_MSS 88
#define MAX_TCP_WINDOW 32767
#define IPV6_MIN_MTU 1280
#define DEFAULT_TTL 64
#define SO_TIMESTAMPING_OLD 37
#define SCM_TXTIME 61
#define UDPLITE_MIN_CSCOV 8 /* the header: less covers nothing */

/* Which levels a socket answers (ip_setsockopt, ipv6_setsockopt,
 * tcp_setsockopt, udp_setsockopt). UDP and UDP-Lite sockets both answer
 * SOL_UDP and SOL_UDPLITE, as udp_setsockopt takes either for either
 * (netopt_find gives the one table of both). */
static bool level_ok(const struct socket *s, int level)
{
	switch (level) {
	case LINUX_SOL_IP:
		return true;
	case LINUX_SOL_IPV6:
		return s->family == LINUX_AF_INET6;
	case LINUX_SOL_TCP:
		return loop_sk(s)->proto == LOOP_TCP;
	case LINUX_SOL_UDP:
	case LINUX_SOL_UDPLITE:
		return loop_sk(s)->proto != LOOP_TCP;
	default:
		return false;
	}
}

/* Write an int option back: IP's getsockopt gives a byte to a caller
 * asking for less than an int when the value fits; the others cut it. */
static int put_int(struct task *t, int level, uint64_t optval, uint64_t optlen,
		   int32_t len, int32_t val)
{
	if (level == LINUX_SOL_IP && len > 0 && len < 4 && val >= 0 &&
	    val <= 255) {
		uint8_t c = (uint8_t)val;

		len = 1;
		if (task_copy_out(t, optlen, &len, sizeof(len)) ||
		    task_copy_out(t, optval, &c, 1))
			return -EFAULT;
		return 0;
	}
	if (len > 4)
		len = 4;
	if (task_copy_out(t, optlen, &len, sizeof(len)) ||
	    (len && task_copy_out(t, optval, &val, (size_t)len)))
		return -EFAULT;
	return 0;
}

/* Copy a struct option out: at most its size (and len). */
static int put_bytes(struct task *t, uint64_t optval, uint64_t optlen,
		     int32_t len, const void *v, int32_t size)
{
	if (len > size)
		len = size;
	if (task_copy_out(t, optlen, &len, sizeof(len)) ||
	    (len && task_copy_out(t, optval, v, (size_t)len)))
		return -EFAULT;
	return 0;
}

/* An int option's value from the guest: IP takes a lone byte too. */
static int get_int(struct task *t, int level, uint64_t optval, int optlen,
		   int32_t *val)
{
	*val = 0;
	if (optlen >= 4)
		return task_copy_in(t, optval, val, 4) ? -EFAULT : 0;
	if (level == LINUX_SOL_IP && optlen >= 1) {
		uint8_t c;

		if (task_copy_in(t, optval, &c, 1))
			return -EFAULT;
		*val = c;
		return 0;
	}
	return level == LINUX_SOL_IP ? 0 : -EINVAL;
}

/* TCP_INFO of a loopback connection: its state, lo's MSS, the RTT of a
 * link inside one machine, the bytes it carried. */
static void tcp_info(struct socket *s, struct linux_tcp_info *ti)
{
	struct loop_sock *ls = loop_sk(s);
	bool est = ls->connected && !ls->peer_reset;
	uint32_t mss = est ? LOOP_TCP_MSS : TCP_MSS_DEFAULT;

	memset(ti, 0, sizeof(*ti));
	ti->state = (uint8_t)loop_tcp_state(s);
	if (est) {
		ti->options = 0x7; /* timestamps, SACK, window scaling */
		ti->wscale = 0x77;
	}
	if (ls->user_mss && ls->user_mss < (int32_t)mss)
		mss = (uint32_t)ls->user_mss;
	ti->rto = 200000;
	ti->ato = est ? 40000 : 0;
	ti->snd_mss = mss;
	ti->rcv_mss = est ? mss : TCP_MSS_DEFAULT;
	ti->pmtu = est ? LOOP_MTU : 0;
	ti->rcv_ssthresh = est ? 65483 * 10 : 0;
	ti->rtt = est ? 50 : 0;
	ti->rttvar = est ? 25 : 250000;
	ti->snd_ssthresh = 0x7fffffff;
	ti->snd_cwnd = 10;
	ti->advmss = LOOP_TCP_MSS;
	ti->reordering = 3;
	ti->rcv_space = est ? 65483 * 10 : 0;
	ti->bytes_acked = est ? ls->bytes_sent + 1 : 0;
	ti->bytes_received = ls->bytes_rcvd;
	ti->bytes_sent = ls->bytes_sent;
	ti->segs_out = (uint32_t)(ls->bytes_sent / mss) + (est ? 2 : 0);
	ti->segs_in = (uint32_t)(ls->bytes_rcvd / mss) + (est ? 2 : 0);
	ti->data_segs_out = (uint32_t)((ls->bytes_sent + mss - 1) / mss);
	ti->data_segs_in = (uint32_t)((ls->bytes_rcvd + mss - 1) / mss);
	ti->min_rtt = est ? 10 : 0;
	ti->delivered = ti->data_segs_out + (est ? 1 : 0);
	ti->snd_wnd = est ? 65483 * 10 : 0;
}

/* The special options' getsockopt; -ENOPROTOOPT where the option has
 * nothing to report. */
static int get_special(struct socket *s, struct task *t, int level, int name,
		       uint64_t optval, uint64_t optlen, int32_t len)
{
	struct loop_sock *ls = loop_sk(s);
	int32_t v;

	switch (level << 16 | name) {
	case LINUX_SOL_IP << 16 | LINUX_IP_TTL:
		v = ls->ttl < 0 ? DEFAULT_TTL : ls->ttl;
		break;
	case LINUX_SOL_IP << 16 | LINUX_IP_MTU:
	case LINUX_SOL_IPV6 << 16 | LINUX_IPV6_MTU:
		if (!ls->connected)
			return -ENOTCONN;
		/* lo's MTU, less than IPv4's IP_MAX_MTU allows */
		v = level == LINUX_SOL_IP ? 65535 : LOOP_MTU;
		break;
	case LINUX_SOL_IP << 16 | LINUX_IP_MULTICAST_IF:
		return put_bytes(t, optval, optlen, len, &ls->mcast_if, 4);
	case LINUX_SOL_IPV6 << 16 | LINUX_IPV6_UNICAST_HOPS:
		v = ls->hops < 0 ? DEFAULT_TTL : ls->hops;
		break;
	case LINUX_SOL_IPV6 << 16 | LINUX_IPV6_MULTICAST_IF:
		v = ls->mcast_if6;
		break;
	case LINUX_SOL_IPV6 << 16 | LINUX_IPV6_MULTICAST_HOPS:
		v = ls->mcast_hops < 0 ? 1 : ls->mcast_hops;
		break;
	case LINUX_SOL_IPV6 << 16 | LINUX_IPV6_V6ONLY:
		v = ls->v6only;
		break;
	case LINUX_SOL_IPV6 << 16 | LINUX_IPV6_TCLASS:
		v = ls->tclass;
		break;
	case LINUX_SOL_TCP << 16 | LINUX_TCP_MAXSEG:
		v = ls->connected && !ls->peer_reset ? LOOP_TCP_MSS
						     : TCP_MSS_DEFAULT;
		if (ls->user_mss && (!ls->connected || ls->user_mss < v))
			v = ls->user_mss;
		break;
	case LINUX_SOL_TCP << 16 | LINUX_TCP_INFO: {
		struct linux_tcp_info ti;

		tcp_info(s, &ti);
		return put_bytes(t, optval, optlen, len, &ti, sizeof(ti));
	}
	case LINUX_SOL_UDPLITE << 16 | LINUX_UDPLITE_SEND_CSCOV:
		v = ls->pcslen; /* a UDP socket's are 0: full coverage */
		break;
	case LINUX_SOL_UDPLITE << 16 | LINUX_UDPLITE_RECV_CSCOV:
		v = ls->pcrlen;
		break;
	case LINUX_SOL_TCP << 16 | LINUX_TCP_CONGESTION: {
		char name16[16] = {0};

		memcpy(name16, ls->congestion, sizeof(name16));
		return put_bytes(t, optval, optlen, len, name16,
				 sizeof(name16));
	}
	default:
		return -ENOPROTOOPT;
	}
	return put_int(t, level, optval, optlen, len, v);
}

int loop_getsockopt(struct socket *s, struct task *t, int level, int name,
		    uint64_t optval, uint64_t optlen)
{
	const struct netopt *o = netopt_find(level, name);
	int32_t len;

	/* A level the socket does not answer ends in ip_getsockopt, which
	 * says EOPNOTSUPP (ipv6_getsockopt: ENOPROTOOPT), before the length
	 * is read. */
	if (!level_ok(s, level))
		return s->family == LINUX_AF_INET ? -EOPNOTSUPP : -ENOPROTOOPT;
	if (task_copy_in(t, optlen, &len, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (!o)
		return -ENOPROTOOPT;
	/* From here the option's own level: a shared level's option (a
	 * SOL_UDP one asked for at SOL_UDPLITE) is the same option. */
	level = o->level;
	if (o->sentry == NETOPT_STORE)
		return put_int(t, level, optval, optlen, len,
			       loop_sk(s)->opts[netopt_slot(o)]);
	if (o->sentry == NETOPT_SPECIAL)
		return get_special(s, t, level, name, optval, optlen, len);
	return -ENOPROTOOPT;
}

/* ip_mreqn, ip_mreq or a lone in_addr (IP_MULTICAST_IF and the
 * membership options): the interface asked for, by index or address. */
static int get_mreq(struct task *t, uint64_t optval, int optlen, bool group,
		    uint32_t *maddr, uint32_t *ifaddr, int32_t *ifindex)
{
	uint32_t m[3] = {0, 0, 0};

	if (optlen >= 12)
		optlen = 12;
	else if (optlen >= 8)
		optlen = 8;
	else if (optlen >= 4 && !group)
		optlen = 4;
	else
		return -EINVAL;
	if (task_copy_in(t, optval, m, (size_t)optlen))
		return -EFAULT;
	if (optlen == 4) {
		*maddr = 0;
		*ifaddr = m[0];
	} else {
		*maddr = m[0];
		*ifaddr = m[1];
	}
	*ifindex = optlen == 12 ? (int32_t)m[2] : 0;
	return 0;
}

/* Is a network-order IPv4 address one of lo's (127/8)? */
static bool lo_addr(uint32_t a)
{
	return ((const uint8_t *)&a)[0] == 127;
}

/* Multicast options: lo is the one interface; a group is joined on it by
 * name, and there is no route to any group otherwise. */
static int set_mcast(struct socket *s, struct task *t, int name,
		     uint64_t optval, int optlen)
{
	uint32_t maddr, ifaddr;
	int32_t ifindex;
	int err = get_mreq(t, optval, optlen, name != LINUX_IP_MULTICAST_IF,
			   &maddr, &ifaddr, &ifindex);

	if (err)
		return err;
	if (ifindex && ifindex != 1)
		return -ENODEV;
	if (ifaddr && !lo_addr(ifaddr))
		return -EADDRNOTAVAIL;
	if (name == LINUX_IP_MULTICAST_IF) {
		loop_sk(s)->mcast_if = ifaddr;
		return 0;
	}
	if ((((const uint8_t *)&maddr)[0] & 0xf0) != 0xe0)
		return -EINVAL;
	if (!ifaddr && !ifindex)
		return name == LINUX_IP_ADD_MEMBERSHIP ? -ENODEV
						       : -EADDRNOTAVAIL;
	return 0;
}

/* IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP: struct ipv6_mreq. */
static int set_mcast6(struct task *t, int name, uint64_t optval, int optlen)
{
	struct {
		uint8_t addr[16];
		int32_t ifindex;
	} mr;

	if (optlen < (int)sizeof(mr))
		return -EINVAL;
	if (task_copy_in(t, optval, &mr, sizeof(mr)))
		return -EFAULT;
	if (mr.addr[0] != 0xff)
		return -EINVAL;
	if (mr.ifindex == 1)
		return 0;
	return name == LINUX_IPV6_JOIN_GROUP ? -ENODEV : -EADDRNOTAVAIL;
}

/* UDPLITE_SEND_CSCOV, UDPLITE_RECV_CSCOV (udp_lib_setsockopt): UDP
 * sockets refuse them; a coverage inside the 8-byte header means the
 * header, and one past 65535 (all a UDP length field holds) 65535. */
static int set_cscov(struct loop_sock *ls, int name, int32_t v)
{
	if (ls->proto != LOOP_UDPLITE)
		return -ENOPROTOOPT;
	if (v != 0 && v < UDPLITE_MIN_CSCOV)
		v = UDPLITE_MIN_CSCOV;
	else if (v > UINT16_MAX)
		v = UINT16_MAX;
	if (name == LINUX_UDPLITE_SEND_CSCOV) {
		ls->pcslen = (uint16_t)v;
		ls->send_cc = true;
	} else {
		ls->pcrlen = (uint16_t)v;
		ls->recv_cc = true;
	}
	return 0;
}

/* -1 for the default, else within [lo, hi] (hop limits, classes). */
static int hop_value(int32_t v, int32_t hi, int32_t *out)
{
	if (v < -1 || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

static int set_special(struct socket *s, struct task *t, int level, int name,
		       uint64_t optval, int optlen)
{
	struct loop_sock *ls = loop_sk(s);
	int32_t v;
	int err;

	switch (level << 16 | name) {
	case LINUX_SOL_IP << 16 | LINUX_IP_MULTICAST_IF:
	case LINUX_SOL_IP << 16 | LINUX_IP_ADD_MEMBERSHIP:
	case LINUX_SOL_IP << 16 | LINUX_IP_DROP_MEMBERSHIP:
		return set_mcast(s, t, name, optval, optlen);
	case LINUX_SOL_IPV6 << 16 | LINUX_IPV6_JOIN_GROUP:
	case LINUX_SOL_IPV6 << 16 | LINUX_IPV6_LEAVE_GROUP:
		return set_mcast6(t, name, optval, optlen);
	case LINUX_SOL_TCP << 16 | LINUX_TCP_CONGESTION: {
		char name16[16] = {0};

		if (optlen < 1)
			return -EINVAL;
		if (task_copy_in(t, optval, name16,
				 optlen > 15 ? 15 : (size_t)optlen))
			return -EFAULT;
		if (strcmp(name16, "cubic") && strcmp(name16, "reno"))
			return -ENOENT;
		memcpy(ls->congestion, name16, sizeof(name16));
		return 0;
	}
	}
	err = get_int(t, level, optval, optlen, &v);
	if (err)
		return err;
	switch (level << 16 | name) {
	case LINUX_SOL_IP << 16 | LINUX_IP_TTL:
		if (v != -1 && (v < 1 || v > 255))
			return -EINVAL;
		ls->ttl = v;
		return 0;
	case LINUX_SOL_IPV6 << 16 | LINUX_IPV6_UNICAST_HOPS:
		return hop_value(v, 255, &ls->hops);
	case LINUX_SOL_IPV6 << 16 | LINUX_IPV6_MULTICAST_HOPS:
		return hop_value(v, 255, &ls->mcast_hops);
	case LINUX_SOL_IPV6 << 16 | LINUX_IPV6_TCLASS:
		err = hop_value(v, 255, &ls->tclass);
		if (!err && ls->tclass < 0)
			ls->tclass = 0;
		return err;
	case LINUX_SOL_IPV6 << 16 | LINUX_IPV6_MULTICAST_IF:
		if (v && v != 1)
			return -ENODEV;
		ls->mcast_if6 = v;
		return 0;
	case LINUX_SOL_IPV6 << 16 | LINUX_IPV6_MTU:
		return v && v < IPV6_MIN_MTU ? -EINVAL : 0;
	case LINUX_SOL_IPV6 << 16 | LINUX_IPV6_V6ONLY:
		if (ls->hashed)
			return -EINVAL;
		ls->v6only = v != 0;
		return 0;
	case LINUX_SOL_TCP << 16 | LINUX_TCP_MAXSEG:
		if (v && (v < TCP_MIN_MSS || v > MAX_TCP_WINDOW))
			return -EINVAL;
		ls->user_mss = v;
		return 0;
	case LINUX_SOL_UDPLITE << 16 | LINUX_UDPLITE_SEND_CSCOV:
	case LINUX_SOL_UDPLITE << 16 | LINUX_UDPLITE_RECV_CSCOV:
		return set_cscov(ls, name, v);
	default:
		/* IP_HDRINCL (no raw sockets), IP_MTU (read-only)... */
		return -ENOPROTOOPT;
	}
}

int loop_setsockopt(struct socket *s, struct task *t, int level, int name,
		    uint64_t optval, int optlen)
{
	const struct netopt *o = netopt_find(level, name);
	int32_t v;
	int err;

	if (!level_ok(s, level) || !o)
		return -ENOPROTOOPT;
	level = o->level; /* as in loop_getsockopt */
	if (o->sentry == NETOPT_SPECIAL)
		return set_special(s, t, level, name, optval, optlen);
	if (o->sentry != NETOPT_STORE)
		return -ENOPROTOOPT;
	err = get_int(t, level, optval, optlen, &v);
	if (err)
		return err;
	if (o->type == NETOPT_BOOL)
		v = v != 0;
	else if (v < o->min || v > o->max)
		return -EINVAL;
	loop_sk(s)->opts[netopt_slot(o)] = v;
	return 0;
}

/* One control message of a UDP send over IPv4 (ip_cmsg_send). */
static int cmsg_ip(const struct linux_cmsghdr *h, const void *data,
		   uint64_t dlen, struct loop_cmsg_info *ci)
{
	int32_t v = 0;

	switch (h->type) {
	case LINUX_IP_PKTINFO: {
		struct linux_in_pktinfo pi;

		if (dlen != sizeof(pi))
			return -EINVAL;
		memcpy(&pi, data, sizeof(pi));
		if (pi.spec_dst) {
			if (!lo_addr(pi.spec_dst))
				return -EINVAL;
			memcpy(ci->src.addr, inet_v4mapped_prefix, 12);
			memcpy(ci->src.addr + 12, &pi.spec_dst, 4);
			ci->has_src = true;
		}
		return 0;
	}
	case LINUX_IP_TTL:
		if (dlen != 4)
			return -EINVAL;
		memcpy(&v, data, 4);
		if (v < 1 || v > 255)
			return -EINVAL;
		ci->ttl = v;
		return 0;
	case LINUX_IP_TOS:
		if (dlen == 4)
			memcpy(&v, data, 4);
		else if (dlen == 1)
			v = *(const uint8_t *)data;
		else
			return -EINVAL;
		if (v < 0 || v > 255)
			return -EINVAL;
		ci->tos = v;
		return 0;
	default:
		return -EINVAL;
	}
}

/* One control message of a UDP send over IPv6 (ip6_datagram_send_ctl). */
static int cmsg_ip6(const struct linux_cmsghdr *h, const void *data,
		    uint64_t dlen, struct loop_cmsg_info *ci)
{
	static const uint8_t zero[16];
	int32_t v;

	switch (h->type) {
	case LINUX_IPV6_PKTINFO: {
		struct linux_in6_pktinfo pi;
		struct inet_ep ep = {0};

		if (dlen < sizeof(pi))
			return -EINVAL;
		memcpy(&pi, data, sizeof(pi));
		if (pi.ifindex && pi.ifindex != 1)
			return -ENODEV;
		if (memcmp(pi.addr, zero, 16)) {
			memcpy(ep.addr, pi.addr, 16);
			if (!inet_is_loopback(&ep))
				return -EINVAL;
			ci->src = ep;
			ci->has_src = true;
		}
		return 0;
	}
	case LINUX_IPV6_HOPLIMIT:
	case LINUX_IPV6_TCLASS:
	case LINUX_IPV6_DONTFRAG:
		if (dlen != 4)
			return -EINVAL;
		memcpy(&v, data, 4);
		if (h->type == LINUX_IPV6_DONTFRAG)
			return 0;
		if (v < -1 || v > 255)
			return -EINVAL;
		if (h->type == LINUX_IPV6_HOPLIMIT)
			ci->ttl = v;
		else
			ci->tos = v < 0 ? 0 : v;
		return 0;
	default:
		return -EINVAL;
	}
}

int loop_cmsg_send(struct socket *s, const void *ctl, uint64_t len,
		   struct loop_cmsg_info *ci)
{
	const char *base = ctl;
	uint64_t off = 0;

	memset(ci, 0, sizeof(*ci));
	ci->ttl = ci->tos = -1;
	while (len >= LINUX_CMSG_HDRLEN && off <= len - LINUX_CMSG_HDRLEN) {
		struct linux_cmsghdr h;
		const char *data = base + off + LINUX_CMSG_HDRLEN;
		int err = 0;

		memcpy(&h, base + off, sizeof(h));
		if (h.len < LINUX_CMSG_HDRLEN || h.len > len - off)
			return -EINVAL;
		if (h.level == LINUX_SOL_SOCKET) {
			/* __sock_cmsg_send: transmit options, and AF_UNIX's
			 * two ignored. */
			if (h.type != LINUX_SO_MARK &&
			    h.type != LINUX_SO_PRIORITY &&
			    h.type != SO_TIMESTAMPING_OLD &&
			    h.type != SCM_TXTIME &&
			    h.type != LINUX_SCM_RIGHTS &&
			    h.type != LINUX_SCM_CREDENTIALS)
				return -EINVAL;
		} else if (s->type != LINUX_SOCK_DGRAM) {
			/* TCP ignores the other levels. */
		} else if (s->family == LINUX_AF_INET &&
			   h.level == LINUX_SOL_IP) {
			err = cmsg_ip(&h, data, h.len - LINUX_CMSG_HDRLEN, ci);
		} else if (s->family == LINUX_AF_INET6 &&
			   h.level == LINUX_SOL_IPV6) {
			err = cmsg_ip6(&h, data, h.len - LINUX_CMSG_HDRLEN, ci);
		}
		if (err)
			return err;
		off += LINUX_CMSG_ALIGN(h.len);
	}
	return 0;
}

/* The receive timestamp (sock_recv_timestamp): SCM_TIMESTAMP as a
 * timeval, SCM_TIMESTAMPNS as a timespec. */
static void put_tstamp(struct socket *s, struct sock_msg *msg, int64_t ns)
{
	int64_t tv[2] = {ns / 1000000000ll, ns % 1000000000ll};

	if (s->flags & SOCKF_TIMESTAMP) {
		tv[1] /= 1000;
		scm_put_cmsg(msg, LINUX_SOL_SOCKET, LINUX_SO_TIMESTAMP_OLD, tv,
			     sizeof(tv));
	} else if (s->flags & SOCKF_TIMESTAMPNS) {
		scm_put_cmsg(msg, LINUX_SOL_SOCKET, LINUX_SO_TIMESTAMPNS_OLD,
			     tv, sizeof(tv));
	}
}

/* ip_cmsg_recv_offset's messages of an IPv4 datagram, in its order. */
static void put_ip_cmsgs(struct socket *s, struct sock_msg *msg,
			 const struct loop_cb *cb)
{
	if (loop_opt(s, LINUX_SOL_IP, LINUX_IP_PKTINFO)) {
		struct linux_in_pktinfo pi = {.ifindex = 1};

		memcpy(&pi.spec_dst, cb->dst.addr + 12, 4);
		memcpy(&pi.addr, cb->dst.addr + 12, 4);
		scm_put_cmsg(msg, LINUX_SOL_IP, LINUX_IP_PKTINFO, &pi,
			     sizeof(pi));
	}
	if (loop_opt(s, LINUX_SOL_IP, LINUX_IP_RECVTTL)) {
		int32_t v = cb->ttl;

		scm_put_cmsg(msg, LINUX_SOL_IP, LINUX_IP_TTL, &v, sizeof(v));
	}
	if (loop_opt(s, LINUX_SOL_IP, LINUX_IP_RECVTOS))
		scm_put_cmsg(msg, LINUX_SOL_IP, LINUX_IP_TOS, &cb->tos, 1);
	if (loop_opt(s, LINUX_SOL_IP, LINUX_IP_RECVORIGDSTADDR)) {
		struct linux_sockaddr_storage a;
		int n = inet_addr_out(LINUX_AF_INET, &cb->dst, &a);

		scm_put_cmsg(msg, LINUX_SOL_IP, LINUX_IP_ORIGDSTADDR, &a,
			     (uint32_t)n);
	}
}

/* ip6_datagram_recv_specific's, for IPv6 and (mapped) IPv4 datagrams. */
static void put_ip6_cmsgs(struct socket *s, struct sock_msg *msg,
			  const struct loop_cb *cb)
{
	if (loop_opt(s, LINUX_SOL_IPV6, LINUX_IPV6_RECVPKTINFO)) {
		struct linux_in6_pktinfo pi = {.ifindex = 1};

		memcpy(pi.addr, cb->dst.addr, 16);
		scm_put_cmsg(msg, LINUX_SOL_IPV6, LINUX_IPV6_PKTINFO, &pi,
			     sizeof(pi));
	}
	if (loop_opt(s, LINUX_SOL_IPV6, LINUX_IPV6_RECVHOPLIMIT)) {
		int32_t v = cb->ttl;

		scm_put_cmsg(msg, LINUX_SOL_IPV6, LINUX_IPV6_HOPLIMIT, &v,
			     sizeof(v));
	}
	if (loop_opt(s, LINUX_SOL_IPV6, LINUX_IPV6_RECVTCLASS)) {
		int32_t v = cb->tos;

		scm_put_cmsg(msg, LINUX_SOL_IPV6, LINUX_IPV6_TCLASS, &v,
			     sizeof(v));
	}
	if (loop_opt(s, LINUX_SOL_IPV6, LINUX_IPV6_RECVORIGDSTADDR)) {
		struct linux_sockaddr_storage a;
		int n = inet_addr_out(LINUX_AF_INET6, &cb->dst, &a);

		scm_put_cmsg(msg, LINUX_SOL_IPV6, LINUX_IPV6_ORIGDSTADDR, &a,
			     (uint32_t)n);
	}
}

void loop_put_ip_cmsgs(struct socket *s, struct sock_msg *msg,
		       const struct loop_cb *cb)
{
	if (!msg->control || !msg->t)
		return;
	put_tstamp(s, msg, cb->tstamp_ns);
	if (inet_is_v4(&cb->dst))
		put_ip_cmsgs(s, msg, cb);
	if (s->family == LINUX_AF_INET6)
		put_ip6_cmsgs(s, msg, cb);
}
