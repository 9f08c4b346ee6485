/* t_inet_tcp: TCP over 127.0.0.1 and ::1: socket(2) errors, binding
 * (wildcard and specific addresses, ephemeral ports, SO_REUSEADDR,
 * SO_REUSEPORT, IPV6_V6ONLY and mapped addresses), connect/accept and the
 * names they give, ECONNREFUSED, non-blocking connect, half-close, RST on
 * close with unread data and with SO_LINGER 0, writes to a closed peer
 * (EPIPE, SIGPIPE), MSG_PEEK/MSG_WAITALL/MSG_DONTWAIT, FIONREAD, poll and
 * epoll, TCP and IP options, TCP_INFO, a 1 MiB transfer between processes,
 * and /proc/net/tcp. Ports come from bind(0) and are never printed. */
#include "itest.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static struct sockaddr_in lo4(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static struct sockaddr_in6 lo6(uint16_t port)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port)};

	a.sin6_addr = in6addr_loopback;
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

/* A listener on 127.0.0.1, port from bind(0). */
static int listen4(int backlog)
{
	struct sockaddr_in a = lo4(0);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, backlog) < 0)
		return -1;
	return s;
}

static int connect4(uint16_t port, int flags)
{
	struct sockaddr_in a = lo4(port);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);

	if (c < 0)
		return -1;
	if (connect(c, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS) {
		close(c);
		return -1;
	}
	return c;
}

/* A connected pair over 127.0.0.1: *c the client, *a the accepted one. */
static int tcp_pair(int *c, int *a)
{
	int l = listen4(4);

	if (l < 0)
		return -1;
	*c = connect4(port_of(l), 0);
	*a = *c < 0 ? -1 : accept(l, NULL, NULL);
	close(l);
	return *a < 0 ? -1 : 0;
}

static short poll1(int fd, short events, int ms)
{
	struct pollfd p = {.fd = fd, .events = events};

	if (poll(&p, 1, ms) < 0)
		return -1;
	return p.revents;
}

static int geti(int fd, int level, int name)
{
	int v = -12345;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, name, &v, &len) < 0)
		return -errno - 1000;
	return v;
}

static int seti(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

static void test_socket_errors(void)
{
	int s;

	EXPECT_ERRNO(socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT, "SOCK_SEQPACKET: ESOCKTNOSUPPORT");
	EXPECT_ERRNO(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT, "stream with IPPROTO_UDP: EPROTONOSUPPORT");
	EXPECT_ERRNO(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT, "dgram with IPPROTO_TCP: EPROTONOSUPPORT");
	EXPECT_ERRNO(socketpair(AF_INET, SOCK_STREAM, 0, (int[2]){0}), EOPNOTSUPP, "socketpair(AF_INET): EOPNOTSUPP");
	s = socket(AF_INET6, SOCK_STREAM, 0);
	EXPECT_EQ(geti(s, SOL_SOCKET, SO_TYPE), SOCK_STREAM, "SO_TYPE");
	EXPECT_EQ(geti(s, SOL_SOCKET, SO_PROTOCOL), IPPROTO_TCP, "SO_PROTOCOL is IPPROTO_TCP for protocol 0");
	EXPECT_EQ(geti(s, SOL_SOCKET, SO_DOMAIN), AF_INET6, "SO_DOMAIN");
	EXPECT_EQ(geti(s, SOL_SOCKET, SO_ACCEPTCONN), 0, "SO_ACCEPTCONN before listen");
	close(s);
}

static void test_fresh_socket(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	char c;
	int before = sigpipes;

	EXPECT_OK(getsockname(s, (struct sockaddr *)&a, &len), "getsockname of a fresh socket");
	CHECK(len == sizeof(a) && a.sin_addr.s_addr == 0 && a.sin_port == 0, "it is 0.0.0.0:0");
	EXPECT_ERRNO(getpeername(s, (struct sockaddr *)&a, &len), ENOTCONN, "getpeername: ENOTCONN");
	EXPECT_ERRNO(send(s, "x", 1, 0), EPIPE, "send before connect: EPIPE");
	EXPECT_EQ(sigpipes - before, 1, "with SIGPIPE");
	EXPECT_ERRNO(send(s, "x", 1, MSG_NOSIGNAL), EPIPE, "MSG_NOSIGNAL: EPIPE");
	EXPECT_EQ(sigpipes - before, 1, "without SIGPIPE");
	EXPECT_ERRNO(recv(s, &c, 1, 0), ENOTCONN, "recv before connect: ENOTCONN");
	EXPECT_EQ(poll1(s, POLLIN | POLLOUT, 0), POLLOUT | POLLHUP, "poll: POLLOUT|POLLHUP");
	EXPECT_ERRNO(shutdown(s, SHUT_WR), ENOTCONN, "shutdown: ENOTCONN");
	EXPECT_ERRNO(accept(s, NULL, NULL), EINVAL, "accept without listen: EINVAL");
	close(s);
}

static void test_bind(void)
{
	struct sockaddr_in a = lo4(0);
	struct sockaddr_in6 a6 = lo6(0);
	int s = socket(AF_INET, SOCK_STREAM, 0), s2;
	uint16_t p;

	EXPECT_ERRNO(bind(s, (struct sockaddr *)&a, sizeof(a) - 1), EINVAL, "short address: EINVAL");
	a.sin_family = AF_INET6;
	EXPECT_ERRNO(bind(s, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT, "AF_INET6 address on AF_INET: EAFNOSUPPORT");
	a.sin_family = AF_UNSPEC;
	EXPECT_ERRNO(bind(s, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT, "AF_UNSPEC with 127.0.0.1: EAFNOSUPPORT");
	a = lo4(0);
	a.sin_addr.s_addr = inet_addr("192.0.2.1");
	EXPECT_ERRNO(bind(s, (struct sockaddr *)&a, sizeof(a)), EADDRNOTAVAIL, "a non-local address: EADDRNOTAVAIL");
	a = lo4(0);
	a.sin_addr.s_addr = inet_addr("127.1.2.3");
	EXPECT_OK(bind(s, (struct sockaddr *)&a, sizeof(a)), "bind to 127.1.2.3 (all of 127/8 is local)");
	p = port_of(s);
	CHECK(p >= 32768 && p <= 60999, "port 0 gives an ephemeral port");
	EXPECT_ERRNO(bind(s, (struct sockaddr *)&a, sizeof(a)), EINVAL, "bind twice: EINVAL");
	close(s);
	s = socket(AF_INET, SOCK_STREAM, 0);
	a = lo4(0);
	a.sin_family = AF_UNSPEC;
	a.sin_addr.s_addr = 0;
	EXPECT_OK(bind(s, (struct sockaddr *)&a, sizeof(a)), "AF_UNSPEC with INADDR_ANY binds");
	close(s);

	/* Wildcard and specific on one port. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	a = lo4(0);
	a.sin_addr.s_addr = 0;
	bind(s, (struct sockaddr *)&a, sizeof(a));
	p = port_of(s);
	s2 = socket(AF_INET, SOCK_STREAM, 0);
	a = lo4(p);
	EXPECT_ERRNO(bind(s2, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE, "127.0.0.1 on a port 0.0.0.0 holds: EADDRINUSE");
	close(s2);
	s2 = socket(AF_INET6, SOCK_STREAM, 0);
	a6 = lo6(p);
	a6.sin6_addr = in6addr_any;
	EXPECT_ERRNO(bind(s2, (struct sockaddr *)&a6, sizeof(a6)), EADDRINUSE, "[::] on it too (dual stack)");
	seti(s2, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	EXPECT_OK(bind(s2, (struct sockaddr *)&a6, sizeof(a6)), "[::] with IPV6_V6ONLY binds");
	EXPECT_ERRNO(seti(s2, IPPROTO_IPV6, IPV6_V6ONLY, 0), EINVAL, "IPV6_V6ONLY once bound: EINVAL");
	close(s2);
	close(s);
	s = socket(AF_INET6, SOCK_STREAM, 0);
	seti(s, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	a6 = lo6(0);
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &a6.sin6_addr);
	EXPECT_ERRNO(bind(s, (struct sockaddr *)&a6, sizeof(a6)), EINVAL, "a mapped address on a V6ONLY socket: EINVAL");
	a6 = lo6(0);
	EXPECT_ERRNO(bind(s, (struct sockaddr *)&a6, 23), EINVAL, "sockaddr_in6 under 24 bytes: EINVAL");
	EXPECT_OK(bind(s, (struct sockaddr *)&a6, 24), "24 bytes (RFC 2133) will do");
	close(s);
}

static void test_connect_accept(void)
{
	struct sockaddr_in ca, aa, peer;
	socklen_t len;
	int l = listen4(4), c, a;
	uint16_t p = port_of(l);
	char buf[16] = {0};

	EXPECT_EQ(geti(l, SOL_SOCKET, SO_ACCEPTCONN), 1, "SO_ACCEPTCONN after listen");
	EXPECT_EQ(poll1(l, POLLIN | POLLOUT, 0), 0, "an idle listener polls nothing");
	c = connect4(p, 0);
	CHECK(c >= 0, "connect to 127.0.0.1");
	EXPECT_EQ(poll1(l, POLLIN, 1000), POLLIN, "the listener is readable");
	len = sizeof(peer);
	a = accept(l, (struct sockaddr *)&peer, &len);
	CHECK(a >= 0, "accept");
	len = sizeof(ca);
	getsockname(c, (struct sockaddr *)&ca, &len);
	CHECK(ca.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && ntohs(ca.sin_port) >= 32768, "the client is 127.0.0.1, ephemeral port");
	CHECK(peer.sin_port == ca.sin_port && peer.sin_addr.s_addr == ca.sin_addr.s_addr, "accept's address is the client's");
	len = sizeof(aa);
	getsockname(a, (struct sockaddr *)&aa, &len);
	CHECK(ntohs(aa.sin_port) == p && aa.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "the accepted socket is the listener's address");
	len = sizeof(peer);
	getpeername(c, (struct sockaddr *)&peer, &len);
	CHECK(ntohs(peer.sin_port) == p, "the client's peer is the listener's port");
	EXPECT_EQ(send(c, "ping", 4, 0), 4, "send");
	EXPECT_EQ(recv(a, buf, sizeof(buf), 0), 4, "recv");
	CHECK(!memcmp(buf, "ping", 4), "the bytes arrive");
	close(c);
	close(a);
	/* 0.0.0.0 as a destination is this host. */
	{
		struct sockaddr_in any = lo4(p);

		any.sin_addr.s_addr = 0;
		c = socket(AF_INET, SOCK_STREAM, 0);
		EXPECT_OK(connect(c, (struct sockaddr *)&any, sizeof(any)), "connect to 0.0.0.0 reaches 127.0.0.1");
		a = accept(l, NULL, NULL);
		CHECK(a >= 0, "and is accepted");
		close(a);
		EXPECT_ERRNO(connect(c, (struct sockaddr *)&any, sizeof(any)), EISCONN, "connect while connected: EISCONN");
		close(c);
	}
	EXPECT_ERRNO(connect(l, (struct sockaddr *)&ca, sizeof(ca)), EISCONN, "connect on a listener: EISCONN");
	close(l);
}

static void test_refused_and_nonblocking(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), c, l, a;
	struct sockaddr_in addr;
	uint16_t p;
	int err;
	socklen_t len = sizeof(err);
	short ev;

	addr = lo4(0);
	bind(s, (struct sockaddr *)&addr, sizeof(addr));
	p = port_of(s);
	close(s); /* nothing holds the port any more */
	c = socket(AF_INET, SOCK_STREAM, 0);
	addr = lo4(p);
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&addr, sizeof(addr)), ECONNREFUSED, "connect to a closed port: ECONNREFUSED");
	close(c);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&addr, sizeof(addr)), EINPROGRESS, "non-blocking: EINPROGRESS");
	ev = poll1(c, POLLIN | POLLOUT, 1000);
	CHECKF((ev & (POLLERR | POLLHUP | POLLOUT)) == (POLLERR | POLLHUP | POLLOUT), "then POLLERR|POLLHUP|POLLOUT", "revents 0x%x", ev);
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&addr, sizeof(addr)), ECONNREFUSED, "the next connect says ECONNREFUSED");
	close(c);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	connect(c, (struct sockaddr *)&addr, sizeof(addr));
	poll1(c, POLLOUT, 1000);
	getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len);
	EXPECT_EQ(err, ECONNREFUSED, "or SO_ERROR does");
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&addr, sizeof(addr)), ECONNABORTED, "and then connect says ECONNABORTED");
	close(c);

	l = listen4(4);
	addr = lo4(port_of(l));
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&addr, sizeof(addr)), EINPROGRESS, "non-blocking connect to a listener: EINPROGRESS");
	EXPECT_EQ(poll1(c, POLLOUT, 1000) & POLLOUT, POLLOUT, "then POLLOUT");
	err = -1;
	getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len);
	EXPECT_EQ(err, 0, "SO_ERROR 0");
	EXPECT_OK(connect(c, (struct sockaddr *)&addr, sizeof(addr)), "the next connect says it is done");
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&addr, sizeof(addr)), EISCONN, "and then EISCONN");
	a = accept4(l, NULL, NULL, SOCK_NONBLOCK);
	CHECK(a >= 0, "accept4(SOCK_NONBLOCK)");
	EXPECT_ERRNO(recv(a, (char[1]){0}, 1, 0), EAGAIN, "which gives a non-blocking socket");
	close(a);
	close(c);
	close(l);
}

static void test_half_close_and_reset(void)
{
	int c, a, before;
	char buf[8];
	struct linger lg = {1, 0};

	tcp_pair(&c, &a);
	EXPECT_OK(shutdown(c, SHUT_WR), "shutdown(SHUT_WR)");
	EXPECT_EQ(recv(a, buf, sizeof(buf), 0), 0, "the peer reads EOF");
	EXPECT_EQ(poll1(a, POLLIN | POLLRDHUP, 0), POLLIN | POLLRDHUP, "and polls POLLIN|POLLRDHUP");
	EXPECT_EQ(send(a, "back", 4, 0), 4, "the peer can still write");
	EXPECT_EQ(recv(c, buf, sizeof(buf), 0), 4, "and we read it");
	EXPECT_ERRNO(send(c, "x", 1, MSG_NOSIGNAL), EPIPE, "our writes: EPIPE");
	close(a);
	EXPECT_EQ(recv(c, buf, sizeof(buf), 0), 0, "the peer's close is EOF");
	close(c);

	/* Unread data at close: RST. */
	tcp_pair(&c, &a);
	send(c, "unread", 6, 0);
	send(a, "data", 4, 0);
	poll1(a, POLLIN, 1000);
	close(a);
	EXPECT_EQ(recv(c, buf, 4, 0), 4, "data sent before the RST is still read");
	EXPECT_ERRNO(recv(c, buf, sizeof(buf), 0), ECONNRESET, "then ECONNRESET");
	EXPECT_EQ(recv(c, buf, sizeof(buf), 0), 0, "then EOF");
	EXPECT_ERRNO(getpeername(c, (struct sockaddr *)&(struct sockaddr_in){0}, &(socklen_t){16}), ENOTCONN, "a reset socket has no peer");
	close(c);

	/* SO_LINGER 0: RST. */
	tcp_pair(&c, &a);
	setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(a);
	EXPECT_ERRNO(recv(c, buf, sizeof(buf), 0), ECONNRESET, "SO_LINGER 0 close: ECONNRESET");
	close(c);

	/* A write to a closed peer goes; the RST makes the next EPIPE. */
	tcp_pair(&c, &a);
	close(a);
	poll1(c, POLLRDHUP, 1000);
	before = sigpipes;
	EXPECT_EQ(send(c, "x", 1, 0), 1, "the first write after the peer closed goes");
	usleep(20000);
	EXPECT_ERRNO(send(c, "x", 1, 0), EPIPE, "the second: EPIPE");
	EXPECT_EQ(sigpipes - before, 1, "with SIGPIPE");
	EXPECT_ERRNO(send(c, "x", 1, MSG_NOSIGNAL), EPIPE, "again EPIPE");
	EXPECT_EQ(recv(c, buf, sizeof(buf), 0), 0, "and reads are EOF");
	close(c);
}

static void test_flags_and_ioctls(void)
{
	int c, a, n = -1;
	char buf[16];
	pid_t pid;

	tcp_pair(&c, &a);
	EXPECT_ERRNO(recv(a, buf, 1, MSG_DONTWAIT), EAGAIN, "MSG_DONTWAIT: EAGAIN");
	send(c, "abcdef", 6, 0);
	poll1(a, POLLIN, 1000);
	ioctl(a, FIONREAD, &n);
	EXPECT_EQ(n, 6, "FIONREAD");
	EXPECT_EQ(recv(a, buf, 3, MSG_PEEK), 3, "MSG_PEEK");
	EXPECT_EQ(recv(a, buf, sizeof(buf), 0), 6, "the peeked bytes are still there");
	CHECK(!memcmp(buf, "abcdef", 6), "in order");
	n = -1;
	ioctl(c, TIOCOUTQ, &n);
	EXPECT_EQ(n, 0, "SIOCOUTQ 0 once read");
	pid = it_fork();
	if (pid == 0) {
		send(c, "12", 2, 0);
		usleep(50000);
		send(c, "345", 3, 0);
		_exit(0);
	}
	EXPECT_EQ(recv(a, buf, 5, MSG_WAITALL), 5, "MSG_WAITALL gathers two writes");
	it_wait(pid);
	EXPECT_ERRNO(recv(a, buf, 1, MSG_OOB), EINVAL, "MSG_OOB without urgent data: EINVAL");
	EXPECT_ERRNO(recv(a, buf, 1, MSG_ERRQUEUE), EAGAIN, "MSG_ERRQUEUE: EAGAIN");
	close(c);
	close(a);
}

static void test_options(void)
{
	int c, a, l = socket(AF_INET, SOCK_STREAM, 0);
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	char cc[16] = {0};

	EXPECT_EQ(geti(l, IPPROTO_TCP, TCP_NODELAY), 0, "TCP_NODELAY off");
	EXPECT_OK(seti(l, IPPROTO_TCP, TCP_NODELAY, 1), "set TCP_NODELAY");
	EXPECT_EQ(geti(l, IPPROTO_TCP, TCP_NODELAY), 1, "and read it back");
	EXPECT_OK(seti(l, IPPROTO_TCP, TCP_CORK, 1), "TCP_CORK");
	EXPECT_OK(seti(l, IPPROTO_TCP, TCP_KEEPIDLE, 60), "TCP_KEEPIDLE 60");
	EXPECT_EQ(geti(l, IPPROTO_TCP, TCP_KEEPIDLE), 60, "reads 60");
	EXPECT_EQ(geti(l, IPPROTO_TCP, TCP_KEEPINTVL), 75, "TCP_KEEPINTVL default 75");
	EXPECT_EQ(geti(l, IPPROTO_TCP, TCP_KEEPCNT), 9, "TCP_KEEPCNT default 9");
	EXPECT_ERRNO(seti(l, IPPROTO_TCP, TCP_KEEPCNT, 0), EINVAL, "TCP_KEEPCNT 0: EINVAL");
	EXPECT_EQ(geti(l, IPPROTO_TCP, TCP_MAXSEG), 536, "TCP_MAXSEG before connect: 536");
	EXPECT_ERRNO(setsockopt(l, IPPROTO_TCP, TCP_NODELAY, "", 0), EINVAL, "a short TCP option: EINVAL");
	EXPECT_ERRNO(seti(l, IPPROTO_TCP, 9999, 1), ENOPROTOOPT, "an unknown TCP option: ENOPROTOOPT");
	EXPECT_ERRNO(seti(l, IPPROTO_IPV6, IPV6_V6ONLY, 1), ENOPROTOOPT, "IPv6 options on AF_INET: ENOPROTOOPT");
	EXPECT_ERRNO(seti(l, IPPROTO_UDP, UDP_CORK, 1), ENOPROTOOPT, "UDP options on TCP: ENOPROTOOPT");
	EXPECT_OK(setsockopt(l, IPPROTO_TCP, TCP_CONGESTION, "reno", 4), "TCP_CONGESTION reno");
	len = sizeof(cc);
	getsockopt(l, IPPROTO_TCP, TCP_CONGESTION, cc, &len);
	CHECK(!strcmp(cc, "reno"), "reads reno");
	EXPECT_ERRNO(setsockopt(l, IPPROTO_TCP, TCP_CONGESTION, "nosuch", 6), ENOENT, "an unknown algorithm: ENOENT");
	EXPECT_EQ(geti(l, IPPROTO_IP, IP_TTL), 64, "IP_TTL 64");
	EXPECT_OK(seti(l, IPPROTO_IP, IP_TTL, 5), "IP_TTL 5");
	EXPECT_EQ(geti(l, IPPROTO_IP, IP_TTL), 5, "reads 5");
	EXPECT_OK(seti(l, IPPROTO_IP, IP_TTL, -1), "IP_TTL -1");
	EXPECT_EQ(geti(l, IPPROTO_IP, IP_TTL), 64, "is the default again");
	EXPECT_ERRNO(seti(l, IPPROTO_IP, IP_TTL, 256), EINVAL, "IP_TTL 256: EINVAL");
	EXPECT_OK(seti(l, IPPROTO_IP, IP_TOS, 0x10), "IP_TOS 0x10");
	EXPECT_EQ(geti(l, IPPROTO_IP, IP_TOS), 0x10, "reads 0x10");
	EXPECT_EQ(geti(l, IPPROTO_IP, IP_MTU), -ENOTCONN - 1000, "IP_MTU before connect: ENOTCONN");
	EXPECT_OK(seti(l, SOL_SOCKET, SO_KEEPALIVE, 1), "SO_KEEPALIVE");
	EXPECT_EQ(geti(l, SOL_SOCKET, SO_KEEPALIVE), 1, "reads 1");
	EXPECT_OK(seti(l, SOL_SOCKET, SO_REUSEPORT, 1), "SO_REUSEPORT");
	EXPECT_EQ(geti(l, SOL_SOCKET, SO_REUSEPORT), 1, "reads 1");
	{
		struct sockaddr_in addr = lo4(0);

		bind(l, (struct sockaddr *)&addr, sizeof(addr));
		listen(l, 1);
		len = sizeof(ti);
		EXPECT_OK(getsockopt(l, IPPROTO_TCP, TCP_INFO, &ti, &len), "TCP_INFO of a listener");
		EXPECT_EQ(ti.tcpi_state, TCP_LISTEN, "state LISTEN");
		c = connect4(port_of(l), 0);
		a = accept(l, NULL, NULL);
	}
	EXPECT_EQ(geti(a, IPPROTO_TCP, TCP_NODELAY), 1, "the accepted socket inherits TCP_NODELAY");
	EXPECT_EQ(geti(a, SOL_SOCKET, SO_KEEPALIVE), 1, "and SO_KEEPALIVE");
	EXPECT_EQ(geti(a, IPPROTO_TCP, TCP_KEEPIDLE), 60, "and TCP_KEEPIDLE");
	EXPECT_EQ(geti(a, IPPROTO_IP, IP_MTU), 65535, "IP_MTU of a connection on lo: 65535");
	len = sizeof(ti);
	EXPECT_OK(getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len), "TCP_INFO of a connection");
	EXPECT_EQ(ti.tcpi_state, TCP_ESTABLISHED, "state ESTABLISHED");
	CHECK(ti.tcpi_snd_mss > 1000, "an MSS of lo's size");
	len = 8;
	EXPECT_OK(getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len), "TCP_INFO into 8 bytes");
	EXPECT_EQ(len, 8, "copies 8");
	shutdown(a, SHUT_WR);
	poll1(c, POLLRDHUP, 1000);
	len = sizeof(ti);
	getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len);
	EXPECT_EQ(ti.tcpi_state, TCP_CLOSE_WAIT, "CLOSE_WAIT after the peer's FIN");
	close(a);
	close(c);
	close(l);
}

static void test_reuse(void)
{
	struct sockaddr_in addr;
	int l = socket(AF_INET, SOCK_STREAM, 0), l2, c, a, s3;
	int got[2] = {0, 0}, ls[2];
	uint16_t p;

	seti(l, SOL_SOCKET, SO_REUSEADDR, 1);
	addr = lo4(0);
	bind(l, (struct sockaddr *)&addr, sizeof(addr));
	listen(l, 4);
	p = port_of(l);
	c = connect4(p, 0);
	a = accept(l, NULL, NULL);
	l2 = socket(AF_INET, SOCK_STREAM, 0);
	seti(l2, SOL_SOCKET, SO_REUSEADDR, 1);
	addr = lo4(p);
	EXPECT_ERRNO(bind(l2, (struct sockaddr *)&addr, sizeof(addr)), EADDRINUSE, "SO_REUSEADDR does not share a listening port");
	close(l2);
	close(l);
	l2 = socket(AF_INET, SOCK_STREAM, 0);
	EXPECT_ERRNO(bind(l2, (struct sockaddr *)&addr, sizeof(addr)), EADDRINUSE, "a live connection holds the port");
	seti(l2, SOL_SOCKET, SO_REUSEADDR, 1);
	EXPECT_OK(bind(l2, (struct sockaddr *)&addr, sizeof(addr)), "SO_REUSEADDR binds next to it");
	s3 = socket(AF_INET, SOCK_STREAM, 0);
	seti(s3, SOL_SOCKET, SO_REUSEADDR, 1);
	EXPECT_OK(bind(s3, (struct sockaddr *)&addr, sizeof(addr)), "two SO_REUSEADDR sockets bind one port");
	EXPECT_OK(listen(l2, 4), "one listens");
	EXPECT_ERRNO(listen(s3, 4), EADDRINUSE, "the other cannot");
	close(s3);
	close(l2);
	close(a);
	close(c);

	/* SO_REUSEPORT: the connections spread over the group. */
	for (int i = 0; i < 2; i++) {
		ls[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		seti(ls[i], SOL_SOCKET, SO_REUSEPORT, 1);
		addr = lo4(i ? p : 0);
		if (bind(ls[i], (struct sockaddr *)&addr, sizeof(addr)) < 0)
			it_fail("SO_REUSEPORT bind", "errno %d", errno);
		p = port_of(ls[0]);
		listen(ls[i], 64);
	}
	it_ok("two SO_REUSEPORT listeners on one port");
	for (int i = 0; i < 24; i++) {
		c = connect4(p, 0);
		for (int k = 0; k < 2; k++) {
			a = accept(ls[k], NULL, NULL);
			if (a >= 0) {
				got[k]++;
				close(a);
			}
		}
		close(c);
	}
	CHECKF(got[0] && got[1] && got[0] + got[1] == 24, "connections spread over both", "%d and %d", got[0], got[1]);
	close(ls[0]);
	close(ls[1]);
}

static void test_ipv6(void)
{
	struct sockaddr_in6 a6 = lo6(0), peer;
	struct sockaddr_in a4;
	socklen_t len;
	char text[64];
	int l = socket(AF_INET6, SOCK_STREAM, 0), c, a;
	uint16_t p;

	a6.sin6_addr = in6addr_any;
	bind(l, (struct sockaddr *)&a6, sizeof(a6));
	listen(l, 4);
	p = port_of(l);
	c = socket(AF_INET6, SOCK_STREAM, 0);
	a6 = lo6(p);
	EXPECT_OK(connect(c, (struct sockaddr *)&a6, sizeof(a6)), "connect to [::1]");
	len = sizeof(peer);
	a = accept(l, (struct sockaddr *)&peer, &len);
	inet_ntop(AF_INET6, &peer.sin6_addr, text, sizeof(text));
	CHECKF(len == sizeof(peer) && !strcmp(text, "::1"), "the peer is ::1", "%s", text);
	close(a);
	close(c);
	c = connect4(p, 0);
	len = sizeof(peer);
	a = accept(l, (struct sockaddr *)&peer, &len);
	inet_ntop(AF_INET6, &peer.sin6_addr, text, sizeof(text));
	CHECKF(c >= 0 && !strcmp(text, "::ffff:127.0.0.1"), "IPv4 reaches [::] as ::ffff:127.0.0.1", "%s", text);
	len = sizeof(peer);
	getsockname(a, (struct sockaddr *)&peer, &len);
	inet_ntop(AF_INET6, &peer.sin6_addr, text, sizeof(text));
	CHECKF(!strcmp(text, "::ffff:127.0.0.1"), "and is accepted at ::ffff:127.0.0.1", "%s", text);
	close(a);
	close(c);
	close(l);

	l = socket(AF_INET6, SOCK_STREAM, 0);
	seti(l, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	a6 = lo6(0);
	a6.sin6_addr = in6addr_any;
	bind(l, (struct sockaddr *)&a6, sizeof(a6));
	listen(l, 4);
	c = socket(AF_INET, SOCK_STREAM, 0);
	a4 = lo4(port_of(l));
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&a4, sizeof(a4)), ECONNREFUSED, "a V6ONLY listener does not take IPv4");
	close(c);
	c = socket(AF_INET6, SOCK_STREAM, 0);
	seti(c, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	a6 = lo6(port_of(l));
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &a6.sin6_addr);
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&a6, sizeof(a6)), ENETUNREACH, "a V6ONLY socket cannot reach a mapped address");
	close(c);
	close(l);
}

/* 1 MiB through a connection to another process, checksummed. */
static void test_bulk(void)
{
	static char buf[65536];
	int c, a;
	pid_t pid;
	unsigned long sum = 0, want = 0;
	long total = 0;

	tcp_pair(&c, &a);
	for (long i = 0; i < (1 << 20); i++)
		want += (unsigned char)(i * 7);
	pid = it_fork();
	if (pid == 0) {
		static char out[1 << 20];

		close(a);
		for (long i = 0; i < (1 << 20); i++)
			out[i] = (char)(i * 7);
		_exit(send(c, out, sizeof(out), 0) == sizeof(out) ? 0 : 1);
	}
	close(c);
	for (;;) {
		ssize_t n = recv(a, buf, sizeof(buf), 0);

		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			sum += (unsigned char)buf[i];
		total += n;
	}
	EXPECT_EXIT(it_wait(pid), 0, "the writer sent 1 MiB in one send");
	EXPECT_EQ(total, 1 << 20, "1 MiB arrives");
	CHECK(sum == want, "intact");
	close(a);
}

static void test_epoll(void)
{
	int l = listen4(4), ep = epoll_create1(0), c, a;
	struct epoll_event ev = {.events = EPOLLIN}, out[2];

	ev.data.fd = l;
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	EXPECT_EQ(epoll_wait(ep, out, 2, 0), 0, "epoll: an idle listener");
	c = connect4(port_of(l), 0);
	EXPECT_EQ(epoll_wait(ep, out, 2, 1000), 1, "epoll: a pending connection");
	a = accept(l, NULL, NULL);
	ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
	ev.data.fd = a;
	epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev);
	shutdown(c, SHUT_WR);
	CHECK(epoll_wait(ep, out, 2, 1000) == 1 && out[0].data.fd == a && (out[0].events & EPOLLRDHUP), "epoll: EPOLLRDHUP after the peer's SHUT_WR");
	close(a);
	close(c);
	close(l);
	close(ep);
}

/* The listener is in /proc/net/tcp, in state 0A. */
static void test_proc_net(void)
{
	int l = listen4(4);
	char want[32], line[256];
	FILE *f = fopen("/proc/net/tcp", "r");
	int found = 0;

	snprintf(want, sizeof(want), "0100007F:%04X 00000000:0000 0A", port_of(l));
	CHECK(f != NULL, "open /proc/net/tcp");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f))
		CHECK(!strncmp(line, "  sl  local_address rem_address   st", 36), "its header");
	while (fgets(line, sizeof(line), f))
		found += strstr(line, want) != NULL;
	EXPECT_EQ(found, 1, "the listener's line");
	fclose(f);
	close(l);
}

int main(void)
{
	it_begin(30);
	signal(SIGPIPE, on_sigpipe);
	test_socket_errors();
	test_fresh_socket();
	test_bind();
	test_connect_accept();
	test_refused_and_nonblocking();
	test_half_close_and_reset();
	test_flags_and_ioctls();
	test_options();
	test_reuse();
	test_ipv6();
	test_bulk();
	test_epoll();
	test_proc_net();
	return it_end();
}
