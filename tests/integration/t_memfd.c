/* t_memfd: memfd_create (flags, names, what the file looks like) and file
 * seals (F_ADD_SEALS/F_GET_SEALS: SEAL, SHRINK, GROW, WRITE, FUTURE_WRITE,
 * EXEC) enforced on write, truncate, fallocate and shared mappings,
 * because sandboxes, Wayland clients and systemd pass sealed memfds
 * around as trusted buffers. MFD_HUGETLB is left out: it depends on the
 * machine's huge pages. */
#include "itest.h"

#include <sys/mman.h>
#include <linux/falloc.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

static int mfd(const char *name, unsigned flags)
{
	return (int)syscall(SYS_memfd_create, name, flags);
}

static int reopen(int fd, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, flags);
}

static void test_create(void)
{
	char name[300], link[300], path[64];
	struct stat st;
	ssize_t n;
	int fd;

	EXPECT_ERRNO(mfd("x", 0x40), EINVAL, "unknown flag: EINVAL");
	EXPECT_ERRNO(mfd("x", 21U << 26 /* MFD_HUGE_2MB */), EINVAL, "a huge page size without MFD_HUGETLB: EINVAL");
	EXPECT_ERRNO(mfd("x", MFD_EXEC | MFD_NOEXEC_SEAL), EINVAL, "MFD_EXEC with MFD_NOEXEC_SEAL: EINVAL");
	EXPECT_ERRNO(mfd(NULL, 0), EFAULT, "NULL name: EFAULT");
	memset(name, 'n', sizeof(name));
	name[249] = 0;
	fd = mfd(name, 0);
	CHECK(fd >= 0, "a 249-byte name");
	close(fd);
	name[249] = 'n';
	name[250] = 0;
	EXPECT_ERRNO(mfd(name, 0), EINVAL, "a 250-byte name: EINVAL");
	EXPECT_ERRNO(mfd(name, 0x40), EINVAL, "flags are checked before the name");

	fd = mfd("test", MFD_CLOEXEC);
	CHECK(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "MFD_CLOEXEC");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	CHECKF(!strcmp(link, "/memfd:test (deleted)"), "/proc/self/fd shows /memfd:test (deleted)",
	       "got %s", link);
	EXPECT_EQ(fstat(fd, &st), 0, "fstat");
	CHECKF(st.st_mode == (S_IFREG | 0777) && st.st_nlink == 0 && st.st_size == 0,
	       "a regular file, mode 0777, no links, empty", "mode %o nlink %lu", st.st_mode,
	       (unsigned long)st.st_nlink);
	EXPECT_EQ(fcntl(fd, F_GETFL), O_RDWR | 0x8000 /* the kernel's O_LARGEFILE */, "O_RDWR|O_LARGEFILE");
	EXPECT_EQ(write(fd, "hello", 5), 5, "write");
	EXPECT_EQ(lseek(fd, 1, SEEK_SET), 1, "lseek");
	n = read(fd, link, 4);
	CHECK(n == 4 && !memcmp(link, "ello", 4), "read back");
	EXPECT_EQ(pread(fd, link, 5, 0), 5, "pread");
	EXPECT_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL, "without MFD_ALLOW_SEALING: F_SEAL_SEAL");
	EXPECT_ERRNO(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM, "and no seal can be added");
	close(fd);

	fd = mfd("noexec", MFD_NOEXEC_SEAL);
	fstat(fd, &st);
	EXPECT_EQ(st.st_mode & 0777, 0666, "MFD_NOEXEC_SEAL: mode 0666");
	EXPECT_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_EXEC, "MFD_NOEXEC_SEAL: F_SEAL_EXEC, sealable");
	EXPECT_ERRNO(fchmod(fd, 0777), EPERM, "F_SEAL_EXEC: no exec bits");
	EXPECT_EQ(fchmod(fd, 0600), 0, "F_SEAL_EXEC: other mode changes are fine");
	EXPECT_EQ(write(fd, "x", 1), 1, "F_SEAL_EXEC alone allows writes");
	close(fd);
	fd = mfd("exec", MFD_ALLOW_SEALING);
	EXPECT_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_EXEC), 0, "F_SEAL_EXEC on an executable memfd");
	EXPECT_EQ(fcntl(fd, F_GET_SEALS),
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC,
		  "it brings every write seal");
	close(fd);
}

static void test_seal_errors(void)
{
	int fd = mfd("s", MFD_ALLOW_SEALING), ro, p[2], shm;

	EXPECT_EQ(fcntl(fd, F_GET_SEALS), 0, "MFD_ALLOW_SEALING: no seals");
	EXPECT_ERRNO(fcntl(fd, F_ADD_SEALS, 0x40), EINVAL, "unknown seal: EINVAL");
	ro = reopen(fd, O_RDONLY);
	EXPECT_ERRNO(fcntl(ro, F_ADD_SEALS, F_SEAL_GROW), EPERM, "sealing a read-only description: EPERM");
	EXPECT_ERRNO(fcntl(ro, F_ADD_SEALS, 0x40), EPERM, "EPERM comes before EINVAL");
	EXPECT_EQ(fcntl(ro, F_GET_SEALS), 0, "F_GET_SEALS through a read-only description");
	close(ro);
	if (pipe(p))
		return;
	EXPECT_ERRNO(fcntl(p[1], F_ADD_SEALS, F_SEAL_GROW), EINVAL, "a pipe has no seals: EINVAL");
	EXPECT_ERRNO(fcntl(p[0], F_ADD_SEALS, F_SEAL_GROW), EPERM, "a pipe's read end: EPERM first");
	EXPECT_ERRNO(fcntl(p[0], F_GET_SEALS), EINVAL, "F_GET_SEALS of a pipe: EINVAL");
	close(p[0]);
	close(p[1]);
	shm = open("/dev/shm", O_RDWR | O_TMPFILE, 0600);
	CHECK(shm >= 0, "a tmpfs file in /dev/shm");
	EXPECT_EQ(fcntl(shm, F_GET_SEALS), F_SEAL_SEAL, "a tmpfs file is sealed shut (F_SEAL_SEAL)");
	EXPECT_ERRNO(fcntl(shm, F_ADD_SEALS, F_SEAL_GROW), EPERM, "so it takes no seal");
	close(shm);
	EXPECT_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL), 0, "F_SEAL_SEAL");
	EXPECT_ERRNO(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW), EPERM, "then nothing more: EPERM");
	EXPECT_ERRNO(fcntl(fd, F_ADD_SEALS, 0), EPERM, "not even nothing");
	close(fd);
}

static void test_size_seals(void)
{
	char buf[8192];
	int fd = mfd("size", MFD_ALLOW_SEALING);

	memset(buf, 'x', sizeof(buf));
	EXPECT_EQ(ftruncate(fd, 5000), 0, "ftruncate to 5000");
	EXPECT_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), 0, "F_SEAL_SHRINK");
	EXPECT_ERRNO(ftruncate(fd, 4000), EPERM, "shrink: EPERM");
	EXPECT_EQ(ftruncate(fd, 5000), 0, "the same size is no shrink");
	EXPECT_EQ(ftruncate(fd, 6000), 0, "growing is fine");
	EXPECT_EQ(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096), 0,
		  "a hole is no shrink");
	EXPECT_EQ(ftruncate(fd, 5000), -1, "still no shrink");
	close(fd);

	fd = mfd("grow", MFD_ALLOW_SEALING);
	EXPECT_EQ(ftruncate(fd, 5000), 0, "ftruncate to 5000");
	EXPECT_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW), 0, "F_SEAL_GROW");
	EXPECT_ERRNO(ftruncate(fd, 5001), EPERM, "grow: EPERM");
	EXPECT_EQ(ftruncate(fd, 4500), 0, "shrinking is fine");
	EXPECT_EQ(ftruncate(fd, 5000), -1, "and cannot be undone");
	EXPECT_EQ(pwrite(fd, buf, 100, 4000), 100, "a write within the size");
	EXPECT_ERRNO(pwrite(fd, buf, 200, 4400), EPERM, "a write past the size in one page: EPERM");
	EXPECT_EQ(pwrite(fd, buf, 1000, 3900), 196,
		  "a write across a page boundary stops at the page within the size");
	EXPECT_ERRNO(pwrite(fd, buf, 1, 4500), EPERM, "a write at the end: EPERM");
	EXPECT_ERRNO(fallocate(fd, 0, 4000, 1000), EPERM, "fallocate past the size: EPERM");
	EXPECT_ERRNO(fallocate(fd, FALLOC_FL_KEEP_SIZE, 4000, 1000), EPERM,
		     "even with FALLOC_FL_KEEP_SIZE: EPERM");
	EXPECT_EQ(fallocate(fd, 0, 0, 4500), 0, "fallocate within the size");
	close(fd);
}

static void test_write_seals(void)
{
	char buf[16];
	int fd = mfd("w", MFD_ALLOW_SEALING), ro;
	char *p, *q;

	EXPECT_EQ(ftruncate(fd, 8192), 0, "ftruncate to two pages");
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED, "a shared writable mapping");
	memcpy(p, "mapped", 6);
	EXPECT_EQ(pread(fd, buf, 6, 0), 6, "pread");
	CHECK(!memcmp(buf, "mapped", 6), "the mapping writes the file");
	EXPECT_ERRNO(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY,
		     "F_SEAL_WRITE with a shared writable mapping: EBUSY");
	q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	munmap(p, 8192);
	EXPECT_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), 0,
		  "F_SEAL_WRITE once it is gone (private mappings do not count)");
	q[0] = 'P';
	EXPECT_EQ(pread(fd, buf, 1, 0), 1, "pread");
	CHECK(buf[0] == 'm', "a private mapping still copies on write");
	munmap(q, 4096);
	EXPECT_ERRNO(write(fd, "x", 1), EPERM, "write: EPERM");
	EXPECT_ERRNO(pwrite(fd, "x", 1, 100), EPERM, "pwrite: EPERM");
	EXPECT_ERRNO(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096), EPERM,
		     "punching a hole: EPERM");
	EXPECT_EQ(ftruncate(fd, 10000), 0, "the size may still change");
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p == MAP_FAILED && errno == EPERM, "a new shared writable mapping: EPERM");
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED && p[0] == 'm', "a shared read-only mapping");
	EXPECT_ERRNO(mprotect(p, 4096, PROT_READ | PROT_WRITE), EACCES,
		     "which cannot become writable: EACCES");
	munmap(p, 4096);
	ro = reopen(fd, O_RDONLY);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
	CHECK(p == MAP_FAILED && errno == EACCES, "through a read-only description: EACCES first");
	close(ro);
	EXPECT_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_WRITE, "F_GET_SEALS");
	close(fd);

	fd = mfd("fw", MFD_ALLOW_SEALING);
	EXPECT_EQ(ftruncate(fd, 4096), 0, "ftruncate");
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), 0,
		  "F_SEAL_FUTURE_WRITE despite a writable mapping");
	memcpy(p, "still", 5);
	EXPECT_EQ(pread(fd, buf, 5, 0), 5, "pread");
	CHECK(!memcmp(buf, "still", 5), "the existing mapping still writes");
	EXPECT_ERRNO(write(fd, "x", 1), EPERM, "write: EPERM");
	q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(q == MAP_FAILED && errno == EPERM, "a new shared writable mapping: EPERM");
	munmap(p, 4096);
	EXPECT_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), 0, "F_SEAL_WRITE on top");
	close(fd);
}

int main(void)
{
	it_begin(10);
	test_create();
	test_seal_errors();
	test_size_seals();
	test_write_seals();
	return it_end();
}
