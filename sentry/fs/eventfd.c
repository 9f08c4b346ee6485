/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eventfd.c: a 64-bit counter as a file (fs/eventfd.c): writes add to it,
 * reads take it (or one unit, in semaphore mode), blocking at the limits.
 */
#include <errno.h>
#include <stdlib.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/poll.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/waitq.h"
#include "sentry/vfs/vfs.h"

#define EVENTFD_MAX 0xfffffffffffffffeULL

struct eventfd {
	uint64_t count;
	bool semaphore;
	struct waitq wq;
};

/* Wait on the eventfd until `ready` holds, for a blocking description. */
static int eventfd_wait(struct file *f, struct vfs_uio *uio,
			bool (*ready)(const struct eventfd *, uint64_t),
			uint64_t arg)
{
	struct eventfd *e = f->priv;
	struct waiter w;
	int err = 0;

	if (ready(e, arg))
		return 0;
	if ((f->flags & LINUX_O_NONBLOCK) || !uio->t)
		return -EAGAIN;
	waiter_init_task(&w, uio->t, ~0u);
	waitq_add(&e->wq, &w);
	while (!ready(e, arg) && !err)
		if (task_wait(uio->t, 0, true) == -EINTR)
			err = -ERESTARTSYS;
	waitq_remove(&w);
	return err;
}

static bool can_read(const struct eventfd *e, uint64_t arg)
{
	(void)arg;
	return e->count > 0;
}

static bool can_add(const struct eventfd *e, uint64_t v)
{
	return EVENTFD_MAX - e->count >= v;
}

static ssize_t eventfd_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;
	int err;

	(void)pos;
	if (uio->resid < 8)
		return -EINVAL;
	err = eventfd_wait(f, uio, can_read, 0);
	if (err)
		return err;
	/* Taken before the copy, as Linux does: a fault loses it. */
	v = e->semaphore ? 1 : e->count;
	e->count -= v;
	waitq_notify(&e->wq, LINUX_POLLOUT);
	if (vfs_uio_copy_to(uio, &v, 8) != 8)
		return -EFAULT;
	return 8;
}

static ssize_t eventfd_write(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;
	int err;

	(void)pos;
	if (uio->resid < 8)
		return -EINVAL;
	if (vfs_uio_copy_from(uio, &v, 8) != 8)
		return -EFAULT;
	if (v == ~0ULL)
		return -EINVAL;
	err = eventfd_wait(f, uio, can_add, v);
	if (err)
		return err;
	e->count += v;
	/* Even adding 0 is an event (an edge for EPOLLET), as on Linux. */
	waitq_notify(&e->wq, LINUX_POLLIN);
	return 8;
}

static uint32_t eventfd_poll(struct file *f, struct waitq **wq)
{
	struct eventfd *e = f->priv;
	uint32_t ev = 0;

	if (wq)
		*wq = &e->wq;
	/* Linux's eventfd_poll: no RDNORM/WRNORM bits. */
	if (e->count > 0)
		ev |= LINUX_POLLIN;
	if (e->count == UINT64_MAX)
		ev |= LINUX_POLLERR;
	if (e->count < EVENTFD_MAX)
		ev |= LINUX_POLLOUT;
	return ev;
}

static void eventfd_release(struct file *f)
{
	free(f->priv);
}

static const struct file_ops eventfd_fops = {
	.llseek = vfs_noop_llseek,
	.read = eventfd_read,
	.write = eventfd_write,
	.poll = eventfd_poll,
	.release = eventfd_release,
};

static long do_eventfd(struct task *t, uint32_t initval, uint32_t flags)
{
	struct eventfd *e = calloc(1, sizeof(*e));
	struct inode *i;
	struct file *f;
	int fd, err;

	if (!e)
		return -ENOMEM;
	e->count = initval;
	e->semaphore = flags & LINUX_EFD_SEMAPHORE;
	waitq_init(&e->wq);
	/* An anon inode: mode 0600 and no file type, as Linux's. */
	i = inode_new(vfs_pseudo_sb(), NULL, NULL, 0600, 0);
	if (!i) {
		free(e);
		return -ENOMEM;
	}
	err = file_new_pseudo(i, "anon_inode:[eventfd]", &eventfd_fops,
			      LINUX_O_RDWR | (flags & LINUX_EFD_NONBLOCK), e, &f);
	if (err) {
		free(e);
		return err;
	}
	fd = fd_install(t, f, (flags & LINUX_EFD_CLOEXEC) ? FD_CLOEXEC_FLAG : 0);
	file_put(f);
	return fd;
}

long kern_eventfd2(struct task *t, const struct eventfd2_args *a)
{
	return do_eventfd(t, a->initval, a->flags);
}

long kern_eventfd(struct task *t, const struct eventfd_args *a)
{
	return do_eventfd(t, a->initval, 0);
}
