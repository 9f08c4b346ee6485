/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi/epoll.h: epoll(7) as the x86-64 guest sees it: the event bits beyond
 * poll's (abi/poll.h; EPOLLIN == POLLIN and so on) and struct epoll_event,
 * which x86-64 packs to 12 bytes.
 *
 * Guest ABI only: fixed-width types and no host includes.
 */
#ifndef CVISOR_ABI_EPOLL_H
#define CVISOR_ABI_EPOLL_H

#include <stdint.h>

#define LINUX_EPOLLEXCLUSIVE (1u << 28)
#define LINUX_EPOLLWAKEUP (1u << 29)
#define LINUX_EPOLLONESHOT (1u << 30)
#define LINUX_EPOLLET (1u << 31)

/* The most events one epoll_wait may ask for: INT_MAX / 12. */
#define LINUX_EP_MAX_EVENTS (0x7fffffff / 12)
/* How deep epoll instances may nest in each other (EP_MAX_NESTS). */
#define LINUX_EP_MAX_NESTS 4

struct linux_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));
_Static_assert(sizeof(struct linux_epoll_event) == 12, "x86-64 packs it");

#endif
