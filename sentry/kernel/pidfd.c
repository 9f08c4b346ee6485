/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pidfd.c: process file descriptors (kernel/pid.c, kernel/signal.c). A
 * pidfd names a process by pid and start time, so a reused pid is never
 * mistaken for the process the descriptor was opened on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/poll.h"
#include "sentry/fs/procfs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidfd.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/vfs.h"

struct pidfd {
	int tgid;
	int64_t start_ns;
};

/* Everyone polling a pidfd waits here; deaths are rare enough. */
static struct waitq exit_wq = { TAILQ_HEAD_INITIALIZER(exit_wq.waiters) };

static void pidfd_release(struct file *f)
{
	free(f->priv);
}

static uint32_t pidfd_poll(struct file *f, struct waitq **wq)
{
	struct thread_group *tg = pidfd_group(f, NULL);

	if (wq)
		*wq = &exit_wq;
	return !tg || tg->zombie ? LINUX_POLLIN | LINUX_POLLRDNORM : 0;
}

static const struct file_ops pidfd_fops = {
	.poll = pidfd_poll,
	.release = pidfd_release,
};

int pidfd_create(struct thread_group *tg, uint32_t flags, struct file **out)
{
	struct pidfd *p = malloc(sizeof(*p));
	struct inode *i;
	int err;

	if (!p)
		return -ENOMEM;
	i = inode_new(vfs_pseudo_sb(), NULL, NULL, LINUX_S_IFREG | 0600, 0);
	if (!i) {
		free(p);
		return -ENOMEM;
	}
	p->tgid = tg->tgid;
	p->start_ns = tg->leader->start_ns;
	err = file_new_pseudo(i, "anon_inode:[pidfd]", &pidfd_fops,
			      LINUX_O_RDWR | (flags & LINUX_O_NONBLOCK), p, out);
	if (err)
		free(p);
	return err;
}

struct thread_group *pidfd_group(struct file *f, bool *not_pidfd)
{
	struct pidfd *p;
	struct thread_group *tg;

	if (not_pidfd)
		*not_pidfd = f->ops != &pidfd_fops;
	if (f->ops != &pidfd_fops)
		return NULL;
	p = f->priv;
	tg = tg_by_tgid(p->tgid);
	if (!tg || tg->reaped || tg->leader->start_ns != p->start_ns)
		return NULL;
	return tg;
}

void pidfd_notify_exit(void)
{
	waitq_notify(&exit_wq, LINUX_POLLIN | LINUX_POLLRDNORM);
}

long kern_pidfd_open(struct task *t, const struct pidfd_open_args *a)
{
	struct thread_group *tg;
	struct file *f;
	int fd, err;

	if (a->pid <= 0)
		return -EINVAL;
	tg = tg_by_tgid(a->pid);
	if (!tg) {
		struct task *o = task_by_tid(a->pid);

		/* A thread that is not a leader: EINVAL, as Linux. */
		return o ? -EINVAL : -ESRCH;
	}
	if (tg->reaped)
		return -ESRCH;
	err = pidfd_create(tg, a->flags, &f);
	if (err)
		return err;
	fd = fd_install(t, f, FD_CLOEXEC_FLAG);
	file_put(f);
	return fd;
}

long kern_pidfd_send_signal(struct task *t,
			    const struct pidfd_send_signal_args *a)
{
	struct linux_siginfo info = { .signo = a->sig, .code = LINUX_SI_USER };
	struct thread_group *tg;
	struct file *f;
	bool not_pidfd;

	if (a->flags)
		return -EINVAL;
	f = fd_get(t, a->pidfd);
	if (!f)
		return -EBADF;
	tg = pidfd_group(f, &not_pidfd);
	/* A /proc/PID directory works as a pidfd here, as on Linux. */
	if (not_pidfd && (tg = procfs_pid_dir_group(f)))
		not_pidfd = false;
	file_put(f);
	if (not_pidfd)
		return -EBADF;
	if (a->sig < 0 || a->sig > LINUX_NSIG)
		return -EINVAL;
	if (!tg || tg->zombie)
		return -ESRCH;
	if (a->info) {
		if (task_copy_in(t, a->info, &info, sizeof(info)))
			return -EFAULT;
		if (info.signo != a->sig)
			return -EINVAL;
		/* Only the kernel may claim SI_USER-or-above for others. */
		if ((info.code >= 0 || info.code == LINUX_SI_TKILL) &&
		    tg != t->tg)
			return -EPERM;
	} else {
		info.u.kill.pid = t->tg->tgid;
		info.u.kill.uid = t->creds->uid;
	}
	if (!a->sig)
		return 0;
	return signal_send_group(tg, &info);
}
