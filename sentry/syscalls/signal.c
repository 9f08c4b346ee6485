/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signal.c: the signal syscalls: handlers, masks, waiting for signals,
 * sending them (kill, tkill, tgkill, sigqueue), the alternate stack and
 * rt_sigreturn.
 */
#include <errno.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/capability.h"
#include "sentry/abi/resource.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"

static bool valid_sig(int64_t sig)
{
	return sig >= 1 && sig <= LINUX_NSIG;
}

long kern_rt_sigaction(struct task *t, const struct rt_sigaction_args *a)
{
	struct linux_sigaction *cur, nact;
	int sig = a->sig;

	if (a->sigsetsize != 8)
		return -EINVAL;
	if (!valid_sig(sig))
		return -EINVAL;
	if (a->act && (sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP))
		return -EINVAL;
	if (a->act && task_copy_in(t, a->act, &nact, sizeof(nact)))
		return -EFAULT;
	cur = &t->sighand->action[sig - 1];
	if (a->oact && task_copy_out(t, a->oact, cur, sizeof(*cur)))
		return -EFAULT;
	if (!a->act)
		return 0;
	nact.mask &= ~SIGNAL_UNBLOCKABLE;
	*cur = nact;
	/* POSIX: setting a pending signal to be ignored discards it. */
	if (nact.handler == LINUX_SIG_IGN ||
	    (nact.handler == LINUX_SIG_DFL &&
	     signal_default_action(sig) == SIG_DEFAULT_IGNORE)) {
		struct linux_siginfo drop;
		struct task *o;
		uint64_t bit = LINUX_SIGBIT(sig);

		TAILQ_FOREACH(o, &t->tg->tasks, tg_link)
			while (signal_dequeue(o, bit, &drop))
				;
	}
	return 0;
}

/* Apply a new mask, waking the thread if that unblocks a pending signal. */
static void set_mask(struct task *t, uint64_t mask)
{
	t->sigmask = mask & ~SIGNAL_UNBLOCKABLE;
}

long kern_rt_sigprocmask(struct task *t, const struct rt_sigprocmask_args *a)
{
	uint64_t set, old = t->sigmask;

	if (a->sigsetsize != 8)
		return -EINVAL;
	if (a->set) {
		if (task_copy_in(t, a->set, &set, sizeof(set)))
			return -EFAULT;
		switch (a->how) {
		case LINUX_SIG_BLOCK:
			set_mask(t, old | set);
			break;
		case LINUX_SIG_UNBLOCK:
			set_mask(t, old & ~set);
			break;
		case LINUX_SIG_SETMASK:
			set_mask(t, set);
			break;
		default:
			return -EINVAL;
		}
	}
	if (a->oset && task_copy_out(t, a->oset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long kern_rt_sigpending(struct task *t, const struct rt_sigpending_args *a)
{
	uint64_t set;

	if (a->sigsetsize > 8)
		return -EINVAL;
	set = (t->pending.set | t->tg->pending.set) & t->sigmask;
	return task_copy_out(t, a->set, &set, a->sigsetsize) ? -EFAULT : 0;
}

/* Wait with a temporary mask until a signal is delivered: the old mask
 * comes back when the handler's frame is built (restore_sigmask). */
long kern_rt_sigsuspend(struct task *t, const struct rt_sigsuspend_args *a)
{
	uint64_t mask;

	if (a->sigsetsize != 8)
		return -EINVAL;
	if (task_copy_in(t, a->mask, &mask, sizeof(mask)))
		return -EFAULT;
	t->saved_sigmask = t->sigmask;
	t->restore_sigmask = true;
	set_mask(t, mask);
	while (task_wait(t, 0, true) != -EINTR)
		;
	return -ERESTARTNOHAND;
}

long kern_pause(struct task *t, const struct pause_args *a)
{
	(void)a;
	while (task_wait(t, 0, true) != -EINTR)
		;
	return -ERESTARTNOHAND;
}

long kern_rt_sigtimedwait(struct task *t, const struct rt_sigtimedwait_args *a)
{
	struct linux_siginfo info;
	uint64_t set;
	int64_t deadline = 0;
	int err = 0;

	if (a->sigsetsize != 8)
		return -EINVAL;
	if (task_copy_in(t, a->set, &set, sizeof(set)))
		return -EFAULT;
	set &= ~SIGNAL_UNBLOCKABLE;
	if (a->timeout) {
		struct linux_timespec ts;
		int64_t ns;

		if (task_copy_in(t, a->timeout, &ts, sizeof(ts)))
			return -EFAULT;
		ns = linux_timespec_to_ns(&ts);
		if (ns < 0)
			return -EINVAL;
		deadline = ns ? kernel_now_ns() + ns : -1;
	}
	if (!signal_dequeue(t, set, &info)) {
		if (deadline == -1)
			return -EAGAIN;
		/* The awaited signals wake the wait but stay blocked (so a
		 * fatal default action does not end the process meanwhile,
		 * as Linux's real_blocked). */
		t->sigwait_set = set;
		while (!err && !signal_dequeue(t, set, &info)) {
			err = task_wait(t, deadline, true);
			if (err == -EINTR && signal_dequeue(t, set, &info)) {
				err = 0;
				break;
			}
		}
		t->sigwait_set = 0;
		if (err == -ETIMEDOUT)
			return -EAGAIN;
		if (err)
			return -EINTR;
	}
	if (a->info && task_copy_out(t, a->info, &info, sizeof(info)))
		return -EFAULT;
	return info.signo;
}

long kern_sigaltstack(struct task *t, const struct sigaltstack_args *a)
{
	struct linux_stack ss, old = t->altstack;
	uint64_t sp = t->cpu.regs.rsp;

	old.flags = signal_altstack_flags(t, sp) |
		    (t->altstack.flags & (int32_t)LINUX_SS_AUTODISARM);
	if (old.flags & LINUX_SS_DISABLE) {
		old.sp = 0;
		old.size = 0;
	}
	if (a->ss) {
		int32_t mode;

		if (task_copy_in(t, a->ss, &ss, sizeof(ss)))
			return -EFAULT;
		if (signal_altstack_flags(t, sp) == LINUX_SS_ONSTACK)
			return -EPERM;
		mode = ss.flags & ~(int32_t)LINUX_SS_AUTODISARM;
		if (mode != LINUX_SS_DISABLE && mode != LINUX_SS_ONSTACK &&
		    mode != 0)
			return -EINVAL;
		if (mode == LINUX_SS_DISABLE) {
			t->altstack = (struct linux_stack){
				.flags = LINUX_SS_DISABLE };
		} else {
			if (ss.size < LINUX_MINSIGSTKSZ)
				return -ENOMEM;
			t->altstack.sp = ss.sp;
			t->altstack.size = ss.size;
			t->altstack.flags = ss.flags & (int32_t)LINUX_SS_AUTODISARM;
		}
	}
	if (a->old_ss && task_copy_out(t, a->old_ss, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long kern_rt_sigreturn(struct task *t, const struct rt_sigreturn_args *a)
{
	(void)a;
	t->regs_replaced = true;
	return signal_sigreturn(t);
}

/* May `t` signal the group `tg` (kill(2)'s permission rule)? */
static bool may_signal(struct task *t, struct thread_group *tg, int sig)
{
	const struct creds *c = t->creds, *o;

	if (!tg->leader || !tg->leader->creds)
		return true;
	o = tg->leader->creds;
	if (creds_capable(c, LINUX_CAP_KILL))
		return true;
	if (sig == LINUX_SIGCONT && tg->sid == t->tg->sid)
		return true;
	return c->euid == o->suid || c->euid == o->uid || c->uid == o->suid ||
	       c->uid == o->uid;
}

static struct linux_siginfo user_info(struct task *t, int sig, int code)
{
	struct linux_siginfo info = { .signo = sig, .code = code };

	info.u.kill.pid = t->tg->tgid;
	info.u.kill.uid = t->creds->uid;
	return info;
}

struct kill_ctx {
	struct task *t;
	int sig;
	int pgid;       /* 0: every process but init and the sender's group */
	int found, err, sent;
};

static int kill_one(struct thread_group *tg, void *arg)
{
	struct kill_ctx *k = arg;
	struct linux_siginfo info;

	if (tg->zombie)
		return 0;
	if (k->pgid ? tg->pgid != k->pgid
		    : (tg->tgid == 1 || tg == k->t->tg))
		return 0;
	k->found++;
	if (!may_signal(k->t, tg, k->sig)) {
		k->err = -EPERM;
		return 0;
	}
	k->sent++;
	if (k->sig) {
		info = user_info(k->t, k->sig, LINUX_SI_USER);
		signal_send_group(tg, &info);
	}
	return 0;
}

long kern_kill(struct task *t, const struct kill_args *a)
{
	struct kill_ctx k = { .t = t, .sig = a->sig };
	struct thread_group *tg;
	struct linux_siginfo info;

	if (a->sig < 0 || a->sig > LINUX_NSIG)
		return -EINVAL;
	if (a->pid > 0) {
		tg = tg_by_tgid(a->pid);
		if (!tg)
			return -ESRCH;
		if (!may_signal(t, tg, a->sig))
			return -EPERM;
		if (!a->sig)
			return 0;
		info = user_info(t, a->sig, LINUX_SI_USER);
		return signal_send_group(tg, &info);
	}
	if (a->pid == INT32_MIN)
		return -ESRCH;
	k.pgid = a->pid == 0 ? t->tg->pgid : a->pid < -1 ? -a->pid : 0;
	pidns_for_each_group(kill_one, &k);
	if (a->pid == -1) {
		/* kill(-1) also signals the sender itself, unless it is init. */
		if (t->tg->tgid != 1 && a->sig) {
			info = user_info(t, a->sig, LINUX_SI_USER);
			signal_send_group(t->tg, &info);
			k.sent++;
		}
		return k.sent || t->tg->tgid != 1 ? 0 : -ESRCH;
	}
	if (!k.found)
		return -ESRCH;
	return k.sent ? 0 : k.err;
}

/* tkill/tgkill: a thread-directed signal. */
static long kill_thread(struct task *t, int tgid, int tid, int sig)
{
	struct task *o = task_by_tid(tid);
	struct linux_siginfo info;

	if (tid <= 0 || (tgid != -1 && tgid <= 0))
		return -EINVAL;
	if (sig < 0 || sig > LINUX_NSIG)
		return -EINVAL;
	if (!o || o->state == TASK_DEAD || o->tid != tid ||
	    (tgid != -1 && o->tg->tgid != tgid))
		return -ESRCH;
	if (!may_signal(t, o->tg, sig))
		return -EPERM;
	if (!sig)
		return 0;
	info = user_info(t, sig, LINUX_SI_TKILL);
	return signal_send_task(o, &info);
}

long kern_tkill(struct task *t, const struct tkill_args *a)
{
	return kill_thread(t, -1, a->tid, a->sig);
}

long kern_tgkill(struct task *t, const struct tgkill_args *a)
{
	return kill_thread(t, a->tgid, a->tid, a->sig);
}

/* sigqueue: the sender supplies the siginfo, but may not pretend to be
 * the kernel (si_code >= 0) when signalling another process. */
static long queue_info(struct task *t, int tgid, int tid, int sig,
		       uint64_t uinfo)
{
	struct linux_siginfo info;
	struct thread_group *tg;
	struct task *o = NULL;

	if (!valid_sig(sig))
		return -EINVAL;
	if (task_copy_in(t, uinfo, &info, sizeof(info)))
		return -EFAULT;
	if (tid) {
		o = task_by_tid(tid);
		if (tid <= 0 || tgid <= 0)
			return -EINVAL;
		if (!o || o->state == TASK_DEAD || o->tg->tgid != tgid)
			return -ESRCH;
		tg = o->tg;
	} else {
		tg = tg_by_tgid(tgid);
		if (!tg || tg->zombie)
			return -ESRCH;
	}
	if ((info.code >= 0 || info.code == LINUX_SI_TKILL) && tg != t->tg)
		return -EPERM;
	if (!may_signal(t, tg, sig))
		return -EPERM;
	info.signo = sig;
	return o ? signal_send_task(o, &info) : signal_send_group(tg, &info);
}

long kern_rt_sigqueueinfo(struct task *t, const struct rt_sigqueueinfo_args *a)
{
	return queue_info(t, a->tgid, 0, a->sig, a->info);
}

long kern_rt_tgsigqueueinfo(struct task *t,
			    const struct rt_tgsigqueueinfo_args *a)
{
	return queue_info(t, a->tgid, a->tid, a->sig, a->info);
}
