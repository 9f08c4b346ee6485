/* t_timers: sleeping and timers (nanosleep, clock_nanosleep TIMER_ABSTIME,
 * EINTR with remaining time, alarm, setitimer/getitimer, POSIX timers with
 * SIGEV_SIGNAL / SIGEV_THREAD_ID and overruns, timerfd, clock_getres, pause)
 * with loose time bounds, because the Sentry implements all clocks and
 * timers itself. */
#include "itest.h"

#include <poll.h>
#include <pthread.h>
#include <sys/time.h>
#include <sys/timerfd.h>

#define MS 1000000LL

static volatile int alrm_hits, prof_hits;
static void h_alrm(int s)
{
	(void)s;
	alrm_hits++;
}
static void h_prof(int s)
{
	(void)s;
	prof_hits++;
}

static long long ts_ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}
static long long clock_ns(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return ts_ns(&t);
}

/* Thread that waits for the SIGEV_THREAD_ID timer signal. */
static volatile pid_t worker_tid;
static volatile int worker_got, worker_val;
static void *tid_worker(void *arg)
{
	(void)arg;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN + 2);
	worker_tid = (pid_t)syscall(SYS_gettid);
	siginfo_t si;
	struct timespec to = {3, 0};
	int r = sigtimedwait(&s, &si, &to);
	worker_got = r;
	worker_val = si.si_value.sival_int;
	return NULL;
}

int main(void)
{
	it_begin(10);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);

	/* alarm in a child running in parallel (takes ~1s). */
	pid_t alarm_child = it_fork();
	if (alarm_child == 0) {
		sa.sa_handler = h_alrm;
		sigaction(SIGALRM, &sa, NULL);
		unsigned prev = alarm(5);
		unsigned left = alarm(1);
		long long t0 = it_now_ns();
		pause();
		long long dt = it_now_ns() - t0;
		int ok = prev == 0 && (left == 5 || left == 4) && alrm_hits == 1 && dt >= 900 * MS &&
		         dt < 3000 * MS;
		_exit(ok ? 0 : 1);
	}

	/* nanosleep */
	{
		struct timespec req = {0, 50 * MS};
		long long t0 = it_now_ns();
		int r = nanosleep(&req, NULL);
		long long dt = it_now_ns() - t0;
		CHECKF(r == 0 && dt >= 50 * MS && dt < 550 * MS, "nanosleep 50ms sleeps at least 50ms",
		       "r=%d dt=%lld", r, dt);
		struct timespec bad = {0, 1000000000};
		EXPECT_ERRNO(nanosleep(&bad, NULL), EINVAL, "nanosleep tv_nsec=1e9: EINVAL");
		struct timespec neg = {-1, 0};
		EXPECT_ERRNO(nanosleep(&neg, NULL), EINVAL, "nanosleep negative: EINVAL");
		struct timespec zero = {0, 0};
		EXPECT_EQ(nanosleep(&zero, NULL), 0, "nanosleep 0 returns 0");
	}
	/* clock_nanosleep absolute */
	{
		struct timespec target;
		clock_gettime(CLOCK_MONOTONIC, &target);
		target.tv_nsec += 50 * MS;
		if (target.tv_nsec >= 1000000000) {
			target.tv_sec++;
			target.tv_nsec -= 1000000000;
		}
		int r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, NULL);
		long long now = clock_ns(CLOCK_MONOTONIC);
		CHECK(r == 0 && now >= ts_ns(&target) && now < ts_ns(&target) + 500 * MS,
		      "clock_nanosleep TIMER_ABSTIME wakes at/after the target");
		struct timespec past = {0, 1};
		long long t0 = it_now_ns();
		r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL);
		CHECK(r == 0 && it_now_ns() - t0 < 100 * MS, "absolute time in the past returns at once");
		clock_gettime(CLOCK_REALTIME, &target);
		target.tv_nsec += 20 * MS;
		if (target.tv_nsec >= 1000000000) {
			target.tv_sec++;
			target.tv_nsec -= 1000000000;
		}
		r = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &target, NULL);
		CHECK(r == 0 && clock_ns(CLOCK_REALTIME) >= ts_ns(&target),
		      "clock_nanosleep CLOCK_REALTIME absolute");
		struct timespec rel = {0, 10 * MS};
		r = clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &rel, NULL);
		CHECKF(r == EINVAL, "clock_nanosleep on CLOCK_THREAD_CPUTIME_ID returns EINVAL",
		       "returned %d", r);
		r = clock_nanosleep(12345, 0, &rel, NULL);
		CHECKF(r == EINVAL, "clock_nanosleep on a bad clock returns EINVAL", "returned %d", r);
	}

	/* nanosleep interrupted: EINTR with the remaining time. */
	{
		sa.sa_handler = h_alrm;
		sigaction(SIGALRM, &sa, NULL);
		struct itimerval it = {{0, 0}, {0, 100000}};
		setitimer(ITIMER_REAL, &it, NULL);
		struct timespec req = {2, 0}, rem = {0, 0};
		alrm_hits = 0;
		long long t0 = it_now_ns();
		int r = nanosleep(&req, &rem);
		int e = errno;
		long long dt = it_now_ns() - t0;
		long long remns = ts_ns(&rem);
		CHECKF(r == -1 && e == EINTR && alrm_hits == 1, "nanosleep interrupted by a signal: EINTR",
		       "r=%d errno=%d hits=%d", r, e, alrm_hits);
		CHECKF(remns > 500 * MS && remns <= 2000 * MS - 90 * MS && dt < 1500 * MS,
		       "remaining time reported (about 1.9s)", "rem=%lld dt=%lld", remns, dt);

		/* clock_nanosleep returns the error number instead of setting errno. */
		setitimer(ITIMER_REAL, &it, NULL);
		r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
		CHECKF(r == EINTR, "clock_nanosleep interrupted returns EINTR", "returned %d", r);

		/* pause */
		setitimer(ITIMER_REAL, &it, NULL);
		alrm_hits = 0;
		r = pause();
		e = errno;
		CHECK(r == -1 && e == EINTR && alrm_hits == 1, "pause returns EINTR after the handler");
	}

	/* setitimer periodic, getitimer. */
	{
		struct itimerval it = {{0, 20000}, {0, 20000}}, cur;
		alrm_hits = 0;
		long long t0 = it_now_ns();
		setitimer(ITIMER_REAL, &it, NULL);
		getitimer(ITIMER_REAL, &cur);
		CHECK(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 20000,
		      "getitimer returns the interval");
		CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 20000,
		      "getitimer value counts down from the initial value");
		while (alrm_hits < 5 && it_now_ns() - t0 < 3000 * MS)
			pause();
		long long dt = it_now_ns() - t0;
		struct itimerval off = {{0, 0}, {0, 0}};
		struct itimerval old;
		setitimer(ITIMER_REAL, &off, &old);
		CHECKF(alrm_hits >= 5 && dt >= 95 * MS && dt < 2000 * MS,
		       "periodic ITIMER_REAL fires 5 times in >= 100ms", "hits=%d dt=%lld", alrm_hits, dt);
		CHECK(old.it_interval.tv_usec == 20000, "setitimer returns the old value");
		getitimer(ITIMER_REAL, &cur);
		CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0 && cur.it_interval.tv_usec == 0,
		      "disarmed timer reads as zero");
		EXPECT_ERRNO(setitimer(99, &off, NULL), EINVAL, "setitimer with a bad which: EINVAL");
		it_arm_watchdog(10); /* re-arm the watchdog */
		unsigned left = alarm(10);
		CHECKF(left == 10 || left == 9, "alarm returns the seconds left on the previous alarm",
		       "left=%u", left);
	}

	/* ITIMER_PROF counts CPU time. */
	{
		sa.sa_handler = h_prof;
		sigaction(SIGPROF, &sa, NULL);
		struct itimerval it = {{0, 10000}, {0, 10000}};
		setitimer(ITIMER_PROF, &it, NULL);
		long long t0 = it_now_ns();
		volatile unsigned long spin = 0;
		while (prof_hits < 3 && it_now_ns() - t0 < 3000 * MS)
			spin++;
		struct itimerval off = {{0, 0}, {0, 0}};
		setitimer(ITIMER_PROF, &off, NULL);
		CHECK(prof_hits >= 3, "ITIMER_PROF fires while burning CPU");
	}

	/* POSIX timers. */
	{
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGRTMIN);
		sigaddset(&s, SIGRTMIN + 2);
		sigprocmask(SIG_BLOCK, &s, NULL);
		struct sigevent sev;
		memset(&sev, 0, sizeof sev);
		sev.sigev_notify = SIGEV_SIGNAL;
		sev.sigev_signo = SIGRTMIN;
		sev.sigev_value.sival_int = 77;
		timer_t t;
		EXPECT_EQ(timer_create(CLOCK_MONOTONIC, &sev, &t), 0, "timer_create SIGEV_SIGNAL");
		struct itimerspec its = {{0, 0}, {0, 30 * MS}}, cur;
		long long t0 = it_now_ns();
		timer_settime(t, 0, &its, NULL);
		timer_gettime(t, &cur);
		CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 30 * MS,
		      "timer_gettime shows the remaining time");
		sigset_t only;
		sigemptyset(&only);
		sigaddset(&only, SIGRTMIN);
		siginfo_t si;
		int r = sigwaitinfo(&only, &si);
		long long dt = it_now_ns() - t0;
		CHECKF(r == SIGRTMIN && si.si_code == SI_TIMER && si.si_value.sival_int == 77,
		       "timer expiry delivers SI_TIMER with sigev_value", "r=%d code=%d", r, si.si_code);
		CHECKF(dt >= 29 * MS && dt < 1000 * MS, "one-shot timer fires after ~30ms", "dt=%lld", dt);
		timer_gettime(t, &cur);
		CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0, "expired one-shot timer is disarmed");

		/* Overruns: periodic 1ms timer while the signal stays blocked. */
		struct itimerspec per = {{0, 1 * MS}, {0, 1 * MS}};
		timer_settime(t, 0, &per, NULL);
		struct timespec nap = {0, 50 * MS};
		nanosleep(&nap, NULL);
		r = sigwaitinfo(&only, &si);
		int ov = timer_getoverrun(t);
		CHECKF(r == SIGRTMIN && ov >= 1 && si.si_overrun == ov,
		       "timer_getoverrun counts expirations coalesced into one signal", "ov=%d si=%d", ov,
		       si.si_overrun);
		struct itimerspec off = {{0, 0}, {0, 0}};
		timer_settime(t, 0, &off, NULL);
		/* absolute time */
		struct timespec abs;
		clock_gettime(CLOCK_MONOTONIC, &abs);
		abs.tv_nsec += 20 * MS;
		if (abs.tv_nsec >= 1000000000) {
			abs.tv_sec++;
			abs.tv_nsec -= 1000000000;
		}
		struct itimerspec at = {{0, 0}, abs};
		while (sigtimedwait(&only, &si, &(struct timespec){0, 0}) > 0)
			; /* drop stale */
		timer_settime(t, TIMER_ABSTIME, &at, NULL);
		r = sigwaitinfo(&only, &si);
		CHECK(r == SIGRTMIN && clock_ns(CLOCK_MONOTONIC) >= ts_ns(&abs),
		      "TIMER_ABSTIME timer fires at/after the target");
		EXPECT_EQ(timer_delete(t), 0, "timer_delete");
		EXPECT_ERRNO(timer_gettime(t, &cur), EINVAL, "timer_gettime on a deleted timer: EINVAL");

		/* SIGEV_THREAD_ID */
		pthread_t w;
		pthread_create(&w, NULL, tid_worker, NULL);
		while (worker_tid == 0)
			usleep(1000);
		memset(&sev, 0, sizeof sev);
		sev.sigev_notify = SIGEV_THREAD_ID;
		sev.sigev_signo = SIGRTMIN + 2;
		sev.sigev_value.sival_int = 88;
		sev._sigev_un._tid = worker_tid;
		timer_t t2;
		r = timer_create(CLOCK_MONOTONIC, &sev, &t2);
		struct itimerspec one = {{0, 0}, {0, 20 * MS}};
		timer_settime(t2, 0, &one, NULL);
		pthread_join(w, NULL);
		CHECK(r == 0 && worker_got == SIGRTMIN + 2 && worker_val == 88,
		      "SIGEV_THREAD_ID timer signal goes to the chosen thread");
		timer_delete(t2);
		sev._sigev_un._tid = 999999;
		EXPECT_ERRNO(timer_create(CLOCK_MONOTONIC, &sev, &t2), EINVAL,
		             "SIGEV_THREAD_ID with a foreign tid: EINVAL");
		sigprocmask(SIG_UNBLOCK, &s, NULL);
	}

	/* timerfd */
	{
		int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
		struct itimerspec its = {{0, 0}, {0, 20 * MS}};
		timerfd_settime(fd, 0, &its, NULL);
		uint64_t exp = 0;
		long long t0 = it_now_ns();
		ssize_t n = read(fd, &exp, sizeof exp);
		long long dt = it_now_ns() - t0;
		CHECK(fd >= 0 && n == 8 && exp == 1 && dt >= 15 * MS, "timerfd read blocks until expiry, count 1");
		struct itimerspec per = {{0, 2 * MS}, {0, 2 * MS}};
		timerfd_settime(fd, 0, &per, NULL);
		struct timespec nap = {0, 30 * MS};
		nanosleep(&nap, NULL);
		n = read(fd, &exp, sizeof exp);
		CHECKF(n == 8 && exp >= 2, "periodic timerfd accumulates expirations", "exp=%llu",
		       (unsigned long long)exp);
		fcntl(fd, F_SETFL, O_NONBLOCK);
		struct itimerspec off = {{0, 0}, {0, 0}};
		timerfd_settime(fd, 0, &off, NULL);
		EXPECT_ERRNO(read(fd, &exp, sizeof exp), EAGAIN, "disarmed nonblocking timerfd: EAGAIN");
		EXPECT_ERRNO(read(fd, &exp, 4), EINVAL, "timerfd read with a short buffer: EINVAL");
		close(fd);
	}

	/* Clocks. */
	{
		struct timespec res;
		CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0 &&
		          res.tv_nsec <= 1000000,
		      "clock_getres(CLOCK_MONOTONIC) is between 1ns and 1ms");
		CHECK(clock_getres(CLOCK_REALTIME, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0 &&
		          res.tv_nsec <= 1000000,
		      "clock_getres(CLOCK_REALTIME) is between 1ns and 1ms");
		CHECK(clock_getres(CLOCK_MONOTONIC_COARSE, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0 &&
		          res.tv_nsec <= 10000000,
		      "clock_getres(CLOCK_MONOTONIC_COARSE) is at most 10ms");
		EXPECT_ERRNO(clock_getres(12345, &res), EINVAL, "clock_getres on a bad clock: EINVAL");
		EXPECT_ERRNO(clock_gettime(12345, &res), EINVAL, "clock_gettime on a bad clock: EINVAL");
		int mono = 1;
		long long prev = clock_ns(CLOCK_MONOTONIC);
		for (int i = 0; i < 10000; i++) {
			long long now = clock_ns(CLOCK_MONOTONIC);
			if (now < prev)
				mono = 0;
			prev = now;
		}
		CHECK(mono, "CLOCK_MONOTONIC never goes backwards");
		struct timeval tv;
		gettimeofday(&tv, NULL);
		long long rt = clock_ns(CLOCK_REALTIME);
		long long gt = tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
		CHECK(rt - gt >= 0 && rt - gt < 1000 * MS, "gettimeofday agrees with CLOCK_REALTIME");
		time_t tt = time(NULL);
		CHECK(tt >= tv.tv_sec && tt - tv.tv_sec <= 1, "time() agrees with gettimeofday");
		CHECK(tt > 1600000000, "wall clock is after 2020");
		long long b0 = clock_ns(CLOCK_BOOTTIME), m0 = clock_ns(CLOCK_MONOTONIC);
		CHECK(b0 >= m0 - 1 * MS, "CLOCK_BOOTTIME >= CLOCK_MONOTONIC");
		long long c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		long long th0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		long long w0 = it_now_ns();
		volatile unsigned long spin = 0;
		while (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - c0 < 20 * MS && it_now_ns() - w0 < 3000 * MS)
			spin++;
		long long c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID), th1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		CHECK(c1 - c0 >= 20 * MS && th1 - th0 >= 10 * MS, "CPU-time clocks advance while spinning");
		/* clock_settime: Linux's checks before any permission one
		 * (the valid CLOCK_REALTIME case differs with CAP_SYS_TIME). */
		struct timespec good = { 1, 0 }, bad = { 1, 2000000000 };
		errno = 0;
		CHECK(clock_settime(CLOCK_MONOTONIC, &good) == -1 && errno == EINVAL,
		      "clock_settime(CLOCK_MONOTONIC) is EINVAL");
		errno = 0;
		CHECK(syscall(SYS_clock_settime, CLOCK_BOOTTIME, (void *)1) == -1 && errno == EINVAL,
		      "clock_settime(CLOCK_BOOTTIME, bad pointer) is EINVAL first");
		errno = 0;
		CHECK(syscall(SYS_clock_settime, CLOCK_REALTIME, (void *)1) == -1 && errno == EFAULT,
		      "clock_settime(CLOCK_REALTIME, bad pointer) is EFAULT");
		errno = 0;
		CHECK(clock_settime(CLOCK_REALTIME, &bad) == -1 && errno == EINVAL,
		      "clock_settime(CLOCK_REALTIME, 2e9 ns) is EINVAL");
		errno = 0;
		CHECK(clock_settime(12345, &good) == -1 && errno == EINVAL,
		      "clock_settime(unknown clock) is EINVAL");

		/* Sleeping, or blocking in a read, is not CPU time. */
		struct timespec nap = { 0, 100 * MS };
		int sp[2];
		c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		th0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		nanosleep(&nap, NULL);
		CHECK(pipe(sp) == 0, "pipe");
		struct pollfd pf = { sp[0], POLLIN, 0 };
		poll(&pf, 1, 100);
		close(sp[0]);
		close(sp[1]);
		c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		th1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		CHECKF(c1 - c0 < 20 * MS && th1 - th0 < 20 * MS,
		       "200 ms asleep (nanosleep, poll) is not CPU time",
		       "process %lld ns, thread %lld ns", c1 - c0, th1 - th0);
		clockid_t cid;
		CHECK(clock_getcpuclockid(getpid(), &cid) == 0 && clock_ns(cid) >= c1,
		      "clock_getcpuclockid(self) clock works");
	}

	int st = it_wait(alarm_child);
	EXPECT_EXIT(st, 0, "alarm(1) delivers SIGALRM after ~1s; alarm returns the previous value");
	return it_end();
}
