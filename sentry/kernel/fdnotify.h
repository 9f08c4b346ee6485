/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fdnotify.h: wake-ups for files backed by host fds.
 *
 * Sentry files report readiness changes on their waitq; a host fd (the
 * container's stdio) changes state outside the Sentry. One Sentry thread
 * waits on a host epoll instance holding every registered host fd,
 * edge-triggered, and notifies the file's waitq with the host's events.
 * So poll, select, epoll (nested or not, level- or edge-triggered) and
 * blocking reads wait for host fds exactly as for Sentry files (gVisor's
 * fdnotifier).
 */
#ifndef CVISOR_FDNOTIFY_H
#define CVISOR_FDNOTIFY_H

struct waitq;

/* Notify `wq` (under the kernel lock) whenever host fd `fd` may have
 * become ready. -EPERM: the host cannot poll this fd (a regular file,
 * /dev/null): it is always ready and never needs a wake-up. */
int fdnotify_add(int fd, struct waitq *wq);
/* Stop before the fd is closed. Safe for an fd never added. */
void fdnotify_remove(int fd);

#endif
