/* t_pty: pseudo terminals: posix_openpt/grantpt/unlockpt/ptsname, the
 * lock, default termios and round trips (also through the master),
 * canonical vs raw reads, echo and erase, output processing, VMIN/VTIME,
 * FIONREAD, window size; then a shell-like child session on the pty as
 * its controlling terminal, driven through the master: SIGWINCH, ^C to
 * the foreground job, ^Z stopping it (seen by waitpid WUNTRACED), fg with
 * tcsetpgrp and SIGCONT, SIGTTIN for a background reader, and the
 * master's close (SIGHUP, EIO, then end of file). */
#include "itest.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

static int master_fd = -1;
static char outbuf[8192];
static size_t outlen;

/* Read what the master has until `want` shows up or ms pass. */
static int expect_output(const char *want, int ms)
{
	long long end = it_now_ns() + (long long)ms * 1000000;

	for (;;) {
		struct pollfd p = {.fd = master_fd, .events = POLLIN};
		long long left = (end - it_now_ns()) / 1000000;
		ssize_t n;

		outbuf[outlen] = 0;
		if (strstr(outbuf, want)) {
			/* Keep what follows the match for the next wait. */
			char *after = strstr(outbuf, want) + strlen(want);

			outlen = strlen(after);
			memmove(outbuf, after, outlen + 1);
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

static void send_str(const char *s)
{
	if (write(master_fd, s, strlen(s)) != (ssize_t)strlen(s))
		it_fail("write to master", "errno %d", errno);
}

/* Read exactly what is there now from fd (non-blocking poll first). */
static ssize_t read_now(int fd, char *buf, size_t len, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	n = read(fd, buf, len - 1);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

static void basics(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), s, ptn = -1;
	char *name, buf[256];
	struct termios t, t2;
	struct winsize ws = {.ws_row = 24, .ws_col = 80}, ws2;
	int n;

	CHECK(m >= 0, "posix_openpt");
	CHECK(grantpt(m) == 0, "grantpt");
	name = ptsname(m);
	CHECK(name && strncmp(name, "/dev/pts/", 9) == 0, "ptsname is /dev/pts/N");
	CHECK(ioctl(m, TIOCGPTN, &ptn) == 0 && name && atoi(name + 9) == ptn,
	      "TIOCGPTN matches ptsname");
	EXPECT_ERRNO(open(name, O_RDWR | O_NOCTTY), EIO, "slave is locked before unlockpt");
	CHECK(unlockpt(m) == 0, "unlockpt");
	s = open(name, O_RDWR | O_NOCTTY);
	CHECK(s >= 0, "open the slave");
	CHECK(isatty(s) && isatty(m), "both ends are terminals");
	EXPECT_ERRNO(ioctl(s, TIOCGPTN, &ptn), ENOTTY, "TIOCGPTN on the slave");
	EXPECT_ERRNO(lseek(s, 0, SEEK_SET), ESPIPE, "lseek on a terminal");

	CHECK(tcgetattr(s, &t) == 0, "tcgetattr");
	EXPECT_EQ(t.c_iflag, ICRNL | IXON, "default c_iflag");
	EXPECT_EQ(t.c_oflag, OPOST | ONLCR, "default c_oflag");
	EXPECT_EQ(t.c_cflag, B38400 | CS8 | CREAD, "default c_cflag");
	EXPECT_EQ(t.c_lflag, ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
	          "default c_lflag");
	EXPECT_EQ(t.c_cc[VINTR], 3, "VINTR ^C");
	EXPECT_EQ(t.c_cc[VEOF], 4, "VEOF ^D");
	EXPECT_EQ(t.c_cc[VERASE], 0177, "VERASE DEL");
	EXPECT_EQ(t.c_cc[VMIN], 1, "VMIN 1");
	EXPECT_EQ(cfgetospeed(&t), B38400, "speed 38400");
	CHECK(tcgetattr(m, &t2) == 0 && memcmp(&t, &t2, sizeof(t)) == 0,
	      "the master reports the slave's settings");

	/* Canonical: a line at a time, echoed with ONLCR. */
	{
		const char *in = "hello\r";

		CHECK(write(m, in, 6) == 6, "type a line");
		n = (int)read(s, buf, sizeof(buf));
		CHECK(n == 6 && memcmp(buf, "hello\n", 6) == 0, "canonical read, ICRNL");
		n = (int)read_now(m, buf, sizeof(buf), 1000);
		CHECK(n == 7 && strcmp(buf, "hello\r\n") == 0, "echo with ONLCR");
	}
	CHECK(write(m, "ab\177c\n", 5) == 5, "type with an erase");
	n = (int)read(s, buf, sizeof(buf));
	CHECK(n == 3 && memcmp(buf, "ac\n", 3) == 0, "VERASE edits the line");
	n = (int)read_now(m, buf, sizeof(buf), 1000);
	CHECK(n == 8 && memcmp(buf, "ab\b \bc\r\n", 8) == 0, "erase echo");
	CHECK(write(m, "abc\n", 4) == 4, "type another line");
	{
		struct pollfd p = {.fd = s, .events = POLLIN};

		poll(&p, 1, 1000); /* Linux takes input asynchronously */
	}
	CHECK(ioctl(s, FIONREAD, &n) == 0 && n == 4, "FIONREAD counts the line");
	n = (int)read(s, buf, 2);
	CHECK(n == 2, "short read of a line");
	n = (int)read(s, buf, sizeof(buf));
	CHECK(n == 2 && memcmp(buf, "c\n", 2) == 0, "the rest of the line");
	read_now(m, buf, sizeof(buf), 200);
	CHECK(write(m, "\004", 1) == 1 && read(s, buf, sizeof(buf)) == 0,
	      "VEOF on an empty line reads 0");

	/* Output processing. */
	CHECK(write(s, "x\ny", 3) == 3, "write on the slave");
	n = (int)read_now(m, buf, sizeof(buf), 1000);
	CHECK(n == 4 && memcmp(buf, "x\r\ny", 4) == 0, "ONLCR on output");

	/* Raw mode: bytes as typed, no echo, no editing. */
	t2 = t;
	cfmakeraw(&t2);
	CHECK(tcsetattr(s, TCSANOW, &t2) == 0, "tcsetattr raw");
	CHECK(tcgetattr(m, &t) == 0 && t.c_lflag == t2.c_lflag &&
	          t.c_iflag == t2.c_iflag && t.c_oflag == t2.c_oflag,
	      "termios round trip");
	CHECK(write(m, "ab\177\r", 4) == 4, "type raw");
	n = (int)read_now(s, buf, sizeof(buf), 1000);
	CHECK(n == 4 && memcmp(buf, "ab\177\r", 4) == 0, "raw read");
	CHECK(read_now(m, buf, sizeof(buf), 100) == 0, "no echo in raw mode");
	CHECK(write(s, "x\ny", 3) == 3 && read_now(m, buf, sizeof(buf), 1000) == 3 &&
	          memcmp(buf, "x\ny", 3) == 0,
	      "no output processing without OPOST");
	t2.c_cc[VMIN] = 0;
	t2.c_cc[VTIME] = 1;
	tcsetattr(s, TCSANOW, &t2);
	{
		long long t0 = it_now_ns();

		n = (int)read(s, buf, sizeof(buf));
		CHECK(n == 0 && it_now_ns() - t0 >= 80000000LL, "VMIN 0 VTIME 1 times out");
	}
	t2.c_cc[VTIME] = 0;
	tcsetattr(s, TCSANOW, &t2);
	CHECK(read(s, buf, sizeof(buf)) == 0, "VMIN 0 VTIME 0 returns at once");
	t2.c_cc[VMIN] = 3;
	tcsetattr(s, TCSANOW, &t2);
	fcntl(s, F_SETFL, O_NONBLOCK);
	EXPECT_ERRNO(read(s, buf, sizeof(buf)), EAGAIN, "O_NONBLOCK read of an empty terminal");
	fcntl(s, F_SETFL, 0);

	/* Window size, through either side. */
	CHECK(ioctl(m, TIOCSWINSZ, &ws) == 0, "TIOCSWINSZ on the master");
	CHECK(ioctl(s, TIOCGWINSZ, &ws2) == 0 && ws2.ws_row == 24 && ws2.ws_col == 80,
	      "TIOCGWINSZ on the slave");
	n = -1;
	CHECK(ioctl(s, TIOCGETD, &n) == 0 && n == N_TTY, "TIOCGETD is N_TTY");
	EXPECT_ERRNO(tcgetpgrp(s), ENOTTY, "tcgetpgrp of a terminal that is not ours");
	{
		pid_t c = it_fork();

		/* A child is no session leader, natively or as pid 1. */
		if (c == 0)
			_exit(ioctl(s, TIOCSCTTY, 0) == -1 && errno == EPERM ? 0 : 1);
		EXPECT_EXIT(it_wait(c), 0, "TIOCSCTTY by a non-leader: EPERM");
	}

	/* TIOCGPTPEER opens the slave through the master. */
	{
		int p = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
		char link[64], path[64];
		ssize_t l;

		CHECK(p >= 0, "TIOCGPTPEER");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", p);
		l = readlink(path, link, sizeof(link) - 1);
		if (l > 0)
			link[l] = 0;
		CHECK(l > 0 && name && strcmp(link, name) == 0, "the peer's path is ptsname");
		close(p);
	}

	/* Every slave closed: the master reads EIO and polls POLLHUP. */
	close(s);
	{
		struct pollfd p = {.fd = m, .events = POLLIN};

		CHECK(poll(&p, 1, 1000) == 1 && (p.revents & POLLHUP), "POLLHUP on the master");
	}
	EXPECT_ERRNO(read(m, buf, sizeof(buf)), EIO, "master read after the slave closed");
	close(m);
	CHECK(name && access(name, F_OK) != 0, "the slave node goes with the master");
}

/* ------------------------------------------------------------------ */
/* The shell-like session                                              */

static volatile sig_atomic_t got_winch, got_hup;

static void on_sig(int sig)
{
	if (sig == SIGWINCH)
		got_winch = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
}

static void say(const char *s)
{
	if (write(1, s, strlen(s)) < 0)
		_exit(99);
}

/* A job: reads the terminal (bgread) or waits for signals. */
static void job(int bgread)
{
	char c;

	signal(SIGINT, SIG_DFL);
	signal(SIGTSTP, SIG_DFL);
	signal(SIGTTIN, SIG_DFL);
	signal(SIGTTOU, SIG_DFL);
	setpgid(0, 0);
	if (bgread) {
		if (read(0, &c, 1) < 0)
			_exit(3);
		_exit(4);
	}
	say("job-ready\n");
	for (;;)
		pause();
}

/* Wait for the job and tell what happened, then take the terminal
 * back. */
static void report(pid_t j)
{
	char msg[64];
	int st;

	if (waitpid(j, &st, WUNTRACED) != j)
		snprintf(msg, sizeof(msg), "job-wait-failed\n");
	else if (WIFSTOPPED(st))
		snprintf(msg, sizeof(msg), "job-stopped-%d\n", WSTOPSIG(st));
	else if (WIFSIGNALED(st))
		snprintf(msg, sizeof(msg), "job-signaled-%d\n", WTERMSIG(st));
	else
		snprintf(msg, sizeof(msg), "job-exited-%d\n", WEXITSTATUS(st));
	tcsetpgrp(0, getpgrp());
	say(msg);
}

static int shell(const char *name)
{
	char line[128], buf[64];
	pid_t j = -1;
	int fd, eio = 0, eof = 0;
	struct sigaction sa = {.sa_handler = on_sig, .sa_flags = SA_RESTART};

	close(master_fd); /* or the master never closes */
	setsid();
	fd = open(name, O_RDWR); /* no O_NOCTTY: becomes the terminal */
	if (fd < 0)
		_exit(90);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	snprintf(buf, sizeof(buf), "sid-ok=%d pgrp-ok=%d tty-ok=%d\n",
	         tcgetsid(0) == getpid(), tcgetpgrp(0) == getpid(),
	         (fd = open("/dev/tty", O_RDWR)) >= 0);
	if (fd >= 0)
		close(fd);
	say(buf);
	for (;;) {
		ssize_t n;

		say("prompt\n");
		n = read(0, line, sizeof(line) - 1);
		if (n < 0 || (n == 0 && got_hup)) {
			/* Linux wakes the reader (EIO) a moment before the
			 * hangup completes (later reads 0, SIGHUP); a reader
			 * woken after it reads 0 at once. */
			if (n == 0 || errno == EIO)
				eio = 1;
			for (int k = 0; k < 200 && !eof; k++) {
				eof = read(0, line, sizeof(line) - 1) == 0;
				if (!eof)
					usleep(10000);
			}
			for (int k = 0; k < 200 && !got_hup; k++)
				usleep(10000);
			_exit(got_hup * 4 + eio * 2 + eof);
		}
		if (n == 0) {
			for (int k = 0; k < 200 && !got_hup; k++)
				usleep(10000);
			_exit(got_hup * 4 + 2 + 1);
		}
		line[n] = 0;
		if (!strcmp(line, "winch?\n")) {
			say(got_winch ? "winch=1\n" : "winch=0\n");
		} else if (!strcmp(line, "run\n") || !strcmp(line, "bgread\n")) {
			int bg = line[0] == 'b';

			j = fork();
			if (j == 0)
				job(bg);
			setpgid(j, j);
			if (!bg)
				tcsetpgrp(0, j);
			report(j);
			if (bg) {
				kill(j, SIGKILL);
				waitpid(j, NULL, 0);
			}
		} else if (!strcmp(line, "fg\n")) {
			tcsetpgrp(0, j);
			kill(-j, SIGCONT);
			say("resumed\n");
			report(j);
		}
	}
}

static void session(void)
{
	char *name;
	pid_t sh;
	int st;
	struct winsize ws = {.ws_row = 50, .ws_col = 132};

	master_fd = posix_openpt(O_RDWR | O_NOCTTY);
	if (master_fd < 0 || grantpt(master_fd) || unlockpt(master_fd) ||
	    !(name = ptsname(master_fd))) {
		it_fail("session pty", "errno %d", errno);
		return;
	}
	sh = it_fork();
	if (sh == 0)
		_exit(shell(name));
	CHECK(expect_output("sid-ok=1 pgrp-ok=1 tty-ok=1", 5000),
	      "the pty is the session's controlling terminal");
	CHECK(expect_output("prompt", 5000), "shell prompt");
	CHECK(ioctl(master_fd, TIOCSWINSZ, &ws) == 0, "resize the terminal");
	send_str("winch?\n");
	CHECK(expect_output("winch=1", 5000), "SIGWINCH to the foreground group");
	CHECK(expect_output("prompt", 5000), "prompt after winch");
	{
		pid_t pg = -1;

		CHECK(ioctl(master_fd, TIOCGPGRP, &pg) == 0 && pg == sh,
		      "TIOCGPGRP through the master");
	}

	send_str("run\n");
	CHECK(expect_output("job-ready", 5000), "foreground job started");
	send_str("\003");
	CHECK(expect_output("^C", 5000), "^C echoed");
	CHECK(expect_output("job-signaled-2", 5000), "^C: SIGINT kills the foreground job");
	CHECK(expect_output("prompt", 5000), "the shell survives ^C");

	send_str("run\n");
	CHECK(expect_output("job-ready", 5000), "second job started");
	send_str("\032");
	CHECK(expect_output("job-stopped-20", 5000), "^Z: SIGTSTP stops the job (WUNTRACED)");
	CHECK(expect_output("prompt", 5000), "prompt after ^Z");
	send_str("fg\n");
	/* ^C flushes unread input: wait for the shell to act first. */
	CHECK(expect_output("resumed", 5000), "fg: tcsetpgrp and SIGCONT");
	/* A stopped job would stay stopped on SIGINT: dying of it shows
	 * that fg (tcsetpgrp, SIGCONT) resumed it in the foreground. */
	send_str("\003");
	CHECK(expect_output("job-signaled-2", 5000), "fg resumed the job: ^C kills it");
	CHECK(expect_output("prompt", 5000), "prompt after fg");

	send_str("bgread\n");
	CHECK(expect_output("job-stopped-21", 5000), "a background reader gets SIGTTIN");
	CHECK(expect_output("prompt", 5000), "prompt after SIGTTIN");

	/* The master goes: SIGHUP to the leader, EIO, then end of file. */
	close(master_fd);
	st = it_wait(sh);
	CHECKF(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 7,
	       "hangup: SIGHUP, read EIO (or 0), then 0", "shell %s", it_status_str(st));
}

int main(void)
{
	it_begin(15);
	basics();
	session();
	return it_end();
}
