/* SPDX-License-Identifier: Apache-2.0 */
/*
 * timerfd.c: timers read as files (fs/timerfd.c): a read returns how many
 * times the timer expired since the last read, blocking until once.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/poll.h"
#include "sentry/abi/resource.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "sentry/vfs/vfs.h"

struct timerfd {
	struct ktimer kt;      /* one-shot; re-armed by fire for intervals */
	int clock;
	uint64_t ticks;        /* expirations not yet read */
	int64_t interval;
	struct waitq wq;
};

struct linux_itimerspec {
	struct linux_timespec interval, value;
};

#define TFD_IOC_SET_TICKS 0x40085400u /* _IOW('T', 0, u64) */
#define LINUX_CAP_WAKE_ALARM 35

/* An expiry: count it (and the periods the timer thread slept through),
 * wake readers, and set the next one. */
static void timerfd_fire(struct ktimer *k)
{
	struct timerfd *tf = (struct timerfd *)((char *)k -
			     offsetof(struct timerfd, kt));
	int64_t now = kernel_now_ns(), deadline = k->deadline;

	tf->ticks++;
	if (tf->interval) {
		int64_t missed = (now - deadline) / tf->interval;

		if (missed > 0)
			tf->ticks += (uint64_t)missed;
		ktimer_arm(k, deadline + (missed + 1) * tf->interval, 0);
	}
	waitq_notify(&tf->wq, LINUX_POLLIN);
}

static ssize_t timerfd_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct timerfd *tf = f->priv;
	struct waiter w;
	uint64_t v;

	(void)pos;
	if (uio->resid < 8)
		return -EINVAL;
	if (!tf->ticks) {
		if ((f->flags & LINUX_O_NONBLOCK) || !uio->t)
			return -EAGAIN;
		waiter_init_task(&w, uio->t, ~0u);
		waitq_add(&tf->wq, &w);
		while (!tf->ticks) {
			if (task_wait(uio->t, 0, true) == -EINTR) {
				waitq_remove(&w);
				return -ERESTARTSYS;
			}
		}
		waitq_remove(&w);
	}
	/* Taken before the copy, as Linux does: a fault loses them. */
	v = tf->ticks;
	tf->ticks = 0;
	if (vfs_uio_copy_to(uio, &v, 8) != 8)
		return -EFAULT;
	return 8;
}

static uint32_t timerfd_poll(struct file *f, struct waitq **wq)
{
	struct timerfd *tf = f->priv;

	if (wq)
		*wq = &tf->wq;
	return tf->ticks ? LINUX_POLLIN : 0;
}

/* TFD_IOC_SET_TICKS (checkpoint/restore): set the expirations to read. */
static long timerfd_ioctl(struct file *f, struct task *t, uint32_t cmd,
			  uint64_t arg)
{
	struct timerfd *tf = f->priv;
	uint64_t ticks;

	if (cmd != TFD_IOC_SET_TICKS)
		return -ENOTTY;
	if (task_copy_in(t, arg, &ticks, sizeof(ticks)))
		return -EFAULT;
	if (!ticks)
		return -EINVAL;
	tf->ticks = ticks;
	waitq_notify(&tf->wq, LINUX_POLLIN);
	return 0;
}

static void timerfd_release(struct file *f)
{
	struct timerfd *tf = f->priv;

	ktimer_disarm(&tf->kt);
	free(tf);
}

static const struct file_ops timerfd_fops = {
	.llseek = vfs_noop_llseek,
	.read = timerfd_read,
	.ioctl = timerfd_ioctl,
	.poll = timerfd_poll,
	.release = timerfd_release,
};

/* The clock's time now, for absolute settings. */
static int64_t clock_now(int clock)
{
	struct timespec ts;

	clock_gettime(clock == LINUX_CLOCK_REALTIME ||
				      clock == LINUX_CLOCK_REALTIME_ALARM
			      ? CLOCK_REALTIME
		      : clock == LINUX_CLOCK_BOOTTIME ||
				      clock == LINUX_CLOCK_BOOTTIME_ALARM
			      ? CLOCK_BOOTTIME
			      : CLOCK_MONOTONIC,
		      &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long kern_timerfd_create(struct task *t, const struct timerfd_create_args *a)
{
	struct timerfd *tf;
	struct inode *i;
	struct file *f;
	int fd, err;

	switch (a->clockid) {
	case LINUX_CLOCK_REALTIME:
	case LINUX_CLOCK_MONOTONIC:
	case LINUX_CLOCK_BOOTTIME:
	case LINUX_CLOCK_REALTIME_ALARM:
	case LINUX_CLOCK_BOOTTIME_ALARM:
		break;
	default:
		return -EINVAL;
	}
	if ((a->clockid == LINUX_CLOCK_REALTIME_ALARM ||
	     a->clockid == LINUX_CLOCK_BOOTTIME_ALARM) &&
	    !creds_capable(t->creds, LINUX_CAP_WAKE_ALARM))
		return -EPERM;
	tf = calloc(1, sizeof(*tf));
	if (!tf)
		return -ENOMEM;
	tf->clock = a->clockid;
	tf->kt.fire = timerfd_fire;
	waitq_init(&tf->wq);
	/* An anon inode: mode 0600 and no file type, as Linux's. */
	i = inode_new(vfs_pseudo_sb(), NULL, NULL, 0600, 0);
	if (!i) {
		free(tf);
		return -ENOMEM;
	}
	err = file_new_pseudo(i, "anon_inode:[timerfd]", &timerfd_fops,
			      LINUX_O_RDWR | (a->flags & LINUX_TFD_NONBLOCK), tf,
			      &f);
	if (err) {
		free(tf);
		return err;
	}
	fd = fd_install(t, f, (a->flags & LINUX_TFD_CLOEXEC) ? FD_CLOEXEC_FLAG
							    : 0);
	file_put(f);
	return fd;
}

/* The timerfd behind fd, with a reference, or NULL (EBADF/EINVAL). */
static struct file *get_timerfd(struct task *t, int fd, long *err)
{
	struct file *f = fd_get_nopath(t, fd);

	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->ops != &timerfd_fops) {
		file_put(f);
		*err = -EINVAL;
		return NULL;
	}
	return f;
}

/* The interval is reported as set, even on a disarmed timer (Linux's
 * ctx->tintv). */
static struct linux_itimerspec current_value(const struct timerfd *tf)
{
	return (struct linux_itimerspec){
		.interval = linux_ns_to_timespec(tf->interval),
		.value = linux_ns_to_timespec(ktimer_remaining(&tf->kt)),
	};
}

static bool is_alarm(int clock)
{
	return clock == LINUX_CLOCK_REALTIME_ALARM ||
	       clock == LINUX_CLOCK_BOOTTIME_ALARM;
}

/* The monotonic deadline of a new value (value > 0). An absolute time
 * already past gives a deadline in the past: the timer fires at once and
 * counts the periods missed, as Linux's hrtimer_forward does. The clock's
 * offset is taken now: later steps of CLOCK_REALTIME are not followed. */
static int64_t settime_deadline(const struct timerfd *tf, int flags,
				int64_t value)
{
	int64_t now = kernel_now_ns(), d;

	if (flags & LINUX_TFD_TIMER_ABSTIME)
		value -= clock_now(tf->clock);
	if (__builtin_add_overflow(now, value, &d))
		return INT64_MAX;
	return d > 0 ? d : 1;
}

long kern_timerfd_settime(struct task *t, const struct timerfd_settime_args *a)
{
	struct linux_itimerspec nv, old;
	struct timerfd *tf;
	struct file *f;
	int64_t value, interval;
	long err = 0;

	/* Linux's order: the copy, the flags and values, then the fd. */
	if (task_copy_in(t, a->new_value, &nv, sizeof(nv)))
		return -EFAULT;
	value = linux_timespec_to_ns(&nv.value);
	interval = linux_timespec_to_ns(&nv.interval);
	if ((a->flags &
	     ~(LINUX_TFD_TIMER_ABSTIME | LINUX_TFD_TIMER_CANCEL_ON_SET)) ||
	    value < 0 || interval < 0)
		return -EINVAL;
	f = get_timerfd(t, a->fd, &err);
	if (!f)
		return err;
	tf = f->priv;
	if (is_alarm(tf->clock) &&
	    !creds_capable(t->creds, LINUX_CAP_WAKE_ALARM)) {
		file_put(f);
		return -EPERM;
	}
	old = current_value(tf);
	tf->ticks = 0;
	tf->interval = interval;
	if (!value)
		ktimer_disarm(&tf->kt);
	else
		ktimer_arm(&tf->kt, settime_deadline(tf, a->flags, value), 0);
	file_put(f);
	if (a->old_value && task_copy_out(t, a->old_value, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long kern_timerfd_gettime(struct task *t, const struct timerfd_gettime_args *a)
{
	struct linux_itimerspec v;
	struct file *f;
	long err = 0;

	f = get_timerfd(t, a->fd, &err);
	if (!f)
		return err;
	v = current_value(f->priv);
	file_put(f);
	return task_copy_out(t, a->curr_value, &v, sizeof(v)) ? -EFAULT : 0;
}
