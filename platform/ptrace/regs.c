// SPDX-License-Identifier: Apache-2.0
/*
 * regs.c: moving a guest's registers and FPU state in and out of a stub
 * thread, and the size and initial contents of the FPU (XSAVE) area.
 *
 * The guest controls every register, so what is loaded is sanitised first:
 * the selectors are forced to the 64-bit user ones (a guest must never run
 * in 32-bit mode or with kernel selectors) and orig_rax to -1, so the host
 * kernel never applies its own syscall-restart logic to guest registers.
 * What the host refuses anyway (a non-canonical fs_base, a bad XSAVE header)
 * comes back as -EINVAL, which ctx_switch reports as a SIGSEGV.
 */
#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>

#include "platform/ptrace/internal.h"

_Static_assert(sizeof(struct cpu_regs) == sizeof(struct user_regs_struct),
	       "cpu_regs must match user_regs_struct");
_Static_assert(offsetof(struct cpu_regs, orig_rax) ==
			       offsetof(struct user_regs_struct, orig_rax) &&
		       offsetof(struct cpu_regs, fs_base) ==
			       offsetof(struct user_regs_struct, fs_base) &&
		       offsetof(struct cpu_regs, gs) ==
			       offsetof(struct user_regs_struct, gs),
	       "cpu_regs layout");

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif

/* Offsets in the FXSAVE/XSAVE area. */
#define FPU_FCW 0
#define FPU_MXCSR 24
#define FPU_XSTATE_BV 512
#define FPU_XSAVE_HDR_END 576

/* CPUID leaf 0xd size for the XCR0 features, 512 without XSAVE (cached). */
size_t platform_fpu_size(void)
{
	static _Atomic size_t cached;
	unsigned int a, b, c, d;
	size_t size = cached;

	if (size)
		return size;
	size = 512;
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_OSXSAVE)) {
		__cpuid_count(0xd, 0, a, b, c, d);
		if (b >= FPU_XSAVE_HDR_END)
			size = b;
	}
	size = (size + 63) & ~(size_t)63;
	cached = size;
	return size;
}

/* A new process's FPU: x87 control word 0x37f, MXCSR 0x1f80, all else
 * empty; an XSAVE header saying x87 and SSE state are present. */
void platform_fpu_init(struct cpu_state *st)
{
	uint16_t fcw = 0x37f;
	uint32_t mxcsr = 0x1f80;
	uint64_t bv = 0x3;

	if (!st->fpu || st->fpu_len < 512)
		return;
	memset(st->fpu, 0, st->fpu_len);
	memcpy(st->fpu + FPU_FCW, &fcw, sizeof(fcw));
	memcpy(st->fpu + FPU_MXCSR, &mxcsr, sizeof(mxcsr));
	if (st->fpu_len >= FPU_XSAVE_HDR_END)
		memcpy(st->fpu + FPU_XSTATE_BV, &bv, sizeof(bv));
}

/*
 * Learn which FPU regset ptrace offers and its exact size (SETREGSET of
 * NT_X86_XSTATE wants the whole buffer), from the stopped master, and check
 * that it accepts our initial state. Runs on the master's tracer.
 */
int pt_fpu_probe(struct pt_platform *p)
{
	const size_t max = 1 << 16;
	struct cpu_state st = {0};
	struct iovec iov;
	int rc = 0;

	st.fpu = aligned_alloc(64, max);
	if (!st.fpu)
		return -ENOMEM;
	iov.iov_base = st.fpu;
	iov.iov_len = max;
	if (ptrace(PTRACE_GETREGSET, p->master.tid, NT_X86_XSTATE, &iov) == 0) {
		p->fpu_note = NT_X86_XSTATE;
		p->fpu_len = iov.iov_len;
	} else {
		iov.iov_len = 512;
		if (ptrace(PTRACE_GETREGSET, p->master.tid, NT_PRFPREG, &iov)) {
			rc = -errno;
			goto out;
		}
		p->fpu_note = NT_PRFPREG;
		p->fpu_len = 512;
	}
	st.fpu_len = p->fpu_len;
	platform_fpu_init(&st);
	iov.iov_base = st.fpu;
	iov.iov_len = p->fpu_len;
	if (ptrace(PTRACE_SETREGSET, p->master.tid, p->fpu_note, &iov))
		rc = -errno;
	/* Fault-handler stacks: a signal frame holds the whole XSAVE area. */
	p->stub.slot_size =
		(p->fpu_len + platform_fpu_size() + 8192 + PT_PAGE - 1) &
		~(PT_PAGE - 1);
	p->stub.nslots = (p->stub.len - (p->stub.slots - p->stub.base)) /
			 p->stub.slot_size;
	if (p->stub.nslots > PT_MAX_SLOTS)
		p->stub.nslots = PT_MAX_SLOTS;
out:
	free(st.fpu);
	return rc;
}

/* Force what a guest may not choose: its mode (selectors) and the host's
 * idea of a syscall in progress (orig_rax). */
void pt_regs_sanitize(struct user_regs_struct *r)
{
	r->cs = PT_USER_CS;
	r->ss = PT_USER_DS;
	r->ds = r->es = r->fs = r->gs = 0;
	r->orig_rax = (unsigned long long)-1;
}

/*
 * Load st into stopped stub thread t: SETREGS, and SETREGSET of the FPU
 * unless t already holds exactly that state. Returns 0, -ESRCH if t died,
 * or -EINVAL if the host refused the guest's state.
 */
int pt_regs_load(struct pt_thread *t, const struct cpu_state *st)
{
	struct user_regs_struct r;
	struct iovec iov;
	size_t n;

	memcpy(&r, &st->regs, sizeof(r));
	pt_regs_sanitize(&r);
	if (ptrace(PTRACE_SETREGS, t->tid, 0, &r) < 0)
		return errno == ESRCH ? pt_ptrace_err(t) : -EINVAL;
	if (!st->fpu || !st->fpu_len)
		return 0;
	n = st->fpu_len < t->p->fpu_len ? st->fpu_len : t->p->fpu_len;
	if (t->fpu_valid && !memcmp(t->fpu, st->fpu, n))
		return 0;
	memcpy(t->fpu, st->fpu, n);
	t->fpu_valid = false;
	iov.iov_base = t->fpu;
	iov.iov_len = t->p->fpu_len;
	if (ptrace(PTRACE_SETREGSET, t->tid, t->p->fpu_note, &iov) < 0)
		return errno == ESRCH ? pt_ptrace_err(t) : -EINVAL;
	t->fpu_valid = true;
	return 0;
}

/* Save the stopped thread t's registers and FPU state into st. */
int pt_regs_save(struct pt_thread *t, struct cpu_state *st)
{
	struct iovec iov;
	size_t n;

	if (ptrace(PTRACE_GETREGS, t->tid, 0, &st->regs) < 0)
		return pt_ptrace_err(t);
	if (!st->fpu || !st->fpu_len) {
		t->fpu_valid = false; /* the guest may have changed it */
		return 0;
	}
	iov.iov_base = t->fpu;
	iov.iov_len = t->p->fpu_len;
	if (ptrace(PTRACE_GETREGSET, t->tid, t->p->fpu_note, &iov) < 0) {
		t->fpu_valid = false;
		return pt_ptrace_err(t);
	}
	t->fpu_valid = true;
	n = st->fpu_len < t->p->fpu_len ? st->fpu_len : t->p->fpu_len;
	memcpy(st->fpu, t->fpu, n);
	return 0;
}
