/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harness.c: options, figure selection and timing for the benchmarks.
 *
 * Timing: a figure's operation is first repeated in growing batches until
 * one batch takes about 1/16 of the figure's budget (this warms caches and
 * the sandbox's lazily built state), then timed batch by batch until the
 * budget is spent, at least 3 and at most 64 batches. The figure is the
 * median batch's time per operation, so that one batch preempted on a busy
 * machine does not move it. The runner repeats whole programs and takes
 * the median again across those runs.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define BENCH_DEFAULT_MS 200
#define BENCH_MIN_BATCHES 3
#define BENCH_MAX_BATCHES 64

static double budget_ns = BENCH_DEFAULT_MS * 1e6;
static const char *scratch_dir = "/tmp";
static char self_path[4096];

double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

double bench_budget_ns(void)
{
	return budget_ns;
}

const char *bench_dir(void)
{
	return scratch_dir;
}

const char *bench_self(void)
{
	return self_path;
}

int bench_fail(const char *what)
{
	int err = errno ? errno : EIO;

	fprintf(stderr, "bench: %s: %s\n", what, strerror(err));
	return -err;
}

int bench_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int bench_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t r = read(fd, p, len);

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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bench_once_ns(bench_op_fn *op, long n, void *arg)
{
	double t0 = bench_now_ns();

	op(n, arg);
	return bench_now_ns() - t0;
}

double bench_time_ns(bench_op_fn *op, void *arg)
{
	double batch_ns = budget_ns / 16, per_op[BENCH_MAX_BATCHES], start;
	size_t k = 0;
	long n = 1;

	/* Warm up while growing the batch to about batch_ns. */
	for (;;) {
		double t = bench_once_ns(op, n, arg), grow;

		if (t >= batch_ns / 2 || n >= (1L << 40))
			break;
		grow = t > 0 ? batch_ns / t : 100;
		grow = grow > 100 ? 100 : grow < 2 ? 2 : grow;
		n = (long)((double)n * grow);
	}
	start = bench_now_ns();
	do
		per_op[k++] = bench_once_ns(op, n, arg) / (double)n;
	while (k < BENCH_MAX_BATCHES &&
	       (k < BENCH_MIN_BATCHES || bench_now_ns() - start < budget_ns));
	return bench_median(per_op, k);
}

static void print_value(const struct bench_figure *f, double v)
{
	int prec = v >= 1000 ? 0 : v >= 100 ? 1 : v >= 10 ? 2 : 3;

	printf("%s %.*f %s\n", f->name, prec, v, f->unit);
}

static void usage(const char *prog, const struct bench_figure *figs,
		  size_t nfigs)
{
	fprintf(stderr,
		"usage: %s [-t MS] [-d DIR] [-l] [FIGURE...]\n"
		"  -t MS   time budget per figure ($BENCH_TIME_MS, %d)\n"
		"  -d DIR  directory for scratch files ($BENCH_DIR, /tmp)\n"
		"  -l      list the figures\n"
		"figures:",
		prog, BENCH_DEFAULT_MS);
	for (size_t i = 0; i < nfigs; i++)
		fprintf(stderr, " %s", figs[i].name);
	fputc('\n', stderr);
}

/* Whether figure f was asked for (no names asks for all). */
static int selected(const struct bench_figure *f, int argc, char **argv)
{
	if (argc == 0)
		return 1;
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], f->name) == 0)
			return 1;
	return 0;
}

/* Settle the options, from the environment first, then the flags. */
static int parse_options(int argc, char **argv, int *list)
{
	const char *e;
	int c;

	if ((e = getenv("BENCH_TIME_MS")) && atof(e) > 0)
		budget_ns = atof(e) * 1e6;
	if ((e = getenv("BENCH_DIR")) && *e)
		scratch_dir = e;
	while ((c = getopt(argc, argv, "t:d:lh")) != -1) {
		switch (c) {
		case 't':
			if (atof(optarg) <= 0)
				return -1;
			budget_ns = atof(optarg) * 1e6;
			break;
		case 'd':
			scratch_dir = optarg;
			break;
		case 'l':
			*list = 1;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

int bench_main(int argc, char **argv, const struct bench_figure *figs,
	       size_t nfigs)
{
	int list = 0;

	/* The target of the fork+exec figures: exit at once. */
	if (argc == 2 && strcmp(argv[1], "--exit") == 0)
		_exit(0);
	if (!realpath(argv[0], self_path))
		snprintf(self_path, sizeof(self_path), "%s", argv[0]);
	if (parse_options(argc, argv, &list) < 0) {
		usage(argv[0], figs, nfigs);
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		size_t j = 0;

		while (j < nfigs && strcmp(argv[i], figs[j].name) != 0)
			j++;
		if (j == nfigs) {
			fprintf(stderr, "%s: no figure '%s'\n", argv[0],
				argv[i]);
			usage(argv[0], figs, nfigs);
			return 2;
		}
	}
	for (size_t i = 0; i < nfigs; i++) {
		double v = 0;
		int rc;

		if (list) {
			printf("%s %s %s\n", figs[i].name, figs[i].unit,
			       figs[i].what);
			continue;
		}
		if (!selected(&figs[i], argc - optind, argv + optind))
			continue;
		errno = 0;
		rc = figs[i].run(&v);
		if (rc < 0) {
			/* Not a failure of the program: the runner shows
			 * "n/a" and the reason printed on stderr. */
			printf("%s n/a %s\n", figs[i].name, figs[i].unit);
		} else {
			print_value(&figs[i], v);
		}
		fflush(stdout);
	}
	return 0;
}
