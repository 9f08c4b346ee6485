/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harness.h: the timing harness every cvisor microbenchmark links.
 *
 * A benchmark program is a table of figures and a one-line main() that
 * hands it to bench_main(). Each figure prints one line on stdout,
 *
 *	NAME VALUE UNIT		e.g. "getpid 48.2 ns"
 *	NAME n/a UNIT		when it cannot run here (the reason on stderr)
 *
 * so a runner can collect the figures of any program run natively or in any
 * sandbox. The programs are linked statically and use nothing but the
 * Linux ABI, so they run unchanged under any runtime.
 */
#ifndef BENCH_HARNESS_H
#define BENCH_HARNESS_H

#include <stddef.h>

/* One figure: its name, its unit, and the function that measures it. */
struct bench_figure {
	const char *name;
	const char *unit; /* ns, us, ms, MBps, per_s */
	const char *what; /* one line for -l */
	/* Store the figure in *value; 0, or -errno when it cannot run. */
	int (*run)(double *value);
};

/* The operation bench_time_ns() repeats: do it n times. */
typedef void bench_op_fn(long n, void *arg);

/* Run the selected figures of a program (see bench_usage in harness.c). */
int bench_main(int argc, char **argv, const struct bench_figure *figs,
	       size_t nfigs);

/* Median nanoseconds per op(), timed in batches over the time budget. */
double bench_time_ns(bench_op_fn *op, void *arg);

/* Calls op() and returns how long it took, in nanoseconds. */
double bench_once_ns(bench_op_fn *op, long n, void *arg);

/* Median of v[0..n) (sorts v). */
double bench_median(double *v, size_t n);

/* Monotonic clock in nanoseconds. */
double bench_now_ns(void);

/* The time budget of one figure, in nanoseconds. */
double bench_budget_ns(void);

/* The directory for scratch files (-d, $BENCH_DIR, default /tmp). */
const char *bench_dir(void);

/* The absolute path of the running program, for re-executing it. */
const char *bench_self(void);

/* Print a reason for a failed figure on stderr and return -errno. */
int bench_fail(const char *what);

/* Write or read all of buf; 0 or -errno (a short read is -EPIPE). */
int bench_write_all(int fd, const void *buf, size_t len);
int bench_read_all(int fd, void *buf, size_t len);

#endif
