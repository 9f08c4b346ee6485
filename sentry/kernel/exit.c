/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exit.c: the end of threads and processes (kernel/exit.c): clear_child_tid
 * and robust futexes, the last thread turning the group into a zombie,
 * reparenting children, the exit signal to the parent, and the end of the
 * sandbox when pid 1 is gone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "lib/log.h"
#include "sentry/fs/tty.h"
#include "sentry/kernel/futex.h"
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidfd.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/session.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/task_internal.h"
#include "sentry/kernel/timer.h"
#include "sentry/mm/mm.h"
#include "sentry/vfs/vfs.h"

/* Walk the robust futex list (kernel/futex/core.c exit_robust_list): mark
 * each lock the thread held as owner-died and wake a waiter. Everything
 * read here is guest memory, so the walk is bounded and faults stop it. */
static void exit_robust_list(struct task *t)
{
	struct { uint64_t next; int64_t offset; uint64_t pending; } head;
	uint64_t entry;
	unsigned limit = 2048;

	if (!t->robust_list ||
	    task_copy_in(t, t->robust_list, &head, sizeof(head)))
		return;
	entry = head.next;
	while (entry && entry != t->robust_list && limit--) {
		uint64_t next;

		if (task_copy_in(t, entry, &next, sizeof(next)))
			return;
		if (entry != head.pending)
			futex_handle_death(t, entry + (uint64_t)head.offset);
		entry = next;
	}
	if (head.pending)
		futex_handle_death(t, head.pending + (uint64_t)head.offset);
}

/* Reparent `tg`'s children to the nearest subreaper ancestor or to init,
 * as Linux's find_new_reaper does; zombies are announced again. */
static void reparent_children(struct thread_group *tg)
{
	struct thread_group *reaper = NULL, *c;

	for (struct thread_group *a = tg->parent; a; a = a->parent)
		if (a->child_subreaper && !a->group_exiting) {
			reaper = a;
			break;
		}
	if (!reaper) {
		reaper = kernel->init ? kernel->init->tg : NULL;
		if (reaper == tg)
			reaper = NULL;
	}
	while ((c = TAILQ_FIRST(&tg->children))) {
		TAILQ_REMOVE(&tg->children, c, sibling);
		c->parent = reaper;
		if (!reaper)
			continue;
		TAILQ_INSERT_TAIL(&reaper->children, c, sibling);
		if (c->zombie) {
			waitq_notify(&reaper->child_wq, WAITQ_EV_CHILD);
			/* A zombie re-parented to init is announced with
			 * SIGCHLD so init reaps it. */
			struct linux_siginfo info = {
				.signo = LINUX_SIGCHLD,
				.code = LINUX_CLD_EXITED,
			};
			info.u.chld.pid = c->tgid;
			signal_send_group(reaper, &info);
		}
		/* PR_SET_PDEATHSIG: the child learns its parent died. */
		struct task *ct;
		TAILQ_FOREACH(ct, &c->tasks, tg_link)
			if (ct->pdeath_signal) {
				struct linux_siginfo pi = {
					.signo = ct->pdeath_signal,
					.code = LINUX_SI_USER,
				};
				signal_send_task(ct, &pi);
			}
	}
}

/* Would the parent take no notice of this child's death (SIGCHLD ignored
 * or SA_NOCLDWAIT), so it is reaped at once? */
static bool autoreap(struct thread_group *tg)
{
	struct thread_group *p = tg->parent;
	const struct linux_sigaction *act;

	if (!p || !p->leader)
		return true;
	if (tg->exit_signal != LINUX_SIGCHLD)
		return false;
	act = &p->leader->sighand->action[LINUX_SIGCHLD - 1];
	return act->handler == LINUX_SIG_IGN ||
	       (act->flags & LINUX_SA_NOCLDWAIT);
}

/* The wait status of the group's end. */
static int group_status(struct thread_group *tg)
{
	return tg->group_exit_code;
}

/* Announce the group's death to its parent. */
static void notify_parent_exit(struct thread_group *tg)
{
	struct thread_group *p = tg->parent;
	int status = group_status(tg);
	struct linux_siginfo info = { .signo = tg->exit_signal };

	if (!p)
		return;
	waitq_notify(&p->child_wq, WAITQ_EV_CHILD);
	if (!tg->exit_signal)
		return;
	if (status & 0x7f) {
		info.code = (status & 0x80) ? LINUX_CLD_DUMPED : LINUX_CLD_KILLED;
		info.u.chld.status = status & 0x7f;
	} else {
		info.code = LINUX_CLD_EXITED;
		info.u.chld.status = (status >> 8) & 0xff;
	}
	info.u.chld.pid = tg->tgid;
	info.u.chld.uid = tg->leader->creds ? tg->leader->creds->uid : 0;
	info.u.chld.utime = tg->utime_ns / 10000000;
	info.u.chld.stime = tg->stime_ns / 10000000;
	signal_send_group(p, &info);
}

void tg_release(struct thread_group *tg)
{
	/* Only a reaped zombie's memory goes: pid, leader, group. */
	struct task *leader = tg->leader;

	if (tg->parent)
		TAILQ_REMOVE(&tg->parent->children, tg, sibling);
	sigpending_flush(&tg->pending);
	/* epoll interests in a signalfd wait on this queue: let them go. */
	waitq_notify(&tg->signalfd_wq, WAITQ_EV_FREE);
	if (leader) {
		pidns_free(leader->tid);
		if (leader->creds)
			creds_put(leader->creds);
		task_free(leader);
	}
	free(tg);
}

/* pidns_for_each_group callback: SIGKILL a group that is not dead yet. */
static int kill_live_group(struct thread_group *g, void *arg)
{
	(void)arg;
	if (!g->zombie)
		signal_group_exit(g, LINUX_SIGKILL);
	return 0;
}

/* The last thread of the group is gone: become a zombie (or vanish). */
static void group_dead(struct thread_group *tg)
{
	struct task *leader = tg->leader;

	sem_exit(tg);
	timer_group_exit(tg);
	tg_set_exe_file(tg, NULL);
	tty_exit(tg);
	pgrp_exit_orphans(tg);
	reparent_children(tg);
	tg->zombie = true;
	pidfd_notify_exit();
	if (tg == (kernel->init ? kernel->init->tg : NULL)) {
		/* pid 1 is gone: the sandbox ends; every other process is
		 * killed, as when a pid namespace's init dies. */
		kernel->exit_status = group_status(tg);
		kernel->shutting_down = true;
		pidns_for_each_group(kill_live_group, NULL);
		pthread_cond_broadcast(&kernel->all_exited);
		return;
	}
	(void)leader;
	if (tg->external && kernel->orphan_exit_hook)
		kernel->orphan_exit_hook(tg->tgid, group_status(tg));
	if (autoreap(tg)) {
		struct thread_group *p = tg->parent;

		tg->reaped = true;
		if (p)
			waitq_notify(&p->child_wq, WAITQ_EV_CHILD);
		tg_release(tg);
		return;
	}
	notify_parent_exit(tg);
}

void task_exit(struct task *t)
{
	struct thread_group *tg = t->tg;

	t->state = TASK_EXITING;
	if (!tg->group_exiting && tg->ntasks == 1) {
		/* The last thread leaving by exit(2) ends the group with its
		 * own status. */
		tg->group_exit_code = t->exit_code;
	}
	exit_robust_list(t);
	if (t->clear_child_tid) {
		int32_t zero = 0;

		if (task_copy_out(t, t->clear_child_tid, &zero, sizeof(zero)) == 0)
			futex_wake_addr(t, t->clear_child_tid, 1);
	}
	task_vfork_release(t);
	futex_task_exit(t);
	if (t->ctx)
		kernel->platform->ops->ctx_release(t->ctx);
	t->ctx = NULL;

	TAILQ_REMOVE(&tg->tasks, t, tg_link);
	tg->ntasks--;
	tg->utime_ns += t->utime_ns;
	tg->stime_ns += t->stime_ns;
	/* Wake an execve waiting for the other threads to go. */
	if (tg->leader && tg->leader != t)
		task_wake(tg->leader);
	{
		struct task *o;

		TAILQ_FOREACH(o, &tg->tasks, tg_link)
			task_wake(o);
	}

	if (tg->ntasks == 0) /* the process's last thread: its peak RSS */
		tg_update_maxrss(tg, t->mm);
	mm_put(t->mm);
	t->mm = NULL;
	fd_table_put(t->fdt);
	t->fdt = NULL;
	fs_context_put(t->fs);
	t->fs = NULL;
	sighand_put(t->sighand);
	t->sighand = NULL;
	sigpending_flush(&t->pending);
	t->state = TASK_DEAD;

	if (tg->ntasks == 0) {
		/* The leader's struct stays for the zombie; others go. */
		if (t != tg->leader) {
			pidns_free(t->tid);
			creds_put(t->creds);
			task_free(t);
		}
		group_dead(tg);
	} else if (t != tg->leader) {
		pidns_free(t->tid);
		creds_put(t->creds);
		task_free(t);
	}
	/* The boot thread waits for every task thread to be gone. */
	if (--kernel->live_tasks == 0)
		pthread_cond_broadcast(&kernel->all_exited);
}

void task_exit_thread(struct task *t, int status)
{
	t->exit_code = (status & 0xff) << 8;
	t->exiting = true;
}

long kern_exit(struct task *t, const struct exit_args *a)
{
	task_exit_thread(t, a->status);
	return 0;
}

long kern_exit_group(struct task *t, const struct exit_group_args *a)
{
	signal_group_exit(t->tg, (a->status & 0xff) << 8);
	return 0;
}

int task_de_thread(struct task *t)
{
	struct thread_group *tg = t->tg;
	struct task *o;

	if (tg->ntasks == 1)
		return 0;
	/* Kill the other threads quietly: mark them exiting. */
	TAILQ_FOREACH(o, &tg->tasks, tg_link) {
		if (o == t)
			continue;
		o->exiting = true;
		task_kick(o);
	}
	while (tg->ntasks > 1) {
		if (tg->group_exiting)
			return -EINTR;
		task_wait(t, 0, false);
	}
	if (tg->leader != t) {
		/* Take over the leader's pid, as Linux's de_thread does: the
		 * process keeps its pid across execve. */
		struct task *old = tg->leader;
		int oldtid = t->tid;

		t->tid = old->tid;
		pidns_set(t->tid, t);
		pidns_free(oldtid);
		tg->leader = t;
		creds_put(old->creds);
		task_free(old);
	}
	return 0;
}

void tg_set_exe_file(struct thread_group *tg, struct file *f)
{
	if (f && vfs_deny_write_access(f->inode) == 0)
		file_get(f);
	else
		f = NULL;
	if (tg->exe_file) {
		vfs_allow_write_access(tg->exe_file->inode);
		file_put(tg->exe_file);
	}
	tg->exe_file = f;
}
