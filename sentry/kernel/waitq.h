/* SPDX-License-Identifier: Apache-2.0 */
/*
 * waitq.h: wait queues and event notification.
 *
 * Anything a task can block on (a pipe, a child's exit, a futex, a host fd)
 * owns a waitq. A blocked task puts a waiter on the queues it waits for,
 * re-checks its condition, and calls task_wait(); whoever changes the state
 * calls waitq_notify() with the events that happened (POLLIN, POLLOUT, ...).
 * poll/epoll use the same waiters with a callback instead of a task wake.
 * All of it runs under the kernel lock.
 */
#ifndef CVISOR_WAITQ_H
#define CVISOR_WAITQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

struct task;
struct waiter;

/* A callback waiter's notification, with all the events notified (not
 * only those of its mask). It returns whether it took the wake-up: only
 * an exclusive waiter's answer matters (see waitq_add_exclusive). */
typedef int (*waiter_fn)(struct waiter *, uint32_t events);

struct waiter {
	TAILQ_ENTRY(waiter) link;
	uint32_t mask;      /* events this waiter cares about; ~0 for all */
	waiter_fn notify;   /* NULL: wake `task` */
	struct task *task;
	void *priv;         /* for callback users */
	struct waitq *q;    /* the queue it is on, NULL if none */
	bool exclusive;     /* see waitq_add_exclusive */
};

struct waitq {
	TAILQ_HEAD(waiter_list, waiter) waiters;
};

/* Events beyond poll's: a child changed state, a futex word was woken. */
#define WAITQ_EV_CHILD 0x40000000u
/* The queue itself is about to be freed (Linux's POLLFREE): a waiter that
 * outlives waits (an epoll interest) must leave it now. */
#define WAITQ_EV_FREE 0x20000000u
#define WAITQ_EV_ALL 0xffffffffu

void waitq_init(struct waitq *);
/* A waiter that wakes task `t` for any of `mask`. */
void waiter_init_task(struct waiter *, struct task *t, uint32_t mask);
void waiter_init_fn(struct waiter *, waiter_fn, void *priv, uint32_t mask);
void waitq_add(struct waitq *, struct waiter *);
/* An exclusive waiter (epoll's EPOLLEXCLUSIVE): a notification fires
 * every ordinary waiter but exclusive ones only until one of them takes
 * it (its callback returns nonzero; a task waiter always takes it). */
void waitq_add_exclusive(struct waitq *, struct waiter *);
/* Safe on a waiter that is on no queue. */
void waitq_remove(struct waiter *);
/* Notify every waiter whose mask intersects `events`. */
void waitq_notify(struct waitq *, uint32_t events);
/* Notify at most `n` task waiters (futex wake); returns how many. */
int waitq_notify_n(struct waitq *, uint32_t events, int n);
int waitq_empty(const struct waitq *);

#endif
