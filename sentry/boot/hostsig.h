/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostsig.h: host signals sent to the Sentry go to the sandbox. The
 * Sentry is the container's pid on the host, so `kill PID`, runsc
 * do/run passing on what they get, and a terminal's job control (the
 * console is the Sentry's controlling terminal) all arrive here, and are
 * delivered where they would reach a runc container: a terminal's to the
 * console's foreground process group, the others to the first process.
 */
#ifndef CVISOR_BOOT_HOSTSIG_H
#define CVISOR_BOOT_HOSTSIG_H

#include <stdbool.h>

/* Block the forwarded signals in the calling thread, so every thread
 * made afterwards has them blocked too: call first, before any thread
 * exists. */
void hostsig_block(void);
/* Start the thread that takes them (sigwaitinfo) and delivers them.
 * Kernel lock not held. Returns 0 or -errno. */
int hostsig_start(void);
/* Deliver host signal `sig` into the sandbox: with `from_tty` to the
 * console's foreground process group if there is one, else (and without
 * it) to the first process. Kernel lock held. 0, or -ESRCH when there
 * is no one to take it. */
int hostsig_deliver(int sig, bool from_tty);

#endif
