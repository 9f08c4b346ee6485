/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi/sigframe.h: the x86-64 signal frame as Linux builds it on the guest
 * stack (arch/x86/include/uapi/asm/sigcontext.h, ucontext.h and
 * arch/x86/kernel/signal_64.c).
 */
#ifndef CVISOR_ABI_SIGFRAME_H
#define CVISOR_ABI_SIGFRAME_H

#include <stdint.h>

#include "sentry/abi/signal.h"

struct linux_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;
	uint64_t eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;          /* guest pointer to the FPU state */
	uint64_t reserved1[8];
};

struct linux_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct linux_stack uc_stack;
	struct linux_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

/* uc_flags */
#define LINUX_UC_FP_XSTATE 0x1
#define LINUX_UC_SIGCONTEXT_SS 0x2
#define LINUX_UC_STRICT_RESTORE_SS 0x4

struct linux_rt_sigframe {
	uint64_t pretcode;         /* sa_restorer: the handler returns here */
	struct linux_ucontext uc;
	struct linux_siginfo info;
	/* the FPU state follows, 64-byte aligned, below on the stack */
};

/* The software-reserved bytes at offset 464 of the FXSAVE area, which say
 * an XSAVE area follows (arch/x86/include/uapi/asm/sigcontext.h). */
struct linux_fpx_sw_bytes {
	uint32_t magic1;
	uint32_t extended_size;    /* whole area + FP_XSTATE_MAGIC2 */
	uint64_t xfeatures;
	uint32_t xstate_size;      /* the XSAVE area's size */
	uint32_t padding[7];
};
#define LINUX_FP_XSTATE_MAGIC1 0x46505853u
#define LINUX_FP_XSTATE_MAGIC2 0x46505845u
#define LINUX_FPX_SW_BYTES_OFFSET 464

#endif
