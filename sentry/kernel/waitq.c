/* SPDX-License-Identifier: Apache-2.0 */
/* waitq.c: wait queues (see waitq.h). All under the kernel lock. */
#include <stddef.h>

#include "sentry/kernel/task.h"
#include "sentry/kernel/waitq.h"

void waitq_init(struct waitq *q)
{
	TAILQ_INIT(&q->waiters);
}

void waiter_init_task(struct waiter *w, struct task *t, uint32_t mask)
{
	w->mask = mask;
	w->notify = NULL;
	w->task = t;
	w->priv = NULL;
	w->q = NULL;
	w->exclusive = false;
}

void waiter_init_fn(struct waiter *w, waiter_fn fn, void *priv, uint32_t mask)
{
	w->mask = mask;
	w->notify = fn;
	w->task = NULL;
	w->priv = priv;
	w->q = NULL;
	w->exclusive = false;
}

void waitq_add(struct waitq *q, struct waiter *w)
{
	if (w->q)
		waitq_remove(w);
	TAILQ_INSERT_TAIL(&q->waiters, w, link);
	w->q = q;
	w->exclusive = false;
}

void waitq_add_exclusive(struct waitq *q, struct waiter *w)
{
	waitq_add(q, w);
	w->exclusive = true;
}

void waitq_remove(struct waiter *w)
{
	if (!w->q)
		return;
	TAILQ_REMOVE(&w->q->waiters, w, link);
	w->q = NULL;
}

/* Whether the waiter took the wake-up (a task always does). */
static int fire(struct waiter *w, uint32_t events)
{
	if (w->notify)
		return w->notify(w, events);
	task_wake(w->task);
	return 1;
}

void waitq_notify(struct waitq *q, uint32_t events)
{
	struct waiter *w, *next;
	bool taken = false;

	/* A callback may remove its own waiter: iterate safely. */
	for (w = TAILQ_FIRST(&q->waiters); w; w = next) {
		next = TAILQ_NEXT(w, link);
		if (!(w->mask & events))
			continue;
		if (!w->exclusive)
			fire(w, events);
		else if (!taken)
			taken = fire(w, events) != 0;
	}
}

int waitq_notify_n(struct waitq *q, uint32_t events, int n)
{
	struct waiter *w, *next;
	int woken = 0;

	for (w = TAILQ_FIRST(&q->waiters); w && woken < n; w = next) {
		next = TAILQ_NEXT(w, link);
		if (!(w->mask & events))
			continue;
		fire(w, events);
		woken++;
	}
	return woken;
}

int waitq_empty(const struct waitq *q)
{
	return TAILQ_EMPTY(&q->waiters);
}
