/* t_init_signals: the signals a pid namespace's init does not get.
 *
 * Linux protects the first process of a pid namespace (SIGNAL_UNKILLABLE):
 * a signal it has no handler for is dropped when sent from inside the
 * namespace, SIGKILL and SIGSTOP included; a handler still runs; a blocked
 * signal is queued and dropped when unblocked. In the sandbox this program
 * is pid 1 already; natively it makes a pid namespace (root only) and runs
 * the checks in that namespace's init.
 */
#include "itest.h"

#include <sched.h>
#include <sys/time.h>

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

/* A child of init sends `sig` to pid 1 and exits 0 if kill succeeded. */
static int child_kills_init(int sig)
{
	pid_t c = fork();
	int st;

	if (c == 0)
		_exit(kill(1, sig) == 0 ? 0 : 1);
	if (c < 0 || waitpid(c, &st, 0) != c)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int checks(void)
{
	sigset_t set, pend;
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };
	struct timespec nap = { 0, 100 * 1000 * 1000 };

	CHECK(getpid() == 1, "this is pid 1");
	CHECK(kill(1, SIGTERM) == 0, "kill(1, SIGTERM) succeeds");
	it_ok("init without a handler survives its own SIGTERM");
	CHECK(kill(getpid(), SIGKILL) == 0, "kill(self, SIGKILL) succeeds");
	it_ok("init survives its own SIGKILL");
	CHECK(kill(1, SIGSTOP) == 0 && kill(1, SIGSEGV) == 0 &&
		      kill(1, SIGUSR2) == 0,
	      "SIGSTOP, SIGSEGV (sent, not a fault), SIGUSR2 are sent");
	it_ok("init is neither stopped nor killed by them");
	CHECK(child_kills_init(SIGTERM) == 0 && child_kills_init(SIGKILL) == 0,
	      "a child's SIGTERM and SIGKILL to pid 1 succeed");
	it_ok("and init survives them");
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer(20 ms)");
	nanosleep(&nap, NULL);
	it_ok("init survives SIGALRM with no handler");

	signal(SIGUSR1, on_usr1);
	CHECK(kill(1, SIGUSR1) == 0 && got_usr1, "a handler still runs");
	signal(SIGUSR1, SIG_DFL);

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	CHECK(kill(1, SIGTERM) == 0, "a blocked SIGTERM is sent");
	CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGTERM),
	      "a blocked SIGTERM is queued");
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGTERM),
	      "unblocked, it is dropped and init survives");
	return it_failures ? 1 : 0;
}

int main(void)
{
	pid_t c;
	int st;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (getpid() == 1)
		return checks();
	if (unshare(CLONE_NEWPID) != 0) {
		/* Natively without privilege there is no namespace to make. */
		printf("SKIP: unshare(CLONE_NEWPID): %s\n", strerror(errno));
		return 0;
	}
	c = fork();
	if (c == 0)
		_exit(checks());
	if (c < 0 || waitpid(c, &st, 0) != c) {
		printf("FAIL: no init in a new pid namespace\n");
		return 1;
	}
	if (!WIFEXITED(st))
		printf("FAIL: init died of signal %d\n", WTERMSIG(st));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
