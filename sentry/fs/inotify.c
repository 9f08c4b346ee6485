/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inotify.c: inotify instances (fs/notify/inotify/): watches are fsnotify
 * marks (sentry/vfs/fsnotify.h) numbered by a watch descriptor; events
 * queue on the instance and are read as struct inotify_event records.
 *
 * As Linux: an event identical to the last one still queued is dropped
 * (inotify_merge); past max_queued_events (16384) events are lost and one
 * IN_Q_OVERFLOW is queued; a watch that goes (inotify_rm_watch,
 * IN_ONESHOT, its inode deleted or unmounted) queues IN_IGNORED; watch
 * descriptors count up and are not reused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/ioctl.h"
#include "sentry/abi/poll.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/waitq.h"
#include "sentry/vfs/fsnotify.h"
#include "sentry/vfs/vfs.h"

#define INOTIFY_MAX_EVENTS 16384 /* /proc/sys/fs/inotify/max_queued_events */
#define INOTIFY_EVENT_SIZE 16	 /* struct inotify_event without the name */
#define IN_ALL_EVENTS 0xfffu
#define INOTIFY_IOC_SETNEXTWD 0x40044900u /* _IOW('I', 0, __s32) */
/* Every bit inotify_add_watch knows (ALL_INOTIFY_BITS). */
#define IN_ALL_BITS                                                            \
	(IN_ALL_EVENTS | LINUX_IN_UNMOUNT | LINUX_IN_Q_OVERFLOW |              \
	 LINUX_IN_IGNORED | LINUX_IN_ONLYDIR | LINUX_IN_DONT_FOLLOW |          \
	 LINUX_IN_EXCL_UNLINK | LINUX_IN_MASK_CREATE | LINUX_IN_MASK_ADD |     \
	 LINUX_IN_ISDIR | LINUX_IN_ONESHOT)

struct inotify_kevent {
	TAILQ_ENTRY(inotify_kevent) link;
	int32_t wd;
	uint32_t mask, cookie;
	uint32_t name_len; /* strlen(name), 0 for none */
	char name[];
};

struct inotify_watch {
	struct fsnotify_mark mark; /* first: marks convert to watches */
	TAILQ_ENTRY(inotify_watch) link;
	struct inotify *in;
	int wd;
	bool oneshot;
};

struct inotify {
	struct waitq wq;
	TAILQ_HEAD(kev_list, inotify_kevent) events;
	unsigned nevents;
	uint64_t bytes; /* what a read of everything takes (FIONREAD) */
	TAILQ_HEAD(, inotify_watch) watches;
	int last_wd;
};

static const struct file_ops inotify_fops;
static const struct fsnotify_ops inotify_mark_ops;

/* A record's size: the name padded with NULs to a multiple of 16. */
static uint32_t padded_len(uint32_t name_len)
{
	return name_len ? (name_len + 1 + INOTIFY_EVENT_SIZE - 1) &
				  ~(uint32_t)(INOTIFY_EVENT_SIZE - 1)
			: 0;
}

static uint32_t record_size(const struct inotify_kevent *e)
{
	return INOTIFY_EVENT_SIZE + padded_len(e->name_len);
}

/* inotify_merge: the same event as the last one queued adds nothing. */
static bool same_as_last(struct inotify *in, int wd, uint32_t mask,
			 const char *name, size_t len)
{
	struct inotify_kevent *last = TAILQ_LAST(&in->events, kev_list);

	if (!last || (last->mask & LINUX_IN_IGNORED))
		return false;
	return last->mask == mask && last->wd == wd && last->name_len == len &&
	       (!len || !memcmp(last->name, name, len));
}

/* fsnotify_add_event: queue an event, or the overflow event once the
 * queue is full. */
static void queue_event(struct inotify *in, int wd, uint32_t mask,
			uint32_t cookie, const char *name)
{
	size_t len = name ? strlen(name) : 0;
	struct inotify_kevent *e;

	if (in->nevents >= INOTIFY_MAX_EVENTS) {
		struct inotify_kevent *last = TAILQ_LAST(&in->events, kev_list);

		if (last && last->mask == LINUX_IN_Q_OVERFLOW)
			return;
		wd = -1;
		mask = LINUX_IN_Q_OVERFLOW;
		cookie = 0;
		len = 0;
	} else if (same_as_last(in, wd, mask, name, len)) {
		return;
	}
	e = calloc(1, sizeof(*e) + len + 1);
	if (!e)
		return; /* lost, as an allocation failure loses it on Linux */
	e->wd = wd;
	e->mask = mask;
	e->cookie = cookie;
	e->name_len = (uint32_t)len;
	if (len)
		memcpy(e->name, name, len);
	TAILQ_INSERT_TAIL(&in->events, e, link);
	in->nevents++;
	in->bytes += record_size(e);
	waitq_notify(&in->wq, LINUX_POLLIN | LINUX_POLLRDNORM);
}

static struct inotify_watch *watch_of(struct fsnotify_mark *m)
{
	return (struct inotify_watch *)m;
}

/* The watch is off its inode: IN_IGNORED, then it is freed. */
static void watch_gone(struct inotify_watch *w)
{
	queue_event(w->in, w->wd, LINUX_IN_IGNORED, 0, NULL);
	TAILQ_REMOVE(&w->in->watches, w, link);
	free(w);
}

static void watch_event(struct fsnotify_mark *m, uint32_t mask,
			const char *name, uint32_t cookie)
{
	struct inotify_watch *w = watch_of(m);

	if (mask & (LINUX_IN_MOVE_SELF | LINUX_IN_DELETE_SELF))
		mask &= ~LINUX_IN_ISDIR;
	queue_event(w->in, w->wd, mask, cookie, name);
	if (w->oneshot) {
		fsnotify_remove_mark(m);
		watch_gone(w);
	}
}

static void watch_freed(struct fsnotify_mark *m)
{
	watch_gone(watch_of(m));
}

static const struct fsnotify_ops inotify_mark_ops = {
	.event = watch_event,
	.freed = watch_freed,
};

/* Copy one record out: the header, then the name padded with NULs. */
static long copy_record(struct vfs_uio *uio, const struct inotify_kevent *e)
{
	struct {
		int32_t wd;
		uint32_t mask, cookie, len;
	} h = {e->wd, e->mask, e->cookie, padded_len(e->name_len)};
	char pad[INOTIFY_EVENT_SIZE] = {0};
	uint32_t left = h.len;

	if (vfs_uio_copy_to(uio, &h, sizeof(h)) != (long)sizeof(h))
		return -EFAULT;
	if (e->name_len &&
	    vfs_uio_copy_to(uio, e->name, e->name_len) != (long)e->name_len)
		return -EFAULT;
	left -= e->name_len;
	while (left) {
		uint32_t n = left < sizeof(pad) ? left : (uint32_t)sizeof(pad);

		if (vfs_uio_copy_to(uio, pad, n) != (long)n)
			return -EFAULT;
		left -= n;
	}
	return record_size(e);
}

/* inotify_read: whole records only; EINVAL when even the first does not
 * fit; blocks for the first unless O_NONBLOCK. A record that faults is
 * lost and the read fails with EFAULT, as on Linux. */
static ssize_t inotify_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct inotify *in = f->priv;
	struct waiter w;
	ssize_t done = 0;

	(void)pos;
	waiter_init_task(&w, uio->t, WAITQ_EV_ALL);
	for (;;) {
		struct inotify_kevent *e = TAILQ_FIRST(&in->events);
		long n;

		if (e) {
			if (record_size(e) > uio->resid) {
				if (!done)
					done = -EINVAL;
				break;
			}
			TAILQ_REMOVE(&in->events, e, link);
			in->nevents--;
			in->bytes -= record_size(e);
			n = copy_record(uio, e);
			free(e);
			if (n < 0) {
				done = n;
				break;
			}
			done += n;
			continue;
		}
		if (done)
			break;
		if ((f->flags & LINUX_O_NONBLOCK) || !uio->t) {
			done = -EAGAIN;
			break;
		}
		waitq_add(&in->wq, &w);
		n = task_wait(uio->t, 0, true);
		waitq_remove(&w);
		if (n == -EINTR && TAILQ_EMPTY(&in->events)) {
			done = -ERESTARTSYS;
			break;
		}
	}
	return done;
}

static uint32_t inotify_poll(struct file *f, struct waitq **wq)
{
	struct inotify *in = f->priv;

	if (wq)
		*wq = &in->wq;
	return TAILQ_EMPTY(&in->events) ? 0 : LINUX_POLLIN | LINUX_POLLRDNORM;
}

/* FIONREAD: the bytes a read of every queued event takes. */
static long inotify_ioctl(struct file *f, struct task *t, uint32_t cmd,
			  uint64_t arg)
{
	struct inotify *in = f->priv;
	int32_t v;

	switch (cmd) {
	case LINUX_FIONREAD:
		v = (int32_t)in->bytes;
		return task_copy_out(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
	case INOTIFY_IOC_SETNEXTWD:
		/* The next watch gets this descriptor (checkpoint/restore). */
		if (arg < 1 || arg > INT32_MAX)
			return -EINVAL;
		in->last_wd = (int)arg - 1;
		return 0;
	default:
		return -ENOTTY;
	}
}

/* The instance goes: its watches leave their inodes without IN_IGNORED
 * (nobody is left to read it). */
static void inotify_release(struct file *f)
{
	struct inotify *in = f->priv;
	struct inotify_watch *w;
	struct inotify_kevent *e;

	while ((w = TAILQ_FIRST(&in->watches))) {
		TAILQ_REMOVE(&in->watches, w, link);
		fsnotify_remove_mark(&w->mark);
		free(w);
	}
	while ((e = TAILQ_FIRST(&in->events))) {
		TAILQ_REMOVE(&in->events, e, link);
		free(e);
	}
	free(in);
}

static const struct file_ops inotify_fops = {
	.llseek = vfs_noop_llseek,
	.read = inotify_read,
	.poll = inotify_poll,
	.ioctl = inotify_ioctl,
	.release = inotify_release,
};

static long do_inotify_init(struct task *t, uint32_t flags)
{
	struct inotify *in = calloc(1, sizeof(*in));
	struct superblock *sb = vfs_pseudo_sb();
	struct inode *i;
	struct file *f;
	int fd, err;

	if (!in)
		return -ENOMEM;
	/* An anon inode: mode 0600 and no file type, as Linux's. */
	if (!sb || !(i = inode_new(sb, NULL, NULL, 0600, 0))) {
		free(in);
		return -ENOMEM;
	}
	waitq_init(&in->wq);
	TAILQ_INIT(&in->events);
	TAILQ_INIT(&in->watches);
	err = file_new_pseudo(i, "anon_inode:inotify", &inotify_fops,
			      LINUX_O_RDONLY | (flags & LINUX_IN_NONBLOCK), in,
			      &f);
	if (err) {
		free(in);
		return err;
	}
	fd = fd_install(t, f, (flags & LINUX_IN_CLOEXEC) ? FD_CLOEXEC_FLAG : 0);
	file_put(f);
	return fd;
}

long kern_inotify_init(struct task *t, const struct inotify_init_args *a)
{
	(void)a;
	return do_inotify_init(t, 0);
}

long kern_inotify_init1(struct task *t, const struct inotify_init1_args *a)
{
	return do_inotify_init(t, a->flags);
}

/* The inotify instance behind fd: -EBADF, or -EINVAL for another file. */
static struct file *inotify_get(struct task *t, int fd, long *err)
{
	struct file *f = fd_get_nopath(t, fd);

	*err = -EBADF;
	if (f && f->ops != &inotify_fops) {
		file_put(f);
		f = NULL;
		*err = -EINVAL;
	}
	return f;
}

/* inotify_update_watch: change the watch on the inode, or make one. */
static long update_watch(struct inotify *in, struct inode *i, uint32_t mask)
{
	struct fsnotify_mark *m = fsnotify_find_mark(i, in);
	struct inotify_watch *w;
	unsigned flags =
		(mask & LINUX_IN_EXCL_UNLINK) ? FSNOTIFY_MARK_EXCL_UNLINK : 0;

	if (m) {
		if (mask & LINUX_IN_MASK_CREATE)
			return -EEXIST;
		w = watch_of(m);
		if (!(mask & LINUX_IN_MASK_ADD)) {
			m->mask = 0;
			m->flags = 0;
			w->oneshot = false;
		}
		m->mask |= mask & IN_ALL_EVENTS;
		m->flags |= flags;
		w->oneshot |= !!(mask & LINUX_IN_ONESHOT);
		return w->wd;
	}
	if (in->last_wd == INT32_MAX)
		return -ENOSPC;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->in = in;
	w->wd = ++in->last_wd;
	w->oneshot = mask & LINUX_IN_ONESHOT;
	w->mark.ops = &inotify_mark_ops;
	w->mark.group = in;
	w->mark.mask = mask & IN_ALL_EVENTS;
	w->mark.flags = flags;
	fsnotify_add_mark(&w->mark, i);
	TAILQ_INSERT_TAIL(&in->watches, w, link);
	return w->wd;
}

long kern_inotify_add_watch(struct task *t,
			    const struct inotify_add_watch_args *a)
{
	uint32_t mask = a->mask;
	char *path;
	struct path p;
	struct file *f;
	long ret;
	int lf = 0;

	/* Linux's order: the mask, the fd, the flags, the kind of file. */
	if (!(mask & IN_ALL_BITS))
		return -EINVAL;
	f = fd_get_nopath(t, a->fd);
	if (!f)
		return -EBADF;
	if (((mask & LINUX_IN_MASK_ADD) && (mask & LINUX_IN_MASK_CREATE)) ||
	    f->ops != &inotify_fops) {
		file_put(f);
		return -EINVAL;
	}
	if (!(mask & LINUX_IN_DONT_FOLLOW))
		lf |= LOOKUP_FOLLOW;
	if (mask & LINUX_IN_ONLYDIR)
		lf |= LOOKUP_DIRECTORY;
	path = malloc(LINUX_PATH_MAX);
	ret = path ? task_copy_string_in(t, a->pathname, path, LINUX_PATH_MAX)
		   : -ENOMEM;
	if (ret >= 0)
		ret = vfs_lookup(t, LINUX_AT_FDCWD, path, lf, &p);
	free(path);
	if (ret >= 0) {
		/* Watching needs read permission on the object. */
		ret = vfs_permission(p.mnt, p.dentry->inode, MAY_READ,
				     t->creds);
		if (!ret)
			ret = update_watch(f->priv, p.dentry->inode, mask);
		path_put(&p);
	}
	file_put(f);
	return ret;
}

long kern_inotify_rm_watch(struct task *t,
			   const struct inotify_rm_watch_args *a)
{
	struct inotify_watch *w;
	struct inotify *in;
	struct file *f;
	long ret;

	f = inotify_get(t, a->fd, &ret);
	if (!f)
		return ret;
	in = f->priv;
	ret = -EINVAL;
	TAILQ_FOREACH(w, &in->watches, link) {
		if (w->wd != a->wd)
			continue;
		fsnotify_remove_mark(&w->mark);
		watch_gone(w);
		ret = 0;
		break;
	}
	file_put(f);
	return ret;
}
