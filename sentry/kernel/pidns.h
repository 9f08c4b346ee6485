/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pidns.h: the sandbox's one pid namespace: numbers for tasks, thread
 * groups, process groups and sessions, counted from 1 as Linux does.
 */
#ifndef CVISOR_PIDNS_H
#define CVISOR_PIDNS_H

#include <stdbool.h>

struct task;
struct thread_group;

/* Linux's default pid_max on small machines. */
#define PIDNS_PID_MAX 32768

/* A free pid for `t` (registered at once), or -EAGAIN when full. */
int pidns_alloc(struct task *t);
/* Exactly `pid` (clone3's set_tid): -EEXIST if taken, -EINVAL if out of
 * range. */
int pidns_alloc_at(struct task *t, int pid);
/* Give `pid` back (the task was reaped or its thread exited). */
void pidns_free(int pid);
/* Point `pid` at another task (execve by a non-leader takes the leader's pid). */
void pidns_set(int pid, struct task *t);

/* Iterate the live thread groups (leaders registered in the table,
 * zombies included); stop when fn returns non-zero and return that. */
int pidns_for_each_group(int (*fn)(struct thread_group *, void *), void *arg);
int pidns_for_each_task(int (*fn)(struct task *, void *), void *arg);
/* How many pids are in use (for /proc/loadavg and sysinfo). */
unsigned pidns_count(void);

/* Internal to the kernel: the task pointer behind the current thread. */
void task_set_current(struct task *);

#endif
