/* SPDX-License-Identifier: Apache-2.0 */
/*
 * task.c: the pid namespace, blocking and waking, and the small accessors
 * every subsystem uses on a task.
 */
#include <errno.h>
#include <sched.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/task_internal.h"
#include "sentry/mm/mm.h"

static __thread struct task *current_task;

struct task *task_current(void)
{
	return current_task;
}

void task_set_current(struct task *t)
{
	current_task = t;
}

/* Monotonic ns -> the absolute timespec pthread_cond_timedwait wants (the
 * task conds use CLOCK_MONOTONIC). */
static struct timespec ns_to_ts(int64_t ns)
{
	return (struct timespec){ .tv_sec = ns / 1000000000LL,
				  .tv_nsec = ns % 1000000000LL };
}

/* Whether something must end the task's wait now: a fatal condition
 * (group exit, SIGKILL) or, for interruptible waits, any deliverable
 * signal. */
static bool must_stop_waiting(struct task *t, bool interruptible)
{
	if (t->tg->group_exiting || t->exiting)
		return true;
	if ((t->pending.set | t->tg->pending.set) & LINUX_SIGBIT(LINUX_SIGKILL))
		return true;
	return interruptible && task_signal_pending(t);
}

int task_wait(struct task *t, int64_t deadline_ns, bool interruptible)
{
	int ret = 0;
	enum task_state saved = t->state;
	int64_t asleep = kernel_now_ns();

	t->woken = false;
	t->state = TASK_BLOCKED;
	for (;;) {
		if (t->woken)
			break;
		if (must_stop_waiting(t, interruptible)) {
			ret = -EINTR;
			break;
		}
		if (deadline_ns) {
			struct timespec ts;

			if (kernel_now_ns() >= deadline_ns) {
				ret = -ETIMEDOUT;
				break;
			}
			ts = ns_to_ts(deadline_ns);
			pthread_cond_timedwait(&t->cond, &kernel->lock, &ts);
		} else {
			pthread_cond_wait(&t->cond, &kernel->lock);
		}
	}
	t->woken = false;
	t->state = saved == TASK_BLOCKED ? TASK_RUNNING : saved;
	t->blocked_ns += kernel_now_ns() - asleep;
	return ret;
}

void task_wake(struct task *t)
{
	uint64_t one = 1;

	t->woken = true;
	pthread_cond_signal(&t->cond);
	if (t->in_host_wait && t->interrupt_fd >= 0 &&
	    write(t->interrupt_fd, &one, sizeof(one)) < 0) {
		/* The eventfd counter is saturated: the task is awake anyway. */
	}
}

int task_host_poll(struct task *t, struct pollfd *fds, int n,
		   int64_t deadline_ns)
{
	struct pollfd stack[17], *p = stack;
	struct timespec ts, *tsp = NULL;
	int64_t asleep;
	int ready, err;

	if (must_stop_waiting(t, true))
		return -EINTR;
	if (n < 0 || n > 4096)
		return -EINVAL;
	if (n + 1 > (int)(sizeof(stack) / sizeof(stack[0]))) {
		p = malloc((size_t)(n + 1) * sizeof(*p));
		if (!p)
			return -ENOMEM;
	}
	if (deadline_ns) {
		int64_t left = deadline_ns - kernel_now_ns();

		if (left <= 0) {
			left = 0;
		}
		ts = ns_to_ts(left);
		tsp = &ts;
	}
	memcpy(p, fds, (size_t)n * sizeof(*p));
	p[n] = (struct pollfd){ .fd = t->interrupt_fd, .events = POLLIN };
	t->in_host_wait = true;
	asleep = kernel_now_ns();
	kernel_unlock();
	ready = ppoll(p, (nfds_t)n + 1, tsp, NULL);
	err = errno;
	kernel_lock();
	t->blocked_ns += kernel_now_ns() - asleep;
	t->in_host_wait = false;
	if (p[n].revents & POLLIN) {
		uint64_t v;

		/* A wake-up or a signal: drain the eventfd for next time. */
		if (read(t->interrupt_fd, &v, sizeof(v)) < 0) {
			/* already drained */
		}
		ready--;
	}
	for (int i = 0; i < n; i++)
		fds[i].revents = p[i].revents;
	if (p != stack)
		free(p);
	if (ready < 0)
		return err == EINTR ? -EINTR : -err;
	if (ready > 0)
		return ready;
	if (must_stop_waiting(t, true))
		return -EINTR;
	if (deadline_ns && kernel_now_ns() >= deadline_ns)
		return -ETIMEDOUT;
	return 0;
}

int task_host_wait(struct task *t, int fd, short events, int64_t deadline_ns)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r = task_host_poll(t, &p, 1, deadline_ns);

	if (r > 0)
		return p.revents;
	return r;
}

bool task_signal_pending(struct task *t)
{
	return ((t->pending.set | t->tg->pending.set) &
		(~t->sigmask | t->sigwait_set)) != 0;
}

int task_copy_in(struct task *t, uint64_t addr, void *dst, size_t len)
{
	return mm_copy_in(t->mm, addr, dst, len);
}

int task_copy_out(struct task *t, uint64_t addr, const void *src, size_t len)
{
	return mm_copy_out(t->mm, addr, src, len);
}

long task_copy_string_in(struct task *t, uint64_t addr, char *dst, size_t max)
{
	return mm_copy_string_in(t->mm, addr, dst, max);
}

bool creds_capable(const struct creds *c, int cap)
{
	return cap >= 0 && cap < 64 && (c->cap_effective & (1ULL << cap));
}

void task_apply_affinity(struct task *t)
{
	cpu_set_t set;

	if (!t->affinity_dirty)
		return;
	t->affinity_dirty = false;
	CPU_ZERO(&set);
	for (int i = 0; i < CPU_SETSIZE && i < 1024; i++)
		if (t->affinity[i / 64] & (1ULL << (i % 64)))
			CPU_SET(i, &set);
	/* Best effort: the host may have fewer CPUs than it reported. */
	sched_setaffinity(0, sizeof(set), &set);
}

void tg_update_maxrss(struct thread_group *tg, struct mm *mm)
{
	uint64_t total, resident;

	if (!mm)
		return;
	mm_usage(mm, &total, &resident);
	if (resident * 4 > tg->maxrss_kb)
		tg->maxrss_kb = resident * 4;
}
