/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostsig.c: see hostsig.h.
 *
 * One thread waits for the forwarded signals with sigwaitinfo, the others
 * all have them blocked (inherited from the boot thread), so no handler
 * ever runs on a Sentry thread in the middle of its work. The signals the
 * Sentry uses for itself are not forwarded: SIGCHLD (stub kicks and
 * children), SIGPIPE (ignored), SIGSYS (a seccomp violation), the faults
 * (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP: a Sentry fault must crash
 * it), and glibc's reserved 32 and 33.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "sentry/boot/hostsig.h"
#include "sentry/fs/fs.h"
#include "sentry/fs/tty.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"

static const int forwarded[] = {
	SIGHUP,  SIGINT,    SIGQUIT,   SIGABRT, SIGUSR1, SIGUSR2,
	SIGALRM, SIGTERM,   SIGSTKFLT, SIGCONT, SIGTSTP, SIGTTIN,
	SIGTTOU, SIGURG,    SIGXCPU,   SIGXFSZ, SIGVTALRM, SIGPROF,
	SIGWINCH, SIGIO,    SIGPWR,
};

static sigset_t fwd_set;

void hostsig_block(void)
{
	sigemptyset(&fwd_set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&fwd_set, forwarded[i]);
	/* Sharing runsc do's session, the Sentry is part of a job of the
	 * user's shell: ^Z (or a background read of the terminal) stops it
	 * with the job, as for any command, and `fg` goes on. Leading a
	 * session of its own (runsc create), the terminal is the sandbox's:
	 * they go to its foreground process group. */
	if (getsid(0) != getpid()) {
		sigdelset(&fwd_set, SIGTSTP);
		sigdelset(&fwd_set, SIGTTIN);
		sigdelset(&fwd_set, SIGTTOU);
	}
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		sigaddset(&fwd_set, s);
	pthread_sigmask(SIG_BLOCK, &fwd_set, NULL);
}

int hostsig_deliver(int sig, bool from_tty)
{
	/* Host and guest signal numbers are the same (x86-64 Linux). */
	struct linux_siginfo si = { .signo = sig, .code = LINUX_SI_USER };
	struct tty *con = hostfd_console();
	struct thread_group *tg;

	if (from_tty && con && con->pgrp > 0) {
		tty_signal_fg(con, sig);
		return 0;
	}
	tg = tg_by_tgid(1);
	if (!tg || tg->zombie)
		return -ESRCH;
	return signal_send_group_from_host(tg, &si);
}

static void *hostsig_thread(void *arg)
{
	(void)arg;
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&fwd_set, &si);

		if (sig < 0)
			continue;
		/* SI_KERNEL: raised by the host kernel for a terminal (^C,
		 * a resize, a hangup), not sent by a process. */
		kernel_lock();
		if (hostsig_deliver(sig, si.si_code == SI_KERNEL))
			log_debug("host signal %d: no process to take it", sig);
		kernel_unlock();
	}
	return NULL;
}

int hostsig_start(void)
{
	pthread_attr_t attr;
	pthread_t th;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	err = pthread_create(&th, &attr, hostsig_thread, NULL);
	pthread_attr_destroy(&attr);
	return -err;
}
