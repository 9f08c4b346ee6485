/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session.c: process groups and sessions as a whole (see session.h).
 */
#include "sentry/kernel/session.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/task.h"

struct pgrp_walk {
	int pgid, sid, sig;
	const struct thread_group *ignore;
	int count;
	bool found;
};

static bool live(const struct thread_group *tg)
{
	return !tg->zombie && !tg->group_exiting && tg->ntasks;
}

static int signal_one(struct thread_group *tg, void *arg)
{
	struct pgrp_walk *w = arg;
	struct linux_siginfo si = {.signo = w->sig, .code = LINUX_SI_KERNEL};

	if (tg->pgid == w->pgid && live(tg)) {
		signal_send_group(tg, &si);
		w->count++;
	}
	return 0;
}

int pgrp_signal(int pgid, int sig)
{
	struct pgrp_walk w = {.pgid = pgid, .sig = sig};

	if (pgid <= 0)
		return 0;
	pidns_for_each_group(signal_one, &w);
	return w.count;
}

/* A member whose parent, in another group of the same session, keeps
 * the group attached to job control. */
static int attached(struct thread_group *tg, void *arg)
{
	struct pgrp_walk *w = arg;
	const struct thread_group *p = tg->parent;

	if (tg->pgid != w->pgid || tg == w->ignore || !live(tg) || !p ||
	    p == w->ignore)
		return 0;
	if (p->pgid != tg->pgid && p->sid == tg->sid)
		w->found = true;
	return w->found;
}

bool pgrp_orphaned(int pgid, const struct thread_group *ignore)
{
	struct pgrp_walk w = {.pgid = pgid, .ignore = ignore};

	pidns_for_each_group(attached, &w);
	return !w.found;
}

static int find_session(struct thread_group *tg, void *arg)
{
	struct pgrp_walk *w = arg;

	if (tg->pgid == w->pgid && !tg->reaped) {
		w->sid = tg->sid;
		return 1;
	}
	return 0;
}

int pgrp_session(int pgid)
{
	struct pgrp_walk w = {.pgid = pgid};
	struct thread_group *tg;

	if (pgid <= 0)
		return 0;
	if (pidns_for_each_group(find_session, &w))
		return w.sid;
	tg = tg_by_tgid(pgid);
	return tg ? tg->sid : 0;
}

static int stopped_one(struct thread_group *tg, void *arg)
{
	struct pgrp_walk *w = arg;

	if (tg->pgid == w->pgid && live(tg) && tg->stopped)
		w->found = true;
	return w->found;
}

bool pgrp_has_stopped(int pgid)
{
	struct pgrp_walk w = {.pgid = pgid};

	pidns_for_each_group(stopped_one, &w);
	return w.found;
}

/* Orphan one group, if `tg` leaving ends its attachment. */
static void orphan_check(int pgid, struct thread_group *tg)
{
	if (pgid <= 0 || !pgrp_has_stopped(pgid))
		return;
	if (!pgrp_orphaned(pgid, tg))
		return;
	pgrp_signal(pgid, LINUX_SIGHUP);
	pgrp_signal(pgid, LINUX_SIGCONT);
}

void pgrp_exit_orphans(struct thread_group *tg)
{
	struct thread_group *c;
	const struct thread_group *p = tg->parent;

	/* Our own group, if our parent was what attached it. */
	if (p && p->pgid != tg->pgid && p->sid == tg->sid)
		orphan_check(tg->pgid, tg);
	/* Our children's groups, if we were what attached them. */
	TAILQ_FOREACH(c, &tg->children, sibling)
		if (c->pgid != tg->pgid && c->sid == tg->sid)
			orphan_check(c->pgid, tg);
}
