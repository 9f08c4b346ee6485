/* t_poll: poll, ppoll, select and pselect6 details (errno order, timeout
 * validation and write-back, whole-word fd_set write-back, restart with
 * the time left) and the readiness files they wait on (eventfd, timerfd,
 * signalfd: poll bits, errno order, EFD_SEMAPHORE, TFD_TIMER_ABSTIME,
 * TFD_IOC_SET_TICKS), because event loops depend on the exact bits. */
#include "itest.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#define TFD_IOC_SET_TICKS_ _IOW('T', 0, uint64_t)

static short revents_of(int fd, short events)
{
	struct pollfd p = {.fd = fd, .events = events};

	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

static void test_eventfd(void)
{
	uint64_t v;
	int e = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);

	EXPECT_EQ(revents_of(e, POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM), POLLIN | POLLOUT,
		  "eventfd: POLLIN|POLLOUT, no RDNORM/WRNORM");
	EXPECT_EQ(read(e, &v, 8), 8, "semaphore read");
	EXPECT_EQ(v, 1, "semaphore read gives 1");
	EXPECT_EQ(read(e, &v, 8), 8, "second semaphore read");
	EXPECT_ERRNO(read(e, &v, 8), EAGAIN, "empty: EAGAIN");
	EXPECT_EQ(revents_of(e, POLLIN | POLLOUT), POLLOUT, "empty: POLLOUT only");
	EXPECT_ERRNO(read(e, &v, 4), EINVAL, "a 4-byte read: EINVAL");
	v = UINT64_MAX;
	EXPECT_ERRNO(write(e, &v, 8), EINVAL, "adding 2^64-1: EINVAL");
	v = UINT64_MAX - 1;
	EXPECT_EQ(write(e, &v, 8), 8, "adding 2^64-2");
	v = 1;
	EXPECT_ERRNO(write(e, &v, 8), EAGAIN, "past the maximum: EAGAIN");
	EXPECT_EQ(revents_of(e, POLLIN | POLLOUT), POLLIN, "full: POLLIN only");
	EXPECT_EQ(lseek(e, 10, SEEK_SET), 0, "lseek(eventfd): a no-op at 0");
	close(e);
}

static void test_timerfd(void)
{
	struct itimerspec its = {0}, old;
	struct timespec now;
	uint64_t v;
	int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK), e = eventfd(0, 0);

	EXPECT_ERRNO(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL, "timerfd on a CPU clock: EINVAL");
	EXPECT_ERRNO(timerfd_create(CLOCK_MONOTONIC, 1), EINVAL, "timerfd_create bad flags: EINVAL");
	its.it_value.tv_nsec = 1000000000;
	EXPECT_ERRNO(timerfd_settime(-1, 0, &its, NULL), EINVAL, "settime: EINVAL for the value before EBADF");
	EXPECT_ERRNO(timerfd_settime(-1, 4, &its, NULL), EINVAL, "settime: bad flags before EBADF");
	EXPECT_ERRNO(timerfd_settime(-1, 4, (void *)8, NULL), EFAULT, "settime: the copy comes first");
	EXPECT_ERRNO(timerfd_settime(e, 0, &(struct itimerspec){0}, NULL), EINVAL, "settime on an eventfd: EINVAL");
	its = (struct itimerspec){.it_interval = {1, 0}};
	EXPECT_EQ(timerfd_settime(t, 0, &its, NULL), 0, "disarmed with an interval");
	EXPECT_EQ(timerfd_gettime(t, &old), 0, "gettime");
	CHECKF(old.it_interval.tv_sec == 1 && old.it_value.tv_sec == 0 && old.it_value.tv_nsec == 0,
	       "gettime shows the interval of a disarmed timer", "%ld %ld", (long)old.it_interval.tv_sec,
	       (long)old.it_value.tv_nsec);
	EXPECT_EQ(revents_of(t, POLLIN | POLLRDNORM), 0, "disarmed: not readable");

	/* An absolute time 10.5 periods ago: 11 expirations at once. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	its.it_interval = (struct timespec){0, 100000000};
	its.it_value = now;
	its.it_value.tv_sec -= 1;
	its.it_value.tv_nsec -= 50000000;
	if (its.it_value.tv_nsec < 0) {
		its.it_value.tv_nsec += 1000000000;
		its.it_value.tv_sec--;
	}
	EXPECT_EQ(timerfd_settime(t, TFD_TIMER_ABSTIME, &its, &old), 0, "absolute time in the past");
	CHECK(old.it_interval.tv_sec == 1, "old value: the interval set before");
	usleep(10000);
	EXPECT_EQ(revents_of(t, POLLIN | POLLRDNORM), POLLIN, "expired: POLLIN only");
	EXPECT_EQ(read(t, &v, 8), 8, "read the expirations");
	EXPECT_EQ(v, 11, "the periods missed since the past deadline count");
	its = (struct itimerspec){0};
	timerfd_settime(t, 0, &its, NULL);
	v = 5;
	EXPECT_EQ(ioctl(t, TFD_IOC_SET_TICKS_, &v), 0, "TFD_IOC_SET_TICKS");
	EXPECT_EQ(read(t, &v, 8), 8, "read after SET_TICKS");
	EXPECT_EQ(v, 5, "the ticks set");
	v = 0;
	EXPECT_ERRNO(ioctl(t, TFD_IOC_SET_TICKS_, &v), EINVAL, "TFD_IOC_SET_TICKS 0: EINVAL");
	EXPECT_ERRNO(ioctl(t, TFD_IOC_SET_TICKS_, NULL), EFAULT, "TFD_IOC_SET_TICKS NULL: EFAULT");
	EXPECT_ERRNO(read(t, &v, 8), EAGAIN, "nothing expired: EAGAIN");
	EXPECT_EQ(lseek(t, 10, SEEK_SET), 0, "lseek(timerfd): a no-op at 0");
	close(t);
	close(e);
}

static void test_signalfd(void)
{
	sigset_t m;
	int s, e = eventfd(0, 0);

	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	sigprocmask(SIG_BLOCK, &m, NULL);
	EXPECT_ERRNO(syscall(SYS_signalfd4, -1, &m, 4, 0x1234), EINVAL, "signalfd4: size 4: EINVAL");
	EXPECT_ERRNO(syscall(SYS_signalfd4, -1, (void *)8, 8, 0x1234), EFAULT,
		     "signalfd4: the mask is copied before the flags are checked");
	EXPECT_ERRNO(syscall(SYS_signalfd4, -1, &m, 8, 0x1234), EINVAL, "signalfd4: bad flags: EINVAL");
	EXPECT_ERRNO(signalfd(e, &m, 0), EINVAL, "signalfd on an eventfd: EINVAL");
	s = signalfd(-1, &m, SFD_NONBLOCK);
	EXPECT_EQ(revents_of(s, POLLIN | POLLRDNORM), 0, "nothing pending: not readable");
	raise(SIGUSR2);
	EXPECT_EQ(revents_of(s, POLLIN | POLLRDNORM), POLLIN, "pending: POLLIN only");
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	EXPECT_EQ(signalfd(s, &m, 0), s, "change the mask");
	EXPECT_EQ(revents_of(s, POLLIN), 0, "SIGUSR2 is no longer in the mask");
	EXPECT_EQ(lseek(s, 10, SEEK_SET), 0, "lseek(signalfd): a no-op at 0");
	close(s);
	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	signal(SIGUSR2, SIG_IGN);
	sigprocmask(SIG_UNBLOCK, &m, NULL);
	signal(SIGUSR2, SIG_DFL);
	close(e);
}

static void test_poll(void)
{
	struct pollfd p[3];
	struct rlimit rl;
	struct timespec ts;
	int e = eventfd(0, 0);

	p[0] = (struct pollfd){.fd = e, .events = POLLOUT};
	p[1] = (struct pollfd){.fd = -5, .events = POLLIN};
	p[2] = (struct pollfd){.fd = 999, .events = POLLIN};
	EXPECT_EQ(poll(p, 3, 0), 2, "poll: writable eventfd and a closed fd");
	CHECK(p[0].revents == POLLOUT && p[1].revents == 0 && p[2].revents == POLLNVAL,
	      "POLLOUT, nothing for fd < 0, POLLNVAL for a closed fd");
	getrlimit(RLIMIT_NOFILE, &rl);
	EXPECT_ERRNO(poll(NULL, rl.rlim_cur + 1, 0), EINVAL, "nfds above RLIMIT_NOFILE: EINVAL");
	EXPECT_ERRNO(syscall(SYS_poll, 8, 1, 0), EFAULT, "unreadable fds: EFAULT");
	EXPECT_EQ(poll(NULL, 0, 20), 0, "no fds: sleeps until the timeout");
	ts = (struct timespec){0, 1000000000};
	EXPECT_ERRNO(ppoll(p, 1, &ts, NULL), EINVAL, "ppoll: tv_nsec 1e9: EINVAL");
	ts = (struct timespec){-1, 0};
	EXPECT_ERRNO(ppoll(p, 1, &ts, NULL), EINVAL, "ppoll: negative timeout: EINVAL");
	ts = (struct timespec){0, 20000000};
	p[0].events = POLLIN;
	EXPECT_EQ(syscall(SYS_ppoll, p, 1, &ts, NULL, 8), 0, "ppoll times out");
	CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0, "ppoll writes back the time left: none");
	close(e);
}

/* The select syscall itself (glibc's select() is pselect6 with its own
 * timeout checks). */
static int sys_select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	return (int)syscall(SYS_select, n, r, w, e, tv);
}

static void test_select(void)
{
	fd_set w, r;
	struct timeval tv;
	struct timespec ts;
	int p[2];

	if (pipe(p) || dup2(p[1], 5) != 5)
		return;
	FD_ZERO(&w);
	FD_SET(5, &w);
	FD_SET(40, &w);
	tv = (struct timeval){0, 0};
	EXPECT_EQ(sys_select(6, NULL, &w, NULL, &tv), 1, "select: fd 5 writable");
	CHECK(FD_ISSET(5, &w) && !FD_ISSET(40, &w),
	      "bits past nfds in the same word are written back cleared");
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){1, -1000000};
	EXPECT_EQ(sys_select(p[0] + 1, &r, NULL, NULL, &tv), 0,
		  "tv {1, -1000000} carries to a zero timeout");
	tv = (struct timeval){0, -1};
	EXPECT_ERRNO(sys_select(p[0] + 1, &r, NULL, NULL, &tv), EINVAL, "tv_usec -1: EINVAL");
	tv = (struct timeval){-1, 0};
	EXPECT_ERRNO(sys_select(p[0] + 1, &r, NULL, NULL, &tv), EINVAL, "tv_sec -1: EINVAL");
	tv = (struct timeval){0, 2500000};
	FD_SET(p[0], &r);
	if (write(p[1], "x", 1) != 1)
		return;
	EXPECT_EQ(sys_select(p[0] + 1, &r, NULL, NULL, &tv), 1, "tv_usec 2.5e6 is valid");
	CHECK(tv.tv_sec == 2 || tv.tv_sec == 1, "the time left is written back");
	tv = (struct timeval){LONG_MAX / 2, 0};
	EXPECT_EQ(sys_select(p[0] + 1, &r, NULL, NULL, &tv), 1, "a huge timeout with a ready fd");
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	FD_SET(60, &r);
	tv = (struct timeval){0, 0};
	EXPECT_ERRNO(sys_select(61, &r, NULL, NULL, &tv), EBADF, "a closed fd in a set: EBADF");
	FD_ZERO(&r);
	tv = (struct timeval){0, 20000};
	EXPECT_EQ(sys_select(0, NULL, NULL, NULL, &tv), 0, "select with no fds times out");
	CHECK(tv.tv_sec == 0 && tv.tv_usec == 0, "select writes back the time left: none");
	ts = (struct timespec){0, 0};
	EXPECT_ERRNO(syscall(SYS_pselect6, 1, NULL, NULL, NULL, (void *)8, (void *)8), EFAULT,
		     "pselect6: an unreadable timeout: EFAULT");
	EXPECT_ERRNO(syscall(SYS_pselect6, 1, NULL, NULL, NULL, &(struct timespec){0, -1}, (void *)8),
		     EFAULT, "pselect6: the sigmask pack is read before the timeout");
	EXPECT_EQ(pselect(0, NULL, NULL, NULL, &ts, NULL), 0, "pselect with a zero timeout");
	close(5);
	close(p[0]);
	close(p[1]);
}

/* A poll stopped by SIGSTOP and continued restarts with the time it had
 * left, not the whole timeout (Linux's restart block). */
static void test_restart(void)
{
	pid_t pid = it_fork();

	if (pid == 0) {
		long long t0 = it_now_ns();

		poll(NULL, 0, 600);
		_exit(it_now_ns() - t0 < 1000000000LL ? 0 : 1);
	}
	usleep(100000);
	kill(pid, SIGSTOP);
	usleep(400000);
	kill(pid, SIGCONT);
	EXPECT_EXIT(it_wait(pid), 0, "poll restarted after a stop keeps its deadline");
}

int main(void)
{
	it_begin(20);
	test_eventfd();
	test_timerfd();
	test_signalfd();
	test_poll();
	test_select();
	test_restart();
	return it_end();
}
