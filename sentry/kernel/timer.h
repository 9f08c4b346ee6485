/* SPDX-License-Identifier: Apache-2.0 */
/*
 * timer.h: kernel timers. One Sentry thread fires every armed timer at its
 * monotonic deadline, under the kernel lock; interval timers re-arm.
 * ITIMER_REAL, alarm() and POSIX timers are built on them.
 */
#ifndef CVISOR_TIMER_H
#define CVISOR_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "sentry/abi/signal.h"

struct task;
struct thread_group;

struct ktimer {
	TAILQ_ENTRY(ktimer) link;
	int64_t deadline;      /* monotonic ns; 0 when disarmed */
	int64_t interval;      /* ns, 0 for one-shot */
	void (*fire)(struct ktimer *);
	bool armed;
};

/* Start the timer thread (boot). */
int timer_init(void);
void ktimer_arm(struct ktimer *, int64_t deadline, int64_t interval);
void ktimer_disarm(struct ktimer *);
/* Nanoseconds until it fires (>= 1 if armed), 0 if disarmed. */
int64_t ktimer_remaining(const struct ktimer *);

/* A POSIX timer or the ITIMER_REAL of a thread group. */
struct posix_timer {
	LIST_ENTRY(posix_timer) link;
	struct ktimer kt;
	struct thread_group *tg;
	int id;
	int clock;
	int notify;            /* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID */
	int signo;
	int target_tid;        /* SIGEV_THREAD_ID */
	uint64_t value;        /* sigev_value */
	int overrun;           /* expirations since the signal was queued */
	int last_overrun;      /* what timer_getoverrun reports */
	bool queued;           /* its signal is pending, not yet delivered */
};

/* ITIMER_VIRTUAL / ITIMER_PROF: they count the group's CPU time (guest
 * time, and for PROF also the Sentry's work for it). A real-time ktimer
 * estimates when the budget runs out; when it fires the real CPU time is
 * checked and the signal sent or the ktimer moved. */
struct cpu_itimer {
	struct ktimer kt;
	struct thread_group *tg;
	bool prof;
	int64_t expires;       /* group CPU time at which it fires; 0: off */
	int64_t interval;
};
/* The group's CPU time now, counting guest runs in progress. */
int64_t tg_cpu_ns(struct thread_group *, bool with_system);
void cpu_itimer_set(struct thread_group *, bool prof, int64_t value,
		    int64_t interval, int64_t *old_value, int64_t *old_interval);

/* Set up a timer of `tg` (its ktimer's fire queues the signal). */
void posix_timer_init(struct posix_timer *, struct thread_group *);
/* The group's timers die with it. */
void timer_group_exit(struct thread_group *);
/* Called when a SI_TIMER signal is dequeued: fills si_overrun. */
void timer_signal_dequeued(struct task *, struct linux_siginfo *);

/* Sleep until the monotonic deadline or a signal: 0, or -EINTR. */
int timer_sleep_until(struct task *, int64_t deadline);

#endif
