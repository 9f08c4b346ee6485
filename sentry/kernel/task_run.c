/* SPDX-License-Identifier: Apache-2.0 */
/*
 * task_run.c: the loop every task's Sentry thread runs: deliver signals,
 * run guest code until it traps, handle the trap (a syscall through the
 * generated table, a fault through mm, a synchronous signal), repeat.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "lib/log.h"
#include "platform/platform.h"
#include "sentry/abi/errno.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/task_internal.h"
#include "sentry/mm/mm.h"
#include "sentry/strace/strace.h"

/* Read guest memory for the strace printers. */
static ssize_t strace_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct task *t = ctx;

	return task_copy_in(t, addr, buf, len) ? -EFAULT : (ssize_t)len;
}

/* Print one strace line for the task's current call. */
static void strace_line(struct task *t, uint64_t nr, const uint64_t raw[6],
			long ret, bool entering)
{
	struct strace_out o;

	strace_out_init(&o, strace_read, t);
	strace_printf(&o, "[%5d] ", t->tid);
	strace_format(&o, nr, raw, ret, entering);
	strace_printf(&o, "\n");
	if (o.buf && write(kernel->strace_fd, o.buf, o.len) < 0) {
		/* strace output is best effort. */
	}
	strace_out_free(&o);
}

/* Handle a syscall trap: dispatch, then store the result. */
static void task_syscall(struct task *t, const struct trap *tr)
{
	struct cpu_regs *r = &t->cpu.regs;
	uint64_t nr = r->orig_rax;
	uint64_t raw[6] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 };
	const struct syscall_entry *e = kernel->strace ? syscall_lookup(nr) : NULL;
	long ret;

	if (tr->code == PLATFORM_SYSCALL_INT80) {
		/* 32-bit system calls (int $0x80) are not offered: the
		 * sandbox is 64-bit only, as with IA32 emulation off. */
		r->rax = (uint64_t)-ENOSYS;
		return;
	}
	t->syscall_nr = nr;
	memcpy(t->syscall_args, raw, sizeof(raw));
	if (e && e->strace_at_enter)
		strace_line(t, nr, raw, 0, true);
	ret = syscall_dispatch(t, nr, raw);
	/* rt_sigreturn and execve replace the registers themselves. */
	if (t->regs_replaced) {
		t->regs_replaced = false;
		if (kernel->strace && !(e && e->strace_at_enter))
			strace_line(t, nr, raw, ret, false);
		return;
	}
	r->rax = (uint64_t)ret;
	if (kernel->strace && !(e && e->strace_at_enter))
		strace_line(t, nr, raw, ret, false);
}

/* A hardware fault: let mm resolve it, or raise the signal. */
static void task_fault(struct task *t, const struct trap *tr)
{
	int code = LINUX_SEGV_MAPERR;
	int rc = mm_fault(t->mm, tr->addr, tr->access, &code);

	if (rc == 0)
		return;
	t->trap_cr2 = tr->addr;
	t->trap_no = tr->trapno ? tr->trapno : 14;
	t->trap_err = tr->error_code;
	if (rc == -EIO)
		signal_force(t, LINUX_SIGBUS, LINUX_BUS_ADRERR, tr->addr);
	else
		signal_force(t, LINUX_SIGSEGV, code, tr->addr);
}

/* A synchronous signal raised by an instruction (ud2, int3, div by 0). */
static void task_trap_signal(struct task *t, const struct trap *tr)
{
	t->trap_cr2 = 0;
	t->trap_no = tr->trapno;
	t->trap_err = tr->error_code;
	signal_force(t, tr->signo, tr->code, tr->addr);
}

/* Account the time the task spent since `since` to user or system time,
 * less what it slept (`asleep`: blocked_ns then) in a blocking call. */
static void account(struct task *t, int64_t *counter, int64_t since,
		    int64_t asleep)
{
	*counter += kernel_now_ns() - since - (t->blocked_ns - asleep);
}

static void *task_thread(void *arg)
{
	struct task *t = arg;
	const struct platform_ops *ops = kernel->platform->ops;
	struct trap tr;
	int err;

	task_set_current(t);
	kernel_lock();
	err = ops->ctx_new(kernel->platform, &t->ctx);
	if (err) {
		log_error("task %d: no platform context: %s", t->tid,
			  strerror(-err));
		signal_group_exit(t->tg, LINUX_SIGKILL);
	}
	task_started(t);
	for (;;) {
		int64_t since, asleep;

		if (signal_handle_pending(t))
			break;
		task_apply_affinity(t);
		since = kernel_now_ns();
		t->guest_since = since;
		t->in_guest = true;
		kernel_unlock();
		err = ops->ctx_switch(t->ctx, mm_as(t->mm), &t->cpu, &tr);
		kernel_lock();
		t->in_guest = false;
		account(t, &t->utime_ns, since, t->blocked_ns);
		since = kernel_now_ns();
		asleep = t->blocked_ns;
		if (err) {
			/* The platform lost the thread (or refused registers
			 * the guest set): the process cannot go on. */
			log_warn("task %d: platform: %s", t->tid, strerror(-err));
			signal_group_exit(t->tg, LINUX_SIGSEGV);
			break;
		}
		switch (tr.kind) {
		case TRAP_SYSCALL:
			task_syscall(t, &tr);
			break;
		case TRAP_FAULT:
			task_fault(t, &tr);
			break;
		case TRAP_SIGNAL:
			task_trap_signal(t, &tr);
			break;
		case TRAP_INTERRUPTED:
			break;
		}
		account(t, &t->stime_ns, since, asleep);
	}
	task_exit(t);
	kernel_unlock();
	return NULL;
}

int task_start(struct task *t)
{
	pthread_attr_t attr;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* Sentry threads run kernel code only: a modest stack suffices. */
	pthread_attr_setstacksize(&attr, 256 * 1024);
	err = pthread_create(&t->thread, &attr, task_thread, t);
	pthread_attr_destroy(&attr);
	return -err;
}
