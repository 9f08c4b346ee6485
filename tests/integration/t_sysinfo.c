/* t_sysinfo: system-information syscalls (uname, sysinfo, getrandom,
 * sched_getaffinity/getcpu, scheduler queries, nice, times, getrusage,
 * personality) return plausible, self-consistent values, because programs
 * size thread pools and buffers from them. */
#include "itest.h"

#include <sched.h>
#include <sys/personality.h>
#include <sys/random.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>

static long long cpu_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void burn(long long ns)
{
	long long c0 = cpu_ns(), w0 = it_now_ns();
	volatile unsigned long x = 0;
	while (cpu_ns() - c0 < ns && it_now_ns() - w0 < 3000000000LL)
		for (int i = 0; i < 10000; i++)
			x += i;
}

int main(void)
{
	it_begin(10);

	struct utsname u;
	EXPECT_EQ(uname(&u), 0, "uname");
	CHECK(strcmp(u.sysname, "Linux") == 0, "sysname is Linux");
	CHECK(strcmp(u.machine, "x86_64") == 0, "machine is x86_64");
	CHECK(u.release[0] >= '1' && u.release[0] <= '9' && strchr(u.release, '.'),
	      "release looks like a version number");
	CHECK(u.nodename[0] != 0 && u.version[0] != 0, "nodename and version non-empty");
	{
		char hn[256];
		CHECK(gethostname(hn, sizeof hn) == 0 && strcmp(hn, u.nodename) == 0,
		      "gethostname equals uname nodename");
	}

	struct sysinfo si;
	EXPECT_EQ(sysinfo(&si), 0, "sysinfo");
	CHECK(si.uptime > 0, "uptime positive");
	CHECK(si.mem_unit >= 1 && si.totalram > 0 && si.freeram <= si.totalram, "memory figures plausible");
	CHECK(si.procs >= 1, "process count at least 1");
	CHECK((unsigned long long)si.totalram * si.mem_unit >= 64ULL << 20, "at least 64 MiB of RAM");
	EXPECT_EQ(sysconf(_SC_CLK_TCK), 100, "_SC_CLK_TCK is 100");
	CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 1, "at least one online CPU");

	/* getrandom */
	{
		unsigned char a[32], b[32];
		memset(a, 0, sizeof a);
		memset(b, 0, sizeof b);
		EXPECT_EQ(getrandom(a, sizeof a, 0), 32, "getrandom 32 bytes");
		EXPECT_EQ(getrandom(b, sizeof b, GRND_NONBLOCK), 32, "getrandom GRND_NONBLOCK");
		CHECK(memcmp(a, b, sizeof a) != 0, "two getrandom results differ");
		int nz = 0;
		for (int i = 0; i < 32; i++)
			nz |= a[i];
		CHECK(nz, "getrandom output not all zero");
		EXPECT_EQ(getrandom(NULL, 0, 0), 0, "getrandom of 0 bytes returns 0");
		EXPECT_ERRNO(getrandom(a, sizeof a, 0x100), EINVAL, "getrandom with bad flags: EINVAL");
		EXPECT_ERRNO(syscall(SYS_getrandom, (void *)8, 16, 0), EFAULT, "getrandom into a bad buffer: EFAULT");
		static unsigned char big[1 << 20];
		ssize_t n = getrandom(big, sizeof big, 0);
		CHECK(n > 0 && n <= (ssize_t)sizeof big, "large getrandom returns a positive count");
	}

	/* affinity and getcpu */
	{
		cpu_set_t set;
		CPU_ZERO(&set);
		EXPECT_EQ(sched_getaffinity(0, sizeof set, &set), 0, "sched_getaffinity");
		int n = CPU_COUNT(&set);
		CHECK(n >= 1, "affinity mask has at least one CPU");
		unsigned cpu = 0, node = 0;
		int r = (int)syscall(SYS_getcpu, &cpu, &node, NULL);
		CHECK(r == 0 && CPU_ISSET(cpu, &set), "getcpu returns a CPU in the affinity mask");
		long raw = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
		CHECK(raw > 0 && raw % 8 == 0 && raw <= (long)sizeof set,
		      "raw sched_getaffinity returns the mask size in bytes");
		/* pin to one allowed CPU, in a child */
		pid_t c = it_fork();
		if (c == 0) {
			int target = -1;
			for (int i = CPU_SETSIZE - 1; i >= 0; i--)
				if (CPU_ISSET(i, &set)) {
					target = i;
					break;
				}
			cpu_set_t one;
			CPU_ZERO(&one);
			CPU_SET(target, &one);
			if (sched_setaffinity(0, sizeof one, &one) != 0)
				_exit(1);
			sched_yield();
			unsigned cc = 99999;
			syscall(SYS_getcpu, &cc, NULL, NULL);
			cpu_set_t back;
			sched_getaffinity(0, sizeof back, &back);
			if ((int)cc != target || CPU_COUNT(&back) != 1 || !CPU_ISSET(target, &back))
				_exit(2);
			cpu_set_t none;
			CPU_ZERO(&none);
			if (sched_setaffinity(0, sizeof none, &none) != -1 || errno != EINVAL)
				_exit(3);
			_exit(0);
		}
		EXPECT_EXIT(it_wait(c), 0, "after pinning to one CPU getcpu reports it; empty mask EINVAL");
		EXPECT_ERRNO(sched_getaffinity(999999, sizeof set, &set), ESRCH,
		             "sched_getaffinity of a missing pid: ESRCH");
	}

	/* scheduler */
	EXPECT_EQ(sched_yield(), 0, "sched_yield");
	EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER, "policy is SCHED_OTHER");
	{
		struct sched_param sp = {.sched_priority = 5};
		sched_getparam(0, &sp);
		EXPECT_EQ(sp.sched_priority, 0, "SCHED_OTHER priority is 0");
		EXPECT_EQ(sched_get_priority_max(SCHED_FIFO), 99, "SCHED_FIFO max priority 99");
		EXPECT_EQ(sched_get_priority_min(SCHED_FIFO), 1, "SCHED_FIFO min priority 1");
		EXPECT_EQ(sched_get_priority_max(SCHED_OTHER), 0, "SCHED_OTHER max priority 0");
		struct timespec rr;
		CHECK(sched_rr_get_interval(0, &rr) == 0 && rr.tv_sec >= 0, "sched_rr_get_interval");
	}
	{
		pid_t c = it_fork();
		if (c == 0) {
			errno = 0;
			int before = getpriority(PRIO_PROCESS, 0);
			if (errno)
				_exit(1);
			if (setpriority(PRIO_PROCESS, 0, before + 1 > 19 ? 19 : before + 1) != 0)
				_exit(2);
			int after = getpriority(PRIO_PROCESS, 0);
			if (after != (before + 1 > 19 ? 19 : before + 1))
				_exit(3);
			errno = 0;
			int r2 = nice(1);
			if (r2 == -1 && errno)
				_exit(4);
			if (getpriority(PRIO_PROCESS, 0) != (after + 1 > 19 ? 19 : after + 1))
				_exit(5);
			_exit(0);
		}
		EXPECT_EXIT(it_wait(c), 0, "setpriority/nice raise the nice value by 1");
	}

	/* times / getrusage */
	{
		struct tms t0, t1;
		clock_t c0 = times(&t0);
		burn(100 * 1000000LL);
		clock_t c1 = times(&t1);
		CHECK(c1 >= c0, "times() return value does not go backwards");
		long ticks = (long)((t1.tms_utime + t1.tms_stime) - (t0.tms_utime + t0.tms_stime));
		CHECKF(ticks >= 5 && ticks <= 300, "times() counts about 100ms of CPU", "ticks=%ld", ticks);
		struct rusage ru;
		EXPECT_EQ(getrusage(RUSAGE_SELF, &ru), 0, "getrusage(RUSAGE_SELF)");
		long long us = ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000LL +
		               ru.ru_stime.tv_usec;
		CHECKF(us >= 90000, "getrusage reports at least the CPU just burned", "us=%lld", us);
		CHECK(ru.ru_maxrss > 0, "ru_maxrss positive");
		EXPECT_EQ(getrusage(RUSAGE_THREAD, &ru), 0, "getrusage(RUSAGE_THREAD)");
		EXPECT_ERRNO(getrusage(42, &ru), EINVAL, "getrusage with a bad who: EINVAL");

		struct rusage before;
		getrusage(RUSAGE_CHILDREN, &before);
		pid_t c = it_fork();
		if (c == 0) {
			burn(60 * 1000000LL);
			_exit(0);
		}
		it_wait(c);
		struct rusage after;
		getrusage(RUSAGE_CHILDREN, &after);
		long long b = before.ru_utime.tv_sec * 1000000LL + before.ru_utime.tv_usec +
		              before.ru_stime.tv_sec * 1000000LL + before.ru_stime.tv_usec;
		long long a = after.ru_utime.tv_sec * 1000000LL + after.ru_utime.tv_usec +
		              after.ru_stime.tv_sec * 1000000LL + after.ru_stime.tv_usec;
		CHECKF(a - b >= 50000, "RUSAGE_CHILDREN includes a reaped child's CPU time", "delta=%lld us",
		       a - b);
		struct tms tc;
		times(&tc);
		CHECK(tc.tms_cutime + tc.tms_cstime >= 5, "times() tms_cutime includes reaped children");
	}

	/* personality */
	{
		int p = personality(0xffffffff);
		EXPECT_EQ(p & PER_MASK, PER_LINUX, "personality is PER_LINUX");
		EXPECT_EQ(personality(0xffffffff), p, "personality query is stable");
	}
	EXPECT_EQ(getpagesize(), 4096, "getpagesize 4096");
	CHECK(getpid() > 0 && getppid() >= 0, "getpid positive, getppid non-negative");
	return it_end();
}
