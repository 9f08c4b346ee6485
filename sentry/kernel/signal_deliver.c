/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signal_deliver.c: delivering signals to a task on its way back to guest
 * code: default actions, group stops, the x86-64 signal frame and
 * rt_sigreturn, and restarting interrupted syscalls (-ERESTART*), after
 * arch/x86/kernel/signal.c and kernel/signal.c.
 *
 * The frame lives on the guest stack, so everything read back from it in
 * rt_sigreturn is hostile: segment selectors and privileged flags are
 * forced, and the FPU image is sanitised so the host accepts it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "platform/platform.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/sigframe.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/session.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"

/* User code and stack selectors of 64-bit mode. */
#define USER_CS 0x33
#define USER_SS 0x2b

/* EFLAGS bits a signal handler may change (arch/x86 FIX_EFLAGS). */
#define FIX_EFLAGS 0x50dd5ULL
#define EFLAGS_TF 0x100ULL
#define EFLAGS_DF 0x400ULL
#define EFLAGS_RF 0x10000ULL
#define EFLAGS_AC 0x40000ULL

static bool on_altstack(const struct task *t, uint64_t sp)
{
	const struct linux_stack *ss = &t->altstack;

	if (ss->flags & LINUX_SS_DISABLE)
		return false;
	return sp > ss->sp && sp - ss->sp <= ss->size;
}

/* The state of the alternate stack as sigaltstack and uc_stack show it. */
int signal_altstack_flags(const struct task *t, uint64_t sp)
{
	if (t->altstack.flags & LINUX_SS_DISABLE)
		return LINUX_SS_DISABLE;
	return on_altstack(t, sp) ? LINUX_SS_ONSTACK : 0;
}

/* Adjust the registers of a syscall interrupted by a signal: restart it, or
 * make it fail with EINTR, as the return code and the handler say. */
static void syscall_restart(struct task *t, const struct linux_sigaction *act)
{
	struct cpu_regs *r = &t->cpu.regs;
	long ret = (long)r->rax;

	if ((int64_t)r->orig_rax < 0 || !IS_RESTART_ERRNO(ret))
		return;
	if (act) {
		if (ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK ||
		    (ret == -ERESTARTSYS && !(act->flags & LINUX_SA_RESTART))) {
			r->rax = (uint64_t)-EINTR;
			return;
		}
	}
	if (ret == -ERESTART_RESTARTBLOCK)
		r->rax = SYS_restart_syscall;
	else
		r->rax = r->orig_rax;
	r->rip -= 2; /* back over the 2-byte syscall instruction */
}

/* The XSAVE features the host enables, for sanitising guest images. */
static uint64_t host_xfeatures(void)
{
	static uint64_t xcr0;

	if (!xcr0) {
		uint32_t lo, hi;

		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		xcr0 = ((uint64_t)hi << 32) | lo;
	}
	return xcr0;
}

/* Make an FPU image from the guest safe to load: reserved MXCSR bits and
 * XSAVE header fields the CPU would fault on are cleared. */
static void fpu_sanitise(uint8_t *fpu, size_t len)
{
	uint32_t mxcsr;
	uint64_t bv;

	memcpy(&mxcsr, fpu + 24, 4);
	mxcsr &= 0xffff;
	memcpy(fpu + 24, &mxcsr, 4);
	if (len < 576)
		return;
	memcpy(&bv, fpu + 512, 8);
	bv &= host_xfeatures();
	memcpy(fpu + 512, &bv, 8);
	memset(fpu + 520, 0, 56); /* xcomp_bv (standard form) + reserved */
}

/* Write the FPU state below sp (64-byte aligned) with the software bytes
 * that tell sigreturn an XSAVE image follows; returns its address or 0. */
static uint64_t save_fpu(struct task *t, uint64_t sp)
{
	size_t len = t->cpu.fpu_len;
	uint64_t addr = (sp - len - 4) & ~63ULL;
	struct linux_fpx_sw_bytes sw = {
		.magic1 = LINUX_FP_XSTATE_MAGIC1,
		.extended_size = (uint32_t)len + 4,
		.xfeatures = host_xfeatures(),
		.xstate_size = (uint32_t)len,
	};
	uint32_t magic2 = LINUX_FP_XSTATE_MAGIC2;
	uint8_t *img = malloc(len);
	int err;

	if (!img)
		return 0;
	memcpy(img, t->cpu.fpu, len);
	memcpy(img + LINUX_FPX_SW_BYTES_OFFSET, &sw, sizeof(sw));
	err = task_copy_out(t, addr, img, len);
	if (!err)
		err = task_copy_out(t, addr + len, &magic2, 4);
	free(img);
	return err ? 0 : addr;
}

/* Build the rt_sigframe for `info` and point the registers at the handler. */
static int setup_frame(struct task *t, const struct linux_siginfo *info,
		       struct linux_sigaction *act)
{
	struct cpu_regs *r = &t->cpu.regs;
	struct linux_rt_sigframe f;
	uint64_t sp = r->rsp - 128; /* the x86-64 red zone */
	uint64_t fpstate, frame;
	bool was_on = on_altstack(t, r->rsp);
	int sig = info->signo;

	if (!(act->flags & LINUX_SA_RESTORER))
		return -EFAULT; /* x86-64 has no kernel-provided trampoline */
	if ((act->flags & LINUX_SA_ONSTACK) && !was_on &&
	    !(t->altstack.flags & LINUX_SS_DISABLE))
		sp = t->altstack.sp + t->altstack.size;
	fpstate = save_fpu(t, sp);
	if (!fpstate)
		return -EFAULT;
	frame = ((fpstate - sizeof(f)) & ~15ULL) - 8;
	/* Running off the alternate stack is a stack overflow, not a frame
	 * written over whatever lies below it. */
	if (((act->flags & LINUX_SA_ONSTACK) || was_on) &&
	    !(t->altstack.flags & LINUX_SS_DISABLE) &&
	    (frame <= t->altstack.sp ||
	     frame - t->altstack.sp > t->altstack.size) &&
	    (was_on || sp == t->altstack.sp + t->altstack.size))
		return -EFAULT;

	memset(&f, 0, sizeof(f));
	f.pretcode = act->restorer;
	f.uc.uc_flags = LINUX_UC_FP_XSTATE | LINUX_UC_SIGCONTEXT_SS |
			LINUX_UC_STRICT_RESTORE_SS;
	f.uc.uc_stack.sp = t->altstack.sp;
	f.uc.uc_stack.size = t->altstack.size;
	f.uc.uc_stack.flags = signal_altstack_flags(t, r->rsp) |
			      (t->altstack.flags & (int32_t)LINUX_SS_AUTODISARM);
	f.uc.uc_mcontext = (struct linux_sigcontext){
		.r8 = r->r8, .r9 = r->r9, .r10 = r->r10, .r11 = r->r11,
		.r12 = r->r12, .r13 = r->r13, .r14 = r->r14, .r15 = r->r15,
		.rdi = r->rdi, .rsi = r->rsi, .rbp = r->rbp, .rbx = r->rbx,
		.rdx = r->rdx, .rax = r->rax, .rcx = r->rcx, .rsp = r->rsp,
		.rip = r->rip, .eflags = r->eflags,
		.cs = USER_CS, .ss = USER_SS,
		.err = t->trap_err, .trapno = t->trap_no,
		.oldmask = t->restore_sigmask ? t->saved_sigmask : t->sigmask,
		.cr2 = t->trap_cr2, .fpstate = fpstate,
	};
	f.uc.uc_sigmask = f.uc.uc_mcontext.oldmask;
	f.info = *info;
	if (task_copy_out(t, frame, &f, sizeof(f)))
		return -EFAULT;

	r->rdi = (uint64_t)sig;
	r->rsi = frame + offsetof(struct linux_rt_sigframe, info);
	r->rdx = frame + offsetof(struct linux_rt_sigframe, uc);
	r->rax = 0;
	r->rsp = frame;
	r->rip = act->handler;
	r->eflags &= ~(EFLAGS_TF | EFLAGS_DF | EFLAGS_RF | EFLAGS_AC);
	r->cs = USER_CS;
	r->ss = USER_SS;
	r->orig_rax = (uint64_t)-1;
	/* Handlers start with a clean FPU, as on Linux. */
	platform_fpu_init(&t->cpu);

	if (t->altstack.flags & LINUX_SS_AUTODISARM) {
		t->altstack.sp = 0;
		t->altstack.size = 0;
		t->altstack.flags = LINUX_SS_DISABLE;
	}
	if (t->restore_sigmask) {
		t->sigmask = t->saved_sigmask;
		t->restore_sigmask = false;
	}
	t->sigmask |= act->mask;
	if (!(act->flags & LINUX_SA_NODEFER))
		t->sigmask |= LINUX_SIGBIT(sig);
	t->sigmask &= ~SIGNAL_UNBLOCKABLE;
	if (act->flags & LINUX_SA_RESETHAND) {
		act->handler = LINUX_SIG_DFL;
		act->flags &= ~(uint64_t)LINUX_SA_SIGINFO;
	}
	return 0;
}

/* Take part in a group stop until SIGCONT or death. */
static void enter_group_stop(struct task *t)
{
	struct thread_group *tg = t->tg;

	while (tg->stopped && !tg->group_exiting) {
		t->state = TASK_STOPPED;
		task_wait(t, 0, false);
	}
	t->state = TASK_RUNNING;
}

/* Start a group stop for `sig` (a stop signal with the default action). */
static void begin_group_stop(struct task *t, int sig)
{
	struct thread_group *tg = t->tg;
	struct task *o;

	tg->stopped = true;
	tg->stop_signal = sig;
	tg->stop_reported = false;
	tg->continued = false;
	TAILQ_FOREACH(o, &tg->tasks, tg_link)
		if (o != t)
			task_kick(o);
	signal_notify_parent(tg, LINUX_CLD_STOPPED, sig);
}

bool signal_handle_pending(struct task *t)
{
	struct thread_group *tg = t->tg;
	struct linux_siginfo info;

	for (;;) {
		struct linux_sigaction *act;
		int sig;

		if (tg->group_exiting || t->exiting)
			return true;
		if (tg->stopped) {
			enter_group_stop(t);
			continue;
		}
		if (!signal_dequeue(t, ~t->sigmask, &info))
			break;
		sig = info.signo;
		act = &t->sighand->action[sig - 1];
		if (act->handler == LINUX_SIG_IGN && sig != LINUX_SIGKILL &&
		    sig != LINUX_SIGSTOP)
			continue;
		if (act->handler == LINUX_SIG_DFL || sig == LINUX_SIGKILL ||
		    sig == LINUX_SIGSTOP) {
			/* Init: only SIGKILL and SIGSTOP can have got this
			 * far from outside; others were blocked when sent. */
			if (tg->unkillable && sig != LINUX_SIGKILL &&
			    sig != LINUX_SIGSTOP)
				continue;
			switch (signal_default_action(sig)) {
			case SIG_DEFAULT_IGNORE:
			case SIG_DEFAULT_CONTINUE:
				continue;
			case SIG_DEFAULT_STOP:
				/* Job-control stops do nothing in an
				 * orphaned group; SIGSTOP always works. */
				if (sig != LINUX_SIGSTOP &&
				    pgrp_orphaned(tg->pgid, NULL))
					continue;
				begin_group_stop(t, sig);
				continue;
			default:
				signal_group_exit(tg, signal_death_status(tg, sig));
				return true;
			}
		}
		syscall_restart(t, act);
		if (setup_frame(t, &info, act) == 0)
			return false;
		/* No room for the frame: die of SIGSEGV, as Linux's
		 * force_sigsegv does (the handler cannot run either). */
		t->sighand->action[LINUX_SIGSEGV - 1].handler = LINUX_SIG_DFL;
		signal_force(t, LINUX_SIGSEGV, LINUX_SI_KERNEL, 0);
	}
	syscall_restart(t, NULL);
	t->cpu.regs.orig_rax = (uint64_t)-1;
	if (t->restore_sigmask) {
		t->sigmask = t->saved_sigmask;
		t->restore_sigmask = false;
	}
	return false;
}

/* Load the FPU image a handler left at `addr` (0: reset the FPU). */
static int restore_fpu(struct task *t, uint64_t addr)
{
	struct linux_fpx_sw_bytes sw;
	size_t len = t->cpu.fpu_len;
	uint8_t *img;

	if (!addr) {
		platform_fpu_init(&t->cpu);
		return 0;
	}
	if (addr & 63)
		return -EFAULT;
	img = calloc(1, len);
	if (!img)
		return -ENOMEM;
	if (task_copy_in(t, addr, img, 512)) {
		free(img);
		return -EFAULT;
	}
	memcpy(&sw, img + LINUX_FPX_SW_BYTES_OFFSET, sizeof(sw));
	if (sw.magic1 == LINUX_FP_XSTATE_MAGIC1 && len > 512) {
		size_t n = sw.xstate_size < len ? sw.xstate_size : len;

		if (n > 512 && task_copy_in(t, addr + 512, img + 512, n - 512)) {
			free(img);
			return -EFAULT;
		}
	} else if (len >= 520) {
		/* A legacy FXSAVE image: x87 and SSE state only. */
		uint64_t bv = 3;

		memcpy(img + 512, &bv, 8);
	}
	fpu_sanitise(img, len);
	memcpy(t->cpu.fpu, img, len);
	free(img);
	return 0;
}

long signal_sigreturn(struct task *t)
{
	struct cpu_regs *r = &t->cpu.regs;
	struct linux_rt_sigframe f;
	const struct linux_sigcontext *sc = &f.uc.uc_mcontext;
	uint64_t frame = r->rsp - 8; /* the handler's ret popped pretcode */

	if (task_copy_in(t, frame, &f, sizeof(f)))
		goto bad;
	r->r8 = sc->r8;
	r->r9 = sc->r9;
	r->r10 = sc->r10;
	r->r11 = sc->r11;
	r->r12 = sc->r12;
	r->r13 = sc->r13;
	r->r14 = sc->r14;
	r->r15 = sc->r15;
	r->rdi = sc->rdi;
	r->rsi = sc->rsi;
	r->rbp = sc->rbp;
	r->rbx = sc->rbx;
	r->rdx = sc->rdx;
	r->rax = sc->rax;
	r->rcx = sc->rcx;
	r->rsp = sc->rsp;
	r->rip = sc->rip;
	r->eflags = (r->eflags & ~FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	r->cs = USER_CS;
	r->ss = USER_SS;
	r->orig_rax = (uint64_t)-1; /* never restart a syscall here */
	if (restore_fpu(t, sc->fpstate))
		goto bad;
	t->sigmask = f.uc.uc_sigmask & ~SIGNAL_UNBLOCKABLE;
	/* uc_stack restores the alternate stack (SS_AUTODISARM users rely on
	 * it); an invalid one is ignored rather than fatal here. */
	if (!on_altstack(t, r->rsp) &&
	    (f.uc.uc_stack.flags & LINUX_SS_DISABLE ||
	     f.uc.uc_stack.size >= LINUX_MINSIGSTKSZ)) {
		t->altstack.sp = f.uc.uc_stack.sp;
		t->altstack.size = f.uc.uc_stack.size;
		t->altstack.flags = f.uc.uc_stack.flags &
				    (LINUX_SS_DISABLE | (int32_t)LINUX_SS_AUTODISARM);
	}
	return (long)r->rax;
bad:
	signal_force(t, LINUX_SIGSEGV, LINUX_SI_KERNEL, 0);
	return (long)r->rax;
}
