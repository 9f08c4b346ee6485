/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ipc.c: round trips between two tasks: one byte each way over a pair of
 * pipes or an AF_UNIX socketpair between two processes, and a FUTEX_WAKE /
 * FUTEX_WAIT hand-off between two threads. Every round trip is two
 * wake-ups; pinned to one CPU, two context switches.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* The two ends the parent uses, and the echoing child. */
struct peer {
	int rfd, wfd;
	pid_t pid;
	int err;
};

/* Echo every byte from rfd back on wfd until EOF; runs in the child. */
static void echo(int rfd, int wfd)
{
	char c;

	while (bench_read_all(rfd, &c, 1) == 0)
		if (bench_write_all(wfd, &c, 1) < 0)
			break;
	_exit(0);
}

/* Close one side's ends: two pipe ends, or one socket. */
static void close_ends(int rfd, int wfd)
{
	close(rfd);
	if (wfd != rfd)
		close(wfd);
}

/* Fork an echoing child at the other end of two pipes (or one socket). */
static int start_peer(struct peer *p, int sockets)
{
	int a[2], b[2], its_r, its_w, err;

	if (sockets) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a) < 0)
			return bench_fail("socketpair(AF_UNIX)");
		p->rfd = p->wfd = a[0];
		its_r = its_w = a[1];
	} else {
		if (pipe2(a, O_CLOEXEC) < 0)
			return bench_fail("pipe");
		if (pipe2(b, O_CLOEXEC) < 0) {
			close_ends(a[0], a[1]);
			return bench_fail("pipe");
		}
		p->wfd = a[1];
		its_r = a[0];
		its_w = b[1];
		p->rfd = b[0];
	}
	p->pid = fork();
	if (p->pid == 0) {
		close_ends(p->rfd, p->wfd);
		echo(its_r, its_w);
	}
	err = errno;
	close_ends(its_r, its_w);
	if (p->pid < 0) {
		close_ends(p->rfd, p->wfd);
		errno = err;
		return bench_fail("fork");
	}
	p->err = 0;
	return 0;
}

/* Close the parent's ends, which ends the child, and reap it. */
static int stop_peer(struct peer *p, const char *what)
{
	close_ends(p->rfd, p->wfd);
	while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (!p->err)
		return 0;
	errno = p->err;
	return bench_fail(what);
}

static void op_ping(long n, void *arg)
{
	struct peer *p = arg;
	char c = 'x';

	for (long i = 0; i < n && !p->err; i++) {
		int rc = bench_write_all(p->wfd, &c, 1);

		if (!rc)
			rc = bench_read_all(p->rfd, &c, 1);
		if (rc)
			p->err = -rc;
	}
}

static int ping_pong(int sockets, double *v)
{
	struct peer p;
	int rc = start_peer(&p, sockets);

	if (rc < 0)
		return rc;
	*v = bench_time_ns(op_ping, &p) / 1e3;
	return stop_peer(&p, sockets ? "unix round trip" : "pipe round trip");
}

static int fig_pipe(double *v)
{
	return ping_pong(0, v);
}

static int fig_unix(double *v)
{
	return ping_pong(1, v);
}

/* The futex both threads wait on: whose turn it is, or FX_STOP. */
enum { FX_MAIN, FX_PEER, FX_STOP };
static _Atomic int turn;

static long futex(_Atomic int *uaddr, int op, int val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

/* Wait until turn is no longer `was`. */
static void futex_wait_change(int was)
{
	while (atomic_load(&turn) == was)
		futex(&turn, FUTEX_WAIT_PRIVATE, was);
}

static void hand_over(int to)
{
	atomic_store(&turn, to);
	futex(&turn, FUTEX_WAKE_PRIVATE, 1);
}

/* The peer thread: hand every turn straight back until told to stop. */
static void *futex_peer(void *arg)
{
	(void)arg;
	for (;;) {
		futex_wait_change(FX_MAIN);
		if (atomic_load(&turn) == FX_STOP)
			return NULL;
		hand_over(FX_MAIN);
	}
}

static void op_futex(long n, void *arg)
{
	(void)arg;
	for (long i = 0; i < n; i++) {
		hand_over(FX_PEER);
		futex_wait_change(FX_PEER);
	}
}

static int fig_futex(double *v)
{
	pthread_t t;
	int rc;

	atomic_store(&turn, FX_MAIN);
	rc = pthread_create(&t, NULL, futex_peer, NULL);
	if (rc) {
		errno = rc;
		return bench_fail("pthread_create");
	}
	*v = bench_time_ns(op_futex, NULL) / 1e3;
	hand_over(FX_STOP);
	pthread_join(t, NULL);
	return 0;
}

static const struct bench_figure figures[] = {
	{ "pipe_rtt", "us", "1-byte round trip over pipes, parent <-> child",
	  fig_pipe },
	{ "futex_rtt", "us", "FUTEX_WAKE/FUTEX_WAIT round trip, two threads",
	  fig_futex },
	{ "unix_rtt", "us",
	  "1-byte round trip over an AF_UNIX socketpair, parent <-> child",
	  fig_unix },
};

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	return bench_main(argc, argv, figures,
			  sizeof(figures) / sizeof(figures[0]));
}
