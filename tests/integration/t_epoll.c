/* t_epoll: epoll_create/create1/ctl/wait/pwait/pwait2 (Linux's errnos and
 * their order, level- and edge-triggered reporting, EPOLLONESHOT,
 * EPOLLEXCLUSIVE, nested epoll and its loop/depth limits, interests keyed
 * by (file, fd) with the dup() quirk, the signal mask of epoll_pwait)
 * because event loops (asyncio, libuv, tokio, nginx) are built on it. */
#include "itest.h"

#include <poll.h>
#include <stdbool.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>

static int ctl(int ep, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = {.events = events, .data.u64 = data};

	return epoll_ctl(ep, op, fd, &ev);
}

/* One epoll_wait with timeout 0: the count; the first event in *ev. */
static int wait0(int ep, struct epoll_event *ev, int max)
{
	return epoll_wait(ep, ev, max, 0);
}

static void test_create(void)
{
	char path[64], link[64];
	ssize_t n;
	int ep;

	EXPECT_ERRNO(epoll_create(0), EINVAL, "epoll_create(0): EINVAL");
	EXPECT_ERRNO(epoll_create(-1), EINVAL, "epoll_create(-1): EINVAL");
	ep = epoll_create(1);
	CHECK(ep >= 0 && !(fcntl(ep, F_GETFD) & FD_CLOEXEC), "epoll_create(1)");
	close(ep);
	EXPECT_ERRNO(epoll_create1(1), EINVAL, "epoll_create1(unknown flag): EINVAL");
	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(ep >= 0 && (fcntl(ep, F_GETFD) & FD_CLOEXEC), "epoll_create1(EPOLL_CLOEXEC)");
	EXPECT_EQ(fcntl(ep, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR, "epoll fd is O_RDWR");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", ep);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	CHECKF(!strcmp(link, "anon_inode:[eventpoll]"), "/proc/self/fd shows anon_inode:[eventpoll]",
	       "got %s", link);
	EXPECT_ERRNO(read(ep, path, sizeof(path)), EINVAL, "read(epoll fd): EINVAL");
	EXPECT_ERRNO(write(ep, path, 8), EINVAL, "write(epoll fd): EINVAL");
	EXPECT_EQ(lseek(ep, 5, SEEK_SET), 0, "lseek(epoll fd): a no-op at 0");
	EXPECT_ERRNO(pread(ep, path, 8, 0), ESPIPE, "pread(epoll fd): ESPIPE");
	close(ep);
}

static void test_ctl_errors(const char *dir)
{
	char path[256];
	struct epoll_event ev = {.events = EPOLLIN};
	int ep = epoll_create1(0), ep2 = epoll_create1(0), p[2], reg, efd;

	if (pipe(p))
		return;
	efd = eventfd(0, 0);
	snprintf(path, sizeof(path), "%s/regular", dir);
	reg = open(path, O_RDWR | O_CREAT, 0600);
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], NULL), EFAULT, "ADD with a NULL event: EFAULT");
	EXPECT_ERRNO(epoll_ctl(-1, EPOLL_CTL_ADD, p[0], NULL), EFAULT,
		     "the event is copied before the fds are looked up");
	EXPECT_ERRNO(epoll_ctl(-1, EPOLL_CTL_ADD, p[0], &ev), EBADF, "bad epfd: EBADF");
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF, "bad target fd: EBADF");
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev), EPERM, "a regular file: EPERM");
	EXPECT_ERRNO(epoll_ctl(p[0], EPOLL_CTL_ADD, reg, &ev), EPERM,
		     "EPERM for the target comes before EINVAL for the epfd");
	EXPECT_ERRNO(epoll_ctl(p[0], EPOLL_CTL_ADD, efd, &ev), EINVAL, "epfd not an epoll: EINVAL");
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL, "an epoll inside itself: EINVAL");
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT, "MOD of no interest: ENOENT");
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT, "DEL of no interest: ENOENT");
	EXPECT_ERRNO(epoll_ctl(ep, 0, p[0], &ev), EINVAL, "op 0: EINVAL");
	EXPECT_ERRNO(epoll_ctl(ep, 4, p[0], &ev), EINVAL, "op 4: EINVAL");
	EXPECT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0, "ADD a pipe");
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST, "ADD twice: EEXIST");
	EXPECT_EQ(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0, "MOD");
	EXPECT_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), 0, "DEL with a NULL event");
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT, "DEL twice: ENOENT");

	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL,
		     "EPOLLEXCLUSIVE with MOD: EINVAL (before ENOENT)");
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev), EINVAL,
		     "EPOLLEXCLUSIVE on an epoll target: EINVAL");
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EINVAL,
		     "EPOLLEXCLUSIVE with EPOLLONESHOT: EINVAL");
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP;
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EINVAL,
		     "EPOLLEXCLUSIVE with EPOLLRDHUP: EINVAL");
	ev.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLEXCLUSIVE;
	EXPECT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0, "EPOLLEXCLUSIVE|EPOLLET ADD");
	ev.events = EPOLLIN;
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL,
		     "MOD of an exclusive interest: EINVAL");
	EXPECT_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), 0, "DEL of an exclusive interest");
	close(reg);
	close(efd);
	close(p[0]);
	close(p[1]);
	close(ep);
	close(ep2);
}

static void test_wait_errors(void)
{
	struct epoll_event ev[2];
	int ep = epoll_create1(0), efd = eventfd(1, 0);

	EXPECT_ERRNO(epoll_wait(ep, ev, 0, 0), EINVAL, "maxevents 0: EINVAL");
	EXPECT_ERRNO(syscall(SYS_epoll_wait, ep, ev, -1, 0), EINVAL, "maxevents -1: EINVAL");
	EXPECT_ERRNO(syscall(SYS_epoll_wait, ep, ev, INT_MAX / 12 + 1, 0), EINVAL, "maxevents > INT_MAX/12: EINVAL");
	EXPECT_ERRNO(epoll_wait(-1, ev, 1, 0), EBADF, "bad epfd: EBADF");
	EXPECT_ERRNO(epoll_wait(-1, ev, 0, 0), EBADF, "the fd is checked before maxevents");
	EXPECT_ERRNO(epoll_wait(efd, ev, 1, 0), EINVAL, "not an epoll: EINVAL");
	EXPECT_ERRNO(epoll_wait(ep, (void *)(0x7ffffffff000UL - 6), 1, 0), EFAULT,
		     "events past the user address space: EFAULT");
	EXPECT_ERRNO(epoll_wait(efd, (void *)(0x7ffffffff000UL - 6), 1, 0), EFAULT,
		     "the array is checked before the kind of file");
	EXPECT_ERRNO(epoll_wait(ep, (void *)(0x7ffffffff000UL - 6), 0, 0), EINVAL,
		     "maxevents is checked before the array");
	ctl(ep, EPOLL_CTL_ADD, efd, EPOLLIN, 1);
	EXPECT_ERRNO(syscall(SYS_epoll_wait, ep, NULL, 1, 0), EFAULT, "an event to a NULL array: EFAULT");
	EXPECT_EQ(wait0(ep, ev, 2), 1, "the event is still there after the fault");
	close(efd);
	close(ep);
}

static void test_level_edge_oneshot(void)
{
	struct epoll_event ev[4];
	int ep = epoll_create1(0), p[2], n;
	char c;

	if (pipe2(p, O_NONBLOCK))
		return;
	EXPECT_EQ(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 42), 0, "level-triggered ADD");
	EXPECT_EQ(wait0(ep, ev, 4), 0, "empty pipe: no event");
	EXPECT_EQ(write(p[1], "ab", 2), 2, "write 2 bytes");
	n = wait0(ep, ev, 4);
	CHECKF(n == 1 && ev[0].events == EPOLLIN && ev[0].data.u64 == 42, "LT: EPOLLIN with the data",
	       "n %d events %#x data %llu", n, ev[0].events, (unsigned long long)ev[0].data.u64);
	EXPECT_EQ(wait0(ep, ev, 4), 1, "LT: reported again while readable");
	EXPECT_EQ(read(p[0], &c, 1), 1, "read 1 byte");
	EXPECT_EQ(wait0(ep, ev, 4), 1, "LT: still readable");
	EXPECT_EQ(read(p[0], &c, 1), 1, "read the last byte");
	EXPECT_EQ(wait0(ep, ev, 4), 0, "LT: drained, no event");

	EXPECT_EQ(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLET, 7), 0, "MOD to edge-triggered");
	EXPECT_EQ(write(p[1], "ab", 2), 2, "write 2 bytes");
	n = wait0(ep, ev, 4);
	CHECKF(n == 1 && ev[0].data.u64 == 7, "ET: one event with the new data", "n %d", n);
	EXPECT_EQ(wait0(ep, ev, 4), 0, "ET: not again without a new edge");
	EXPECT_EQ(read(p[0], &c, 1), 1, "read 1 byte");
	EXPECT_EQ(wait0(ep, ev, 4), 0, "ET: a read is no edge");
	EXPECT_EQ(write(p[1], "c", 1), 1, "write 1 more byte");
	EXPECT_EQ(wait0(ep, ev, 4), 1, "ET: a write is a new edge");
	EXPECT_EQ(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLET, 8), 0, "MOD re-checks readiness");
	EXPECT_EQ(wait0(ep, ev, 4), 1, "ET: MOD of a ready fd reports it");

	EXPECT_EQ(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT, 9), 0, "MOD to one-shot");
	EXPECT_EQ(wait0(ep, ev, 4), 1, "ONESHOT: reported once");
	EXPECT_EQ(wait0(ep, ev, 4), 0, "ONESHOT: then disabled");
	EXPECT_EQ(write(p[1], "d", 1), 1, "write more");
	EXPECT_EQ(wait0(ep, ev, 4), 0, "ONESHOT: disabled even after new data");
	EXPECT_ERRNO(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0), EEXIST, "ONESHOT: the interest stays");
	EXPECT_EQ(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT, 10), 0, "MOD re-arms");
	n = wait0(ep, ev, 4);
	CHECKF(n == 1 && ev[0].data.u64 == 10, "ONESHOT: reported after MOD", "n %d", n);

	/* Hang-ups are reported whatever the mask. */
	EXPECT_EQ(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLOUT | EPOLLRDHUP, 11), 0, "MOD to EPOLLOUT|EPOLLRDHUP");
	EXPECT_EQ(wait0(ep, ev, 4), 0, "read end: EPOLLOUT never, nothing else yet");
	close(p[1]);
	n = wait0(ep, ev, 4);
	CHECKF(n == 1 && ev[0].events == EPOLLHUP, "writer gone: EPOLLHUP only (no RDHUP on pipes)",
	       "n %d events %#x", n, ev[0].events);
	EXPECT_EQ(ctl(ep, EPOLL_CTL_DEL, p[0], 0, 0), 0, "DEL the read end");
	if (pipe(p))
		return;
	EXPECT_EQ(ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 12), 0, "ADD a write end");
	n = wait0(ep, ev, 4);
	CHECKF(n == 1 && ev[0].events == EPOLLOUT, "write end: EPOLLOUT", "events %#x", ev[0].events);
	close(p[0]);
	n = wait0(ep, ev, 4);
	CHECKF(n == 1 && ev[0].events == (EPOLLOUT | EPOLLERR), "reader gone: EPOLLOUT|EPOLLERR",
	       "events %#x", ev[0].events);
	close(p[1]);
	close(ep);
}

/* An eventfd write, even of 0, is an edge (eventfd_write wakes). */
static void test_eventfd_edges(void)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET};
	int e = eventfd(1, 0), ep = epoll_create1(0);
	uint64_t v = 0;

	epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev);
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 1, "eventfd ET: first edge");
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 0, "eventfd ET: no new edge");
	EXPECT_EQ(write(e, &v, 8), 8, "adding 0");
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 1, "eventfd ET: adding 0 is an edge too");
	close(ep);
	close(e);
}

static void test_order(void)
{
	struct epoll_event ev[4];
	int ep = epoll_create1(0), e[3], seq[6], ok = 1;

	for (int i = 0; i < 3; i++) {
		e[i] = eventfd(1, 0);
		ctl(ep, EPOLL_CTL_ADD, e[i], EPOLLIN, (uint64_t)i);
	}
	for (int k = 0; k < 6; k++) {
		seq[k] = epoll_wait(ep, ev, 1, 0) == 1 ? (int)ev[0].data.u64 : -1;
		ok &= seq[k] == k % 3;
	}
	CHECKF(ok, "maxevents 1: level-triggered events take turns",
	       "%d %d %d %d %d %d", seq[0], seq[1], seq[2], seq[3], seq[4], seq[5]);
	EXPECT_EQ(epoll_wait(ep, ev, 4, 0), 3, "all three at once");
	EXPECT_EQ(ctl(ep, EPOLL_CTL_DEL, e[1], 0, 0), 0, "DEL one");
	EXPECT_EQ(epoll_wait(ep, ev, 4, 0), 2, "two left");
	for (int i = 0; i < 3; i++)
		close(e[i]);
	close(ep);
}

static void test_dup_quirk(void)
{
	struct epoll_event ev[4];
	int ep = epoll_create1(0), a = eventfd(1, 0), b, n;
	pid_t pid;

	ctl(ep, EPOLL_CTL_ADD, a, EPOLLIN, 100);
	b = dup(a);
	close(a);
	n = wait0(ep, ev, 4);
	CHECKF(n == 1 && ev[0].data.u64 == 100, "closed fd, file still open: still reported",
	       "n %d", n);
	EXPECT_ERRNO(ctl(ep, EPOLL_CTL_DEL, b, 0, 0), ENOENT, "the dup is another key: ENOENT");
	EXPECT_ERRNO(ctl(ep, EPOLL_CTL_DEL, a, 0, 0), EBADF, "the closed fd: EBADF");
	EXPECT_EQ(ctl(ep, EPOLL_CTL_ADD, b, EPOLLIN, 200), 0, "the dup can be added too");
	EXPECT_EQ(wait0(ep, ev, 4), 2, "two interests in one file: two events");
	close(b);
	EXPECT_EQ(wait0(ep, ev, 4), 0, "last reference gone: both interests gone");

	a = eventfd(1, 0);
	ctl(ep, EPOLL_CTL_ADD, a, EPOLLIN, 300);
	pid = it_fork();
	if (pid == 0) {
		usleep(300000);
		_exit(0);
	}
	close(a);
	EXPECT_EQ(wait0(ep, ev, 4), 1, "closed here, open in a child: still reported");
	EXPECT_EQ(it_wait(pid), 0, "child exited");
	EXPECT_EQ(wait0(ep, ev, 4), 0, "child gone: the interest went with the file");
	close(ep);
}

static void test_nested(void)
{
	struct epoll_event ev[4];
	struct pollfd pfd;
	fd_set rd;
	struct timeval tv = {0, 0};
	int outer = epoll_create1(0), inner = epoll_create1(0), p[2], n, e[6];

	if (pipe(p))
		return;
	EXPECT_EQ(ctl(inner, EPOLL_CTL_ADD, p[0], EPOLLIN, 1), 0, "inner watches a pipe");
	EXPECT_EQ(ctl(outer, EPOLL_CTL_ADD, inner, EPOLLIN, 2), 0, "outer watches inner");
	EXPECT_ERRNO(ctl(inner, EPOLL_CTL_ADD, outer, EPOLLIN, 3), ELOOP, "a loop: ELOOP");
	EXPECT_EQ(wait0(outer, ev, 4), 0, "nothing ready");
	pfd = (struct pollfd){.fd = inner, .events = POLLIN};
	EXPECT_EQ(poll(&pfd, 1, 0), 0, "poll(inner): not readable");
	EXPECT_EQ(write(p[1], "x", 1), 1, "write to the pipe");
	n = wait0(outer, ev, 4);
	CHECKF(n == 1 && ev[0].data.u64 == 2 && ev[0].events == EPOLLIN, "outer: inner is readable",
	       "n %d events %#x", n, ev[0].events);
	EXPECT_EQ(poll(&pfd, 1, 0), 1, "poll(inner): readable");
	CHECK(pfd.revents == POLLIN, "poll(inner): POLLIN");
	pfd.events = POLLRDNORM | POLLOUT;
	EXPECT_EQ(poll(&pfd, 1, 0), 1, "poll(inner) for POLLRDNORM|POLLOUT");
	CHECK(pfd.revents == POLLRDNORM, "poll(inner): POLLRDNORM, never writable");
	FD_ZERO(&rd);
	FD_SET(inner, &rd);
	EXPECT_EQ(select(inner + 1, &rd, NULL, NULL, &tv), 1, "select(inner): readable");
	n = wait0(inner, ev, 4);
	CHECKF(n == 1 && ev[0].data.u64 == 1, "inner: the pipe", "n %d", n);
	close(p[1]);
	close(p[0]);
	EXPECT_EQ(wait0(outer, ev, 4), 0, "pipe closed: inner is empty, outer sees nothing");

	/* A chain of 5 epolls (4 nestings) is the most Linux allows. */
	for (int i = 0; i < 6; i++)
		e[i] = epoll_create1(0);
	EXPECT_EQ(ctl(e[0], EPOLL_CTL_ADD, e[1], EPOLLIN, 0), 0, "e0 > e1");
	EXPECT_EQ(ctl(e[2], EPOLL_CTL_ADD, e[3], EPOLLIN, 0), 0, "e2 > e3");
	EXPECT_EQ(ctl(e[3], EPOLL_CTL_ADD, e[4], EPOLLIN, 0), 0, "e3 > e4");
	EXPECT_EQ(ctl(e[1], EPOLL_CTL_ADD, e[2], EPOLLIN, 0), 0, "e1 > e2: 4 nestings");
	EXPECT_ERRNO(ctl(e[4], EPOLL_CTL_ADD, e[5], EPOLLIN, 0), ELOOP, "a fifth nesting below: ELOOP");
	EXPECT_ERRNO(ctl(e[5], EPOLL_CTL_ADD, e[0], EPOLLIN, 0), ELOOP, "a fifth nesting above: ELOOP");
	EXPECT_ERRNO(ctl(e[4], EPOLL_CTL_ADD, e[0], EPOLLIN, 0), ELOOP, "a long loop: ELOOP");
	EXPECT_ERRNO(ctl(e[4], EPOLL_CTL_ADD, inner, EPOLLIN, 0), ELOOP,
		     "even an empty epoll below the fifth: ELOOP");
	n = eventfd(0, 0);
	EXPECT_EQ(ctl(e[4], EPOLL_CTL_ADD, n, EPOLLIN, 0), 0, "any other file below the fifth");
	close(n);
	for (int i = 0; i < 6; i++)
		close(e[i]);
	close(inner);
	close(outer);
}

static int sig_hits;
static void on_usr1(int s)
{
	(void)s;
	sig_hits++;
}

struct kicker {
	pthread_t target;
	int delay_ms;
	int fd; /* >= 0: write to it instead of signalling */
};

static void *kick(void *arg)
{
	struct kicker *k = arg;
	uint64_t one = 1;

	usleep((useconds_t)k->delay_ms * 1000);
	if (k->fd >= 0) {
		if (write(k->fd, &one, 8) != 8)
			return NULL;
	} else {
		pthread_kill(k->target, SIGUSR1);
	}
	return NULL;
}

static void test_blocking_and_signals(void)
{
	struct epoll_event ev[2];
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
	sigset_t block, none, cur;
	struct timespec ts = {0, 0};
	int ep = epoll_create1(0), efd = eventfd(0, 0), n;
	struct kicker k = {pthread_self(), 50, efd};
	pthread_t th;

	ctl(ep, EPOLL_CTL_ADD, efd, EPOLLIN, 5);
	pthread_create(&th, NULL, kick, &k);
	n = epoll_wait(ep, ev, 2, 5000);
	CHECKF(n == 1 && ev[0].data.u64 == 5, "a blocked epoll_wait wakes on a write", "n %d", n);
	pthread_join(th, NULL);
	EXPECT_EQ(epoll_wait(ep, ev, 2, 1), 1, "a 1 ms timeout with an event ready");
	close(efd);
	efd = eventfd(0, 0);
	EXPECT_EQ(epoll_wait(ep, ev, 2, 30), 0, "a 30 ms timeout expires: 0");

	sigaction(SIGUSR1, &sa, NULL);
	k = (struct kicker){pthread_self(), 50, -1};
	pthread_create(&th, NULL, kick, &k);
	errno = 0;
	n = epoll_wait(ep, ev, 2, -1);
	CHECKF(n == -1 && errno == EINTR && sig_hits == 1,
	       "a handled signal ends epoll_wait with EINTR even with SA_RESTART", "n %d errno %d", n,
	       errno);
	pthread_join(th, NULL);

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	EXPECT_EQ(epoll_pwait(ep, ev, 2, 0, &block), 0, "epoll_pwait with SIGUSR1 still blocked");
	errno = 0;
	n = epoll_pwait(ep, ev, 2, -1, &none);
	CHECKF(n == -1 && errno == EINTR && sig_hits == 2,
	       "epoll_pwait unblocks a pending signal: EINTR, handler ran", "n %d errno %d", n, errno);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(sigismember(&cur, SIGUSR1), "the old mask is back after the handler");
	EXPECT_ERRNO(syscall(SYS_epoll_pwait, ep, ev, 2, 0, &none, 4), EINVAL,
		     "epoll_pwait with sigsetsize 4: EINVAL");
	EXPECT_ERRNO(syscall(SYS_epoll_pwait, ep, ev, 0, 0, &none, 4), EINVAL,
		     "the mask is checked before maxevents (EINVAL either way)");
	EXPECT_ERRNO(syscall(SYS_epoll_pwait, -1, ev, 1, 0, (void *)8, 8), EFAULT,
		     "an unreadable mask: EFAULT before EBADF");
	sigprocmask(SIG_UNBLOCK, &block, NULL);

	EXPECT_EQ(syscall(SYS_epoll_pwait2, ep, ev, 2, &ts, NULL, 8), 0,
		  "epoll_pwait2 with a zero timespec: 0");
	ts.tv_nsec = 1000000000;
	EXPECT_ERRNO(syscall(SYS_epoll_pwait2, ep, ev, 2, &ts, NULL, 8), EINVAL,
		     "epoll_pwait2 with tv_nsec 1e9: EINVAL");
	ts = (struct timespec){-1, 0};
	EXPECT_ERRNO(syscall(SYS_epoll_pwait2, -1, ev, 0, &ts, NULL, 8), EINVAL,
		     "epoll_pwait2 checks the timeout first");
	EXPECT_ERRNO(syscall(SYS_epoll_pwait2, ep, ev, 2, (void *)8, NULL, 8), EFAULT,
		     "epoll_pwait2 with an unreadable timeout: EFAULT");
	ts = (struct timespec){0, 20000000};
	EXPECT_EQ(syscall(SYS_epoll_pwait2, ep, ev, 2, &ts, NULL, 8), 0,
		  "epoll_pwait2 with 20 ms: times out");
	ctl(ep, EPOLL_CTL_ADD, efd, EPOLLIN, 6);
	k = (struct kicker){pthread_self(), 30, efd};
	pthread_create(&th, NULL, kick, &k);
	n = (int)syscall(SYS_epoll_pwait2, ep, ev, 2, NULL, NULL, 8);
	CHECKF(n == 1 && ev[0].data.u64 == 6, "epoll_pwait2 without a timeout wakes on a write",
	       "n %d", n);
	pthread_join(th, NULL);
	signal(SIGUSR1, SIG_DFL);
	close(efd);
	close(ep);
}

struct excl_waiter {
	int ep;
	volatile int woke;
};

static void *excl_wait(void *arg)
{
	struct excl_waiter *w = arg;
	struct epoll_event ev;

	if (epoll_wait(w->ep, &ev, 1, 5000) == 1)
		w->woke = 1;
	return NULL;
}

static void test_exclusive(void)
{
	struct excl_waiter w[2];
	pthread_t th[2];
	int efd = eventfd(0, 0);
	uint64_t one = 1;

	for (int i = 0; i < 2; i++) {
		w[i].ep = epoll_create1(0);
		w[i].woke = 0;
		ctl(w[i].ep, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLEXCLUSIVE, 0);
		pthread_create(&th[i], NULL, excl_wait, &w[i]);
	}
	usleep(200000);
	if (write(efd, &one, 8) != 8)
		return;
	usleep(200000);
	EXPECT_EQ(w[0].woke + w[1].woke, 1, "EPOLLEXCLUSIVE: one write wakes one epoll");
	if (write(efd, &one, 8) != 8)
		return;
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	EXPECT_EQ(w[0].woke + w[1].woke, 2, "the next write wakes the other");
	for (int i = 0; i < 2; i++)
		close(w[i].ep);
	close(efd);
}

static void test_stdout(void)
{
	struct epoll_event ev;
	struct stat st;
	int ep = epoll_create1(0), r, n;
	bool pollable;

	if (fstat(1, &st))
		return;
	/* Regular files and /dev/null have no poll: EPERM; pipes, sockets
	 * and terminals are writable. */
	pollable = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || isatty(1);
	r = ctl(ep, EPOLL_CTL_ADD, 1, EPOLLOUT, 1);
	if (pollable) {
		n = r == 0 ? wait0(ep, &ev, 1) : -1;
		CHECKF(n == 1 && (ev.events & EPOLLOUT), "epoll on stdout as its type says",
		       "r %d n %d", r, n);
	} else {
		CHECKF(r == -1 && errno == EPERM, "epoll on stdout as its type says", "r %d errno %d", r,
		       errno);
	}
	close(ep);
}

int main(void)
{
	char dir[64];

	it_begin(20);
	if (!it_tmpdir(dir, sizeof(dir)))
		return it_end();
	test_create();
	test_ctl_errors(dir);
	test_wait_errors();
	test_level_edge_oneshot();
	test_eventfd_edges();
	test_order();
	test_dup_quirk();
	test_nested();
	test_blocking_and_signals();
	test_exclusive();
	test_stdout();
	it_rmtree(dir);
	return it_end();
}
