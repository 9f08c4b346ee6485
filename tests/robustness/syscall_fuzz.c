/* SPDX-License-Identifier: Apache-2.0 */
/*
 * syscall_fuzz: throw random system calls with hostile arguments at the
 * kernel it runs on. Meant to run inside a sandbox only (natively, random
 * calls as root could harm the host): the point is that the Sentry
 * survives whatever a program asks. Each batch runs in a child with a
 * watchdog, so calls that block or kill the caller are harmless.
 *
 * usage: syscall_fuzz SEED BATCHES CALLS_PER_BATCH
 * Prints "alive after N batches" if the kernel still answers at the end.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Calls that would only end or stall the batch without testing anything,
 * or multiply processes without bound. */
static int skipped(long nr)
{
	switch (nr) {
	case SYS_exit:
	case SYS_exit_group:
	case SYS_fork:
	case SYS_vfork:
	case SYS_clone:
	case SYS_clone3:
	case SYS_execve:
	case SYS_execveat:
	case SYS_pause:
	case SYS_rt_sigsuspend:
	case SYS_rt_sigreturn:
		return 1;
	default:
		return 0;
	}
}

/* An argument: small numbers, flags-like values, pointers into a scratch
 * page, pointers nowhere, huge values. */
static uint64_t arg(char *page)
{
	switch (next() % 8) {
	case 0: return next() % 16;
	case 1: return (uint64_t)-1 - next() % 4;
	case 2: return (uint64_t)page + next() % 4096;
	case 3: return 0x100000 + (next() & 0xfffff000);
	case 4: return next();
	case 5: return 1ULL << (next() % 64);
	case 6: return next() & 0xffffffff;
	default: return 0;
	}
}

static void batch(int calls)
{
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (page == MAP_FAILED)
		_exit(1);
	alarm(2);
	for (int i = 0; i < calls; i++) {
		long nr = (long)(next() % 460);

		if (skipped(nr))
			continue;
		/* Keep the scratch page and the watchdog usable. */
		if (nr == SYS_munmap || nr == SYS_mprotect || nr == SYS_mremap ||
		    nr == SYS_madvise || nr == SYS_brk || nr == SYS_alarm ||
		    nr == SYS_setitimer || nr == SYS_rt_sigprocmask ||
		    nr == SYS_rt_sigaction)
			continue;
		memset(page, (int)next(), 64);
		syscall(nr, arg(page), arg(page), arg(page), arg(page),
			arg(page), arg(page));
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	int batches, calls, killed = 0;

	if (argc != 4)
		return 2;
	rng = strtoull(argv[1], NULL, 0) | 1;
	batches = atoi(argv[2]);
	calls = atoi(argv[3]);
	for (int b = 0; b < batches; b++) {
		uint64_t seed = next();
		pid_t p = fork();
		int st;

		if (p < 0)
			return 1;
		if (p == 0) {
			rng = seed | 1;
			batch(calls);
		}
		while (waitpid(p, &st, 0) < 0)
			;
		if (WIFSIGNALED(st))
			killed++;
	}
	/* Reap anything the batches left (their children). */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	printf("alive after %d batches (%d ended by a signal), pid %d\n",
	       batches, killed, (int)syscall(SYS_getpid));
	return 0;
}
