/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eventpoll.h: the epoll core (fs/eventpoll.c): interest lists, the ready
 * list and the wake-up callbacks, on which sentry/syscalls/epoll.c builds
 * the syscalls. An interest is keyed by (file, fd) as in Linux and holds
 * no reference on the file: it goes when the file's last reference goes
 * (eventpoll_release, called by file_put), not when the fd is closed.
 */
#ifndef CVISOR_FS_EVENTPOLL_H
#define CVISOR_FS_EVENTPOLL_H

#include <stdbool.h>

struct file;
struct waitq;
struct linux_epoll_event;

/* A new epoll description (anon_inode:[eventpoll], O_RDWR). */
int eventpoll_create(struct file **out);
bool is_file_epoll(const struct file *);

/* epoll_ctl on resolved descriptions, after the syscall copied the event
 * (NULL for EPOLL_CTL_DEL) and looked up both fds: EPERM, EINVAL, ELOOP,
 * EEXIST, ENOENT as Linux, in its order. */
int eventpoll_ctl(struct file *ep, int op, int fd, struct file *target,
		  const struct linux_epoll_event *ev);

/* Where ready events go: 0, or -EFAULT to stop (the event stays ready). */
typedef int (*eventpoll_put_fn)(void *ctx, int idx,
				const struct linux_epoll_event *);
/* Report up to `max` ready events as ep_send_events does (level-triggered
 * ones stay ready, edge-triggered ones leave the ready list, one-shot
 * ones are disabled). Returns how many, or -EFAULT when the first could
 * not be stored. */
int eventpoll_send(struct file *ep, eventpoll_put_fn, void *ctx, int max);
/* Is anything on the ready list (maybe ready: eventpoll_send checks)? */
bool eventpoll_maybe_ready(struct file *ep);
/* The queue epoll_wait callers sleep on (woken one at a time). */
struct waitq *eventpoll_waiters(struct file *ep);

/* VFS hook: f's last reference went; its interests in every epoll go. */
void eventpoll_release(struct file *f);

#endif
