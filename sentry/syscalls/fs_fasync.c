/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs_fasync.c: signal-driven I/O (fs/fcntl.c's fcntl commands and
 * fasync; sentry/vfs/fasync.c sends the signals): fcntl's F_SETOWN,
 * F_GETOWN, F_SETOWN_EX, F_GETOWN_EX, F_SETSIG, F_GETSIG, O_ASYNC
 * (F_SETFL, FIOASYNC), and the directory notifications of F_NOTIFY
 * (fs/notify/dnotify), which signal the same way.
 *
 * While O_ASYNC is on, a waiter on the file's poll queue (any file with
 * one: pipes and FIFOs, terminals, sockets, eventfds...) signals the
 * owner when the queue reports the file readable (POLL_IN) or writable
 * (POLL_OUT): SIGIO from the kernel, or with F_SETSIG the chosen signal
 * carrying si_fd and si_band. As in Linux, a signal may come without the
 * state it announces having lasted: the receiver checks again.
 */
#include <errno.h>
#include <stdlib.h>

#include "sentry/abi/poll.h"
#include "sentry/syscalls/fs_common.h"
#include "sentry/vfs/fasync.h"

/* dnotify's events (<linux/fcntl.h>). */
#define DN_ACCESS 0x01
#define DN_MODIFY 0x02
#define DN_CREATE 0x04
#define DN_DELETE 0x08
#define DN_RENAME 0x10
#define DN_ATTRIB 0x20
#define DN_MULTISHOT 0x80000000u

/* The file's queue reported events: a read side hears of input (and of
 * the end of it), a write side of room (and of errors). */
static int fasync_notify(struct waiter *w, uint32_t events)
{
	struct file *f = w->priv;
	struct file_async *a = f->async;

	if (events & WAITQ_EV_FREE) {
		waitq_remove(w);
		a->registered = false;
		return 0;
	}
	if (!(f->flags & LINUX_O_ASYNC) || !a->owner)
		return 0;
	if ((f->fmode & FMODE_READ) &&
	    (events & (LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLHUP)))
		fasync_send_sigio(a, a->fd, LINUX_POLL_IN);
	else if ((f->fmode & FMODE_WRITE) &&
		 (events & (LINUX_POLLOUT | LINUX_POLLWRNORM | LINUX_POLLERR)))
		fasync_send_sigio(a, a->fd, LINUX_POLL_OUT);
	return 0;
}

int fs_fasync(struct file *f, int fd, bool on)
{
	struct file_async *a;
	struct waitq *wq = NULL;

	if (!on) {
		if (f->async && f->async->registered) {
			waitq_remove(&f->async->w);
			f->async->registered = false;
		}
		return 0;
	}
	a = fasync_of(f);
	if (!a)
		return -ENOMEM;
	a->fd = fd;
	if (a->registered || !f->ops->poll)
		return 0;
	f->ops->poll(f, &wq);
	if (!wq)
		return 0; /* its readiness never changes */
	waiter_init_fn(&a->w, fasync_notify, f,
		       LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLOUT |
			       LINUX_POLLWRNORM | LINUX_POLLHUP |
			       LINUX_POLLERR | WAITQ_EV_FREE);
	waitq_add(wq, &a->w);
	a->registered = true;
	return 0;
}

/* An event in a watched directory: the owner hears of it (POLL_MSG);
 * a watch without DN_MULTISHOT fires once. */
static void dnotify_event(struct fsnotify_mark *m, uint32_t mask,
			  const char *name, uint32_t cookie)
{
	struct file_async *a =
		(struct file_async *)((char *)m -
				      offsetof(struct file_async, dn_mark));

	(void)name;
	(void)cookie;
	if (!(mask & m->mask & ~LINUX_IN_ISDIR))
		return; /* an unmount, which every mark hears of */
	if (a->owner)
		fasync_send_sigio(a, a->dn_fd, LINUX_POLL_MSG);
	if (!(a->dn_mask & DN_MULTISHOT)) {
		fsnotify_remove_mark(m);
		a->dn_active = false;
	}
}

/* The directory is gone: so is the watch. */
static void dnotify_freed(struct fsnotify_mark *m)
{
	struct file_async *a =
		(struct file_async *)((char *)m -
				      offsetof(struct file_async, dn_mark));

	a->dn_active = false;
}

static const struct fsnotify_ops dnotify_ops = {
	.event = dnotify_event,
	.freed = dnotify_freed,
};

/* F_NOTIFY: watch the directory for the DN_* events, added to what the
 * description watches already (no event bit removes the watch); the
 * owner defaults to the caller's process, as fcntl_dirnotify sets it. */
long fs_fcntl_notify(struct task *t, struct file *f, int fd, uint32_t arg)
{
	static const struct {
		uint32_t dn, in;
	} map[] = {
		{DN_ACCESS, LINUX_IN_ACCESS},
		{DN_MODIFY, LINUX_IN_MODIFY},
		{DN_CREATE, LINUX_IN_CREATE},
		{DN_DELETE, LINUX_IN_DELETE},
		{DN_RENAME, LINUX_IN_MOVED_FROM | LINUX_IN_MOVED_TO},
		{DN_ATTRIB, LINUX_IN_ATTRIB},
	};
	struct file_async *a;
	uint32_t in = 0;

	if (!LINUX_S_ISDIR(f->inode->mode))
		return -ENOTDIR;
	a = fasync_of(f);
	if (!a)
		return -ENOMEM;
	if (!(arg & ~DN_MULTISHOT)) {
		if (a->dn_active)
			fsnotify_remove_mark(&a->dn_mark);
		a->dn_active = false;
		return 0;
	}
	for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++)
		if (arg & map[k].dn)
			in |= map[k].in;
	if (!a->owner) {
		a->has_owner = true;
		a->owner_type = LINUX_F_OWNER_PID;
		a->owner = t->tg->tgid;
		a->uid = t->creds->uid;
		a->euid = t->creds->euid;
	}
	a->dn_fd = fd;
	if (a->dn_active) {
		/* attach_dn: a watch of the same description gains the
		 * events (and DN_MULTISHOT). */
		a->dn_mask |= arg;
		a->dn_mark.mask |= in;
		return 0;
	}
	a->dn_mask = arg;
	if (!in)
		return 0; /* only bits Linux ignores */
	a->dn_mark = (struct fsnotify_mark){
		.ops = &dnotify_ops, .group = a, .mask = in};
	fsnotify_add_mark(&a->dn_mark, f->inode);
	a->dn_active = true;
	return 0;
}

long fs_fcntl_owner(struct task *t, struct file *f, int cmd, uint64_t arg)
{
	struct file_async *a = f->async;
	struct {
		int32_t type;
		int32_t pid;
	} ex = {0};
	int who = (int)arg;

	switch (cmd) {
	case LINUX_F_SETOWN:
		return fasync_setown(t, f, who);
	case LINUX_F_GETOWN:
		return fasync_getown(f);
	case LINUX_F_SETOWN_EX:
		if (task_copy_in(t, arg, &ex, sizeof(ex)))
			return -EFAULT;
		if (ex.type != LINUX_F_OWNER_TID &&
		    ex.type != LINUX_F_OWNER_PID &&
		    ex.type != LINUX_F_OWNER_PGRP)
			return -EINVAL;
		if (ex.pid < 0)
			return -ESRCH;
		return fasync_set_owner(t, f, ex.type, ex.pid);
	case LINUX_F_GETOWN_EX:
		if (a && a->has_owner) {
			ex.type = a->owner_type;
			if (a->owner &&
			    fasync_owner_alive(a->owner_type, a->owner))
				ex.pid = a->owner;
		}
		return task_copy_out(t, arg, &ex, sizeof(ex)) ? -EFAULT : 0;
	case LINUX_F_SETSIG:
		/* valid_signal(); 0 restores plain SIGIO. */
		if (arg > LINUX_NSIG)
			return -EINVAL;
		a = fasync_of(f);
		if (!a)
			return -ENOMEM;
		a->signum = (int)arg;
		return 0;
	case LINUX_F_GETSIG:
		return a ? a->signum : 0;
	default:
		return -EINVAL;
	}
}
