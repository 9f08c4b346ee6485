/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spawnloop.c: whole-process timing on the host, like a small hyperfine:
 * run a command N times (after W unmeasured runs) and print the median
 * wall time from fork to reaped exit, and the median CPU time (user +
 * system) of the command and the children it reaped:
 *
 *	spawnloop [-n N] [-w W] NAME -- CMD [ARG...]
 *	NAME 1.23 ms
 *	NAME_cpu 0.98 ms
 *
 * The command's stdout goes to /dev/null; its stderr is kept. A run that
 * does not exit 0 ends it with status 1 and no figures.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define MAX_RUNS 1000

/* Run argv once; store its wall and CPU milliseconds; 0 if it exited 0. */
static int run_once(char **argv, double *wall_ms, double *cpu_ms)
{
	struct rusage ru;
	double t0 = bench_now_ns();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "spawnloop: %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	*wall_ms = (bench_now_ns() - t0) / 1e6;
	*cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		  (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "spawnloop: %s: exit status %#x\n", argv[0],
			status);
		return -1;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: spawnloop [-n N] [-w W] NAME -- CMD [ARG...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static double wall[MAX_RUNS], cpu[MAX_RUNS];
	int runs = 20, warm = 2, c, ok = 1;
	const char *name;

	while ((c = getopt(argc, argv, "+n:w:")) != -1) {
		switch (c) {
		case 'n':
			runs = atoi(optarg);
			break;
		case 'w':
			warm = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (runs < 1 || runs > MAX_RUNS || warm < 0 || argc - optind < 3 ||
	    strcmp(argv[optind + 1], "--") != 0)
		usage();
	name = argv[optind];
	argv += optind + 2;
	for (int i = 0; i < warm + runs && ok; i++) {
		int k = i < warm ? 0 : i - warm;

		ok = run_once(argv, &wall[k], &cpu[k]) == 0;
	}
	if (!ok)
		return 1;
	printf("%s %.3f ms\n%s_cpu %.3f ms\n", name,
	       bench_median(wall, (size_t)runs), name,
	       bench_median(cpu, (size_t)runs));
	return 0;
}
