/* t_pty_shell: an interactive shell (/bin/sh -i) on a pty, driven
 * through the master as a person would type: a foreground job killed by
 * ^C with the shell still there, a background job (sleep 100 &, jobs,
 * kill %1), a job stopped by ^Z and brought back with fg, and exit. */
#include "itest.h"

#include <poll.h>
#include <sys/ioctl.h>

static int master_fd = -1;
static char outbuf[16384];
static size_t outlen;

/* Read the master until `want` shows up (consumed with what precedes
 * it) or ms pass. */
static int expect_output(const char *want, int ms)
{
	long long end = it_now_ns() + (long long)ms * 1000000;

	for (;;) {
		struct pollfd p = {.fd = master_fd, .events = POLLIN};
		long long left = (end - it_now_ns()) / 1000000;
		char *at;
		ssize_t n;

		outbuf[outlen] = 0;
		if ((at = strstr(outbuf, want))) {
			at += strlen(want);
			outlen = strlen(at);
			memmove(outbuf, at, outlen + 1);
			return 1;
		}
		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			fprintf(stderr, "waiting for '%s', have '%s'\n", want, outbuf);
			return 0;
		}
		if (outlen + 1 >= sizeof(outbuf))
			outlen = 0;
		n = read(master_fd, outbuf + outlen, sizeof(outbuf) - 1 - outlen);
		if (n <= 0)
			return 0;
		outlen += (size_t)n;
	}
}

static void type(const char *s)
{
	if (write(master_fd, s, strlen(s)) != (ssize_t)strlen(s))
		it_fail("type", "errno %d", errno);
}

int main(void)
{
	char *const env[] = {"PS1=SH> ", "PATH=/usr/bin:/bin", "TERM=dumb", "HOME=/", NULL};
	struct winsize ws = {.ws_row = 24, .ws_col = 200};
	char *name;
	pid_t sh;
	int st;

	it_begin(30);
	if (access("/bin/sh", X_OK)) {
		it_ok("no /bin/sh: skipped");
		return it_end();
	}
	master_fd = posix_openpt(O_RDWR | O_NOCTTY);
	if (master_fd < 0 || grantpt(master_fd) || unlockpt(master_fd) ||
	    !(name = ptsname(master_fd))) {
		it_fail("pty", "errno %d", errno);
		return it_end();
	}
	ioctl(master_fd, TIOCSWINSZ, &ws);
	sh = it_fork();
	if (sh == 0) {
		int fd;

		close(master_fd);
		setsid();
		fd = open(name, O_RDWR); /* the session's terminal */
		if (fd < 0)
			_exit(90);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		execle("/bin/sh", "sh", "-i", (char *)NULL, env);
		_exit(91);
	}
	CHECK(expect_output("SH> ", 5000), "the shell prompts");
	type("echo start$((1+1))\n");
	CHECK(expect_output("start2", 5000), "a command runs");
	CHECK(expect_output("SH> ", 5000), "and the shell prompts again");

	/* ^C kills the foreground job, not the shell. */
	type("sh -c 'echo in''side; exec sleep 100'\n");
	CHECK(expect_output("inside", 5000), "foreground sleep 100 started");
	type("\003");
	CHECK(expect_output("SH> ", 5000), "^C: a new prompt");
	type("echo alive$((2+1))\n");
	CHECK(expect_output("alive3", 5000), "the shell is still alive after ^C");
	CHECK(expect_output("SH> ", 5000), "prompt");

	/* A background job. */
	/* A job ignores SIGTERM until it has reset its signals: wait for
	 * it to run its command before killing it. */
	type("sh -c 'echo bg''ready; exec sleep 100' &\n");
	CHECK(expect_output("bgready", 5000), "background sleep 100 started");
	type("jobs\n");
	CHECK(expect_output("Running", 5000), "jobs lists it running");
	CHECK(expect_output("SH> ", 5000), "prompt");
	type("kill %1\n");
	CHECK(expect_output("SH> ", 5000), "kill %1");
	{
		int done = 0;

		/* The shell learns of the death when it next looks. */
		for (int k = 0; k < 20 && !done; k++) {
			usleep(100000);
			type("jobs\n");
			done = expect_output("Terminated", 300);
		}
		CHECK(done, "the job was terminated");
	}
	CHECK(expect_output("SH> ", 5000), "prompt");

	/* ^Z stops the foreground job; fg resumes it; ^C ends it. */
	type("sh -c 'echo in''side2; exec sleep 100'\n");
	CHECK(expect_output("inside2", 5000), "second foreground job started");
	type("\032");
	CHECK(expect_output("Stopped", 5000), "^Z stops it");
	CHECK(expect_output("SH> ", 5000), "prompt after ^Z");
	type("fg\n");
	CHECK(expect_output("sleep 100", 5000), "fg names the job");
	usleep(200000); /* let the shell hand the terminal over */
	type("\003");
	CHECK(expect_output("SH> ", 5000), "^C after fg: a new prompt");
	type("echo alive$((3+1))\n");
	CHECK(expect_output("alive4", 5000), "the shell is still alive");
	CHECK(expect_output("SH> ", 5000), "prompt");

	type("exit\n");
	st = it_wait(sh);
	EXPECT_EXIT(st, 0, "exit");
	close(master_fd);
	return it_end();
}
