/* SPDX-License-Identifier: Apache-2.0 */
/*
 * syscall.c: the cost of entering the kernel: a bare system call, the
 * vDSO clock, and sched_yield.
 */
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static void op_getpid(long n, void *arg)
{
	(void)arg;
	for (long i = 0; i < n; i++)
		syscall(SYS_getpid);
}

/* syscall(2) rather than getpid(3), which a libc may cache. */
static int fig_getpid(double *v)
{
	*v = bench_time_ns(op_getpid, NULL);
	return 0;
}

static void op_clock(long n, void *arg)
{
	struct timespec ts;

	(void)arg;
	for (long i = 0; i < n; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
}

/* Through libc, which uses the vDSO when the kernel maps one. */
static int fig_clock(double *v)
{
	*v = bench_time_ns(op_clock, NULL);
	return 0;
}

static void op_yield(long n, void *arg)
{
	(void)arg;
	for (long i = 0; i < n; i++)
		sched_yield();
}

static int fig_yield(double *v)
{
	*v = bench_time_ns(op_yield, NULL);
	return 0;
}

static const struct bench_figure figures[] = {
	{ "getpid", "ns", "syscall(SYS_getpid): a bare system call",
	  fig_getpid },
	{ "clock_gettime", "ns", "clock_gettime(CLOCK_MONOTONIC) via libc/vDSO",
	  fig_clock },
	{ "sched_yield", "ns", "sched_yield()", fig_yield },
};

int main(int argc, char **argv)
{
	return bench_main(argc, argv, figures,
			  sizeof(figures) / sizeof(figures[0]));
}
