/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netopt.h: the socket options, socket ioctls and control messages of
 * spec/netopts.yaml as tables (generated: gen/netopts.c), and the lookups
 * the loopback stack, netlink and --network=host make in them.
 */
#ifndef CVISOR_NET_NETOPT_H
#define CVISOR_NET_NETOPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum netopt_type { NETOPT_INT, NETOPT_BOOL, NETOPT_STRUCT, NETOPT_STRING };

/* What the Sentry's own sockets do with an option. */
enum netopt_sentry {
	NETOPT_ABSENT,	/* ENOPROTOOPT */
	NETOPT_STORE,	/* kept in range [min, max], reported back */
	NETOPT_SPECIAL, /* the stack's C code */
};

/* What --network=host does with it. */
enum netopt_host { NETOPT_HOST_DENY, NETOPT_HOST_PASS, NETOPT_HOST_LOCAL };

struct netopt {
	int level, name;
	const char *cname;
	enum netopt_type type;
	int size; /* the most bytes a value takes */
	enum netopt_sentry sentry;
	int32_t def, min, max;
	enum netopt_host host;
};

/* Two levels that are one table: either answers the options of both
 * (SOL_UDPLITE and SOL_UDP, as udp_lib_setsockopt ignores the level). */
struct netopt_share {
	int level, other;
};

struct netopt_ioctl {
	uint32_t cmd;
	const char *cname;
	int size; /* bytes the host writes to the argument */
	bool host;
};

struct netopt_cmsg {
	int level, type;
	const char *cname;
	int size; /* the largest payload */
	bool send, recv;
};

extern const struct netopt netopts[];
extern const size_t netopts_count;
extern const struct netopt_share netopt_shares[];
extern const size_t netopt_shares_count;
extern const struct netopt_ioctl netopt_ioctls[];
extern const size_t netopt_ioctls_count;
extern const struct netopt_cmsg netopt_cmsgs[];
extern const size_t netopt_cmsgs_count;

/* The entry of (level, name), or NULL; an option of a level that shares
 * with `level` counts (its entry keeps its own level). */
const struct netopt *netopt_find(int level, int name);
/* The index of (level, name) among the stored options (NETOPT_STORE) of
 * levels other than SOL_SOCKET, or -1: where a socket keeps its value. */
int netopt_slot(const struct netopt *);
/* How many slots a socket needs (netopt_slot's range). */
size_t netopt_nslots(void);
/* Fill slots with the defaults. */
void netopt_defaults(int32_t *slots);
const struct netopt_ioctl *netopt_ioctl_find(uint32_t cmd);
const struct netopt_cmsg *netopt_cmsg_find(int level, int type);

#endif
