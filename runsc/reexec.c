/* SPDX-License-Identifier: Apache-2.0 */
/* reexec.c: see reexec.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runsc/reexec.h"

/* Close every fd >= 3 that is not in keep (in the child, before exec):
 * nothing of runsc's may leak into a sandbox process. */
static void close_others(const int *keep, int nkeep)
{
	/* Mark everything close-on-exec in one call (Linux 5.11+), then
	 * clear the flag on the fds handed over. */
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		int max = (int)sysconf(_SC_OPEN_MAX);

		if (max < 0 || max > 1 << 16)
			max = 1 << 16;
		for (int fd = 3; fd < max; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	for (int i = 0; i < nkeep; i++) {
		int fl = fcntl(keep[i], F_GETFD);

		if (fl >= 0)
			fcntl(keep[i], F_SETFD, fl & ~FD_CLOEXEC);
	}
}

pid_t runsc_reexec(char *const argv[], const int *keep, int nkeep)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close_others(keep, nkeep);
		execv("/proc/self/exe", argv);
		fprintf(stderr, "runsc: cannot re-execute itself: %m\n");
		_exit(127);
	}
	return pid;
}

pid_t runsc_reexec_ns(char *const argv[], const int *keep, int nkeep,
		      unsigned long flags)
{
	/* clone(2) without a new stack behaves as fork(2), with the new
	 * namespaces: the child is pid 1 of its pid namespace. runsc is
	 * single-threaded here, so no lock of libc's can be held. */
	pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL,
				   NULL);

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close_others(keep, nkeep);
		execv("/proc/self/exe", argv);
		fprintf(stderr, "runsc: cannot re-execute itself: %m\n");
		_exit(127);
	}
	return pid;
}

int runsc_parse_fd(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 0 || v > INT_MAX)
		return -1;
	return (int)v;
}
