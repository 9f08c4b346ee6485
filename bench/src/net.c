/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net.c: TCP over the loopback interface between a parent and a forked
 * child: the round trip of one byte (TCP_NODELAY), and bulk throughput in
 * 64 KiB sends. Where the runtime has no sockets (or no loopback), both
 * figures are "n/a".
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define BULK (64L << 10)

static char bulk[BULK];

/* A connected loopback socket in the parent and in the child. */
struct conn {
	int fd;
	pid_t pid;
	int err;
};

/* Send or receive all of len bytes on a socket; 0 or -errno. */
static int sock_io(int fd, void *buf, size_t len, int sending)
{
	char *p = buf;

	while (len > 0) {
		ssize_t r = sending ? send(fd, p, len, MSG_NOSIGNAL)
				    : recv(fd, p, len, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EPIPE;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Child, rtt: echo every byte until EOF. */
static void serve_echo(int fd)
{
	char c;

	while (sock_io(fd, &c, 1, 0) == 0)
		if (sock_io(fd, &c, 1, 1) < 0)
			break;
}

/* Child, bulk: take a length, swallow that many bytes, ack; until EOF. */
static void serve_sink(int fd)
{
	uint64_t len;
	char ack = 'k';

	while (sock_io(fd, &len, sizeof(len), 0) == 0) {
		while (len > 0) {
			size_t want = len < BULK ? len : BULK;
			ssize_t r = recv(fd, bulk, want, 0);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return;
			len -= (uint64_t)r;
		}
		if (sock_io(fd, &ack, 1, 1) < 0)
			return;
	}
}

/* Listen on 127.0.0.1, fork a child that connects and serves; accept. */
static int start_conn(struct conn *c, void (*serve)(int))
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t salen = sizeof(sa);
	int lfd, one = 1;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return bench_fail("socket(AF_INET)");
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 1) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &salen) < 0) {
		int rc = bench_fail("listen on 127.0.0.1");

		close(lfd);
		return rc;
	}
	c->pid = fork();
	if (c->pid < 0) {
		close(lfd);
		return bench_fail("fork");
	}
	if (c->pid == 0) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		close(lfd);
		if (fd < 0 ||
		    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			_exit(1);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		serve(fd);
		_exit(0);
	}
	c->fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	close(lfd);
	if (c->fd < 0) {
		int rc = bench_fail("accept");

		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		return rc;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->err = 0;
	return 0;
}

/* Close the connection, which ends the child, and reap it. */
static int stop_conn(struct conn *c, const char *what)
{
	close(c->fd);
	while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (!c->err)
		return 0;
	errno = c->err;
	return bench_fail(what);
}

static void op_rtt(long n, void *arg)
{
	struct conn *c = arg;
	char b = 'x';

	for (long i = 0; i < n && !c->err; i++) {
		int rc = sock_io(c->fd, &b, 1, 1);

		if (!rc)
			rc = sock_io(c->fd, &b, 1, 0);
		if (rc)
			c->err = -rc;
	}
}

static int fig_rtt(double *v)
{
	struct conn c;
	int rc = start_conn(&c, serve_echo);

	if (rc < 0)
		return rc;
	*v = bench_time_ns(op_rtt, &c) / 1e3;
	return stop_conn(&c, "tcp round trip");
}

/* Send n chunks announced by their length and wait for the child's ack. */
static void op_bulk(long n, void *arg)
{
	struct conn *c = arg;
	uint64_t len = (uint64_t)n * BULK;
	char ack;
	int rc;

	if (c->err)
		return;
	rc = sock_io(c->fd, &len, sizeof(len), 1);
	for (long i = 0; i < n && !rc; i++)
		rc = sock_io(c->fd, bulk, BULK, 1);
	if (!rc)
		rc = sock_io(c->fd, &ack, 1, 0);
	if (rc)
		c->err = -rc;
}

static int fig_bulk(double *v)
{
	struct conn c;
	int rc = start_conn(&c, serve_sink);

	if (rc < 0)
		return rc;
	*v = (double)BULK / 1e6 / (bench_time_ns(op_bulk, &c) / 1e9);
	return stop_conn(&c, "tcp bulk send");
}

static const struct bench_figure figures[] = {
	{ "tcp_rtt", "us", "1-byte round trip over loopback TCP", fig_rtt },
	{ "tcp_throughput", "MBps", "loopback TCP, 64 KiB sends", fig_bulk },
};

int main(int argc, char **argv)
{
	return bench_main(argc, argv, figures,
			  sizeof(figures) / sizeof(figures[0]));
}
