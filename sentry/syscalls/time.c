/* SPDX-License-Identifier: Apache-2.0 */
/*
 * time.c: clocks, sleeps and timers. Reading the wall and monotonic clocks
 * needs no Sentry state: the host's clocks are the sandbox's (the vDSO
 * serves most reads without a syscall at all).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/resource.h"
#include "sentry/abi/signal.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"

#define NSEC 1000000000LL
#define MAX_TIMERS_PER_GROUP 4096

struct linux_itimerspec {
	struct linux_timespec interval, value;
};
struct linux_itimerval {
	struct linux_timeval interval, value;
};
struct linux_tms {
	int64_t utime, stime, cutime, cstime;
};

static int64_t timespec_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NSEC + ts->tv_nsec;
}

static int64_t task_cpu_ns(const struct task *t)
{
	return t->utime_ns + t->stime_ns;
}

static int64_t group_cpu_ns(const struct thread_group *tg)
{
	int64_t ns = tg->utime_ns + tg->stime_ns;
	const struct task *o;

	TAILQ_FOREACH(o, &tg->tasks, tg_link)
		ns += task_cpu_ns(o);
	return ns;
}

/* Read clock `id` as the guest sees it. CPU-time clocks are the Sentry's
 * accounting (guest and Sentry time of the task or group). */
static int clock_read(struct task *t, int id, int64_t *ns)
{
	struct timespec ts;
	clockid_t host;

	if (id < 0) {
		/* A CPU clock of another pid: ~(pid << 3) | type. */
		int pid = ~(id >> 3);
		int type = id & 7;
		struct task *o;

		if ((type & 3) == 3)
			return -EINVAL;
		if (type & 4) { /* per-thread */
			o = pid ? task_by_tid(pid) : t;
			if (!o || o->state == TASK_DEAD || (pid && o->tg != t->tg))
				return -EINVAL;
			*ns = task_cpu_ns(o);
		} else {
			struct thread_group *tg = pid ? tg_by_tgid(pid) : t->tg;

			if (!tg || tg->zombie)
				return -EINVAL;
			*ns = group_cpu_ns(tg);
		}
		return 0;
	}
	switch (id) {
	case LINUX_CLOCK_PROCESS_CPUTIME_ID:
		*ns = group_cpu_ns(t->tg);
		return 0;
	case LINUX_CLOCK_THREAD_CPUTIME_ID:
		*ns = task_cpu_ns(t);
		return 0;
	case LINUX_CLOCK_REALTIME: host = CLOCK_REALTIME; break;
	case LINUX_CLOCK_MONOTONIC: host = CLOCK_MONOTONIC; break;
	case LINUX_CLOCK_MONOTONIC_RAW: host = CLOCK_MONOTONIC_RAW; break;
	case LINUX_CLOCK_REALTIME_COARSE: host = CLOCK_REALTIME_COARSE; break;
	case LINUX_CLOCK_MONOTONIC_COARSE: host = CLOCK_MONOTONIC_COARSE; break;
	case LINUX_CLOCK_BOOTTIME: host = CLOCK_BOOTTIME; break;
	case LINUX_CLOCK_REALTIME_ALARM: host = CLOCK_REALTIME; break;
	case LINUX_CLOCK_BOOTTIME_ALARM: host = CLOCK_BOOTTIME; break;
	case LINUX_CLOCK_TAI: host = CLOCK_TAI; break;
	default:
		return -EINVAL;
	}
	clock_gettime(host, &ts);
	*ns = timespec_ns(&ts);
	return 0;
}

long kern_clock_gettime(struct task *t, const struct clock_gettime_args *a)
{
	struct linux_timespec out;
	int64_t ns;
	int err = clock_read(t, a->clockid, &ns);

	if (err)
		return err;
	out = linux_ns_to_timespec(ns);
	return task_copy_out(t, a->tp, &out, sizeof(out)) ? -EFAULT : 0;
}

long kern_clock_getres(struct task *t, const struct clock_getres_args *a)
{
	struct linux_timespec res = { 0, 1 };
	int64_t ns;
	int err = clock_read(t, a->clockid, &ns);

	if (err)
		return err;
	if (a->clockid == LINUX_CLOCK_REALTIME_COARSE ||
	    a->clockid == LINUX_CLOCK_MONOTONIC_COARSE)
		res.tv_nsec = 4000000; /* a 250 Hz tick, like most kernels */
	if (a->res && task_copy_out(t, a->res, &res, sizeof(res)))
		return -EFAULT;
	return 0;
}

/* The sandbox may not set the host's clock, as a container without
 * CAP_SYS_TIME; but Linux's checks come first, so a program probing
 * which clocks are settable learns what it would on Linux: EINVAL for
 * every clock but CLOCK_REALTIME (the others have no set operation;
 * checked before the pointer), EFAULT, EINVAL for a bad time, then
 * EPERM. */
long kern_clock_settime(struct task *t, const struct clock_settime_args *a)
{
	struct linux_timespec ts;

	if (a->clockid != LINUX_CLOCK_REALTIME)
		return -EINVAL;
	if (task_copy_in(t, a->tp, &ts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	return -EPERM;
}

long kern_gettimeofday(struct task *t, const struct gettimeofday_args *a)
{
	struct timespec ts;
	struct linux_timeval tv;
	int32_t tz[2] = { 0, 0 };

	clock_gettime(CLOCK_REALTIME, &ts);
	tv = linux_ns_to_timeval(timespec_ns(&ts));
	if (a->tv && task_copy_out(t, a->tv, &tv, sizeof(tv)))
		return -EFAULT;
	if (a->tz && task_copy_out(t, a->tz, tz, sizeof(tz)))
		return -EFAULT;
	return 0;
}

long kern_time(struct task *t, const struct time_args *a)
{
	int64_t now = (int64_t)time(NULL);

	if (a->tloc && task_copy_out(t, a->tloc, &now, sizeof(now)))
		return -EFAULT;
	return now;
}

/* Write the time left to `rem` after an interrupted relative sleep. */
static int write_remaining(struct task *t, uint64_t rem, int64_t deadline)
{
	int64_t left = deadline - kernel_now_ns();
	struct linux_timespec ts = linux_ns_to_timespec(left > 0 ? left : 0);

	return rem && task_copy_out(t, rem, &ts, sizeof(ts)) ? -EFAULT : 0;
}

static long nanosleep_restart(struct task *t)
{
	int err = timer_sleep_until(t, t->restart_deadline_ns);

	if (err == -EINTR) {
		if (write_remaining(t, t->restart_args[1], t->restart_deadline_ns))
			return -EFAULT;
		t->restart_fn = nanosleep_restart;
		return -ERESTART_RESTARTBLOCK;
	}
	return err;
}

/* A relative sleep: interrupted, it writes the time left and restarts
 * through restart_syscall unless a handler runs (then EINTR). */
static long sleep_relative(struct task *t, uint64_t req, uint64_t rem)
{
	struct linux_timespec ts;
	int64_t ns, deadline, now = kernel_now_ns();
	int err;

	if (task_copy_in(t, req, &ts, sizeof(ts)))
		return -EFAULT;
	ns = linux_timespec_to_ns(&ts);
	if (ns < 0)
		return -EINVAL;
	deadline = ns > INT64_MAX - now ? INT64_MAX : now + ns;
	err = timer_sleep_until(t, deadline);
	if (err != -EINTR)
		return err;
	if (write_remaining(t, rem, deadline))
		return -EFAULT;
	t->restart_deadline_ns = deadline;
	t->restart_args[1] = rem;
	t->restart_fn = nanosleep_restart;
	return -ERESTART_RESTARTBLOCK;
}

long kern_nanosleep(struct task *t, const struct nanosleep_args *a)
{
	return sleep_relative(t, a->req, a->rem);
}

long kern_clock_nanosleep(struct task *t, const struct clock_nanosleep_args *a)
{
	struct linux_timespec ts;
	int64_t ns, now_clock, deadline;
	int err;

	switch (a->clockid) {
	case LINUX_CLOCK_REALTIME:
	case LINUX_CLOCK_MONOTONIC:
	case LINUX_CLOCK_BOOTTIME:
	case LINUX_CLOCK_TAI:
	case LINUX_CLOCK_PROCESS_CPUTIME_ID:
		break;
	case LINUX_CLOCK_MONOTONIC_RAW:
	case LINUX_CLOCK_REALTIME_COARSE:
	case LINUX_CLOCK_MONOTONIC_COARSE:
		return -EOPNOTSUPP; /* clocks Linux cannot sleep on */
	default:
		return -EINVAL;
	}
	if (!(a->flags & LINUX_TIMER_ABSTIME))
		return sleep_relative(t, a->request, a->remain);
	if (task_copy_in(t, a->request, &ts, sizeof(ts)))
		return -EFAULT;
	ns = linux_timespec_to_ns(&ts);
	if (ns < 0)
		return -EINVAL;
	err = clock_read(t, a->clockid, &now_clock);
	if (err)
		return err;
	/* An absolute sleep on another clock: wait the difference on the
	 * monotonic clock (a clock set meanwhile is not followed). */
	deadline = kernel_now_ns() + (ns > now_clock ? ns - now_clock : 0);
	err = timer_sleep_until(t, deadline);
	return err == -EINTR ? -ERESTARTNOHAND : err;
}

long kern_times(struct task *t, const struct times_args *a)
{
	const int64_t tick = NSEC / 100;
	struct linux_tms tms = { 0 };
	int64_t u = t->tg->utime_ns, s = t->tg->stime_ns;
	const struct task *o;

	TAILQ_FOREACH(o, &t->tg->tasks, tg_link) {
		u += o->utime_ns;
		s += o->stime_ns;
	}
	tms.utime = u / tick;
	tms.stime = s / tick;
	tms.cutime = t->tg->children_utime_ns / tick;
	tms.cstime = t->tg->children_stime_ns / tick;
	if (a->buf && task_copy_out(t, a->buf, &tms, sizeof(tms)))
		return -EFAULT;
	/* Ticks since an arbitrary point: Linux counts from boot + 5 min. */
	return (kernel_now_ns() / tick) + 30000;
}

/* The group's ITIMER_REAL, created on first use. */
static struct posix_timer *itimer_real(struct thread_group *tg)
{
	if (!tg->itimer_real) {
		tg->itimer_real = calloc(1, sizeof(*tg->itimer_real));
		if (!tg->itimer_real)
			return NULL;
		posix_timer_init(tg->itimer_real, tg);
		tg->itimer_real->id = -1;
		tg->itimer_real->signo = LINUX_SIGALRM;
		tg->itimer_real->notify = LINUX_SIGEV_SIGNAL;
	}
	return tg->itimer_real;
}

static struct linux_itimerval itimer_value(const struct ktimer *k)
{
	return (struct linux_itimerval){
		.interval = linux_ns_to_timeval(k->armed ? k->interval : 0),
		.value = linux_ns_to_timeval(ktimer_remaining(k)),
	};
}

/* The guest timeval as ns, rounding a sub-microsecond remainder up so a
 * small non-zero value still arms the timer; -EINVAL if malformed. */
static int64_t timeval_ns(const struct linux_timeval *tv)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return -EINVAL;
	if (tv->tv_sec > INT64_MAX / NSEC - 1)
		return INT64_MAX / 2;
	return tv->tv_sec * NSEC + tv->tv_usec * 1000;
}

long kern_getitimer(struct task *t, const struct getitimer_args *a)
{
	struct linux_itimerval v = { 0 };

	if (a->which == LINUX_ITIMER_REAL && t->tg->itimer_real) {
		v = itimer_value(&t->tg->itimer_real->kt);
	} else if (a->which != LINUX_ITIMER_REAL) {
		struct cpu_itimer *c = t->tg->itimer_cpu[a->which ==
							 LINUX_ITIMER_PROF];

		if (c && c->expires) {
			int64_t cpu = tg_cpu_ns(t->tg, c->prof);

			v.value = linux_ns_to_timeval(c->expires > cpu
							      ? c->expires - cpu
							      : 1000);
			v.interval = linux_ns_to_timeval(c->interval);
		}
	}
	return task_copy_out(t, a->curr_value, &v, sizeof(v)) ? -EFAULT : 0;
}

static long set_itimer_real(struct task *t, int64_t value, int64_t interval,
			    struct linux_itimerval *old)
{
	struct posix_timer *pt = itimer_real(t->tg);

	if (!pt)
		return -ENOMEM;
	*old = itimer_value(&pt->kt);
	if (value)
		ktimer_arm(&pt->kt, kernel_now_ns() + value, interval);
	else
		ktimer_disarm(&pt->kt);
	return 0;
}

long kern_setitimer(struct task *t, const struct setitimer_args *a)
{
	struct linux_itimerval nv = { 0 }, old = { 0 };
	int64_t value, interval;
	long err;

	if (a->new_value && task_copy_in(t, a->new_value, &nv, sizeof(nv)))
		return -EFAULT;
	value = timeval_ns(&nv.value);
	interval = timeval_ns(&nv.interval);
	if (value < 0 || interval < 0)
		return -EINVAL;
	switch (a->which) {
	case LINUX_ITIMER_REAL:
		err = set_itimer_real(t, value, interval, &old);
		if (err)
			return err;
		break;
	case LINUX_ITIMER_VIRTUAL:
	case LINUX_ITIMER_PROF: {
		int64_t ov, oi;

		cpu_itimer_set(t->tg, a->which == LINUX_ITIMER_PROF, value,
			       interval, &ov, &oi);
		old.value = linux_ns_to_timeval(ov);
		old.interval = linux_ns_to_timeval(oi);
		break;
	}
	default:
		return -EINVAL;
	}
	if (a->old_value && task_copy_out(t, a->old_value, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long kern_alarm(struct task *t, const struct alarm_args *a)
{
	struct linux_itimerval old;
	int64_t secs;

	if (set_itimer_real(t, (int64_t)a->seconds * NSEC, 0, &old))
		return 0;
	/* The seconds left, rounded to nearest, at least 1 if armed. */
	secs = old.value.tv_sec + (old.value.tv_usec >= 500000);
	if (!secs && (old.value.tv_sec || old.value.tv_usec))
		secs = 1;
	return secs;
}

static struct posix_timer *find_timer(struct task *t, int id)
{
	struct posix_timer *pt;

	LIST_FOREACH(pt, &t->tg->timers, link)
		if (pt->id == id)
			return pt;
	return NULL;
}

long kern_timer_create(struct task *t, const struct timer_create_args *a)
{
	struct linux_sigevent ev = { .notify = LINUX_SIGEV_SIGNAL,
				     .signo = LINUX_SIGALRM };
	struct posix_timer *pt;
	int64_t ns;
	int32_t id;
	unsigned n = 0;

	if (clock_read(t, a->clockid, &ns))
		return -EINVAL;
	if (a->sevp && task_copy_in(t, a->sevp, &ev, sizeof(ev)))
		return -EFAULT;
	switch (ev.notify) {
	case LINUX_SIGEV_NONE:
		break;
	case LINUX_SIGEV_SIGNAL:
	case LINUX_SIGEV_THREAD_ID:
		if (ev.signo < 1 || ev.signo > LINUX_NSIG)
			return -EINVAL;
		if (ev.notify == LINUX_SIGEV_THREAD_ID) {
			struct task *o = task_by_tid(ev.tid);

			if (!o || o->tg != t->tg)
				return -EINVAL;
		}
		break;
	default:
		return -EINVAL;
	}
	LIST_FOREACH(pt, &t->tg->timers, link)
		n++;
	if (n >= MAX_TIMERS_PER_GROUP)
		return -EAGAIN;
	pt = calloc(1, sizeof(*pt));
	if (!pt)
		return -EAGAIN;
	posix_timer_init(pt, t->tg);
	do
		id = t->tg->next_timer_id++ & 0x7fffffff;
	while (find_timer(t, id));
	pt->id = id;
	pt->clock = a->clockid;
	pt->notify = ev.notify;
	pt->signo = ev.signo;
	pt->target_tid = ev.tid;
	pt->value = a->sevp ? ev.value : (uint64_t)id;
	if (task_copy_out(t, a->timerid, &id, sizeof(id))) {
		free(pt);
		return -EFAULT;
	}
	LIST_INSERT_HEAD(&t->tg->timers, pt, link);
	return 0;
}

long kern_timer_settime(struct task *t, const struct timer_settime_args *a)
{
	struct posix_timer *pt = find_timer(t, a->timerid);
	struct linux_itimerspec nv, old;
	int64_t value, interval;

	if (!pt)
		return -EINVAL;
	if (task_copy_in(t, a->new_value, &nv, sizeof(nv)))
		return -EFAULT;
	value = linux_timespec_to_ns(&nv.value);
	interval = linux_timespec_to_ns(&nv.interval);
	if (value < 0 || interval < 0)
		return -EINVAL;
	old.interval = linux_ns_to_timespec(pt->kt.armed ? pt->kt.interval : 0);
	old.value = linux_ns_to_timespec(ktimer_remaining(&pt->kt));
	if (!value) {
		ktimer_disarm(&pt->kt);
	} else {
		int64_t now_clock, deadline;

		if (a->flags & LINUX_TIMER_ABSTIME) {
			clock_read(t, pt->clock, &now_clock);
			deadline = kernel_now_ns() +
				   (value > now_clock ? value - now_clock : 0);
		} else {
			deadline = kernel_now_ns() + value;
		}
		ktimer_arm(&pt->kt, deadline, interval);
	}
	if (a->old_value && task_copy_out(t, a->old_value, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long kern_timer_gettime(struct task *t, const struct timer_gettime_args *a)
{
	struct posix_timer *pt = find_timer(t, a->timerid);
	struct linux_itimerspec v;

	if (!pt)
		return -EINVAL;
	v.interval = linux_ns_to_timespec(pt->kt.armed ? pt->kt.interval : 0);
	v.value = linux_ns_to_timespec(ktimer_remaining(&pt->kt));
	return task_copy_out(t, a->curr_value, &v, sizeof(v)) ? -EFAULT : 0;
}

long kern_timer_getoverrun(struct task *t, const struct timer_getoverrun_args *a)
{
	struct posix_timer *pt = find_timer(t, a->timerid);

	return pt ? pt->last_overrun : -EINVAL;
}

long kern_timer_delete(struct task *t, const struct timer_delete_args *a)
{
	struct posix_timer *pt = find_timer(t, a->timerid);

	if (!pt)
		return -EINVAL;
	LIST_REMOVE(pt, link);
	ktimer_disarm(&pt->kt);
	free(pt);
	return 0;
}
