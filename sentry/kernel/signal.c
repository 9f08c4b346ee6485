/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signal.c: generating signals: queueing, the side effects Linux applies
 * when a signal is sent (stop and continue, ignored signals discarded,
 * fatal signals ending the group at once), and choosing a thread to wake.
 * Delivery (handlers, frames, default actions) is in signal_deliver.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen/linux_flags.h"
#include "sentry/abi/poll.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"

/* Linux caps queued real-time signals per user (RLIMIT_SIGPENDING); one
 * cap for the sandbox keeps a guest from exhausting Sentry memory. */
#define MAX_QUEUED_SIGNALS 65536
static unsigned queued_signals;

enum sig_default signal_default_action(int sig)
{
	switch (sig) {
	case LINUX_SIGCHLD:
	case LINUX_SIGURG:
	case LINUX_SIGWINCH:
		return SIG_DEFAULT_IGNORE;
	case LINUX_SIGCONT:
		return SIG_DEFAULT_CONTINUE;
	case LINUX_SIGSTOP:
	case LINUX_SIGTSTP:
	case LINUX_SIGTTIN:
	case LINUX_SIGTTOU:
		return SIG_DEFAULT_STOP;
	case LINUX_SIGQUIT:
	case LINUX_SIGILL:
	case LINUX_SIGTRAP:
	case LINUX_SIGABRT:
	case LINUX_SIGBUS:
	case LINUX_SIGFPE:
	case LINUX_SIGSEGV:
	case LINUX_SIGXCPU:
	case LINUX_SIGXFSZ:
	case LINUX_SIGSYS:
		return SIG_DEFAULT_CORE;
	default:
		return SIG_DEFAULT_TERM;
	}
}

bool signal_is_stop(int sig)
{
	return signal_default_action(sig) == SIG_DEFAULT_STOP;
}

int signal_death_status(struct thread_group *tg, int sig)
{
	/* The core bit says a core was dumped: Linux dumps only with a
	 * non-zero RLIMIT_CORE. The Sentry writes no core file, but reports
	 * what the same limits would give on Linux. */
	if (signal_default_action(sig) == SIG_DEFAULT_CORE &&
	    tg->rlimits[LINUX_RLIMIT_CORE].cur > 0)
		return sig | 0x80;
	return sig;
}

/* Would delivering `sig` to `t` do nothing at all? */
static bool handler_ignores(struct task *t, int sig)
{
	uint64_t h = t->sighand->action[sig - 1].handler;

	if (sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP)
		return false;
	if (h == LINUX_SIG_IGN)
		return true;
	return h == LINUX_SIG_DFL &&
	       signal_default_action(sig) == SIG_DEFAULT_IGNORE;
}

/* Remove every queued instance of the signals in `mask` from a queue. */
static void flush_pending(struct sigpending *p, uint64_t mask)
{
	struct pending_signal *ps, *next;

	if (!(p->set & mask))
		return;
	for (ps = TAILQ_FIRST(&p->queue); ps; ps = next) {
		next = TAILQ_NEXT(ps, link);
		if (LINUX_SIGBIT(ps->info.signo) & mask) {
			TAILQ_REMOVE(&p->queue, ps, link);
			free(ps);
			queued_signals--;
		}
	}
	p->set &= ~mask;
}

void sigpending_init(struct sigpending *p)
{
	p->set = 0;
	TAILQ_INIT(&p->queue);
}

void sigpending_flush(struct sigpending *p)
{
	flush_pending(p, ~0ULL);
}

/* Ask a task to come back to the kernel soon: out of guest code, or out of
 * an interruptible wait (without pretending it was woken on purpose). */
void task_kick(struct task *t)
{
	uint64_t one = 1;

	if (t->state == TASK_DEAD)
		return;
	pthread_cond_signal(&t->cond);
	if (t->in_host_wait && t->interrupt_fd >= 0 &&
	    write(t->interrupt_fd, &one, sizeof(one)) < 0) {
		/* Counter saturated: a wake-up is already pending. */
	}
	if (t->ctx && t->in_guest)
		kernel->platform->ops->ctx_interrupt(t->ctx);
}

/* Kill the whole group (exit_group or a fatal signal): every task leaves
 * at its next check. `status` is the wait status the group reports. */
void signal_group_exit(struct thread_group *tg, int status)
{
	struct task *t;

	if (tg->group_exiting)
		return;
	tg->group_exiting = true;
	tg->group_exit_code = status;
	tg->stopped = false;
	TAILQ_FOREACH(t, &tg->tasks, tg_link)
		task_kick(t);
}

/* SIGCONT and the stop signals act when sent, not when delivered. */
static void prepare_stop_continue(struct thread_group *tg, int sig)
{
	struct task *t;

	if (signal_is_stop(sig)) {
		flush_pending(&tg->pending, LINUX_SIGBIT(LINUX_SIGCONT));
		TAILQ_FOREACH(t, &tg->tasks, tg_link)
			flush_pending(&t->pending, LINUX_SIGBIT(LINUX_SIGCONT));
	} else if (sig == LINUX_SIGCONT) {
		uint64_t stops = LINUX_SIGBIT(LINUX_SIGSTOP) |
				 LINUX_SIGBIT(LINUX_SIGTSTP) |
				 LINUX_SIGBIT(LINUX_SIGTTIN) |
				 LINUX_SIGBIT(LINUX_SIGTTOU);

		flush_pending(&tg->pending, stops);
		TAILQ_FOREACH(t, &tg->tasks, tg_link)
			flush_pending(&t->pending, stops);
		if (tg->stopped) {
			tg->stopped = false;
			tg->continued = true;
			signal_notify_parent(tg, LINUX_CLD_CONTINUED,
					     LINUX_SIGCONT);
			/* A stopped task sleeps uninterruptibly in
			 * enter_group_stop: only a wake-up ends it (other
			 * sleepers re-check their condition). */
			TAILQ_FOREACH(t, &tg->tasks, tg_link) {
				task_wake(t);
				task_kick(t);
			}
		}
	}
}

/* The thread that should handle a process-directed signal: one that does
 * not block it, preferring the leader, as Linux's complete_signal. */
static struct task *pick_thread(struct thread_group *tg, int sig)
{
	struct task *t;

	uint64_t bit = LINUX_SIGBIT(sig);

	/* A thread blocking it but waiting for it in sigtimedwait counts. */
	if (tg->leader && tg->leader->state != TASK_DEAD &&
	    !tg->leader->exiting &&
	    (!(tg->leader->sigmask & bit) || (tg->leader->sigwait_set & bit)))
		return tg->leader;
	TAILQ_FOREACH(t, &tg->tasks, tg_link)
		if (!(t->sigmask & bit) || (t->sigwait_set & bit))
			return t;
	return NULL;
}

/* A signal whose delivery would kill the group with nobody able to catch
 * it ends the group now, as Linux does, so a blocked syscall cannot delay
 * a SIGKILL. */
static bool fatal_now(struct task *t, int sig)
{
	if (sig == LINUX_SIGKILL)
		return true;
	if (t->tg->unkillable)
		return false;
	if (t->sigmask & LINUX_SIGBIT(sig))
		return false;
	if (t->sighand->action[sig - 1].handler != LINUX_SIG_DFL)
		return false;
	switch (signal_default_action(sig)) {
	case SIG_DEFAULT_TERM:
	case SIG_DEFAULT_CORE:
		return true;
	default:
		return false;
	}
}

/* Does init drop `sig` at once? As Linux's sig_task_ignored for a
 * SIGNAL_UNKILLABLE task: with no handler, every signal but SIGKILL and
 * SIGSTOP from outside or from the kernel (`force`). A blocked one is
 * queued and dropped at delivery instead (signal_deliver.c). */
static bool init_drops(struct thread_group *tg, struct task *any, int sig,
		       bool force)
{
	if (!tg->unkillable ||
	    any->sighand->action[sig - 1].handler != LINUX_SIG_DFL)
		return false;
	if (any->sigmask & LINUX_SIGBIT(sig))
		return false;
	return !(force && (sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP));
}

static int send_signal(struct thread_group *tg, struct task *target,
		       const struct linux_siginfo *info, bool force)
{
	int sig = info->signo;
	struct sigpending *p = target ? &target->pending : &tg->pending;
	struct task *any = target ? target : TAILQ_FIRST(&tg->tasks);
	struct pending_signal *ps;

	if (sig < 1 || sig > LINUX_NSIG)
		return -EINVAL;
	if (tg->group_exiting || !any)
		return 0; /* the group is going away: nothing to do */
	prepare_stop_continue(tg, sig);
	/* An ignored signal is discarded at once, unless it is blocked (it
	 * may be unignored before it is unblocked). */
	if (handler_ignores(any, sig) && !(any->sigmask & LINUX_SIGBIT(sig)))
		return 0;
	if (init_drops(tg, any, sig, force || info->code == LINUX_SI_KERNEL))
		return 0;
	/* Standard signals do not queue: a second instance merges. */
	if (sig < LINUX_SIGRTMIN && (p->set & LINUX_SIGBIT(sig)))
		return 0;
	if (queued_signals >= MAX_QUEUED_SIGNALS) {
		if (sig >= LINUX_SIGRTMIN && info->code != LINUX_SI_USER)
			return -EAGAIN;
		/* Standard signals are delivered even without a siginfo
		 * slot; keep the bit, drop the details. */
		p->set |= LINUX_SIGBIT(sig);
		goto wake;
	}
	ps = calloc(1, sizeof(*ps));
	if (!ps)
		return -EAGAIN;
	ps->info = *info;
	TAILQ_INSERT_TAIL(&p->queue, ps, link);
	queued_signals++;
	p->set |= LINUX_SIGBIT(sig);
wake:
	waitq_notify(&tg->signalfd_wq, LINUX_POLLIN);
	if (!target)
		target = pick_thread(tg, sig);
	if (target && fatal_now(target, sig) && !signal_is_stop(sig)) {
		signal_group_exit(tg, signal_death_status(tg, sig));
		return 0;
	}
	if (target)
		task_kick(target);
	else if (sig == LINUX_SIGKILL)
		signal_group_exit(tg, sig);
	return 0;
}

int signal_send_task(struct task *t, const struct linux_siginfo *info)
{
	return send_signal(t->tg, t, info, false);
}

int signal_send_group(struct thread_group *tg, const struct linux_siginfo *info)
{
	return send_signal(tg, NULL, info, false);
}

int signal_send_group_from_host(struct thread_group *tg,
				const struct linux_siginfo *info)
{
	return send_signal(tg, NULL, info, true);
}

void signal_force(struct task *t, int sig, int code, uint64_t addr)
{
	struct linux_siginfo info = { .signo = sig, .code = code };
	struct linux_sigaction *act = &t->sighand->action[sig - 1];

	info.u.fault.addr = addr;
	/* A synchronous fault cannot be blocked or ignored: Linux resets the
	 * handler to the default and unblocks, so the task dies rather than
	 * looping on the faulting instruction. */
	if ((t->sigmask & LINUX_SIGBIT(sig)) || act->handler == LINUX_SIG_IGN) {
		if (act->handler == LINUX_SIG_IGN ||
		    (t->sigmask & LINUX_SIGBIT(sig)))
			act->handler = LINUX_SIG_DFL;
		t->sigmask &= ~LINUX_SIGBIT(sig);
	}
	/* Not even init survives a fault it has no handler for. */
	if (act->handler == LINUX_SIG_DFL)
		t->tg->unkillable = false;
	send_signal(t->tg, t, &info, true);
}

bool signal_dequeue(struct task *t, uint64_t mask, struct linux_siginfo *out)
{
	static const uint64_t synchronous =
		LINUX_SIGBIT(LINUX_SIGSEGV) | LINUX_SIGBIT(LINUX_SIGBUS) |
		LINUX_SIGBIT(LINUX_SIGILL) | LINUX_SIGBIT(LINUX_SIGTRAP) |
		LINUX_SIGBIT(LINUX_SIGFPE) | LINUX_SIGBIT(LINUX_SIGSYS);
	struct sigpending *queues[2] = { &t->pending, &t->tg->pending };

	for (int qi = 0; qi < 2; qi++) {
		struct sigpending *p = queues[qi];
		uint64_t ready = p->set & mask;
		struct pending_signal *ps;
		int sig;

		if (!ready)
			continue;
		if (ready & synchronous)
			ready &= synchronous;
		sig = __builtin_ctzll(ready) + 1;
		TAILQ_FOREACH(ps, &p->queue, link)
			if (ps->info.signo == sig)
				break;
		if (ps) {
			*out = ps->info;
			TAILQ_REMOVE(&p->queue, ps, link);
			free(ps);
			queued_signals--;
		} else {
			/* Queued without details (limit reached). */
			memset(out, 0, sizeof(*out));
			out->signo = sig;
			out->code = LINUX_SI_KERNEL;
		}
		/* The bit stays while more instances (RT) are queued. */
		TAILQ_FOREACH(ps, &p->queue, link)
			if (ps->info.signo == sig)
				break;
		if (!ps)
			p->set &= ~LINUX_SIGBIT(sig);
		if (out->code == LINUX_SI_TIMER)
			timer_signal_dequeued(t, out);
		return true;
	}
	return false;
}

void signal_notify_parent(struct thread_group *tg, int why, int status)
{
	struct thread_group *parent = tg->parent;
	struct linux_sigaction *act;
	struct linux_siginfo info = { .signo = LINUX_SIGCHLD };

	if (!parent || !parent->leader)
		return;
	waitq_notify(&parent->child_wq, WAITQ_EV_CHILD);
	act = &parent->leader->sighand->action[LINUX_SIGCHLD - 1];
	if ((why == LINUX_CLD_STOPPED || why == LINUX_CLD_CONTINUED) &&
	    (act->flags & LINUX_SA_NOCLDSTOP))
		return;
	info.code = why;
	info.u.chld.pid = tg->tgid;
	info.u.chld.uid = tg->leader ? tg->leader->creds->uid : 0;
	info.u.chld.status = status;
	info.u.chld.utime = (tg->utime_ns) / 10000000;
	info.u.chld.stime = (tg->stime_ns) / 10000000;
	signal_send_group(parent, &info);
}
