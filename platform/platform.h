/* SPDX-License-Identifier: Apache-2.0 */
/*
 * platform.h: how application code is run and trapped.
 *
 * Everything above this interface (the Sentry) knows nothing of ptrace or
 * seccomp. A platform runs a guest thread's registers inside a guest address
 * space until the thread does something the Sentry must handle: a system
 * call, a fault, a signal-raising instruction, or an interrupt requested by
 * the Sentry itself.
 *
 * Threading contract: a platform_ctx belongs to the Sentry thread that
 * created it with ctx_new(); only that thread may call ctx_switch() on it.
 * ctx_interrupt() may be called from any thread. Address space operations
 * (as_map/as_unmap/as_protect) may be called from any Sentry thread; a
 * platform serialises them internally as it needs to.
 */
#ifndef CVISOR_PLATFORM_H
#define CVISOR_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* The general registers, laid out exactly as the x86-64 ptrace
 * `struct user_regs_struct` so a platform may copy them in one step. */
struct cpu_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi, orig_rax;
	uint64_t rip, cs, eflags, rsp, ss;
	uint64_t fs_base, gs_base;
	uint64_t ds, es, fs, gs;
};

/* The whole user-visible CPU state of a guest thread. `fpu` is an XSAVE
 * area (64-byte aligned, `fpu_len` bytes, as CPUID leaf 0xd reports for the
 * features the host enables); its first 512 bytes are the legacy FXSAVE
 * layout the x86-64 signal frame uses. */
struct cpu_state {
	struct cpu_regs regs;
	uint8_t *fpu;
	size_t fpu_len;
};

/*
 * TRAP_SYSCALL: regs.orig_rax holds the number and regs.rax holds it too (the
 * guest's rax at the syscall instruction, not the -ENOSYS the host kernel
 * puts there), so restarting the call is rip -= 2 with rax as it is; to
 * return, the Sentry writes the result into rax. regs.orig_rax is ignored by
 * ctx_switch on input (the platform loads -1 so the host kernel never
 * restarts a guest syscall on its own). trap.code is 0 for the `syscall`
 * instruction and PLATFORM_SYSCALL_INT80 when the guest entered with
 * int $0x80 (the i386 syscall table: numbers mean other calls).
 */
#define PLATFORM_SYSCALL_INT80 0x80

/*
 * TRAP_FAULT: access is 0 where the platform cannot tell (the Sentry infers
 * it then). TRAP_INTERRUPTED may be spurious: the Sentry checks its own
 * state and switches again. A state the host refuses to load (a
 * non-canonical fs_base, reserved MXCSR bits, a bad XSAVE header) comes back
 * as TRAP_SIGNAL SIGSEGV with code SI_KERNEL, as Linux treats a bad
 * sigreturn frame; the registers are then as they were passed in.
 */

enum trap_kind {
	TRAP_SYSCALL,     /* regs.orig_rax holds the number; rip is after the syscall insn */
	TRAP_FAULT,       /* a memory access fault: addr, access */
	TRAP_SIGNAL,      /* a synchronous signal: SIGILL, SIGFPE, SIGTRAP, SIGBUS, SIGSEGV (non-access) */
	TRAP_INTERRUPTED, /* ctx_interrupt() kicked the thread out */
};

/* Access bits of a TRAP_FAULT, combinable. */
#define TRAP_ACCESS_READ 0x1
#define TRAP_ACCESS_WRITE 0x2
#define TRAP_ACCESS_EXEC 0x4

struct trap {
	enum trap_kind kind;
	int signo;      /* TRAP_FAULT: SIGSEGV or SIGBUS; TRAP_SIGNAL: the signal */
	int code;       /* the host si_code (SEGV_MAPERR, FPE_INTDIV, TRAP_BRKPT...) */
	uint64_t addr;  /* the faulting address (si_addr) */
	int access;     /* TRAP_FAULT: TRAP_ACCESS_* as far as the hardware tells */
	uint64_t trapno, error_code; /* x86 trap number and page-fault error code where known */
};

struct platform;
struct platform_as;
struct platform_ctx;

struct platform_ops {
	const char *name; /* "ptrace", "systrap" */

	/* Create an empty guest address space (nothing mapped but what the
	 * platform itself needs, see platform_info). */
	int (*as_new)(struct platform *, struct platform_as **);
	/* Map [addr, addr+len) to the memory file at memfile_off,
	 * MAP_SHARED|MAP_FIXED, with prot (PROT_*). Page aligned. */
	int (*as_map)(struct platform_as *, uint64_t addr, uint64_t len,
		      uint64_t memfile_off, int prot);
	int (*as_unmap)(struct platform_as *, uint64_t addr, uint64_t len);
	int (*as_protect)(struct platform_as *, uint64_t addr, uint64_t len,
			  int prot);
	void (*as_release)(struct platform_as *);

	/* A context runs guest threads; it is bound to the calling thread. */
	int (*ctx_new)(struct platform *, struct platform_ctx **);
	/* Load `st` into the ctx, run it in `as` until it traps, store the
	 * resulting state back into `st` and describe the trap. Returns 0, or
	 * a negative errno when the platform itself failed (the task must die). */
	int (*ctx_switch)(struct platform_ctx *, struct platform_as *,
			  struct cpu_state *st, struct trap *);
	/* Make the ctx's current or next ctx_switch return TRAP_INTERRUPTED soon. */
	void (*ctx_interrupt)(struct platform_ctx *);
	void (*ctx_release)(struct platform_ctx *);
};

/* What a guest address space already contains and where the guest must not
 * map: the platform's own reserved range and the host vDSO it keeps mapped
 * so clock_gettime() and friends stay fast. */
struct platform_info {
	uint64_t min_addr;     /* lowest guest mappable address (mmap_min_addr) */
	uint64_t max_addr;     /* one past the highest guest mappable address */
	uint64_t vdso_addr;    /* start of the [vdso] in every address space, 0 if none */
	uint64_t vdso_len;
	uint64_t vvar_addr;    /* start of the [vvar] pages the vDSO reads, 0 if none */
	uint64_t vvar_len;
};

struct platform {
	const struct platform_ops *ops;
	struct platform_info info;
};

/*
 * Create the platform, called once at Sentry start-up before its seccomp
 * filter is installed. `memfd` is the memory file: every as_map() maps a
 * range of it. Returns 0 or a negative errno.
 */
int platform_ptrace_new(int memfd, struct platform **out);

/* Run the fpu area size detection once; the size each cpu_state.fpu needs. */
size_t platform_fpu_size(void);
/* Give a fresh cpu_state the initial FPU state of a new process (FCW 0x37f, MXCSR 0x1f80). */
void platform_fpu_init(struct cpu_state *);

#endif
