/* t_inet_udp: UDP over 127.0.0.1 and ::1: datagrams and their source
 * addresses, automatic binding, boundaries, MSG_TRUNC and MSG_PEEK, empty
 * datagrams, connected sockets (filtering, ECONNREFUSED on the next call
 * after a send to a port nobody holds, AF_UNSPEC disconnects), the
 * receive buffer dropping when full, SO_REUSEADDR, broadcast refused,
 * EMSGSIZE, IPv4-mapped traffic to an IPv6 socket, IP_PKTINFO,
 * IP_RECVTTL, IP_RECVTOS and IPv6's, SO_TIMESTAMP, FIONREAD, poll,
 * sendmmsg/recvmmsg, and /proc/net/udp. UDP-Lite over both: its own
 * port space (a UDP and a UDP-Lite socket share a port, and never each
 * other's datagrams), SO_PROTOCOL, the coverage options at SOL_UDPLITE
 * and SOL_UDP with the values Linux rounds them to, a receiver refusing
 * datagrams covered less than it asks, UDP_SEGMENT's EIO, and
 * /proc/net/udplite and udplite6. Ports are never printed. */
#include "itest.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

/* UDP-Lite's level and options (the kernel's include/net/udplite.h; no
 * user header has them). */
#ifndef SOL_UDPLITE
#define SOL_UDPLITE 136
#endif
#define UDPLITE_SEND_CSCOV 10
#define UDPLITE_RECV_CSCOV 11

static struct sockaddr_in lo4(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static uint16_t port_of(int fd)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return 0;
	if (a.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&a)->sin6_port);
	return ntohs(((struct sockaddr_in *)&a)->sin_port);
}

/* A UDP socket bound to 127.0.0.1, port from bind(0). */
static int udp4(int flags)
{
	struct sockaddr_in a = lo4(0);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | flags, 0);

	if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(s);
		return -1;
	}
	return s;
}

static ssize_t send_to(int s, const void *buf, size_t len, uint16_t port)
{
	struct sockaddr_in a = lo4(port);

	return sendto(s, buf, len, 0, (struct sockaddr *)&a, sizeof(a));
}

static short poll1(int fd, short events, int ms)
{
	struct pollfd p = {.fd = fd, .events = events};

	if (poll(&p, 1, ms) < 0)
		return -1;
	return p.revents;
}

static int seti(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

static void test_basics(void)
{
	int r = udp4(0), s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	char buf[64];

	EXPECT_EQ(port_of(s), 0, "an unbound socket has no port");
	EXPECT_EQ(send_to(s, "hello", 5, port_of(r)), 5, "sendto");
	CHECK(port_of(s) >= 32768, "it got an ephemeral port");
	EXPECT_EQ(recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len), 5, "recvfrom");
	CHECK(len == sizeof(from) && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && ntohs(from.sin_port) == port_of(s), "from the sender's address");
	send_to(s, "one", 3, port_of(r));
	send_to(s, "", 0, port_of(r));
	send_to(s, "three33", 7, port_of(r));
	poll1(r, POLLIN, 1000);
	EXPECT_EQ(recv(r, buf, sizeof(buf), MSG_PEEK), 3, "MSG_PEEK sees the first datagram");
	EXPECT_EQ(recv(r, buf, sizeof(buf), 0), 3, "which is read whole");
	EXPECT_EQ(recv(r, buf, sizeof(buf), 0), 0, "an empty datagram");
	EXPECT_EQ(recv(r, buf, 2, MSG_TRUNC), 7, "MSG_TRUNC gives the real length");
	send_to(s, "three33", 7, port_of(r));
	{
		struct iovec iov = {buf, 2};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

		EXPECT_EQ(recvmsg(r, &mh, 0), 2, "a short read");
		CHECK(mh.msg_flags & MSG_TRUNC, "says MSG_TRUNC");
	}
	EXPECT_ERRNO(recv(r, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "and loses the rest");
	EXPECT_ERRNO(recv(r, buf, 1, MSG_ERRQUEUE), EAGAIN, "MSG_ERRQUEUE: EAGAIN");
	EXPECT_ERRNO(send(s, "x", 1, 0), EDESTADDRREQ, "send without an address: EDESTADDRREQ");
	EXPECT_ERRNO(send_to(s, "x", 1, 0), EINVAL, "port 0: EINVAL");
	EXPECT_ERRNO(shutdown(s, SHUT_RD), ENOTCONN, "shutdown unconnected: ENOTCONN");
	close(s);
	close(r);
}

static void test_connected(void)
{
	int a = udp4(0), b = udp4(0), other = udp4(0), gone = udp4(0);
	uint16_t pgone = port_of(gone);
	struct sockaddr_in addr = lo4(port_of(a)), peer;
	socklen_t len = sizeof(peer);
	char buf[16];

	close(gone);
	EXPECT_OK(connect(b, (struct sockaddr *)&addr, sizeof(addr)), "connect");
	EXPECT_OK(getpeername(b, (struct sockaddr *)&peer, &len), "getpeername");
	CHECK(peer.sin_port == addr.sin_port, "is the peer");
	EXPECT_EQ(send(b, "to-a", 4, 0), 4, "send without an address");
	addr = lo4(port_of(b));
	send_to(other, "stranger", 8, port_of(b));
	send_to(a, "from-a", 6, port_of(b));
	poll1(b, POLLIN, 1000);
	EXPECT_EQ(recv(b, buf, sizeof(buf), 0), 6, "a connected socket takes its peer's datagram");
	EXPECT_ERRNO(recv(b, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "and never a stranger's");
	EXPECT_EQ(recv(a, buf, sizeof(buf), MSG_DONTWAIT), 4, "the peer got ours");

	addr = lo4(pgone);
	connect(b, (struct sockaddr *)&addr, sizeof(addr));
	EXPECT_EQ(send(b, "x", 1, 0), 1, "a send to a port nobody holds goes");
	poll1(b, POLLERR, 1000);
	EXPECT_EQ(poll1(b, POLLIN | POLLOUT, 0) & POLLERR, POLLERR, "then POLLERR");
	EXPECT_ERRNO(recv(b, buf, sizeof(buf), MSG_DONTWAIT), ECONNREFUSED, "and ECONNREFUSED on the next call");
	EXPECT_ERRNO(recv(b, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "once");
	send(b, "x", 1, 0);
	usleep(10000);
	EXPECT_ERRNO(send(b, "x", 1, 0), ECONNREFUSED, "a send reports it too");
	EXPECT_EQ(send_to(other, "x", 1, pgone), 1, "an unconnected socket hears nothing");
	usleep(10000);
	EXPECT_ERRNO(recv(other, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "no error for it");

	addr.sin_family = AF_UNSPEC;
	EXPECT_OK(connect(b, (struct sockaddr *)&addr, sizeof(addr)), "connect(AF_UNSPEC) disconnects");
	len = sizeof(peer);
	EXPECT_ERRNO(getpeername(b, (struct sockaddr *)&peer, &len), ENOTCONN, "no peer then");
	EXPECT_EQ(port_of(b), 0, "and the port bind(0) chose goes");
	EXPECT_ERRNO(send(b, "x", 1, 0), EDESTADDRREQ, "nor a default destination");
	EXPECT_EQ(port_of(b) != 0, 1, "a send binds a port again, even that one");
	close(a);
	close(b);
	close(other);
}

static void test_limits(void)
{
	static char big[65508];
	int r = udp4(SOCK_NONBLOCK), s = socket(AF_INET, SOCK_DGRAM, 0), s2, n = 0, sent = 0;
	struct sockaddr_in bc = lo4(9);
	char buf[1000];

	EXPECT_ERRNO(send_to(s, big, sizeof(big), port_of(r)), EMSGSIZE, "65508 bytes: EMSGSIZE");
	EXPECT_EQ(send_to(s, big, sizeof(big) - 1, port_of(r)), 65507, "65507 go");
	EXPECT_EQ(recv(r, big, sizeof(big), 0), 65507, "and arrive");
	seti(r, SOL_SOCKET, SO_RCVBUF, 1024);
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < 64; i++)
		sent += send_to(s, buf, sizeof(buf), port_of(r)) == (ssize_t)sizeof(buf);
	EXPECT_EQ(sent, 64, "a sender never waits for a full receiver");
	usleep(20000);
	while (recv(r, buf, sizeof(buf), 0) > 0)
		n++;
	CHECKF(n > 0 && n < 64, "a full receive buffer drops datagrams", "%d of 64 arrived", n);
	bc.sin_addr.s_addr = htonl(INADDR_BROADCAST);
	EXPECT_ERRNO(sendto(s, "x", 1, 0, (struct sockaddr *)&bc, sizeof(bc)), EACCES, "broadcast without SO_BROADCAST: EACCES");

	s2 = socket(AF_INET, SOCK_DGRAM, 0);
	bc = lo4(port_of(r));
	EXPECT_ERRNO(bind(s2, (struct sockaddr *)&bc, sizeof(bc)), EADDRINUSE, "a held port: EADDRINUSE");
	close(s2);
	close(r);
	r = socket(AF_INET, SOCK_DGRAM, 0);
	seti(r, SOL_SOCKET, SO_REUSEADDR, 1);
	bc = lo4(0);
	bind(r, (struct sockaddr *)&bc, sizeof(bc));
	s2 = socket(AF_INET, SOCK_DGRAM, 0);
	seti(s2, SOL_SOCKET, SO_REUSEADDR, 1);
	bc = lo4(port_of(r));
	EXPECT_OK(bind(s2, (struct sockaddr *)&bc, sizeof(bc)), "SO_REUSEADDR on both shares a port");
	close(s2);
	close(r);
	close(s);
}

static void test_cmsgs(void)
{
	int r = udp4(0), s = socket(AF_INET, SOCK_DGRAM, 0);
	char data[8], ctl[512];
	struct iovec iov = {data, sizeof(data)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	struct cmsghdr *c;
	int seen_pkt = 0, ttl = -1, tos = -1, ts = 0;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr smh = {0};
	struct iovec siov = {"tos", 3};
	struct sockaddr_in to = lo4(port_of(r));

	EXPECT_OK(seti(r, IPPROTO_IP, IP_PKTINFO, 1), "IP_PKTINFO");
	EXPECT_OK(seti(r, IPPROTO_IP, IP_RECVTTL, 1), "IP_RECVTTL");
	EXPECT_OK(seti(r, IPPROTO_IP, IP_RECVTOS, 1), "IP_RECVTOS");
	EXPECT_OK(seti(r, SOL_SOCKET, SO_TIMESTAMP, 1), "SO_TIMESTAMP");
	smh.msg_name = &to;
	smh.msg_namelen = sizeof(to);
	smh.msg_iov = &siov;
	smh.msg_iovlen = 1;
	smh.msg_control = u.buf;
	smh.msg_controllen = sizeof(u.buf);
	c = CMSG_FIRSTHDR(&smh);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_TOS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	*(int *)(void *)CMSG_DATA(c) = 0x20;
	EXPECT_EQ(sendmsg(s, &smh, 0), 3, "sendmsg with IP_TOS");
	EXPECT_EQ(recvmsg(r, &mh, 0), 3, "recvmsg");
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			seen_pkt = pi.ipi_ifindex == 1 && pi.ipi_addr.s_addr == htonl(INADDR_LOOPBACK);
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) {
			tos = *(unsigned char *)CMSG_DATA(c);
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMP) {
			ts = c->cmsg_len == CMSG_LEN(sizeof(struct timeval));
		}
	}
	CHECK(seen_pkt, "IP_PKTINFO: lo, 127.0.0.1");
	EXPECT_EQ(ttl, 64, "IP_TTL: 64");
	EXPECT_EQ(tos, 0x20, "IP_TOS: what the sender asked");
	CHECK(ts, "SCM_TIMESTAMP: a timeval");
	c = CMSG_FIRSTHDR(&smh);
	c->cmsg_type = IP_TTL;
	*(int *)(void *)CMSG_DATA(c) = 0;
	EXPECT_ERRNO(sendmsg(s, &smh, 0), EINVAL, "IP_TTL 0 in a cmsg: EINVAL");
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	*(int *)(void *)CMSG_DATA(c) = 9999;
	EXPECT_EQ(sendmsg(s, &smh, 0), 3, "SCM_RIGHTS is ignored (it is AF_UNIX's)");
	EXPECT_EQ(recvmsg(r, &mh, 0), 3, "and the datagram goes");
	c->cmsg_type = 99;
	EXPECT_ERRNO(sendmsg(s, &smh, 0), EINVAL, "an unknown SOL_SOCKET cmsg: EINVAL");
	close(r);
	close(s);
}

static void test_ipv6(void)
{
	int r = socket(AF_INET6, SOCK_DGRAM, 0), s = socket(AF_INET, SOCK_DGRAM, 0), s6 = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6}, from;
	socklen_t len = sizeof(from);
	char buf[64], text[64], ctl[256];
	struct iovec iov = {buf, sizeof(buf)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl), .msg_name = &from, .msg_namelen = sizeof(from)};
	struct cmsghdr *c;
	int hops = -1, pkt = 0;

	a6.sin6_addr = in6addr_any;
	bind(r, (struct sockaddr *)&a6, sizeof(a6));
	EXPECT_EQ(send_to(s, "v4", 2, port_of(r)), 2, "IPv4 to a [::] socket");
	EXPECT_EQ(recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len), 2, "arrives");
	inet_ntop(AF_INET6, &from.sin6_addr, text, sizeof(text));
	CHECKF(len == sizeof(from) && !strcmp(text, "::ffff:127.0.0.1"), "from ::ffff:127.0.0.1", "%s", text);
	seti(r, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
	seti(r, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
	a6.sin6_addr = in6addr_loopback;
	a6.sin6_port = htons(port_of(r));
	EXPECT_EQ(sendto(s6, "v6", 2, 0, (struct sockaddr *)&a6, sizeof(a6)), 2, "sendto [::1]");
	EXPECT_EQ(recvmsg(r, &mh, 0), 2, "recvmsg");
	inet_ntop(AF_INET6, &from.sin6_addr, text, sizeof(text));
	CHECKF(!strcmp(text, "::1"), "from ::1", "%s", text);
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)
			memcpy(&hops, CMSG_DATA(c), sizeof(hops));
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			pkt = pi.ipi6_ifindex == 1 && IN6_IS_ADDR_LOOPBACK(&pi.ipi6_addr);
		}
	}
	EXPECT_EQ(hops, 64, "IPV6_HOPLIMIT 64");
	CHECK(pkt, "IPV6_PKTINFO: lo, ::1");
	close(r);
	close(s);
	close(s6);
}

static void test_ioctl_poll_mmsg(void)
{
	int r = udp4(SOCK_NONBLOCK), s = socket(AF_INET, SOCK_DGRAM, 0), n = -1;
	struct sockaddr_in to = lo4(port_of(r));
	struct mmsghdr m[3];
	struct iovec iov[3];
	char bufs[3][8];

	EXPECT_EQ(poll1(r, POLLIN | POLLOUT, 0), POLLOUT, "an idle socket polls POLLOUT");
	ioctl(r, FIONREAD, &n);
	EXPECT_EQ(n, 0, "FIONREAD 0");
	send_to(s, "12345", 5, port_of(r));
	send_to(s, "12", 2, port_of(r));
	EXPECT_EQ(poll1(r, POLLIN, 1000), POLLIN, "POLLIN once a datagram waits");
	ioctl(r, FIONREAD, &n);
	EXPECT_EQ(n, 5, "FIONREAD is the first datagram's size");
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 3; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	EXPECT_EQ(recvmmsg(r, m, 3, 0, NULL), 2, "recvmmsg takes both");
	EXPECT_EQ(m[0].msg_len + m[1].msg_len, 7, "with their lengths");
	for (int i = 0; i < 3; i++) {
		m[i].msg_hdr.msg_name = &to;
		m[i].msg_hdr.msg_namelen = sizeof(to);
	}
	EXPECT_EQ(sendmmsg(s, m, 3, 0), 3, "sendmmsg sends three");
	usleep(10000);
	EXPECT_EQ(recvmmsg(r, m, 3, MSG_DONTWAIT, NULL), 3, "all arrive");
	close(r);
	close(s);
}

static void test_proc_net(void)
{
	int r = udp4(0);
	char want[32], line[256];
	FILE *f = fopen("/proc/net/udp", "r");
	int found = 0;

	snprintf(want, sizeof(want), "0100007F:%04X 00000000:0000 07", port_of(r));
	CHECK(f != NULL, "open /proc/net/udp");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f))
		CHECK(!strncmp(line, "   sl  local_address rem_address   st", 37), "its header");
	while (fgets(line, sizeof(line), f))
		found += strstr(line, want) != NULL;
	EXPECT_EQ(found, 1, "the bound socket's line");
	fclose(f);
	close(r);
}

static struct sockaddr_in6 lo6(uint16_t port)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port)};

	a.sin6_addr = in6addr_loopback;
	return a;
}

/* A datagram socket of `proto` (UDP or UDP-Lite) bound to lo's address of
 * `family` (127.0.0.1 or ::1) and `port` (0: bind picks one); -1 with
 * errno on failure. */
static int dgram_bound(int family, int proto, uint16_t port)
{
	struct sockaddr_in a4 = lo4(port);
	struct sockaddr_in6 a6 = lo6(port);
	int s = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, proto), err;

	if (s < 0)
		return -1;
	if (family == AF_INET ? bind(s, (struct sockaddr *)&a4, sizeof(a4)) : bind(s, (struct sockaddr *)&a6, sizeof(a6))) {
		err = errno;
		close(s);
		errno = err;
		return -1;
	}
	return s;
}

static ssize_t send_to_fam(int s, int family, const void *buf, size_t len, uint16_t port)
{
	struct sockaddr_in6 a6 = lo6(port);

	if (family == AF_INET)
		return send_to(s, buf, len, port);
	return sendto(s, buf, len, 0, (struct sockaddr *)&a6, sizeof(a6));
}

static int geti(int fd, int level, int name)
{
	int v = -12345;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, name, &v, &len) < 0)
		return -errno - 100000;
	return v;
}

/* Datagrams between UDP-Lite sockets over 127.0.0.1 and ::1. */
static void test_udplite(void)
{
	static const int fams[] = {AF_INET, AF_INET6};
	char buf[64];

	EXPECT_ERRNO(socket(AF_INET, SOCK_STREAM, IPPROTO_UDPLITE), EPROTONOSUPPORT, "UDP-Lite is datagrams only");
	for (int i = 0; i < 2; i++) {
		int fam = fams[i], r = dgram_bound(fam, IPPROTO_UDPLITE, 0), s = socket(fam, SOCK_DGRAM, IPPROTO_UDPLITE);
		const char *v = fam == AF_INET ? "v4" : "v6";
		struct sockaddr_storage from;
		socklen_t len = sizeof(from);

		CHECKF(r >= 0 && s >= 0, "UDP-Lite sockets", "%s: errno %d", v, errno);
		if (r < 0 || s < 0)
			return;
		EXPECT_EQ(geti(r, SOL_SOCKET, SO_PROTOCOL), IPPROTO_UDPLITE, "SO_PROTOCOL: 136");
		EXPECT_EQ(geti(r, SOL_SOCKET, SO_TYPE), SOCK_DGRAM, "SO_TYPE: SOCK_DGRAM");
		EXPECT_EQ(send_to_fam(s, fam, "lite!", 5, port_of(r)), 5, "a UDP-Lite sendto");
		CHECK(port_of(s) >= 32768, "binds an ephemeral port");
		EXPECT_EQ(recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len), 5, "a UDP-Lite socket gets it");
		CHECK(!memcmp(buf, "lite!", 5) && from.ss_family == fam, "whole, from the sender's family");
		CHECK(fam == AF_INET ? ntohs(((struct sockaddr_in *)&from)->sin_port) == port_of(s) : ntohs(((struct sockaddr_in6 *)&from)->sin6_port) == port_of(s), "and its port");
		close(r);
		close(s);
	}
}

/* UDP and UDP-Lite have separate port tables: the same port twice, and
 * neither protocol's datagrams reach the other's sockets. */
static void test_udplite_ports(void)
{
	int lite = dgram_bound(AF_INET, IPPROTO_UDPLITE, 0), udp, lite2, s_lite, s_udp, only_udp, c;
	uint16_t port = port_of(lite);
	struct sockaddr_in a;
	char buf[16];

	udp = dgram_bound(AF_INET, IPPROTO_UDP, port);
	CHECKF(udp >= 0, "a UDP socket binds the port a UDP-Lite one holds", "errno %d", errno);
	lite2 = dgram_bound(AF_INET, IPPROTO_UDPLITE, port);
	EXPECT_EQ(lite2 < 0 ? errno : 0, EADDRINUSE, "a second UDP-Lite one: EADDRINUSE");
	if (lite2 >= 0)
		close(lite2);
	s_lite = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
	s_udp = socket(AF_INET, SOCK_DGRAM, 0);
	EXPECT_EQ(send_to(s_lite, "L", 1, port), 1, "UDP-Lite to the shared port");
	EXPECT_EQ(send_to(s_udp, "U", 1, port), 1, "UDP to the shared port");
	poll1(lite, POLLIN, 1000);
	poll1(udp, POLLIN, 1000);
	usleep(10000);
	EXPECT_EQ(recv(lite, buf, sizeof(buf), MSG_DONTWAIT), 1, "the UDP-Lite socket gets one");
	CHECK(buf[0] == 'L', "the UDP-Lite one");
	EXPECT_ERRNO(recv(lite, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "and no more");
	EXPECT_EQ(recv(udp, buf, sizeof(buf), MSG_DONTWAIT), 1, "the UDP socket gets one");
	CHECK(buf[0] == 'U', "the UDP one");
	EXPECT_ERRNO(recv(udp, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "and no more");

	only_udp = dgram_bound(AF_INET, IPPROTO_UDP, 0);
	c = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
	a = lo4(port_of(only_udp));
	EXPECT_OK(connect(c, (struct sockaddr *)&a, sizeof(a)), "connect UDP-Lite to a port only UDP holds");
	EXPECT_EQ(send(c, "x", 1, 0), 1, "the send goes");
	poll1(c, POLLERR, 1000);
	EXPECT_ERRNO(recv(c, buf, sizeof(buf), MSG_DONTWAIT), ECONNREFUSED, "but no UDP-Lite socket is there: ECONNREFUSED");
	EXPECT_ERRNO(recv(only_udp, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "and the UDP socket got nothing");
	close(c);
	close(only_udp);
	close(s_lite);
	close(s_udp);
	if (udp >= 0)
		close(udp);
	close(lite);
}

/* The coverage options (udp_lib_setsockopt, udp_lib_getsockopt). */
static void test_udplite_opts(void)
{
	static const int set[] = {0, 1, 7, 8, 20, 65535, 65536, -1, 0x7fffffff};
	static const int got[] = {0, 8, 8, 8, 20, 65535, 65535, 8, 65535};
	int lite = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDPLITE), udp = socket(AF_INET, SOCK_DGRAM, 0);
	int tcp = socket(AF_INET, SOCK_STREAM, 0), ok_send = 1, ok_recv = 1, v = 20;
	socklen_t len;
	short half = 0;

	EXPECT_EQ(geti(lite, SOL_UDPLITE, UDPLITE_SEND_CSCOV), 0, "UDPLITE_SEND_CSCOV starts at 0");
	EXPECT_EQ(geti(lite, SOL_UDPLITE, UDPLITE_RECV_CSCOV), 0, "UDPLITE_RECV_CSCOV starts at 0");
	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
		if (seti(lite, SOL_UDPLITE, UDPLITE_SEND_CSCOV, set[i]) || geti(lite, SOL_UDPLITE, UDPLITE_SEND_CSCOV) != got[i])
			ok_send = 0;
		if (seti(lite, SOL_UDP, UDPLITE_RECV_CSCOV, set[i]) || geti(lite, SOL_UDPLITE, UDPLITE_RECV_CSCOV) != got[i])
			ok_recv = 0;
	}
	CHECK(ok_send, "UDPLITE_SEND_CSCOV: 1..7 become 8, past 65535 65535, 0 stays");
	CHECK(ok_recv, "UDPLITE_RECV_CSCOV the same, set at SOL_UDP");
	EXPECT_OK(seti(lite, SOL_UDPLITE, UDPLITE_SEND_CSCOV, 20), "set 20");
	EXPECT_EQ(geti(lite, SOL_UDP, UDPLITE_SEND_CSCOV), 20, "read back at SOL_UDP");
	EXPECT_ERRNO(setsockopt(lite, SOL_UDPLITE, UDPLITE_SEND_CSCOV, &v, 2), EINVAL, "a short value: EINVAL");
	len = sizeof(half);
	EXPECT_OK(getsockopt(lite, SOL_UDPLITE, UDPLITE_SEND_CSCOV, &half, &len), "a short getsockopt");
	CHECK(len == 2 && half == 20, "gets the first two bytes");
	len = (socklen_t)-1;
	EXPECT_ERRNO(getsockopt(lite, SOL_UDPLITE, UDPLITE_SEND_CSCOV, &v, &len), EINVAL, "a negative length: EINVAL");
	EXPECT_ERRNO(seti(lite, SOL_UDPLITE, 12, 1), ENOPROTOOPT, "an unknown SOL_UDPLITE option: ENOPROTOOPT");
	EXPECT_OK(seti(lite, SOL_UDPLITE, UDP_CORK, 1), "UDP_CORK at SOL_UDPLITE");
	EXPECT_EQ(geti(lite, SOL_UDP, UDP_CORK), 1, "is SOL_UDP's UDP_CORK");
	seti(lite, SOL_UDP, UDP_CORK, 0);
	EXPECT_OK(seti(lite, IPPROTO_IPV6, IPV6_V6ONLY, 1), "IPv6 options still work");

	EXPECT_EQ(geti(udp, SOL_UDPLITE, UDPLITE_SEND_CSCOV), 0, "a UDP socket reads SEND_CSCOV 0");
	EXPECT_EQ(geti(udp, SOL_UDP, UDPLITE_RECV_CSCOV), 0, "and RECV_CSCOV 0, at SOL_UDP too");
	EXPECT_ERRNO(seti(udp, SOL_UDPLITE, UDPLITE_SEND_CSCOV, 20), ENOPROTOOPT, "but cannot set them: ENOPROTOOPT");
	EXPECT_ERRNO(seti(udp, SOL_UDP, UDPLITE_RECV_CSCOV, 20), ENOPROTOOPT, "at either level");
	EXPECT_ERRNO(setsockopt(udp, SOL_UDP, UDPLITE_RECV_CSCOV, &v, 2), EINVAL, "a short value is EINVAL first");
	EXPECT_OK(seti(udp, SOL_UDPLITE, UDP_CORK, 1), "a UDP socket takes UDP_CORK at SOL_UDPLITE");
	EXPECT_EQ(geti(udp, SOL_UDP, UDP_CORK), 1, "as SOL_UDP's");
	EXPECT_EQ(geti(tcp, SOL_UDPLITE, UDPLITE_SEND_CSCOV), -EOPNOTSUPP - 100000, "a TCP socket's getsockopt: EOPNOTSUPP (IP's for a level not its own)");
	EXPECT_ERRNO(seti(tcp, SOL_UDPLITE, UDP_CORK, 1), ENOPROTOOPT, "its setsockopt: ENOPROTOOPT");
	close(lite);
	close(udp);
	close(tcp);
}

/* A datagram covered less than its receiver demands is dropped
 * (udp_queue_rcv_one_skb), over `fam`. */
static void coverage_case(int fam)
{
	/* receivers: never set, RECV_CSCOV 20, 30, 0 (full coverage) */
	static const int want[] = {-1, 20, 30, 0};
	int r[4], s = socket(fam, SOCK_DGRAM, IPPROTO_UDPLITE), got[3][4];
	char payload[100], buf[128];

	memset(payload, 'c', sizeof(payload));
	for (int i = 0; i < 4; i++) {
		r[i] = dgram_bound(fam, IPPROTO_UDPLITE, 0);
		if (want[i] >= 0)
			seti(r[i], SOL_UDPLITE, UDPLITE_RECV_CSCOV, want[i]);
	}
	/* coverage 20 of 108 bytes; then 0 (all); then 200, past the
	 * datagram, which also means all */
	for (int round = 0; round < 3; round++) {
		seti(s, SOL_UDPLITE, UDPLITE_SEND_CSCOV, round == 0 ? 20 : round == 1 ? 0 : 200);
		for (int i = 0; i < 4; i++)
			send_to_fam(s, fam, payload, sizeof(payload), port_of(r[i]));
		usleep(10000);
		for (int i = 0; i < 4; i++) {
			poll1(r[i], POLLIN, round == 0 && i >= 2 ? 0 : 1000);
			got[round][i] = (int)recv(r[i], buf, sizeof(buf), MSG_DONTWAIT);
		}
	}
	CHECKF(got[0][0] == 100 && got[0][1] == 100, "partial coverage 20 reaches receivers asking 20 or nothing", "%s: %d %d", fam == AF_INET ? "v4" : "v6", got[0][0], got[0][1]);
	CHECKF(got[0][2] < 0 && got[0][3] < 0, "not those asking 30 or full coverage", "%s: %d %d", fam == AF_INET ? "v4" : "v6", got[0][2], got[0][3]);
	CHECKF(got[1][0] == 100 && got[1][1] == 100 && got[1][2] == 100 && got[1][3] == 100, "full coverage reaches all", "%s", fam == AF_INET ? "v4" : "v6");
	CHECKF(got[2][0] == 100 && got[2][1] == 100 && got[2][2] == 100 && got[2][3] == 100, "a coverage past the datagram is full coverage", "%s", fam == AF_INET ? "v4" : "v6");
	for (int i = 0; i < 4; i++)
		close(r[i]);
	close(s);
}

static void test_udplite_coverage(void)
{
	int r = dgram_bound(AF_INET, IPPROTO_UDPLITE, 0), s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);

	coverage_case(AF_INET);
	coverage_case(AF_INET6);
	EXPECT_OK(seti(s, SOL_UDP, UDP_SEGMENT, 1000), "UDP_SEGMENT on UDP-Lite");
	EXPECT_ERRNO(send_to(s, "x", 1, port_of(r)), EIO, "then a send: EIO (no offload for UDP-Lite)");
	close(r);
	close(s);
}

/* /proc/net/udplite and udplite6 list UDP-Lite's bound sockets. */
static int proc_count(const char *path, const char *header, const char *want)
{
	char line[256];
	FILE *f = fopen(path, "r");
	int found = 0;

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f) || strncmp(line, header, strlen(header)))
		found = -2;
	while (found >= 0 && fgets(line, sizeof(line), f))
		found += strstr(line, want) != NULL;
	fclose(f);
	return found;
}

static void test_udplite_proc(void)
{
	int r4 = dgram_bound(AF_INET, IPPROTO_UDPLITE, 0), r6 = dgram_bound(AF_INET6, IPPROTO_UDPLITE, 0);
	char want[64];

	snprintf(want, sizeof(want), "0100007F:%04X 00000000:0000 07", port_of(r4));
	EXPECT_EQ(proc_count("/proc/net/udplite", "   sl  local_address rem_address   st", want), 1, "/proc/net/udplite: the bound socket's line");
	snprintf(want, sizeof(want), "00000000000000000000000001000000:%04X", port_of(r6));
	EXPECT_EQ(proc_count("/proc/net/udplite6", "  sl  local_address                         remote_address", want), 1, "/proc/net/udplite6: the bound socket's line");
	close(r4);
	close(r6);
}

int main(void)
{
	it_begin(30);
	test_basics();
	test_connected();
	test_limits();
	test_cmsgs();
	test_ipv6();
	test_ioctl_poll_mmsg();
	test_proc_net();
	test_udplite();
	test_udplite_ports();
	test_udplite_opts();
	test_udplite_coverage();
	test_udplite_proc();
	return it_end();
}
