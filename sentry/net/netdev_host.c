/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netdev_host.c: the host's interfaces for --network=host, read once at
 * boot with getifaddrs(3) (a netlink dump) and the interface ioctls on a
 * throwaway socket: the Sentry's seccomp filter forbids both afterwards.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gen/linux_flags.h"
#include "sentry/abi/netlink.h"
#include "sentry/net/netdev.h"

static struct netdev snap[NETDEV_MAX];
static int nsnap;

/* The entry for interface `name`, made when first seen. */
static struct netdev *dev_for(const char *name, int sock)
{
	struct ifreq r;
	struct netdev *d;

	for (int i = 0; i < nsnap; i++)
		if (!strcmp(snap[i].name, name))
			return &snap[i];
	if (nsnap == NETDEV_MAX)
		return NULL;
	d = &snap[nsnap++];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->index = (int)if_nametoindex(name);
	memset(&r, 0, sizeof(r));
	snprintf(r.ifr_name, sizeof(r.ifr_name), "%s", name);
	if (ioctl(sock, SIOCGIFMTU, &r) == 0)
		d->mtu = (uint32_t)r.ifr_mtu;
	if (ioctl(sock, SIOCGIFTXQLEN, &r) == 0)
		d->txqlen = (uint32_t)r.ifr_qlen;
	return d;
}

static uint8_t prefix_len(const uint8_t *mask, int n)
{
	uint8_t len = 0;

	for (int i = 0; i < n; i++)
		len += (uint8_t)__builtin_popcount(mask[i]);
	return len;
}

/* One getifaddrs entry into the table. */
static void add(const struct ifaddrs *ifa, int sock)
{
	struct netdev *d = dev_for(ifa->ifa_name, sock);
	struct netdev_addr *a;
	int fam = ifa->ifa_addr ? ifa->ifa_addr->sa_family : AF_UNSPEC;

	if (!d)
		return;
	d->flags = ifa->ifa_flags;
	if (fam == AF_PACKET) {
		const struct sockaddr_ll *ll = (const void *)ifa->ifa_addr;

		d->type = ll->sll_hatype;
		d->hwlen = ll->sll_halen > 8 ? 8 : ll->sll_halen;
		memcpy(d->hwaddr, ll->sll_addr, d->hwlen);
		if (ifa->ifa_broadaddr)
			memcpy(d->brdaddr,
			       ((const struct sockaddr_ll *)(const void *)
					ifa->ifa_broadaddr)
				       ->sll_addr,
			       d->hwlen);
		return;
	}
	if ((fam != AF_INET && fam != AF_INET6) ||
	    d->naddrs == NETDEV_MAX_ADDRS)
		return;
	a = &d->addrs[d->naddrs++];
	memset(a, 0, sizeof(*a));
	a->family = fam == AF_INET ? LINUX_AF_INET : LINUX_AF_INET6;
	if (fam == AF_INET) {
		const struct sockaddr_in *in = (const void *)ifa->ifa_addr;

		memcpy(a->addr, &in->sin_addr, 4);
		if (ifa->ifa_netmask)
			a->prefixlen = prefix_len(
				(const uint8_t *)&((const struct sockaddr_in
							    *)(const void *)
							   ifa->ifa_netmask)
					->sin_addr,
				4);
		if (ifa->ifa_broadaddr && (ifa->ifa_flags & IFF_BROADCAST))
			memcpy(a->brd,
			       &((const struct sockaddr_in *)(const void *)
					 ifa->ifa_broadaddr)
					->sin_addr,
			       4);
		a->scope = (a->addr[0] == 127) ? LINUX_RT_SCOPE_HOST
					       : LINUX_RT_SCOPE_UNIVERSE;
	} else {
		const struct sockaddr_in6 *in6 = (const void *)ifa->ifa_addr;

		memcpy(a->addr, &in6->sin6_addr, 16);
		if (ifa->ifa_netmask)
			a->prefixlen = prefix_len(
				((const struct sockaddr_in6 *)(const void *)
					 ifa->ifa_netmask)
					->sin6_addr.s6_addr,
				16);
		a->scope = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)
				   ? LINUX_RT_SCOPE_HOST
			   : IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr)
				   ? LINUX_RT_SCOPE_LINK
				   : LINUX_RT_SCOPE_UNIVERSE;
	}
}

int netdev_snapshot_host(void)
{
	struct ifaddrs *list, *ifa;
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (sock < 0)
		return -errno;
	if (getifaddrs(&list) < 0) {
		int err = -errno;

		close(sock);
		return err;
	}
	nsnap = 0;
	for (ifa = list; ifa; ifa = ifa->ifa_next)
		add(ifa, sock);
	freeifaddrs(list);
	close(sock);
	/* In index order, as a dump lists them. */
	for (int i = 1; i < nsnap; i++)
		for (int k = i; k > 0 && snap[k].index < snap[k - 1].index;
		     k--) {
			struct netdev tmp = snap[k];

			snap[k] = snap[k - 1];
			snap[k - 1] = tmp;
		}
	netdev_replace(snap, nsnap);
	return 0;
}
