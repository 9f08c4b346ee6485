/* t_file_io: regular-file I/O (open flags, read/write, pread/pwrite,
 * readv/writev/preadv/pwritev, lseek incl. SEEK_END/SEEK_DATA/SEEK_HOLE and
 * holes, O_APPEND, truncate, fallocate, sendfile, EBADF/EISDIR errors)
 * because the Sentry's VFS implements file descriptions and offsets itself. */
#include "itest.h"

#include <sys/sendfile.h>
#include <sys/uio.h>

int main(void)
{
	it_begin(10);
	char dir[64], path[128], path2[128], buf[16384];
	if (!it_tmpdir(dir, sizeof dir))
		return 1;
	snprintf(path, sizeof path, "%s/f", dir);
	snprintf(path2, sizeof path2, "%s/g", dir);

	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0, "open O_RDWR|O_CREAT|O_TRUNC");
	EXPECT_EQ(write(fd, "hello world", 11), 11, "write 11 bytes");
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 11, "offset advanced to 11");
	EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0, "lseek SEEK_SET 0");
	memset(buf, 0, sizeof buf);
	CHECK(read(fd, buf, sizeof buf) == 11 && memcmp(buf, "hello world", 11) == 0, "read back the data");
	EXPECT_EQ(read(fd, buf, sizeof buf), 0, "read at EOF returns 0");
	memset(buf, 0, sizeof buf);
	CHECK(pread(fd, buf, 5, 6) == 5 && memcmp(buf, "world", 5) == 0, "pread at offset 6");
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 11, "pread does not move the offset");
	EXPECT_EQ(pwrite(fd, "HELLO", 5, 0), 5, "pwrite at offset 0");
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 11, "pwrite does not move the offset");
	CHECK(pread(fd, buf, 11, 0) == 11 && memcmp(buf, "HELLO world", 11) == 0, "pwrite took effect");
	EXPECT_EQ(pread(fd, buf, 10, 100), 0, "pread beyond EOF returns 0");
	EXPECT_ERRNO(pread(fd, buf, 1, -1), EINVAL, "pread at a negative offset: EINVAL");

	/* vectored I/O */
	{
		struct iovec iov[3] = {{"abc", 3}, {"", 0}, {"defgh", 5}};
		lseek(fd, 0, SEEK_SET);
		EXPECT_EQ(writev(fd, iov, 3), 8, "writev of 3 iovecs writes 8 bytes");
		char a[2], b[4], c[10];
		struct iovec riov[3] = {{a, 2}, {b, 4}, {c, 10}};
		lseek(fd, 0, SEEK_SET);
		ssize_t n = readv(fd, riov, 3);
		CHECK(n == 11 && memcmp(a, "ab", 2) == 0 && memcmp(b, "cdef", 4) == 0 && memcmp(c, "ghrld", 5) == 0,
		      "readv scatters in order");
		struct iovec piov[2] = {{"XY", 2}, {"Z", 1}};
		EXPECT_EQ(pwritev(fd, piov, 2, 8), 3, "pwritev at offset 8");
		char d[3];
		struct iovec qiov[1] = {{d, 3}};
		CHECK(preadv(fd, qiov, 1, 8) == 3 && memcmp(d, "XYZ", 3) == 0, "preadv at offset 8");
		EXPECT_ERRNO(syscall(SYS_writev, fd, iov, -1), EINVAL, "writev with negative iovcnt: EINVAL");
		EXPECT_ERRNO(syscall(SYS_writev, fd, iov, 2000), EINVAL, "writev with iovcnt > IOV_MAX: EINVAL");
	}

	/* lseek */
	EXPECT_EQ(lseek(fd, -5, SEEK_END), 6, "lseek SEEK_END -5");
	EXPECT_ERRNO(lseek(fd, -100, SEEK_SET), EINVAL, "lseek to a negative offset: EINVAL");
	EXPECT_ERRNO(lseek(fd, 0, 42), EINVAL, "lseek with bad whence: EINVAL");
	EXPECT_EQ(lseek(fd, 0, SEEK_DATA), 0, "SEEK_DATA from 0 on a dense file is 0");
	EXPECT_EQ(lseek(fd, 0, SEEK_HOLE), 11, "SEEK_HOLE on a dense file is EOF");
	EXPECT_ERRNO(lseek(fd, 11, SEEK_DATA), ENXIO, "SEEK_DATA at EOF: ENXIO");
	EXPECT_ERRNO(lseek(fd, 100, SEEK_HOLE), ENXIO, "SEEK_HOLE beyond EOF: ENXIO");

	/* holes */
	{
		EXPECT_EQ(lseek(fd, 1 << 20, SEEK_SET), 1 << 20, "lseek past EOF");
		EXPECT_EQ(write(fd, "end", 3), 3, "write after a gap");
		struct stat st;
		fstat(fd, &st);
		EXPECT_EQ(st.st_size, (1 << 20) + 3, "size includes the gap");
		memset(buf, 'x', sizeof buf);
		CHECK(pread(fd, buf, 100, 5000) == 100 && buf[0] == 0 && buf[99] == 0, "the gap reads as zeros");
		off_t h = lseek(fd, 0, SEEK_HOLE);
		CHECKF(h >= 11 && h <= (1 << 20), "SEEK_HOLE finds the gap (or EOF-free fs granularity)", "h=%ld",
		       (long)h);
		off_t d = lseek(fd, 8192, SEEK_DATA);
		CHECKF(d > 8192 && d <= (1 << 20), "SEEK_DATA skips to the data after the gap", "d=%ld", (long)d);
	}

	/* truncate */
	EXPECT_EQ(ftruncate(fd, 4), 0, "ftruncate shrink");
	{
		struct stat st;
		fstat(fd, &st);
		EXPECT_EQ(st.st_size, 4, "size after shrink");
		EXPECT_EQ(ftruncate(fd, 10000), 0, "ftruncate grow");
		memset(buf, 'x', sizeof buf);
		CHECK(pread(fd, buf, 10000, 0) == 10000 && memcmp(buf, "abcd", 4) == 0 && buf[4] == 0 && buf[9999] == 0,
		      "grown part reads as zeros");
		EXPECT_EQ(truncate(path, 2), 0, "truncate by path");
		fstat(fd, &st);
		EXPECT_EQ(st.st_size, 2, "size after truncate by path");
		EXPECT_ERRNO(ftruncate(fd, -1), EINVAL, "ftruncate negative: EINVAL");
	}
	/* fallocate */
	{
		int r = fallocate(fd, 0, 0, 8192);
		struct stat st;
		fstat(fd, &st);
		CHECK(r == 0 && st.st_size == 8192, "fallocate extends the file");
		r = fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 8192);
		fstat(fd, &st);
		CHECK(r == 0 && st.st_size == 8192, "fallocate KEEP_SIZE keeps the size");
	}
	EXPECT_EQ(fsync(fd), 0, "fsync");
	EXPECT_EQ(fdatasync(fd), 0, "fdatasync");
	close(fd);

	/* O_APPEND */
	fd = open(path, O_WRONLY | O_APPEND | O_TRUNC);
	EXPECT_EQ(write(fd, "one", 3), 3, "append write");
	lseek(fd, 0, SEEK_SET);
	EXPECT_EQ(write(fd, "two", 3), 3, "append write after lseek(0)");
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 6, "offset is at the end after an append");
	EXPECT_EQ(pwrite(fd, "3", 1, 0), 1, "pwrite on an O_APPEND fd");
	close(fd);
	memset(buf, 0, sizeof buf);
	it_read_file(path, buf, sizeof buf);
	CHECKF(strcmp(buf, "onetwo3") == 0, "O_APPEND writes (even pwrite on Linux) go to the end", "got %s", buf);

	/* O_TRUNC, O_EXCL, access-mode errors */
	fd = open(path, O_RDONLY | O_TRUNC);
	{
		struct stat st;
		fstat(fd, &st);
		CHECK(fd >= 0 && st.st_size == 0, "O_TRUNC empties the file (even with O_RDONLY)");
	}
	EXPECT_ERRNO(write(fd, "x", 1), EBADF, "write on an O_RDONLY fd: EBADF");
	close(fd);
	fd = open(path, O_WRONLY);
	EXPECT_ERRNO(read(fd, buf, 1), EBADF, "read on an O_WRONLY fd: EBADF");
	close(fd);
	EXPECT_ERRNO(open(path, O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST, "O_CREAT|O_EXCL on an existing file: EEXIST");
	EXPECT_ERRNO(open(dir, O_WRONLY), EISDIR, "open a directory for writing: EISDIR");
	fd = open(dir, O_RDONLY);
	EXPECT_ERRNO(read(fd, buf, 1), EISDIR, "read on a directory fd: EISDIR");
	close(fd);
	EXPECT_ERRNO(read(12345, buf, 1), EBADF, "read on a closed fd: EBADF");
	EXPECT_ERRNO(write(-1, buf, 1), EBADF, "write on fd -1: EBADF");
	EXPECT_ERRNO(open(path, O_RDONLY | O_CREAT | O_DIRECTORY, 0644), EINVAL,
	             "O_CREAT|O_DIRECTORY: EINVAL");
	{
		int ffd = open(path, O_RDWR);
		if (pwrite(ffd, "abc", 3, 0) != 3)
			it_fail("pwrite", "errno %d", errno);
		EXPECT_ERRNO(syscall(SYS_read, ffd, (void *)8, 3), EFAULT, "read into an unmapped buffer: EFAULT");
		EXPECT_ERRNO(syscall(SYS_write, ffd, (void *)8, 3), EFAULT, "write from an unmapped buffer: EFAULT");
		close(ffd);
	}

	/* Large data round trip and sendfile. */
	{
		static unsigned char big[1 << 20], back[1 << 20];
		for (size_t i = 0; i < sizeof big; i++)
			big[i] = (unsigned char)(i * 31 + (i >> 8));
		fd = open(path, O_RDWR | O_TRUNC);
		size_t off = 0;
		while (off < sizeof big) {
			ssize_t w = write(fd, big + off, sizeof big - off);
			if (w <= 0)
				break;
			off += w;
		}
		EXPECT_EQ(off, sizeof big, "1 MiB written");
		int out = open(path2, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		off_t o = 0;
		size_t sent = 0;
		while (sent < sizeof big) {
			ssize_t s = sendfile(out, fd, &o, sizeof big - sent);
			if (s <= 0)
				break;
			sent += s;
		}
		EXPECT_EQ(sent, sizeof big, "sendfile copies 1 MiB file to file");
		EXPECT_EQ(lseek(fd, 0, SEEK_CUR), (off_t)sizeof big, "sendfile with an offset pointer keeps the fd offset");
		close(out);
		out = open(path2, O_RDONLY);
		off = 0;
		ssize_t r;
		while (off < sizeof back && (r = read(out, back + off, sizeof back - off)) > 0)
			off += r;
		CHECK(off == sizeof back && memcmp(big, back, sizeof big) == 0, "copy is identical");
		close(out);
		close(fd);
	}
	/* O_TMPFILE */
	{
		int t = open(dir, O_TMPFILE | O_RDWR, 0600);
		int ok = t >= 0 && write(t, "tmp", 3) == 3;
		char lp[128];
		snprintf(lp, sizeof lp, "%s/linked", dir);
		char fdp[64];
		snprintf(fdp, sizeof fdp, "/proc/self/fd/%d", t);
		ok = ok && linkat(AT_FDCWD, fdp, AT_FDCWD, lp, AT_SYMLINK_FOLLOW) == 0;
		memset(buf, 0, sizeof buf);
		ok = ok && it_read_file(lp, buf, sizeof buf) == 3 && strcmp(buf, "tmp") == 0;
		CHECK(ok, "O_TMPFILE file can be written and then linked into the directory");
		if (t >= 0)
			close(t);
	}
	it_rmtree(dir);
	return it_end();
}
