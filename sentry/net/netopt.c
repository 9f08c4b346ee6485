/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netopt.c: lookups in the generated tables of spec/netopts.yaml. The
 * tables hold a few hundred entries at most; a scan is cheaper than the
 * guest's syscall that asks.
 */
#include "sentry/net/netopt.h"

#include "sentry/abi/socket.h"

static const struct netopt *find_exact(int level, int name)
{
	for (size_t i = 0; i < netopts_count; i++)
		if (netopts[i].level == level && netopts[i].name == name)
			return &netopts[i];
	return NULL;
}

const struct netopt *netopt_find(int level, int name)
{
	const struct netopt *o = find_exact(level, name);

	for (size_t i = 0; !o && i < netopt_shares_count; i++) {
		const struct netopt_share *sh = &netopt_shares[i];

		if (sh->level == level)
			o = find_exact(sh->other, name);
		else if (sh->other == level)
			o = find_exact(sh->level, name);
	}
	return o;
}

/* A stored option of a stack's level (SOL_SOCKET's live in struct
 * socket). */
static bool has_slot(const struct netopt *o)
{
	return o->sentry == NETOPT_STORE && o->level != LINUX_SOL_SOCKET;
}

int netopt_slot(const struct netopt *o)
{
	int n = 0;

	if (!has_slot(o))
		return -1;
	for (const struct netopt *p = netopts; p != o; p++)
		n += has_slot(p);
	return n;
}

size_t netopt_nslots(void)
{
	size_t n = 0;

	for (size_t i = 0; i < netopts_count; i++)
		n += has_slot(&netopts[i]);
	return n;
}

void netopt_defaults(int32_t *slots)
{
	for (size_t i = 0; i < netopts_count; i++)
		if (has_slot(&netopts[i]))
			*slots++ = netopts[i].def;
}

const struct netopt_ioctl *netopt_ioctl_find(uint32_t cmd)
{
	for (size_t i = 0; i < netopt_ioctls_count; i++)
		if (netopt_ioctls[i].cmd == cmd)
			return &netopt_ioctls[i];
	return NULL;
}

const struct netopt_cmsg *netopt_cmsg_find(int level, int type)
{
	for (size_t i = 0; i < netopt_cmsgs_count; i++)
		if (netopt_cmsgs[i].level == level &&
		    netopt_cmsgs[i].type == type)
			return &netopt_cmsgs[i];
	return NULL;
}
