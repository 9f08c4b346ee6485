/* t_unix_scm: control messages on AF_UNIX sockets: SCM_RIGHTS (pipes,
 * sockets, O_PATH descriptors, several at once, MSG_CTRUNC when the
 * buffer is short, MSG_CMSG_CLOEXEC, MSG_PEEK, the SCM_MAX_FD limit, bad
 * cmsgs), descriptors in flight while the sockets close (released, never
 * leaked, including cycles the garbage collector must find), and
 * SCM_CREDENTIALS with SO_PASSCRED. */
#include "itest.h"

#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static volatile uintptr_t bad_addr = 8;
#define BAD ((void *)bad_addr)

/* Send one byte with the given descriptors attached. */
static int send_fds(int s, const int *fds, int n, int flags)
{
	char c = 'F';
	struct iovec iov = {&c, 1};
	union {
		char buf[CMSG_SPACE(sizeof(int) * 256)];
		struct cmsghdr align;
	} u;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			   .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n)};
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);

	memset(u.buf, 0, sizeof(u.buf));
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
	memcpy(CMSG_DATA(h), fds, sizeof(int) * (size_t)n);
	return (int)sendmsg(s, &m, flags);
}

/* Receive one message; up to `room` descriptors fit in the control
 * buffer; *n gets how many came, *mflags the msg_flags. */
static ssize_t recv_fds(int s, int *fds, int room, int *n, int *mflags, int flags)
{
	char c[8];
	struct iovec iov = {c, sizeof(c)};
	union {
		char buf[CMSG_SPACE(sizeof(int) * 256)];
		struct cmsghdr align;
	} u;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = room >= 0 ? u.buf : NULL,
			   .msg_controllen = room >= 0 ? CMSG_LEN(sizeof(int) * (size_t)room) : 0};
	ssize_t r;

	if (room == 0)
		m.msg_controllen = sizeof(struct cmsghdr);
	*n = 0;
	r = recvmsg(s, &m, flags);
	if (mflags)
		*mflags = m.msg_flags;
	if (r < 0)
		return r;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
			int k = (int)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));

			memcpy(fds + *n, CMSG_DATA(h), sizeof(int) * (size_t)k);
			*n += k;
		}
	}
	return r;
}

/* Is the pipe whose read end is r at EOF (every write end closed)? */
static int pipe_eof(int r, int ms)
{
	struct pollfd p = {.fd = r, .events = POLLIN};
	char c;

	if (poll(&p, 1, ms) != 1)
		return 0;
	return read(r, &c, 1) == 0;
}

static void test_rights(void)
{
	int sv[2], p[2], fds[4], n, fl;
	char buf[8];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	EXPECT_EQ(send_fds(sv[0], &p[1], 1, 0), 1, "send a pipe's write end");
	close(p[1]);
	EXPECT_EQ(recv_fds(sv[1], fds, 4, &n, &fl, 0), 1, "receive it");
	EXPECT_EQ(n, 1, "one descriptor arrived");
	CHECK(!(fl & MSG_CTRUNC), "no MSG_CTRUNC");
	CHECK(!(fcntl(fds[0], F_GETFD) & FD_CLOEXEC), "without MSG_CMSG_CLOEXEC it is not close-on-exec");
	EXPECT_EQ(write(fds[0], "via", 3), 3, "write through the received descriptor");
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 3, "it is the same pipe");
	close(fds[0]);
	CHECK(pipe_eof(p[0], 1000), "closing the received copy closes the pipe");
	close(p[0]);

	/* Three at once, received with room for one: MSG_CTRUNC, and the
	 * two that did not fit are closed. */
	{
		int p1[2], p2[2], p3[2], w[3];

		pipe(p1);
		pipe(p2);
		pipe(p3);
		w[0] = p1[1];
		w[1] = p2[1];
		w[2] = p3[1];
		EXPECT_EQ(send_fds(sv[0], w, 3, 0), 1, "send three descriptors");
		close(p1[1]);
		close(p2[1]);
		close(p3[1]);
		EXPECT_EQ(recv_fds(sv[1], fds, 1, &n, &fl, MSG_CMSG_CLOEXEC), 1, "receive with room for one");
		EXPECT_EQ(n, 1, "one descriptor fits");
		CHECK(fl & MSG_CTRUNC, "MSG_CTRUNC");
		CHECK(fl & MSG_CMSG_CLOEXEC, "msg_flags echoes MSG_CMSG_CLOEXEC");
		CHECK(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, "MSG_CMSG_CLOEXEC sets close-on-exec");
		CHECK(!pipe_eof(p1[0], 0), "the first pipe is still open (we hold it)");
		CHECK(pipe_eof(p2[0], 1000), "the second was closed");
		CHECK(pipe_eof(p3[0], 1000), "the third was closed");
		close(fds[0]);
		CHECK(pipe_eof(p1[0], 1000), "and the first closes with our copy");
		close(p1[0]);
		close(p2[0]);
		close(p3[0]);
	}
	/* No control buffer at all: read(2) drops the descriptors. */
	pipe(p);
	send_fds(sv[0], &p[1], 1, 0);
	close(p[1]);
	EXPECT_EQ(read(sv[1], buf, sizeof(buf)), 1, "read(2) of a message with a descriptor");
	CHECK(pipe_eof(p[0], 1000), "the descriptor was closed");
	pipe(p);
	send_fds(sv[0], &p[1], 1, 0);
	close(p[1]);
	EXPECT_EQ(recv_fds(sv[1], fds, 0, &n, &fl, 0), 1, "a control buffer with room for no descriptor");
	CHECK(n == 0 && (fl & MSG_CTRUNC), "MSG_CTRUNC and nothing installed");
	CHECK(pipe_eof(p[0], 1000), "the descriptor was closed");
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

static void test_rights_kinds(void)
{
	int sv[2], inner[2], fds[4], n, fl, op;
	char buf[16];
	struct stat st;

	/* A socket through a socket. */
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	socketpair(AF_UNIX, SOCK_STREAM, 0, inner);
	send_fds(sv[0], &inner[1], 1, 0);
	close(inner[1]);
	EXPECT_EQ(recv_fds(sv[1], fds, 2, &n, &fl, 0), 1, "receive a socket over a datagram socket");
	EXPECT_EQ(write(fds[0], "sock", 4), 4, "write through the received socket");
	EXPECT_EQ(read(inner[0], buf, sizeof(buf)), 4, "its peer reads it");
	close(fds[0]);
	close(inner[0]);

	/* An O_PATH descriptor travels too. */
	op = open("/", O_PATH);
	EXPECT_EQ(send_fds(sv[0], &op, 1, 0), 1, "send an O_PATH descriptor");
	EXPECT_EQ(recv_fds(sv[1], fds, 2, &n, &fl, 0), 1, "receive it");
	CHECK(n == 1 && fstat(fds[0], &st) == 0 && S_ISDIR(st.st_mode), "it is the directory");
	CHECK(fcntl(fds[0], F_GETFL) & O_PATH, "still O_PATH");
	close(fds[0]);
	close(op);

	/* MSG_PEEK hands out a copy; the real receive another. */
	{
		int p[2];

		pipe(p);
		send_fds(sv[0], &p[1], 1, 0);
		close(p[1]);
		EXPECT_EQ(recv_fds(sv[1], fds, 1, &n, &fl, MSG_PEEK), 1, "peek a message with a descriptor");
		EXPECT_EQ(n, 1, "the peek installs a descriptor");
		EXPECT_EQ(recv_fds(sv[1], fds + 1, 1, &n, &fl, 0), 1, "then receive it");
		CHECK(n == 1 && fds[1] != fds[0], "another descriptor");
		write(fds[0], "a", 1);
		write(fds[1], "b", 1);
		EXPECT_EQ(read(p[0], buf, 2), 2, "both write to the pipe");
		close(fds[0]);
		close(fds[1]);
		CHECK(pipe_eof(p[0], 1000), "closing both closes it");
		close(p[0]);
	}
	close(sv[0]);
	close(sv[1]);

	/* A stream read stops after the message carrying descriptors. */
	{
		int p[2];
		ssize_t r;

		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		pipe(p);
		write(sv[0], "ab", 2);
		send_fds(sv[0], &p[1], 1, 0);
		write(sv[0], "cd", 2);
		r = recv_fds(sv[1], fds, 2, &n, &fl, 0);
		CHECK(r == 3 && n == 1, "a stream read takes bytes up to the message with a descriptor");
		close(fds[0]);
		EXPECT_EQ(read(sv[1], buf, sizeof(buf)), 2, "the rest comes with the next read");
		EXPECT_EQ(send_fds(sv[0], &p[1], 0, 0), 1, "an empty SCM_RIGHTS is fine");
		recv(sv[1], buf, 1, 0);
		close(p[0]);
		close(p[1]);
		close(sv[0]);
		close(sv[1]);
	}
}

static void test_rights_errors(void)
{
	int sv[2], fds[254], p[2], n, fl;
	char c = 'x';
	struct iovec iov = {&c, 1};
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);

	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	pipe(p);
	for (int i = 0; i < 254; i++)
		fds[i] = p[1];
	EXPECT_EQ(send_fds(sv[0], fds, 253, 0), 1, "SCM_MAX_FD (253) descriptors");
	EXPECT_EQ(recv_fds(sv[1], fds, 253, &n, &fl, 0), 1, "received");
	EXPECT_EQ(n, 253, "all 253 of them");
	for (int i = 0; i < n; i++)
		close(fds[i]);
	for (int i = 0; i < 254; i++)
		fds[i] = p[1];
	EXPECT_ERRNO(send_fds(sv[0], fds, 254, 0), EINVAL, "254 descriptors: EINVAL");
	fds[0] = 999;
	EXPECT_ERRNO(send_fds(sv[0], fds, 1, 0), EBADF, "a closed descriptor: EBADF");
	fds[0] = -1;
	EXPECT_ERRNO(send_fds(sv[0], fds, 1, 0), EBADF, "descriptor -1: EBADF");

	memset(u.buf, 0, sizeof(u.buf));
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = sizeof(u.buf) + 8;
	EXPECT_ERRNO(sendmsg(sv[0], &m, 0), EINVAL, "cmsg_len past the buffer: EINVAL");
	h->cmsg_len = sizeof(struct cmsghdr) - 1;
	EXPECT_ERRNO(sendmsg(sv[0], &m, 0), EINVAL, "cmsg_len under a header: EINVAL");
	h->cmsg_len = CMSG_LEN(sizeof(int));
	h->cmsg_type = 77;
	EXPECT_ERRNO(sendmsg(sv[0], &m, 0), EINVAL, "an unknown SOL_SOCKET cmsg: EINVAL");
	h->cmsg_level = 12345;
	EXPECT_EQ(sendmsg(sv[0], &m, 0), 1, "a cmsg of another level is ignored");
	recv(sv[1], &c, 1, 0);
	m.msg_control = BAD;
	EXPECT_ERRNO(sendmsg(sv[0], &m, 0), EFAULT, "an unreadable control buffer: EFAULT");
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(struct cmsghdr) - 1;
	EXPECT_EQ(sendmsg(sv[0], &m, 0), 1, "a control buffer shorter than a header holds nothing");
	recv(sv[1], &c, 1, 0);
	{
		/* A receiver whose control buffer faults still gets the data. */
		struct msghdr r = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = BAD, .msg_controllen = 64};

		send_fds(sv[0], &p[0], 1, 0);
		EXPECT_EQ(recvmsg(sv[1], &r, 0), 1, "a bad receive control buffer: the data still arrives");
		CHECK(r.msg_flags & MSG_CTRUNC, "with MSG_CTRUNC");
	}
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static void test_in_flight(void)
{
	int sv[2], p[2], fds[2], n, fl, prev;
	struct pollfd pf;
	char c;

	/* The sender closes before the receiver reads: the descriptor waits
	 * in the queue. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	send_fds(sv[0], &p[1], 1, 0);
	close(p[1]);
	close(sv[0]);
	EXPECT_EQ(recv_fds(sv[1], fds, 1, &n, &fl, 0), 1, "a descriptor outlives its sender's socket");
	EXPECT_EQ(n, 1, "and arrives");
	close(fds[0]);
	close(sv[1]);
	CHECK(pipe_eof(p[0], 1000), "then it is closed");
	close(p[0]);

	/* Both ends close with the descriptor still in flight: released. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	send_fds(sv[0], &p[1], 1, 0);
	close(p[1]);
	CHECK(!pipe_eof(p[0], 0), "in flight, the pipe stays open");
	close(sv[0]);
	close(sv[1]);
	CHECK(pipe_eof(p[0], 2000), "both sockets closed: the descriptor in flight is released");
	close(p[0]);

	/* A chain: each socket carries the previous one, the first carries a
	 * pipe. Closing the last releases them all. */
	pipe(p);
	prev = p[1];
	for (int i = 0; i < 200; i++) {
		int s[2];

		socketpair(AF_UNIX, SOCK_STREAM, 0, s);
		if (send_fds(s[0], &prev, 1, 0) != 1) {
			it_fail("chain", "send %d failed: errno %d", i, errno);
			break;
		}
		close(prev);
		close(s[0]);
		prev = s[1];
	}
	close(prev);
	CHECK(pipe_eof(p[0], 3000), "a chain of 200 sockets in flight is released");
	close(p[0]);

	/* A cycle nothing can read any more: a socket carrying itself. The
	 * garbage collector frees it, and its peer sees the hang-up. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	send_fds(sv[0], &sv[1], 1, 0);
	close(sv[1]);
	{
		int t[2];

		socketpair(AF_UNIX, SOCK_STREAM, 0, t);
		close(t[0]);
		close(t[1]);
	}
	pf.fd = sv[0];
	pf.events = POLLIN;
	CHECK(poll(&pf, 1, 3000) == 1 && (pf.revents & POLLHUP), "a socket that only carries itself is collected");
	EXPECT_EQ(read(sv[0], &c, 1), 0, "its peer reads EOF");
	close(sv[0]);

	/* Two sockets carrying each other, with a pipe inside. */
	{
		int a[2], b[2];

		socketpair(AF_UNIX, SOCK_STREAM, 0, a);
		socketpair(AF_UNIX, SOCK_STREAM, 0, b);
		pipe(p);
		send_fds(a[0], &b[1], 1, 0);
		send_fds(b[0], &a[1], 1, 0);
		send_fds(a[0], &p[1], 1, 0);
		close(p[1]);
		close(a[0]);
		close(a[1]);
		close(b[0]);
		close(b[1]);
		socketpair(AF_UNIX, SOCK_STREAM, 0, a);
		close(a[0]);
		close(a[1]);
		CHECK(pipe_eof(p[0], 3000), "a cycle of two sockets is collected with what it holds");
		close(p[0]);
	}
	/* A socket in flight that someone still holds is not collected. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	send_fds(sv[0], &sv[1], 1, 0);
	{
		int t[2];

		socketpair(AF_UNIX, SOCK_STREAM, 0, t);
		close(t[0]);
		close(t[1]);
	}
	EXPECT_EQ(recv_fds(sv[1], fds, 1, &n, &fl, 0), 1, "a held socket in flight survives a collection");
	CHECK(n == 1, "and is received");
	close(fds[0]);
	close(sv[0]);
	close(sv[1]);
}

static void test_across_fork(void)
{
	int sv[2], p[2], fds[1], n, fl, st;
	pid_t pid;
	char buf[8];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	pid = it_fork();
	if (pid == 0) {
		close(sv[0]);
		close(p[1]);
		if (recv_fds(sv[1], fds, 1, &n, &fl, 0) != 1 || n != 1)
			_exit(1);
		if (write(fds[0], "child", 5) != 5)
			_exit(2);
		_exit(0);
	}
	close(sv[1]);
	close(p[0]);
	{
		int r[2];

		pipe(r);
		send_fds(sv[0], &r[1], 1, 0);
		close(r[1]);
		st = it_wait(pid);
		EXPECT_EXIT(st, 0, "a child receives a descriptor from its parent");
		EXPECT_EQ(read(r[0], buf, sizeof(buf)), 5, "and writes through it");
		close(r[0]);
	}
	close(p[1]);
	close(sv[0]);
}

/* The SCM_CREDENTIALS of one received message, or pid -2 if none. */
static struct ucred recv_creds(int s, int *mflags)
{
	char c;
	struct iovec iov = {&c, 1};
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct ucred uc = {.pid = -2};
	struct cmsghdr *h;

	if (recvmsg(s, &m, 0) < 0)
		return uc;
	*mflags = m.msg_flags;
	h = CMSG_FIRSTHDR(&m);
	if (h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_CREDENTIALS)
		memcpy(&uc, CMSG_DATA(h), sizeof(uc));
	return uc;
}

static int send_creds(int s, pid_t pid, uid_t uid, gid_t gid)
{
	char c = 'C';
	struct iovec iov = {&c, 1};
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	struct ucred uc = {pid, uid, gid};

	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_CREDENTIALS;
	h->cmsg_len = CMSG_LEN(sizeof(uc));
	memcpy(CMSG_DATA(h), &uc, sizeof(uc));
	return (int)sendmsg(s, &m, 0);
}

static void test_credentials(void)
{
	int sv[2], on = 1, fl, v;
	struct ucred uc;
	socklen_t l = sizeof(v);
	pid_t pid;

	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	send(sv[0], "a", 1, 0);
	EXPECT_OK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)), "SO_PASSCRED");
	CHECK(getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &l) == 0 && v == 1, "SO_PASSCRED reads back");
	uc = recv_creds(sv[1], &fl);
	CHECK(uc.pid == 0 && uc.uid == 65534 && uc.gid == 65534, "a message sent before SO_PASSCRED: no credentials (0, overflow ids)");
	send(sv[0], "b", 1, 0);
	uc = recv_creds(sv[1], &fl);
	CHECK(uc.pid == getpid() && uc.uid == getuid() && uc.gid == getgid(), "after SO_PASSCRED: the sender's pid, uid, gid");
	EXPECT_EQ(send_creds(sv[0], getpid(), getuid(), getgid()), 1, "send our own credentials explicitly");
	uc = recv_creds(sv[1], &fl);
	CHECK(uc.pid == getpid() && uc.uid == getuid() && uc.gid == getgid(), "they arrive");
	EXPECT_ERRNO(send_creds(sv[0], getpid(), (uid_t)-1, getgid()), EINVAL, "uid -1: EINVAL");
	pid = it_fork();
	if (pid == 0) {
		send(sv[0], "c", 1, 0);
		_exit(0);
	}
	it_wait(pid);
	uc = recv_creds(sv[1], &fl);
	CHECK(uc.pid == pid, "a child's message names the child");
	{
		char c;
		struct iovec iov = {&c, 1};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};

		send(sv[0], "d", 1, 0);
		EXPECT_EQ(recvmsg(sv[1], &m, 0), 1, "SO_PASSCRED receiver without a control buffer");
		CHECK(m.msg_flags & MSG_CTRUNC, "gets MSG_CTRUNC");
	}
	close(sv[0]);
	close(sv[1]);

	/* On a stream, a read does not glue bytes of different writers
	 * when credentials are passed. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
	send(sv[0], "p", 1, 0);
	pid = it_fork();
	if (pid == 0) {
		send(sv[0], "q", 1, 0);
		_exit(0);
	}
	it_wait(pid);
	{
		char buf[8];
		union {
			char b[CMSG_SPACE(sizeof(struct ucred))];
			struct cmsghdr align;
		} u;
		struct iovec iov = {buf, sizeof(buf)};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};

		EXPECT_EQ(recvmsg(sv[1], &m, 0), 1, "a stream read stops where the writer changes");
		m.msg_controllen = sizeof(u.b);
		EXPECT_EQ(recvmsg(sv[1], &m, 0), 1, "the next read has the other writer's byte");
		memcpy(&uc, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(uc));
		CHECK(uc.pid == pid, "with its credentials");
	}
	close(sv[0]);
	close(sv[1]);
	{
		gid_t groups[64];
		int ng = getgroups(64, groups);
		unsigned char big[64 * sizeof(gid_t)];

		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		l = sizeof(big);
		CHECK(ng >= 0 && getsockopt(sv[0], SOL_SOCKET, SO_PEERGROUPS, big, &l) == 0 && l == ng * sizeof(gid_t) &&
			      !memcmp(big, groups, l),
		      "SO_PEERGROUPS lists the peer's groups");
		close(sv[0]);
		close(sv[1]);
	}
}

int main(void)
{
	it_begin(10);
	test_rights();
	test_rights_kinds();
	test_rights_errors();
	test_in_flight();
	test_across_fork();
	test_credentials();
	return it_end();
}
