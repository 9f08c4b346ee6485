/* t_clone3: the clone3 syscall used as fork (struct size versions, argument
 * validation, CLONE_PIDFD, CLONE_PARENT_SETTID, non-SIGCHLD exit signals and
 * __WALL, CLONE_CLEAR_SIGHAND, CLONE_VFORK, set_tid checks) because modern
 * glibc and runtimes use clone3 first and fall back only on ENOSYS. */
#include "itest.h"

#include <linux/capability.h>
#include <poll.h>
#include <sched.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif

struct cl_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
	    set_tid_size, cgroup;
	uint64_t extra[2];
};

static long clone3(struct cl_args *a, size_t size)
{
	return syscall(SYS_clone3, a, size);
}

static int have_cap(int cap)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof d);
	if (syscall(SYS_capget, &h, d) != 0)
		return 0;
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

static void h_usr2(int s)
{
	(void)s;
}

int main(void)
{
	it_begin(10);
	pid_t me = getpid();
	struct cl_args a;

	/* fork-like clone3 with the VER0 (64-byte) and VER2 (88-byte) structs. */
	size_t sizes[] = {64, 80, 88};
	for (unsigned i = 0; i < 3; i++) {
		memset(&a, 0, sizeof a);
		a.exit_signal = SIGCHLD;
		fflush(stdout);
		long c = clone3(&a, sizes[i]);
		if (c == 0)
			_exit(getppid() == me ? 40 + (int)i : 1);
		char what[80];
		snprintf(what, sizeof what, "clone3 as fork with a %zu-byte struct", sizes[i]);
		EXPECT_EXIT(c > 0 ? it_wait((pid_t)c) : -1, 40 + (int)i, what);
	}
	/* Bigger struct with zero tail is accepted; non-zero tail is E2BIG. */
	{
		memset(&a, 0, sizeof a);
		a.exit_signal = SIGCHLD;
		fflush(stdout);
		long c = clone3(&a, sizeof a);
		if (c == 0)
			_exit(0);
		EXPECT_EXIT(c > 0 ? it_wait((pid_t)c) : -1, 0, "larger struct with zeroed tail accepted");
		a.extra[1] = 1;
		EXPECT_ERRNO(clone3(&a, sizeof a), E2BIG, "larger struct with non-zero tail: E2BIG");
	}
	memset(&a, 0, sizeof a);
	a.exit_signal = SIGCHLD;
	EXPECT_ERRNO(clone3(&a, 32), EINVAL, "struct smaller than VER0: EINVAL");
	EXPECT_ERRNO(clone3(&a, 8192), E2BIG, "struct larger than a page: E2BIG");
	EXPECT_ERRNO(clone3(NULL, 64), EFAULT, "NULL args: EFAULT");
	a.flags = 1ULL << 40;
	EXPECT_ERRNO(clone3(&a, 88), EINVAL, "unknown flag bit: EINVAL");
	a.flags = 0;
	a.exit_signal = 100;
	EXPECT_ERRNO(clone3(&a, 88), EINVAL, "exit_signal > _NSIG: EINVAL");
	a.exit_signal = SIGCHLD;
	a.flags = CLONE_THREAD;
	EXPECT_ERRNO(clone3(&a, 88), EINVAL, "CLONE_THREAD without CLONE_SIGHAND: EINVAL");
	a.flags = CLONE_SIGHAND;
	EXPECT_ERRNO(clone3(&a, 88), EINVAL, "CLONE_SIGHAND without CLONE_VM: EINVAL");
	a.flags = CLONE_CLEAR_SIGHAND | CLONE_SIGHAND | CLONE_VM;
	EXPECT_ERRNO(clone3(&a, 88), EINVAL, "CLONE_CLEAR_SIGHAND with CLONE_SIGHAND: EINVAL");
	a.flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
	a.exit_signal = SIGCHLD;
	EXPECT_ERRNO(clone3(&a, 88), EINVAL, "CLONE_THREAD with an exit_signal: EINVAL");
	a.flags = CLONE_VM;
	a.stack = 0;
	a.stack_size = 4096;
	EXPECT_ERRNO(clone3(&a, 88), EINVAL, "stack_size without a stack: EINVAL");

	/* CLONE_PIDFD + CLONE_PARENT_SETTID. */
	{
		int pidfd = -1;
		pid_t ptid = 0;
		memset(&a, 0, sizeof a);
		a.flags = CLONE_PIDFD | CLONE_PARENT_SETTID;
		a.pidfd = (uintptr_t)&pidfd;
		a.parent_tid = (uintptr_t)&ptid;
		a.exit_signal = SIGCHLD;
		int p[2];
		if (pipe(p) < 0)
			return 1;
		fflush(stdout);
		long c = clone3(&a, 88);
		if (c == 0) {
			char ch;
			close(p[1]);
			if (read(p[0], &ch, 1) < 0)
				_exit(1);
			_exit(5);
		}
		close(p[0]);
		CHECK(c > 0 && ptid == c, "CLONE_PARENT_SETTID stores the child pid");
		CHECK(pidfd >= 0 && (fcntl(pidfd, F_GETFD) & FD_CLOEXEC), "CLONE_PIDFD returns a CLOEXEC pidfd");
		struct pollfd pf = {.fd = pidfd, .events = POLLIN};
		EXPECT_EQ(poll(&pf, 1, 0), 0, "pidfd not readable while the child runs");
		close(p[1]);
		int n = poll(&pf, 1, 5000);
		CHECK(n == 1 && (pf.revents & POLLIN), "pidfd becomes readable when the child exits");
		siginfo_t si;
		memset(&si, 0, sizeof si);
		int r = waitid(P_PIDFD, pidfd, &si, WEXITED);
		CHECK(r == 0 && si.si_pid == c && si.si_status == 5, "waitid(P_PIDFD) reaps the child");
		close(pidfd);

		/* pidfd_send_signal */
		pidfd = -1;
		memset(&a, 0, sizeof a);
		a.flags = CLONE_PIDFD;
		a.pidfd = (uintptr_t)&pidfd;
		a.exit_signal = SIGCHLD;
		fflush(stdout);
		c = clone3(&a, 88);
		if (c == 0) {
			for (;;)
				pause();
		}
		r = (int)syscall(__NR_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		CHECK(r == 0, "pidfd_send_signal");
		EXPECT_SIGNALED(it_wait((pid_t)c), SIGKILL, "child killed through its pidfd");
		EXPECT_ERRNO(syscall(__NR_pidfd_send_signal, pidfd, SIGKILL, NULL, 0), ESRCH,
		             "pidfd_send_signal to a reaped child: ESRCH");
		close(pidfd);
	}

	/* exit_signal other than SIGCHLD: a "clone" child, needs __WALL/__WCLONE. */
	{
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		sigprocmask(SIG_BLOCK, &s, NULL);
		memset(&a, 0, sizeof a);
		a.exit_signal = SIGUSR1;
		fflush(stdout);
		long c = clone3(&a, 88);
		if (c == 0)
			_exit(6);
		siginfo_t si;
		struct timespec to = {5, 0};
		int r = sigtimedwait(&s, &si, &to);
		CHECK(r == SIGUSR1 && si.si_code == CLD_EXITED && si.si_pid == c && si.si_status == 6,
		      "parent gets the custom exit signal with CLD_EXITED info");
		EXPECT_ERRNO(waitpid((pid_t)c, NULL, WNOHANG), ECHILD, "waitpid without __WALL ignores it: ECHILD");
		int st = 0;
		pid_t w = waitpid((pid_t)c, &st, __WCLONE);
		CHECK(w == c && WIFEXITED(st) && WEXITSTATUS(st) == 6, "waitpid(__WCLONE) reaps it");

		a.exit_signal = 0;
		fflush(stdout);
		c = clone3(&a, 88);
		if (c == 0)
			_exit(7);
		w = waitpid((pid_t)c, &st, __WALL);
		CHECK(w == c && WIFEXITED(st) && WEXITSTATUS(st) == 7, "exit_signal 0 child reaped with __WALL");
		sigprocmask(SIG_UNBLOCK, &s, NULL);
	}

	/* CLONE_CLEAR_SIGHAND */
	{
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = h_usr2;
		sigaction(SIGUSR2, &sa, NULL);
		signal(SIGWINCH, SIG_IGN);
		memset(&a, 0, sizeof a);
		a.flags = CLONE_CLEAR_SIGHAND;
		a.exit_signal = SIGCHLD;
		fflush(stdout);
		long c = clone3(&a, 88);
		if (c == 0) {
			struct sigaction q;
			sigaction(SIGUSR2, NULL, &q);
			if (q.sa_handler != SIG_DFL)
				_exit(1);
			sigaction(SIGWINCH, NULL, &q);
			if (q.sa_handler != SIG_IGN)
				_exit(2);
			_exit(0);
		}
		EXPECT_EXIT(c > 0 ? it_wait((pid_t)c) : -1, 0,
		            "CLONE_CLEAR_SIGHAND resets handlers to default, keeps SIG_IGN");
		memset(&a, 0, sizeof a);
		a.exit_signal = SIGCHLD;
		fflush(stdout);
		c = clone3(&a, 88);
		if (c == 0) {
			struct sigaction q;
			sigaction(SIGUSR2, NULL, &q);
			_exit(q.sa_handler == h_usr2 ? 0 : 1);
		}
		EXPECT_EXIT(c > 0 ? it_wait((pid_t)c) : -1, 0, "without it the handlers are inherited");
		signal(SIGWINCH, SIG_DFL);
		signal(SIGUSR2, SIG_DFL);
	}

	/* CLONE_VFORK (without CLONE_VM): parent waits for the child to exit. */
	{
		memset(&a, 0, sizeof a);
		a.flags = CLONE_VFORK;
		a.exit_signal = SIGCHLD;
		fflush(stdout);
		long long t0 = it_now_ns();
		long c = clone3(&a, 88);
		if (c == 0) {
			struct timespec ts = {0, 100 * 1000000};
			nanosleep(&ts, NULL);
			_exit(8);
		}
		long long dt = it_now_ns() - t0;
		CHECKF(dt >= 95 * 1000000LL, "CLONE_VFORK suspends the parent until the child exits",
		       "dt=%lld", dt);
		EXPECT_EXIT(c > 0 ? it_wait((pid_t)c) : -1, 8, "vfork-style child status");
	}

	/* set_tid validation. */
	{
		memset(&a, 0, sizeof a);
		a.exit_signal = SIGCHLD;
		a.set_tid_size = 1;
		a.set_tid = 0;
		EXPECT_ERRNO(clone3(&a, 88), EINVAL, "set_tid_size 1 with NULL set_tid: EINVAL");
		pid_t want[40];
		for (int i = 0; i < 40; i++)
			want[i] = me;
		a.set_tid = (uintptr_t)want;
		a.set_tid_size = 40;
		EXPECT_ERRNO(clone3(&a, 88), EINVAL, "set_tid_size above the nesting limit: EINVAL");
		a.set_tid_size = 0;
		a.set_tid = (uintptr_t)want;
		EXPECT_ERRNO(clone3(&a, 88), EINVAL, "set_tid with set_tid_size 0: EINVAL");
		a.set_tid_size = 1;
		errno = 0;
		long r = clone3(&a, 88);
		if (r == 0)
			_exit(0);
		int e = errno;
		int priv = have_cap(CAP_SYS_ADMIN) || have_cap(40 /* CAP_CHECKPOINT_RESTORE */);
		CHECKF(r == -1 && e == (priv ? EEXIST : EPERM),
		       "set_tid naming an existing pid: EEXIST when privileged, else EPERM", "r=%ld errno=%d",
		       r, e);
	}
	return it_end();
}
