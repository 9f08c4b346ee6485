/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signal.h: the kernel's signal machinery, shared by the task loop, the
 * signal syscalls, exit and wait.
 */
#ifndef CVISOR_SIGNAL_H
#define CVISOR_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "sentry/abi/signal.h"

struct task;
struct thread_group;
struct sigpending;

enum sig_default {
	SIG_DEFAULT_TERM,
	SIG_DEFAULT_CORE,
	SIG_DEFAULT_IGNORE,
	SIG_DEFAULT_STOP,
	SIG_DEFAULT_CONTINUE,
};

enum sig_default signal_default_action(int sig);
bool signal_is_stop(int sig);
/* The wait status of a group killed by `sig` (core bit as Linux sets it). */
int signal_death_status(struct thread_group *, int sig);

void sigpending_init(struct sigpending *);
void sigpending_flush(struct sigpending *);

/* Take the next deliverable signal among `mask` (thread queue first,
 * synchronous faults first, then the lowest number). */
bool signal_dequeue(struct task *, uint64_t mask, struct linux_siginfo *out);

/* Make a task notice a pending signal or exit: leave guest code or an
 * interruptible wait. */
void task_kick(struct task *);
/* End every task of the group; `status` is the group's wait status. */
void signal_group_exit(struct thread_group *, int status);
/* SIGCHLD for stop/continue (CLD_STOPPED, CLD_CONTINUED) to the parent. */
void signal_notify_parent(struct thread_group *, int why, int status);

/*
 * Called by the task loop before returning to guest code: deliver pending
 * signals (set up handler frames, apply default actions, enter group
 * stops), and complete the restart of an interrupted syscall. Returns true
 * when the task must exit instead.
 */
bool signal_handle_pending(struct task *);

/* rt_sigreturn: restore the frame at the guest rsp. Returns the restored
 * rax, or a negative value after forcing SIGSEGV for a bad frame. */
long signal_sigreturn(struct task *);

/* SS_ONSTACK when sp is on the task's alternate stack, SS_DISABLE when it
 * has none, else 0 (sigaltstack and uc_stack report it). */
int signal_altstack_flags(const struct task *, uint64_t sp);

/* Signals that can never be blocked. */
#define SIGNAL_UNBLOCKABLE (LINUX_SIGBIT(LINUX_SIGKILL) | LINUX_SIGBIT(LINUX_SIGSTOP))

#endif
