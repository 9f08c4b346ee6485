/* SPDX-License-Identifier: Apache-2.0 */
/*
 * epoll.c: the epoll syscalls (epoll_create, epoll_create1, epoll_ctl,
 * epoll_wait, epoll_pwait, epoll_pwait2) on the core of
 * sentry/fs/eventpoll.c: argument checks in Linux's order, the wait loop
 * (ep_poll) and the temporary signal mask. An interrupted epoll_wait is
 * never restarted: it fails with EINTR, as on Linux.
 */
#include <errno.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/epoll.h"
#include "sentry/abi/resource.h"
#include "sentry/fs/eventpoll.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/poll_common.h"
#include "sentry/vfs/vfs.h"

/* The end of the user address range (access_ok's TASK_SIZE_MAX). */
#define LINUX_TASK_SIZE_MAX 0x7ffffffff000ULL

static long epoll_new(struct task *t, uint32_t flags)
{
	struct file *f;
	int fd, err = eventpoll_create(&f);

	if (err)
		return err;
	fd = fd_install(t, f,
			(flags & LINUX_EPOLL_CLOEXEC) ? FD_CLOEXEC_FLAG : 0);
	file_put(f);
	return fd;
}

long kern_epoll_create(struct task *t, const struct epoll_create_args *a)
{
	if (a->size <= 0)
		return -EINVAL;
	return epoll_new(t, 0);
}

long kern_epoll_create1(struct task *t, const struct epoll_create1_args *a)
{
	return epoll_new(t, a->flags);
}

long kern_epoll_ctl(struct task *t, const struct epoll_ctl_args *a)
{
	struct linux_epoll_event ev = {0};
	struct file *ep, *tf;
	long ret;

	if (a->op != LINUX_EPOLL_CTL_DEL &&
	    task_copy_in(t, a->event, &ev, sizeof(ev)))
		return -EFAULT;
	ep = fd_get_nopath(t, a->epfd);
	if (!ep)
		return -EBADF;
	tf = fd_get_nopath(t, a->fd);
	if (!tf) {
		file_put(ep);
		return -EBADF;
	}
	ret = eventpoll_ctl(ep, a->op, a->fd, tf, &ev);
	file_put(tf);
	file_put(ep);
	return ret;
}

struct put_ctx {
	struct task *t;
	uint64_t uevents;
};

/* Each event goes to the guest's array as soon as it is taken. */
static int put_event(void *arg, int idx, const struct linux_epoll_event *ev)
{
	struct put_ctx *c = arg;

	return task_copy_out(c->t, c->uevents + (uint64_t)idx * sizeof(*ev), ev,
			     sizeof(*ev));
}

/* ep_poll: report what is ready, else sleep until something is, the
 * deadline or a signal. */
static long ep_poll(struct task *t, struct file *f, uint64_t uevents, int max,
		    int64_t deadline)
{
	struct put_ctx c = {t, uevents};
	bool timed_out = deadline == POLL_NO_WAIT, intr = false;
	struct waiter w;

	waiter_init_task(&w, t, WAITQ_EV_ALL);
	for (;;) {
		int err;

		if (eventpoll_maybe_ready(f)) {
			long n = eventpoll_send(f, put_event, &c, max);

			if (n)
				return n;
		}
		if (timed_out)
			return 0;
		if (intr || task_signal_pending(t))
			return -EINTR;
		waitq_add(eventpoll_waiters(f), &w);
		err = task_wait(t, deadline, true);
		waitq_remove(&w);
		if (err == -ETIMEDOUT)
			timed_out = true;
		else if (err == -EINTR)
			intr = true;
	}
}

/* do_epoll_wait: the checks in the order Linux 6.18 makes them (the fd
 * first, then maxevents, the array, the kind of file), then ep_poll. */
static long do_epoll_wait(struct task *t, int epfd, uint64_t uevents, int max,
			  int64_t deadline)
{
	struct file *f = fd_get_nopath(t, epfd);
	long ret;

	if (!f)
		return -EBADF;
	if (max <= 0 || max > LINUX_EP_MAX_EVENTS)
		ret = -EINVAL;
	else if (uevents > LINUX_TASK_SIZE_MAX ||
		 (uint64_t)max * sizeof(struct linux_epoll_event) >
			 LINUX_TASK_SIZE_MAX - uevents)
		ret = -EFAULT;
	else if (!is_file_epoll(f))
		ret = -EINVAL;
	else
		ret = ep_poll(t, f, uevents, max, deadline);
	file_put(f);
	return ret;
}

long kern_epoll_wait(struct task *t, const struct epoll_wait_args *a)
{
	return do_epoll_wait(t, a->epfd, a->events, a->maxevents,
			     poll_ms_deadline(a->timeout));
}

/* do_epoll_pwait: the mask, the wait, and the old mask back unless a
 * signal interrupted (its frame restores it). */
static long do_epoll_pwait(struct task *t, int epfd, uint64_t uevents, int max,
			   int64_t deadline, uint64_t umask, uint64_t size)
{
	long ret = poll_set_sigmask(t, umask, size);

	if (ret)
		return ret;
	ret = do_epoll_wait(t, epfd, uevents, max, deadline);
	poll_restore_sigmask(t, ret == -EINTR);
	return ret;
}

long kern_epoll_pwait(struct task *t, const struct epoll_pwait_args *a)
{
	return do_epoll_pwait(t, a->epfd, a->events, a->maxevents,
			      poll_ms_deadline(a->timeout), a->sigmask,
			      a->sigsetsize);
}

long kern_epoll_pwait2(struct task *t, const struct epoll_pwait2_args *a)
{
	int64_t deadline = poll_ts_deadline(t, a->timeout);

	if (deadline < POLL_NO_WAIT)
		return deadline;
	return do_epoll_pwait(t, a->epfd, a->events, a->maxevents, deadline,
			      a->sigmask, a->sigsetsize);
}
