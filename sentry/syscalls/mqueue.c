/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mqueue.c: the POSIX message queue syscalls (ipc/mqueue.c's
 * SYSCALL_DEFINEs): arguments in and out, in Linux's order of checks;
 * the queues are fs/mqueue.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/mqueue.h"
#include "sentry/abi/resource.h"
#include "sentry/fs/mqueue.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/vfs.h"

#define NSEC 1000000000LL
#define MQ_PATH_MAX 4096

/* Copy in a queue name as getname() does, then look it up as the mqueue
 * root would. */
static long mq_name_in(struct task *t, uint64_t addr, char *name)
{
	long n = task_copy_string_in(t, addr, name, MQ_PATH_MAX);

	if (n < 0)
		return n;
	return mqueue_name_ok(name);
}

long kern_mq_open(struct task *t, const struct mq_open_args *a)
{
	struct linux_mq_attr attr;
	char *name;
	long err;

	/* Copied whether or not O_CREAT uses it, as Linux does. */
	if (a->attr && task_copy_in(t, a->attr, &attr, sizeof(attr)))
		return -EFAULT;
	name = malloc(MQ_PATH_MAX);
	if (!name)
		return -ENOMEM;
	err = mq_name_in(t, a->name, name);
	if (!err)
		err = mqueue_open(t, name, a->oflag, a->mode & 0xffff,
				  a->attr ? &attr : NULL);
	free(name);
	return err;
}

long kern_mq_unlink(struct task *t, const struct mq_unlink_args *a)
{
	char *name = malloc(MQ_PATH_MAX);
	long err;

	if (!name)
		return -ENOMEM;
	err = mq_name_in(t, a->name, name);
	if (!err)
		err = mqueue_unlink(t, name);
	free(name);
	return err;
}

/* The absolute CLOCK_REALTIME timeout as a monotonic deadline (0: none).
 * Linux checks it before anything else, even when no wait follows. */
static int mq_deadline(struct task *t, uint64_t addr, int64_t *deadline)
{
	struct linux_timespec ts;
	struct timespec rt;
	int64_t now, ns;

	*deadline = 0;
	if (!addr)
		return 0;
	if (task_copy_in(t, addr, &ts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC)
		return -EINVAL;
	if (ts.tv_sec > INT64_MAX / NSEC - 1)
		return 0; /* beyond any wait */
	clock_gettime(CLOCK_REALTIME, &rt);
	now = kernel_now_ns();
	ns = ts.tv_sec * NSEC + ts.tv_nsec -
	     ((int64_t)rt.tv_sec * NSEC + rt.tv_nsec);
	if (ns <= 0)
		*deadline = now > 0 ? now : 1; /* passed: time out at once */
	else if (ns <= INT64_MAX - now)
		*deadline = now + ns;
	return 0;
}

long kern_mq_timedsend(struct task *t, const struct mq_timedsend_args *a)
{
	struct mq_msg *m;
	int64_t deadline;
	struct file *f;
	long err;

	err = mq_deadline(t, a->abs_timeout, &deadline);
	if (err)
		return err;
	if (a->msg_prio >= LINUX_MQ_PRIO_MAX)
		return -EINVAL;
	f = mqueue_fd_get(t, a->mqdes);
	if (!f)
		return -EBADF;
	err = -EBADF;
	if (!mqueue_file_can(f, true))
		goto out;
	err = -EMSGSIZE;
	if (a->msg_len > (uint64_t)mqueue_msgsize(f))
		goto out;
	err = -ENOMEM;
	m = malloc(sizeof(*m) + a->msg_len);
	if (!m)
		goto out;
	m->prio = a->msg_prio;
	m->len = a->msg_len;
	err = -EFAULT;
	if (task_copy_in(t, a->msg_ptr, m->text, m->len)) {
		free(m);
		goto out;
	}
	err = mqueue_send(t, f, m, deadline);
out:
	file_put(f);
	return err;
}

long kern_mq_timedreceive(struct task *t,
			  const struct mq_timedreceive_args *a)
{
	struct mq_msg *m;
	int64_t deadline;
	struct file *f;
	long err;

	err = mq_deadline(t, a->abs_timeout, &deadline);
	if (err)
		return err;
	f = mqueue_fd_get(t, a->mqdes);
	if (!f)
		return -EBADF;
	err = -EBADF;
	if (!mqueue_file_can(f, false))
		goto out;
	err = -EMSGSIZE;
	if (a->msg_len < (uint64_t)mqueue_msgsize(f))
		goto out;
	err = mqueue_receive(t, f, deadline, &m);
	if (err)
		goto out;
	/* The message is off the queue: a bad buffer loses it, as on Linux. */
	err = (long)m->len;
	if ((a->msg_prio &&
	     task_copy_out(t, a->msg_prio, &m->prio, sizeof(m->prio))) ||
	    task_copy_out(t, a->msg_ptr, m->text, m->len))
		err = -EFAULT;
	free(m);
out:
	file_put(f);
	return err;
}

long kern_mq_notify(struct task *t, const struct mq_notify_args *a)
{
	struct linux_sigevent ev;
	struct file *f;
	long err;

	if (a->sevp) {
		if (task_copy_in(t, a->sevp, &ev, sizeof(ev)))
			return -EFAULT;
		switch (ev.notify) {
		case LINUX_SIGEV_NONE:
			break;
		case LINUX_SIGEV_SIGNAL:
			/* valid_signal(): 0 registers without a signal. */
			if (ev.signo < 0 || ev.signo > LINUX_NSIG)
				return -EINVAL;
			break;
		case LINUX_SIGEV_THREAD:
			/* sigev_signo is a netlink socket for the cookie;
			 * that delivery is not provided. */
			f = fd_get(t, ev.signo);
			if (!f)
				return -EBADF;
			file_put(f);
			return -ENOSYS;
		default:
			return -EINVAL;
		}
	}
	f = mqueue_fd_get(t, a->mqdes);
	if (!f)
		return -EBADF;
	err = mqueue_notify(t, f, a->sevp ? &ev : NULL);
	file_put(f);
	return err;
}

long kern_mq_getsetattr(struct task *t, const struct mq_getsetattr_args *a)
{
	struct linux_mq_attr set, old;
	struct file *f;
	long err = 0;

	if (a->newattr) {
		if (task_copy_in(t, a->newattr, &set, sizeof(set)))
			return -EFAULT;
		if (set.mq_flags & ~(int64_t)LINUX_O_NONBLOCK)
			return -EINVAL;
	}
	f = mqueue_fd_get(t, a->mqdes);
	if (!f)
		return -EBADF;
	mqueue_getsetattr(f, a->newattr ? &set : NULL, &old);
	if (a->oldattr && task_copy_out(t, a->oldattr, &old, sizeof(old)))
		err = -EFAULT;
	file_put(f);
	return err;
}
