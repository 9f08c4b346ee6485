/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reexec.h: runsc starts its sandbox processes (boot, gofer) by executing
 * itself again with an internal subcommand, as runc and gVisor do: each
 * starts from a clean address space and inherits only the fds it is given.
 */
#ifndef CVISOR_REEXEC_H
#define CVISOR_REEXEC_H

#include <sys/types.h>

/* Fork and exec /proc/self/exe with argv. `keep` lists fds (besides
 * 0, 1, 2) that stay open in the child, at the same numbers; every other
 * fd is closed. Returns the child pid or -errno. */
pid_t runsc_reexec(char *const argv[], const int *keep, int nkeep);

/* The same in new namespaces (CLONE_NEW* flags). */
pid_t runsc_reexec_ns(char *const argv[], const int *keep, int nkeep,
		      unsigned long flags);

/* Parse a non-negative fd number from a flag value; -1 if invalid. */
int runsc_parse_fd(const char *s);

#endif
