/* t_signals: signal generation and delivery semantics (siginfo of kill / tgkill
 * / sigqueue / rt_sigqueueinfo, queueing and ordering, masks, sigsuspend,
 * sigtimedwait, signalfd, SA_RESTART / SA_NODEFER / SA_RESETHAND, SIGCHLD,
 * stop/continue, default actions, process-group kill) because the Sentry
 * implements all of signal delivery itself. */
#include "itest.h"

#include <poll.h>
#include <pthread.h>
#include <sys/signalfd.h>
#include <ucontext.h>

struct rec {
	int signo, code, val, status;
	pid_t pid, tid;
	uid_t uid;
};
static volatile int nrec;
static struct rec recs[64];

static void h_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (nrec < 64) {
		struct rec *r = &recs[nrec];
		r->signo = sig;
		r->code = si->si_code;
		r->pid = si->si_pid;
		r->uid = si->si_uid;
		r->val = si->si_value.sival_int;
		r->status = si->si_status;
		r->tid = (pid_t)syscall(SYS_gettid);
	}
	nrec++;
}

static void install(int sig, int flags, int fullmask)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h_info;
	sa.sa_flags = SA_SIGINFO | flags;
	if (fullmask)
		sigfillset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void set_default(int sig)
{
	signal(sig, SIG_DFL);
}

static void block(int sig, int how)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(how, &s, NULL);
}

static int is_blocked(int sig)
{
	sigset_t s;
	sigprocmask(SIG_BLOCK, NULL, &s);
	return sigismember(&s, sig);
}

/* SA_NODEFER nesting. */
static volatile int depth, maxdepth, ncalls;
static void h_nest(int sig)
{
	depth++;
	if (depth > maxdepth)
		maxdepth = depth;
	ncalls++;
	if (ncalls == 1)
		raise(sig);
	depth--;
}

/* ucontext mask inspection. */
static volatile int uc_has_usr2, uc_has_usr1, in_has_usr1, in_has_term;
static void h_uc(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	(void)si;
	ucontext_t *uc = ucv;
	sigset_t cur;
	uc_has_usr2 = sigismember(&uc->uc_sigmask, SIGUSR2);
	uc_has_usr1 = sigismember(&uc->uc_sigmask, SIGUSR1);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	in_has_usr1 = sigismember(&cur, SIGUSR1);
	in_has_term = sigismember(&cur, SIGTERM);
	sigaddset(&uc->uc_sigmask, SIGWINCH); /* takes effect at sigreturn */
}

/* Restart tests. */
static pthread_t main_thread;
static volatile int stop_sending, handler_hits;
static int restart_pipe[2];
static void h_count(int sig)
{
	(void)sig;
	handler_hits++;
}
static void *sender_eintr(void *arg)
{
	int sig = (int)(intptr_t)arg;
	while (!stop_sending) {
		pthread_kill(main_thread, sig);
		usleep(5000);
	}
	return NULL;
}
static void *sender_restart(void *arg)
{
	int sig = (int)(intptr_t)arg;
	for (int i = 0; i < 10; i++) {
		pthread_kill(main_thread, sig);
		usleep(5000);
	}
	if (write(restart_pipe[1], "R", 1) != 1)
		return NULL;
	return NULL;
}

/* Process-directed signal goes to the only thread not blocking it. */
static volatile int unblocked_ready;
static volatile pid_t unblocked_tid;
static void *unblocked_thread(void *arg)
{
	(void)arg;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	unblocked_tid = (pid_t)syscall(SYS_gettid);
	unblocked_ready = 1;
	while (nrec == 0)
		usleep(1000);
	return NULL;
}

static int child_raise(int sig)
{
	pid_t p = it_fork();
	if (p == 0) {
		it_no_core();
		if (sig != SIGKILL)
			signal(sig, SIG_DFL);
		if (sig == SIGABRT)
			abort();
		raise(sig);
		_exit(0);
	}
	return it_wait(p);
}

int main(void)
{
	it_begin(10);
	pid_t me = getpid();
	main_thread = pthread_self();

	/* siginfo for the different senders. */
	install(SIGUSR1, 0, 1);
	nrec = 0;
	kill(me, SIGUSR1);
	CHECKF(nrec == 1 && recs[0].signo == SIGUSR1 && recs[0].code == SI_USER &&
	           recs[0].pid == me && recs[0].uid == getuid(),
	       "kill: delivered before return with SI_USER, si_pid, si_uid", "nrec=%d code=%d", nrec,
	       recs[0].code);
	nrec = 0;
	syscall(SYS_tgkill, me, syscall(SYS_gettid), SIGUSR1);
	CHECKF(nrec == 1 && recs[0].code == SI_TKILL && recs[0].pid == me,
	       "tgkill: SI_TKILL with si_pid", "nrec=%d code=%d", nrec, recs[0].code);
	nrec = 0;
	sigqueue(me, SIGUSR1, (union sigval){.sival_int = 1234});
	CHECKF(nrec == 1 && recs[0].code == SI_QUEUE && recs[0].pid == me && recs[0].val == 1234,
	       "sigqueue: SI_QUEUE with si_value", "nrec=%d code=%d val=%d", nrec, recs[0].code,
	       recs[0].val);
	nrec = 0;
	raise(SIGUSR1);
	CHECKF(nrec == 1 && recs[0].code == SI_TKILL, "raise: SI_TKILL", "nrec=%d code=%d", nrec,
	       recs[0].code);
	{
		siginfo_t si;
		memset(&si, 0, sizeof si);
		si.si_signo = SIGUSR1;
		si.si_code = -42;
		si.si_pid = 4242;
		si.si_uid = 4343;
		si.si_value.sival_int = 77;
		nrec = 0;
		long r = syscall(SYS_rt_sigqueueinfo, me, SIGUSR1, &si);
		CHECKF(r == 0 && nrec == 1 && recs[0].code == -42 && recs[0].pid == 4242 &&
		           recs[0].val == 77,
		       "rt_sigqueueinfo to self delivers the caller's siginfo verbatim",
		       "r=%ld nrec=%d code=%d pid=%d", r, nrec, recs[0].code, recs[0].pid);

		pid_t c = it_fork();
		if (c == 0) {
			for (;;)
				pause();
		}
		si.si_code = SI_USER;
		EXPECT_ERRNO(syscall(SYS_rt_sigqueueinfo, c, SIGUSR1, &si), EPERM,
		             "rt_sigqueueinfo with si_code SI_USER to another process: EPERM");
		si.si_code = SI_TKILL;
		EXPECT_ERRNO(syscall(SYS_rt_sigqueueinfo, c, SIGUSR1, &si), EPERM,
		             "rt_sigqueueinfo with si_code SI_TKILL to another process: EPERM");
		kill(c, SIGKILL);
		it_wait(c);
	}

	/* Validation. */
	{
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = h_count;
		EXPECT_ERRNO(sigaction(SIGKILL, &sa, NULL), EINVAL, "sigaction(SIGKILL) is EINVAL");
		EXPECT_ERRNO(sigaction(SIGSTOP, &sa, NULL), EINVAL, "sigaction(SIGSTOP) is EINVAL");
		EXPECT_ERRNO(syscall(SYS_rt_sigaction, 65, NULL, NULL, 8), EINVAL,
		             "rt_sigaction(65) is EINVAL");
		EXPECT_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4), EINVAL,
		             "rt_sigaction with sigsetsize 4 is EINVAL");
		EXPECT_ERRNO(kill(me, 65), EINVAL, "kill with signal 65 is EINVAL");
		EXPECT_EQ(kill(me, 0), 0, "kill(self, 0) checks existence");
		EXPECT_ERRNO(syscall(SYS_tgkill, me, me + 1000000, SIGUSR1), ESRCH,
		             "tgkill to a nonexistent tid: ESRCH");
		struct sigaction q;
		sigaction(SIGKILL, NULL, &q);
		CHECK(q.sa_handler == SIG_DFL, "sigaction can query SIGKILL");
	}

	/* RT signals queue in order; standard signals coalesce. */
	install(SIGRTMIN, 0, 1);
	install(SIGRTMIN + 1, 0, 1);
	install(SIGUSR2, 0, 1);
	nrec = 0;
	block(SIGRTMIN, SIG_BLOCK);
	for (int i = 1; i <= 3; i++)
		sigqueue(me, SIGRTMIN, (union sigval){.sival_int = i});
	int before = nrec;
	block(SIGRTMIN, SIG_UNBLOCK);
	CHECKF(before == 0 && nrec == 3 && recs[0].val == 1 && recs[1].val == 2 && recs[2].val == 3,
	       "3 queued RT signals delivered in order after unblock", "before=%d nrec=%d", before,
	       nrec);
	nrec = 0;
	block(SIGUSR2, SIG_BLOCK);
	kill(me, SIGUSR2);
	kill(me, SIGUSR2);
	{
		sigset_t p;
		sigpending(&p);
		CHECK(sigismember(&p, SIGUSR2) && nrec == 0, "blocked signal shows in sigpending");
	}
	block(SIGUSR2, SIG_UNBLOCK);
	EXPECT_EQ(nrec, 1, "two blocked standard signals coalesce into one delivery");
	{
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		sigaddset(&s, SIGRTMIN);
		sigaddset(&s, SIGRTMIN + 1);
		sigprocmask(SIG_BLOCK, &s, NULL);
		nrec = 0;
		sigqueue(me, SIGRTMIN + 1, (union sigval){.sival_int = 0});
		sigqueue(me, SIGRTMIN, (union sigval){.sival_int = 0});
		kill(me, SIGUSR1);
		sigprocmask(SIG_UNBLOCK, &s, NULL);
		CHECKF(nrec == 3 && recs[0].signo == SIGUSR1 && recs[1].signo == SIGRTMIN &&
		           recs[2].signo == SIGRTMIN + 1,
		       "pending signals delivered lowest number first (standard before RT)",
		       "nrec=%d order %d %d %d", nrec, recs[0].signo, recs[1].signo, recs[2].signo);
	}

	/* Setting SIG_IGN discards a pending signal. */
	{
		block(SIGUSR2, SIG_BLOCK);
		kill(me, SIGUSR2);
		signal(SIGUSR2, SIG_IGN);
		sigset_t p;
		sigpending(&p);
		CHECK(!sigismember(&p, SIGUSR2), "setting SIG_IGN discards a pending signal");
		block(SIGUSR2, SIG_UNBLOCK);
		install(SIGUSR2, 0, 1);
	}

	/* sigwaitinfo / sigtimedwait. */
	{
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		sigprocmask(SIG_BLOCK, &s, NULL);
		nrec = 0;
		sigqueue(me, SIGUSR1, (union sigval){.sival_int = 5});
		siginfo_t si;
		int r = sigwaitinfo(&s, &si);
		CHECK(r == SIGUSR1 && si.si_code == SI_QUEUE && si.si_value.sival_int == 5 && nrec == 0,
		      "sigwaitinfo takes a blocked signal without running the handler");
		struct timespec ts = {0, 100 * 1000000};
		long long t0 = it_now_ns();
		r = sigtimedwait(&s, &si, &ts);
		long long dt = it_now_ns() - t0;
		int e = errno;
		CHECKF(r == -1 && e == EAGAIN && dt >= 99000000LL && dt < 2000000000LL,
		       "sigtimedwait times out with EAGAIN after ~100ms", "r=%d errno=%d dt=%lld", r, e,
		       dt);
		struct timespec zero = {0, 0};
		EXPECT_ERRNO(sigtimedwait(&s, &si, &zero), EAGAIN, "sigtimedwait with zero timeout polls");
		sigqueue(me, SIGUSR1, (union sigval){.sival_int = 6});
		r = sigtimedwait(&s, &si, &zero);
		CHECK(r == SIGUSR1 && si.si_value.sival_int == 6, "sigtimedwait returns a pending signal");
		struct timespec bad = {0, 1000000000};
		EXPECT_ERRNO(sigtimedwait(&s, &si, &bad), EINVAL, "sigtimedwait with tv_nsec=1e9: EINVAL");

		/* signalfd */
		int fd = signalfd(-1, &s, SFD_CLOEXEC);
		sigqueue(me, SIGUSR1, (union sigval){.sival_int = 9});
		struct signalfd_siginfo ssi;
		ssize_t n = read(fd, &ssi, sizeof ssi);
		CHECK(fd >= 0 && n == sizeof ssi && ssi.ssi_signo == SIGUSR1 && ssi.ssi_code == SI_QUEUE &&
		          ssi.ssi_int == 9 && (pid_t)ssi.ssi_pid == me,
		      "signalfd reads a queued signal's info");
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		EXPECT_EQ(poll(&pfd, 1, 0), 0, "signalfd not readable when nothing pending");
		fcntl(fd, F_SETFL, O_NONBLOCK);
		EXPECT_ERRNO(read(fd, &ssi, sizeof ssi), EAGAIN, "nonblocking signalfd read: EAGAIN");
		close(fd);
		sigprocmask(SIG_UNBLOCK, &s, NULL);
	}

	/* sigsuspend. */
	{
		block(SIGUSR1, SIG_BLOCK);
		nrec = 0;
		raise(SIGUSR1);
		int pending_before = nrec;
		sigset_t empty;
		sigemptyset(&empty);
		int r = sigsuspend(&empty);
		int e = errno;
		CHECK(pending_before == 0 && r == -1 && e == EINTR && nrec == 1,
		      "sigsuspend runs the pending handler and returns EINTR");
		CHECK(is_blocked(SIGUSR1), "sigsuspend restores the original mask");
		block(SIGUSR1, SIG_UNBLOCK);
	}
	{
		sigset_t full, cur;
		sigfillset(&full);
		sigprocmask(SIG_SETMASK, &full, NULL);
		sigprocmask(SIG_SETMASK, NULL, &cur);
		CHECK(!sigismember(&cur, SIGKILL) && !sigismember(&cur, SIGSTOP) &&
		          sigismember(&cur, SIGUSR1) && sigismember(&cur, SIGRTMAX),
		      "SIGKILL and SIGSTOP cannot be blocked");
		sigemptyset(&full);
		sigprocmask(SIG_SETMASK, &full, NULL);
		EXPECT_ERRNO(sigprocmask(42, &full, NULL), EINVAL, "sigprocmask with bad how: EINVAL");
	}

	/* Handler masks and ucontext. */
	{
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = h_uc;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		sigaddset(&sa.sa_mask, SIGTERM);
		sigaction(SIGUSR1, &sa, NULL);
		block(SIGUSR2, SIG_BLOCK);
		raise(SIGUSR1);
		CHECK(uc_has_usr2 && !uc_has_usr1, "ucontext uc_sigmask is the interrupted mask");
		CHECK(in_has_usr1 && in_has_term, "handler runs with its signal and sa_mask blocked");
		CHECK(!is_blocked(SIGUSR1) && !is_blocked(SIGTERM) && is_blocked(SIGUSR2),
		      "mask restored after the handler returns");
		CHECK(is_blocked(SIGWINCH), "sigreturn applies uc_sigmask changed by the handler");
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		install(SIGUSR1, 0, 1);
	}

	/* SA_NODEFER / SA_RESETHAND. */
	{
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = h_nest;
		sa.sa_flags = SA_NODEFER;
		sigaction(SIGUSR2, &sa, NULL);
		depth = maxdepth = ncalls = 0;
		raise(SIGUSR2);
		CHECKF(ncalls == 2 && maxdepth == 2, "SA_NODEFER: handler re-entered from itself",
		       "calls=%d maxdepth=%d", ncalls, maxdepth);
		sa.sa_flags = 0;
		sigaction(SIGUSR2, &sa, NULL);
		depth = maxdepth = ncalls = 0;
		raise(SIGUSR2);
		CHECKF(ncalls == 2 && maxdepth == 1, "without SA_NODEFER: nested signal deferred",
		       "calls=%d maxdepth=%d", ncalls, maxdepth);
		sa.sa_flags = SA_RESETHAND;
		sigaction(SIGUSR2, &sa, NULL);
		depth = maxdepth = ncalls = 5; /* no re-raise */
		raise(SIGUSR2);
		struct sigaction q;
		sigaction(SIGUSR2, NULL, &q);
		CHECK(ncalls == 6 && q.sa_handler == SIG_DFL, "SA_RESETHAND: disposition reset to SIG_DFL");
		install(SIGUSR2, 0, 1);
	}

	/* SA_RESTART vs EINTR for a blocking pipe read. */
	{
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = h_count;
		sa.sa_flags = 0;
		sigaction(SIGUSR2, &sa, NULL);
		if (pipe(restart_pipe) < 0)
			return 1;
		pthread_t t;
		stop_sending = 0;
		handler_hits = 0;
		pthread_create(&t, NULL, sender_eintr, (void *)(intptr_t)SIGUSR2);
		char c;
		ssize_t n = read(restart_pipe[0], &c, 1);
		int e = errno;
		stop_sending = 1;
		pthread_join(t, NULL);
		CHECKF(n == -1 && e == EINTR && handler_hits >= 1,
		       "without SA_RESTART a blocking read fails with EINTR", "n=%zd errno=%d hits=%d", n,
		       e, handler_hits);

		sa.sa_flags = SA_RESTART;
		sigaction(SIGUSR2, &sa, NULL);
		handler_hits = 0;
		pthread_create(&t, NULL, sender_restart, (void *)(intptr_t)SIGUSR2);
		n = read(restart_pipe[0], &c, 1);
		e = errno;
		pthread_join(t, NULL);
		CHECKF(n == 1 && c == 'R' && handler_hits >= 1,
		       "with SA_RESTART the read is restarted and returns data", "n=%zd errno=%d hits=%d",
		       n, e, handler_hits);
		close(restart_pipe[0]);
		close(restart_pipe[1]);
		install(SIGUSR2, 0, 1);
	}

	/* Process-directed signal goes to a thread that has it unblocked. */
	{
		block(SIGUSR1, SIG_BLOCK);
		pthread_t t;
		nrec = 0;
		unblocked_ready = 0;
		pthread_create(&t, NULL, unblocked_thread, NULL);
		while (!unblocked_ready)
			usleep(1000);
		kill(me, SIGUSR1);
		pthread_join(t, NULL);
		CHECK(nrec == 1 && recs[0].tid == unblocked_tid && recs[0].tid != me,
		      "process-directed signal handled by the only thread not blocking it");
		block(SIGUSR1, SIG_UNBLOCK);
	}

	/* SIGCHLD to the parent. */
	{
		install(SIGCHLD, 0, 1);
		block(SIGCHLD, SIG_BLOCK);
		nrec = 0;
		pid_t c = it_fork();
		if (c == 0)
			_exit(3);
		sigset_t empty;
		sigemptyset(&empty);
		while (nrec == 0)
			sigsuspend(&empty);
		CHECKF(recs[0].signo == SIGCHLD && recs[0].code == CLD_EXITED && recs[0].pid == c &&
		           recs[0].status == 3,
		       "SIGCHLD with CLD_EXITED, si_pid and si_status", "code=%d status=%d",
		       recs[0].code, recs[0].status);
		it_wait(c);

		/* stop / continue */
		c = it_fork();
		if (c == 0) {
			block(SIGCHLD, SIG_UNBLOCK);
			for (;;)
				pause();
		}
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGCHLD);
		siginfo_t si;
		kill(c, SIGSTOP);
		int r = sigwaitinfo(&s, &si);
		CHECK(r == SIGCHLD && si.si_code == CLD_STOPPED && si.si_status == SIGSTOP &&
		          si.si_pid == c,
		      "SIGCHLD CLD_STOPPED after SIGSTOP");
		int st = 0;
		pid_t w = waitpid(c, &st, WUNTRACED);
		CHECK(w == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "waitpid WUNTRACED: WIFSTOPPED");
		EXPECT_EQ(waitpid(c, &st, WUNTRACED | WNOHANG), 0, "stop state reported only once");
		kill(c, SIGCONT);
		r = sigwaitinfo(&s, &si);
		CHECK(r == SIGCHLD && si.si_code == CLD_CONTINUED && si.si_status == SIGCONT,
		      "SIGCHLD CLD_CONTINUED after SIGCONT");
		w = waitpid(c, &st, WCONTINUED);
		CHECK(w == c && WIFCONTINUED(st), "waitpid WCONTINUED: WIFCONTINUED");
		kill(c, SIGKILL);
		r = sigwaitinfo(&s, &si);
		CHECK(r == SIGCHLD && si.si_code == CLD_KILLED && si.si_status == SIGKILL,
		      "SIGCHLD CLD_KILLED after SIGKILL");
		EXPECT_SIGNALED(it_wait(c), SIGKILL, "killed child reaped");

		/* SA_NOCLDSTOP: no SIGCHLD for stops. */
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = h_info;
		sa.sa_flags = SA_SIGINFO | SA_NOCLDSTOP;
		sigaction(SIGCHLD, &sa, NULL);
		c = it_fork();
		if (c == 0) {
			for (;;)
				pause();
		}
		kill(c, SIGSTOP);
		waitpid(c, &st, WUNTRACED);
		sigset_t p;
		sigpending(&p);
		CHECK(!sigismember(&p, SIGCHLD), "SA_NOCLDSTOP: no SIGCHLD when a child stops");
		kill(c, SIGKILL);
		it_wait(c);
		sigwaitinfo(&s, &si); /* consume the CLD_KILLED one */
		block(SIGCHLD, SIG_UNBLOCK);
		set_default(SIGCHLD);
	}

	/* Default actions. */
	{
		EXPECT_SIGNALED(child_raise(SIGTERM), SIGTERM, "default SIGTERM terminates");
		EXPECT_SIGNALED(child_raise(SIGQUIT), SIGQUIT, "default SIGQUIT terminates (core)");
		EXPECT_SIGNALED(child_raise(SIGABRT), SIGABRT, "abort() terminates with SIGABRT");
		EXPECT_SIGNALED(child_raise(SIGUSR1), SIGUSR1, "default SIGUSR1 terminates");
		EXPECT_SIGNALED(child_raise(SIGKILL), SIGKILL, "SIGKILL terminates");
		EXPECT_SIGNALED(child_raise(SIGALRM), SIGALRM, "default SIGALRM terminates");
		EXPECT_EXIT(child_raise(SIGURG), 0, "default SIGURG is ignored");
		EXPECT_EXIT(child_raise(SIGWINCH), 0, "default SIGWINCH is ignored");
		EXPECT_EXIT(child_raise(SIGCHLD), 0, "default SIGCHLD is ignored");
		EXPECT_EXIT(child_raise(SIGCONT), 0, "SIGCONT to a running process continues it");
		/* A fatal signal that is blocked stays pending; delivered on unblock. */
		pid_t c = it_fork();
		if (c == 0) {
			block(SIGTERM, SIG_BLOCK);
			raise(SIGTERM);
			usleep(1000);
			block(SIGTERM, SIG_UNBLOCK);
			_exit(0);
		}
		EXPECT_SIGNALED(it_wait(c), SIGTERM, "blocked SIGTERM kills on unblock");
	}

	/* kill(-pgrp) and kill(0). */
	{
		int pfd[2];
		if (pipe(pfd) < 0)
			return 1;
		set_default(SIGUSR1);
		pid_t a = it_fork();
		if (a == 0) {
			setpgid(0, 0);
			for (;;)
				pause();
		}
		setpgid(a, a);
		pid_t b = it_fork();
		if (b == 0) {
			setpgid(0, a);
			for (;;)
				pause();
		}
		setpgid(b, a);
		kill(-a, SIGUSR1);
		int sa_ = it_wait(a), sb = it_wait(b);
		CHECK(WIFSIGNALED(sa_) && WTERMSIG(sa_) == SIGUSR1 && WIFSIGNALED(sb) &&
		          WTERMSIG(sb) == SIGUSR1,
		      "kill(-pgrp) signals every member of the group");

		pid_t c = it_fork();
		if (c == 0) {
			setpgid(0, 0);
			signal(SIGUSR2, SIG_IGN);
			pid_t g = fork();
			if (g == 0) {
				signal(SIGUSR2, SIG_DFL);
				if (write(pfd[1], "g", 1) != 1)
					_exit(2);
				for (;;)
					pause();
			}
			char ch;
			if (read(pfd[0], &ch, 1) != 1)
				_exit(3);
			kill(0, SIGUSR2);
			int st = 0;
			waitpid(g, &st, 0);
			_exit(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR2 ? 0 : 1);
		}
		EXPECT_EXIT(it_wait(c), 0, "kill(0) signals the caller's process group");
		EXPECT_ERRNO(kill(-a, SIGUSR1), ESRCH, "kill of an empty process group: ESRCH");
		install(SIGUSR1, 0, 1);
		close(pfd[0]);
		close(pfd[1]);
	}
	return it_end();
}
