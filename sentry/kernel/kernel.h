/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel.h: the Sentry's one kernel instance and its big lock.
 *
 * Concurrency model: every guest thread has one Sentry pthread (its task
 * goroutine, in gVisor's words). All Sentry state is protected by one lock,
 * the kernel lock, held whenever Sentry code runs, and dropped only while
 * (a) the task runs guest code (ctx_switch), (b) it waits (task_wait), or
 * (c) it does host I/O that may block (then it must not touch Sentry state).
 * Guest code runs in parallel; syscall handling is serialised. This keeps
 * the kernel simple enough to audit; finer locks can come later where a
 * benchmark shows the need.
 */
#ifndef CVISOR_KERNEL_H
#define CVISOR_KERNEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct platform;
struct memfile;
struct gofer_client;
struct mount;
struct task;

struct kernel {
	pthread_mutex_t lock;
	struct platform *platform;
	struct memfile *memfile;
	struct gofer_client *gofer;   /* the root filesystem's file server */
	struct mount *root_mount;     /* the sandbox's / */

	char hostname[65];
	char domainname[65];
	struct timespec boot_realtime;   /* CLOCK_REALTIME at start */
	struct timespec boot_monotonic;  /* CLOCK_MONOTONIC at start */

	bool strace;                  /* --strace */
	int strace_fd;                /* where strace lines go */

	struct task *init;            /* pid 1 */
	int exit_status;              /* the sandbox's result, as a wait status */
	bool shutting_down;
	pthread_cond_t all_exited;    /* signalled when the last task is reaped */
	unsigned live_tasks;
	/* Called (kernel lock held) when a process started from outside
	 * (`runsc exec`, tg->external) ends, with its wait status. */
	void (*orphan_exit_hook)(int tgid, int status);
};

extern struct kernel *kernel;

void kernel_lock(void);
void kernel_unlock(void);
/* For assertions: true if the calling thread holds the kernel lock. */
bool kernel_locked(void);

/* Nanoseconds of CLOCK_MONOTONIC; the Sentry's time base for deadlines. */
int64_t kernel_now_ns(void);

#endif
