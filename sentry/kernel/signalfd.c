/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signalfd.c: signals read from a file descriptor (fs/signalfd.c). The
 * file holds only a mask: reading dequeues the reader's own pending
 * signals (thread first, then process) as struct signalfd_siginfo.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/poll.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/vfs.h"

/* struct signalfd_siginfo: 128 bytes. */
struct linux_signalfd_siginfo {
	uint32_t signo;
	int32_t errno_;
	int32_t code;
	uint32_t pid;
	uint32_t uid;
	int32_t fd;
	uint32_t tid;
	uint32_t band;
	uint32_t overrun;
	uint32_t trapno;
	int32_t status;
	int32_t int_;
	uint64_t ptr;
	uint64_t utime;
	uint64_t stime;
	uint64_t addr;
	uint16_t addr_lsb;
	uint16_t pad2_;
	int32_t syscall;
	uint64_t call_addr;
	uint32_t arch;
	uint8_t pad_[28];
};
_Static_assert(sizeof(struct linux_signalfd_siginfo) == 128, "ABI size");

struct signalfd {
	uint64_t mask;
};

/* Every task may read a signalfd; its own queues decide readiness. */
static uint64_t reader_ready(uint64_t mask)
{
	struct task *t = task_current();

	if (!t)
		return 0;
	return (t->pending.set | t->tg->pending.set) & mask;
}

static void to_sfd_info(const struct linux_siginfo *si,
			struct linux_signalfd_siginfo *o)
{
	memset(o, 0, sizeof(*o));
	o->signo = (uint32_t)si->signo;
	o->errno_ = si->errno_;
	o->code = si->code;
	switch (si->signo) {
	case LINUX_SIGCHLD:
		o->pid = (uint32_t)si->u.chld.pid;
		o->uid = si->u.chld.uid;
		o->status = si->u.chld.status;
		o->utime = (uint64_t)si->u.chld.utime;
		o->stime = (uint64_t)si->u.chld.stime;
		break;
	case LINUX_SIGSEGV:
	case LINUX_SIGBUS:
	case LINUX_SIGILL:
	case LINUX_SIGFPE:
	case LINUX_SIGTRAP:
		o->addr = si->u.fault.addr;
		break;
	default:
		if (si->code == LINUX_SI_TIMER) {
			o->tid = (uint32_t)si->u.timer.tid;
			o->overrun = (uint32_t)si->u.timer.overrun;
			o->int_ = (int32_t)si->u.timer.value;
			o->ptr = si->u.timer.value;
		} else {
			o->pid = (uint32_t)si->u.kill.pid;
			o->uid = si->u.kill.uid;
			o->int_ = (int32_t)si->u.kill.value;
			o->ptr = si->u.kill.value;
		}
	}
}

static ssize_t signalfd_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct signalfd *s = f->priv;
	struct task *t = uio->t;
	struct waiter w;
	ssize_t done = 0;

	(void)pos;
	if (uio->resid < sizeof(struct linux_signalfd_siginfo))
		return -EINVAL;
	if (!t)
		return -EAGAIN;
	waiter_init_task(&w, t, ~0u);
	waitq_add(&t->tg->signalfd_wq, &w);
	while (uio->resid >= sizeof(struct linux_signalfd_siginfo)) {
		struct linux_siginfo si;
		struct linux_signalfd_siginfo o;
		long n;

		if (!signal_dequeue(t, s->mask, &si)) {
			int err;

			if (done || (f->flags & LINUX_O_NONBLOCK)) {
				if (!done)
					done = -EAGAIN;
				break;
			}
			err = task_wait(t, 0, true);
			if (err == -EINTR) {
				done = -ERESTARTSYS;
				break;
			}
			continue;
		}
		to_sfd_info(&si, &o);
		n = vfs_uio_copy_to(uio, &o, sizeof(o));
		if (n != (long)sizeof(o)) {
			if (!done)
				done = -EFAULT;
			break;
		}
		done += n;
	}
	waitq_remove(&w);
	return done;
}

static uint32_t signalfd_poll(struct file *f, struct waitq **wq)
{
	struct signalfd *s = f->priv;
	struct task *t = task_current();

	if (wq)
		*wq = t ? &t->tg->signalfd_wq : NULL;
	return reader_ready(s->mask) ? LINUX_POLLIN : 0;
}

static void signalfd_release(struct file *f)
{
	free(f->priv);
}

static const struct file_ops signalfd_fops = {
	.llseek = vfs_noop_llseek,
	.read = signalfd_read,
	.poll = signalfd_poll,
	.release = signalfd_release,
};

static long do_signalfd(struct task *t, int fd, uint64_t umask, uint64_t size,
			uint32_t flags)
{
	uint64_t mask;
	struct signalfd *s;
	struct inode *i;
	struct file *f;
	int err;

	/* Linux's order: the size, the copy, then the flags. */
	if (size != 8)
		return -EINVAL;
	if (task_copy_in(t, umask, &mask, 8))
		return -EFAULT;
	if (flags & ~(LINUX_SFD_CLOEXEC | LINUX_SFD_NONBLOCK))
		return -EINVAL;
	mask &= ~SIGNAL_UNBLOCKABLE;
	if (fd != -1) {
		f = fd_get_nopath(t, fd);
		if (!f)
			return -EBADF;
		if (f->ops != &signalfd_fops) {
			file_put(f);
			return -EINVAL;
		}
		((struct signalfd *)f->priv)->mask = mask;
		file_put(f);
		/* Pollers re-check with the new mask. */
		waitq_notify(&t->tg->signalfd_wq, LINUX_POLLIN);
		return fd;
	}
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->mask = mask;
	/* An anon inode: mode 0600 and no file type, as Linux's. */
	i = inode_new(vfs_pseudo_sb(), NULL, NULL, 0600, 0);
	if (!i) {
		free(s);
		return -ENOMEM;
	}
	err = file_new_pseudo(i, "anon_inode:[signalfd]", &signalfd_fops,
			      LINUX_O_RDWR | (flags & LINUX_SFD_NONBLOCK), s, &f);
	if (err) {
		free(s);
		return err;
	}
	fd = fd_install(t, f, (flags & LINUX_SFD_CLOEXEC) ? FD_CLOEXEC_FLAG : 0);
	file_put(f);
	return fd;
}

long kern_signalfd4(struct task *t, const struct signalfd4_args *a)
{
	return do_signalfd(t, a->fd, a->mask, a->sizemask, a->flags);
}

long kern_signalfd(struct task *t, const struct signalfd_args *a)
{
	return do_signalfd(t, a->fd, a->mask, a->sizemask, 0);
}
