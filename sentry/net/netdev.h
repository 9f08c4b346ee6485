/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netdev.h: the network interfaces a sandbox sees, for the interface
 * ioctls (SIOCGIF*) any socket answers and for rtnetlink (netlink_route.c).
 *
 * With --network=none there is one, lo (index 1, 127.0.0.1/8 and ::1/128,
 * MTU 65536, up), as in a fresh network namespace. With --network=host
 * the host's interfaces and addresses are read once at boot, before the
 * seccomp filter goes on (the Sentry could not ask later), and served as
 * they were then. Nothing can change them from inside (EPERM).
 */
#ifndef CVISOR_NET_NETDEV_H
#define CVISOR_NET_NETDEV_H

#include <stdbool.h>
#include <stdint.h>

struct task;

#define NETDEV_MAX 32
#define NETDEV_MAX_ADDRS 16

struct netdev_addr {
	int family;	  /* LINUX_AF_INET or LINUX_AF_INET6 */
	uint8_t addr[16]; /* IPv4 in the first 4 bytes, network order */
	uint8_t brd[4];	  /* IPv4 broadcast (0.0.0.0: none) */
	uint8_t prefixlen;
	uint8_t scope; /* RT_SCOPE_* */
};

struct netdev {
	int index;
	char name[16];
	uint32_t flags; /* IFF_* */
	uint16_t type;	/* ARPHRD_* */
	uint32_t mtu;
	uint32_t txqlen;
	uint8_t hwaddr[8], brdaddr[8];
	uint8_t hwlen;
	int naddrs;
	struct netdev_addr addrs[NETDEV_MAX_ADDRS];
};

/* The interfaces, in index order; NULL past the last. */
const struct netdev *netdev_at(int i);
const struct netdev *netdev_by_index(int index);
const struct netdev *netdev_by_name(const char *name);

/* Serve these interfaces from now on (netdev_host.c). */
void netdev_replace(const struct netdev *, int n);
/* Read the host's interfaces (boot, --network=host, before seccomp);
 * 0, or -errno (lo alone stays). */
int netdev_snapshot_host(void);

/* Interface requests of ioctl(2) on any socket (dev_ioctl,
 * devinet_ioctl): -ENOTTY for anything else. */
long netdev_ioctl(struct task *, uint32_t cmd, uint64_t arg);

#endif
