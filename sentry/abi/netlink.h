/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi/netlink.h: netlink and rtnetlink messages, and the interface
 * requests of ioctl(SIOCGIF*), as the x86-64 guest sees them
 * (include/uapi/linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h, if.h,
 * sockios.h).
 *
 * Guest ABI only: fixed-width types and no host includes.
 */
#ifndef CVISOR_ABI_NETLINK_H
#define CVISOR_ABI_NETLINK_H

#include <stdint.h>

/* Netlink protocols (socket(AF_NETLINK, type, protocol)). */
#define LINUX_NETLINK_ROUTE 0
#define LINUX_MAX_LINKS 32

struct linux_sockaddr_nl {
	uint16_t nl_family;
	uint16_t nl_pad;
	uint32_t nl_pid;
	uint32_t nl_groups;
};

struct linux_nlmsghdr {
	uint32_t nlmsg_len;
	uint16_t nlmsg_type;
	uint16_t nlmsg_flags;
	uint32_t nlmsg_seq;
	uint32_t nlmsg_pid;
};

struct linux_nlmsgerr {
	int32_t error;
	struct linux_nlmsghdr msg;
};

struct linux_rtattr {
	uint16_t rta_len;
	uint16_t rta_type;
};

#define LINUX_NLMSG_ALIGN(len) (((len) + 3u) & ~3u)
#define LINUX_NLMSG_HDRLEN ((uint32_t)sizeof(struct linux_nlmsghdr))
#define LINUX_RTA_ALIGN(len) (((len) + 3u) & ~3u)

/* nlmsg_type */
#define LINUX_NLMSG_NOOP 1
#define LINUX_NLMSG_ERROR 2
#define LINUX_NLMSG_DONE 3
#define LINUX_NLMSG_MIN_TYPE 16

/* nlmsg_flags */
#define LINUX_NLM_F_REQUEST 0x1
#define LINUX_NLM_F_MULTI 0x2
#define LINUX_NLM_F_ACK 0x4
#define LINUX_NLM_F_ROOT 0x100
#define LINUX_NLM_F_MATCH 0x200
#define LINUX_NLM_F_DUMP 0x300
#define LINUX_NLM_F_CAPPED 0x100 /* in an ack */

/* rtnetlink message types */
#define LINUX_RTM_BASE 16
#define LINUX_RTM_NEWLINK 16
#define LINUX_RTM_DELLINK 17
#define LINUX_RTM_GETLINK 18
#define LINUX_RTM_SETLINK 19
#define LINUX_RTM_NEWADDR 20
#define LINUX_RTM_DELADDR 21
#define LINUX_RTM_GETADDR 22
#define LINUX_RTM_NEWROUTE 24
#define LINUX_RTM_DELROUTE 25
#define LINUX_RTM_GETROUTE 26
#define LINUX_RTM_MAX 0x7f

struct linux_ifinfomsg {
	uint8_t ifi_family;
	uint8_t pad;
	uint16_t ifi_type;
	int32_t ifi_index;
	uint32_t ifi_flags;
	uint32_t ifi_change;
};

struct linux_ifaddrmsg {
	uint8_t ifa_family;
	uint8_t ifa_prefixlen;
	uint8_t ifa_flags;
	uint8_t ifa_scope;
	uint32_t ifa_index;
};

struct linux_ifa_cacheinfo {
	uint32_t ifa_prefered;
	uint32_t ifa_valid;
	uint32_t cstamp;
	uint32_t tstamp;
};

struct linux_rtmsg {
	uint8_t rtm_family;
	uint8_t rtm_dst_len;
	uint8_t rtm_src_len;
	uint8_t rtm_tos;
	uint8_t rtm_table;
	uint8_t rtm_protocol;
	uint8_t rtm_scope;
	uint8_t rtm_type;
	uint32_t rtm_flags;
};

/* struct rtnl_link_stats (IFLA_STATS), rtnl_link_stats64 (IFLA_STATS64):
 * all zero for the sandbox's interfaces. */
#define LINUX_RTNL_LINK_STATS_SIZE 96
#define LINUX_RTNL_LINK_STATS64_SIZE 200
/* struct rtnl_link_ifmap (IFLA_MAP) */
#define LINUX_RTNL_LINK_IFMAP_SIZE 32

#define LINUX_IFLA_ADDRESS 1
#define LINUX_IFLA_BROADCAST 2
#define LINUX_IFLA_IFNAME 3
#define LINUX_IFLA_MTU 4
#define LINUX_IFLA_QDISC 6
#define LINUX_IFLA_STATS 7
#define LINUX_IFLA_TXQLEN 13
#define LINUX_IFLA_MAP 14
#define LINUX_IFLA_OPERSTATE 16
#define LINUX_IFLA_LINKMODE 17
#define LINUX_IFLA_STATS64 23
#define LINUX_IFLA_GROUP 27
#define LINUX_IFLA_PROMISCUITY 30
#define LINUX_IFLA_NUM_TX_QUEUES 31
#define LINUX_IFLA_NUM_RX_QUEUES 32
#define LINUX_IFLA_CARRIER 33
#define LINUX_IFLA_CARRIER_CHANGES 35
#define LINUX_IFLA_MIN_MTU 50
#define LINUX_IFLA_MAX_MTU 51

#define LINUX_IFA_ADDRESS 1
#define LINUX_IFA_LOCAL 2
#define LINUX_IFA_LABEL 3
#define LINUX_IFA_BROADCAST 4
#define LINUX_IFA_CACHEINFO 6
#define LINUX_IFA_FLAGS 8
#define LINUX_IFA_F_PERMANENT 0x80

#define LINUX_RTA_DST 1
#define LINUX_RTA_OIF 4
#define LINUX_RTA_GATEWAY 5
#define LINUX_RTA_PRIORITY 6
#define LINUX_RTA_PREFSRC 7
#define LINUX_RTA_TABLE 15
#define LINUX_RTA_PREF 20

#define LINUX_RT_TABLE_MAIN 254
#define LINUX_RT_TABLE_LOCAL 255
#define LINUX_RTPROT_KERNEL 2
#define LINUX_RTPROT_BOOT 3
#define LINUX_RT_SCOPE_UNIVERSE 0
#define LINUX_RT_SCOPE_LINK 253
#define LINUX_RT_SCOPE_HOST 254
#define LINUX_RTN_UNICAST 1
#define LINUX_RTN_LOCAL 2
#define LINUX_RTN_BROADCAST 3

/* Interfaces (net/if.h, if_arp.h) */
#define LINUX_IFNAMSIZ 16
#define LINUX_IFF_UP 0x1
#define LINUX_IFF_BROADCAST 0x2
#define LINUX_IFF_LOOPBACK 0x8
#define LINUX_IFF_POINTOPOINT 0x10
#define LINUX_IFF_RUNNING 0x40
#define LINUX_IFF_MULTICAST 0x1000
#define LINUX_IFF_LOWER_UP 0x10000
#define LINUX_ARPHRD_ETHER 1
#define LINUX_ARPHRD_LOOPBACK 772
#define LINUX_ARPHRD_NONE 0xfffe
#define LINUX_IF_OPER_UNKNOWN 0
#define LINUX_IF_OPER_UP 6

/* struct ifreq: a name and one of several members (40 bytes). */
struct linux_ifreq {
	char name[LINUX_IFNAMSIZ];
	union {
		struct {
			uint16_t family;
			uint8_t data[14];
		} addr;		/* ifr_addr, netmask, broadaddr, hwaddr */
		int16_t flags;	/* ifr_flags */
		int32_t ivalue; /* ifr_ifindex, ifr_mtu, ifr_qlen, ifr_metric */
		char newname[LINUX_IFNAMSIZ];
		uint8_t pad[24];
	} u;
};

/* struct ifconf */
struct linux_ifconf {
	int32_t len;
	uint32_t pad;
	uint64_t buf;
};

/* Interface ioctls (sockios.h) */
#define LINUX_SIOCGIFNAME 0x8910
#define LINUX_SIOCGIFCONF 0x8912
#define LINUX_SIOCGIFFLAGS 0x8913
#define LINUX_SIOCSIFFLAGS 0x8914
#define LINUX_SIOCGIFADDR 0x8915
#define LINUX_SIOCSIFADDR 0x8916
#define LINUX_SIOCGIFDSTADDR 0x8917
#define LINUX_SIOCGIFBRDADDR 0x8919
#define LINUX_SIOCGIFNETMASK 0x891b
#define LINUX_SIOCGIFMETRIC 0x891d
#define LINUX_SIOCGIFMTU 0x8921
#define LINUX_SIOCSIFMTU 0x8922
#define LINUX_SIOCSIFNAME 0x8923
#define LINUX_SIOCSIFHWADDR 0x8924
#define LINUX_SIOCGIFHWADDR 0x8927
#define LINUX_SIOCGIFINDEX 0x8933
#define LINUX_SIOCGIFTXQLEN 0x8942
#define LINUX_SIOCGIFMAP 0x8970
#define LINUX_SIOCETHTOOL 0x8946

#endif
