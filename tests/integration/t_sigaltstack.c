/* t_sigaltstack: alternate signal stacks (handler frame placed on the alt stack
 * only with SA_ONSTACK, SS_ONSTACK reported inside, EPERM while on it, stack
 * overflow caught via SIGSEGV on the alt stack, death without one) because
 * the Sentry builds signal frames itself. */
#include "itest.h"

#include <setjmp.h>
#include <sys/mman.h>

#define ALT_SIZE (256 * 1024)

static char *alt;
static volatile uintptr_t handler_local;
static volatile int handler_flags = -1, handler_eperm;

static void h_probe(int sig)
{
	(void)sig;
	volatile int local = 0;
	stack_t cur, newss;
	handler_local = (uintptr_t)&local;
	if (sigaltstack(NULL, &cur) == 0)
		handler_flags = cur.ss_flags;
	newss.ss_sp = alt;
	newss.ss_size = ALT_SIZE;
	newss.ss_flags = 0;
	handler_eperm = (sigaltstack(&newss, NULL) == -1 && errno == EPERM);
}

static int on_alt(uintptr_t a)
{
	return a >= (uintptr_t)alt && a < (uintptr_t)alt + ALT_SIZE;
}

/* Stack overflow recovery. */
static sigjmp_buf jb;
static volatile uintptr_t segv_local;
static volatile int segv_code;
static char *overflow_alt;
static size_t overflow_alt_size;
static void h_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	volatile int local = 0;
	segv_local = (uintptr_t)&local;
	segv_code = si->si_code;
	siglongjmp(jb, 1);
}
static volatile long recurse_limit = 1L << 40;
static long recurse(long n)
{
	volatile char buf[4096];
	buf[0] = (char)n;
	if (n > recurse_limit)
		return 0;
	return recurse(n + 1) + buf[0];
}

int main(void)
{
	it_begin(10);
	alt = mmap(NULL, ALT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	stack_t ss, old;
	EXPECT_EQ(sigaltstack(NULL, &old), 0, "query initial alt stack");
	CHECK(old.ss_flags == SS_DISABLE, "initially SS_DISABLE");

	ss.ss_sp = alt;
	ss.ss_size = 1024;
	ss.ss_flags = 0;
	EXPECT_ERRNO(sigaltstack(&ss, NULL), ENOMEM, "alt stack smaller than MINSIGSTKSZ: ENOMEM");
	ss.ss_size = ALT_SIZE;
	ss.ss_flags = 0x1234;
	EXPECT_ERRNO(sigaltstack(&ss, NULL), EINVAL, "bad ss_flags: EINVAL");
	ss.ss_flags = 0;
	EXPECT_EQ(sigaltstack(&ss, NULL), 0, "install alt stack");
	memset(&old, 0, sizeof old);
	sigaltstack(NULL, &old);
	CHECK(old.ss_sp == alt && old.ss_size == ALT_SIZE && old.ss_flags == 0,
	      "query returns the installed stack, not on it");

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h_probe;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	CHECK(on_alt(handler_local), "SA_ONSTACK handler runs on the alt stack");
	CHECK(handler_flags == SS_ONSTACK, "sigaltstack reports SS_ONSTACK inside the handler");
	CHECK(handler_eperm, "changing the alt stack while on it: EPERM");

	sa.sa_flags = 0;
	sigaction(SIGUSR2, &sa, NULL);
	handler_local = 0;
	raise(SIGUSR2);
	CHECK(handler_local != 0 && !on_alt(handler_local),
	      "handler without SA_ONSTACK runs on the normal stack");
	CHECK(handler_flags == 0, "SS_ONSTACK not reported on the normal stack");

	/* Alt stack is inherited by fork. */
	{
		pid_t p = it_fork();
		if (p == 0) {
			stack_t q;
			sigaltstack(NULL, &q);
			handler_local = 0;
			raise(SIGUSR1);
			_exit(q.ss_sp == alt && on_alt(handler_local) ? 0 : 1);
		}
		EXPECT_EXIT(it_wait(p), 0, "fork child inherits the alt stack");
	}

	ss.ss_flags = SS_DISABLE;
	EXPECT_EQ(sigaltstack(&ss, NULL), 0, "disable alt stack");
	sigaltstack(NULL, &old);
	CHECK(old.ss_flags == SS_DISABLE, "query reports SS_DISABLE");
	handler_local = 0;
	raise(SIGUSR1);
	CHECK(handler_local != 0 && !on_alt(handler_local),
	      "SA_ONSTACK handler uses the normal stack when alt stack disabled");

	/* Stack overflow caught on the alt stack (in a child with a small RLIMIT_STACK). */
	{
		pid_t p = it_fork();
		if (p == 0) {
			it_no_core();
			struct rlimit rl;
			getrlimit(RLIMIT_STACK, &rl);
			rl.rlim_cur = 1 << 20;
			setrlimit(RLIMIT_STACK, &rl);
			overflow_alt_size = 64 * 1024;
			overflow_alt = malloc(overflow_alt_size);
			stack_t s2 = {.ss_sp = overflow_alt, .ss_size = overflow_alt_size, .ss_flags = 0};
			sigaltstack(&s2, NULL);
			struct sigaction sv;
			memset(&sv, 0, sizeof sv);
			sv.sa_sigaction = h_segv;
			sv.sa_flags = SA_SIGINFO | SA_ONSTACK;
			sigaction(SIGSEGV, &sv, NULL);
			if (sigsetjmp(jb, 1) == 0) {
				recurse(0);
				_exit(10);
			}
			int ok = segv_local >= (uintptr_t)overflow_alt &&
			         segv_local < (uintptr_t)overflow_alt + overflow_alt_size;
			if (!ok)
				_exit(11);
			if (segv_code != SEGV_MAPERR && segv_code != SEGV_ACCERR)
				_exit(12);
			/* The process keeps working after recovery. */
			if (recurse_limit == 0)
				_exit(13);
			_exit(0);
		}
		EXPECT_EXIT(it_wait(p), 0, "stack overflow SIGSEGV handled on the alt stack");
	}
	/* Same overflow without an alt stack: handler cannot run, process dies. */
	{
		pid_t p = it_fork();
		if (p == 0) {
			it_no_core();
			struct rlimit rl;
			getrlimit(RLIMIT_STACK, &rl);
			rl.rlim_cur = 1 << 20;
			setrlimit(RLIMIT_STACK, &rl);
			struct sigaction sv;
			memset(&sv, 0, sizeof sv);
			sv.sa_sigaction = h_segv;
			sv.sa_flags = SA_SIGINFO;
			sigaction(SIGSEGV, &sv, NULL);
			if (sigsetjmp(jb, 1) == 0)
				recurse(0);
			_exit(20);
		}
		EXPECT_SIGNALED(it_wait(p), SIGSEGV, "stack overflow without alt stack kills with SIGSEGV");
	}
	munmap(alt, ALT_SIZE);
	return it_end();
}
