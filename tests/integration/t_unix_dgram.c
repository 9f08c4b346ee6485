/* t_unix_dgram: AF_UNIX SOCK_DGRAM and SOCK_SEQPACKET: message
 * boundaries, MSG_TRUNC, MSG_PEEK, source addresses, connect/disconnect,
 * EPERM/ECONNREFUSED/EPROTOTYPE, the receiver's queue limit (blocking,
 * EAGAIN, poll), EMSGSIZE, shutdown, seqpacket connections and EOF,
 * sendmmsg/recvmmsg. */
#include "itest.h"

#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

static char dir[64];
static volatile uintptr_t bad_addr = 8;
#define BAD ((void *)bad_addr)
static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static socklen_t path_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s/%s", dir, name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
}

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name)
{
	int n;

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "itest-%d-%s", (int)getpid(), name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static short poll1(int fd, short events, int ms)
{
	struct pollfd p = {.fd = fd, .events = events};

	if (poll(&p, 1, ms) < 0)
		return -1;
	return p.revents;
}

static int bound(int type, const struct sockaddr_un *a, socklen_t len)
{
	int s = socket(AF_UNIX, type, 0);

	if (s < 0 || bind(s, (const struct sockaddr *)a, len) < 0)
		return -1;
	return s;
}

static void test_boundaries(void)
{
	int sv[2], v;
	char buf[64];
	struct iovec iov = {buf, 3};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	socklen_t l = sizeof(v);

	EXPECT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), "socketpair dgram");
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &l) == 0 && v == SOCK_DGRAM, "SO_TYPE SOCK_DGRAM");
	send(sv[0], "one", 3, 0);
	send(sv[0], "twotwo", 6, 0);
	send(sv[0], "", 0, 0);
	send(sv[0], "three", 5, 0);
	CHECK(ioctl(sv[1], FIONREAD, &v) == 0 && v == 3, "FIONREAD is the first message's size");
	EXPECT_EQ(recv(sv[1], buf, sizeof(buf), 0), 3, "first message whole");
	EXPECT_EQ(recvmsg(sv[1], &m, 0), 3, "a short buffer gets the start of the second");
	CHECK(m.msg_flags & MSG_TRUNC, "and MSG_TRUNC in msg_flags");
	CHECK(!memcmp(buf, "two", 3), "its first bytes");
	EXPECT_EQ(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), 0, "an empty datagram is a message");
	EXPECT_EQ(recv(sv[1], buf, 2, MSG_PEEK | MSG_TRUNC), 5, "MSG_PEEK|MSG_TRUNC gives the real length");
	EXPECT_EQ(recv(sv[1], buf, sizeof(buf), 0), 5, "the peeked message is still there");
	EXPECT_ERRNO(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "then nothing: EAGAIN");
	EXPECT_ERRNO(recv(sv[1], buf, 1, MSG_OOB), EOPNOTSUPP, "MSG_OOB on a datagram socket: EOPNOTSUPP");
	{
		int off = 0;

		setsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off));
		send(sv[0], "abcdef", 6, 0);
		send(sv[0], "ghij", 4, 0);
		EXPECT_EQ(recv(sv[1], buf, 4, MSG_PEEK), 4, "peek with SO_PEEK_OFF 0");
		EXPECT_EQ(recv(sv[1], buf, 10, MSG_PEEK), 2, "the next peek continues in the message");
		CHECK(!memcmp(buf, "ef", 2), "with its remaining bytes");
		EXPECT_EQ(recv(sv[1], buf, 10, MSG_PEEK), 4, "then the next message");
		CHECK(!memcmp(buf, "ghij", 4), "its bytes");
		EXPECT_EQ(recv(sv[1], buf, 10, 0), 6, "a read takes the first message whole");
		EXPECT_EQ(recv(sv[1], buf, 10, 0), 4, "and the second");
	}
	close(sv[0]);
	close(sv[1]);
}

static void test_addresses(void)
{
	struct sockaddr_un a, b, from;
	socklen_t la = path_addr(&a, "da"), lb = path_addr(&b, "db"), fl;
	int sa = bound(SOCK_DGRAM, &a, la), sb = bound(SOCK_DGRAM, &b, lb), u = socket(AF_UNIX, SOCK_DGRAM, 0), st;
	char buf[16];

	CHECK(sa >= 0 && sb >= 0, "two bound datagram sockets");
	EXPECT_EQ(sendto(sa, "hi", 2, 0, (struct sockaddr *)&b, lb), 2, "sendto a path");
	fl = sizeof(from);
	EXPECT_EQ(recvfrom(sb, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 2, "recvfrom");
	CHECK(fl == la && !strcmp(from.sun_path, a.sun_path), "recvfrom gives the sender's path");
	EXPECT_EQ(sendto(u, "x", 1, 0, (struct sockaddr *)&b, lb), 1, "sendto from an unbound socket");
	fl = sizeof(from);
	EXPECT_EQ(recvfrom(sb, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 1, "recvfrom it");
	EXPECT_EQ(fl, 0, "an unbound sender has no address (length 0)");
	EXPECT_ERRNO(send(u, "x", 1, 0), ENOTCONN, "send without an address, unconnected: ENOTCONN");
	EXPECT_OK(connect(u, (struct sockaddr *)&b, lb), "connect to a path");
	EXPECT_EQ(send(u, "c", 1, 0), 1, "send to the connected peer");
	EXPECT_EQ(recv(sb, buf, 1, 0), 1, "received");
	EXPECT_OK(connect(sb, (struct sockaddr *)&a, la), "b connects to a");
	EXPECT_ERRNO(send(u, "c", 1, 0), EPERM, "b connected elsewhere refuses u: EPERM");
	EXPECT_ERRNO(sendto(u, "c", 1, 0, (struct sockaddr *)&b, lb), EPERM, "sendto too: EPERM");
	fl = sizeof(from);
	CHECK(getpeername(sb, (struct sockaddr *)&from, &fl) == 0 && fl == la, "getpeername of a connected datagram socket");
	{
		struct sockaddr unspec = {.sa_family = AF_UNSPEC};

		EXPECT_OK(connect(sb, &unspec, sizeof(unspec)), "AF_UNSPEC disconnects");
		fl = sizeof(from);
		EXPECT_ERRNO(getpeername(sb, (struct sockaddr *)&from, &fl), ENOTCONN, "then getpeername: ENOTCONN");
		EXPECT_ERRNO(connect(sb, &unspec, 1), EINVAL, "connect with addrlen 1: EINVAL");
	}
	EXPECT_EQ(send(u, "d", 1, 0), 1, "u may send again");
	{
		int ss = socket(AF_UNIX, SOCK_STREAM, 0);
		struct sockaddr_un c;
		socklen_t lc = path_addr(&c, "dstream");

		bind(ss, (struct sockaddr *)&c, lc);
		EXPECT_ERRNO(sendto(u, "x", 1, 0, (struct sockaddr *)&c, lc), EPROTOTYPE, "sendto a stream socket's path: EPROTOTYPE");
		EXPECT_ERRNO(connect(u, (struct sockaddr *)&c, lc), EPROTOTYPE, "connect to it: EPROTOTYPE");
		close(ss);
		lc = path_addr(&c, "none");
		EXPECT_ERRNO(sendto(u, "x", 1, 0, (struct sockaddr *)&c, lc), ENOENT, "sendto a missing path: ENOENT");
		lc = abstract_addr(&c, "none");
		EXPECT_ERRNO(sendto(u, "x", 1, 0, (struct sockaddr *)&c, lc), ECONNREFUSED, "sendto an unbound abstract name: ECONNREFUSED");
		EXPECT_ERRNO(sendto(u, "x", 1, 0, (struct sockaddr *)&c, sizeof(c) + 1), EINVAL, "sendto with addrlen 111: EINVAL");
		EXPECT_ERRNO(sendto(u, "x", 1, 0, BAD, lc), EFAULT, "sendto with a bad address: EFAULT");
	}
	close(u);
	/* A sender that passes credentials gets a name (autobind). */
	u = socket(AF_UNIX, SOCK_DGRAM, 0);
	st = 1;
	setsockopt(u, SOL_SOCKET, SO_PASSCRED, &st, sizeof(st));
	sendto(u, "p", 1, 0, (struct sockaddr *)&a, la);
	fl = sizeof(from);
	EXPECT_EQ(recvfrom(sa, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 1, "message from a SO_PASSCRED sender");
	CHECK(fl == 8 && from.sun_path[0] == 0, "its sender was autobound");
	close(u);
	close(sa);
	close(sb);
}

static void test_peer_gone(void)
{
	int sv[2];
	char buf[8];

	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	close(sv[1]);
	EXPECT_ERRNO(send(sv[0], "x", 1, 0), ECONNREFUSED, "peer closed: ECONNREFUSED");
	EXPECT_ERRNO(send(sv[0], "x", 1, 0), ENOTCONN, "then ENOTCONN");
	close(sv[0]);
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	send(sv[1], "q", 1, 0);
	close(sv[1]);
	EXPECT_EQ(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT), 1, "a message from a closed peer is still read");
	EXPECT_ERRNO(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "then EAGAIN (no EOF for datagrams)");
	close(sv[0]);

	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	EXPECT_OK(shutdown(sv[0], SHUT_RD), "shutdown SHUT_RD");
	EXPECT_ERRNO(recv(sv[0], buf, 1, MSG_DONTWAIT), EAGAIN, "nonblocking recv after SHUT_RD: EAGAIN");
	EXPECT_EQ(recv(sv[0], buf, 1, 0), 0, "blocking recv after SHUT_RD: 0");
	sigpipes = 0;
	EXPECT_ERRNO(send(sv[1], "x", 1, 0), EPIPE, "send to it: EPIPE");
	EXPECT_EQ(sigpipes, 0, "without SIGPIPE");
	EXPECT_EQ(poll1(sv[0], POLLIN | POLLOUT | POLLRDHUP, 0), POLLIN | POLLOUT | POLLRDHUP, "poll: POLLIN|POLLOUT|POLLRDHUP");
	EXPECT_OK(shutdown(sv[1], SHUT_WR), "shutdown SHUT_WR");
	EXPECT_ERRNO(send(sv[1], "x", 1, 0), EPIPE, "send after SHUT_WR: EPIPE");
	close(sv[0]);
	close(sv[1]);
}

struct drain_arg {
	int fd;
	int n;
};

static void *drain_later(void *p)
{
	struct drain_arg *d = p;
	struct timespec ts = {0, 100 * 1000 * 1000};
	char c;

	nanosleep(&ts, NULL);
	while (recv(d->fd, &c, 1, MSG_DONTWAIT) == 1)
		d->n++;
	return NULL;
}

static void test_queue_limit(void)
{
	struct sockaddr_un a;
	socklen_t la = path_addr(&a, "full");
	int r = bound(SOCK_DGRAM, &a, la), w = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0), sent = 0, n;
	struct drain_arg d = {r, 0};
	pthread_t th;
	char c;

	connect(w, (struct sockaddr *)&a, la);
	EXPECT_EQ(poll1(w, POLLOUT, 0), POLLOUT, "a fresh connected sender: POLLOUT");
	while (sent < 100000 && send(w, "m", 1, 0) == 1)
		sent++;
	CHECK(sent < 100000 && errno == EAGAIN, "a receiver's queue fills: EAGAIN");
	EXPECT_EQ(poll1(w, POLLOUT, 0), 0, "full: the sender has no POLLOUT");
	pthread_create(&th, NULL, drain_later, &d);
	EXPECT_EQ(poll1(w, POLLOUT, 5000), POLLOUT, "poll wakes when the receiver reads");
	pthread_join(th, NULL);
	while (recv(r, &c, 1, MSG_DONTWAIT) == 1)
		d.n++;
	EXPECT_EQ(d.n, sent, "every message arrived");
	EXPECT_EQ(send(w, "m", 1, 0), 1, "drained: sends again");
	recv(r, &c, 1, 0);
	/* A blocking sender waits, and a timeout ends the wait. */
	fcntl(w, F_SETFL, 0);
	while (send(w, "m", 1, MSG_DONTWAIT) == 1)
		;
	{
		struct timeval tv = {0, 100 * 1000};
		long long t0 = it_now_ns();

		setsockopt(w, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		EXPECT_ERRNO(send(w, "m", 1, 0), EAGAIN, "a blocked send times out: EAGAIN");
		CHECK(it_now_ns() - t0 >= 80 * 1000000LL, "after the timeout");
		tv.tv_usec = 0;
		setsockopt(w, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	d.n = 0;
	pthread_create(&th, NULL, drain_later, &d);
	EXPECT_EQ(send(w, "m", 1, 0), 1, "a blocking send completes once the receiver reads");
	pthread_join(th, NULL);
	while (recv(r, &c, 1, MSG_DONTWAIT) == 1)
		;
	close(w);
	close(r);

	/* The send buffer bounds a message; SO_SNDBUF changes it. */
	{
		int sv[2], v = 32768;
		static char big[70000];

		socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
		EXPECT_ERRNO(send(sv[0], big, 65505, 0), EMSGSIZE, "a datagram over the send buffer less 32: EMSGSIZE");
		EXPECT_EQ(send(sv[0], big, 65504, 0), 65504, "one of exactly that size fits");
		n = (int)recv(sv[1], big, sizeof(big), 0);
		EXPECT_EQ(n, 65504, "and arrives whole");
		close(sv[0]);
		close(sv[1]);
	}
}

static void test_seqpacket(void)
{
	struct sockaddr_un a;
	socklen_t la = path_addr(&a, "seq");
	int l = bound(SOCK_SEQPACKET, &a, la), c = socket(AF_UNIX, SOCK_SEQPACKET, 0), acc, sv[2], v;
	char buf[64];
	struct iovec iov = {buf, 4};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	socklen_t sl = sizeof(v);

	CHECK(l >= 0, "bind a seqpacket socket");
	EXPECT_EQ(poll1(c, POLLIN | POLLOUT, 0), POLLOUT | POLLHUP, "unconnected seqpacket polls POLLOUT|POLLHUP");
	EXPECT_ERRNO(send(c, "x", 1, 0), ENOTCONN, "send unconnected: ENOTCONN");
	EXPECT_ERRNO(recv(c, buf, 1, MSG_DONTWAIT), ENOTCONN, "recv unconnected: ENOTCONN");
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&a, la), ECONNREFUSED, "connect before listen: ECONNREFUSED");
	EXPECT_OK(listen(l, 2), "listen");
	EXPECT_OK(connect(c, (struct sockaddr *)&a, la), "connect");
	acc = accept(l, NULL, NULL);
	CHECK(acc >= 0, "accept");
	CHECK(getsockopt(acc, SOL_SOCKET, SO_TYPE, &v, &sl) == 0 && v == SOCK_SEQPACKET, "accepted socket is SOCK_SEQPACKET");
	send(c, "first", 5, 0);
	send(c, "second", 6, 0);
	EXPECT_EQ(recvmsg(acc, &m, 0), 4, "a short read of a record");
	CHECK(m.msg_flags & MSG_TRUNC, "MSG_TRUNC");
	CHECK(!(m.msg_flags & MSG_EOR), "no MSG_EOR reported");
	EXPECT_EQ(recv(acc, buf, sizeof(buf), 0), 6, "the next record whole: the rest of the first is gone");
	EXPECT_EQ(sendto(c, "x", 1, 0, (struct sockaddr *)&a, la), 1, "sendto with an address goes to the peer");
	EXPECT_EQ(recv(acc, buf, sizeof(buf), 0), 1, "received");
	close(c);
	EXPECT_EQ(poll1(acc, POLLIN | POLLOUT | POLLRDHUP, 0), POLLIN | POLLOUT | POLLRDHUP | POLLHUP,
		  "peer closed: POLLIN|POLLOUT|POLLRDHUP|POLLHUP");
	EXPECT_EQ(recv(acc, buf, sizeof(buf), 0), 0, "peer closed: EOF");
	EXPECT_EQ(recv(acc, buf, sizeof(buf), MSG_DONTWAIT), 0, "nonblocking too: EOF");
	sigpipes = 0;
	EXPECT_ERRNO(send(acc, "x", 1, 0), EPIPE, "send to a closed peer: EPIPE");
	EXPECT_EQ(sigpipes, 0, "seqpacket sends no SIGPIPE");
	close(acc);
	close(l);

	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	send(sv[0], "aa", 2, 0);
	send(sv[0], "bbb", 3, 0);
	EXPECT_EQ(recv(sv[1], buf, sizeof(buf), MSG_PEEK), 2, "peek one record");
	EXPECT_EQ(read(sv[1], buf, sizeof(buf)), 2, "read one record");
	EXPECT_EQ(read(sv[1], buf, sizeof(buf)), 3, "read the next");
	write(sv[0], "unread", 6);
	close(sv[1]);
	EXPECT_ERRNO(send(sv[0], "x", 1, 0), ECONNRESET, "peer closed with unread data: ECONNRESET");
	EXPECT_ERRNO(send(sv[0], "x", 1, 0), EPIPE, "then EPIPE");
	EXPECT_EQ(recv(sv[0], buf, sizeof(buf), 0), 0, "and EOF");
	close(sv[0]);
}

struct late_arg {
	int fd;
	int ms;
};

static void *late_send(void *p)
{
	struct late_arg *l = p;
	struct timespec ts = {0, l->ms * 1000L * 1000L};

	nanosleep(&ts, NULL);
	send(l->fd, "z", 1, 0);
	return NULL;
}

static void test_mmsg(void)
{
	int sv[2];
	char b[4][8];
	struct iovec iov[4];
	struct mmsghdr mm[4];
	struct timespec ts = {0, 0};

	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++) {
		snprintf(b[i], sizeof(b[i]), "m%d", i);
		iov[i].iov_base = b[i];
		iov[i].iov_len = 2 + (size_t)i;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	EXPECT_EQ(sendmmsg(sv[0], mm, 3, 0), 3, "sendmmsg 3 datagrams");
	CHECK(mm[0].msg_len == 2 && mm[1].msg_len == 3 && mm[2].msg_len == 4, "msg_len of each");
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 4; i++) {
		iov[i].iov_base = b[i];
		iov[i].iov_len = sizeof(b[i]);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	EXPECT_EQ(recvmmsg(sv[1], mm, 4, MSG_DONTWAIT, NULL), 3, "recvmmsg takes what is there");
	CHECK(mm[0].msg_len == 2 && mm[1].msg_len == 3 && mm[2].msg_len == 4, "with each length");
	EXPECT_ERRNO(recvmmsg(sv[1], mm, 4, MSG_DONTWAIT, NULL), EAGAIN, "then EAGAIN");
	send(sv[0], "w", 1, 0);
	send(sv[0], "x", 1, 0);
	EXPECT_EQ(recvmmsg(sv[1], mm, 4, MSG_WAITFORONE, NULL), 2, "MSG_WAITFORONE: blocks for one, takes the rest");
	{
		/* The timeout is only looked at between messages: after the
		 * first, recvmmsg still waits for the late second one. */
		pthread_t th;
		struct late_arg la = {sv[0], 100};

		send(sv[0], "y", 1, 0);
		pthread_create(&th, NULL, late_send, &la);
		ts.tv_nsec = 20 * 1000 * 1000;
		EXPECT_EQ(recvmmsg(sv[1], mm, 4, 0, &ts), 2, "recvmmsg's timeout is checked between messages");
		CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0, "and the time left is written back");
		pthread_join(th, NULL);
	}
	ts.tv_nsec = 2000000000L;
	EXPECT_ERRNO(recvmmsg(sv[1], mm, 4, 0, &ts), EINVAL, "a bad timeout: EINVAL");
	EXPECT_EQ(recvmmsg(sv[1], mm, 0, 0, NULL), 0, "vlen 0: 0");
	mm[0].msg_hdr.msg_iovlen = 1025;
	EXPECT_ERRNO(sendmmsg(sv[0], mm, 1, 0), EMSGSIZE, "more than UIO_MAXIOV iovecs: EMSGSIZE");
	mm[0].msg_hdr.msg_iovlen = 1;
	mm[1].msg_hdr.msg_iov = BAD;
	EXPECT_EQ(sendmmsg(sv[0], mm, 2, 0), 1, "sendmmsg stops at a bad entry and counts what went");
	EXPECT_EQ(recv(sv[1], b[0], 8, 0), 8, "the good one arrived");
	{
		struct msghdr m = {.msg_iov = iov, .msg_iovlen = 1};

		m.msg_namelen = (socklen_t)-1;
		m.msg_name = b[1];
		EXPECT_ERRNO(sendmsg(sv[0], &m, 0), EINVAL, "negative msg_namelen: EINVAL");
		m.msg_name = NULL;
		m.msg_namelen = 0;
		EXPECT_ERRNO(sendmsg(sv[0], BAD, 0), EFAULT, "a bad msghdr: EFAULT");
		EXPECT_ERRNO(sendmsg(sv[0], &m, 0x80000000), EINVAL, "MSG_CMSG_COMPAT: EINVAL");
		m.msg_control = b[2];
		m.msg_controllen = 200000;
		EXPECT_ERRNO(sendmsg(sv[0], &m, 0), ENOBUFS, "a huge control buffer: ENOBUFS");
	}
	close(sv[0]);
	close(sv[1]);
}

static void test_rcvtimeo(void)
{
	int sv[2];
	char c;
	struct timeval tv = {0, 100 * 1000};
	long long t0;

	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	t0 = it_now_ns();
	EXPECT_ERRNO(recv(sv[1], &c, 1, 0), EAGAIN, "SO_RCVTIMEO on a datagram socket: EAGAIN");
	CHECK(it_now_ns() - t0 >= 80 * 1000000LL, "after the timeout");
	tv.tv_sec = -1;
	setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	EXPECT_ERRNO(recv(sv[1], &c, 1, 0), EAGAIN, "a negative timeout means no waiting at all");
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	it_begin(10);
	signal(SIGPIPE, on_sigpipe);
	if (!it_tmpdir(dir, sizeof(dir)))
		return 1;
	test_boundaries();
	test_addresses();
	test_peer_gone();
	test_queue_limit();
	test_seqpacket();
	test_mmsg();
	test_rcvtimeo();
	it_rmtree(dir);
	return it_end();
}
