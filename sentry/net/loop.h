/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loop.h: the loopback stack of --network=none (struct inet_stack
 * loop_stack): AF_INET and AF_INET6 sockets of the sandbox reach each
 * other over 127.0.0.0/8 and ::1, entirely inside the Sentry. It is not a
 * TCP/IP stack: no packets, no headers, no retransmission. A TCP
 * connection is the AF_UNIX core's stream between two sockets (unix.h:
 * a connect makes the server side at once and queues it on the
 * listener), a UDP datagram is a message put straight into the receiving
 * socket's queue (dropped when its receive buffer is full, as Linux).
 *
 * What it models of Linux: the port tables with the rules for wildcard
 * and specific binds, SO_REUSEADDR, SO_REUSEPORT (connections and
 * datagrams spread over a group), IPv4-mapped IPv6 and IPV6_V6ONLY;
 * ephemeral ports from ip_local_port_range's default 32768-60999; TCP's
 * connect (EINPROGRESS when non-blocking), backlog, half-close, RST when
 * a socket closes with unread data or SO_LINGER 0 (the peer gets
 * ECONNRESET), a write to a closed peer (it goes, then EPIPE), urgent
 * data (MSG_OOB, SIOCATMARK, SIGURG: unix_oob.c), states for TCP_INFO
 * and /proc/net/tcp; UDP's connected sockets (ECONNREFUSED on
 * the call after a send to a port nobody holds, as the ICMP error does),
 * per-socket receive buffers, IP_PKTINFO and friends. UDP-Lite (RFC 3828,
 * IPPROTO_UDPLITE) is UDP with its own port table, so that it only talks
 * to UDP-Lite, and with the checksum coverage a sender sets and a
 * receiver demands (a datagram covered less than the receiver asks is
 * dropped, as udp_queue_rcv_one_skb does).
 *
 * What it does not: TIME_WAIT (a port is free again as soon as its
 * socket is closed), multicast and broadcast delivery, raw sockets. Every address that is not local is unreachable (ENETUNREACH),
 * and binding to one is EADDRNOTAVAIL.
 */
#ifndef CVISOR_NET_LOOP_H
#define CVISOR_NET_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "sentry/net/inet.h"
#include "sentry/net/unix.h"

struct netopt;

/* ip_local_port_range */
#define LOOP_EPHEMERAL_LOW 32768
#define LOOP_EPHEMERAL_HIGH 60999
/* lo's MTU, and TCP's MSS over it (MTU less the IP and TCP headers with
 * timestamps). */
#define LOOP_MTU 65536
#define LOOP_TCP_MSS 65483
/* TCP's default buffer sizes (tcp_wmem[1], tcp_rmem[1]) and what a
 * connected socket's send buffer grows to (tcp_wmem[2]): the stack
 * does not autotune, it starts there. */
#define LOOP_TCP_WMEM_DEFAULT 16384
#define LOOP_TCP_RMEM_DEFAULT 131072
#define LOOP_TCP_WMEM_MAX 4194304

/* The protocols, each with its own port table. */
enum loop_proto { LOOP_TCP, LOOP_UDP, LOOP_UDPLITE, LOOP_NPROTO };

struct loop_sock {
	struct unix_sock u; /* first: the AF_UNIX core (unix_sk works) */
	enum loop_proto proto;
	struct inet_ep local;  /* local.port 0: no port yet */
	struct inet_ep remote; /* connected: the peer */
	bool hashed;	       /* in the port table */
	bool connected;	       /* remote is set (TCP: was connected) */
	bool connecting;       /* a non-blocking connect not yet reported */
	bool v6only;	       /* IPV6_V6ONLY */
	bool user_addr;	       /* bind() chose the address (BINDADDR_LOCK) */
	bool user_port;	       /* bind() chose the port (BINDPORT_LOCK) */
	bool fin_rcvd;	       /* the peer shut down its writing side */
	bool peer_reset;       /* the peer sent RST */
	uint32_t uid;	       /* its creator's euid (SO_REUSEPORT groups) */
	uint64_t bytes_sent, bytes_rcvd;
	uint64_t drops; /* datagrams dropped: the receive buffer was full */
	int64_t created_ns;
	char congestion[16]; /* TCP_CONGESTION */
	int32_t user_mss;    /* TCP_MAXSEG set, or 0 */
	int32_t ttl;	     /* IP_TTL, -1: default */
	int32_t hops;	     /* IPV6_UNICAST_HOPS, -1: default */
	int32_t mcast_hops;  /* IPV6_MULTICAST_HOPS, -1: default */
	int32_t tclass;	     /* IPV6_TCLASS */
	uint32_t mcast_if;   /* IP_MULTICAST_IF (network order) */
	int32_t mcast_if6;   /* IPV6_MULTICAST_IF */
	/* UDP-Lite's UDPLITE_SEND_CSCOV and UDPLITE_RECV_CSCOV (0: the whole
	 * datagram), and whether each was ever set (UDPLITE_SEND_CC,
	 * UDPLITE_RECV_CC): a receiver that never set one takes any. */
	uint16_t pcslen, pcrlen;
	bool send_cc, recv_cc;
	LIST_ENTRY(loop_sock) port_link;
	int32_t opts[]; /* stored options (netopt_slot) */
};

static inline struct loop_sock *loop_sk(const struct socket *s)
{
	return s->priv;
}

/* The per-message data of a UDP datagram (unix_skb.cb). */
struct loop_cb {
	struct inet_ep src, dst;
	uint8_t ttl, tos;
	uint16_t cscov;	   /* UDP-Lite: bytes the checksum covers, 0: all */
	int64_t tstamp_ns; /* arrival, CLOCK_REALTIME */
};

/* loop.c */
/* A new socket of the stack, not yet in any table. */
struct socket *loop_sock_new(int family, int type, int protocol,
			     enum loop_proto proto, struct task *t);
/* The value of a stored option (netopt.h). */
int32_t loop_opt(const struct socket *, int level, int name);
/* Where an unbound socket talks from when it reaches dst: lo's address
 * of dst's family (127.0.0.1 or ::1, mapped for a v6 socket's v4). */
void loop_source(const struct socket *, const struct inet_ep *dst,
		 struct inet_ep *src);
/* The state TCP_INFO and /proc/net/tcp report. */
int loop_tcp_state(const struct socket *);

/* loop_port.c: the port tables */
/* bind(): checks, conflicts with the sockets on the port, an ephemeral
 * port for port 0; the socket enters the table. 0 or -errno. */
int loop_bind(struct socket *, struct task *, const struct inet_ep *);
/* The bind op: the guest's address, then loop_bind. */
int loop_bind_addr(struct socket *, struct task *,
		   struct linux_sockaddr_storage *, int len);
/* Where a connect or a send to dst comes from: an unbound socket gets an
 * ephemeral port and lo's address (*autobound), a wildcard-bound one
 * takes lo's address, as connect sets inet_rcv_saddr. */
int loop_pick_source(struct socket *, const struct inet_ep *dst,
		     bool *autobound);
/* Undo what a connect chose (a failed TCP connect, a UDP disconnect): the
 * address and port bind() did not set go back. */
void loop_unbind_auto(struct socket *);
/* An ephemeral port and lo's address as connect and sendto give an
 * unbound socket (`src`: the address to take, NULL: any). */
int loop_autobind(struct socket *, const struct inet_ep *src);
/* listen(): the port must be free of other listeners (EADDRINUSE). */
int loop_port_listen_check(struct socket *);
void loop_unhash(struct socket *);
/* Enter a socket bound to `local` (a connection's server side) into the
 * table, sharing its listener's port. */
void loop_hash_child(struct socket *child);
/* The socket that takes what is sent from src to dst: a listener for TCP
 * (listening only), the best-matching socket for UDP; NULL if none. */
struct socket *loop_lookup(enum loop_proto, const struct inet_ep *src,
			   const struct inet_ep *dst, bool listeners);
/* Call fn for every socket in a protocol's table (for /proc/net). */
void loop_for_each(enum loop_proto, void (*fn)(struct socket *, void *),
		   void *arg);
/* Is dst a destination the stack reaches (after ANY is turned into
 * loopback)? 0, -ENETUNREACH, or -EACCES (broadcast without SO_BROADCAST
 * for UDP). May rewrite dst (0.0.0.0 and :: mean the loopback). */
int loop_route(struct socket *, struct inet_ep *dst, bool udp);

/* loop_tcp.c */
extern const struct socket_ops loop_tcp_ops;
/* loop_udp.c: UDP and UDP-Lite */
extern const struct socket_ops loop_udp_ops;

/* loop_opt.c: IP, IPv6, TCP and UDP options */
int loop_getsockopt(struct socket *, struct task *, int level, int name,
		    uint64_t optval, uint64_t optlen);
int loop_setsockopt(struct socket *, struct task *, int level, int name,
		    uint64_t optval, int optlen);
/* What a send's control messages ask for (ip_cmsg_send,
 * ip6_datagram_send_ctl): -1 for what they leave alone. */
struct loop_cmsg_info {
	bool has_src; /* IP_PKTINFO / IPV6_PKTINFO named a source */
	struct inet_ep src;
	int ttl, tos;
};
/* Parse a send's control messages for socket s: EINVAL for a bad or
 * unknown one of its levels (SCM_RIGHTS and SCM_CREDENTIALS, AF_UNIX's,
 * are ignored as Linux does), EINVAL for a source that is not local. */
int loop_cmsg_send(struct socket *, const void *ctl, uint64_t len,
		   struct loop_cmsg_info *);
/* The receiver's IP control messages of a datagram (IP_PKTINFO...). */
void loop_put_ip_cmsgs(struct socket *, struct sock_msg *,
		       const struct loop_cb *);

/* Shared ops (loop.c) */
int loop_getsockname(struct socket *, struct linux_sockaddr_storage *);
int loop_getpeername(struct socket *, struct linux_sockaddr_storage *);
long loop_ioctl(struct socket *, struct task *, uint32_t cmd, uint64_t arg);

#endif
