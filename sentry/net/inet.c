/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inet.c: the AF_INET and AF_INET6 families (see inet.h): socket(2)
 * handed to the stack of the network mode, and the address helpers the
 * stacks share.
 */
#include <errno.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/net/inet.h"
#include "sentry/net/socket.h"

const uint8_t inet_v4mapped_prefix[12] = {0, 0, 0, 0, 0,    0,
					  0, 0, 0, 0, 0xff, 0xff};

static enum net_mode net_mode = NET_MODE_NONE;

void inet_set_mode(enum net_mode m)
{
	net_mode = m;
}

enum net_mode inet_mode(void)
{
	return net_mode;
}

static const struct inet_stack *stack(void)
{
	return net_mode == NET_MODE_HOST ? &hostinet_stack : &loop_stack;
}

/* inet_create/inet6_create: the stack checks type and protocol. */
static int inet_create(struct task *t, int type, int protocol,
		       struct socket **out)
{
	return stack()->create(t, LINUX_AF_INET, type, protocol, out);
}

static int inet6_create(struct task *t, int type, int protocol,
			struct socket **out)
{
	return stack()->create(t, LINUX_AF_INET6, type, protocol, out);
}

/* socketpair(2) of internet sockets is EOPNOTSUPP (no .socketpair). */
const struct socket_family inet_family = {
	.family = LINUX_AF_INET,
	.create = inet_create,
};

const struct socket_family inet6_family = {
	.family = LINUX_AF_INET6,
	.create = inet6_create,
};

uint32_t inet_v4(const struct inet_ep *e)
{
	return (uint32_t)e->addr[12] << 24 | (uint32_t)e->addr[13] << 16 |
	       (uint32_t)e->addr[14] << 8 | e->addr[15];
}

void inet_set_v4(struct inet_ep *e, uint32_t a)
{
	memcpy(e->addr, inet_v4mapped_prefix, 12);
	e->addr[12] = (uint8_t)(a >> 24);
	e->addr[13] = (uint8_t)(a >> 16);
	e->addr[14] = (uint8_t)(a >> 8);
	e->addr[15] = (uint8_t)a;
}

bool inet_is_any(const struct inet_ep *e)
{
	static const uint8_t zero[16];

	if (inet_is_v4(e))
		return inet_v4(e) == 0;
	return memcmp(e->addr, zero, 16) == 0;
}

bool inet_is_loopback(const struct inet_ep *e)
{
	static const uint8_t one[16] = {[15] = 1};

	if (inet_is_v4(e))
		return (inet_v4(e) >> 24) == 127;
	return memcmp(e->addr, one, 16) == 0;
}

bool inet_is_multicast(const struct inet_ep *e)
{
	if (inet_is_v4(e))
		return (inet_v4(e) >> 28) == 0xe;
	return e->addr[0] == 0xff;
}

bool inet_is_broadcast(const struct inet_ep *e)
{
	return inet_is_v4(e) &&
	       (inet_v4(e) == 0xffffffffu || inet_v4(e) == 0x7fffffffu);
}

bool inet_addr_equal(const struct inet_ep *a, const struct inet_ep *b)
{
	return memcmp(a->addr, b->addr, 16) == 0;
}

static uint16_t be16(uint16_t v)
{
	return (uint16_t)(v >> 8 | v << 8);
}

int inet_addr_in(int family, const struct linux_sockaddr_storage *a, int len,
		 enum inet_addr_use use, struct inet_ep *ep)
{
	memset(ep, 0, sizeof(*ep));
	if (family == LINUX_AF_INET) {
		struct linux_sockaddr_in in;

		if (len < (int)sizeof(in))
			return -EINVAL;
		memcpy(&in, a, sizeof(in));
		/* Compatibility games (__inet_bind, udp_sendmsg): AF_UNSPEC
		 * passes for the wildcard in bind, for anything in sendto. */
		if (in.sin_family != LINUX_AF_INET &&
		    (in.sin_family != LINUX_AF_UNSPEC ||
		     use == INET_ADDR_CONNECT ||
		     (use == INET_ADDR_BIND && in.sin_addr)))
			return -EAFNOSUPPORT;
		/* sin_addr is in network order, as the mapped bytes. */
		memcpy(ep->addr, inet_v4mapped_prefix, 12);
		memcpy(ep->addr + 12, &in.sin_addr, 4);
		ep->port = be16(in.sin_port);
		return 0;
	}
	{
		struct linux_sockaddr_in6 in6 = {0};

		if (len < LINUX_SIN6_LEN_RFC2133)
			return -EINVAL;
		memcpy(&in6, a,
		       len < (int)sizeof(in6) ? (size_t)len : sizeof(in6));
		if (in6.sin6_family != LINUX_AF_INET6)
			return -EAFNOSUPPORT;
		memcpy(ep->addr, in6.sin6_addr, 16);
		ep->port = be16(in6.sin6_port);
		return 0;
	}
}

int inet_addr_out(int family, const struct inet_ep *ep,
		  struct linux_sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (family == LINUX_AF_INET) {
		struct linux_sockaddr_in in = {.sin_family = LINUX_AF_INET};

		in.sin_port = be16(ep->port);
		memcpy(&in.sin_addr, ep->addr + 12, 4);
		memcpy(out, &in, sizeof(in));
		return sizeof(in);
	}
	{
		struct linux_sockaddr_in6 in6 = {.sin6_family = LINUX_AF_INET6};

		in6.sin6_port = be16(ep->port);
		memcpy(in6.sin6_addr, ep->addr, 16);
		memcpy(out, &in6, sizeof(in6));
		return sizeof(in6);
	}
}
