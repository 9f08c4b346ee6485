/* SPDX-License-Identifier: Apache-2.0 */
/* sigfwd.c: see sigfwd.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "runsc/oci/sigfwd.h"

#define NSIG_ 65

static volatile sig_atomic_t pending[NSIG_], tty[NSIG_];
static int wake[2] = { -1, -1 };

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	int e = errno;

	(void)uc;
	if (sig > 0 && sig < NSIG_ && sig != SIGCHLD) {
		tty[sig] = si && si->si_code == SI_KERNEL;
		pending[sig] = 1;
	}
	if (write(wake[1], "", 1) < 0) {
		/* Full: the loop has a wake-up to read already. */
	}
	errno = e;
}

/* Signals with our handler: the forwarded ones, and SIGCHLD (which only
 * wakes the loop). */
static bool caught(int sig)
{
	switch (sig) {
	case SIGKILL:
	case SIGSTOP:
	case SIGURG:
	case SIGSEGV:
	case SIGBUS:
	case SIGILL:
	case SIGFPE:
	case SIGTRAP:
	case SIGSYS:
		return false;
	default:
		/* glibc keeps 32 and 33 for itself. */
		return sig < 32 || sig >= SIGRTMIN;
	}
}

int sigfwd_install(void)
{
	struct sigaction sa = { .sa_sigaction = on_signal,
				.sa_flags = SA_SIGINFO };

	if (wake[0] < 0 && pipe2(wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	sigfillset(&sa.sa_mask);
	/* No SA_RESTART: a blocking wait ends so the signal is passed on. */
	for (int sig = 1; sig < NSIG_ && sig <= SIGRTMAX; sig++)
		if (caught(sig))
			sigaction(sig, &sa, NULL);
	return wake[0];
}

void sigfwd_clear(void)
{
	char buf[64];

	while (read(wake[0], buf, sizeof(buf)) > 0)
		;
}

int sigfwd_next(bool *from_tty)
{
	for (int sig = 1; sig < NSIG_; sig++)
		if (pending[sig]) {
			pending[sig] = 0;
			*from_tty = tty[sig];
			return sig;
		}
	return 0;
}
