/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mem.c: memory mappings: mmap+munmap of 1 MiB of anonymous memory with
 * and without touching its pages, and the cost of one page fault on fresh
 * anonymous memory and on a fresh private mapping of a cached file.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define MIB (1L << 20)
#define PAGE 4096L
/* Pages per page-fault batch: 4 MiB, long enough to time in a sandbox. */
#define FAULT_PAGES 1024L

static int failed;

/* Map len bytes, write one byte into each page if touch, unmap. */
static void map_once(long len, int touch)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		failed = errno;
		return;
	}
	if (touch)
		for (long off = 0; off < len; off += PAGE)
			((volatile char *)p)[off] = 1;
	munmap(p, len);
}

static void op_map_touch(long n, void *arg)
{
	(void)arg;
	for (long i = 0; i < n; i++)
		map_once(MIB, 1);
}

static void op_map(long n, void *arg)
{
	(void)arg;
	for (long i = 0; i < n; i++)
		map_once(MIB, 0);
}

/* Turn a failure recorded while timing into the figure's result. */
static int check(const char *what)
{
	if (!failed)
		return 0;
	errno = failed;
	failed = 0;
	return bench_fail(what);
}

static int fig_map_touch(double *v)
{
	*v = bench_time_ns(op_map_touch, NULL) / 1e3;
	return check("mmap");
}

static int fig_map(double *v)
{
	*v = bench_time_ns(op_map, NULL);
	return check("mmap");
}

/* Nanoseconds per first touch of each page of a fresh mapping of len
 * bytes: anonymous and written if fd < 0, else fd's file, read; < 0 on
 * error. Only the touching is timed: mmap and munmap have figures above. */
static double touch_batch(int fd, long len)
{
	int flags = fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_PRIVATE;
	int prot = fd < 0 ? PROT_READ | PROT_WRITE : PROT_READ;
	char *p = mmap(NULL, len, prot, flags, fd, 0);
	volatile char sink;
	double t0, t;

	if (p == MAP_FAILED)
		return -1;
	/* One fault per 4 KiB page, not one per 2 MiB huge page; a kernel
	 * without the advice just faults as it would. */
	if (fd < 0)
		madvise(p, len, MADV_NOHUGEPAGE);
	t0 = bench_now_ns();
	for (long off = 0; off < len; off += PAGE)
		if (fd < 0)
			((volatile char *)p)[off] = 1;
		else
			sink = ((volatile char *)p)[off];
	t = bench_now_ns() - t0;
	(void)sink;
	munmap(p, len);
	return t / (double)(len / PAGE);
}

/* The median of touch_batch() over the time budget. */
static int time_touch(int fd, long len, double *v)
{
	double per_page[64], start;
	size_t k = 0;

	if (touch_batch(fd, len) < 0) /* warm-up */
		return bench_fail("mmap");
	start = bench_now_ns();
	do {
		per_page[k] = touch_batch(fd, len);
		if (per_page[k] < 0)
			return bench_fail("mmap");
		k++;
	} while (k < 64 &&
		 (k < 3 || bench_now_ns() - start < bench_budget_ns()));
	*v = bench_median(per_page, k);
	return 0;
}

static int fig_fault(double *v)
{
	return time_touch(-1, FAULT_PAGES * PAGE, v);
}

/* Read faults on a file of the root filesystem that is in the page cache
 * (this program): what loading programs and libraries costs. */
static int fig_file_fault(double *v)
{
	int fd = open(bench_self(), O_RDONLY | O_CLOEXEC), rc;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return bench_fail(bench_self());
	rc = time_touch(fd, (long)st.st_size & ~(PAGE - 1), v);
	close(fd);
	return rc;
}

static const struct bench_figure figures[] = {
	{ "mmap_touch_munmap_1m", "us",
	  "mmap 1 MiB anonymous, write each page, munmap", fig_map_touch },
	{ "mmap_munmap_1m", "ns", "mmap 1 MiB anonymous, munmap, no touch",
	  fig_map },
	{ "anon_page_fault", "ns", "first write to a fresh anonymous page",
	  fig_fault },
	{ "file_page_fault", "ns",
	  "first read of a page of a cached file's fresh private mapping",
	  fig_file_fault },
};

int main(int argc, char **argv)
{
	return bench_main(argc, argv, figures,
			  sizeof(figures) / sizeof(figures[0]));
}
