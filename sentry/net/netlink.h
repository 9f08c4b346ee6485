/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netlink.h: AF_NETLINK sockets of the NETLINK_ROUTE protocol, answered
 * by the Sentry in every network mode (netlink.c): enough rtnetlink for
 * getifaddrs(3), if_nameindex(3), iproute2's `ip addr`, `ip link` and
 * `ip route`, and Python's socket module. Requests go in with sendmsg;
 * the answers wait in the socket's queue (the AF_UNIX core's datagram
 * queue) as the kernel's messages, from port 0. Other netlink protocols
 * are EPROTONOSUPPORT.
 */
#ifndef CVISOR_NET_NETLINK_H
#define CVISOR_NET_NETLINK_H

#include <stddef.h>
#include <stdint.h>

struct socket_family;

extern const struct socket_family netlink_family;

/* A growing buffer of netlink messages (netlink_route.c). */
struct nlbuf {
	char *data;
	size_t len, cap;
	int err; /* -ENOMEM once anything failed */
};

/* Answer one rtnetlink request (nlh and its payload, len bytes) into out,
 * as port `portid`: 0 with the answer (a dump ends in NLMSG_DONE), or
 * -errno for netlink.c to acknowledge. */
struct linux_nlmsghdr;
int rtnl_request(const struct linux_nlmsghdr *nlh, size_t len, uint32_t portid,
		 struct nlbuf *out);

/* nlbuf helpers: start a message (its offset), add an attribute, end it
 * (its length set). */
size_t nlbuf_begin(struct nlbuf *, uint16_t type, uint16_t flags, uint32_t seq,
		   uint32_t portid, const void *hdr, size_t hdrlen);
void nlbuf_attr(struct nlbuf *, uint16_t type, const void *data, size_t len);
void nlbuf_end(struct nlbuf *, size_t start);
void nlbuf_free(struct nlbuf *);

#endif
