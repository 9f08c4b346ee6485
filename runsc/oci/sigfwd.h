/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigfwd.h: the signals a foreground runsc (run, exec, do) passes on to
 * the container, as runc does: every one it can catch but SIGCHLD (its
 * own children), SIGURG (runc leaves it out too) and the faults
 * (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS: a fault of runsc's
 * own must crash it). SIGWINCH is the caller's to interpret: a resize of
 * the terminal it shares with the container.
 *
 * Handlers only record the signal and write a byte to a pipe, so a wait
 * loop polls that pipe (and its other fds) without missing a signal that
 * arrives just before it blocks.
 */
#ifndef CVISOR_OCI_SIGFWD_H
#define CVISOR_OCI_SIGFWD_H

#include <stdbool.h>

/* Install the handlers (SIGCHLD too, only to wake the loop); the pipe's
 * read end to poll, or -1 with errno. */
int sigfwd_install(void);
/* Empty the pipe: first thing in each round of a wait loop, before
 * looking at what it waits for, so a signal after that look wakes poll. */
void sigfwd_clear(void);
/* The next signal received and not yet taken (0: none); *from_tty set
 * when the host kernel raised it for a terminal (^C, a resize: SI_KERNEL)
 * rather than a process sending it. */
int sigfwd_next(bool *from_tty);

#endif
