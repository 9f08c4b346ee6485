/* SPDX-License-Identifier: Apache-2.0 */
/*
 * boot.h: starting a Sentry: the kernel, its filesystems and the first
 * process, then waiting for the sandbox to end.
 */
#ifndef CVISOR_BOOT_H
#define CVISOR_BOOT_H

#include <stdbool.h>

/* A host directory a Gofer of its own serves, mounted in the sandbox. */
struct sentry_mount {
	int gofer_fd;            /* SOCK_SEQPACKET to its Gofer */
	const char *path;        /* the mount point in the sandbox
				    (absolute; made if missing) */
	bool writable;           /* its Gofer serves it writable */
};

#define SENTRY_MAX_MOUNTS 16

struct sentry_config {
	int gofer_fd;            /* SOCK_SEQPACKET to the root's Gofer */
	bool no_overlay;         /* the root is the Gofer's tree read-only,
				    without the writable memory overlay */
	struct sentry_mount mounts[SENTRY_MAX_MOUNTS];
	unsigned nmounts;
	int stdio[3];            /* host fds that become the guest's 0, 1, 2 */
	char *const *argv;       /* the command; argv[0] found on PATH */
	char *const *envp;       /* its environment */
	const char *cwd;         /* its working directory in the sandbox */
	const char *hostname;
	bool strace;
	int strace_fd;           /* where strace lines go */
	bool no_seccomp;         /* debugging only: leave the filter out */
};

/*
 * Run the sandbox to its end. Returns the wait status of the first
 * process (as waitpid reports it), or -errno when the sandbox could not
 * start (after printing why).
 */
int sentry_boot(const struct sentry_config *);

#endif
