/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stub.h: what the rest of cvisor needs to know about the ptrace stub.
 *
 * The stub is the host process an address space lives in. It runs no code of
 * its own once it is set up: the Sentry makes every host syscall it needs by
 * injection (see inject.c). Its seccomp filter (spec/seccomp/stub.yaml) must
 * allow exactly these syscalls, each made by the platform, never by the
 * application (application syscalls stop in PTRACE_SYSEMU before seccomp):
 *
 *   munmap       master start-up empties the address space; as_unmap()
 *   mmap         as_map(): MAP_SHARED|MAP_FIXED of fd PTRACE_STUB_MEMFD only
 *   mprotect     as_protect()
 *   clone        a new address space (CLONE_PARENT|CLONE_UNTRACED, from the
 *                master) and a new stub thread (CLONE_THREAD|CLONE_VM|...)
 *   pause        a new stub process or thread waits there to be seized;
 *                an address space's idle leader thread sleeps there
 *   rt_sigprocmask  that leader blocks every signal, so none lands on an
 *                untraced thread
 *   sigaltstack  each stub thread gets its own fault-handler stack
 *   exit         a stub thread is released (ctx_release, Sentry thread exit)
 *
 * The filter is installed by the platform_stub_install_filter hook in the
 * master before it unmaps the Sentry's memory; every stub inherits it by
 * fork. Syscalls made in the master before the hook (it still runs Sentry
 * code then): rt_sigaction, rt_sigprocmask, setsid, prctl, dup2,
 * close_range, ptrace(PTRACE_TRACEME), tgkill, getpid, gettid, rseq,
 * set_robust_list, set_tid_address, sigaltstack, arch_prctl, mmap,
 * mprotect (and getrlimit, close on kernels before 5.9).
 *
 * One path does reach the filter from guest code: a call into the legacy
 * [vsyscall] page, which the host kernel emulates (gettimeofday, time,
 * getcpu) without a syscall stop but with a seccomp check. Denying those
 * three kills the stub of a program that uses vsyscall; allowing them gives
 * it the host's time, as the host vDSO already does.
 */
#ifndef CVISOR_PLATFORM_PTRACE_STUB_H
#define CVISOR_PLATFORM_PTRACE_STUB_H

/* The fd number the memory file has in every stub; no other fd is open. */
#define PTRACE_STUB_MEMFD 3

/* The syscall number the stub's fault handler stops with (never a real one). */
#define PTRACE_STUB_FAULT_NR 0xc0de

/*
 * Install the stub's seccomp filter. If set (before platform_ptrace_new),
 * called once, in the freshly forked master stub (a fork of a
 * multi-threaded Sentry: only async-signal-safe code, so prepare the BPF
 * program beforehand), after its fds are closed and before it empties its
 * address space and stops for the first time. Returns 0 or a negative errno
 * (platform_ptrace_new then fails with -EACCES). A pointer rather than a
 * weak function, so a definition in a static library cannot be silently
 * skipped by the linker. NULL (the default): no filter.
 */
extern int (*platform_stub_install_filter)(void);

#endif
