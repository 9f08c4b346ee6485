/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi/signal.h: signal structures as the x86-64 guest sees them.
 *
 * Guest ABI only: fixed-width types and no host includes, so guest types
 * never mix with the host's (glibc's sigset_t is 1024 bits, the kernel's
 * is 64; glibc's struct sigaction differs from the kernel's).
 */
#ifndef CVISOR_ABI_SIGNAL_H
#define CVISOR_ABI_SIGNAL_H

#include <stdint.h>

#define LINUX_NSIG 64

#define LINUX_SIG_DFL 0ULL
#define LINUX_SIG_IGN 1ULL

/* sa_flags values are LINUX_SA_* in gen/linux_flags.h (spec/types.yaml). */

/* The kernel's struct sigaction for rt_sigaction on x86-64. */
struct linux_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* stack_t */
struct linux_stack {
	uint64_t sp;
	int32_t flags;
	int32_t pad_;
	uint64_t size;
};
#define LINUX_SS_ONSTACK 1
#define LINUX_SS_DISABLE 2
#define LINUX_SS_AUTODISARM (1u << 31)
#define LINUX_MINSIGSTKSZ 2048

/* siginfo_t: 128 bytes; the union members we fill, at their offsets. */
struct linux_siginfo {
	int32_t signo;
	int32_t errno_;
	int32_t code;
	int32_t pad0_;
	union {
		struct {            /* kill, tkill, sigqueue */
			int32_t pid;
			uint32_t uid;
			uint64_t value; /* sigval (rt) */
		} kill;
		struct {            /* POSIX timers */
			int32_t tid;
			int32_t overrun;
			uint64_t value;
		} timer;
		struct {            /* SIGCHLD */
			int32_t pid;
			uint32_t uid;
			int32_t status;
			int32_t pad_;
			int64_t utime;
			int64_t stime;
		} chld;
		struct {            /* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
			uint64_t addr;
		} fault;
		struct {            /* SIGPOLL */
			int64_t band;
			int32_t fd;
		} poll;
		struct {            /* SIGSYS */
			uint64_t call_addr;
			int32_t syscall;
			uint32_t arch;
		} sys;
		uint8_t pad_[128 - 16];
	} u;
};

/* si_code values */
/* struct sigevent (timer_create, mq_notify): 64 bytes. */
struct linux_sigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid; /* SIGEV_THREAD_ID; mq_notify's SIGEV_THREAD cookie */
	int32_t pad_[11];
};

#define LINUX_SI_USER 0
#define LINUX_SI_KERNEL 0x80
#define LINUX_SI_QUEUE (-1)
#define LINUX_SI_TIMER (-2)
#define LINUX_SI_MESGQ (-3)
#define LINUX_SI_ASYNCIO (-4)
#define LINUX_SI_SIGIO (-5)
#define LINUX_SI_TKILL (-6)
#define LINUX_CLD_EXITED 1
#define LINUX_CLD_KILLED 2
#define LINUX_CLD_DUMPED 3
#define LINUX_CLD_TRAPPED 4
#define LINUX_CLD_STOPPED 5
#define LINUX_CLD_CONTINUED 6
#define LINUX_SEGV_MAPERR 1
#define LINUX_SEGV_ACCERR 2
#define LINUX_BUS_ADRERR 2

/* Signal numbers the kernel treats specially. */
#define LINUX_SIGHUP 1
#define LINUX_SIGINT 2
#define LINUX_SIGQUIT 3
#define LINUX_SIGILL 4
#define LINUX_SIGTRAP 5
#define LINUX_SIGABRT 6
#define LINUX_SIGBUS 7
#define LINUX_SIGFPE 8
#define LINUX_SIGKILL 9
#define LINUX_SIGUSR1 10
#define LINUX_SIGSEGV 11
#define LINUX_SIGUSR2 12
#define LINUX_SIGPIPE 13
#define LINUX_SIGALRM 14
#define LINUX_SIGTERM 15
#define LINUX_SIGSTKFLT 16
#define LINUX_SIGCHLD 17
#define LINUX_SIGCONT 18
#define LINUX_SIGSTOP 19
#define LINUX_SIGTSTP 20
#define LINUX_SIGTTIN 21
#define LINUX_SIGTTOU 22
#define LINUX_SIGURG 23
#define LINUX_SIGXCPU 24
#define LINUX_SIGXFSZ 25
#define LINUX_SIGVTALRM 26
#define LINUX_SIGPROF 27
#define LINUX_SIGWINCH 28
#define LINUX_SIGIO 29
#define LINUX_SIGPWR 30
#define LINUX_SIGSYS 31
#define LINUX_SIGRTMIN 32

#define LINUX_SIGBIT(sig) (1ULL << ((sig) - 1))

#endif
