/* t_fpu_signal: FPU/SSE/AVX register state is saved and restored around signal
 * handlers (a handler clobbering xmm/ymm, MXCSR and the x87 control word must
 * not change the interrupted code's values), handlers start with a clean FPU
 * state, and state survives fork and context switches, because the Sentry
 * saves and restores the guest's extended state itself. */
#include "itest.h"

#include <pthread.h>
#include <sched.h>
#include <sys/time.h>

struct fpstate {
	uint8_t xmm[16][16];
	uint32_t mxcsr;
	uint16_t cw;
} __attribute__((aligned(64)));

/* Load xmm0-15, MXCSR and the x87 CW from *in, do one raw syscall, store to *out. */
static long xmm_syscall(long nr, long a1, long a2, long a3, const struct fpstate *in,
                        struct fpstate *out)
{
	long ret = nr;
	__asm__ volatile("ldmxcsr 256(%[in])\n\t"
	                 "fldcw 260(%[in])\n\t"
	                 "movdqu 0(%[in]), %%xmm0\n\t"
	                 "movdqu 16(%[in]), %%xmm1\n\t"
	                 "movdqu 32(%[in]), %%xmm2\n\t"
	                 "movdqu 48(%[in]), %%xmm3\n\t"
	                 "movdqu 64(%[in]), %%xmm4\n\t"
	                 "movdqu 80(%[in]), %%xmm5\n\t"
	                 "movdqu 96(%[in]), %%xmm6\n\t"
	                 "movdqu 112(%[in]), %%xmm7\n\t"
	                 "movdqu 128(%[in]), %%xmm8\n\t"
	                 "movdqu 144(%[in]), %%xmm9\n\t"
	                 "movdqu 160(%[in]), %%xmm10\n\t"
	                 "movdqu 176(%[in]), %%xmm11\n\t"
	                 "movdqu 192(%[in]), %%xmm12\n\t"
	                 "movdqu 208(%[in]), %%xmm13\n\t"
	                 "movdqu 224(%[in]), %%xmm14\n\t"
	                 "movdqu 240(%[in]), %%xmm15\n\t"
	                 "syscall\n\t"
	                 "movdqu %%xmm0, 0(%[out])\n\t"
	                 "movdqu %%xmm1, 16(%[out])\n\t"
	                 "movdqu %%xmm2, 32(%[out])\n\t"
	                 "movdqu %%xmm3, 48(%[out])\n\t"
	                 "movdqu %%xmm4, 64(%[out])\n\t"
	                 "movdqu %%xmm5, 80(%[out])\n\t"
	                 "movdqu %%xmm6, 96(%[out])\n\t"
	                 "movdqu %%xmm7, 112(%[out])\n\t"
	                 "movdqu %%xmm8, 128(%[out])\n\t"
	                 "movdqu %%xmm9, 144(%[out])\n\t"
	                 "movdqu %%xmm10, 160(%[out])\n\t"
	                 "movdqu %%xmm11, 176(%[out])\n\t"
	                 "movdqu %%xmm12, 192(%[out])\n\t"
	                 "movdqu %%xmm13, 208(%[out])\n\t"
	                 "movdqu %%xmm14, 224(%[out])\n\t"
	                 "movdqu %%xmm15, 240(%[out])\n\t"
	                 "stmxcsr 256(%[out])\n\t"
	                 "fnstcw 260(%[out])\n\t"
	                 : "+a"(ret)
	                 : [in] "r"(in), [out] "r"(out), "D"(a1), "S"(a2), "d"(a3)
	                 : "rcx", "r11", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
	                   "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
	                   "xmm14", "xmm15");
	return ret;
}

/* Same with the full 256-bit ymm registers. */
static long ymm_syscall(long nr, long a1, long a2, long a3, const uint8_t in[16][32],
                        uint8_t out[16][32])
{
	long ret = nr;
	__asm__ volatile("vmovdqu 0(%[in]), %%ymm0\n\t"
	                 "vmovdqu 32(%[in]), %%ymm1\n\t"
	                 "vmovdqu 64(%[in]), %%ymm2\n\t"
	                 "vmovdqu 96(%[in]), %%ymm3\n\t"
	                 "vmovdqu 128(%[in]), %%ymm4\n\t"
	                 "vmovdqu 160(%[in]), %%ymm5\n\t"
	                 "vmovdqu 192(%[in]), %%ymm6\n\t"
	                 "vmovdqu 224(%[in]), %%ymm7\n\t"
	                 "vmovdqu 256(%[in]), %%ymm8\n\t"
	                 "vmovdqu 288(%[in]), %%ymm9\n\t"
	                 "vmovdqu 320(%[in]), %%ymm10\n\t"
	                 "vmovdqu 352(%[in]), %%ymm11\n\t"
	                 "vmovdqu 384(%[in]), %%ymm12\n\t"
	                 "vmovdqu 416(%[in]), %%ymm13\n\t"
	                 "vmovdqu 448(%[in]), %%ymm14\n\t"
	                 "vmovdqu 480(%[in]), %%ymm15\n\t"
	                 "syscall\n\t"
	                 "vmovdqu %%ymm0, 0(%[out])\n\t"
	                 "vmovdqu %%ymm1, 32(%[out])\n\t"
	                 "vmovdqu %%ymm2, 64(%[out])\n\t"
	                 "vmovdqu %%ymm3, 96(%[out])\n\t"
	                 "vmovdqu %%ymm4, 128(%[out])\n\t"
	                 "vmovdqu %%ymm5, 160(%[out])\n\t"
	                 "vmovdqu %%ymm6, 192(%[out])\n\t"
	                 "vmovdqu %%ymm7, 224(%[out])\n\t"
	                 "vmovdqu %%ymm8, 256(%[out])\n\t"
	                 "vmovdqu %%ymm9, 288(%[out])\n\t"
	                 "vmovdqu %%ymm10, 320(%[out])\n\t"
	                 "vmovdqu %%ymm11, 352(%[out])\n\t"
	                 "vmovdqu %%ymm12, 384(%[out])\n\t"
	                 "vmovdqu %%ymm13, 416(%[out])\n\t"
	                 "vmovdqu %%ymm14, 448(%[out])\n\t"
	                 "vmovdqu %%ymm15, 480(%[out])\n\t"
	                 "vzeroupper\n\t"
	                 : "+a"(ret)
	                 : [in] "r"(in), [out] "r"(out), "D"(a1), "S"(a2), "d"(a3)
	                 : "rcx", "r11", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
	                   "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
	                   "xmm14", "xmm15");
	return ret;
}

static volatile uint32_t entry_mxcsr;
static volatile uint16_t entry_cw;
static volatile int handler_ran, use_avx;
static uint8_t junk[16][32];
static volatile long double handler_ld;

static void h_clobber(int sig)
{
	(void)sig;
	uint32_t mx;
	uint16_t cw;
	__asm__ volatile("stmxcsr %0" : "=m"(mx));
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	entry_mxcsr = mx;
	entry_cw = cw;
	uint32_t bad_mx = 0x3f80 | 0x8040; /* round down, FTZ, DAZ */
	uint16_t bad_cw = 0x0c7f;          /* round toward zero, single precision */
	__asm__ volatile("ldmxcsr %0\n\tfldcw %1" ::"m"(bad_mx), "m"(bad_cw));
	if (use_avx) {
		__asm__ volatile("vmovdqu (%0), %%ymm0\n\tvmovdqu (%0), %%ymm1\n\tvmovdqu (%0), %%ymm2\n\t"
		                 "vmovdqu (%0), %%ymm3\n\tvmovdqu (%0), %%ymm4\n\tvmovdqu (%0), %%ymm5\n\t"
		                 "vmovdqu (%0), %%ymm6\n\tvmovdqu (%0), %%ymm7\n\tvmovdqu (%0), %%ymm8\n\t"
		                 "vmovdqu (%0), %%ymm9\n\tvmovdqu (%0), %%ymm10\n\tvmovdqu (%0), %%ymm11\n\t"
		                 "vmovdqu (%0), %%ymm12\n\tvmovdqu (%0), %%ymm13\n\t"
		                 "vmovdqu (%0), %%ymm14\n\tvmovdqu (%0), %%ymm15\n\t"
		                 "vzeroupper" ::"r"(junk)
		                 : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		                   "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
		/* vzeroupper cleared upper halves; dirty them again */
		__asm__ volatile("vmovdqu (%0), %%ymm0\n\tvmovdqu (%0), %%ymm7\n\tvmovdqu (%0), %%ymm15" ::"r"(
		                     junk)
		                 : "memory", "xmm0", "xmm7", "xmm15");
	} else {
		__asm__ volatile("movdqu (%0), %%xmm0\n\tmovdqu (%0), %%xmm1\n\tmovdqu (%0), %%xmm2\n\t"
		                 "movdqu (%0), %%xmm3\n\tmovdqu (%0), %%xmm4\n\tmovdqu (%0), %%xmm5\n\t"
		                 "movdqu (%0), %%xmm6\n\tmovdqu (%0), %%xmm7\n\tmovdqu (%0), %%xmm8\n\t"
		                 "movdqu (%0), %%xmm9\n\tmovdqu (%0), %%xmm10\n\tmovdqu (%0), %%xmm11\n\t"
		                 "movdqu (%0), %%xmm12\n\tmovdqu (%0), %%xmm13\n\t"
		                 "movdqu (%0), %%xmm14\n\tmovdqu (%0), %%xmm15" ::"r"(junk)
		                 : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		                   "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	}
	/* leave a value on the x87 stack too */
	handler_ld = handler_ld * 3.0L;
	handler_ran++;
}

static void fill(struct fpstate *s, unsigned seed)
{
	for (int r = 0; r < 16; r++)
		for (int b = 0; b < 16; b++)
			s->xmm[r][b] = (uint8_t)(seed * 31 + r * 17 + b * 7 + 1);
	s->mxcsr = 0x5f80; /* round up, all exceptions masked */
	s->cw = 0x077f;    /* round down, extended precision */
}

static int same_regs(const struct fpstate *a, const struct fpstate *b)
{
	return memcmp(a->xmm, b->xmm, sizeof a->xmm) == 0 && a->mxcsr == b->mxcsr && a->cw == b->cw;
}

static void restore_default_fp(void)
{
	uint32_t mx = 0x1f80;
	uint16_t cw = 0x037f;
	__asm__ volatile("ldmxcsr %0\n\tfldcw %1" ::"m"(mx), "m"(cw));
}

/* Context-switch preservation across threads. */
static volatile int thread_bad;
static void *fp_thread(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	struct fpstate in, out;
	fill(&in, seed);
	in.mxcsr = seed & 1 ? 0x5f80 : 0x3f80;
	in.cw = seed & 1 ? 0x077f : 0x0b7f;
	for (int i = 0; i < 300; i++) {
		memset(&out, 0, sizeof out);
		xmm_syscall(SYS_sched_yield, 0, 0, 0, &in, &out);
		if (!same_regs(&in, &out))
			thread_bad++;
	}
	restore_default_fp();
	return NULL;
}

static int double_bits_ok(void)
{
	volatile double one = 1.0, three = 3.0, a = 0.1, b = 0.2;
	double third = one / three, sum = a + b;
	uint64_t tb, sb;
	memcpy(&tb, &third, 8);
	memcpy(&sb, &sum, 8);
	return tb == 0x3FD5555555555555ULL && sb == 0x3FD3333333333334ULL;
}

static int long_double_ok(void)
{
	volatile long double one = 1.0L, three = 3.0L;
	long double third = one / three;
	unsigned char bytes[16];
	memset(bytes, 0, sizeof bytes);
	memcpy(bytes, (const void *)&third, 10);
	uint64_t mant;
	uint16_t se;
	memcpy(&mant, bytes, 8);
	memcpy(&se, bytes + 8, 2);
	return mant == 0xAAAAAAAAAAAAAAABULL && se == 0x3FFD;
}

int main(void)
{
	it_begin(10);
	__builtin_cpu_init();
	use_avx = __builtin_cpu_supports("avx");
	for (int r = 0; r < 16; r++)
		for (int b = 0; b < 32; b++)
			junk[r][b] = 0xA5;
	handler_ld = 1.5L;

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h_clobber;
	sigaction(SIGUSR1, &sa, NULL);

	pid_t pid = getpid();
	pid_t tid = (pid_t)syscall(SYS_gettid);
	struct fpstate in, out;

	/* Control: no signal. */
	fill(&in, 1);
	memset(&out, 0, sizeof out);
	xmm_syscall(SYS_getpid, 0, 0, 0, &in, &out);
	restore_default_fp();
	CHECK(same_regs(&in, &out), "xmm/MXCSR/x87 CW preserved across a plain syscall");

	/* Signal delivered on return from tgkill. */
	fill(&in, 2);
	memset(&out, 0, sizeof out);
	handler_ran = 0;
	long r = xmm_syscall(SYS_tgkill, pid, tid, SIGUSR1, &in, &out);
	restore_default_fp();
	CHECK(r == 0 && handler_ran == 1, "handler ran during the tgkill syscall");
	CHECK(memcmp(in.xmm, out.xmm, sizeof in.xmm) == 0,
	      "xmm0-15 preserved across a handler that clobbers them");
	CHECKF(out.mxcsr == in.mxcsr, "MXCSR preserved across the handler", "got %#x want %#x",
	       out.mxcsr, in.mxcsr);
	CHECKF(out.cw == in.cw, "x87 control word preserved across the handler", "got %#x want %#x",
	       out.cw, in.cw);
	CHECKF((entry_mxcsr & ~0x3fu) == 0x1f80, "handler starts with the default MXCSR",
	       "entry MXCSR %#x", entry_mxcsr);
	CHECKF(entry_cw == 0x037f, "handler starts with the default x87 control word",
	       "entry CW %#x", entry_cw);
	CHECK(double_bits_ok(), "double arithmetic exact (round-to-nearest) after the handler");
	CHECK(long_double_ok(), "long double arithmetic exact (64-bit mantissa) after the handler");

	/* Same with ymm upper halves. */
	{
		int ok = 1;
		if (use_avx) {
			static uint8_t yin[16][32], yout[16][32];
			for (int i = 0; i < 16; i++)
				for (int b = 0; b < 32; b++)
					yin[i][b] = (uint8_t)(i * 13 + b * 3 + 5);
			handler_ran = 0;
			ymm_syscall(SYS_tgkill, pid, tid, SIGUSR1, yin, yout);
			restore_default_fp();
			ok = handler_ran == 1 && memcmp(yin, yout, sizeof yin) == 0;
		}
		CHECK(ok, "ymm0-15 (incl. upper halves, where AVX exists) preserved across the handler");
	}

	/* Many signals in a row. */
	{
		int ok = 1;
		for (int i = 0; i < 200; i++) {
			fill(&in, 100 + i);
			memset(&out, 0, sizeof out);
			xmm_syscall(SYS_tgkill, pid, tid, SIGUSR1, &in, &out);
			if (!same_regs(&in, &out))
				ok = 0;
		}
		restore_default_fp();
		CHECK(ok, "register state preserved across 200 handled signals");
	}

	/* State is copied into a fork child (raw fork inside the asm block). */
	{
		fill(&in, 7);
		memset(&out, 0, sizeof out);
		fflush(stdout);
		long c = xmm_syscall(SYS_fork, 0, 0, 0, &in, &out);
		if (c == 0) {
			int ok = same_regs(&in, &out);
			restore_default_fp();
			ok = ok && double_bits_ok() && long_double_ok();
			_exit(ok ? 0 : 1);
		}
		restore_default_fp();
		CHECK(c > 0 && same_regs(&in, &out), "parent keeps its register state across fork");
		EXPECT_EXIT(it_wait((pid_t)c), 0, "child starts with the parent's register state");
	}

	/* Context switches between threads with different FP state. */
	{
		pthread_t t[3];
		for (int i = 0; i < 3; i++)
			pthread_create(&t[i], NULL, fp_thread, (void *)(uintptr_t)(i + 11));
		for (int i = 0; i < 3; i++)
			pthread_join(t[i], NULL);
		EXPECT_EQ(thread_bad, 0, "per-thread FP state preserved across context switches");
		CHECK(double_bits_ok() && long_double_ok(), "main thread FP state unaffected by other threads");
	}

	/* Signal handler that does FP math interrupting FP math in a loop. */
	{
		struct sigaction sb;
		memset(&sb, 0, sizeof sb);
		sb.sa_handler = h_clobber;
		sigaction(SIGALRM, &sb, NULL);
		struct itimerval it = {{0, 1000}, {0, 1000}};
		setitimer(ITIMER_REAL, &it, NULL);
		handler_ran = 0;
		int ok = 1;
		long long t0 = it_now_ns();
		volatile double acc = 0;
		while (handler_ran < 20 && it_now_ns() - t0 < 3000000000LL) {
			for (int i = 0; i < 1000; i++)
				acc = acc + 0.5;
			if (!double_bits_ok() || !long_double_ok())
				ok = 0;
		}
		struct itimerval zero = {{0, 0}, {0, 0}};
		setitimer(ITIMER_REAL, &zero, NULL);
		it_arm_watchdog(10);
		CHECK(ok && handler_ran >= 20, "FP results stay exact while timer signals interrupt");
	}
	return it_end();
}
