/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inet.h: AF_INET and AF_INET6 in the Sentry, whatever serves them.
 *
 * The two families are one socket_family each (inet.c) whose create
 * hands the socket to the network stack `runsc --network` chose, a
 * `struct inet_stack`:
 *
 *   none  the loopback stack (loop*.c): sockets of the sandbox talk to
 *         each other over 127.0.0.0/8 and ::1, entirely in the Sentry;
 *         every other address is unreachable
 *   host  host sockets the Sentry owns (hostinet*.c)
 *
 * A full user-space TCP/IP stack ("sandbox") is one more inet_stack.
 * What the stacks share lives here: endpoints in one form for both
 * families (an IPv6 address, IPv4 ones mapped, and a port), the guest's
 * sockaddr_in/sockaddr_in6 parsed and written with Linux's checks, and
 * the address classes Linux routes by.
 */
#ifndef CVISOR_NET_INET_H
#define CVISOR_NET_INET_H

#include <stdbool.h>
#include <stdint.h>

#include "sentry/abi/inet.h"
#include "sentry/abi/socket.h"

struct socket;
struct task;

enum net_mode {
	NET_MODE_NONE, /* loopback only (the default) */
	NET_MODE_HOST, /* the host's network */
};

struct inet_stack {
	const char *name;
	/* A socket of family (AF_INET or AF_INET6), type (SOCK_* without
	 * flags) and protocol; the stack checks the protocol. */
	int (*create)(struct task *, int family, int type, int protocol,
		      struct socket **out);
};

extern const struct socket_family inet_family, inet6_family;
extern const struct inet_stack loop_stack, hostinet_stack;

/* Choose the stack (at boot, before the first socket). */
void inet_set_mode(enum net_mode);
enum net_mode inet_mode(void);

/* An address and port of either family: a.addr is IPv6, an IPv4 one
 * mapped (::ffff:a.b.c.d); port in host byte order. */
struct inet_ep {
	uint8_t addr[16];
	uint16_t port;
};

/* The first bytes of an IPv4-mapped IPv6 address. */
extern const uint8_t inet_v4mapped_prefix[12];

static inline bool inet_is_v4(const struct inet_ep *e)
{
	for (int i = 0; i < 12; i++)
		if (e->addr[i] != inet_v4mapped_prefix[i])
			return false;
	return true;
}

/* The IPv4 address of a mapped endpoint, in host byte order. */
uint32_t inet_v4(const struct inet_ep *);
void inet_set_v4(struct inet_ep *, uint32_t addr_host);
bool inet_is_any(const struct inet_ep *);      /* 0.0.0.0 or :: */
bool inet_is_loopback(const struct inet_ep *); /* 127/8 or ::1 */
bool inet_is_multicast(const struct inet_ep *);
/* 255.255.255.255, or lo's own broadcast 127.255.255.255. */
bool inet_is_broadcast(const struct inet_ep *);
bool inet_addr_equal(const struct inet_ep *, const struct inet_ep *);

/* What a guest address is for: Linux checks each a little differently. */
enum inet_addr_use { INET_ADDR_BIND, INET_ADDR_CONNECT, INET_ADDR_SEND };

/*
 * A guest address for a socket of `family` into ep: EINVAL if len is
 * short for the family, EAFNOSUPPORT for another family (AF_UNSPEC passes
 * for AF_INET as Linux lets it: with INADDR_ANY in bind, always in
 * sendto). Whether an AF_INET6 socket may use a mapped IPv4 address is
 * the caller's question (IPV6_V6ONLY).
 */
int inet_addr_in(int family, const struct linux_sockaddr_storage *, int len,
		 enum inet_addr_use, struct inet_ep *ep);
/* Write ep as the sockaddr a socket of `family` reports; the length. */
int inet_addr_out(int family, const struct inet_ep *,
		  struct linux_sockaddr_storage *);

#endif
