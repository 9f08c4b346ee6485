/* t_pgrp_session: process groups and sessions (setpgid rules incl. EACCES after
 * exec, ESRCH for non-children, EPERM across sessions; setsid rules; getsid;
 * no controlling tty after setsid) because job control in shells relies on
 * exactly these errors. */
#include "itest.h"

#include <sys/ioctl.h>

int main(void)
{
	it_begin(10);
	pid_t me = getpid();

	EXPECT_EQ(getpgid(0), getpgrp(), "getpgid(0) == getpgrp()");
	EXPECT_EQ(getpgid(me), getpgrp(), "getpgid(self) == getpgrp()");
	EXPECT_EQ(getsid(0), getsid(me), "getsid(0) == getsid(self)");
	EXPECT_ERRNO(getpgid(999999), ESRCH, "getpgid of a missing pid: ESRCH");
	EXPECT_ERRNO(getsid(999999), ESRCH, "getsid of a missing pid: ESRCH");
	EXPECT_ERRNO(setpgid(0, -1), EINVAL, "setpgid with negative pgid: EINVAL");

	/* Child inherits the group and session; becomes a group leader. */
	{
		pid_t c = it_fork();
		if (c == 0) {
			pid_t self = getpid();
			if (getpgrp() != getpgid(getppid()) || getsid(0) != getsid(getppid()))
				_exit(1);
			if (setpgid(0, 0) != 0 || getpgrp() != self)
				_exit(2);
			if (setsid() != -1 || errno != EPERM)
				_exit(3); /* group leader may not create a session */
			if (setpgid(0, 0) != 0)
				_exit(4); /* idempotent */
			_exit(0);
		}
		EXPECT_EXIT(it_wait(c), 0, "child inherits pgrp/sid; setpgid(0,0) leads; setsid then EPERM");
	}

	/* setsid in a non-leader: new session and group, no controlling tty. */
	{
		pid_t c = it_fork();
		if (c == 0) {
			pid_t self = getpid();
			pid_t sid = setsid();
			if (sid != self || getsid(0) != self || getpgrp() != self)
				_exit(1);
			int fd = open("/dev/tty", O_RDWR);
			if (fd != -1 || errno != ENXIO)
				_exit(2);
			if (setsid() != -1 || errno != EPERM)
				_exit(3); /* already a session leader */
			if (setpgid(0, getpgid(getppid())) != -1 || errno != EPERM)
				_exit(4); /* cannot join a group in another session */
			/* a child of the session leader is in the session but not a leader */
			pid_t g = fork();
			if (g == 0) {
				if (getsid(0) != self || getpgrp() != self)
					_exit(1);
				if (setpgid(0, 0) != 0 || getpgrp() != getpid())
					_exit(2);
				if (setpgid(0, self) != 0 || getpgrp() != self)
					_exit(3); /* back into the leader's group: same session */
				_exit(0);
			}
			int st;
			waitpid(g, &st, 0);
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				_exit(5);
			if (setpgid(0, 0) != -1 || errno != EPERM)
				_exit(6); /* session leader cannot change its group */
			_exit(0);
		}
		EXPECT_EXIT(it_wait(c), 0,
		            "setsid: new session and group, /dev/tty ENXIO, leader restrictions EPERM");
	}
	EXPECT_ERRNO(tcgetpgrp(open("/dev/null", O_RDONLY)), ENOTTY, "tcgetpgrp on /dev/null: ENOTTY");

	/* Parent-side setpgid on a child; EACCES after the child execs. */
	{
		int p[2];
		if (pipe(p) < 0)
			return 1;
		pid_t c = it_fork();
		if (c == 0) {
			dup2(p[0], 0);
			close(p[0]);
			close(p[1]);
			execl("/bin/cat", "cat", (char *)NULL);
			_exit(127);
		}
		close(p[0]);
		int first = setpgid(c, c);
		int first_errno = errno;
		int r = 0, e = 0;
		/* keep trying until the exec has happened */
		for (int i = 0; i < 3000; i++) {
			r = setpgid(c, c);
			e = errno;
			if (r == -1)
				break;
			usleep(1000);
		}
		CHECK(first == 0 || (first == -1 && first_errno == EACCES), "parent can setpgid a child before exec");
		CHECK(r == -1 && e == EACCES, "setpgid on a child after it execs: EACCES");
		CHECK(getpgid(c) == c, "child is in its own group");
		/* a second child can join the first child's group (same session) */
		pid_t d = it_fork();
		if (d == 0) {
			for (;;)
				pause();
		}
		int jr = setpgid(d, c);
		CHECK(jr == 0 && getpgid(d) == c, "another child can join that group");
		EXPECT_ERRNO(setpgid(d, 999999), EPERM, "setpgid to a nonexistent group: EPERM");
		kill(d, SIGKILL);
		it_wait(d);
		close(p[1]);
		EXPECT_EXIT(it_wait(c), 0, "cat exits at EOF");
	}

	/* setpgid on a process that is not our child: ESRCH. */
	{
		pid_t c = it_fork();
		if (c == 0) {
			pid_t top = getppid();
			int r = setpgid(top, top);
			_exit(r == -1 && errno == ESRCH ? 0 : 1);
		}
		EXPECT_EXIT(it_wait(c), 0, "setpgid on the parent (not a child): ESRCH");
	}
	return it_end();
}
