/* t_unix_stream: AF_UNIX SOCK_STREAM sockets: socketpair, names (paths,
 * abstract, autobind), listen/accept/connect with the backlog, shutdown,
 * close semantics (EOF, EPIPE+SIGPIPE, ECONNRESET), flags (MSG_PEEK,
 * MSG_WAITALL, MSG_DONTWAIT, MSG_NOSIGNAL), poll/select, socket options,
 * SO_PEERCRED, ioctls, and hostile addresses. */
#include "itest.h"

#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

static char dir[64];
/* An address nothing is mapped at, hidden from the compiler's checks. */
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

/* An abstract name unique to this process; the pid is never printed. */
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

static int listener(const struct sockaddr_un *a, socklen_t len, int backlog)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	if (s < 0 || bind(s, (const struct sockaddr *)a, len) < 0 || listen(s, backlog) < 0)
		return -1;
	return s;
}

static void test_socketpair(void)
{
	int sv[2], v;
	char buf[16];
	socklen_t l = sizeof(v);
	struct stat st;
	char link[64], path[64];
	ssize_t n;

	EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair stream");
	EXPECT_EQ(write(sv[0], "hello", 5), 5, "write to one end");
	EXPECT_EQ(read(sv[1], buf, sizeof(buf)), 5, "read from the other");
	CHECK(!memcmp(buf, "hello", 5), "bytes arrive intact");
	EXPECT_EQ(send(sv[1], "back", 4, 0), 4, "send back");
	EXPECT_EQ(recv(sv[0], buf, sizeof(buf), 0), 4, "recv back");
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &l) == 0 && v == SOCK_STREAM, "SO_TYPE is SOCK_STREAM");
	l = sizeof(v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &l) == 0 && v == AF_UNIX, "SO_DOMAIN is AF_UNIX");
	l = sizeof(v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_PROTOCOL, &v, &l) == 0 && v == 0, "SO_PROTOCOL is 0");
	l = sizeof(v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_ACCEPTCONN, &v, &l) == 0 && v == 0, "SO_ACCEPTCONN 0 when connected");
	CHECK(fstat(sv[0], &st) == 0 && S_ISSOCK(st.st_mode), "fstat says S_IFSOCK");
	CHECK((st.st_mode & 0777) == 0777, "socket inode mode 0777");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", sv[0]);
	n = readlink(path, link, sizeof(link) - 1);
	CHECK(n > 8 && !strncmp(link, "socket:[", 8), "/proc/self/fd link is socket:[ino]");
	EXPECT_ERRNO(lseek(sv[0], 0, SEEK_SET), ESPIPE, "lseek on a socket: ESPIPE");
	EXPECT_ERRNO(pread(sv[0], buf, 1, 0), ESPIPE, "pread on a socket: ESPIPE");
	EXPECT_ERRNO(open(path, O_RDWR), ENXIO, "reopening a socket through /proc: ENXIO");
	close(sv[0]);
	close(sv[1]);

	EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), "socketpair with flags");
	CHECK((fcntl(sv[0], F_GETFL) & O_NONBLOCK) && (fcntl(sv[1], F_GETFL) & O_NONBLOCK), "SOCK_NONBLOCK on both");
	CHECK((fcntl(sv[0], F_GETFD) & FD_CLOEXEC) && (fcntl(sv[1], F_GETFD) & FD_CLOEXEC), "SOCK_CLOEXEC on both");
	EXPECT_ERRNO(read(sv[0], buf, 1), EAGAIN, "nonblocking read of an empty socket: EAGAIN");
	close(sv[0]);
	close(sv[1]);
	EXPECT_ERRNO(socketpair(AF_UNIX, SOCK_STREAM, 0, BAD), EFAULT, "socketpair with a bad array: EFAULT");
	EXPECT_ERRNO(socketpair(AF_UNIX, SOCK_STREAM | 0x100, 0, sv), EINVAL, "socketpair with unknown flags: EINVAL");
}

static void test_socket_errors(void)
{
	int s;

	EXPECT_ERRNO(socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT, "SOCK_RDM: ESOCKTNOSUPPORT");
	EXPECT_ERRNO(socket(AF_UNIX, SOCK_STREAM, 2), EPROTONOSUPPORT, "protocol 2: EPROTONOSUPPORT");
	EXPECT_ERRNO(socket(AF_UNIX, 11, 0), EINVAL, "type 11: EINVAL");
	EXPECT_ERRNO(socket(AF_UNIX, SOCK_STREAM | 0x200, 0), EINVAL, "unknown type flags: EINVAL");
	EXPECT_ERRNO(socket(99, SOCK_STREAM, 0), EAFNOSUPPORT, "family 99: EAFNOSUPPORT");
	EXPECT_ERRNO(socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT, "family -1: EAFNOSUPPORT");
	s = socket(AF_UNIX, SOCK_STREAM, PF_UNIX);
	CHECK(s >= 0, "protocol PF_UNIX accepted");
	close(s);
	s = socket(AF_UNIX, SOCK_RAW, 0);
	{
		int v;
		socklen_t l = sizeof(v);

		CHECK(s >= 0 && getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l) == 0 && v == SOCK_DGRAM,
		      "SOCK_RAW is a datagram socket");
	}
	close(s);
	s = open("/dev/null", O_RDONLY);
	EXPECT_ERRNO(listen(s, 1), ENOTSOCK, "listen on a file: ENOTSOCK");
	EXPECT_ERRNO(shutdown(s, SHUT_RD), ENOTSOCK, "shutdown on a file: ENOTSOCK");
	close(s);
	EXPECT_ERRNO(listen(-1, 1), EBADF, "listen on -1: EBADF");
	EXPECT_ERRNO(accept(999, NULL, NULL), EBADF, "accept on a closed fd: EBADF");
}

static void test_path_names(void)
{
	struct sockaddr_un a, a2, g;
	socklen_t len = path_addr(&a, "s1"), gl;
	int s = socket(AF_UNIX, SOCK_STREAM, 0), s2, c, v;
	struct stat st;
	mode_t old = umask(022);

	EXPECT_OK(bind(s, (struct sockaddr *)&a, len), "bind to a path");
	CHECK(stat(a.sun_path, &st) == 0 && S_ISSOCK(st.st_mode), "the socket file is S_IFSOCK");
	EXPECT_EQ(st.st_mode & 0777, 0755, "its mode is 0777 less the umask");
	CHECK(lstat(a.sun_path, &st) == 0 && S_ISSOCK(st.st_mode), "lstat agrees");
	EXPECT_ERRNO(open(a.sun_path, O_RDONLY), ENXIO, "open of a socket file: ENXIO");
	gl = sizeof(g);
	EXPECT_OK(getsockname(s, (struct sockaddr *)&g, &gl), "getsockname");
	EXPECT_EQ(gl, len, "getsockname length is the path plus NUL");
	CHECK(!strcmp(g.sun_path, a.sun_path), "getsockname gives the path");
	EXPECT_ERRNO(bind(s, (struct sockaddr *)&a, len), EADDRINUSE, "binding the same path again: EADDRINUSE");
	s2 = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_ERRNO(bind(s2, (struct sockaddr *)&a, len), EADDRINUSE, "another socket on that path: EADDRINUSE");
	len = path_addr(&a2, "s1b");
	EXPECT_ERRNO(bind(s, (struct sockaddr *)&a2, len), EINVAL, "binding a bound socket elsewhere: EINVAL");
	EXPECT_ERRNO(access(a2.sun_path, F_OK), ENOENT, "and that file is not left behind");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	len = path_addr(&a, "s1");
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&a, len), ECONNREFUSED, "connect to a bound but not listening socket: ECONNREFUSED");
	len = path_addr(&a2, "nothing");
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&a2, len), ENOENT, "connect to a missing path: ENOENT");
	len = path_addr(&a2, "regular");
	it_write_file(a2.sun_path, "x", 1, 0666);
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&a2, len), ECONNREFUSED, "connect to a regular file: ECONNREFUSED");
	len = path_addr(&a2, "regular/x");
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&a2, len), ENOTDIR, "connect through a file: ENOTDIR");
	close(s);
	len = path_addr(&a, "s1");
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&a, len), ECONNREFUSED, "connect to a file whose socket closed: ECONNREFUSED");
	EXPECT_OK(unlink(a.sun_path), "unlink the stale socket file");
	EXPECT_OK(bind(s2, (struct sockaddr *)&a, len), "the path can be bound again");
	EXPECT_OK(listen(s2, 4), "listen");
	v = 0;
	gl = sizeof(v);
	CHECK(getsockopt(s2, SOL_SOCKET, SO_ACCEPTCONN, &v, &gl) == 0 && v == 1, "SO_ACCEPTCONN 1 when listening");
	EXPECT_OK(connect(c, (struct sockaddr *)&a, len), "connect to it");
	close(c);
	/* A relative path is resolved against the cwd and kept as given. */
	c = open(".", O_RDONLY | O_DIRECTORY);
	if (chdir(dir) == 0) {
		struct sockaddr_un r = {.sun_family = AF_UNIX};
		int rs = socket(AF_UNIX, SOCK_DGRAM, 0);

		strcpy(r.sun_path, "rel");
		EXPECT_OK(bind(rs, (struct sockaddr *)&r, sizeof(r)), "bind to a relative path");
		gl = sizeof(g);
		CHECK(getsockname(rs, (struct sockaddr *)&g, &gl) == 0 && gl == 6 && !strcmp(g.sun_path, "rel"),
		      "getsockname keeps it relative");
		/* 108 bytes of sun_path with no NUL: allowed, as in Linux. */
		memset(r.sun_path, 'p', sizeof(r.sun_path));
		close(rs);
		rs = socket(AF_UNIX, SOCK_STREAM, 0);
		EXPECT_OK(bind(rs, (struct sockaddr *)&r, sizeof(r)), "bind to a 108-byte path without NUL");
		{
			char big[sizeof(struct sockaddr_un) + 16];

			gl = sizeof(big);
			CHECK(getsockname(rs, (struct sockaddr *)big, &gl) == 0 && gl == sizeof(r) + 1,
			      "getsockname length is 111 for it");
		}
		r.sun_path[107] = 0;
		unlink(r.sun_path);
		memset(r.sun_path, 0, sizeof(r.sun_path));
		close(rs);
		if (fchdir(c) < 0)
			it_fail("fchdir back", "errno %d", errno);
	}
	close(c);
	close(s2);
	umask(old);
}

static void test_abstract_autobind(void)
{
	struct sockaddr_un a, g;
	socklen_t len = abstract_addr(&a, "stream"), gl;
	int s = listener(&a, len, 4), c, s2, acc;
	char buf[8];

	CHECK(s >= 0, "bind and listen on an abstract name");
	gl = sizeof(g);
	CHECK(getsockname(s, (struct sockaddr *)&g, &gl) == 0 && gl == len && !memcmp(&g, &a, len),
	      "getsockname gives the abstract name back, exact length");
	s2 = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_ERRNO(bind(s2, (struct sockaddr *)&a, len), EADDRINUSE, "abstract name in use: EADDRINUSE");
	EXPECT_ERRNO(bind(s, (struct sockaddr *)&a, len - 1), EINVAL, "binding a bound socket to another name: EINVAL");
	close(s2);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_OK(connect(c, (struct sockaddr *)&a, len), "connect to the abstract name");
	acc = accept(s, NULL, NULL);
	CHECK(acc >= 0, "accept it");
	EXPECT_EQ(write(c, "ab", 2), 2, "write");
	EXPECT_EQ(read(acc, buf, 2), 2, "read");
	close(acc);
	close(c);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	len = abstract_addr(&a, "nobody");
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&a, len), ECONNREFUSED, "unbound abstract name: ECONNREFUSED");
	close(c);
	close(s);
	len = abstract_addr(&a, "stream");
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_OK(bind(s, (struct sockaddr *)&a, len), "the name is free again after close");
	close(s);

	s = socket(AF_UNIX, SOCK_STREAM, 0);
	a.sun_family = AF_UNIX;
	EXPECT_OK(bind(s, (struct sockaddr *)&a, sizeof(sa_family_t)), "autobind (address of the family only)");
	gl = sizeof(g);
	EXPECT_OK(getsockname(s, (struct sockaddr *)&g, &gl), "getsockname after autobind");
	EXPECT_EQ(gl, 8, "autobind name length 8");
	CHECK(g.sun_path[0] == 0 && strspn(g.sun_path + 1, "0123456789abcdef") == 5,
	      "autobind name is NUL and five hex digits");
	EXPECT_OK(bind(s, (struct sockaddr *)&a, sizeof(sa_family_t)), "autobind again: no-op");
	EXPECT_OK(listen(s, 1), "listen on the autobound name");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_OK(connect(c, (struct sockaddr *)&g, gl), "connect to the autobound name");
	close(c);
	close(s);
}

static void test_accept(void)
{
	struct sockaddr_un a, g;
	socklen_t len = path_addr(&a, "acc"), gl;
	int s = listener(&a, len, 8), c, c2, acc, d;
	char buf[16];
	struct ucred uc;

	CHECK(s >= 0, "listener");
	fcntl(s, F_SETFL, O_NONBLOCK);
	EXPECT_ERRNO(accept(s, NULL, NULL), EAGAIN, "nonblocking accept with nothing pending: EAGAIN");
	EXPECT_EQ(poll1(s, POLLIN | POLLOUT, 0), 0, "idle listener: no events (never POLLOUT)");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_OK(connect(c, (struct sockaddr *)&a, len), "connect");
	EXPECT_EQ(poll1(s, POLLIN, 0), POLLIN, "listener with a pending connection: POLLIN");
	EXPECT_EQ(poll1(c, POLLIN | POLLOUT, 0), POLLOUT, "connected, not yet accepted: POLLOUT");
	EXPECT_EQ(write(c, "early", 5), 5, "write before the accept");
	EXPECT_ERRNO(connect(c, (struct sockaddr *)&a, len), EISCONN, "connect again: EISCONN");
	EXPECT_ERRNO(connect(s, (struct sockaddr *)&a, len), EINVAL, "connect a listener: EINVAL");
	memset(&g, 0xff, sizeof(g));
	gl = sizeof(g);
	acc = accept4(s, (struct sockaddr *)&g, &gl, SOCK_CLOEXEC);
	CHECK(acc >= 0, "accept4");
	EXPECT_EQ(gl, sizeof(sa_family_t), "peer of an unbound client: length 2");
	CHECK(fcntl(acc, F_GETFD) & FD_CLOEXEC, "accept4 SOCK_CLOEXEC");
	CHECK(!(fcntl(acc, F_GETFL) & O_NONBLOCK), "the accepted socket does not inherit O_NONBLOCK");
	EXPECT_EQ(read(acc, buf, sizeof(buf)), 5, "data written before the accept is there");
	gl = sizeof(g);
	CHECK(getsockname(acc, (struct sockaddr *)&g, &gl) == 0 && gl == len && !strcmp(g.sun_path, a.sun_path),
	      "accepted socket's name is the listener's");
	gl = sizeof(g);
	CHECK(getpeername(c, (struct sockaddr *)&g, &gl) == 0 && gl == len && !strcmp(g.sun_path, a.sun_path),
	      "client's peer name is the listener's");
	gl = sizeof(g);
	CHECK(getsockname(c, (struct sockaddr *)&g, &gl) == 0 && gl == sizeof(sa_family_t), "client's own name is empty");
	gl = 4;
	memset(&g, 0, sizeof(g));
	CHECK(getpeername(c, (struct sockaddr *)&g, &gl) == 0 && gl == len && g.sun_path[2] == 0 && g.sun_path[1] == dir[1],
	      "a short buffer gets a truncated name and the full length");
	gl = sizeof(uc);
	CHECK(getsockopt(acc, SOL_SOCKET, SO_PEERCRED, &uc, &gl) == 0 && uc.pid == getpid() && uc.uid == geteuid() &&
		      uc.gid == getegid(),
	      "SO_PEERCRED of the accepted socket: the client");
	gl = sizeof(uc);
	CHECK(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &uc, &gl) == 0 && uc.pid == getpid(), "SO_PEERCRED of the client: the listener");
	close(acc);
	close(c);

	c = socket(AF_UNIX, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&a, len);
	acc = accept4(s, NULL, NULL, SOCK_NONBLOCK);
	CHECK(acc >= 0 && (fcntl(acc, F_GETFL) & O_NONBLOCK), "accept4 SOCK_NONBLOCK");
	close(acc);
	close(c);
	EXPECT_ERRNO(accept4(s, NULL, NULL, 0x4), EINVAL, "accept4 with an unknown flag: EINVAL");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_ERRNO(accept(c, NULL, NULL), EINVAL, "accept on a socket not listening: EINVAL");
	d = socket(AF_UNIX, SOCK_DGRAM, 0);
	EXPECT_ERRNO(accept(d, NULL, NULL), EOPNOTSUPP, "accept on a datagram socket: EOPNOTSUPP");
	EXPECT_ERRNO(listen(d, 1), EOPNOTSUPP, "listen on a datagram socket: EOPNOTSUPP");
	EXPECT_ERRNO(listen(c, 1), EINVAL, "listen on an unbound stream socket: EINVAL");
	close(d);
	/* A client that closes before the accept: its connection is still
	 * accepted, with its data, then EOF. */
	c2 = socket(AF_UNIX, SOCK_STREAM, 0);
	connect(c2, (struct sockaddr *)&a, len);
	write(c2, "bye", 3);
	close(c2);
	acc = accept(s, NULL, NULL);
	CHECK(acc >= 0, "accept a connection whose client already closed");
	EXPECT_EQ(read(acc, buf, sizeof(buf)), 3, "its data");
	EXPECT_EQ(read(acc, buf, sizeof(buf)), 0, "then EOF");
	close(acc);
	/* Closing the listener resets connections it never accepted. */
	connect(c, (struct sockaddr *)&a, len);
	close(s);
	EXPECT_ERRNO(read(c, buf, 1), ECONNRESET, "listener closed before accepting: ECONNRESET");
	EXPECT_EQ(read(c, buf, 1), 0, "then EOF");
	close(c);
	unlink(a.sun_path);
}

struct acc_arg {
	int s;
	volatile int accepted;
};

static void *late_accept(void *p)
{
	struct acc_arg *aa = p;
	struct timespec ts = {0, 150 * 1000 * 1000};
	int fd;

	nanosleep(&ts, NULL);
	aa->accepted = 1;
	fd = accept(aa->s, NULL, NULL);
	return (void *)(long)fd;
}

static void test_backlog(void)
{
	struct sockaddr_un a;
	socklen_t len = path_addr(&a, "backlog");
	int s = listener(&a, len, 0), c1, c2, c3;
	struct acc_arg aa;
	pthread_t th;
	void *ret;

	CHECK(s >= 0, "listener with backlog 0");
	c1 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	EXPECT_OK(connect(c1, (struct sockaddr *)&a, len), "backlog 0 still takes one connection");
	EXPECT_ERRNO(connect(c2, (struct sockaddr *)&a, len), EAGAIN, "a full backlog: nonblocking connect EAGAIN");
	aa.s = s;
	aa.accepted = 0;
	c3 = socket(AF_UNIX, SOCK_STREAM, 0);
	pthread_create(&th, NULL, late_accept, &aa);
	EXPECT_OK(connect(c3, (struct sockaddr *)&a, len), "a full backlog: blocking connect waits");
	CHECK(aa.accepted, "and returns only after an accept made room");
	pthread_join(th, &ret);
	close((int)(long)ret);
	{
		struct timeval tv = {0, 100 * 1000};
		int c4 = socket(AF_UNIX, SOCK_STREAM, 0);
		long long t0 = it_now_ns();

		setsockopt(c4, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		EXPECT_ERRNO(connect(c4, (struct sockaddr *)&a, len), EAGAIN, "SO_SNDTIMEO ends a blocked connect: EAGAIN");
		CHECK(it_now_ns() - t0 >= 80 * 1000000LL, "after the timeout");
		close(c4);
	}
	close(c1);
	close(c2);
	close(c3);
	close(s);
	unlink(a.sun_path);
}

static void test_shutdown_close(void)
{
	int sv[2], v;
	char buf[16];
	socklen_t l;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	EXPECT_OK(shutdown(sv[0], SHUT_WR), "shutdown SHUT_WR");
	EXPECT_EQ(read(sv[1], buf, sizeof(buf)), 0, "the peer reads EOF");
	EXPECT_EQ(poll1(sv[1], POLLIN | POLLRDHUP | POLLOUT, 0), POLLIN | POLLRDHUP | POLLOUT,
		  "peer polls POLLIN|POLLRDHUP|POLLOUT");
	EXPECT_EQ(write(sv[1], "up", 2), 2, "the peer can still write");
	EXPECT_EQ(read(sv[0], buf, sizeof(buf)), 2, "and we still read");
	sigpipes = 0;
	EXPECT_ERRNO(write(sv[0], "x", 1), EPIPE, "write after SHUT_WR: EPIPE");
	EXPECT_EQ(sigpipes, 1, "with SIGPIPE");
	EXPECT_ERRNO(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE, "MSG_NOSIGNAL: EPIPE");
	EXPECT_EQ(sigpipes, 1, "without SIGPIPE");
	EXPECT_ERRNO(shutdown(sv[0], 3), EINVAL, "shutdown how 3: EINVAL");
	EXPECT_ERRNO(shutdown(sv[0], -1), EINVAL, "shutdown how -1: EINVAL");
	EXPECT_OK(shutdown(sv[0], SHUT_RDWR), "shutdown SHUT_RDWR");
	EXPECT_EQ(poll1(sv[0], POLLIN | POLLOUT | POLLRDHUP, 0), POLLIN | POLLOUT | POLLRDHUP | POLLHUP,
		  "after SHUT_RDWR: POLLIN|POLLOUT|POLLRDHUP|POLLHUP");
	close(sv[0]);
	close(sv[1]);
	v = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_OK(shutdown(v, SHUT_RD), "shutdown of an unconnected socket: 0");
	close(v);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[1]);
	EXPECT_EQ(poll1(sv[0], POLLIN | POLLOUT | POLLRDHUP, 0), POLLIN | POLLOUT | POLLRDHUP | POLLHUP,
		  "peer closed: POLLIN|POLLOUT|POLLRDHUP|POLLHUP");
	EXPECT_EQ(read(sv[0], buf, sizeof(buf)), 0, "peer closed: read EOF");
	sigpipes = 0;
	EXPECT_ERRNO(write(sv[0], "x", 1), EPIPE, "peer closed: write EPIPE");
	EXPECT_EQ(sigpipes, 1, "and SIGPIPE");
	l = sizeof(v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &l) == 0 && v == 0, "no SO_ERROR for a clean close");
	close(sv[0]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "unread", 6);
	write(sv[1], "mine", 4);
	close(sv[1]);
	EXPECT_EQ(poll1(sv[0], POLLIN, 0), POLLIN | POLLERR | POLLHUP, "peer closed with unread data: POLLERR too");
	EXPECT_EQ(read(sv[0], buf, sizeof(buf)), 4, "data the peer wrote is still readable");
	EXPECT_ERRNO(read(sv[0], buf, sizeof(buf)), ECONNRESET, "then ECONNRESET");
	EXPECT_EQ(read(sv[0], buf, sizeof(buf)), 0, "then EOF");
	close(sv[0]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "unread", 6);
	close(sv[1]);
	l = sizeof(v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &l) == 0 && v == ECONNRESET, "SO_ERROR is ECONNRESET");
	l = sizeof(v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &l) == 0 && v == 0, "and reading it clears it");
	close(sv[0]);
}

struct writer_arg {
	int fd;
	int pieces;
};

static void *slow_writer(void *p)
{
	struct writer_arg *w = p;
	struct timespec ts = {0, 20 * 1000 * 1000};

	for (int i = 0; i < w->pieces; i++) {
		nanosleep(&ts, NULL);
		if (write(w->fd, "0123456789", 10) != 10)
			break;
	}
	return NULL;
}

static void test_flags(void)
{
	int sv[2], total = 0;
	char buf[64];
	pthread_t th;
	struct writer_arg w;
	ssize_t n;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "abc", 3);
	write(sv[0], "def", 3);
	EXPECT_EQ(recv(sv[1], buf, 2, MSG_PEEK), 2, "MSG_PEEK a part");
	EXPECT_EQ(recv(sv[1], buf, sizeof(buf), MSG_PEEK), 6, "MSG_PEEK sees across writes");
	CHECK(!memcmp(buf, "abcdef", 6), "peeked bytes");
	EXPECT_EQ(recv(sv[1], buf, 4, 0), 4, "read 4");
	CHECK(!memcmp(buf, "abcd", 4), "read bytes after a peek");
	EXPECT_EQ(recv(sv[1], buf, sizeof(buf), 0), 2, "read the rest");
	EXPECT_ERRNO(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "MSG_DONTWAIT on empty: EAGAIN");
	{
		int v = 3, off;
		socklen_t l = sizeof(off);

		EXPECT_OK(setsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &v, sizeof(v)), "SO_PEEK_OFF 3");
		write(sv[0], "0123456789", 10);
		EXPECT_EQ(recv(sv[1], buf, 4, MSG_PEEK), 4, "peek at offset 3");
		CHECK(!memcmp(buf, "3456", 4), "peek offset skips");
		CHECK(getsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &off, &l) == 0 && off == 7, "the offset advanced to 7");
		EXPECT_EQ(recv(sv[1], buf, 5, 0), 5, "a read takes from the start");
		CHECK(!memcmp(buf, "01234", 5), "read bytes");
		l = sizeof(off);
		CHECK(getsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &off, &l) == 0 && off == 2, "and moves the offset back");
		v = -1;
		setsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &v, sizeof(v));
		recv(sv[1], buf, sizeof(buf), 0);
	}
	w.fd = sv[0];
	w.pieces = 4;
	pthread_create(&th, NULL, slow_writer, &w);
	n = recv(sv[1], buf, 40, MSG_WAITALL);
	EXPECT_EQ(n, 40, "MSG_WAITALL gathers 4 slow writes");
	pthread_join(th, NULL);
	w.pieces = 2;
	pthread_create(&th, NULL, slow_writer, &w);
	total = 0;
	while (total < 20 && (n = read(sv[1], buf, sizeof(buf))) > 0)
		total += (int)n;
	EXPECT_EQ(total, 20, "plain reads take what is there");
	pthread_join(th, NULL);
	shutdown(sv[0], SHUT_WR);
	write(sv[0], "x", 1);
	EXPECT_EQ(recv(sv[1], buf, 10, MSG_WAITALL), 0, "MSG_WAITALL at EOF returns what there is (0)");
	close(sv[0]);
	close(sv[1]);
	{
		int v = 5;

		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		EXPECT_OK(setsockopt(sv[1], SOL_SOCKET, SO_RCVLOWAT, &v, sizeof(v)), "SO_RCVLOWAT 5");
		w.fd = sv[0];
		w.pieces = 1;
		write(sv[0], "ab", 2);
		pthread_create(&th, NULL, slow_writer, &w);
		EXPECT_EQ(recv(sv[1], buf, sizeof(buf), 0), 12, "SO_RCVLOWAT makes a read wait for 5 bytes");
		pthread_join(th, NULL);
		close(sv[0]);
		close(sv[1]);
	}
}

static void test_buffers_poll(void)
{
	int sv[2], v;
	char buf[4096];
	long total = 0, got = 0;
	ssize_t n;
	socklen_t l;
	fd_set rfds, wfds;
	struct timeval tv = {0, 0};

	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	memset(buf, 'z', sizeof(buf));
	EXPECT_EQ(poll1(sv[0], POLLIN | POLLOUT, 0), POLLOUT, "empty pair: POLLOUT only");
	while ((n = write(sv[0], buf, sizeof(buf))) > 0)
		total += n;
	CHECK(n < 0 && errno == EAGAIN, "a nonblocking writer fills the buffer: EAGAIN");
	CHECK(total > 65536, "more than 64 KiB fit");
	EXPECT_EQ(poll1(sv[0], POLLOUT, 0), 0, "full: no POLLOUT");
	EXPECT_EQ(poll1(sv[1], POLLIN, 0), POLLIN, "reader: POLLIN");
	FD_ZERO(&rfds);
	FD_ZERO(&wfds);
	FD_SET(sv[1], &rfds);
	FD_SET(sv[0], &wfds);
	EXPECT_EQ(select(sv[1] + 1, &rfds, &wfds, NULL, &tv), 1, "select: readable reader, full writer");
	CHECK(FD_ISSET(sv[1], &rfds) && !FD_ISSET(sv[0], &wfds), "select's sets");
	CHECK(ioctl(sv[1], FIONREAD, &v) == 0 && v == total, "FIONREAD counts the bytes");
	CHECK(ioctl(sv[0], TIOCOUTQ, &v) == 0 && v >= total, "SIOCOUTQ is at least the bytes in flight");
	while (got < total && (n = read(sv[1], buf, sizeof(buf))) > 0)
		got += n;
	EXPECT_EQ(got, total, "everything written is read");
	EXPECT_EQ(poll1(sv[0], POLLOUT, 0), POLLOUT, "drained: POLLOUT again");
	close(sv[0]);
	close(sv[1]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	v = 65536;
	EXPECT_OK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)), "SO_SNDBUF 65536");
	l = sizeof(v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &l) == 0 && v == 131072, "reads back doubled");
	v = 32768;
	EXPECT_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)), "SO_RCVBUF 32768");
	l = sizeof(v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, &l) == 0 && v == 65536, "reads back doubled");
	v = 1;
	l = 2;
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &l) == 0 && l == 2, "a short optlen gets a short copy");
	EXPECT_ERRNO(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, 2), EINVAL, "setsockopt optlen 2: EINVAL");
	EXPECT_ERRNO(setsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, sizeof(v)), ENOPROTOOPT, "SO_TYPE is read-only: ENOPROTOOPT");
	EXPECT_ERRNO(setsockopt(sv[0], SOL_SOCKET, 9999, &v, sizeof(v)), ENOPROTOOPT, "unknown option: ENOPROTOOPT");
	l = sizeof(v);
	EXPECT_ERRNO(getsockopt(sv[0], SOL_SOCKET, 9999, &v, &l), ENOPROTOOPT, "unknown option get: ENOPROTOOPT");
	EXPECT_ERRNO(setsockopt(sv[0], IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)), EOPNOTSUPP, "a TCP option: EOPNOTSUPP");
	l = sizeof(v);
	EXPECT_ERRNO(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, BAD), EFAULT, "bad optlen pointer: EFAULT");
	l = (socklen_t)-1;
	EXPECT_ERRNO(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &l), EINVAL, "negative optlen: EINVAL");
	EXPECT_ERRNO(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, -1), EINVAL, "setsockopt negative optlen: EINVAL");
	v = 1;
	EXPECT_OK(setsockopt(sv[0], SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)), "SO_KEEPALIVE");
	l = sizeof(v);
	v = 0;
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_KEEPALIVE, &v, &l) == 0 && v == 1, "SO_KEEPALIVE reads back");
	{
		struct linger lg = {1, 5}, lg2;

		EXPECT_OK(setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), "SO_LINGER");
		l = sizeof(lg2);
		CHECK(getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg2, &l) == 0 && l == sizeof(lg2) && lg2.l_onoff == 1 &&
			      lg2.l_linger == 5,
		      "SO_LINGER reads back");
	}
	v = 1;
	EXPECT_ERRNO(setsockopt(sv[0], SOL_SOCKET, SO_REUSEPORT, &v, sizeof(v)), EOPNOTSUPP, "SO_REUSEPORT on AF_UNIX: EOPNOTSUPP");
	close(sv[0]);
	close(sv[1]);
}

static void test_timeouts(void)
{
	int sv[2];
	char buf[8];
	struct timeval tv = {0, 100 * 1000}, got;
	socklen_t l = sizeof(got);
	long long t0;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	EXPECT_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), "SO_RCVTIMEO 100 ms");
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &got, &l) == 0 && l == sizeof(got) && got.tv_sec == 0 &&
		      got.tv_usec == 100000,
	      "SO_RCVTIMEO reads back");
	t0 = it_now_ns();
	EXPECT_ERRNO(read(sv[0], buf, sizeof(buf)), EAGAIN, "a read times out: EAGAIN");
	CHECK(it_now_ns() - t0 >= 80 * 1000000LL, "after about the timeout");
	tv.tv_sec = 1;
	tv.tv_usec = 500000;
	EXPECT_OK(setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), "SO_SNDTIMEO 1.5 s");
	l = sizeof(got);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &got, &l) == 0 && got.tv_sec == 1 && got.tv_usec == 500000,
	      "SO_SNDTIMEO reads back");
	tv.tv_usec = 1000000;
	EXPECT_ERRNO(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), EDOM, "usec of a second: EDOM");
	EXPECT_ERRNO(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, 8), EINVAL, "a short timeval: EINVAL");
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	EXPECT_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), "SO_RCVTIMEO 0: no timeout");
	l = sizeof(got);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &got, &l) == 0 && got.tv_sec == 0 && got.tv_usec == 0,
	      "reads back 0");
	close(sv[0]);
	close(sv[1]);
}

static void test_transfer(void)
{
	int sv[2];
	pid_t pid;
	unsigned sum = 0, want = 0;
	static unsigned char buf[65536];
	long got = 0;
	ssize_t n;
	int st;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid = it_fork();
	if (pid == 0) {
		close(sv[1]);
		for (int i = 0; i < 16; i++) {
			for (size_t k = 0; k < sizeof(buf); k++)
				buf[k] = (unsigned char)(k * 7 + i);
			if (write(sv[0], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
				_exit(1);
		}
		_exit(0);
	}
	close(sv[0]);
	for (int i = 0; i < 16; i++)
		for (size_t k = 0; k < sizeof(buf); k++)
			want += (unsigned char)(k * 7 + i);
	while ((n = read(sv[1], buf, sizeof(buf))) > 0) {
		for (ssize_t k = 0; k < n; k++)
			sum += buf[k];
		got += n;
	}
	EXPECT_EQ(got, 16 * 65536, "1 MiB crosses between processes");
	EXPECT_EQ(sum, want, "with the right bytes");
	st = it_wait(pid);
	EXPECT_EXIT(st, 0, "the writer child");
	close(sv[1]);
}

static void test_peercred_fork(void)
{
	struct sockaddr_un a;
	socklen_t len = path_addr(&a, "cred"), l;
	int s = listener(&a, len, 1), acc, c;
	pid_t pid;
	struct ucred uc;
	char b;

	pid = it_fork();
	if (pid == 0) {
		c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(c, (struct sockaddr *)&a, len) < 0)
			_exit(1);
		l = sizeof(uc);
		if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &uc, &l) < 0 || uc.pid != getppid())
			_exit(2);
		if (read(c, &b, 1) != 1)
			_exit(3);
		_exit(0);
	}
	acc = accept(s, NULL, NULL);
	l = sizeof(uc);
	CHECK(acc >= 0 && getsockopt(acc, SOL_SOCKET, SO_PEERCRED, &uc, &l) == 0 && uc.pid == pid,
	      "SO_PEERCRED names the connecting child");
	write(acc, "k", 1);
	EXPECT_EXIT(it_wait(pid), 0, "the child saw the listener's credentials");
	close(acc);
	close(s);
	l = sizeof(uc);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &l) == 0 && uc.pid == 0 && uc.uid == (uid_t)-1 &&
		      uc.gid == (gid_t)-1,
	      "SO_PEERCRED of an unconnected socket: 0, -1, -1");
	close(s);
	unlink(a.sun_path);
}

static void test_hostile_addresses(void)
{
	struct sockaddr_un a;
	socklen_t len = path_addr(&a, "hostile");
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	socklen_t gl;

	EXPECT_ERRNO(bind(s, (struct sockaddr *)&a, sizeof(a) + 1), EINVAL, "addrlen 111: EINVAL");
	EXPECT_ERRNO(bind(s, (struct sockaddr *)&a, 129), EINVAL, "addrlen 129: EINVAL");
	EXPECT_ERRNO(bind(s, (struct sockaddr *)&a, -1), EINVAL, "addrlen -1: EINVAL");
	EXPECT_ERRNO(bind(s, (struct sockaddr *)&a, 1), EINVAL, "addrlen 1: EINVAL");
	EXPECT_ERRNO(bind(s, BAD, len), EFAULT, "a bad address pointer: EFAULT");
	EXPECT_ERRNO(connect(s, BAD, len), EFAULT, "connect with a bad pointer: EFAULT");
	EXPECT_ERRNO(connect(s, (struct sockaddr *)&a, 0), EINVAL, "connect addrlen 0: EINVAL");
	EXPECT_ERRNO(connect(s, (struct sockaddr *)&a, 2), EINVAL, "connect addrlen 2: EINVAL");
	a.sun_family = AF_INET;
	EXPECT_ERRNO(bind(s, (struct sockaddr *)&a, len), EINVAL, "another family's address: EINVAL");
	EXPECT_ERRNO(connect(s, (struct sockaddr *)&a, len), EINVAL, "connect to another family's address: EINVAL");
	a.sun_family = AF_UNIX;
	gl = sizeof(a);
	EXPECT_ERRNO(getsockname(s, BAD, &gl), EFAULT, "getsockname to a bad pointer: EFAULT");
	EXPECT_ERRNO(getsockname(s, (struct sockaddr *)&a, BAD), EFAULT, "getsockname bad length pointer: EFAULT");
	gl = (socklen_t)-1;
	EXPECT_ERRNO(getsockname(s, (struct sockaddr *)&a, &gl), EINVAL, "getsockname negative length: EINVAL");
	gl = sizeof(a);
	EXPECT_ERRNO(getpeername(s, (struct sockaddr *)&a, &gl), ENOTCONN, "getpeername unconnected: ENOTCONN");
	EXPECT_ERRNO(send(s, "x", 1, 0), ENOTCONN, "send unconnected: ENOTCONN");
	EXPECT_ERRNO(recv(s, &a, 1, 0), EINVAL, "recv unconnected stream: EINVAL");
	EXPECT_ERRNO(write(s, "x", 1), ENOTCONN, "write unconnected: ENOTCONN");
	{
		int sv[2];

		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		EXPECT_ERRNO(sendto(sv[0], "x", 1, 0, (struct sockaddr *)&a, len), EISCONN, "sendto with an address when connected: EISCONN");
		EXPECT_ERRNO(send(sv[0], BAD, 10, 0), EFAULT, "send from a bad buffer: EFAULT");
		write(sv[0], "y", 1);
		EXPECT_ERRNO(recv(sv[1], BAD, 10, 0), EFAULT, "recv into a bad buffer: EFAULT");
		EXPECT_EQ(recv(sv[1], &a, 1, 0), 1, "the byte is still there after the fault");
		close(sv[0]);
		close(sv[1]);
	}
	close(s);
}

int main(void)
{
	it_begin(10);
	signal(SIGPIPE, on_sigpipe);
	if (!it_tmpdir(dir, sizeof(dir)))
		return 1;
	test_socketpair();
	test_socket_errors();
	test_path_names();
	test_abstract_autobind();
	test_accept();
	test_backlog();
	test_shutdown_close();
	test_flags();
	test_buffers_poll();
	test_timeouts();
	test_transfer();
	test_peercred_fork();
	test_hostile_addresses();
	it_rmtree(dir);
	return it_end();
}
