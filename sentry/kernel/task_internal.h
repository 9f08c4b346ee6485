/* SPDX-License-Identifier: Apache-2.0 */
/*
 * task_internal.h: task lifecycle functions shared inside sentry/kernel
 * (creation, start, exit, exec) and the boot code.
 */
#ifndef CVISOR_TASK_INTERNAL_H
#define CVISOR_TASK_INTERNAL_H

#include <stdint.h>

struct task;
struct thread_group;
struct creds;
struct sighand;

/* A blank task: FPU state, wake-up primitives, no resources yet. */
struct task *task_alloc(void);
void task_free(struct task *);
/* A new thread group with default rlimits, led by nobody yet. */
struct thread_group *tg_alloc(void);
/* Make `t` a member (the first one becomes the leader, tgid = tid). */
void tg_add_task(struct thread_group *, struct task *);

struct creds *creds_new_root(void);
void creds_get(struct creds *);
void creds_put(struct creds *);
/* A private copy for modification (copy on write). */
struct creds *creds_dup(const struct creds *);

struct sighand *sighand_new(void);
void sighand_get(struct sighand *);
void sighand_put(struct sighand *);
struct sighand *sighand_dup(const struct sighand *);

/* Start the task's Sentry thread (it runs task_thread's loop). */
int task_start(struct task *);
/* First thing a new task does on its own thread (CLONE_CHILD_SETTID). */
void task_started(struct task *);
/* The task's thread is done: release it, end the group if last. */
void task_exit(struct task *);

/* clone/fork/vfork/clone3 after argument decoding. */
struct clone_params {
	uint64_t flags;
	uint64_t stack;        /* new rsp (0: keep) */
	uint64_t parent_tid;   /* CLONE_PARENT_SETTID */
	uint64_t child_tid;    /* CLONE_CHILD_SETTID / CHILD_CLEARTID */
	uint64_t tls;          /* CLONE_SETTLS: the new fs_base */
	uint64_t pidfd;        /* CLONE_PIDFD: where the new pidfd goes */
	int set_tid;           /* clone3's set_tid: the pid wanted (0: any) */
	int exit_signal;
};
long task_clone(struct task *, const struct clone_params *);

/* Release a vfork parent waiting for `t` (t execs or exits). */
void task_vfork_release(struct task *);

/* Pin the task's Sentry thread to its affinity mask if it changed. */
void task_apply_affinity(struct task *);
/* Record the group's peak resident size from its address space. */
struct mm;
void tg_update_maxrss(struct thread_group *, struct mm *);

/* The group now runs `f` (NULL: none): the old program's file may be
 * written again, the new one may not. */
struct file;
void tg_set_exe_file(struct thread_group *, struct file *f);

/* Free a reaped zombie group (wait) or one nobody will reap. */
void tg_release(struct thread_group *);

/* exit(2) of one thread, and exit_group. */
void task_exit_thread(struct task *, int status);

/* Kill every other thread of t's group and wait until t is the only one
 * (execve from a multi-threaded process). Returns -EINTR if t itself must
 * die meanwhile. */
int task_de_thread(struct task *);

#endif
