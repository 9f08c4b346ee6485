/* t_oob: out-of-band data (MSG_OOB) on TCP over 127.0.0.1 and on AF_UNIX
 * stream sockets, where Linux's two models differ: TCP keeps the urgent
 * byte in the stream under the urgent pointer, AF_UNIX (5.15+) sends it as
 * a message of its own. Both: the last byte of a send is the urgent one,
 * recv(MSG_OOB) (with MSG_PEEK, MSG_TRUNC, an empty buffer; EINVAL when
 * there is none, it was read or passed, or with SO_OOBINLINE), reads
 * stopping at the mark (MSG_PEEK and MSG_WAITALL too) and skipping the
 * byte there, SIOCATMARK before and after, FIONREAD, a newer urgent byte
 * replacing an unread one (and one already read), SO_OOBINLINE, POLLPRI
 * through poll, select's exceptfds and epoll (also waking a waiter),
 * SIGURG to the owner set by F_SETOWN, F_SETOWN_EX, FIOSETOWN and
 * SIOCSPGRP (a process group), the F_SETSIG signal with POLL_PRI under
 * O_ASYNC, and the errors of unconnected, listening, datagram and
 * seqpacket sockets. Every TCP send is waited for until the peer has
 * acknowledged it (SIOCOUTQ 0), so that each arrives as a segment of its
 * own before the next check. */
#include "itest.h"

#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>

enum kind { K_UNIX, K_TCP };

static enum kind kind;

/* The check's name, prefixed with the kind of socket. */
static const char *W(const char *fmt, ...)
{
	static char buf[256];
	va_list ap;
	int n = snprintf(buf, sizeof buf, "%s: ", kind == K_TCP ? "tcp" : "unix");

	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof buf - n, fmt, ap);
	va_end(ap);
	return buf;
}

#define EXPECT_STR(got, want, what)                                                                \
	do {                                                                                       \
		const char *it_g_ = (got), *it_w_ = (want);                                        \
		CHECKF(strcmp(it_g_, it_w_) == 0, what, "got \"%s\", expected \"%s\"", it_g_,      \
		       it_w_);                                                                     \
	} while (0)

/* A listener on 127.0.0.1 with a port from bind(0). */
static int listen4(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 4) < 0)
		return -1;
	return l;
}

/* A connected pair of the current kind: sv[0] sends, sv[1] receives. */
static int pair(int sv[2])
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int l;

	if (kind == K_UNIX)
		return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	l = listen4();
	if (l < 0 || getsockname(l, (struct sockaddr *)&a, &len) < 0)
		return -1;
	sv[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sv[0] < 0 || connect(sv[0], (struct sockaddr *)&a, sizeof a) < 0)
		return -1;
	sv[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	close(l);
	return sv[1] < 0 ? -1 : 0;
}

static void unpair(int sv[2])
{
	close(sv[0]);
	close(sv[1]);
}

/* TCP: wait until the receiver has acknowledged everything the sender
 * sent, so that it sits in the receiver's queue (AF_UNIX queues it at
 * once); TCP_QUICKACK sends an acknowledgement the receiver delays. */
static void delivered(int sv[2])
{
	int outq;

	if (kind != K_TCP)
		return;
	while (ioctl(sv[0], SIOCOUTQ, &outq) == 0 && outq > 0) {
		setsockopt(sv[1], IPPROTO_TCP, TCP_QUICKACK, &(int){1}, sizeof(int));
		usleep(100);
	}
}

/* send() a string from sv[0], flags as given, and wait for it to arrive
 * at sv[1]. */
static ssize_t snd(int sv[2], const char *s, int flags)
{
	ssize_t n = send(sv[0], s, strlen(s), flags | MSG_NOSIGNAL);

	delivered(sv);
	return n;
}

/* A non-blocking recv of up to len bytes: the data read, "<n>" for a
 * count without data, or the errno's name. */
static const char *rd(int fd, size_t len, int flags)
{
	static char out[128];
	char buf[64] = {0};
	ssize_t n = recv(fd, buf, len, flags | MSG_DONTWAIT);

	if (n < 0)
		snprintf(out, sizeof out, "%s",
		         errno == EAGAIN ? "EAGAIN" : errno == EINVAL ? "EINVAL" : strerror(errno));
	else if (n == 0 || len == 0)
		snprintf(out, sizeof out, "<%zd>", n);
	else
		snprintf(out, sizeof out, "%.*s", (int)n, buf);
	return out;
}

static int atmark(int fd)
{
	int v = -1;

	return ioctl(fd, SIOCATMARK, &v) < 0 ? -errno - 1000 : v;
}

static int inq(int fd)
{
	int v = -1;

	return ioctl(fd, FIONREAD, &v) < 0 ? -errno - 1000 : v;
}

/* The poll bits among IN and PRI, as a string. */
static const char *ready(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN | POLLPRI};

	if (poll(&p, 1, 0) < 0)
		return "error";
	return (p.revents & POLLIN) ? ((p.revents & POLLPRI) ? "IN PRI" : "IN")
	                            : ((p.revents & POLLPRI) ? "PRI" : "none");
}

static int seti(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof v);
}

/* "abc", "de" with MSG_OOB ('e' urgent), "fg": the mark in the middle. */
static void test_basic(void)
{
	int sv[2];

	if (pair(sv) < 0) {
		it_fail(W("pair"), "errno %d", errno);
		return;
	}
	EXPECT_EQ(atmark(sv[1]), 0, W("SIOCATMARK on a fresh connection: 0"));
	EXPECT_STR(rd(sv[1], 10, MSG_OOB), "EINVAL", W("MSG_OOB with no urgent data: EINVAL"));
	EXPECT_EQ(snd(sv, "abc", 0), 3, W("send abc"));
	EXPECT_EQ(snd(sv, "de", MSG_OOB), 2, W("send de with MSG_OOB: both bytes sent"));
	EXPECT_EQ(snd(sv, "fg", 0), 2, W("send fg"));
	EXPECT_EQ(atmark(sv[1]), 0, W("SIOCATMARK before the mark: 0"));
	EXPECT_EQ(inq(sv[1]), kind == K_TCP ? 4 : 7,
	          W(kind == K_TCP ? "FIONREAD: the bytes before the urgent one"
	                          : "FIONREAD: every byte, the urgent one too"));
	EXPECT_STR(ready(sv[1]), "IN PRI", W("poll: POLLIN and POLLPRI"));
	EXPECT_STR(rd(sv[1], 10, MSG_PEEK), "abcd", W("MSG_PEEK stops at the mark"));
	EXPECT_STR(rd(sv[1], 10, 0), "abcd", W("a read stops at the mark"));
	EXPECT_EQ(atmark(sv[1]), 1, W("SIOCATMARK at the mark: 1"));
	EXPECT_EQ(inq(sv[1]), kind == K_TCP ? 0 : 3, W("FIONREAD at the mark"));
	EXPECT_STR(ready(sv[1]), "IN PRI", W("poll at the mark: POLLIN and POLLPRI"));
	EXPECT_STR(rd(sv[1], 10, MSG_OOB | MSG_PEEK), "e", W("MSG_OOB|MSG_PEEK: the urgent byte"));
	EXPECT_STR(ready(sv[1]), "IN PRI", W("a peek leaves POLLPRI"));

	struct msghdr mh = {0};
	char buf[10] = {0};
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	ssize_t n = recvmsg(sv[1], &mh, MSG_OOB | MSG_DONTWAIT);
	CHECKF(n == 1 && buf[0] == 'e' && (mh.msg_flags & MSG_OOB),
	       W("recvmsg(MSG_OOB): 1 byte, MSG_OOB in msg_flags"), "n %zd c %d flags %#x", n, buf[0],
	       mh.msg_flags);
	EXPECT_STR(rd(sv[1], 10, MSG_OOB), "EINVAL", W("MSG_OOB again: EINVAL"));
	EXPECT_EQ(atmark(sv[1]), 1, W("SIOCATMARK after MSG_OOB: still 1"));
	EXPECT_STR(ready(sv[1]), "IN", W("poll after MSG_OOB: no POLLPRI"));
	EXPECT_STR(rd(sv[1], 10, 0), "fg", W("the read after the mark"));
	EXPECT_EQ(atmark(sv[1]), 0, W("SIOCATMARK past the mark: 0"));
	EXPECT_EQ(inq(sv[1]), 0, W("FIONREAD: nothing left"));
	EXPECT_STR(rd(sv[1], 10, 0), "EAGAIN", W("then nothing to read"));
	unpair(sv);
}

/* A read at the mark with the urgent byte unread skips it (drops it). */
static void test_skip(void)
{
	int sv[2];

	if (pair(sv) < 0)
		return;
	snd(sv, "abc", 0);
	snd(sv, "de", MSG_OOB);
	snd(sv, "fg", 0);
	EXPECT_STR(rd(sv[1], 10, 0), "abcd", W("unread urgent byte: the read stops at the mark"));
	EXPECT_STR(rd(sv[1], 10, MSG_PEEK), "fg", W("MSG_PEEK at the mark steps over the urgent byte"));
	EXPECT_EQ(atmark(sv[1]), 1, W("the peek leaves the reader at the mark"));
	EXPECT_STR(rd(sv[1], 10, 0), "fg", W("the next read skips the urgent byte"));
	EXPECT_EQ(atmark(sv[1]), 0, W("SIOCATMARK after skipping: 0"));
	EXPECT_STR(ready(sv[1]), "none", W("poll after skipping: nothing"));
	EXPECT_STR(rd(sv[1], 10, MSG_OOB), "EINVAL", W("MSG_OOB after the byte was passed: EINVAL"));
	unpair(sv);

	/* Only the urgent byte: a read skips it and finds nothing. */
	if (pair(sv) < 0)
		return;
	snd(sv, "x", MSG_OOB);
	EXPECT_EQ(atmark(sv[1]), 1, W("one urgent byte: SIOCATMARK 1"));
	EXPECT_STR(ready(sv[1]), kind == K_TCP ? "PRI" : "IN PRI",
	           W(kind == K_TCP ? "one urgent byte: POLLPRI, no POLLIN (nothing to read but it)"
	                           : "one urgent byte: POLLIN and POLLPRI"));
	EXPECT_STR(rd(sv[1], 10, MSG_PEEK), "EAGAIN", W("one urgent byte: MSG_PEEK finds nothing"));
	EXPECT_STR(rd(sv[1], 10, 0), "EAGAIN", W("one urgent byte: a read finds nothing"));
	EXPECT_EQ(atmark(sv[1]), 0, W("and went past it: SIOCATMARK 0"));
	EXPECT_STR(rd(sv[1], 10, MSG_OOB), "EINVAL", W("the skipped byte is gone: EINVAL"));
	EXPECT_STR(ready(sv[1]), "none", W("poll: nothing"));
	unpair(sv);

	/* Read with MSG_OOB first: it stays the mark until a read passes. */
	if (pair(sv) < 0)
		return;
	snd(sv, "x", MSG_OOB);
	EXPECT_STR(rd(sv[1], 10, MSG_OOB), "x", W("one urgent byte read with MSG_OOB"));
	EXPECT_EQ(atmark(sv[1]), 1, W("then SIOCATMARK 1"));
	EXPECT_EQ(inq(sv[1]), 0, W("then FIONREAD 0"));
	EXPECT_STR(ready(sv[1]), kind == K_TCP ? "none" : "IN",
	           W(kind == K_TCP ? "then poll: nothing" : "then poll: POLLIN (the emptied message)"));
	EXPECT_STR(rd(sv[1], 10, 0), "EAGAIN", W("then a read: EAGAIN"));
	EXPECT_EQ(atmark(sv[1]), 0, W("which passed the mark"));
	snd(sv, "yz", 0);
	EXPECT_STR(rd(sv[1], 10, 0), "yz", W("data after it"));
	unpair(sv);
}

/* MSG_WAITALL stops at the mark too; the read after it waits. */
static void *send_later(void *arg)
{
	int fd = *(int *)arg;

	send(fd, "yz", 2, MSG_NOSIGNAL);
	return NULL;
}

static void test_waitall_and_block(void)
{
	char buf[16] = {0};
	int sv[2];
	pthread_t th;

	if (pair(sv) < 0)
		return;
	snd(sv, "abc", MSG_OOB);
	snd(sv, "d", 0);
	ssize_t n = recv(sv[1], buf, 10, MSG_WAITALL);
	CHECKF(n == 2 && memcmp(buf, "ab", 2) == 0, W("MSG_WAITALL stops at the mark"), "n %zd", n);
	n = recv(sv[1], buf, 10, MSG_OOB);
	CHECKF(n == 1 && buf[0] == 'c', W("a blocking socket's MSG_OOB"), "n %zd", n);
	EXPECT_ERRNO(recv(sv[1], buf, 10, MSG_OOB), EINVAL,
	             W("a blocking MSG_OOB with none: EINVAL at once"));
	n = recv(sv[1], buf, 10, 0);
	CHECKF(n == 1 && buf[0] == 'd', W("the byte after the mark"), "n %zd", n);
	unpair(sv);

	/* Blocking at the urgent byte: it is skipped and the read waits. */
	if (pair(sv) < 0)
		return;
	snd(sv, "x", MSG_OOB);
	memset(buf, 0, sizeof buf);
	pthread_create(&th, NULL, send_later, &sv[0]);
	n = recv(sv[1], buf, 10, 0);
	pthread_join(th, NULL);
	CHECKF(n == 2 && memcmp(buf, "yz", 2) == 0, W("a blocking read skips the urgent byte and waits"),
	       "n %zd", n);
	unpair(sv);
}

/* recv(MSG_OOB) with MSG_TRUNC, and with an empty buffer. */
static void test_trunc(void)
{
	struct msghdr mh = {0};
	struct iovec iov;
	char c = '-';
	int sv[2];

	if (pair(sv) < 0)
		return;
	snd(sv, "q", MSG_OOB);
	ssize_t n = recv(sv[1], &c, 1, MSG_OOB | MSG_TRUNC | MSG_PEEK | MSG_DONTWAIT);
	CHECKF(n == 1 && c == (kind == K_TCP ? '-' : 'q'),
	       W(kind == K_TCP ? "MSG_OOB|MSG_TRUNC: 1, nothing copied" : "MSG_OOB|MSG_TRUNC: 1, copied"),
	       "n %zd c %d", n, c);
	iov.iov_base = &c;
	iov.iov_len = 0;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	n = recvmsg(sv[1], &mh, MSG_OOB | MSG_DONTWAIT);
	if (kind == K_TCP)
		CHECKF(n == 0 && (mh.msg_flags & (MSG_OOB | MSG_TRUNC)) == (MSG_OOB | MSG_TRUNC),
		       W("MSG_OOB into no buffer: 0, MSG_OOB|MSG_TRUNC"), "n %zd flags %#x", n,
		       mh.msg_flags);
	else
		CHECKF(n == 1 && (mh.msg_flags & MSG_OOB), W("MSG_OOB into no buffer: 1, MSG_OOB"),
		       "n %zd flags %#x", n, mh.msg_flags);
	EXPECT_STR(rd(sv[1], 10, MSG_OOB), "EINVAL", W("which took it: EINVAL"));
	unpair(sv);

	if (kind == K_TCP) {
		if (pair(sv) < 0)
			return;
		EXPECT_EQ(send(sv[0], "", 0, MSG_OOB), 0, W("an empty send with MSG_OOB: 0"));
	} else {
		if (pair(sv) < 0)
			return;
		EXPECT_ERRNO(send(sv[0], "", 0, MSG_OOB), EOPNOTSUPP,
		             W("an empty send with MSG_OOB: EOPNOTSUPP"));
	}
	EXPECT_STR(rd(sv[1], 10, MSG_OOB), "EINVAL", W("and no urgent data"));
	unpair(sv);
}

/* A newer urgent byte while the older is unread, or was read. */
static void test_replace(void)
{
	int sv[2];

	/* The reader stands at the old one: TCP drops it, AF_UNIX keeps it
	 * as data. */
	if (pair(sv) < 0)
		return;
	snd(sv, "A", MSG_OOB);
	snd(sv, "B", MSG_OOB);
	EXPECT_EQ(atmark(sv[1]), kind == K_TCP ? 1 : 0, W("A then B urgent: SIOCATMARK"));
	EXPECT_STR(ready(sv[1]), kind == K_TCP ? "PRI" : "IN PRI", W("A then B urgent: poll"));
	EXPECT_STR(rd(sv[1], 10, MSG_OOB), "B", W("A then B urgent: MSG_OOB gives B"));
	EXPECT_STR(rd(sv[1], 10, 0), kind == K_TCP ? "EAGAIN" : "A",
	           W(kind == K_TCP ? "A, at the mark when B came, is gone" : "A is data"));
	EXPECT_STR(rd(sv[1], 10, 0), "EAGAIN", W("then nothing"));
	unpair(sv);

	/* Data before each: the old urgent byte is data again. */
	if (pair(sv) < 0)
		return;
	snd(sv, "xA", MSG_OOB);
	snd(sv, "yB", MSG_OOB);
	EXPECT_EQ(inq(sv[1]), kind == K_TCP ? 3 : 4, W("xA then yB urgent: FIONREAD"));
	EXPECT_STR(rd(sv[1], 10, 0), "xAy", W("xA then yB urgent: A is read as data, up to B"));
	EXPECT_EQ(atmark(sv[1]), 1, W("at B's mark"));
	EXPECT_STR(rd(sv[1], 10, MSG_OOB), "B", W("MSG_OOB: B"));
	EXPECT_STR(rd(sv[1], 10, 0), "EAGAIN", W("nothing after B"));
	unpair(sv);

	/* The old one was read with MSG_OOB: TCP still has it in the stream,
	 * AF_UNIX does not. */
	if (pair(sv) < 0)
		return;
	snd(sv, "xA", MSG_OOB);
	EXPECT_STR(rd(sv[1], 10, MSG_OOB), "A", W("xA urgent: MSG_OOB gives A"));
	snd(sv, "yB", MSG_OOB);
	EXPECT_EQ(atmark(sv[1]), 0, W("then yB urgent: SIOCATMARK 0"));
	EXPECT_STR(ready(sv[1]), "IN PRI", W("then yB urgent: POLLPRI again"));
	EXPECT_STR(rd(sv[1], 10, 0), kind == K_TCP ? "xAy" : "xy",
	           W(kind == K_TCP ? "A, read out of band, is still in the stream"
	                           : "A, read out of band, is not in the stream"));
	EXPECT_STR(rd(sv[1], 10, MSG_OOB), "B", W("MSG_OOB: B"));
	EXPECT_STR(rd(sv[1], 10, 0), "EAGAIN", W("nothing after B"));
	unpair(sv);
}

/* SO_OOBINLINE: the byte stays data; the mark still stops reads. */
static void test_inline(void)
{
	int sv[2];

	if (pair(sv) < 0)
		return;
	EXPECT_OK(seti(sv[1], SOL_SOCKET, SO_OOBINLINE, 1), W("SO_OOBINLINE on"));
	snd(sv, "abc", 0);
	snd(sv, "de", MSG_OOB);
	snd(sv, "fg", 0);
	EXPECT_EQ(inq(sv[1]), 7, W("inline: FIONREAD counts every byte"));
	EXPECT_STR(ready(sv[1]), "IN PRI", W("inline: POLLPRI still"));
	EXPECT_STR(rd(sv[1], 10, MSG_OOB), "EINVAL", W("inline: MSG_OOB is EINVAL"));
	EXPECT_STR(rd(sv[1], 10, 0), "abcd", W("inline: the read stops at the mark"));
	EXPECT_EQ(atmark(sv[1]), 1, W("inline: SIOCATMARK 1 at the mark"));
	EXPECT_STR(rd(sv[1], 10, MSG_PEEK), "efg", W("inline: a peek at the mark sees the urgent byte"));
	EXPECT_STR(rd(sv[1], 10, 0), "efg", W("inline: the urgent byte is read as data"));
	EXPECT_EQ(atmark(sv[1]), 0, W("inline: SIOCATMARK 0 past it"));
	EXPECT_STR(ready(sv[1]), "none", W("inline: poll: nothing"));
	unpair(sv);
}

static void *send_urgent_later(void *arg)
{
	int fd = *(int *)arg;

	send(fd, "n", 1, MSG_NOSIGNAL);
	send(fd, "u", 1, MSG_OOB | MSG_NOSIGNAL);
	return NULL;
}

/* POLLPRI through poll, select and epoll. */
static void test_readiness(void)
{
	struct epoll_event ev = {.events = EPOLLPRI}, out;
	struct timeval tv = {0, 0};
	struct pollfd p;
	pthread_t th;
	fd_set ex;
	int sv[2], ep;

	if (pair(sv) < 0)
		return;
	snd(sv, "plain", 0);
	FD_ZERO(&ex);
	FD_SET(sv[1], &ex);
	EXPECT_EQ(select(sv[1] + 1, NULL, NULL, &ex, &tv), 0, W("select: plain data is no exception"));
	ep = epoll_create1(EPOLL_CLOEXEC);
	epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
	EXPECT_EQ(epoll_wait(ep, &out, 1, 0), 0, W("epoll: no EPOLLPRI for plain data"));
	snd(sv, "!", MSG_OOB);
	FD_ZERO(&ex);
	FD_SET(sv[1], &ex);
	tv = (struct timeval){5, 0};
	CHECK(select(sv[1] + 1, NULL, NULL, &ex, &tv) == 1 && FD_ISSET(sv[1], &ex),
	      W("select: urgent data is in exceptfds"));
	CHECK(epoll_wait(ep, &out, 1, 5000) == 1 && out.events == EPOLLPRI, W("epoll: EPOLLPRI"));
	EXPECT_STR(rd(sv[1], 1, MSG_OOB), "!", W("read it"));
	FD_ZERO(&ex);
	FD_SET(sv[1], &ex);
	tv = (struct timeval){0, 0};
	EXPECT_EQ(select(sv[1] + 1, NULL, NULL, &ex, &tv), 0, W("select: no exception once read"));
	EXPECT_EQ(epoll_wait(ep, &out, 1, 0), 0, W("epoll: no EPOLLPRI once read"));
	unpair(sv);

	/* A poll for POLLPRI alone wakes for urgent data, not plain. */
	if (pair(sv) < 0)
		return;
	epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
	p = (struct pollfd){.fd = sv[1], .events = POLLPRI};
	pthread_create(&th, NULL, send_urgent_later, &sv[0]);
	int r = poll(&p, 1, 5000);
	CHECKF(r == 1 && p.revents == POLLPRI, W("a poll for POLLPRI wakes for urgent data"),
	       "r %d revents %#x", r, p.revents);
	pthread_join(th, NULL);
	delivered(sv);
	EXPECT_STR(rd(sv[1], 10, 0), "n", W("the plain byte before it"));
	EXPECT_STR(rd(sv[1], 10, MSG_OOB), "u", W("the urgent byte"));
	unpair(sv);

	/* A waiter in select and one in epoll_wait, woken. */
	if (pair(sv) < 0)
		return;
	epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
	FD_ZERO(&ex);
	FD_SET(sv[1], &ex);
	tv = (struct timeval){5, 0};
	pthread_create(&th, NULL, send_urgent_later, &sv[0]);
	r = select(sv[1] + 1, NULL, NULL, &ex, &tv);
	CHECKF(r == 1 && FD_ISSET(sv[1], &ex), W("a select on exceptfds wakes for urgent data"),
	       "r %d", r);
	pthread_join(th, NULL);
	delivered(sv);
	CHECK(epoll_wait(ep, &out, 1, 5000) == 1 && out.events == EPOLLPRI, W("and so does epoll_wait"));
	unpair(sv);
	close(ep);
}

static sigset_t urg_set;

/* A pending SIGURG or SIGRTMIN, within ms: its number and siginfo, or 0. */
static int take_signal(int ms, siginfo_t *si)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	int s;

	do
		s = sigtimedwait(&urg_set, si, &ts);
	while (s < 0 && errno == EINTR);
	return s < 0 ? 0 : s;
}

static void drain_signals(void)
{
	siginfo_t si;

	while (take_signal(0, &si))
		;
}

/* SIGURG to the receiving socket's owner. */
static void test_sigurg(void)
{
	struct f_owner_ex ox = {.type = F_OWNER_TID};
	siginfo_t si;
	int sv[2], who;

	if (pair(sv) < 0)
		return;
	drain_signals();
	snd(sv, "a", MSG_OOB);
	EXPECT_EQ(take_signal(0, &si), 0, W("no owner: no SIGURG"));
	rd(sv[1], 1, MSG_OOB);
	EXPECT_OK(fcntl(sv[1], F_SETOWN, getpid()), W("F_SETOWN"));
	snd(sv, "plain", 0);
	EXPECT_EQ(take_signal(0, &si), 0, W("plain data: no SIGURG"));
	snd(sv, "b", MSG_OOB);
	CHECKF(take_signal(5000, &si) == SIGURG && si.si_code == SI_KERNEL,
	       W("urgent data: SIGURG (SI_KERNEL) to the owner"), "signo %d code %d", si.si_signo,
	       si.si_code);
	snd(sv, "c", MSG_OOB);
	EXPECT_EQ(take_signal(5000, &si), SIGURG, W("each new urgent byte: SIGURG again"));
	EXPECT_EQ(take_signal(0, &si), 0, W("only that one"));
	EXPECT_OK(fcntl(sv[1], F_SETOWN, 0), W("F_SETOWN 0"));
	snd(sv, "d", MSG_OOB);
	EXPECT_EQ(take_signal(0, &si), 0, W("owner 0: no SIGURG"));
	EXPECT_OK(fcntl(sv[0], F_SETOWN, getpid()), W("F_SETOWN on the sender"));
	snd(sv, "e", MSG_OOB);
	EXPECT_EQ(take_signal(0, &si), 0, W("the sender's owner gets nothing"));

	/* FIOSETOWN and FIOGETOWN, SIOCSPGRP and SIOCGPGRP. */
	who = getpid();
	EXPECT_OK(ioctl(sv[1], FIOSETOWN, &who), W("FIOSETOWN"));
	EXPECT_EQ(fcntl(sv[1], F_GETOWN), getpid(), W("F_GETOWN gives what FIOSETOWN set"));
	who = 0;
	EXPECT_OK(ioctl(sv[1], FIOGETOWN, &who), W("FIOGETOWN"));
	EXPECT_EQ(who, getpid(), W("FIOGETOWN gives the pid"));
	snd(sv, "f", MSG_OOB);
	EXPECT_EQ(take_signal(5000, &si), SIGURG, W("SIGURG to the FIOSETOWN owner"));
	who = 0x3fffffff;
	EXPECT_ERRNO(ioctl(sv[1], SIOCSPGRP, &who), ESRCH, W("SIOCSPGRP of no process: ESRCH"));
	who = 0;
	EXPECT_OK(ioctl(sv[1], SIOCGPGRP, &who), W("SIOCGPGRP"));
	EXPECT_EQ(who, getpid(), W("SIOCGPGRP: the owner stayed"));

	/* A thread owner (F_OWNER_TID): this thread. */
	ox.pid = (pid_t)syscall(SYS_gettid);
	EXPECT_OK(fcntl(sv[1], F_SETOWN_EX, &ox), W("F_SETOWN_EX F_OWNER_TID"));
	snd(sv, "g", MSG_OOB);
	EXPECT_EQ(take_signal(5000, &si), SIGURG, W("SIGURG to the owning thread"));

	/* O_ASYNC with F_SETSIG: that signal too, for POLL_PRI. */
	EXPECT_OK(fcntl(sv[1], F_SETOWN, getpid()), W("F_SETOWN again"));
	EXPECT_OK(fcntl(sv[1], F_SETSIG, SIGRTMIN), W("F_SETSIG SIGRTMIN"));
	EXPECT_OK(fcntl(sv[1], F_SETFL, O_ASYNC), W("O_ASYNC"));
	drain_signals();
	snd(sv, "h", MSG_OOB);
	int urg = 0, pri = 0, sig;
	while ((sig = take_signal(urg && pri ? 0 : 5000, &si)))
		if (sig == SIGURG)
			urg++;
		else if (si.si_code == POLL_PRI && si.si_band == (POLLPRI | POLLRDBAND) && si.si_fd == sv[1])
			pri++;
	CHECKF(urg == 1 && pri == 1,
	       W("O_ASYNC and F_SETSIG: SIGURG and the F_SETSIG signal with POLL_PRI"),
	       "SIGURG %d, POLL_PRI %d", urg, pri);
	fcntl(sv[1], F_SETFL, 0);
	unpair(sv);
	drain_signals();

	/* A process-group owner: in a group of its own, so that nothing
	 * else (the test's runner) gets the signal. */
	pid_t c = it_fork();
	if (c == 0) {
		if (setpgid(0, 0) || pair(sv) < 0)
			_exit(1);
		who = -getpgrp();
		if (ioctl(sv[1], SIOCSPGRP, &who) < 0)
			_exit(2);
		who = 0;
		if (ioctl(sv[1], SIOCGPGRP, &who) < 0 || who != -getpgrp())
			_exit(3);
		snd(sv, "p", MSG_OOB);
		_exit(take_signal(5000, &si) == SIGURG ? 0 : 4);
	}
	EXPECT_EXIT(it_wait(c), 0, W("SIOCSPGRP: a process group owner gets SIGURG"));
}

/* Sockets without out-of-band data, and errors. */
static void test_errors(void)
{
	char c;
	int sv[2], s, who = 0;

	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	EXPECT_ERRNO(recv(s, &c, 1, MSG_OOB), EINVAL, "tcp: MSG_OOB on an unconnected socket: EINVAL");
	EXPECT_ERRNO(send(s, "x", 1, MSG_OOB | MSG_NOSIGNAL), EPIPE,
	             "tcp: send MSG_OOB unconnected: EPIPE");
	EXPECT_EQ(atmark(s), 0, "tcp: SIOCATMARK unconnected: 0");
	close(s);
	s = listen4();
	EXPECT_ERRNO(recv(s, &c, 1, MSG_OOB), ENOTCONN, "tcp: MSG_OOB on a listener: ENOTCONN");
	close(s);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	EXPECT_EQ(atmark(s), -ENOTTY - 1000, "udp: SIOCATMARK: ENOTTY");
	close(s);

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	EXPECT_ERRNO(recv(s, &c, 1, MSG_OOB), EINVAL, "unix: MSG_OOB unconnected: EINVAL");
	EXPECT_ERRNO(send(s, "x", 1, MSG_OOB | MSG_NOSIGNAL), ENOTCONN,
	             "unix: send MSG_OOB unconnected: ENOTCONN");
	EXPECT_EQ(atmark(s), 0, "unix: SIOCATMARK unconnected: 0");
	close(s);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0) {
		close(sv[1]);
		EXPECT_ERRNO(send(sv[0], "x", 1, MSG_OOB | MSG_NOSIGNAL), EPIPE,
		             "unix: send MSG_OOB to a closed peer: EPIPE");
		close(sv[0]);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0) {
		shutdown(sv[1], SHUT_RD);
		EXPECT_ERRNO(send(sv[0], "x", 1, MSG_OOB | MSG_NOSIGNAL), EPIPE,
		             "unix: send MSG_OOB to a peer shut for reading: EPIPE");
		unpair(sv);
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) == 0) {
		EXPECT_ERRNO(send(sv[0], "x", 1, MSG_OOB), EOPNOTSUPP, "unix dgram: send MSG_OOB: EOPNOTSUPP");
		EXPECT_EQ(atmark(sv[1]), -EOPNOTSUPP - 1000, "unix dgram: SIOCATMARK: EOPNOTSUPP");
		unpair(sv);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0) {
		EXPECT_ERRNO(send(sv[0], "x", 1, MSG_OOB), EOPNOTSUPP,
		             "unix seqpacket: send MSG_OOB: EOPNOTSUPP");
		EXPECT_ERRNO(recv(sv[1], &c, 1, MSG_OOB | MSG_DONTWAIT), EOPNOTSUPP,
		             "unix seqpacket: recv MSG_OOB: EOPNOTSUPP");
		EXPECT_EQ(atmark(sv[1]), -EOPNOTSUPP - 1000, "unix seqpacket: SIOCATMARK: EOPNOTSUPP");
		unpair(sv);
	}
	if (pipe(sv) == 0) {
		EXPECT_ERRNO(ioctl(sv[0], FIOSETOWN, &who), ENOTTY, "FIOSETOWN on a pipe: ENOTTY");
		unpair(sv);
	}
}

int main(void)
{
	it_begin(30);
	sigemptyset(&urg_set);
	sigaddset(&urg_set, SIGURG);
	sigaddset(&urg_set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &urg_set, NULL);
	for (kind = K_UNIX; kind <= K_TCP; kind++) {
		test_basic();
		test_skip();
		test_waitall_and_block();
		test_trunc();
		test_replace();
		test_inline();
		test_readiness();
		test_sigurg();
	}
	test_errors();
	return it_end();
}
