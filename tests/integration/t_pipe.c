/* t_pipe: pipe semantics (pipe2 flags, EAGAIN/EOF/EPIPE/SIGPIPE, capacity and
 * F_GETPIPE_SZ/F_SETPIPE_SZ, FIONREAD, poll events, PIPE_BUF atomicity with
 * concurrent writers) because shells and most IPC depend on them. */
#include "itest.h"

#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>

static volatile int sigpipe_hits;
static void h_pipe(int s)
{
	(void)s;
	sigpipe_hits++;
}

static int late_pipe[2];
static void *late_writer(void *arg)
{
	(void)arg;
	usleep(30000);
	if (write(late_pipe[1], "late", 4) != 4)
		return NULL;
	return NULL;
}

int main(void)
{
	it_begin(10);
	int p[2];
	char buf[256];

	EXPECT_EQ(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0, "pipe2(O_CLOEXEC|O_NONBLOCK)");
	CHECK((fcntl(p[0], F_GETFD) & FD_CLOEXEC) && (fcntl(p[1], F_GETFD) & FD_CLOEXEC),
	      "both ends have FD_CLOEXEC");
	CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) && (fcntl(p[1], F_GETFL) & O_NONBLOCK),
	      "both ends have O_NONBLOCK");
	CHECK((fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY && (fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY,
	      "read end O_RDONLY, write end O_WRONLY");
	EXPECT_ERRNO(read(p[0], buf, 1), EAGAIN, "nonblocking read of an empty pipe: EAGAIN");
	EXPECT_ERRNO(write(p[0], "x", 1), EBADF, "write to the read end: EBADF");
	EXPECT_ERRNO(read(p[1], buf, 1), EBADF, "read from the write end: EBADF");
	EXPECT_ERRNO(lseek(p[0], 0, SEEK_SET), ESPIPE, "lseek on a pipe: ESPIPE");
	EXPECT_ERRNO(pread(p[0], buf, 1, 0), ESPIPE, "pread on a pipe: ESPIPE");
	EXPECT_ERRNO(pipe2(p, 0x12345678 & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)), EINVAL,
	             "pipe2 with bad flags: EINVAL");

	EXPECT_EQ(fcntl(p[0], F_GETPIPE_SZ), 65536, "F_GETPIPE_SZ default is 65536");
	{
		int n = 0;
		EXPECT_EQ(write(p[1], "hello world", 11), 11, "write 11 bytes");
		CHECK(ioctl(p[0], FIONREAD, &n) == 0 && n == 11, "FIONREAD reports 11");
		EXPECT_EQ(read(p[0], buf, 5), 5, "partial read of 5");
		CHECK(ioctl(p[0], FIONREAD, &n) == 0 && n == 6, "FIONREAD reports 6 remaining");
		EXPECT_EQ(read(p[0], buf, sizeof buf), 6, "read returns what is available");
		EXPECT_EQ(write(p[1], buf, 0), 0, "zero-length write returns 0");
	}
	/* Capacity: 16 page-sized writes fill it. */
	{
		static char page[4096];
		long total = 0;
		ssize_t w;
		while ((w = write(p[1], page, sizeof page)) > 0)
			total += w;
		int e = errno;
		CHECKF(total == 65536 && e == EAGAIN, "nonblocking pipe holds 65536 bytes then EAGAIN",
		       "total=%ld errno=%d", total, e);
		EXPECT_ERRNO(write(p[1], "x", 1), EAGAIN, "even a 1-byte write gets EAGAIN when full");
		struct pollfd pf = {.fd = p[1], .events = POLLOUT};
		EXPECT_EQ(poll(&pf, 1, 0), 0, "full pipe not POLLOUT");
		char big[65536];
		long got = 0;
		ssize_t r;
		while ((r = read(p[0], big, sizeof big)) > 0)
			got += r;
		EXPECT_EQ(got, 65536, "drained 65536 bytes");
		static char huge[100000];
		w = write(p[1], huge, sizeof huge);
		EXPECT_EQ(w, 65536, "nonblocking write larger than capacity is partial (65536)");
		while (read(p[0], big, sizeof big) > 0)
			;
	}
	{
		int r = fcntl(p[1], F_SETPIPE_SZ, 100000);
		CHECKF(r == 131072 && fcntl(p[0], F_GETPIPE_SZ) == 131072,
		       "F_SETPIPE_SZ 100000 rounds up to 131072", "got %d", r);
		r = fcntl(p[1], F_SETPIPE_SZ, 1);
		CHECKF(r == 4096, "F_SETPIPE_SZ 1 rounds up to one page", "got %d", r);
		EXPECT_EQ(write(p[1], buf, 10), 10, "write 10 bytes into a one-page pipe");
		fcntl(p[1], F_SETPIPE_SZ, 65536);
	}
	close(p[0]);
	close(p[1]);

	/* poll events and EOF / EPIPE. */
	{
		if (pipe(p) < 0)
			return 1;
		struct pollfd pf[2] = {{.fd = p[0], .events = POLLIN}, {.fd = p[1], .events = POLLOUT}};
		int n = poll(pf, 2, 0);
		CHECK(n == 1 && pf[0].revents == 0 && pf[1].revents == POLLOUT, "empty pipe: write end POLLOUT only");
		if (write(p[1], "z", 1) != 1)
			it_fail("write", "errno %d", errno);
		n = poll(pf, 2, 0);
		CHECK(n == 2 && pf[0].revents == POLLIN, "data available: read end POLLIN");
		close(p[1]);
		pf[0].events = POLLIN;
		n = poll(pf, 1, 0);
		CHECK(n == 1 && (pf[0].revents & POLLHUP) && (pf[0].revents & POLLIN),
		      "writer closed with data left: POLLIN|POLLHUP");
		EXPECT_EQ(read(p[0], buf, sizeof buf), 1, "remaining byte still readable");
		EXPECT_EQ(read(p[0], buf, sizeof buf), 0, "then EOF (0) once all writers closed");
		n = poll(pf, 1, 0);
		CHECK(n == 1 && pf[0].revents == POLLHUP, "drained and closed: POLLHUP only");
		close(p[0]);

		if (pipe(p) < 0)
			return 1;
		int d = dup(p[1]);
		close(p[1]);
		struct pollfd q = {.fd = p[0], .events = POLLIN};
		CHECK(poll(&q, 1, 0) == 0, "a dup of the write end keeps the pipe open (no HUP)");
		close(d);
		CHECK(poll(&q, 1, 0) == 1 && q.revents == POLLHUP, "closing the last writer gives HUP");
		close(p[0]);

		if (pipe(p) < 0)
			return 1;
		close(p[0]);
		signal(SIGPIPE, SIG_IGN);
		EXPECT_ERRNO(write(p[1], "x", 1), EPIPE, "write with no readers (SIGPIPE ignored): EPIPE");
		struct pollfd w = {.fd = p[1], .events = POLLOUT};
		CHECK(poll(&w, 1, 0) == 1 && (w.revents & POLLERR), "write end with no readers: POLLERR");
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = h_pipe;
		sigaction(SIGPIPE, &sa, NULL);
		EXPECT_ERRNO(write(p[1], "x", 1), EPIPE, "write with no readers (SIGPIPE caught): EPIPE");
		EXPECT_EQ(sigpipe_hits, 1, "SIGPIPE handler ran once");
		signal(SIGPIPE, SIG_DFL);
		pid_t c = it_fork();
		if (c == 0) {
			if (write(p[1], "x", 1) < 0)
				_exit(1);
			_exit(0);
		}
		EXPECT_SIGNALED(it_wait(c), SIGPIPE, "write with no readers and default SIGPIPE kills");
		close(p[1]);
	}

	/* Blocking read woken by a writer in another thread. */
	{
		if (pipe(late_pipe) < 0)
			return 1;
		pthread_t t;
		pthread_create(&t, NULL, late_writer, NULL);
		memset(buf, 0, sizeof buf);
		ssize_t n = read(late_pipe[0], buf, sizeof buf);
		pthread_join(t, NULL);
		CHECK(n == 4 && memcmp(buf, "late", 4) == 0, "blocking read woken by a later write");
		close(late_pipe[0]);
		close(late_pipe[1]);
	}

	/* PIPE_BUF atomicity: 4 writers, 200 records of PIPE_BUF bytes each. */
	{
		enum { WRITERS = 4, RECS = 200 };
		if (pipe(p) < 0)
			return 1;
		pid_t kids[WRITERS];
		for (int k = 0; k < WRITERS; k++) {
			kids[k] = it_fork();
			if (kids[k] == 0) {
				char rec[PIPE_BUF];
				close(p[0]);
				memset(rec, 'a' + k, sizeof rec);
				for (int i = 0; i < RECS; i++)
					if (write(p[1], rec, sizeof rec) != (ssize_t)sizeof rec)
						_exit(1);
				_exit(0);
			}
		}
		close(p[1]);
		static char rec[PIPE_BUF];
		int counts[WRITERS] = {0}, bad = 0;
		size_t fill = 0;
		for (;;) {
			ssize_t n = read(p[0], rec + fill, sizeof rec - fill);
			if (n <= 0)
				break;
			fill += n;
			if (fill == sizeof rec) {
				char c = rec[0];
				for (size_t i = 1; i < sizeof rec; i++)
					if (rec[i] != c)
						bad = 1;
				if (c >= 'a' && c < 'a' + WRITERS)
					counts[c - 'a']++;
				else
					bad = 1;
				fill = 0;
			}
		}
		int all_exit = 1;
		for (int k = 0; k < WRITERS; k++)
			if (it_wait(kids[k]) != 0)
				all_exit = 0;
		CHECK(fill == 0 && !bad, "PIPE_BUF-sized writes from 4 writers never interleave");
		CHECK(counts[0] == RECS && counts[1] == RECS && counts[2] == RECS && counts[3] == RECS &&
		          all_exit,
		      "all 800 records arrive");
		close(p[0]);
		EXPECT_EQ(PIPE_BUF, 4096, "PIPE_BUF is 4096");
	}

	/* A big blocking transfer through a child. */
	{
		if (pipe(p) < 0)
			return 1;
		pid_t c = it_fork();
		if (c == 0) {
			close(p[0]);
			static unsigned char data[1 << 20];
			for (size_t i = 0; i < sizeof data; i++)
				data[i] = (unsigned char)(i * 7);
			size_t off = 0;
			while (off < sizeof data) {
				ssize_t w = write(p[1], data + off, sizeof data - off);
				if (w <= 0)
					_exit(1);
				off += w;
			}
			_exit(0);
		}
		close(p[1]);
		static unsigned char got[1 << 20];
		size_t off = 0;
		ssize_t r;
		while (off < sizeof got && (r = read(p[0], got + off, sizeof got - off)) > 0)
			off += r;
		int ok = off == sizeof got;
		for (size_t i = 0; ok && i < sizeof got; i++)
			if (got[i] != (unsigned char)(i * 7))
				ok = 0;
		CHECK(ok, "1 MiB through a pipe arrives intact and in order");
		EXPECT_EXIT(it_wait(c), 0, "writer child exits 0");
		close(p[0]);
	}
	/* Reopening an anonymous pipe through /proc/self/fd never waits for
	 * a writer, even after every writer is gone (bash's <(...)). */
	{
		int q[2];
		char path[64];

		CHECK(pipe(q) == 0, "pipe for reopen");
		CHECK(write(q[1], "z", 1) == 1, "write before reopen");
		close(q[1]);
		snprintf(path, sizeof path, "/proc/self/fd/%d", q[0]);
		int r = open(path, O_RDONLY);
		CHECK(r >= 0, "reopen the read end of a writer-less pipe");
		CHECK(r >= 0 && read(r, buf, 2) == 1 && buf[0] == 'z',
		      "the reopened end reads the same pipe, then EOF");
		CHECK(r >= 0 && read(r, buf, 2) == 0, "EOF through the reopened end");
		if (r >= 0)
			close(r);
		close(q[0]);
	}
	return it_end();
}
