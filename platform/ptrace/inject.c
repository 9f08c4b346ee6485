// SPDX-License-Identifier: Apache-2.0
/*
 * inject.c: waiting for tracees, seizing them, and making syscalls in them.
 *
 * An injected syscall runs with PTRACE_CONT, not PTRACE_SYSEMU (which would
 * skip it): rip points at "syscall; int3" in the stub code and the tracer
 * waits for the int3's SIGTRAP. This costs one stop instead of the two of
 * PTRACE_SYSCALL (entry and exit). It is safe because only stub code runs
 * until the int3, and guests can never map over the stub code region.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "platform/ptrace/internal.h"

/* Stops to swallow in a row before deciding a tracee is stuck. */
#define PT_MAX_STRAY_STOPS 1000

/*
 * Wait for the next stop or the death of t. Returns 0 with a stop in
 * *status, or -ESRCH once t is gone (t->reaped then, *status its end).
 */
int pt_wait(struct pt_thread *t, int *status)
{
	pid_t r;

	for (;;) {
		r = waitpid(t->tid, status, __WALL);
		if (r == t->tid)
			break;
		if (r < 0 && errno == EINTR)
			continue;
		/* ECHILD: no longer ours to wait for; never wait again. */
		t->dead = t->reaped = true;
		*status = 0;
		return -ESRCH;
	}
	if (WIFEXITED(*status) || WIFSIGNALED(*status)) {
		t->dead = t->reaped = true;
		return -ESRCH;
	}
	return 0;
}

/*
 * Collect the exit of a thread that has been killed or told to exit, so no
 * zombie stays behind. Any thread of the Sentry may do this: waitpid()
 * considers the tracees of every thread of the caller's thread group.
 */
void pt_reap(struct pt_thread *t)
{
	int status;

	t->dead = true;
	while (!t->reaped)
		pt_wait(t, &status);
}

/*
 * A ptrace request on t failed: ESRCH on a thread we hold stopped means it
 * was killed (SIGKILL wakes a stopped tracee), so reap it and say so.
 */
int pt_ptrace_err(struct pt_thread *t)
{
	int err = errno;

	if (err != ESRCH)
		return -err;
	pt_reap(t);
	return -ESRCH;
}

/*
 * Attach to a fresh stub thread waiting in pause(), from the thread that is
 * to be its tracer, and hold it stopped. PTRACE_SEIZE + PTRACE_INTERRUPT
 * stops it without a SIGSTOP, whose group-stop would also hit the other
 * threads of its process.
 */
int pt_seize(struct pt_thread *t)
{
	int status, n, rc;

	if (ptrace(PTRACE_SEIZE, t->tid, 0,
		   PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD) < 0)
		return -errno;
	if (ptrace(PTRACE_INTERRUPT, t->tid, 0, 0) < 0)
		return pt_ptrace_err(t);
	for (n = 0; n < PT_MAX_STRAY_STOPS; n++) {
		rc = pt_wait(t, &status);
		if (rc < 0)
			return rc;
		if (status >> 16 == PTRACE_EVENT_STOP)
			return 0;
		/* A signal reached it first: drop it, the trap stays queued. */
		if (ptrace(PTRACE_CONT, t->tid, 0, 0) < 0)
			return pt_ptrace_err(t);
	}
	t->dead = true;
	return -EIO;
}

/* Whether a stop during injection is a real fault of the stub code. */
static bool stub_faulted(struct pt_thread *t, int sig)
{
	siginfo_t si;

	if (sig != SIGSEGV && sig != SIGBUS && sig != SIGILL && sig != SIGFPE &&
	    sig != SIGTRAP)
		return false;
	if (ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) < 0)
		return true;
	return si.si_code > 0;
}

/*
 * Run syscall nr with args in the stopped thread t at stub entry `entry`,
 * which ends at the int3 at `trap`; sp is the stack pointer it gets. The
 * thread is left stopped at that int3, its registers clobbered (ctx_switch
 * loads the guest's anew each time). Returns the syscall's result, or a
 * negative errno if the thread died or misbehaved.
 */
long pt_inject(struct pt_thread *t, const char *entry, const char *trap,
	       uint64_t sp, long nr, const uint64_t args[6])
{
	uint64_t trap_rip = pt_stub_addr(t->p, trap) + 1;
	struct user_regs_struct r;
	int status, sig, n, rc;

	if (t->dead)
		return -ESRCH;
	memset(&r, 0, sizeof(r));
	r.rip = pt_stub_addr(t->p, entry);
	r.rsp = sp;
	r.rax = nr;
	r.rdi = args[0];
	r.rsi = args[1];
	r.rdx = args[2];
	r.r10 = args[3];
	r.r8 = args[4];
	r.r9 = args[5];
	r.eflags = 0x202;
	pt_regs_sanitize(&r);
	if (ptrace(PTRACE_SETREGS, t->tid, 0, &r) < 0)
		return pt_ptrace_err(t);
	if (ptrace(PTRACE_CONT, t->tid, 0, 0) < 0)
		return pt_ptrace_err(t);
	for (n = 0; n < PT_MAX_STRAY_STOPS; n++) {
		rc = pt_wait(t, &status);
		if (rc < 0)
			return rc;
		sig = WSTOPSIG(status);
		if (sig == SIGTRAP && !(status >> 16)) {
			if (ptrace(PTRACE_GETREGS, t->tid, 0, &r) < 0)
				return pt_ptrace_err(t);
			if (r.rip == trap_rip)
				return (long)r.rax;
		}
		if (!(status >> 16) && stub_faulted(t, sig)) {
			t->dead = true;
			return -EFAULT;
		}
		/* An interrupt (SIGCHLD), a stray signal or a group-stop:
		 * drop it and let the injected code go on. */
		if (ptrace(PTRACE_CONT, t->tid, 0, 0) < 0)
			return pt_ptrace_err(t);
	}
	t->dead = true;
	return -EIO;
}

/* Make stub thread t exit(0) and reap it: it leaves no trace. */
int pt_inject_exit(struct pt_thread *t)
{
	struct user_regs_struct r;
	int status, n, rc;

	if (t->reaped)
		return 0;
	memset(&r, 0, sizeof(r));
	r.rip = pt_stub_addr(t->p, pt_stub_syscall);
	r.rsp = t->p->stub.data + PT_PAGE;
	r.rax = __NR_exit;
	r.eflags = 0x202;
	pt_regs_sanitize(&r);
	if (ptrace(PTRACE_SETREGS, t->tid, 0, &r) < 0 ||
	    ptrace(PTRACE_CONT, t->tid, 0, 0) < 0)
		return pt_ptrace_err(t);
	for (n = 0; n < PT_MAX_STRAY_STOPS; n++) {
		rc = pt_wait(t, &status);
		if (rc < 0)
			return 0; /* gone: what we wanted */
		if (ptrace(PTRACE_CONT, t->tid, 0, 0) < 0)
			return pt_ptrace_err(t);
	}
	return -EIO;
}
