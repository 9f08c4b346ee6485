/* t_splice: moving data inside the kernel: splice between files and pipes
 * and between pipes (offsets, SPLICE_F_NONBLOCK, EOF, EPIPE, the errors),
 * a splice that waits for a writer, 1 MiB through a pipe, tee (copies
 * without consuming), vmsplice both ways, copy_file_range (offsets, EXDEV
 * across filesystems, overlap, EOVERFLOW, flags), readahead and
 * sync_file_range checks. */
#include "itest.h"

#include <sys/uio.h>

static long xsplice(int in, loff_t *oin, int out, loff_t *oout, size_t len, unsigned fl)
{
	return syscall(SYS_splice, in, oin, out, oout, len, fl);
}

static long xcfr(int in, loff_t *oin, int out, loff_t *oout, size_t len, unsigned fl)
{
	return syscall(SYS_copy_file_range, in, oin, out, oout, len, fl);
}

static void splice_files(const char *dir)
{
	char a[128], b[128], buf[64];
	int p[2];
	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(b, sizeof b, "%s/b", dir);
	it_write_file(a, "0123456789", 10, 0644);
	int fa = open(a, O_RDONLY), fb = open(b, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (pipe(p))
		return;
	loff_t off = 2;
	EXPECT_EQ(xsplice(fa, &off, p[1], NULL, 5, 0), 5, "splice file -> pipe at an offset");
	EXPECT_EQ(off, 7, "the offset argument moved");
	EXPECT_EQ(lseek(fa, 0, SEEK_CUR), 0, "the file position did not");
	EXPECT_EQ(xsplice(fa, NULL, p[1], NULL, 3, 0), 3, "splice file -> pipe at the file position");
	EXPECT_EQ(lseek(fa, 0, SEEK_CUR), 3, "which moved");
	memset(buf, 0, sizeof buf);
	CHECK(read(p[0], buf, 5) == 5 && !memcmp(buf, "23456", 5), "the pipe holds the bytes");
	loff_t ob = 4;
	EXPECT_EQ(xsplice(p[0], NULL, fb, &ob, 10, 0), 3, "splice pipe -> file drains what is there");
	EXPECT_EQ(ob, 7, "the output offset moved");
	memset(buf, 0, sizeof buf);
	CHECK(pread(fb, buf, sizeof buf, 0) == 7 && !memcmp(buf, "\0\0\0\0" "012", 7), "the file got them at 4");
	off = 100;
	EXPECT_EQ(xsplice(fa, &off, p[1], NULL, 5, 0), 0, "splice from past the end: 0");

	EXPECT_ERRNO(xsplice(p[0], NULL, fb, NULL, 10, SPLICE_F_NONBLOCK), EAGAIN,
	             "an empty pipe with a writer and SPLICE_F_NONBLOCK: EAGAIN");
	EXPECT_ERRNO(xsplice(p[0], &off, fb, NULL, 10, 0), ESPIPE, "an offset for a pipe: ESPIPE");
	EXPECT_ERRNO(xsplice(fa, NULL, fb, NULL, 10, 0), EINVAL, "no pipe on either side: EINVAL");
	EXPECT_ERRNO(xsplice(p[0], NULL, p[1], NULL, 10, 0), EINVAL, "a pipe into itself: EINVAL");
	EXPECT_ERRNO(xsplice(fa, NULL, p[1], NULL, 10, 0x10), EINVAL, "an unknown flag: EINVAL");
	EXPECT_EQ(xsplice(fa, NULL, p[1], NULL, 0, 0x10), 0, "a zero length first: 0");
	EXPECT_ERRNO(xsplice(p[1], NULL, fb, NULL, 10, 0), EBADF, "from a write end: EBADF");
	EXPECT_ERRNO(xsplice(-1, NULL, p[1], NULL, 10, 0), EBADF, "a bad descriptor: EBADF");
	int fap = open(b, O_WRONLY | O_APPEND);
	write(p[1], "x", 1);
	EXPECT_ERRNO(xsplice(p[0], NULL, fap, NULL, 10, 0), EINVAL, "into an O_APPEND file: EINVAL");
	close(fap);
	int dfd = open(dir, O_RDONLY);
	EXPECT_ERRNO(xsplice(dfd, NULL, p[1], NULL, 10, 0), EINVAL, "from a directory: EINVAL");
	close(dfd);
	close(p[1]);
	EXPECT_EQ(xsplice(p[0], NULL, fb, NULL, 10, 0), 1, "the last byte");
	EXPECT_EQ(xsplice(p[0], NULL, fb, NULL, 10, 0), 0, "then 0: no writer left");
	close(p[0]);
	if (pipe(p) == 0) {
		close(p[0]);
		signal(SIGPIPE, SIG_IGN);
		off = 0;
		EXPECT_ERRNO(xsplice(fa, &off, p[1], NULL, 5, 0), EPIPE, "into a pipe with no reader: EPIPE");
		signal(SIGPIPE, SIG_DFL);
		close(p[1]);
	}
	close(fa);
	close(fb);
}

static void splice_pipes(void)
{
	int p[2], q[2];
	char buf[64];
	if (pipe(p) || pipe(q))
		return;
	write(p[1], "abcdef", 6);
	EXPECT_EQ(xsplice(p[0], NULL, q[1], NULL, 4, 0), 4, "splice pipe -> pipe");
	memset(buf, 0, sizeof buf);
	CHECK(read(q[0], buf, sizeof buf) == 4 && !memcmp(buf, "abcd", 4), "the bytes moved in order");
	CHECK(read(p[0], buf, sizeof buf) == 2 && !memcmp(buf, "ef", 2), "and left the first pipe");
	EXPECT_ERRNO(xsplice(p[0], NULL, q[1], NULL, 4, SPLICE_F_NONBLOCK), EAGAIN, "pipe -> pipe, empty: EAGAIN");
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	EXPECT_ERRNO(xsplice(p[0], NULL, q[1], NULL, 4, 0), EAGAIN, "O_NONBLOCK on the input pipe: EAGAIN");
	fcntl(p[0], F_SETFL, 0);

	/* tee: the input keeps its bytes. */
	write(p[1], "tee!", 4);
	EXPECT_EQ(syscall(SYS_tee, p[0], q[1], 100, 0), 4, "tee copies what is there");
	memset(buf, 0, sizeof buf);
	CHECK(read(q[0], buf, sizeof buf) == 4 && !memcmp(buf, "tee!", 4), "to the second pipe");
	memset(buf, 0, sizeof buf);
	CHECK(read(p[0], buf, sizeof buf) == 4 && !memcmp(buf, "tee!", 4), "without consuming them");
	EXPECT_ERRNO(syscall(SYS_tee, p[0], q[1], 100, SPLICE_F_NONBLOCK), EAGAIN, "tee of an empty pipe: EAGAIN");
	EXPECT_ERRNO(syscall(SYS_tee, p[0], p[1], 100, 0), EINVAL, "tee into the same pipe: EINVAL");
	EXPECT_ERRNO(syscall(SYS_tee, 0, q[1], 100, 0x10), EINVAL, "tee: an unknown flag: EINVAL");
	EXPECT_EQ(syscall(SYS_tee, p[0], q[1], 0, 0), 0, "tee of 0 bytes: 0");
	int fd = open("/dev/null", O_RDONLY);
	EXPECT_ERRNO(syscall(SYS_tee, fd, q[1], 10, 0), EINVAL, "tee from a non-pipe: EINVAL");
	close(fd);
	close(p[1]);
	EXPECT_EQ(syscall(SYS_tee, p[0], q[1], 10, 0), 0, "tee with no writer: 0");
	close(p[0]);

	/* vmsplice both ways. */
	if (pipe(p))
		return;
	struct iovec iov[2] = {{(void *)"hello ", 6}, {(void *)"world", 5}};
	EXPECT_EQ(syscall(SYS_vmsplice, p[1], iov, 2, 0), 11, "vmsplice into a pipe");
	char x[4], y[16];
	memset(y, 0, sizeof y);
	struct iovec out[2] = {{x, sizeof x}, {y, sizeof y}};
	EXPECT_EQ(syscall(SYS_vmsplice, p[0], out, 2, 0), 11, "vmsplice out of a pipe");
	CHECK(!memcmp(x, "hell", 4) && !strcmp(y, "o world"), "the bytes land in the buffers");
	EXPECT_ERRNO(syscall(SYS_vmsplice, p[0], out, 2, SPLICE_F_NONBLOCK), EAGAIN, "vmsplice from an empty pipe: EAGAIN");
	EXPECT_EQ(syscall(SYS_vmsplice, p[1], iov, 0, 0), 0, "vmsplice of nothing: 0");
	EXPECT_ERRNO(syscall(SYS_vmsplice, p[1], iov, 2, 0x10), EINVAL, "vmsplice: an unknown flag: EINVAL");
	fd = open("/dev/null", O_WRONLY);
	EXPECT_ERRNO(syscall(SYS_vmsplice, fd, iov, 2, 0), EBADF, "vmsplice into a non-pipe: EBADF");
	close(fd);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

/* A splice from an empty pipe waits for the writer. */
static void splice_waits(const char *dir)
{
	char b[128], buf[16];
	int p[2];
	snprintf(b, sizeof b, "%s/w", dir);
	int fb = open(b, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (pipe(p))
		return;
	pid_t c = it_fork();
	if (c == 0) {
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
		write(p[1], "late", 4);
		_exit(0);
	}
	EXPECT_EQ(xsplice(p[0], NULL, fb, NULL, 16, 0), 4, "splice waits for data");
	it_wait(c);
	memset(buf, 0, sizeof buf);
	CHECK(pread(fb, buf, sizeof buf, 0) == 4 && !strcmp(buf, "late"), "and writes it");
	close(p[0]);
	close(p[1]);
	close(fb);
}

/* 1 MiB from a file through a pipe into another file, with a child on
 * the far side. */
static void splice_big(const char *dir)
{
	char a[128], b[128];
	static char data[1 << 20], back[(1 << 20) + 1];
	int p[2];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)(i * 7 + i / 4096);
	snprintf(a, sizeof a, "%s/big", dir);
	snprintf(b, sizeof b, "%s/big2", dir);
	it_write_file(a, data, sizeof data, 0644);
	if (pipe(p))
		return;
	pid_t c = it_fork();
	if (c == 0) {
		close(p[1]);
		int fb = open(b, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		long n, total = 0;
		while ((n = xsplice(p[0], NULL, fb, NULL, 1 << 20, SPLICE_F_MOVE | SPLICE_F_MORE)) > 0)
			total += n;
		_exit(total == (long)sizeof data ? 0 : 1);
	}
	close(p[0]);
	int fa = open(a, O_RDONLY);
	long n, total = 0;
	while ((n = xsplice(fa, NULL, p[1], NULL, 1 << 20, SPLICE_F_GIFT)) > 0)
		total += n;
	close(p[1]);
	EXPECT_EQ(total, sizeof data, "1 MiB spliced into a pipe");
	EXPECT_EXIT(it_wait(c), 0, "and out of it by another process");
	CHECK(it_read_file(b, back, sizeof back) == (ssize_t)sizeof data && !memcmp(back, data, sizeof data),
	      "the copy is exact");
	close(fa);
}

static void copy_range(const char *dir)
{
	char a[128], b[128], buf[32];
	snprintf(a, sizeof a, "%s/ca", dir);
	snprintf(b, sizeof b, "%s/cb", dir);
	it_write_file(a, "abcdefghij", 10, 0644);
	int fa = open(a, O_RDWR), fb = open(b, O_RDWR | O_CREAT | O_TRUNC, 0644);
	EXPECT_EQ(xcfr(fa, NULL, fb, NULL, 4, 0), 4, "copy_file_range at the positions");
	CHECK(lseek(fa, 0, SEEK_CUR) == 4 && lseek(fb, 0, SEEK_CUR) == 4, "both positions moved");
	loff_t oi = 6, oo = 10;
	EXPECT_EQ(xcfr(fa, &oi, fb, &oo, 100, 0), 4, "at explicit offsets, cut at the end of input");
	CHECK(oi == 10 && oo == 14 && lseek(fa, 0, SEEK_CUR) == 4, "the offsets moved, not the positions");
	memset(buf, 0, sizeof buf);
	CHECK(pread(fb, buf, sizeof buf, 0) == 14 && !memcmp(buf, "abcd\0\0\0\0\0\0ghij", 14), "the bytes are right");
	oi = 20;
	EXPECT_EQ(xcfr(fa, &oi, fb, NULL, 4, 0), 0, "from past the end: 0");
	EXPECT_ERRNO(xcfr(fa, NULL, fb, NULL, 4, 1), EINVAL, "flags must be 0: EINVAL");
	oi = 0;
	oo = 2;
	EXPECT_ERRNO(xcfr(fa, &oi, fa, &oo, 4, 0), EINVAL, "overlapping ranges of one file: EINVAL");
	oo = 20;
	EXPECT_EQ(xcfr(fa, &oi, fa, &oo, 4, 0), 4, "disjoint ranges of one file");
	oi = -1;
	EXPECT_ERRNO(xcfr(fa, &oi, fb, NULL, 4, 0), EOVERFLOW, "a negative offset: EOVERFLOW");
	EXPECT_ERRNO(xcfr(fa, (loff_t *)1, fb, NULL, 4, 0), EFAULT, "an unreadable offset: EFAULT");
	int ap = open(b, O_WRONLY | O_APPEND);
	EXPECT_ERRNO(xcfr(fa, NULL, ap, NULL, 4, 0), EBADF, "into O_APPEND: EBADF");
	close(ap);
	int wo = open(a, O_WRONLY);
	EXPECT_ERRNO(xcfr(wo, NULL, fb, NULL, 4, 0), EBADF, "from a write-only file: EBADF");
	close(wo);
	int d = open(dir, O_RDONLY);
	EXPECT_ERRNO(xcfr(d, NULL, fb, NULL, 4, 0), EISDIR, "from a directory: EISDIR");
	close(d);
	int p[2];
	if (pipe(p) == 0) {
		EXPECT_ERRNO(xcfr(p[0], NULL, fb, NULL, 4, 0), EINVAL, "from a pipe: EINVAL");
		close(p[0]);
		close(p[1]);
	}
	/* /dev/shm is another filesystem than /tmp on both sides. */
	char shm[64];
	snprintf(shm, sizeof shm, "/dev/shm/t_splice.%d", (int)getpid());
	int fs = open(shm, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fs >= 0) {
		EXPECT_ERRNO(xcfr(fa, NULL, fs, NULL, 4, 0), EXDEV, "across filesystems: EXDEV");
		close(fs);
		unlink(shm);
	}
	close(fa);
	close(fb);
}

static void hints(const char *dir)
{
	char a[128];
	snprintf(a, sizeof a, "%s/h", dir);
	it_write_file(a, "hint", 4, 0644);
	int f = open(a, O_RDONLY), w = open(a, O_WRONLY), d = open(dir, O_RDONLY), p[2];
	if (pipe(p))
		return;
	EXPECT_EQ(syscall(SYS_readahead, f, 0L, 4096L), 0, "readahead of a file");
	EXPECT_EQ(syscall(SYS_readahead, f, -1L, 4096L), 0, "readahead does not check the offset");
	EXPECT_ERRNO(syscall(SYS_readahead, f, 0L, -1L), EINVAL, "a negative count: EINVAL");
	EXPECT_ERRNO(syscall(SYS_readahead, w, 0L, 4096L), EBADF, "readahead of a write-only file: EBADF");
	EXPECT_ERRNO(syscall(SYS_readahead, d, 0L, 4096L), EINVAL, "readahead of a directory: EINVAL");
	EXPECT_ERRNO(syscall(SYS_readahead, p[0], 0L, 4096L), EINVAL, "readahead of a pipe: EINVAL");
	EXPECT_EQ(sync_file_range(w, 0, 0, SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER), 0,
	          "sync_file_range of a file");
	EXPECT_EQ(sync_file_range(d, 0, 0, 7), 0, "of a directory");
	EXPECT_ERRNO(sync_file_range(w, 0, 0, 8), EINVAL, "an unknown flag: EINVAL");
	EXPECT_ERRNO(sync_file_range(w, -1, 0, 0), EINVAL, "a negative offset: EINVAL");
	EXPECT_ERRNO(sync_file_range(w, 0, -1, 0), EINVAL, "a negative length: EINVAL");
	EXPECT_ERRNO(sync_file_range(w, INT64_MAX, 1, 0), EINVAL, "an end past the largest offset: EINVAL");
	EXPECT_ERRNO(sync_file_range(p[0], 0, 0, 0), ESPIPE, "of a pipe: ESPIPE");
	EXPECT_ERRNO(sync_file_range(-1, 0, 0, 8), EBADF, "a bad descriptor before the flags: EBADF");
	close(p[0]);
	close(p[1]);
	close(f);
	close(w);
	close(d);
}

int main(void)
{
	it_begin(10);
	char dir[64];
	if (!it_tmpdir(dir, sizeof dir))
		return 1;
	splice_files(dir);
	splice_pipes();
	splice_waits(dir);
	splice_big(dir);
	copy_range(dir);
	hints(dir);
	it_rmtree(dir);
	return it_end();
}
