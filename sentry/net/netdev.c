/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netdev.c: the sandbox's interfaces (see netdev.h) and the interface
 * ioctls of dev_ioctl and devinet_ioctl, which every socket answers.
 */
#include <errno.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/netlink.h"
#include "sentry/kernel/task.h"
#include "sentry/net/netdev.h"

/* lo as a fresh network namespace has it once `ip link set lo up`. */
static struct netdev devs[NETDEV_MAX] = {
	{
		.index = 1,
		.name = "lo",
		.flags = LINUX_IFF_UP | LINUX_IFF_LOOPBACK | LINUX_IFF_RUNNING |
			 LINUX_IFF_LOWER_UP,
		.type = LINUX_ARPHRD_LOOPBACK,
		.mtu = 65536,
		.txqlen = 1000,
		.hwlen = 6,
		.naddrs = 2,
		.addrs =
			{
				{.family = LINUX_AF_INET,
				 .addr = {127, 0, 0, 1},
				 .prefixlen = 8,
				 .scope = LINUX_RT_SCOPE_HOST},
				{.family = LINUX_AF_INET6,
				 .addr = {[15] = 1},
				 .prefixlen = 128,
				 .scope = LINUX_RT_SCOPE_HOST},
			},
	},
};
static int ndevs = 1;

const struct netdev *netdev_at(int i)
{
	return i >= 0 && i < ndevs ? &devs[i] : NULL;
}

const struct netdev *netdev_by_index(int index)
{
	for (int i = 0; i < ndevs; i++)
		if (devs[i].index == index)
			return &devs[i];
	return NULL;
}

const struct netdev *netdev_by_name(const char *name)
{
	for (int i = 0; i < ndevs; i++)
		if (!strncmp(devs[i].name, name, LINUX_IFNAMSIZ))
			return &devs[i];
	return NULL;
}

void netdev_replace(const struct netdev *d, int n)
{
	if (n < 1 || n > NETDEV_MAX)
		return;
	memcpy(devs, d, (size_t)n * sizeof(*d));
	ndevs = n;
}

/* The interface's first IPv4 address, or NULL. */
static const struct netdev_addr *first_v4(const struct netdev *d)
{
	for (int i = 0; i < d->naddrs; i++)
		if (d->addrs[i].family == LINUX_AF_INET)
			return &d->addrs[i];
	return NULL;
}

static void put_sin(struct linux_ifreq *r, const uint8_t a[4])
{
	memset(&r->u, 0, sizeof(r->u));
	r->u.addr.family = LINUX_AF_INET;
	memcpy(r->u.addr.data + 2, a, 4); /* after sin_port */
}

static void prefix_mask(uint8_t len, uint8_t out[4])
{
	uint32_t m = len ? ~0u << (32 - len) : 0;

	out[0] = (uint8_t)(m >> 24);
	out[1] = (uint8_t)(m >> 16);
	out[2] = (uint8_t)(m >> 8);
	out[3] = (uint8_t)m;
}

/* SIOCGIFCONF: one ifreq per IPv4 address (inet_gifconf); a NULL buffer
 * asks how long the list is. */
static long gifconf(struct task *t, uint64_t arg)
{
	struct linux_ifconf ifc;
	int32_t done = 0;

	if (task_copy_in(t, arg, &ifc, sizeof(ifc)))
		return -EFAULT;
	for (int i = 0; i < ndevs; i++) {
		for (int k = 0; k < devs[i].naddrs; k++) {
			struct linux_ifreq r;

			if (devs[i].addrs[k].family != LINUX_AF_INET)
				continue;
			if (ifc.buf) {
				if (ifc.len - done < (int32_t)sizeof(r))
					goto out;
				memset(&r, 0, sizeof(r));
				memcpy(r.name, devs[i].name, sizeof(r.name));
				put_sin(&r, devs[i].addrs[k].addr);
				if (task_copy_out(t, ifc.buf + (uint64_t)done,
						  &r, sizeof(r)))
					return -EFAULT;
			}
			done += (int32_t)sizeof(r);
		}
	}
out:
	ifc.len = done;
	return task_copy_out(t, arg, &ifc, sizeof(ifc)) ? -EFAULT : 0;
}

/* One request on a named interface (dev_ifsioc_locked, devinet_ioctl);
 * 0 with r filled, or -errno. */
static long ifreq_get(uint32_t cmd, struct linux_ifreq *r)
{
	const struct netdev *d;
	const struct netdev_addr *a;
	uint8_t mask[4];

	if (cmd == LINUX_SIOCGIFNAME) {
		d = netdev_by_index(r->u.ivalue);
		if (!d)
			return -ENODEV;
		memcpy(r->name, d->name, sizeof(r->name));
		return 0;
	}
	r->name[LINUX_IFNAMSIZ - 1] = 0;
	d = netdev_by_name(r->name);
	if (!d)
		return -ENODEV;
	a = first_v4(d);
	memset(&r->u, 0, sizeof(r->u));
	switch (cmd) {
	case LINUX_SIOCGIFFLAGS:
		r->u.flags = (int16_t)(d->flags & 0xffff);
		return 0;
	case LINUX_SIOCGIFINDEX:
		r->u.ivalue = d->index;
		return 0;
	case LINUX_SIOCGIFMTU:
		r->u.ivalue = (int32_t)d->mtu;
		return 0;
	case LINUX_SIOCGIFTXQLEN:
		r->u.ivalue = (int32_t)d->txqlen;
		return 0;
	case LINUX_SIOCGIFMETRIC:
	case LINUX_SIOCGIFMAP:
		return 0;
	case LINUX_SIOCGIFHWADDR:
		r->u.addr.family = d->type;
		memcpy(r->u.addr.data, d->hwaddr, d->hwlen);
		return 0;
	}
	if (!a)
		return -EADDRNOTAVAIL;
	switch (cmd) {
	case LINUX_SIOCGIFADDR:
	case LINUX_SIOCGIFDSTADDR:
		put_sin(r, a->addr);
		return 0;
	case LINUX_SIOCGIFBRDADDR:
		put_sin(r, a->brd);
		return 0;
	case LINUX_SIOCGIFNETMASK:
		prefix_mask(a->prefixlen, mask);
		put_sin(r, mask);
		return 0;
	}
	return -ENOTTY;
}

long netdev_ioctl(struct task *t, uint32_t cmd, uint64_t arg)
{
	struct linux_ifreq r;
	long err;

	switch (cmd) {
	case LINUX_SIOCGIFCONF:
		return gifconf(t, arg);
	case LINUX_SIOCGIFNAME:
	case LINUX_SIOCGIFFLAGS:
	case LINUX_SIOCGIFINDEX:
	case LINUX_SIOCGIFMTU:
	case LINUX_SIOCGIFTXQLEN:
	case LINUX_SIOCGIFMETRIC:
	case LINUX_SIOCGIFMAP:
	case LINUX_SIOCGIFHWADDR:
	case LINUX_SIOCGIFADDR:
	case LINUX_SIOCGIFDSTADDR:
	case LINUX_SIOCGIFBRDADDR:
	case LINUX_SIOCGIFNETMASK:
		if (task_copy_in(t, arg, &r, sizeof(r)))
			return -EFAULT;
		err = ifreq_get(cmd, &r);
		if (!err && task_copy_out(t, arg, &r, sizeof(r)))
			err = -EFAULT;
		return err;
	case LINUX_SIOCSIFFLAGS:
	case LINUX_SIOCSIFADDR:
	case LINUX_SIOCSIFMTU:
	case LINUX_SIOCSIFNAME:
	case LINUX_SIOCSIFHWADDR:
		/* The sandbox's interfaces are not its to change. */
		return -EPERM;
	case LINUX_SIOCETHTOOL:
		return -EOPNOTSUPP;
	default:
		return -ENOTTY;
	}
}
