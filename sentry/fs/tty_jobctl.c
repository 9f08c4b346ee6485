/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tty_jobctl.c: controlling terminals, foreground process groups and the
 * job-control checks (see tty.h), after Linux's tty_jobctrl.c.
 */
#include <errno.h>

#include "gen/linux_flags.h"
#include "sentry/abi/capability.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/ioctl.h"
#include "sentry/fs/tty.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/session.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/vfs.h"

void tty_init(struct tty *tty, const struct tty_ops *ops)
{
	tty->refs = 1;
	tty->ops = ops;
	tty->sid = 0;
	tty->pgrp = 0;
}

void tty_get(struct tty *tty)
{
	tty->refs++;
}

void tty_put(struct tty *tty)
{
	if (tty && --tty->refs == 0 && tty->ops->free)
		tty->ops->free(tty);
}

static bool session_leader(const struct thread_group *tg)
{
	return tg->sid == tg->tgid;
}

/* Make tty the controlling terminal of tg, and tg's session and group
 * the terminal's (Linux's __proc_set_tty). */
static void set_ctty(struct thread_group *tg, struct tty *tty)
{
	tty->sid = tg->sid;
	tty->pgrp = tg->pgid;
	tty_get(tty);
	tty_put(tg->tty);
	tg->tty = tty;
}

struct clear_ctx {
	int sid;
	struct tty *tty; /* NULL: whatever terminal */
};

static int clear_one(struct thread_group *tg, void *arg)
{
	struct clear_ctx *c = arg;

	if (tg->sid == c->sid && tg->tty && (!c->tty || tg->tty == c->tty)) {
		struct tty *old = tg->tty;

		tg->tty = NULL;
		tty_put(old);
	}
	return 0;
}

/* No process of session sid has a controlling terminal any more. */
static void session_clear_tty(int sid)
{
	struct clear_ctx c = {.sid = sid};

	pidns_for_each_group(clear_one, &c);
}

/* A session leader gives up its terminal (TIOCNOTTY, exit): SIGHUP (and
 * SIGCONT unless exiting) to the foreground group, then the terminal is
 * free and nobody in the session has it (Linux's disassociate_ctty; a
 * pty's rule, also for the host terminal, which is never hung up). */
static void disassociate(struct thread_group *tg, bool on_exit)
{
	struct tty *tty = tg->tty;

	if (!tty)
		return;
	tty_get(tty);
	if (tty->pgrp) {
		pgrp_signal(tty->pgrp, LINUX_SIGHUP);
		if (!on_exit)
			pgrp_signal(tty->pgrp, LINUX_SIGCONT);
	}
	if (tty->sid == tg->sid) {
		tty->sid = 0;
		tty->pgrp = 0;
	}
	session_clear_tty(tg->sid);
	tty_put(tty);
}

/* Does t ignore or block sig (Linux's is_ignored)? */
static bool ignored(const struct task *t, int sig)
{
	return (t->sigmask & LINUX_SIGBIT(sig)) ||
	       t->sighand->action[sig - 1].handler == LINUX_SIG_IGN;
}

int tty_check_change(struct tty *tty, struct task *t, int sig)
{
	struct thread_group *tg = t->tg;

	if (tg->tty != tty || !tty->pgrp || tg->pgid == tty->pgrp)
		return 0;
	if (ignored(t, sig))
		return sig == LINUX_SIGTTIN ? -EIO : 0;
	if (pgrp_orphaned(tg->pgid, NULL))
		return -EIO;
	pgrp_signal(tg->pgid, sig);
	return -ERESTARTSYS;
}

void tty_signal_fg(struct tty *tty, int sig)
{
	if (tty->pgrp)
		pgrp_signal(tty->pgrp, sig);
}

struct hangup_ctx {
	struct tty *tty;
	int sid;
};

static int hangup_one(struct thread_group *tg, void *arg)
{
	struct hangup_ctx *h = arg;
	struct linux_siginfo si = {.code = LINUX_SI_KERNEL};

	if (tg->sid != h->sid || tg->zombie)
		return 0;
	if (tg->tty == h->tty) {
		tg->tty = NULL;
		tty_put(h->tty);
	}
	if (session_leader(tg)) {
		si.signo = LINUX_SIGHUP;
		signal_send_group(tg, &si);
		si.signo = LINUX_SIGCONT;
		signal_send_group(tg, &si);
	}
	return 0;
}

void tty_hangup(struct tty *tty)
{
	struct hangup_ctx h = {.tty = tty, .sid = tty->sid};

	if (!tty->sid)
		return;
	tty_get(tty);
	pidns_for_each_group(hangup_one, &h);
	tty->sid = 0;
	tty->pgrp = 0;
	tty_put(tty);
}

void tty_open_ctty(struct tty *tty, struct task *t, struct file *f,
		   uint32_t flags)
{
	struct thread_group *tg = t ? t->tg : NULL;

	if (!tg || (flags & LINUX_O_NOCTTY))
		return;
	/* Write-only access must not bring the rights of a controlling
	 * terminal (reopening it read-write through /dev/tty). */
	if (session_leader(tg) && !tg->tty && !tty->sid &&
	    (f->fmode & FMODE_READ))
		set_ctty(tg, tty);
}

/* TIOCSCTTY: a session leader without a terminal takes this one; a
 * terminal of another session only by force (arg 1) with CAP_SYS_ADMIN. */
static long tiocsctty(struct tty *tty, struct file *f, struct task *t,
		      uint64_t arg)
{
	struct thread_group *tg = t->tg;
	bool admin = creds_capable(t->creds, LINUX_CAP_SYS_ADMIN);

	if (session_leader(tg) && tty->sid == tg->sid)
		return 0;
	if (!session_leader(tg) || tg->tty)
		return -EPERM;
	if (tty->sid) {
		if ((int)arg != 1 || !admin)
			return -EPERM;
		session_clear_tty(tty->sid);
	}
	if (!(f->fmode & FMODE_READ) && !admin)
		return -EPERM;
	set_ctty(tg, tty);
	return 0;
}

/* TIOCSPGRP: only on one's controlling terminal, to a group of one's
 * own session. */
static long tiocspgrp(struct tty *tty, struct task *t, uint64_t arg)
{
	struct thread_group *tg = t->tg;
	int32_t pgrp;
	int sid, err = tty_check_change(tty, t, LINUX_SIGTTOU);

	if (err == -EIO)
		return -ENOTTY;
	if (err)
		return err;
	if (task_copy_in(t, arg, &pgrp, sizeof(pgrp)))
		return -EFAULT;
	if (pgrp < 0)
		return -EINVAL;
	if (tg->tty != tty || tty->sid != tg->sid)
		return -ENOTTY;
	sid = pgrp_session(pgrp);
	if (!sid)
		return -ESRCH;
	if (sid != tg->sid)
		return -EPERM;
	tty->pgrp = pgrp;
	return 0;
}

bool tty_is_jobctl_ioctl(uint32_t cmd)
{
	switch (cmd) {
	case LINUX_TIOCSCTTY:
	case LINUX_TIOCNOTTY:
	case LINUX_TIOCGPGRP:
	case LINUX_TIOCSPGRP:
	case LINUX_TIOCGSID:
		return true;
	default:
		return false;
	}
}

long tty_jobctl_ioctl(struct tty *tty, struct file *f, struct task *t,
		      uint32_t cmd, uint64_t arg, bool master)
{
	struct thread_group *tg = t->tg;
	int32_t v;

	switch (cmd) {
	case LINUX_TIOCSCTTY:
		return tiocsctty(tty, f, t, arg);
	case LINUX_TIOCNOTTY:
		if (tg->tty != tty)
			return -ENOTTY;
		if (session_leader(tg)) {
			disassociate(tg, false);
		} else {
			tg->tty = NULL;
			tty_put(tty);
		}
		return 0;
	case LINUX_TIOCGPGRP:
		if (!master && tg->tty != tty)
			return -ENOTTY;
		v = tty->pgrp;
		return task_copy_out(t, arg, &v, sizeof(v));
	case LINUX_TIOCSPGRP:
		return tiocspgrp(tty, t, arg);
	case LINUX_TIOCGSID:
		if ((!master && tg->tty != tty) || !tty->sid)
			return -ENOTTY;
		v = tty->sid;
		return task_copy_out(t, arg, &v, sizeof(v));
	default:
		return -ENOTTY;
	}
}

void tty_fork(struct thread_group *child, const struct thread_group *parent)
{
	child->tty = parent->tty;
	if (child->tty)
		tty_get(child->tty);
}

void tty_setsid(struct thread_group *tg)
{
	struct tty *old = tg->tty;

	tg->tty = NULL;
	tty_put(old);
}

void tty_exit(struct thread_group *tg)
{
	struct tty *old;

	if (session_leader(tg))
		disassociate(tg, true);
	old = tg->tty;
	tg->tty = NULL;
	tty_put(old);
}

int tty_open_current(struct inode *i, struct file *f)
{
	struct task *t = task_current();
	struct tty *tty = t && t->tg ? t->tg->tty : NULL;

	(void)i;
	if (!tty)
		return -ENXIO;
	return tty->ops->open(tty, f);
}
