/* t_sigio: signal-driven I/O: fcntl F_SETOWN/F_GETOWN (processes and
 * process groups, ESRCH, EINVAL), F_SETOWN_EX/F_GETOWN_EX, F_SETSIG/
 * F_GETSIG, and O_ASYNC (F_SETFL, FIOASYNC) delivering SIGIO (SI_KERNEL)
 * or the F_SETSIG signal with si_code POLL_IN/POLL_OUT, si_fd and si_band
 * when a pipe, a pseudo terminal or a socket becomes readable or
 * writable; nothing without an owner or after O_ASYNC is cleared; and
 * dnotify (F_NOTIFY), which signals the same way. */
#include "itest.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

/* Wait up to 1 s for one of the blocked signals; -1 on timeout. */
static int wait_sig(siginfo_t *si)
{
	sigset_t s;
	struct timespec ts = {1, 0};
	sigemptyset(&s);
	sigaddset(&s, SIGIO);
	sigaddset(&s, SIGRTMIN);
	memset(si, 0, sizeof *si);
	return sigtimedwait(&s, si, &ts);
}

/* No signal pending within 100 ms. */
static int quiet(void)
{
	sigset_t s;
	siginfo_t si;
	struct timespec ts = {0, 100 * 1000 * 1000};
	sigemptyset(&s);
	sigaddset(&s, SIGIO);
	sigaddset(&s, SIGRTMIN);
	return sigtimedwait(&s, &si, &ts) == -1 && errno == EAGAIN;
}

/* Forget signals queued by earlier checks (the closes send some). */
static void drain(void)
{
	while (!quiet())
		;
}

static void owners(void)
{
	int p[2];
	if (pipe(p))
		return;
	EXPECT_EQ(fcntl(p[0], F_GETOWN), 0, "F_GETOWN: nobody at first");
	struct f_owner_ex ex = {-1, -1};
	CHECK(fcntl(p[0], F_GETOWN_EX, &ex) == 0 && ex.type == F_OWNER_TID && ex.pid == 0,
	      "F_GETOWN_EX: a thread 0 at first");
	EXPECT_EQ(fcntl(p[0], F_SETOWN, getpid()), 0, "F_SETOWN to ourselves");
	EXPECT_EQ(fcntl(p[0], F_GETOWN), getpid(), "F_GETOWN reads it back");
	CHECK(fcntl(p[0], F_GETOWN_EX, &ex) == 0 && ex.type == F_OWNER_PID && ex.pid == getpid(),
	      "F_GETOWN_EX: F_OWNER_PID");
	EXPECT_EQ(fcntl(p[0], F_SETOWN, -getpgrp()), 0, "F_SETOWN to our process group");
	EXPECT_EQ(fcntl(p[0], F_GETOWN), -getpgrp(), "F_GETOWN gives it negated");
	CHECK(fcntl(p[0], F_GETOWN_EX, &ex) == 0 && ex.type == F_OWNER_PGRP && ex.pid == getpgrp(),
	      "F_GETOWN_EX: F_OWNER_PGRP");
	EXPECT_ERRNO(fcntl(p[0], F_SETOWN, 99999999), ESRCH, "F_SETOWN to no process: ESRCH");
	EXPECT_ERRNO(fcntl(p[0], F_SETOWN, INT_MIN), EINVAL, "F_SETOWN INT_MIN: EINVAL");
	ex = (struct f_owner_ex){F_OWNER_TID, (pid_t)syscall(SYS_gettid)};
	EXPECT_EQ(fcntl(p[0], F_SETOWN_EX, &ex), 0, "F_SETOWN_EX to our thread");
	struct f_owner_ex back = {-1, -1};
	CHECK(fcntl(p[0], F_GETOWN_EX, &back) == 0 && back.type == F_OWNER_TID && back.pid == ex.pid,
	      "F_GETOWN_EX reads it back");
	ex.type = 7;
	EXPECT_ERRNO(fcntl(p[0], F_SETOWN_EX, &ex), EINVAL, "F_SETOWN_EX with a bad type: EINVAL");
	ex = (struct f_owner_ex){F_OWNER_PID, -5};
	EXPECT_ERRNO(fcntl(p[0], F_SETOWN_EX, &ex), ESRCH, "F_SETOWN_EX with a negative pid: ESRCH");
	EXPECT_ERRNO(fcntl(p[0], F_SETOWN_EX, (void *)1), EFAULT, "F_SETOWN_EX with a bad pointer: EFAULT");
	EXPECT_EQ(fcntl(p[0], F_SETOWN, 0), 0, "F_SETOWN 0 clears the owner");
	EXPECT_EQ(fcntl(p[0], F_GETOWN), 0, "F_GETOWN: 0 again");
	CHECK(fcntl(p[0], F_GETOWN_EX, &back) == 0 && back.type == F_OWNER_PID && back.pid == 0,
	      "F_GETOWN_EX: F_OWNER_PID 0");

	EXPECT_EQ(fcntl(p[0], F_GETSIG), 0, "F_GETSIG: 0 (SIGIO) at first");
	EXPECT_EQ(fcntl(p[0], F_SETSIG, SIGRTMIN), 0, "F_SETSIG");
	EXPECT_EQ(fcntl(p[0], F_GETSIG), SIGRTMIN, "F_GETSIG reads it back");
	EXPECT_EQ(fcntl(p[0], F_SETSIG, 64), 0, "F_SETSIG 64 is valid");
	EXPECT_ERRNO(fcntl(p[0], F_SETSIG, 65), EINVAL, "F_SETSIG 65: EINVAL");
	EXPECT_ERRNO(fcntl(p[0], F_SETSIG, -1), EINVAL, "F_SETSIG -1: EINVAL");
	int d = dup(p[0]);
	EXPECT_EQ(fcntl(d, F_GETSIG), 64, "a dup shares the description's signal");
	close(d);
	close(p[0]);
	close(p[1]);
}

static void pipes(void)
{
	int p[2];
	siginfo_t si;
	char buf[16];
	if (pipe(p))
		return;
	fcntl(p[0], F_SETFL, O_ASYNC);
	write(p[1], "x", 1);
	CHECK(quiet(), "O_ASYNC without an owner: no signal");
	read(p[0], buf, sizeof buf);
	fcntl(p[0], F_SETOWN, getpid());
	write(p[1], "x", 1);
	CHECK(wait_sig(&si) == SIGIO && si.si_code == SI_KERNEL, "a write to the pipe: SIGIO (SI_KERNEL)");
	read(p[0], buf, sizeof buf);
	fcntl(p[0], F_SETSIG, SIGRTMIN);
	write(p[1], "y", 1);
	CHECK(wait_sig(&si) == SIGRTMIN && si.si_code == POLL_IN && si.si_fd == p[0] &&
	          si.si_band == (POLLIN | POLLRDNORM),
	      "with F_SETSIG: that signal, POLL_IN, si_fd, si_band");
	read(p[0], buf, sizeof buf);
	fcntl(p[0], F_SETFL, 0);
	write(p[1], "z", 1);
	CHECK(quiet(), "O_ASYNC cleared: no signal");
	read(p[0], buf, sizeof buf);
	int on = 1;
	EXPECT_EQ(ioctl(p[0], FIOASYNC, &on), 0, "FIOASYNC on");
	CHECK(fcntl(p[0], F_GETFL) & O_ASYNC, "F_GETFL shows O_ASYNC");
	write(p[1], "w", 1);
	CHECK(wait_sig(&si) == SIGRTMIN && si.si_fd == p[0], "FIOASYNC works like F_SETFL");
	read(p[0], buf, sizeof buf);
	close(p[1]);
	CHECK(wait_sig(&si) == SIGRTMIN && si.si_code == POLL_IN, "the last writer's close: POLL_IN (end of file)");
	close(p[0]);

	/* The write end hears of room. */
	if (pipe(p))
		return;
	write(p[1], "abc", 3);
	fcntl(p[1], F_SETOWN, getpid());
	fcntl(p[1], F_SETSIG, SIGRTMIN);
	fcntl(p[1], F_SETFL, O_ASYNC);
	drain();
	read(p[0], buf, 1);
	CHECK(wait_sig(&si) == SIGRTMIN && si.si_code == POLL_OUT && si.si_fd == p[1] &&
	          si.si_band == (POLLOUT | POLLWRNORM | POLLWRBAND),
	      "a read: POLL_OUT to the write end's owner");
	close(p[0]);
	close(p[1]);

	drain();

	/* A process-group owner: in a group of its own, so that nothing
	 * else (the test's runner) gets the signal. */
	pid_t c = it_fork();
	if (c == 0) {
		if (setpgid(0, 0) || pipe(p))
			_exit(1);
		fcntl(p[0], F_SETOWN, -getpgrp());
		fcntl(p[0], F_SETFL, O_ASYNC);
		write(p[1], "g", 1);
		_exit(wait_sig(&si) == SIGIO ? 0 : 2);
	}
	EXPECT_EXIT(it_wait(c), 0, "an owner process group gets SIGIO");
}

static void pty_and_socket(void)
{
	siginfo_t si;
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0) {
		int s = open(ptsname(m), O_RDWR | O_NOCTTY);
		fcntl(m, F_SETOWN, getpid());
		fcntl(m, F_SETSIG, SIGRTMIN);
		fcntl(m, F_SETFL, O_ASYNC | O_NONBLOCK);
		write(s, "hi\n", 3);
		/* A write wake-up (POLL_OUT) may come first. */
		int got = 0;
		while (!got && wait_sig(&si) == SIGRTMIN)
			got = si.si_fd == m && si.si_code == POLL_IN;
		CHECK(got, "a pty master hears of output to read (POLL_IN)");
		char buf[64];
		while (read(m, buf, sizeof buf) > 0)
			;
		drain();
		fcntl(s, F_SETOWN, getpid());
		fcntl(s, F_SETSIG, SIGRTMIN);
		fcntl(s, F_SETFL, O_ASYNC);
		write(m, "in\n", 3);
		got = 0;
		while (!got && wait_sig(&si) == SIGRTMIN)
			got = si.si_fd == s && si.si_code == POLL_IN;
		CHECK(got, "the slave hears of input (POLL_IN)");
		close(s);
		close(m);
	} else {
		it_fail("posix_openpt", "errno %d", errno);
	}
	drain();
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0) {
		fcntl(sv[0], F_SETOWN, getpid());
		fcntl(sv[0], F_SETSIG, SIGRTMIN);
		fcntl(sv[0], F_SETFL, O_ASYNC);
		write(sv[1], "s", 1);
		CHECK(wait_sig(&si) == SIGRTMIN && si.si_fd == sv[0] && si.si_code == POLL_IN,
		      "a unix socket hears of data (POLL_IN)");
		close(sv[0]);
		close(sv[1]);
	}
}

/* dnotify: F_NOTIFY on a directory signals its owner (by default the
 * caller) with POLL_MSG; without DN_MULTISHOT only once. */
static void dnotify(void)
{
	char dir[64], f[128];
	siginfo_t si;
	if (!it_tmpdir(dir, sizeof dir))
		return;
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	fcntl(d, F_SETSIG, SIGRTMIN);
	EXPECT_EQ(fcntl(d, F_NOTIFY, DN_CREATE | DN_MULTISHOT), 0, "F_NOTIFY DN_CREATE|DN_MULTISHOT");
	EXPECT_EQ(fcntl(d, F_GETOWN), getpid(), "F_NOTIFY made us the owner");
	snprintf(f, sizeof f, "%s/a", dir);
	it_write_file(f, "a", 1, 0644);
	CHECK(wait_sig(&si) == SIGRTMIN && si.si_fd == d && si.si_code == POLL_MSG, "a creation: POLL_MSG with si_fd");
	drain();
	snprintf(f, sizeof f, "%s/b", dir);
	it_write_file(f, "b", 1, 0644);
	CHECK(wait_sig(&si) == SIGRTMIN, "DN_MULTISHOT: again");
	drain();
	unlink(f);
	CHECK(quiet(), "a deletion is not watched");
	EXPECT_EQ(fcntl(d, F_NOTIFY, DN_DELETE), 0, "F_NOTIFY DN_DELETE adds to the watch");
	snprintf(f, sizeof f, "%s/a", dir);
	unlink(f);
	CHECK(wait_sig(&si) == SIGRTMIN, "a deletion");
	drain();
	EXPECT_EQ(fcntl(d, F_NOTIFY, 0), 0, "F_NOTIFY 0 removes the watch");
	it_write_file(f, "a", 1, 0644);
	CHECK(quiet(), "then nothing");
	EXPECT_EQ(fcntl(d, F_NOTIFY, DN_DELETE), 0, "F_NOTIFY DN_DELETE alone: once");
	unlink(f);
	CHECK(wait_sig(&si) == SIGRTMIN, "a deletion");
	it_write_file(f, "a", 1, 0644);
	unlink(f);
	CHECK(quiet(), "and no more");
	int fd = open("/proc/self/status", O_RDONLY);
	EXPECT_ERRNO(fcntl(fd, F_NOTIFY, DN_CREATE), ENOTDIR, "F_NOTIFY on a file: ENOTDIR");
	close(fd);
	close(d);
	it_rmtree(dir);
}

int main(void)
{
	it_begin(10);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGIO);
	sigaddset(&s, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &s, NULL);
	owners();
	pipes();
	pty_and_socket();
	dnotify();
	return it_end();
}
