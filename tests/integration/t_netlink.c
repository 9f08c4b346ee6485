/* t_netlink: the loopback interface as programs see it, through netlink
 * (RTM_GETLINK dumps and lookups, RTM_GETADDR, RTM_GETROUTE, acks and
 * errors, port ids), getifaddrs(3), if_nameindex(3), the interface ioctls
 * (SIOCGIFCONF, SIOCGIFFLAGS, SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFADDR,
 * SIOCGIFNETMASK, SIOCGIFMTU, SIOCGIFHWADDR) on internet and AF_UNIX
 * sockets, and /proc/net/unix. Only lo is looked at: a host has more
 * interfaces, the sandbox none but lo. */
#include "itest.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if_arp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

static char reply[65536] __attribute__((aligned(8)));

static int nl_open(void)
{
	struct sockaddr_nl a = {.nl_family = AF_NETLINK};
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	return s;
}

/* Send a request (header and body), then gather the answer until
 * NLMSG_DONE or an NLMSG_ERROR; the bytes gathered. */
static ssize_t nl_ask(int s, uint16_t type, uint16_t flags, uint32_t seq, const void *body,
                      size_t blen)
{
	char req[256] __attribute__((aligned(8)));
	struct nlmsghdr *h = (struct nlmsghdr *)req;
	size_t got = 0;

	memset(req, 0, sizeof(req));
	h->nlmsg_len = NLMSG_LENGTH(blen);
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = seq;
	memcpy(NLMSG_DATA(h), body, blen);
	if (send(s, req, h->nlmsg_len, 0) < 0)
		return -1;
	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = {reply + got, sizeof(reply) - got};
		struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n = recvmsg(s, &mh, MSG_DONTWAIT);
		bool last = false;

		if (n <= 0)
			return got ? (ssize_t)got : -1;
		if (from.nl_pid != 0)
			return -1;
		size_t left = (size_t)n;

		for (struct nlmsghdr *m = (struct nlmsghdr *)(reply + got); NLMSG_OK(m, left);
		     m = NLMSG_NEXT(m, left))
			last |= m->nlmsg_type == NLMSG_DONE || m->nlmsg_type == NLMSG_ERROR;
		got += (size_t)n;
		/* A dump ends at NLMSG_DONE; a lookup's answer and ack are
		 * all queued when send returns, so read until none is left. */
		if (last && (flags & NLM_F_DUMP))
			return (ssize_t)got;
	}
}

static void test_links(int s)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	ssize_t n = nl_ask(s, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 7, &ifi, sizeof(ifi));
	int lo = 0, done = 0, seq_ok = 1;

	CHECK(n > 0, "RTM_GETLINK dump");
	for (struct nlmsghdr *m = (struct nlmsghdr *)reply; n > 0 && NLMSG_OK(m, (size_t)n); m = NLMSG_NEXT(m, n)) {
		seq_ok &= m->nlmsg_seq == 7;
		if (m->nlmsg_type == NLMSG_DONE)
			done = 1;
		if (m->nlmsg_type != RTM_NEWLINK)
			continue;
		struct ifinfomsg *i = NLMSG_DATA(m);
		int len = (int)IFLA_PAYLOAD(m), mtu = 0;
		char name[IFNAMSIZ] = "";

		for (struct rtattr *a = IFLA_RTA(i); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
			if (a->rta_type == IFLA_IFNAME)
				snprintf(name, sizeof(name), "%s", (char *)RTA_DATA(a));
			if (a->rta_type == IFLA_MTU)
				memcpy(&mtu, RTA_DATA(a), 4);
		}
		if (!strcmp(name, "lo"))
			lo = i->ifi_index == 1 && i->ifi_type == ARPHRD_LOOPBACK &&
			     (i->ifi_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)) ==
			             (IFF_UP | IFF_LOOPBACK | IFF_RUNNING) &&
			     mtu == 65536 && (m->nlmsg_flags & NLM_F_MULTI);
	}
	CHECK(lo, "lo: index 1, ARPHRD_LOOPBACK, UP|LOOPBACK|RUNNING, mtu 65536");
	CHECK(done && seq_ok, "ends with NLMSG_DONE, our sequence number throughout");

	ifi.ifi_index = 1;
	n = nl_ask(s, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 8, &ifi, sizeof(ifi));
	{
		struct nlmsghdr *m = (struct nlmsghdr *)reply;
		int ack = 0;

		CHECK(n > 0 && m->nlmsg_type == RTM_NEWLINK && !(m->nlmsg_flags & NLM_F_MULTI), "RTM_GETLINK of index 1 answers lo");
		for (; n > 0 && NLMSG_OK(m, (size_t)n); m = NLMSG_NEXT(m, n))
			if (m->nlmsg_type == NLMSG_ERROR)
				ack = ((struct nlmsgerr *)NLMSG_DATA(m))->error == 0;
		CHECK(ack, "then acknowledges (NLM_F_ACK)");
	}
	ifi.ifi_index = 999999;
	n = nl_ask(s, RTM_GETLINK, NLM_F_REQUEST, 9, &ifi, sizeof(ifi));
	{
		struct nlmsghdr *m = (struct nlmsghdr *)reply;

		CHECK(n > 0 && m->nlmsg_type == NLMSG_ERROR &&
		              ((struct nlmsgerr *)NLMSG_DATA(m))->error == -ENODEV && m->nlmsg_seq == 9,
		      "an unknown index: NLMSG_ERROR ENODEV");
	}
}

static void test_addrs_routes(int s)
{
	struct ifaddrmsg ifa = {.ifa_family = AF_INET};
	struct rtmsg rtm = {.rtm_family = AF_INET};
	ssize_t n = nl_ask(s, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 10, &ifa, sizeof(ifa));
	int v4 = 0, local8 = 0, other_family = 0;

	for (struct nlmsghdr *m = (struct nlmsghdr *)reply; n > 0 && NLMSG_OK(m, (size_t)n); m = NLMSG_NEXT(m, n)) {
		if (m->nlmsg_type != RTM_NEWADDR)
			continue;
		struct ifaddrmsg *i = NLMSG_DATA(m);
		int len = (int)IFA_PAYLOAD(m);
		uint32_t addr = 0;

		other_family |= i->ifa_family != AF_INET;
		for (struct rtattr *a = IFA_RTA(i); RTA_OK(a, len); a = RTA_NEXT(a, len))
			if (a->rta_type == IFA_LOCAL)
				memcpy(&addr, RTA_DATA(a), 4);
		if (i->ifa_index == 1 && addr == htonl(INADDR_LOOPBACK))
			v4 = i->ifa_prefixlen == 8 && i->ifa_scope == RT_SCOPE_HOST;
	}
	CHECK(v4, "RTM_GETADDR: 127.0.0.1/8 scope host on lo");
	CHECK(!other_family, "only the family asked for");
	n = nl_ask(s, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 11, &rtm, sizeof(rtm));
	for (struct nlmsghdr *m = (struct nlmsghdr *)reply; n > 0 && NLMSG_OK(m, (size_t)n); m = NLMSG_NEXT(m, n)) {
		if (m->nlmsg_type != RTM_NEWROUTE)
			continue;
		struct rtmsg *r = NLMSG_DATA(m);
		int len = (int)RTM_PAYLOAD(m);
		uint32_t dst = 0;

		for (struct rtattr *a = RTM_RTA(r); RTA_OK(a, len); a = RTA_NEXT(a, len))
			if (a->rta_type == RTA_DST)
				memcpy(&dst, RTA_DATA(a), 4);
		if (r->rtm_table == RT_TABLE_LOCAL && r->rtm_type == RTN_LOCAL && r->rtm_dst_len == 8 &&
		    dst == htonl(0x7f000000))
			local8 = 1;
	}
	CHECK(local8, "RTM_GETROUTE: local 127.0.0.0/8 in table local");
}

static void test_socket_rules(void)
{
	int s = nl_open(), s2;
	struct sockaddr_nl a;
	socklen_t len = sizeof(a);
	int v = 1;

	EXPECT_ERRNO(socket(AF_NETLINK, SOCK_RAW, 32), EPROTONOSUPPORT, "netlink protocol 32: EPROTONOSUPPORT");
	EXPECT_ERRNO(socket(AF_NETLINK, SOCK_STREAM, 0), ESOCKTNOSUPPORT, "SOCK_STREAM: ESOCKTNOSUPPORT");
	EXPECT_OK(getsockname(s, (struct sockaddr *)&a, &len), "getsockname");
	CHECK(len == sizeof(a) && a.nl_family == AF_NETLINK && a.nl_pid != 0, "a port id was given");
	s2 = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	EXPECT_ERRNO(bind(s2, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE, "a port id in use: EADDRINUSE");
	close(s2);
	EXPECT_OK(setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &v, sizeof(v)), "NETLINK_EXT_ACK");
	EXPECT_OK(setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &(int){RTNLGRP_LINK}, sizeof(int)), "join RTNLGRP_LINK");
	close(s);
}

static void test_libc(void)
{
	struct ifaddrs *list, *i;
	struct if_nameindex *ni;
	int v4 = 0, v6 = 0, found = 0;

	CHECK(getifaddrs(&list) == 0, "getifaddrs");
	for (i = list; i; i = i->ifa_next) {
		if (strcmp(i->ifa_name, "lo") || !i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			v4 = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
			     ((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr == htonl(0xff000000) &&
			     (i->ifa_flags & IFF_LOOPBACK);
		if (i->ifa_addr->sa_family == AF_INET6)
			v6 = IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr);
	}
	freeifaddrs(list);
	CHECK(v4, "getifaddrs: lo 127.0.0.1 mask 255.0.0.0");
	CHECK(v6, "getifaddrs: lo ::1");
	ni = if_nameindex();
	for (int k = 0; ni && ni[k].if_index; k++)
		found |= ni[k].if_index == 1 && !strcmp(ni[k].if_name, "lo");
	if_freenameindex(ni);
	CHECK(found, "if_nameindex has lo at 1");
	EXPECT_EQ(if_nametoindex("lo"), 1, "if_nametoindex(lo)");
	EXPECT_EQ(if_nametoindex("nosuch0"), 0, "if_nametoindex(nosuch0)");
}

static void test_ioctls(int domain)
{
	int s = socket(domain, SOCK_DGRAM, 0);
	struct ifreq r;
	struct ifconf ifc;
	struct ifreq list[64];
	int lo = 0;
	const char *what = domain == AF_UNIX ? " (AF_UNIX socket)" : "";
	char msg[96];

	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "lo");
	snprintf(msg, sizeof(msg), "SIOCGIFFLAGS%s", what);
	CHECK(ioctl(s, SIOCGIFFLAGS, &r) == 0 && (r.ifr_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)) ==
	                                                (IFF_UP | IFF_LOOPBACK | IFF_RUNNING),
	      msg);
	snprintf(msg, sizeof(msg), "SIOCGIFINDEX%s", what);
	CHECK(ioctl(s, SIOCGIFINDEX, &r) == 0 && r.ifr_ifindex == 1, msg);
	snprintf(msg, sizeof(msg), "SIOCGIFMTU%s", what);
	CHECK(ioctl(s, SIOCGIFMTU, &r) == 0 && r.ifr_mtu == 65536, msg);
	snprintf(msg, sizeof(msg), "SIOCGIFHWADDR%s", what);
	CHECK(ioctl(s, SIOCGIFHWADDR, &r) == 0 && r.ifr_hwaddr.sa_family == ARPHRD_LOOPBACK, msg);
	memset(&r, 0, sizeof(r));
	r.ifr_ifindex = 1;
	snprintf(msg, sizeof(msg), "SIOCGIFNAME%s", what);
	CHECK(ioctl(s, SIOCGIFNAME, &r) == 0 && !strcmp(r.ifr_name, "lo"), msg);
	strcpy(r.ifr_name, "nosuch0");
	snprintf(msg, sizeof(msg), "an unknown interface: ENODEV%s", what);
	EXPECT_ERRNO(ioctl(s, SIOCGIFFLAGS, &r), ENODEV, msg);
	if (domain == AF_INET) {
		strcpy(r.ifr_name, "lo");
		CHECK(ioctl(s, SIOCGIFADDR, &r) == 0 &&
		              ((struct sockaddr_in *)&r.ifr_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK),
		      "SIOCGIFADDR: 127.0.0.1");
		CHECK(ioctl(s, SIOCGIFNETMASK, &r) == 0 &&
		              ((struct sockaddr_in *)&r.ifr_netmask)->sin_addr.s_addr == htonl(0xff000000),
		      "SIOCGIFNETMASK: 255.0.0.0");
		ifc.ifc_len = sizeof(list);
		ifc.ifc_req = list;
		CHECK(ioctl(s, SIOCGIFCONF, &ifc) == 0, "SIOCGIFCONF");
		for (int k = 0; k < ifc.ifc_len / (int)sizeof(struct ifreq); k++)
			lo |= !strcmp(list[k].ifr_name, "lo") &&
			      ((struct sockaddr_in *)&list[k].ifr_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
		CHECK(lo, "lists lo with 127.0.0.1");
		ifc.ifc_len = 0;
		ifc.ifc_req = NULL;
		CHECK(ioctl(s, SIOCGIFCONF, &ifc) == 0 && ifc.ifc_len > 0 && ifc.ifc_len % (int)sizeof(struct ifreq) == 0,
		      "SIOCGIFCONF without a buffer: the size needed");
	}
	close(s);
}

/* A listening AF_UNIX socket shows in /proc/net/unix with its name. */
static void test_proc_net_unix(void)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_STREAM, 0), found = 0;
	char want[128], line[512];
	FILE *f;
	int n = snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "itest-netlink-%d", (int)getpid());

	bind(s, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n));
	listen(s, 1);
	snprintf(want, sizeof(want), " 00010000 0001 01 ");
	f = fopen("/proc/net/unix", "r");
	CHECK(f != NULL, "open /proc/net/unix");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f))
		CHECK(!strcmp(line, "Num       RefCount Protocol Flags    Type St Inode Path\n"), "its header");
	while (fgets(line, sizeof(line), f))
		found += strstr(line, a.sun_path + 1) && strstr(line, want) && strstr(line, " @itest");
	EXPECT_EQ(found, 1, "the listener: __SO_ACCEPTCON, SOCK_STREAM, unconnected, @name");
	fclose(f);
	close(s);
}

int main(void)
{
	int s;

	it_begin(20);
	s = nl_open();
	CHECK(s >= 0, "socket(AF_NETLINK, NETLINK_ROUTE) and bind");
	test_links(s);
	test_addrs_routes(s);
	close(s);
	test_socket_rules();
	test_libc();
	test_ioctls(AF_INET);
	test_ioctls(AF_UNIX);
	test_proc_net_unix();
	return it_end();
}
