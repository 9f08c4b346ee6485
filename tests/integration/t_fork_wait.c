/* t_fork_wait: fork, the wait family (wait4 status macros, WNOHANG, waitid with
 * WNOWAIT, ECHILD, SIGCHLD=SIG_IGN auto-reaping), zombies, vfork and
 * posix_spawn, because shells and every process manager rely on these exact
 * semantics. */
#include "itest.h"

#include <spawn.h>
#include <sys/time.h>

extern char **environ;

static volatile int vfork_shared;

int main(void)
{
	it_begin(10);
	pid_t me = getpid();

	/* fork basics. */
	{
		int pfd[2];
		if (pipe(pfd) < 0)
			return 1;
		pid_t p = it_fork();
		if (p == 0) {
			int ok = getppid() == me && getpid() != me;
			_exit(ok ? 0 : 1);
		}
		CHECK(p > 0 && p != me, "fork returns the child pid in the parent");
		EXPECT_EXIT(it_wait(p), 0, "child sees getppid() == parent pid and its own pid");
		close(pfd[0]);
		close(pfd[1]);
	}

	/* wait4 status macros and rusage. */
	{
		pid_t p = it_fork();
		if (p == 0)
			_exit(3);
		int st = 0;
		struct rusage ru;
		memset(&ru, 0xff, sizeof ru);
		pid_t r = wait4(p, &st, 0, &ru);
		CHECK(r == p && WIFEXITED(st) && !WIFSIGNALED(st) && !WIFSTOPPED(st) &&
		          WEXITSTATUS(st) == 3,
		      "wait4: WIFEXITED/WEXITSTATUS for exit(3)");
		CHECK(ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_sec < 10 && ru.ru_stime.tv_sec >= 0 &&
		          ru.ru_utime.tv_usec < 1000000,
		      "wait4 fills a plausible rusage");
		EXPECT_EQ(st, 3 << 8, "raw status word for exit(3) is 0x300");
	}
	{
		pid_t p = it_fork();
		if (p == 0) {
			for (;;)
				pause();
		}
		kill(p, SIGKILL);
		int st = it_wait(p);
		CHECK(st != -1 && WIFSIGNALED(st) && !WIFEXITED(st) && WTERMSIG(st) == SIGKILL &&
		          !WCOREDUMP(st),
		      "wait4: WIFSIGNALED/WTERMSIG for SIGKILL");
		EXPECT_EQ(st, SIGKILL, "raw status word for SIGKILL is 9");
	}

	/* WNOHANG. */
	{
		int pfd[2];
		if (pipe(pfd) < 0)
			return 1;
		pid_t p = it_fork();
		if (p == 0) {
			char c;
			close(pfd[1]);
			ssize_t n = read(pfd[0], &c, 1);
			_exit(n == 0 ? 4 : 5);
		}
		close(pfd[0]);
		int st = 0;
		pid_t r = waitpid(p, &st, WNOHANG);
		EXPECT_EQ(r, 0, "waitpid WNOHANG on a running child returns 0");
		close(pfd[1]);
		EXPECT_EXIT(it_wait(p), 4, "child sees EOF after parent closes and exits");
	}
	EXPECT_ERRNO(waitpid(-1, NULL, 0), ECHILD, "waitpid with no children gives ECHILD");
	EXPECT_ERRNO(waitpid(-1, NULL, WNOHANG), ECHILD, "waitpid WNOHANG with no children gives ECHILD");
	EXPECT_ERRNO(waitpid(-1, NULL, 0x100 /* bogus */), EINVAL,
	             "waitpid with invalid options gives EINVAL");

	/* waitid WEXITED|WNOWAIT leaves the zombie; second waitid reaps. */
	{
		pid_t p = it_fork();
		if (p == 0)
			_exit(5);
		siginfo_t si;
		memset(&si, 0, sizeof si);
		int r = waitid(P_PID, p, &si, WEXITED | WNOWAIT);
		CHECK(r == 0 && si.si_pid == p && si.si_signo == SIGCHLD && si.si_code == CLD_EXITED &&
		          si.si_status == 5 && si.si_uid == getuid(),
		      "waitid WNOWAIT reports CLD_EXITED, pid, status 5, uid");
		CHECK(kill(p, 0) == 0, "zombie still exists after WNOWAIT (kill 0 succeeds)");
		memset(&si, 0, sizeof si);
		r = waitid(P_ALL, 0, &si, WEXITED);
		CHECK(r == 0 && si.si_pid == p && si.si_status == 5, "waitid P_ALL reaps the zombie");
		EXPECT_ERRNO(waitpid(p, NULL, WNOHANG), ECHILD, "reaped child is gone (ECHILD)");
		EXPECT_ERRNO(kill(p, 0), ESRCH, "kill(reaped pid, 0) gives ESRCH");
	}
	{
		pid_t p = it_fork();
		if (p == 0) {
			for (;;)
				pause();
		}
		siginfo_t si;
		memset(&si, 0, sizeof si);
		si.si_pid = 12345;
		int r = waitid(P_PID, p, &si, WEXITED | WNOHANG);
		CHECK(r == 0 && si.si_pid == 0, "waitid WNOHANG with nothing to report zeroes si_pid");
		kill(p, SIGTERM);
		memset(&si, 0, sizeof si);
		r = waitid(P_PID, p, &si, WEXITED);
		CHECK(r == 0 && si.si_code == CLD_KILLED && si.si_status == SIGTERM,
		      "waitid reports CLD_KILLED with si_status SIGTERM");
		EXPECT_ERRNO(waitid(P_PID, p, &si, 0), EINVAL, "waitid without WEXITED etc. gives EINVAL");
	}

	/* Reap several children in a chosen order, and waitpid(0) for the process group. */
	{
		pid_t c[3];
		for (int i = 0; i < 3; i++) {
			c[i] = it_fork();
			if (c[i] == 0)
				_exit(10 + i);
		}
		int ok = 1;
		for (int i = 2; i >= 0; i--) {
			int st = it_wait(c[i]);
			if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 10 + i)
				ok = 0;
		}
		CHECK(ok, "waitpid of specific pids in reverse order gets each status");
		for (int i = 0; i < 3; i++) {
			c[i] = it_fork();
			if (c[i] == 0)
				_exit(20 + i);
		}
		int seen = 0;
		for (int i = 0; i < 3; i++) {
			int st;
			pid_t r = waitpid(0, &st, 0);
			for (int j = 0; j < 3; j++)
				if (r == c[j] && WIFEXITED(st) && WEXITSTATUS(st) == 20 + j)
					seen |= 1 << j;
		}
		EXPECT_EQ(seen, 7, "waitpid(0) reaps all children of the process group");
	}

	/* A child in another process group is not reaped by waitpid(0) / by -pgid of ours. */
	{
		int pfd[2];
		if (pipe(pfd) < 0)
			return 1;
		pid_t p = it_fork();
		if (p == 0) {
			char c;
			setpgid(0, 0);
			close(pfd[1]);
			if (read(pfd[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		close(pfd[0]);
		setpgid(p, p);
		EXPECT_ERRNO(waitpid(0, NULL, WNOHANG), ECHILD,
		             "waitpid(0) ignores a child in another process group");
		EXPECT_EQ(waitpid(-p, NULL, WNOHANG), 0, "waitpid(-pgid) sees the running child");
		close(pfd[1]);
		int st;
		pid_t r = waitpid(-p, &st, 0);
		CHECK(r == p && WIFEXITED(st) && WEXITSTATUS(st) == 0, "waitpid(-pgid) reaps it");
	}

	/* SIGCHLD ignored: children are reaped automatically, wait gives ECHILD. */
	{
		struct sigaction sa, old;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_IGN;
		sigaction(SIGCHLD, &sa, &old);
		pid_t p = it_fork();
		if (p == 0)
			_exit(0);
		EXPECT_ERRNO(waitpid(p, NULL, 0), ECHILD, "SIGCHLD=SIG_IGN: children auto-reaped (ECHILD)");
		sigaction(SIGCHLD, &old, NULL);
	}
	/* SA_NOCLDWAIT has the same effect. */
	{
		struct sigaction sa, old;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_DFL;
		sa.sa_flags = SA_NOCLDWAIT;
		sigaction(SIGCHLD, &sa, &old);
		pid_t p = it_fork();
		if (p == 0)
			_exit(0);
		EXPECT_ERRNO(waitpid(p, NULL, 0), ECHILD, "SA_NOCLDWAIT: children auto-reaped (ECHILD)");
		sigaction(SIGCHLD, &old, NULL);
	}

	/* vfork: child borrows the parent's memory; parent resumes after exec/_exit. */
	{
		vfork_shared = 0;
		fflush(stdout);
		pid_t p = vfork();
		if (p == 0) {
			vfork_shared = 1234;
			_exit(6);
		}
		int seen = vfork_shared;
		EXPECT_EXIT(it_wait(p), 6, "vfork child _exit status");
		EXPECT_EQ(seen, 1234, "vfork child writes are visible to the parent");
	}
	{
		fflush(stdout);
		pid_t p = vfork();
		if (p == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		EXPECT_EXIT(it_wait(p), 0, "vfork + exec /bin/true");
	}
	{
		fflush(stdout);
		long long t0 = it_now_ns();
		pid_t p = vfork();
		if (p == 0) {
			struct timespec ts = {0, 100 * 1000000};
			nanosleep(&ts, NULL);
			_exit(0);
		}
		long long dt = it_now_ns() - t0;
		it_wait(p);
		CHECKF(dt >= 95 * 1000000LL, "vfork parent is suspended until the child exits",
		       "resumed after %lld ns", dt);
	}

	/* posix_spawn. */
	{
		pid_t p;
		char *av[] = {"sh", "-c", "exit 7", NULL};
		int r = posix_spawn(&p, "/bin/sh", NULL, NULL, av, environ);
		CHECK(r == 0, "posix_spawn /bin/sh succeeds");
		if (r == 0)
			EXPECT_EXIT(it_wait(p), 7, "posix_spawned sh exits 7");
		char *av2[] = {"nope", NULL};
		r = posix_spawn(&p, "/nonexistent/itest-binary", NULL, NULL, av2, environ);
		CHECKF(r == ENOENT, "posix_spawn of a missing file returns ENOENT", "returned %d", r);
		setenv("PATH", "/usr/bin:/bin", 1); /* deterministic search path */
		r = posix_spawnp(&p, "itest-no-such-program", NULL, NULL, av2, environ);
		CHECKF(r == ENOENT, "posix_spawnp of a missing program returns ENOENT", "returned %d", r);
	}
	{
		int pfd[2];
		if (pipe(pfd) < 0)
			return 1;
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
		posix_spawn_file_actions_addclose(&fa, pfd[0]);
		pid_t p;
		char *av[] = {"echo", "spawned", "hello", NULL};
		int r = posix_spawn(&p, "/bin/echo", &fa, NULL, av, environ);
		close(pfd[1]);
		char buf[64];
		it_read_all(pfd[0], buf, sizeof buf);
		close(pfd[0]);
		posix_spawn_file_actions_destroy(&fa);
		CHECK(r == 0 && strcmp(buf, "spawned hello\n") == 0,
		      "posix_spawn with dup2 file action captures stdout");
		if (r == 0)
			EXPECT_EXIT(it_wait(p), 0, "posix_spawned echo exits 0");
	}
	{
		posix_spawnattr_t at;
		posix_spawnattr_init(&at);
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
		posix_spawnattr_setpgroup(&at, 0);
		pid_t p;
		int pipefd[2];
		if (pipe(pipefd) < 0)
			return 1;
		/* Keep the child alive until we looked at its pgid. */
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, pipefd[0], 0);
		char *av2[] = {"sh", "-c", "read x; exit 0", NULL};
		int r = posix_spawn(&p, "/bin/sh", &fa, &at, av2, environ);
		close(pipefd[0]);
		CHECK(r == 0 && getpgid(p) == p, "posix_spawn POSIX_SPAWN_SETPGROUP makes a new group");
		if (write(pipefd[1], "\n", 1) != 1)
			it_fail("write", "errno %d", errno);
		close(pipefd[1]);
		if (r == 0)
			it_wait(p);
		posix_spawn_file_actions_destroy(&fa);
		posix_spawnattr_destroy(&at);
	}

	/* Many short-lived children. */
	{
		int ok = 1;
		for (int i = 0; i < 50; i++) {
			pid_t p = it_fork();
			if (p == 0)
				_exit(i);
			int st = it_wait(p);
			if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != i)
				ok = 0;
		}
		CHECK(ok, "50 sequential fork/exit/wait cycles");
	}
	return it_end();
}
