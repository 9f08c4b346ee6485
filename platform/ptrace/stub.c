// SPDX-License-Identifier: Apache-2.0
/*
 * stub.c: the stub's code and the master stub's birth.
 *
 * The master is a fork of the Sentry (made once, at start-up, by the creator
 * thread). The child keeps only the memory file (at fd PTRACE_STUB_MEMFD),
 * maps the stub region at the top of the user range, copies the stub code
 * there, and jumps into it; the stub code unmaps everything else except the
 * host [vdso]/[vvar] and stops with int3 for its tracer. Every address space
 * is then a fork of the master made by injecting clone() into it, so no stub
 * after start-up needs exec or a fork of the (large) Sentry.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "platform/ptrace/internal.h"

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PT_STR2(x) #x
#define PT_STR(x) PT_STR2(x)

/* The fault handler reads err, trapno and cr2 straight from the ucontext. */
_Static_assert(offsetof(ucontext_t, uc_mcontext.gregs[REG_ERR]) == 192,
	       "ucontext err offset");
_Static_assert(offsetof(ucontext_t, uc_mcontext.gregs[REG_TRAPNO]) == 200,
	       "ucontext trapno offset");
_Static_assert(offsetof(ucontext_t, uc_mcontext.gregs[REG_CR2]) == 216,
	       "ucontext cr2 offset");

/*
 * The stub code, position independent, copied to the stub region. Every
 * entry the tracer points rip at ends in int3 (the tracer waits for that
 * SIGTRAP) followed by ud2, so a thread resumed by mistake faults loudly
 * instead of running on.
 */
/* clang-format off */
asm(".pushsection .text.cvisor_ptrace_stub, \"ax\", @progbits\n"
    ".balign 64\n"
    ".globl pt_stub_start\n .hidden pt_stub_start\n"
    "pt_stub_start:\n"
    /* Master start-up: rdi = (addr, len) pairs to unmap, rsi = count. */
    ".globl pt_stub_init\n .hidden pt_stub_init\n"
    "pt_stub_init:\n"
    "	mov %rdi, %r12\n"
    "	mov %rsi, %r13\n"
    "1:	test %r13, %r13\n"
    "	jz 2f\n"
    "	mov (%r12), %rdi\n"
    "	mov 8(%r12), %rsi\n"
    "	mov $" PT_STR(__NR_munmap) ", %eax\n"
    "	syscall\n"
    "	add $16, %r12\n"
    "	dec %r13\n"
    "	jmp 1b\n"
    "2:\n"
    ".globl pt_stub_init_trap\n .hidden pt_stub_init_trap\n"
    "pt_stub_init_trap:\n"
    "	int3\n"
    "	ud2\n"
    /* One injected syscall, registers set by the tracer. */
    ".globl pt_stub_syscall\n .hidden pt_stub_syscall\n"
    "pt_stub_syscall:\n"
    "	syscall\n"
    ".globl pt_stub_syscall_trap\n .hidden pt_stub_syscall_trap\n"
    "pt_stub_syscall_trap:\n"
    "	int3\n"
    "	ud2\n"
    /* An injected clone: the child waits in pause() to be seized. */
    ".globl pt_stub_clone\n .hidden pt_stub_clone\n"
    "pt_stub_clone:\n"
    "	syscall\n"
    "	test %rax, %rax\n"
    "	jnz pt_stub_clone_trap\n"
    ".globl pt_stub_pause\n .hidden pt_stub_pause\n"
    "pt_stub_pause:\n"
    "	mov $" PT_STR(__NR_pause) ", %eax\n"
    "	syscall\n"
    "	jmp pt_stub_pause\n"
    ".globl pt_stub_clone_trap\n .hidden pt_stub_clone_trap\n"
    "pt_stub_clone_trap:\n"
    "	int3\n"
    "	ud2\n"
    /*
     * An address space's leader retires here, untraced: block every
     * signal and sleep for good. (No int3: a forced SIGTRAP would unblock
     * SIGTRAP again.)
     */
    ".globl pt_stub_retire\n .hidden pt_stub_retire\n"
    "pt_stub_retire:\n"
    "	push $-1\n"
    "	mov $" PT_STR(SIG_SETMASK) ", %edi\n"
    "	mov %rsp, %rsi\n"
    "	xor %edx, %edx\n"
    "	mov $8, %r10d\n"
    "	mov $" PT_STR(__NR_rt_sigprocmask) ", %eax\n"
    "	syscall\n"
    "	jmp pt_stub_pause\n"
    /* sigaltstack(rdi = sp, rsi = size), rsp = scratch inside the slot. */
    ".globl pt_stub_altstack\n .hidden pt_stub_altstack\n"
    "pt_stub_altstack:\n"
    "	sub $32, %rsp\n"
    "	mov %rdi, (%rsp)\n"
    "	movl $0, 8(%rsp)\n"
    "	mov %rsi, 16(%rsp)\n"
    "	mov %rsp, %rdi\n"
    "	xor %esi, %esi\n"
    "	mov $" PT_STR(__NR_sigaltstack) ", %eax\n"
    "	syscall\n"
    ".globl pt_stub_altstack_trap\n .hidden pt_stub_altstack_trap\n"
    "pt_stub_altstack_trap:\n"
    "	int3\n"
    "	ud2\n"
    /*
     * SIGSEGV/SIGBUS handler (SA_SIGINFO, on the altstack): hand the
     * page-fault error code, trap number and cr2 of the frame to the tracer
     * in registers, by stopping in a PTRACE_SYSEMU syscall stop.
     */
    ".globl pt_stub_fault\n .hidden pt_stub_fault\n"
    "pt_stub_fault:\n"
    "	mov 192(%rdx), %r10\n"
    "	mov 200(%rdx), %r8\n"
    "	mov 216(%rdx), %r9\n"
    "	mov $" PT_STR(PTRACE_STUB_FAULT_NR) ", %eax\n"
    "	syscall\n"
    ".globl pt_stub_fault_end\n .hidden pt_stub_fault_end\n"
    "pt_stub_fault_end:\n"
    "	ud2\n"
    /* sa_restorer: the handler never returns. */
    ".globl pt_stub_restorer\n .hidden pt_stub_restorer\n"
    "pt_stub_restorer:\n"
    "	ud2\n"
    ".globl pt_stub_end\n .hidden pt_stub_end\n"
    "pt_stub_end:\n"
    ".popsection\n");
/* clang-format on */

/* The seccomp hook (stub.h); none until spec/seccomp/stub.yaml is used. */
int (*platform_stub_install_filter)(void);

/* Translate a symbol of the stub code to its address inside every stub. */
uint64_t pt_stub_addr(const struct pt_platform *p, const char *sym)
{
	return p->stub.code + (uint64_t)(sym - pt_stub_start);
}

/* The kernel's x86-64 struct sigaction, for raw rt_sigaction. */
struct pt_ksigaction {
	uint64_t handler;
	unsigned long flags;
	uint64_t restorer;
	uint64_t mask;
};

/* Exit codes of a master child that could not start. */
#define PT_MASTER_EXIT_FD 120
#define PT_MASTER_EXIT_REGION 121
#define PT_MASTER_EXIT_PTRACE 122
#define PT_MASTER_EXIT_FILTER 123
#define PT_MASTER_EXIT_RSEQ 124

#define PT_PTRACE_GET_RSEQ_CONFIGURATION 0x420f
#define PT_RSEQ_FLAG_UNREGISTER 1
#define PT_RSEQ_SIG_X86 0x53053053
#define PT_ARCH_SHSTK_DISABLE 0x5002
#define PT_ARCH_SHSTK_SHSTK 1

/* The kernel's answer to PTRACE_GET_RSEQ_CONFIGURATION (Linux 5.13). */
struct pt_rseq_conf {
	uint64_t ptr;
	uint32_t size, sig, flags, pad;
};

/*
 * The forking thread's rseq registration, written into the master child by
 * its tracer (PTRACE_POKEDATA) while the child is stopped: the child must
 * unregister it before unmapping the Sentry's memory, or the kernel's next
 * rseq update fails and kills it with SIGSEGV. Only the child's copy is
 * ever written.
 */
static volatile uint64_t master_rseq[2] __attribute__((aligned(16)));

/* glibc 2.35+ tells where it registered rseq; for kernels before 5.13. */
extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));

/* Drop every per-thread registration that points into Sentry memory the
 * master is about to unmap: rseq, the robust futex list, the tid to clear
 * at exit, a signal stack, a shadow stack. */
static void master_drop_registrations(void)
{
	stack_t ss = {.ss_flags = SS_DISABLE};
	uint64_t ptr = master_rseq[0];
	uint32_t len = (uint32_t)master_rseq[1];
	uint32_t sig = (uint32_t)(master_rseq[1] >> 32);

	if (ptr && syscall(SYS_rseq, ptr, len, PT_RSEQ_FLAG_UNREGISTER, sig))
		_exit(PT_MASTER_EXIT_RSEQ);
	syscall(SYS_set_robust_list, NULL, 3 * sizeof(void *));
	syscall(SYS_set_tid_address, NULL);
	syscall(SYS_sigaltstack, &ss, NULL);
	syscall(SYS_arch_prctl, PT_ARCH_SHSTK_DISABLE, PT_ARCH_SHSTK_SHSTK);
}

/* Close every fd but PTRACE_STUB_MEMFD: the stub must hold nothing else. */
static int master_close_fds(void)
{
	struct rlimit rl;
	unsigned int fd;

	if (syscall(SYS_close_range, 0, PTRACE_STUB_MEMFD - 1, 0) == 0 &&
	    syscall(SYS_close_range, PTRACE_STUB_MEMFD + 1, ~0U, 0) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
	/* Kernels before 5.9: close one by one. */
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	for (fd = 0; fd < rl.rlim_cur && fd < (1U << 20); fd++)
		if (fd != PTRACE_STUB_MEMFD)
			syscall(SYS_close, fd);
	return 0;
}

/* Reset every signal to its default and unblock all, then install the fault
 * handler: the Sentry's handlers point at memory the stub will not have. */
static void master_signals(const struct pt_platform *p)
{
	struct pt_ksigaction sa;
	uint64_t mask = 0;
	int sig;

	for (sig = 1; sig <= 64; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		memset(&sa, 0, sizeof(sa));
		syscall(SYS_rt_sigaction, sig, &sa, NULL, 8);
	}
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &mask, NULL, 8);

	memset(&sa, 0, sizeof(sa));
	sa.handler = pt_stub_addr(p, pt_stub_fault);
	sa.flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTORER;
	sa.restorer = pt_stub_addr(p, pt_stub_restorer);
	syscall(SYS_rt_sigaction, SIGSEGV, &sa, NULL, 8);
	syscall(SYS_rt_sigaction, SIGBUS, &sa, NULL, 8);
}

/*
 * The forked child: only raw syscalls, memcpy and the filter hook (it is a
 * fork of a multi-threaded process). Never returns.
 */
static void __attribute__((noreturn))
master_child(const struct pt_platform *p, const uint64_t *unmap, int nunmap)
{
	const struct pt_stub_layout *l = &p->stub;
	uint64_t entry, sp;
	void *m;

	master_signals(p);
	/* Out of the Sentry's session: no terminal signals reach stubs. */
	syscall(SYS_setsid);
	/* The creator thread lives as long as the platform. */
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);

	if (p->memfd != PTRACE_STUB_MEMFD &&
	    syscall(SYS_dup2, p->memfd, PTRACE_STUB_MEMFD) < 0)
		_exit(PT_MASTER_EXIT_FD);
	if (master_close_fds() < 0)
		_exit(PT_MASTER_EXIT_FD);

	/* Traced by the creator thread; stop so it can fill master_rseq. */
	if (syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0) < 0)
		_exit(PT_MASTER_EXIT_PTRACE);
	syscall(SYS_tgkill, syscall(SYS_getpid), syscall(SYS_gettid), SIGSTOP);
	master_drop_registrations();

	m = (void *)syscall(SYS_mmap, l->base, l->len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE |
				    MAP_NORESERVE,
			    -1, 0);
	if (m != (void *)l->base)
		_exit(PT_MASTER_EXIT_REGION);
	memcpy((void *)l->code, pt_stub_start, pt_stub_end - pt_stub_start);
	memcpy((void *)l->data, unmap, nunmap * 2 * sizeof(uint64_t));
	if (syscall(SYS_mprotect, l->code, PT_PAGE, PROT_READ | PROT_EXEC))
		_exit(PT_MASTER_EXIT_REGION);

	if (platform_stub_install_filter && platform_stub_install_filter() < 0)
		_exit(PT_MASTER_EXIT_FILTER);

	entry = pt_stub_addr(p, pt_stub_init);
	sp = l->data + PT_PAGE;
	asm volatile("mov %0, %%rsp\n\t"
		     "jmp *%1\n\t"
		     :
		     : "r"(sp), "r"(entry), "D"(l->data), "S"((long)nunmap)
		     : "memory");
	__builtin_unreachable();
}

/* The complement of the ranges to keep: what the master must unmap. */
static int master_unmap_list(const struct pt_platform *p, uint64_t *out)
{
	uint64_t prev = 0;
	int i, n = 0;

	for (i = 0; i < p->nkeep; i++) {
		if (p->keep[i].start > prev) {
			out[2 * n] = prev;
			out[2 * n + 1] = p->keep[i].start - prev;
			n++;
		}
		prev = p->keep[i].end;
	}
	if (prev < PT_USER_TOP) {
		out[2 * n] = prev;
		out[2 * n + 1] = PT_USER_TOP - prev;
		n++;
	}
	/* The upper half of 5-level paging; EINVAL (ignored) on 4-level. */
	out[2 * n] = PT_USER_TOP;
	out[2 * n + 1] = 0xfffffffffff000UL - PT_USER_TOP;
	return n + 1;
}

/* Map a failed master's exit code to the errno platform_ptrace_new returns. */
static int master_exit_errno(int status)
{
	if (!WIFEXITED(status))
		return -ECHILD;
	switch (WEXITSTATUS(status)) {
	case PT_MASTER_EXIT_REGION:
		return -EEXIST;
	case PT_MASTER_EXIT_PTRACE:
		return -EPERM;
	case PT_MASTER_EXIT_FILTER:
		return -EACCES;
	case PT_MASTER_EXIT_RSEQ:
		return -ENOTRECOVERABLE;
	default:
		return -EIO;
	}
}

/* Read the stopped master child's rseq registration and write it into its
 * master_rseq, so it can unregister it. */
static int master_tell_rseq(pid_t pid)
{
	struct pt_rseq_conf conf = {0};
	uint64_t w1;

	if (ptrace(PT_PTRACE_GET_RSEQ_CONFIGURATION, pid, sizeof(conf), &conf) <
	    0) {
		/* Before Linux 5.13: glibc's registration, if any. */
		if (&__rseq_size == NULL || !__rseq_size)
			return 0;
		conf.ptr = (uint64_t)__builtin_thread_pointer() +
			   (uint64_t)__rseq_offset;
		conf.size = 32;
		conf.sig = PT_RSEQ_SIG_X86;
	}
	if (!conf.ptr)
		return 0;
	w1 = (uint64_t)conf.sig << 32 | conf.size;
	if (ptrace(PTRACE_POKEDATA, pid, &master_rseq[0], conf.ptr) < 0 ||
	    ptrace(PTRACE_POKEDATA, pid, &master_rseq[1], w1) < 0)
		return -errno;
	return 0;
}

/*
 * Fork and set up the master stub; runs on the creator thread, which becomes
 * its tracer. Returns 0, -EEXIST if the stub region was taken (retry with a
 * fresh layout), or another negative errno.
 */
int pt_master_create(struct pt_platform *p)
{
	uint64_t unmap[2 * (PT_MAX_KEEP + 3)];
	struct user_regs_struct regs;
	struct pt_thread *m = &p->master;
	int n, status, rc;
	pid_t pid;

	n = master_unmap_list(p, unmap);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		master_child(p, unmap, n);

	memset(m, 0, sizeof(*m));
	m->p = p;
	m->pid = m->tid = pid;
	m->slot = -1;
	rc = pt_wait(m, &status);
	if (rc < 0)
		return m->reaped ? master_exit_errno(status) : rc;
	if (WSTOPSIG(status) != SIGSTOP) {
		rc = -EIO;
		goto fail;
	}
	rc = master_tell_rseq(pid);
	if (rc < 0)
		goto fail;
	if (ptrace(PTRACE_CONT, pid, 0, 0) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = pt_wait(m, &status);
	if (rc < 0)
		return m->reaped ? master_exit_errno(status) : rc;
	if (WSTOPSIG(status) != SIGTRAP) {
		rc = -EIO;
		goto fail;
	}
	if (ptrace(PTRACE_GETREGS, pid, 0, &regs) < 0 ||
	    regs.rip != pt_stub_addr(p, pt_stub_init_trap) + 1) {
		rc = -EIO;
		goto fail;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, 0,
		   PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = pt_verify_stub_maps(p, pid);
	if (rc < 0)
		goto fail;
	return 0;
fail:
	kill(pid, SIGKILL);
	pt_reap(m);
	return rc;
}
