// SPDX-License-Identifier: Apache-2.0
/*
 * trap.c: what a stub thread's stop means for the Sentry.
 *
 * After PTRACE_SYSEMU a stub thread stops for one of: a syscall (the
 * syscall-stop, SIGTRAP|0x80 thanks to PTRACE_O_TRACESYSGOOD); a signal the
 * CPU raised (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, with si_code > 0);
 * the interrupt signal of ctx_interrupt (SIGCHLD); or anything else (a
 * signal someone sent, a group-stop), which is reported as an interrupt and
 * dropped: the thread is always resumed with signal 0, so no signal ever
 * reaches the stub's default action.
 *
 * ptrace does not expose the page-fault error code, which tells reads from
 * writes. A signal frame does: for an access fault the platform delivers
 * the fault signal to a handler in the stub code, which runs on the thread's
 * own altstack and stops in a syscall with the frame's err, trapno and cr2
 * in registers. This costs one more stop per fault, not per syscall.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "platform/ptrace/internal.h"

/* x86 exception vectors and page-fault error code bits. */
#define X86_TRAP_DE 0
#define X86_TRAP_DB 1
#define X86_TRAP_BP 3
#define X86_TRAP_UD 6
#define X86_TRAP_SS 12
#define X86_TRAP_GP 13
#define X86_TRAP_PF 14
#define X86_TRAP_AC 17
#define X86_TRAP_XF 19
#define X86_PF_WRITE 0x2
#define X86_PF_INSTR 0x10

/* Stops to let pass while waiting for the fault handler. */
#define PT_MAX_HANDLER_STOPS 100

/* Whether a kernel-raised SIGSEGV/SIGBUS is a fault on a memory access. */
static bool is_access_fault(int sig, int code)
{
	if (sig == SIGSEGV)
		return code == SEGV_MAPERR || code == SEGV_ACCERR ||
		       code == SEGV_PKUERR;
	if (sig == SIGBUS)
		return code == BUS_ADRERR || code == BUS_OBJERR ||
		       code == BUS_MCEERR_AR || code == BUS_MCEERR_AO;
	return false;
}

/* The x86 vector behind a synchronous signal, as well as si_code tells. */
static uint64_t guess_trapno(int sig, int code)
{
	switch (sig) {
	case SIGILL:
		return X86_TRAP_UD;
	case SIGFPE:
		return code == FPE_INTDIV || code == FPE_INTOVF ? X86_TRAP_DE
								: X86_TRAP_XF;
	case SIGTRAP:
		return code == TRAP_TRACE || code == TRAP_HWBKPT ? X86_TRAP_DB
								 : X86_TRAP_BP;
	case SIGBUS:
		return code == BUS_ADRALN ? X86_TRAP_AC : X86_TRAP_SS;
	default:
		return X86_TRAP_GP;
	}
}

/* TRAP_ACCESS_* of a page-fault error code. */
static int access_of(uint64_t err)
{
	if (err & X86_PF_INSTR)
		return TRAP_ACCESS_EXEC;
	if (err & X86_PF_WRITE)
		return TRAP_ACCESS_WRITE;
	return TRAP_ACCESS_READ;
}

/*
 * Fill in the access type of a fault by running the stub's fault handler
 * (see the top of this file). The guest state was saved already; the
 * handler clobbers the thread's registers and FPU, which the next
 * ctx_switch loads again. Without a handler, guess: a fault at rip is an
 * instruction fetch, anything else is unknown (access 0).
 */
static int fault_detail(struct pt_thread *t, struct trap *trap, uint64_t rip)
{
	struct user_regs_struct r;
	int status, sig, n, rc;

	if (trap->addr == rip)
		trap->access = TRAP_ACCESS_EXEC;
	if (t->slot < 0 || !t->as || atomic_load(&t->as->no_handler))
		return 0;
	if (ptrace(PTRACE_SYSEMU, t->tid, 0, trap->signo) < 0)
		return pt_ptrace_err(t);
	t->fpu_valid = false; /* signal delivery resets the FPU */
	for (n = 0; n < PT_MAX_HANDLER_STOPS; n++) {
		rc = pt_wait(t, &status);
		if (rc < 0)
			return rc;
		sig = WSTOPSIG(status);
		if (sig == (SIGTRAP | 0x80)) {
			if (ptrace(PTRACE_GETREGS, t->tid, 0, &r) < 0)
				return pt_ptrace_err(t);
			if (r.orig_rax != PTRACE_STUB_FAULT_NR ||
			    r.rip != pt_stub_addr(t->p, pt_stub_fault_end))
				break;
			/* The frame is guest-writable: trust it only if it
			 * agrees with the kernel's siginfo. */
			if (r.r9 == trap->addr) {
				trap->error_code = r.r10;
				trap->trapno = r.r8;
				trap->access = access_of(r.r10);
			}
			return 0;
		}
		if (!(status >> 16) && (sig == SIGSEGV || sig == SIGBUS))
			break; /* the frame could not be written */
		/* An interrupt or stray signal on the way: ctx->pending still
		 * says so if it was an interrupt. */
		if (ptrace(PTRACE_SYSEMU, t->tid, 0, 0) < 0)
			return pt_ptrace_err(t);
	}
	/* The handler is unusable in this address space (the kernel resets
	 * it to SIG_DFL when a frame cannot be written): stop using it. */
	atomic_store(&t->as->no_handler, true);
	return 0;
}

/*
 * Turn the stop `status` of stub thread t into a trap, after saving the
 * guest's registers and FPU into st. Returns 0 or a negative errno.
 */
int pt_classify(struct pt_thread *t, int status, struct cpu_state *st,
		struct trap *trap)
{
	int sig = WSTOPSIG(status);
	siginfo_t si;
	int rc;

	rc = pt_regs_save(t, st);
	if (rc < 0)
		return rc;
	if (sig == (SIGTRAP | 0x80) && !(status >> 16)) {
		/* The kernel put -ENOSYS in rax; give the guest's value back
		 * so a restart (rip -= 2) finds the number where it was. */
		trap->kind = TRAP_SYSCALL;
		st->regs.rax = st->regs.orig_rax;
		/* The syscall instruction leaves rcx = rip, r11 = rflags;
		 * int $0x80 (the i386 ABI, other numbers) does not. */
		if (st->regs.rcx != st->regs.rip ||
		    st->regs.r11 != st->regs.eflags)
			trap->code = PLATFORM_SYSCALL_INT80;
		return 0;
	}
	trap->kind = TRAP_INTERRUPTED;
	if (status >> 16 || sig == SIGCHLD)
		return 0;
	if (sig != SIGSEGV && sig != SIGBUS && sig != SIGILL && sig != SIGFPE &&
	    sig != SIGTRAP)
		return 0;
	if (ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) < 0)
		return pt_ptrace_err(t);
	if (si.si_code <= 0)
		return 0; /* sent by a process, not raised by the CPU */
	trap->signo = sig;
	trap->code = si.si_code;
	trap->addr = (uint64_t)si.si_addr;
	if (is_access_fault(sig, si.si_code)) {
		trap->kind = TRAP_FAULT;
		trap->trapno = X86_TRAP_PF;
		return fault_detail(t, trap, st->regs.rip);
	}
	trap->kind = TRAP_SIGNAL;
	trap->trapno = guess_trapno(sig, si.si_code);
	return 0;
}
