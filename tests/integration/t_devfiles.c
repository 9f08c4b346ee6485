/* t_devfiles: the standard character devices (/dev/null, /dev/zero,
 * /dev/full, /dev/random, /dev/urandom, /dev/fd) behave and identify
 * themselves (major:minor) like Linux, because countless programs use them. */
#include "itest.h"

#include <poll.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>

static int devno_is(const char *path, unsigned maj, unsigned min)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISCHR(st.st_mode))
		return 0;
	return major(st.st_rdev) == maj && minor(st.st_rdev) == min;
}

int main(void)
{
	it_begin(10);
	char buf[4096];

	CHECK(devno_is("/dev/null", 1, 3), "/dev/null is char device 1:3");
	CHECK(devno_is("/dev/zero", 1, 5), "/dev/zero is char device 1:5");
	CHECK(devno_is("/dev/full", 1, 7), "/dev/full is char device 1:7");
	CHECK(devno_is("/dev/random", 1, 8), "/dev/random is char device 1:8");
	CHECK(devno_is("/dev/urandom", 1, 9), "/dev/urandom is char device 1:9");

	int fd = open("/dev/null", O_RDWR);
	CHECK(fd >= 0, "open /dev/null O_RDWR");
	EXPECT_EQ(read(fd, buf, sizeof buf), 0, "/dev/null read returns 0");
	EXPECT_EQ(write(fd, buf, sizeof buf), (long)sizeof buf, "/dev/null write swallows everything");
	EXPECT_EQ(lseek(fd, 100, SEEK_SET), 0, "lseek on /dev/null returns 0");
	{
		struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};
		CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLIN) && (p.revents & POLLOUT),
		      "/dev/null is always readable and writable");
	}
	close(fd);

	fd = open("/dev/zero", O_RDWR);
	memset(buf, 'x', sizeof buf);
	EXPECT_EQ(read(fd, buf, sizeof buf), (long)sizeof buf, "/dev/zero read fills the buffer");
	{
		int zero = 1;
		for (size_t i = 0; i < sizeof buf; i++)
			if (buf[i])
				zero = 0;
		CHECK(zero, "/dev/zero gives zeros");
	}
	EXPECT_EQ(write(fd, "abc", 3), 3, "/dev/zero write succeeds");
	{
		char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		CHECK(m != MAP_FAILED && m[0] == 0 && m[8191] == 0, "mmap of /dev/zero gives zero pages");
		if (m != MAP_FAILED) {
			m[10] = 5;
			CHECK(m[10] == 5, "private /dev/zero mapping is writable");
			munmap(m, 8192);
		}
		volatile char *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (s != MAP_FAILED) {
			s[0] = 9;
			pid_t c = it_fork();
			if (c == 0) {
				s[1] = 7;
				_exit(s[0] == 9 ? 0 : 1);
			}
			int st = it_wait(c);
			CHECK(st == 0 && s[1] == 7, "MAP_SHARED /dev/zero mapping is shared with children");
			munmap((void *)s, 4096);
		} else {
			it_fail("mmap /dev/zero shared", "errno %d", errno);
		}
	}
	close(fd);

	fd = open("/dev/full", O_RDWR);
	EXPECT_ERRNO(write(fd, "x", 1), ENOSPC, "/dev/full write: ENOSPC");
	buf[0] = 'x';
	CHECK(read(fd, buf, 16) == 16 && buf[0] == 0, "/dev/full reads zeros");
	close(fd);

	fd = open("/dev/urandom", O_RDONLY);
	{
		unsigned char r1[64], r2[64];
		int ok = read(fd, r1, 64) == 64 && read(fd, r2, 64) == 64;
		int nz = 0;
		for (int i = 0; i < 64; i++)
			nz |= r1[i];
		CHECK(ok && nz, "/dev/urandom gives 64 bytes, not all zero");
		CHECK(memcmp(r1, r2, 64) != 0, "two reads differ");
		static unsigned char big[1 << 20];
		ssize_t n = read(fd, big, sizeof big);
		CHECK(n > 0, "large /dev/urandom read returns data");
	}
	close(fd);
	fd = open("/dev/random", O_RDONLY | O_NONBLOCK);
	{
		unsigned char r[16];
		CHECK(fd >= 0 && read(fd, r, 16) == 16, "/dev/random readable (initialised pool)");
	}
	close(fd);

	/* /dev/fd and /dev/stdin-style links */
	{
		int p[2];
		if (pipe(p) < 0)
			return 1;
		char path[64];
		snprintf(path, sizeof path, "/dev/fd/%d", p[1]);
		int w = open(path, O_WRONLY);
		CHECK(w >= 0 && write(w, "via", 3) == 3, "open(/dev/fd/N) reopens a pipe");
		char b[4] = {0};
		CHECK(read(p[0], b, 3) == 3 && strcmp(b, "via") == 0, "data written through it arrives");
		if (w >= 0)
			close(w);
		close(p[0]);
		close(p[1]);
	}
	EXPECT_ERRNO(open("/dev/nonexistent-itest", O_RDONLY), ENOENT, "missing device node: ENOENT");
	{
		struct stat st;
		CHECK(stat("/dev", &st) == 0 && S_ISDIR(st.st_mode), "/dev is a directory");
	}
	return it_end();
}
