/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fasync.c: who hears of a description's events, and how (fs/fcntl.c's
 * f_setown, f_getown, send_sigio and send_sigurg): the owner a process
 * sets with F_SETOWN (or a socket's FIOSETOWN), the signals it gets, and
 * the permission check that keeps a process from aiming them at others
 * it could not kill. The fcntl commands and O_ASYNC live in
 * sentry/syscalls/fs_fasync.c; sockets raise SIGURG through here.
 */
#include <errno.h>
#include <stdlib.h>

#include "gen/linux_flags.h"
#include "sentry/abi/poll.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/session.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fasync.h"
#include "sentry/vfs/vfs.h"

/* band_table of fs/fcntl.c for the reasons used here. */
static const int64_t band_of[] = {
	[LINUX_POLL_IN] = LINUX_POLLIN | LINUX_POLLRDNORM,
	[LINUX_POLL_OUT] = LINUX_POLLOUT | LINUX_POLLWRNORM | LINUX_POLLWRBAND,
	[LINUX_POLL_MSG] = LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLMSG,
	[LINUX_POLL_PRI] = LINUX_POLLPRI | LINUX_POLLRDBAND,
};

struct file_async *fasync_of(struct file *f)
{
	if (!f->async)
		f->async = calloc(1, sizeof(*f->async));
	return f->async;
}

/* sigio_perm: the owner's uid or euid (as set) matches the target's uid
 * or saved uid, or the owner was root. */
static bool sigio_perm(const struct file_async *a, const struct creds *c)
{
	if (!c)
		return true;
	return a->euid == 0 || a->euid == c->suid || a->euid == c->uid ||
	       a->uid == c->suid || a->uid == c->uid;
}

struct pgrp_signal {
	const struct file_async *a;
	const struct linux_siginfo *si;
};

static int signal_pgrp_member(struct thread_group *tg, void *arg)
{
	struct pgrp_signal *p = arg;

	if (!tg->zombie && tg->pgid == p->a->owner && tg->leader &&
	    sigio_perm(p->a, tg->leader->creds))
		signal_send_group(tg, p->si);
	return 0;
}

/* To the owning thread, process or process group, each target checked
 * with sigio_perm. */
static void signal_owner(const struct file_async *a,
			 const struct linux_siginfo *si)
{
	struct pgrp_signal p = {a, si};
	struct thread_group *tg;
	struct task *t;

	switch (a->owner_type) {
	case LINUX_F_OWNER_TID:
		t = task_by_tid(a->owner);
		if (t && sigio_perm(a, t->creds))
			signal_send_task(t, si);
		break;
	case LINUX_F_OWNER_PID:
		tg = tg_by_tgid(a->owner);
		if (tg && !tg->zombie && tg->leader &&
		    sigio_perm(a, tg->leader->creds))
			signal_send_group(tg, si);
		break;
	default:
		pidns_for_each_group(signal_pgrp_member, &p);
		break;
	}
}

void fasync_send_sigio(const struct file_async *a, int fd, int reason)
{
	struct linux_siginfo si = {.signo = LINUX_SIGIO,
				   .code = LINUX_SI_KERNEL};

	if (a->signum) {
		si.signo = a->signum;
		si.code = reason;
		si.u.poll.band = band_of[reason];
		si.u.poll.fd = fd;
	}
	signal_owner(a, &si);
}

/* send_sigurg, then sock_wake_async(SOCK_WAKE_URG): kill_fasync with
 * SIGURG sends nothing more unless F_SETSIG chose a signal. */
void fasync_send_sigurg(struct file *f)
{
	struct linux_siginfo si = {.signo = LINUX_SIGURG,
				   .code = LINUX_SI_KERNEL};
	struct file_async *a = f ? f->async : NULL;

	if (!a || !a->owner)
		return;
	signal_owner(a, &si);
	if ((f->flags & LINUX_O_ASYNC) && a->signum)
		fasync_send_sigio(a, a->fd, LINUX_POLL_PRI);
}

bool fasync_owner_alive(int type, int who)
{
	struct thread_group *tg;

	switch (type) {
	case LINUX_F_OWNER_TID:
		return task_by_tid(who) != NULL;
	case LINUX_F_OWNER_PID:
		tg = tg_by_tgid(who);
		return tg && !tg->zombie;
	default:
		return pgrp_session(who) != 0;
	}
}

long fasync_set_owner(struct task *t, struct file *f, int type, int who)
{
	struct file_async *a;

	if (who && !fasync_owner_alive(type, who) &&
	    !(type == LINUX_F_OWNER_PID && task_by_tid(who)))
		return -ESRCH;
	a = fasync_of(f);
	if (!a)
		return -ENOMEM;
	a->has_owner = true;
	a->owner_type = type;
	a->owner = who;
	a->uid = t->creds->uid;
	a->euid = t->creds->euid;
	return 0;
}

long fasync_setown(struct task *t, struct file *f, int who)
{
	/* A negative number names a process group. */
	if (who == INT32_MIN)
		return -EINVAL;
	return who < 0 ? fasync_set_owner(t, f, LINUX_F_OWNER_PGRP, -who)
		       : fasync_set_owner(t, f, LINUX_F_OWNER_PID, who);
}

int fasync_getown(struct file *f)
{
	const struct file_async *a = f->async;

	if (!a || !a->owner || !fasync_owner_alive(a->owner_type, a->owner))
		return 0;
	return a->owner_type == LINUX_F_OWNER_PGRP ? -a->owner : a->owner;
}
