/* t_reparent: zombies and orphan reparenting (to whatever reaper without a
 * subreaper, to us with PR_SET_CHILD_SUBREAPER), because process-tree
 * bookkeeping on parent death is easy to get subtly wrong. */
#include "itest.h"

#include <sys/prctl.h>

/* Wait (polling, bounded) until getppid() differs from old. */
static int wait_ppid_change(pid_t old)
{
	for (int i = 0; i < 4000; i++) {
		if (getppid() != old)
			return 1;
		usleep(1000);
	}
	return 0;
}

int main(void)
{
	it_begin(10);
	pid_t me = getpid();
	int r;

	{
		int v = -1;
		r = prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0);
		CHECK(r == 0 && v == 0, "PR_GET_CHILD_SUBREAPER is 0 initially");
	}

	/* Without a subreaper in between: the orphan's getppid changes away from
	 * its dead parent (to init or an outer subreaper; not checked). */
	{
		int pfd[2];
		if (pipe(pfd) < 0)
			return 1;
		pid_t a = it_fork();
		if (a == 0) {
			pid_t amid = getpid();
			pid_t g = fork();
			if (g == 0) {
				close(pfd[0]);
				/* wait until our parent has died */
				int changed = wait_ppid_change(amid);
				char c = changed ? 'Y' : 'N';
				if (write(pfd[1], &c, 1) != 1)
					_exit(1);
				_exit(0);
			}
			_exit(0);
		}
		close(pfd[1]);
		EXPECT_EXIT(it_wait(a), 0, "middle process exits");
		char c = 0;
		ssize_t n = read(pfd[0], &c, 1);
		close(pfd[0]);
		CHECK(n == 1 && c == 'Y', "orphan's getppid() changes after its parent dies");
	}

	/* With PR_SET_CHILD_SUBREAPER: orphans come to us. */
	r = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	CHECK(r == 0, "PR_SET_CHILD_SUBREAPER succeeds");
	{
		int v = -1;
		prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0);
		EXPECT_EQ(v, 1, "PR_GET_CHILD_SUBREAPER reports 1");
	}
	{
		int pfd[2];
		if (pipe(pfd) < 0)
			return 1;
		pid_t a = it_fork();
		if (a == 0) {
			pid_t amid = getpid();
			pid_t g = fork();
			if (g == 0) {
				close(pfd[0]);
				pid_t gp = getpid();
				if (write(pfd[1], &gp, sizeof gp) != sizeof gp)
					_exit(1);
				if (!wait_ppid_change(amid))
					_exit(2);
				_exit(getppid() == me ? 42 : 3);
			}
			_exit(0);
		}
		close(pfd[1]);
		pid_t g = 0;
		ssize_t n = read(pfd[0], &g, sizeof g);
		close(pfd[0]);
		EXPECT_EXIT(it_wait(a), 0, "middle process exits");
		CHECK(n == sizeof g && g > 0, "grandchild reports its pid");
		int st = it_wait(g);
		EXPECT_EXIT(st, 42, "orphan is reparented to the subreaper, which reaps it");
	}

	/* Several orphans at once: all of them reach us; waitpid(-1) collects each. */
	{
		pid_t a = it_fork();
		if (a == 0) {
			for (int i = 0; i < 5; i++) {
				pid_t g = fork();
				if (g == 0) {
					usleep(20000);
					_exit(60 + i);
				}
			}
			_exit(0);
		}
		int seen = 0, st;
		pid_t w;
		while ((w = waitpid(-1, &st, 0)) > 0) {
			if (w == a)
				seen |= 1 << 5;
			else if (WIFEXITED(st) && WEXITSTATUS(st) >= 60 && WEXITSTATUS(st) < 65)
				seen |= 1 << (WEXITSTATUS(st) - 60);
		}
		EXPECT_EQ(seen, 0x3f, "subreaper reaps the middle process and all 5 orphans");
		EXPECT_EQ(errno, ECHILD, "then waitpid reports ECHILD");
	}

	/* A zombie keeps its pid and can be signalled (no effect) until reaped. */
	{
		pid_t p = it_fork();
		if (p == 0)
			_exit(8);
		siginfo_t si;
		memset(&si, 0, sizeof si);
		waitid(P_PID, p, &si, WEXITED | WNOWAIT);
		CHECK(kill(p, SIGKILL) == 0, "a zombie can still be signalled");
		EXPECT_EQ(getpgid(p), getpgrp(), "getpgid of a zombie child works");
		EXPECT_EXIT(it_wait(p), 8, "zombie reaped with its original exit status");
	}

	/* The subreaper attribute is not inherited by fork children. */
	{
		pid_t p = it_fork();
		if (p == 0) {
			int v = -1;
			prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0);
			_exit(v == 0 ? 0 : 1);
		}
		EXPECT_EXIT(it_wait(p), 0, "child_subreaper is not inherited across fork");
	}
	return it_end();
}
