/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pidns.c: pid allocation. A flat table indexed by pid: the namespace is
 * small (PIDNS_PID_MAX) and lookups are on every kill/wait/proc access.
 * Allocation cycles upward from the last pid like Linux, so a pid is not
 * reused soon after it was freed.
 */
#include <errno.h>
#include <stddef.h>

#include "sentry/kernel/pidns.h"
#include "sentry/kernel/task.h"

static struct task *pids[PIDNS_PID_MAX];
static int last_pid;
static unsigned in_use;

int pidns_alloc(struct task *t)
{
	for (int i = 0; i < PIDNS_PID_MAX - 1; i++) {
		int pid = (last_pid + i) % (PIDNS_PID_MAX - 1) + 1;

		if (!pids[pid]) {
			pids[pid] = t;
			last_pid = pid;
			in_use++;
			return pid;
		}
	}
	return -EAGAIN;
}

int pidns_alloc_at(struct task *t, int pid)
{
	if (pid <= 0 || pid >= PIDNS_PID_MAX)
		return -EINVAL;
	if (pids[pid])
		return -EEXIST;
	pids[pid] = t;
	in_use++;
	return pid;
}

void pidns_free(int pid)
{
	if (pid > 0 && pid < PIDNS_PID_MAX && pids[pid]) {
		pids[pid] = NULL;
		in_use--;
	}
}

void pidns_set(int pid, struct task *t)
{
	if (pid > 0 && pid < PIDNS_PID_MAX)
		pids[pid] = t;
}

struct task *task_by_tid(int tid)
{
	if (tid <= 0 || tid >= PIDNS_PID_MAX)
		return NULL;
	return pids[tid];
}

struct thread_group *tg_by_tgid(int tgid)
{
	struct task *t = task_by_tid(tgid);

	if (!t || t->tg->tgid != tgid)
		return NULL;
	return t->tg;
}

int pidns_for_each_group(int (*fn)(struct thread_group *, void *), void *arg)
{
	for (int pid = 1; pid < PIDNS_PID_MAX; pid++) {
		struct task *t = pids[pid];
		int r;

		if (!t || t->tg->tgid != pid)
			continue;
		r = fn(t->tg, arg);
		if (r)
			return r;
	}
	return 0;
}

int pidns_for_each_task(int (*fn)(struct task *, void *), void *arg)
{
	for (int pid = 1; pid < PIDNS_PID_MAX; pid++) {
		int r;

		if (!pids[pid] || pids[pid]->tid != pid)
			continue;
		r = fn(pids[pid], arg);
		if (r)
			return r;
	}
	return 0;
}

unsigned pidns_count(void)
{
	return in_use;
}
