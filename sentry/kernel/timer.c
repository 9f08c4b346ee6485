/* SPDX-License-Identifier: Apache-2.0 */
/*
 * timer.c: the timer thread and POSIX timer signal delivery. Timers are
 * few per sandbox, so a deadline-ordered list is enough.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "gen/linux_flags.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"

static TAILQ_HEAD(, ktimer) armed = TAILQ_HEAD_INITIALIZER(armed);
static pthread_cond_t timer_cond;

/* Fire what is due, then sleep until the next deadline or a change. */
static void *timer_thread(void *arg)
{
	(void)arg;
	kernel_lock();
	for (;;) {
		struct ktimer *k = TAILQ_FIRST(&armed);
		int64_t now = kernel_now_ns();

		if (k && k->deadline <= now) {
			TAILQ_REMOVE(&armed, k, link);
			k->armed = false;
			if (k->interval) {
				/* Re-arm before firing so the handler sees the
				 * next period (and may disarm it). */
				int64_t next = k->deadline + k->interval;

				if (next <= now)
					next = now + k->interval;
				ktimer_arm(k, next, k->interval);
			}
			k->fire(k);
			continue;
		}
		if (k) {
			struct timespec ts = {
				.tv_sec = k->deadline / 1000000000LL,
				.tv_nsec = k->deadline % 1000000000LL,
			};

			pthread_cond_timedwait(&timer_cond, &kernel->lock, &ts);
		} else {
			pthread_cond_wait(&timer_cond, &kernel->lock);
		}
	}
	return NULL;
}

int timer_init(void)
{
	pthread_condattr_t ca;
	pthread_attr_t attr;
	pthread_t th;
	int err;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&timer_cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	err = pthread_create(&th, &attr, timer_thread, NULL);
	pthread_attr_destroy(&attr);
	return -err;
}

void ktimer_arm(struct ktimer *k, int64_t deadline, int64_t interval)
{
	struct ktimer *o;

	if (k->armed)
		TAILQ_REMOVE(&armed, k, link);
	k->deadline = deadline;
	k->interval = interval;
	k->armed = true;
	TAILQ_FOREACH(o, &armed, link)
		if (o->deadline > deadline)
			break;
	if (o)
		TAILQ_INSERT_BEFORE(o, k, link);
	else
		TAILQ_INSERT_TAIL(&armed, k, link);
	pthread_cond_signal(&timer_cond);
}

void ktimer_disarm(struct ktimer *k)
{
	if (k->armed)
		TAILQ_REMOVE(&armed, k, link);
	k->armed = false;
	k->deadline = 0;
	k->interval = 0;
}

int64_t ktimer_remaining(const struct ktimer *k)
{
	int64_t left;

	if (!k->armed)
		return 0;
	left = k->deadline - kernel_now_ns();
	return left > 0 ? left : 1;
}

/* A POSIX timer (or ITIMER_REAL) expired: queue its signal, or count an
 * overrun if the last one is still pending. */
static void posix_timer_fire(struct ktimer *k)
{
	struct posix_timer *pt = (struct posix_timer *)((char *)k -
				 offsetof(struct posix_timer, kt));
	struct linux_siginfo info = { .signo = pt->signo };

	if (pt->notify == LINUX_SIGEV_NONE)
		return;
	if (pt->queued) {
		if (pt->overrun < INT32_MAX)
			pt->overrun++;
		return;
	}
	if (pt->id < 0) {
		/* ITIMER_REAL: an ordinary kernel SIGALRM. */
		info.code = LINUX_SI_KERNEL;
	} else {
		info.code = LINUX_SI_TIMER;
		info.u.timer.tid = pt->id;
		info.u.timer.value = pt->value;
		pt->queued = true;
		pt->overrun = 0;
	}
	if (pt->notify == LINUX_SIGEV_THREAD_ID) {
		struct task *t = task_by_tid(pt->target_tid);

		if (t && t->tg == pt->tg && t->state != TASK_DEAD)
			signal_send_task(t, &info);
		else
			pt->queued = false;
		return;
	}
	signal_send_group(pt->tg, &info);
}

void posix_timer_init(struct posix_timer *pt, struct thread_group *tg)
{
	pt->tg = tg;
	pt->kt.fire = posix_timer_fire;
}

void timer_signal_dequeued(struct task *t, struct linux_siginfo *info)
{
	struct posix_timer *pt;

	LIST_FOREACH(pt, &t->tg->timers, link) {
		if (pt->id == info->u.timer.tid) {
			info->u.timer.overrun = pt->overrun;
			pt->last_overrun = pt->overrun;
			pt->overrun = 0;
			pt->queued = false;
			return;
		}
	}
}

int64_t tg_cpu_ns(struct thread_group *tg, bool with_system)
{
	int64_t ns = tg->utime_ns + (with_system ? tg->stime_ns : 0);
	int64_t now = kernel_now_ns();
	struct task *t;

	TAILQ_FOREACH(t, &tg->tasks, tg_link) {
		ns += t->utime_ns + (with_system ? t->stime_ns : 0);
		if (t->in_guest && now > t->guest_since)
			ns += now - t->guest_since;
	}
	return ns;
}

/* Arm the real-time estimate for when the CPU budget is used up. */
static void cpu_itimer_schedule(struct cpu_itimer *c, int64_t cpu)
{
	int64_t left = c->expires - cpu;

	if (left < 1000000)
		left = 1000000; /* at most a check per millisecond */
	ktimer_arm(&c->kt, kernel_now_ns() + left, 0);
}

static void cpu_itimer_fire(struct ktimer *k)
{
	struct cpu_itimer *c = (struct cpu_itimer *)((char *)k -
			       offsetof(struct cpu_itimer, kt));
	int64_t cpu = tg_cpu_ns(c->tg, c->prof);
	struct linux_siginfo info = {
		.signo = c->prof ? LINUX_SIGPROF : LINUX_SIGVTALRM,
		.code = LINUX_SI_KERNEL,
	};

	if (!c->expires)
		return;
	if (cpu < c->expires) {
		cpu_itimer_schedule(c, cpu);
		return;
	}
	signal_send_group(c->tg, &info);
	if (!c->interval) {
		c->expires = 0;
		return;
	}
	c->expires += c->interval;
	if (c->expires <= cpu)
		c->expires = cpu + c->interval;
	cpu_itimer_schedule(c, cpu);
}

void cpu_itimer_set(struct thread_group *tg, bool prof, int64_t value,
		    int64_t interval, int64_t *old_value, int64_t *old_interval)
{
	struct cpu_itimer *c = tg->itimer_cpu[prof];
	int64_t cpu = tg_cpu_ns(tg, prof);

	*old_value = *old_interval = 0;
	if (c && c->expires) {
		*old_value = c->expires > cpu ? c->expires - cpu : 1000;
		*old_interval = c->interval;
	}
	if (!c) {
		if (!value)
			return;
		c = calloc(1, sizeof(*c));
		if (!c)
			return;
		c->tg = tg;
		c->prof = prof;
		c->kt.fire = cpu_itimer_fire;
		tg->itimer_cpu[prof] = c;
	}
	c->expires = value ? cpu + value : 0;
	c->interval = interval;
	if (value)
		cpu_itimer_schedule(c, cpu);
	else
		ktimer_disarm(&c->kt);
}

void timer_group_exit(struct thread_group *tg)
{
	struct posix_timer *pt;

	for (int i = 0; i < 2; i++) {
		if (tg->itimer_cpu[i]) {
			ktimer_disarm(&tg->itimer_cpu[i]->kt);
			free(tg->itimer_cpu[i]);
			tg->itimer_cpu[i] = NULL;
		}
	}

	while ((pt = LIST_FIRST(&tg->timers))) {
		LIST_REMOVE(pt, link);
		ktimer_disarm(&pt->kt);
		free(pt);
	}
	if (tg->itimer_real) {
		ktimer_disarm(&tg->itimer_real->kt);
		free(tg->itimer_real);
		tg->itimer_real = NULL;
	}
}

int timer_sleep_until(struct task *t, int64_t deadline)
{
	int err;

	do
		err = task_wait(t, deadline, true);
	while (err == 0);
	return err == -ETIMEDOUT ? 0 : err;
}
