/* t_fault_signals: synchronous hardware-fault signals (SIGSEGV MAPERR/ACCERR
 * with si_addr, SIGFPE, SIGILL, SIGTRAP, SIGBUS past EOF, hlt) recovered with
 * siglongjmp, plus uncaught and blocked faults killing the process, because a
 * ptrace-based Sentry must translate host fault stops into the right guest
 * signals. */
#include "itest.h"

#include <setjmp.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf jb;
static volatile int got_sig, got_code;
static volatile uintptr_t got_addr, got_rip;

static void h_fault(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	got_sig = sig;
	got_code = si->si_code;
	got_addr = (uintptr_t)si->si_addr;
	got_rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	siglongjmp(jb, 1);
}

static void reset(void)
{
	got_sig = got_code = 0;
	got_addr = got_rip = 0;
}

extern char it_ud2_insn[], it_int3_after[], it_hlt_insn[];
__attribute__((noinline)) static void do_ud2(void)
{
	__asm__ volatile(".globl it_ud2_insn\nit_ud2_insn: ud2" ::: "memory");
}
__attribute__((noinline)) static void do_int3(void)
{
	__asm__ volatile("int3\n.globl it_int3_after\nit_int3_after: nop" ::: "memory");
}
__attribute__((noinline)) static void do_hlt(void)
{
	__asm__ volatile(".globl it_hlt_insn\nit_hlt_insn: hlt" ::: "memory");
}

static int *volatile null_ptr = NULL;
static volatile int one = 1, zero = 0, int_min = INT_MIN, minus_one = -1;
static volatile int sink;

#define TRY if (reset(), sigsetjmp(jb, 1) == 0)

__attribute__((noinline)) static int one_fault(void)
{
	TRY { sink = *null_ptr; }
	return got_sig == SIGSEGV;
}

int main(void)
{
	it_begin(10);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h_fault;
	sa.sa_flags = SA_SIGINFO;
	int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP};
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	long pg = 4096;

	TRY { sink = *null_ptr; }
	CHECKF(got_sig == SIGSEGV && got_code == SEGV_MAPERR && got_addr == 0,
	       "NULL read: SIGSEGV SEGV_MAPERR si_addr 0", "sig=%d code=%d addr=%#lx", got_sig,
	       got_code, (unsigned long)got_addr);
	TRY { *null_ptr = 1; }
	CHECKF(got_sig == SIGSEGV && got_code == SEGV_MAPERR && got_addr == 0,
	       "NULL write: SIGSEGV SEGV_MAPERR si_addr 0", "sig=%d code=%d", got_sig, got_code);

	char *m = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(m + pg, pg);
	TRY { sink = *(volatile char *)(m + pg + 123); }
	CHECKF(got_sig == SIGSEGV && got_code == SEGV_MAPERR && got_addr == (uintptr_t)(m + pg + 123),
	       "read of an unmapped page: SEGV_MAPERR with exact si_addr", "sig=%d code=%d", got_sig,
	       got_code);

	char *ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TRY { *(volatile char *)(ro + 8) = 1; }
	CHECKF(got_sig == SIGSEGV && got_code == SEGV_ACCERR && got_addr == (uintptr_t)(ro + 8),
	       "write to a read-only mapping: SEGV_ACCERR with exact si_addr", "sig=%d code=%d",
	       got_sig, got_code);
	CHECK(((volatile char *)ro)[8] == 0, "read-only page still readable and unchanged");

	char *none = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TRY { sink = *(volatile char *)(none + 100); }
	CHECKF(got_sig == SIGSEGV && got_code == SEGV_ACCERR && got_addr == (uintptr_t)(none + 100),
	       "read of a PROT_NONE mapping: SEGV_ACCERR", "sig=%d code=%d", got_sig, got_code);

	/* Executing from a non-executable page. */
	char *nx = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	nx[0] = (char)0xc3; /* ret */
	TRY { ((void (*)(void))nx)(); }
	CHECKF(got_sig == SIGSEGV && got_code == SEGV_ACCERR && got_addr == (uintptr_t)nx,
	       "jump to a non-executable page: SEGV_ACCERR at the target", "sig=%d code=%d", got_sig,
	       got_code);

	/* Non-canonical address: general protection fault -> SIGSEGV SI_KERNEL, si_addr 0. */
	TRY { sink = *(volatile int *)0x8000000000000000UL; }
	CHECKF(got_sig == SIGSEGV && got_code == SI_KERNEL && got_addr == 0,
	       "non-canonical address: SIGSEGV SI_KERNEL si_addr 0", "sig=%d code=%d addr=%#lx",
	       got_sig, got_code, (unsigned long)got_addr);

	TRY { sink = one / zero; }
	CHECKF(got_sig == SIGFPE && got_code == FPE_INTDIV, "integer divide by zero: SIGFPE FPE_INTDIV",
	       "sig=%d code=%d", got_sig, got_code);
	TRY { sink = int_min / minus_one; }
	CHECKF(got_sig == SIGFPE && got_code == FPE_INTDIV, "INT_MIN / -1: SIGFPE FPE_INTDIV",
	       "sig=%d code=%d", got_sig, got_code);

	TRY { do_ud2(); }
	CHECKF(got_sig == SIGILL && got_code == ILL_ILLOPN && got_addr == (uintptr_t)it_ud2_insn &&
	           got_rip == (uintptr_t)it_ud2_insn,
	       "ud2: SIGILL ILL_ILLOPN, si_addr and RIP at the instruction", "sig=%d code=%d", got_sig,
	       got_code);

	TRY { do_int3(); }
	CHECKF(got_sig == SIGTRAP && got_code == SI_KERNEL && got_rip == (uintptr_t)it_int3_after,
	       "int3: SIGTRAP SI_KERNEL, RIP after the instruction", "sig=%d code=%d rip-off=%ld",
	       got_sig, got_code, (long)(got_rip - (uintptr_t)it_int3_after));

	TRY { do_hlt(); }
	CHECKF(got_sig == SIGSEGV && got_code == SI_KERNEL && got_rip == (uintptr_t)it_hlt_insn,
	       "hlt in user mode: SIGSEGV SI_KERNEL at the instruction", "sig=%d code=%d", got_sig,
	       got_code);

	/* SIGBUS: access past the end of a file mapping. */
	{
		char dir[64], path[128];
		if (it_tmpdir(dir, sizeof dir)) {
			snprintf(path, sizeof path, "%s/f", dir);
			int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
			if (write(fd, "abc", 3) != 3)
				it_fail("write", "errno %d", errno);
			char *fm = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, fd, 0);
			CHECK(fm != MAP_FAILED && fm[0] == 'a' && fm[3] == 0 && fm[pg - 1] == 0,
			      "file mapping: data then zeros up to the end of the page");
			TRY { sink = *(volatile char *)(fm + pg + 1); }
			CHECKF(got_sig == SIGBUS && got_code == BUS_ADRERR &&
			           got_addr == (uintptr_t)(fm + pg + 1),
			       "access beyond EOF of a file mapping: SIGBUS BUS_ADRERR", "sig=%d code=%d",
			       got_sig, got_code);
			munmap(fm, 2 * pg);
			close(fd);
			it_rmtree(dir);
		}
	}

	/* After all that the process still works normally, repeatedly. */
	{
		int ok = 1;
		for (int i = 0; i < 100; i++)
			ok &= one_fault();
		CHECK(ok, "100 consecutive recovered faults");
	}

	/* Uncaught fault kills the process. */
	{
		pid_t p = it_fork();
		if (p == 0) {
			it_no_core();
			signal(SIGSEGV, SIG_DFL);
			sink = *null_ptr;
			_exit(0);
		}
		EXPECT_SIGNALED(it_wait(p), SIGSEGV, "uncaught NULL deref: killed by SIGSEGV");
		p = it_fork();
		if (p == 0) {
			it_no_core();
			signal(SIGFPE, SIG_DFL);
			sink = one / zero;
			_exit(0);
		}
		EXPECT_SIGNALED(it_wait(p), SIGFPE, "uncaught divide by zero: killed by SIGFPE");
		p = it_fork();
		if (p == 0) {
			it_no_core();
			signal(SIGILL, SIG_DFL);
			do_ud2();
			_exit(0);
		}
		EXPECT_SIGNALED(it_wait(p), SIGILL, "uncaught ud2: killed by SIGILL");
		p = it_fork();
		if (p == 0) {
			it_no_core();
			signal(SIGTRAP, SIG_DFL);
			do_int3();
			_exit(0);
		}
		EXPECT_SIGNALED(it_wait(p), SIGTRAP, "uncaught int3: killed by SIGTRAP");
		/* Blocked fault signal: kernel forces the default action. */
		p = it_fork();
		if (p == 0) {
			it_no_core();
			sigset_t s;
			sigemptyset(&s);
			sigaddset(&s, SIGSEGV);
			sigprocmask(SIG_BLOCK, &s, NULL);
			sink = *null_ptr;
			_exit(0);
		}
		EXPECT_SIGNALED(it_wait(p), SIGSEGV, "fault with SIGSEGV blocked: killed by SIGSEGV");
		/* Ignored fault signal: also forced. */
		p = it_fork();
		if (p == 0) {
			it_no_core();
			signal(SIGSEGV, SIG_IGN);
			sink = *null_ptr;
			_exit(0);
		}
		EXPECT_SIGNALED(it_wait(p), SIGSEGV, "fault with SIGSEGV ignored: killed by SIGSEGV");
	}
	return it_end();
}
