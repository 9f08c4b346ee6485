/* t_mmap: address-space syscalls (mmap/munmap/mprotect/mremap/madvise/
 * mincore/msync/brk and file mappings) and their error cases, because the
 * Sentry keeps its own VMA bookkeeping that must agree with what Linux does. */
#include "itest.h"

#include <setjmp.h>
#include <sys/mman.h>

#define PG 4096L

static sigjmp_buf jb;
static volatile int fault_sig, fault_code;
static void h_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_sig = sig;
	fault_code = si->si_code;
	siglongjmp(jb, 1);
}

/* Returns 0 if the write worked, else the signal number. */
__attribute__((noinline)) static int try_write(volatile char *p, char v)
{
	fault_sig = 0;
	if (sigsetjmp(jb, 1) == 0) {
		*p = v;
		return 0;
	}
	return fault_sig;
}
__attribute__((noinline)) static int try_read(volatile char *p)
{
	fault_sig = 0;
	if (sigsetjmp(jb, 1) == 0) {
		(void)*p;
		return 0;
	}
	return fault_sig;
}

static int is_mapped(void *p)
{
	unsigned char v;
	return mincore(p, PG, &v) == 0;
}

int main(void)
{
	it_begin(10);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h_fault;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	char dir[64];
	if (!it_tmpdir(dir, sizeof dir))
		return 1;

	/* Basics. */
	char *a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(a != MAP_FAILED && ((uintptr_t)a % PG) == 0, "anonymous mmap is page aligned");
	{
		int zero = 1;
		for (long i = 0; i < 4 * PG; i++)
			if (a[i])
				zero = 0;
		CHECK(zero, "anonymous memory is zero-filled");
	}
	EXPECT_ERRNO(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL,
	             "mmap length 0: EINVAL");
	EXPECT_ERRNO(mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL,
	             "mmap without MAP_PRIVATE/MAP_SHARED: EINVAL");
	EXPECT_ERRNO(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0), EBADF, "file mmap with fd -1: EBADF");
	EXPECT_ERRNO(munmap(a + 1, PG), EINVAL, "munmap of an unaligned address: EINVAL");
	EXPECT_ERRNO(mprotect(a + 1, PG, PROT_READ), EINVAL, "mprotect unaligned: EINVAL");

	/* mprotect. */
	memset(a, 'x', 4 * PG);
	EXPECT_EQ(mprotect(a + PG, PG, PROT_READ), 0, "mprotect one page read-only");
	CHECK(try_write(a + PG + 5, 'y') == SIGSEGV && fault_code == SEGV_ACCERR,
	      "write to the read-only page faults with SEGV_ACCERR");
	CHECK(try_write(a, 'y') == 0 && try_write(a + 2 * PG, 'y') == 0,
	      "neighbouring pages still writable");
	CHECK(a[PG + 5] == 'x', "read-only page keeps its contents");
	mprotect(a + PG, PG, PROT_NONE);
	CHECK(try_read(a + PG) == SIGSEGV, "PROT_NONE page faults on read");
	mprotect(a + PG, PG, PROT_READ | PROT_WRITE);
	CHECK(try_write(a + PG, 'z') == 0 && a[PG + 1] == 'x', "back to RW, contents preserved");
	{
		char *hole = mmap(NULL, 3 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		munmap(hole + PG, PG);
		EXPECT_ERRNO(mprotect(hole, 3 * PG, PROT_READ), ENOMEM,
		             "mprotect over a range with a hole: ENOMEM");
		munmap(hole, 3 * PG);
	}

	/* munmap of a middle part. */
	EXPECT_EQ(munmap(a + PG, PG), 0, "munmap a middle page");
	CHECK(!is_mapped(a + PG) && is_mapped(a) && is_mapped(a + 2 * PG),
	      "mincore: middle page gone, neighbours mapped");
	CHECK(try_read(a + PG) == SIGSEGV && fault_code == SEGV_MAPERR,
	      "access to the unmapped middle page: SEGV_MAPERR");
	CHECK(a[0] == 'y' && a[2 * PG] == 'y' && a[3 * PG] == 'x', "outer pages keep their contents");
	EXPECT_EQ(munmap(a, 4 * PG), 0, "munmap over a range containing a hole");
	CHECK(!is_mapped(a) && !is_mapped(a + 3 * PG), "whole range unmapped");
	EXPECT_EQ(munmap(a, 4 * PG), 0, "munmap of an already unmapped range succeeds");

	/* MAP_FIXED, MAP_FIXED_NOREPLACE. */
	{
		char *r = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		r[0] = 'q';
		EXPECT_ERRNO(mmap(r, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0),
		             EEXIST, "MAP_FIXED_NOREPLACE over an existing mapping: EEXIST");
		CHECK(r[0] == 'q', "existing mapping untouched");
		char *f = mmap(r, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		CHECK(f == r && r[0] == 0, "MAP_FIXED replaces the mapping with fresh zero pages");
		munmap(r, 2 * PG);
		f = mmap(r, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		CHECK(f == r, "MAP_FIXED_NOREPLACE on a free range maps exactly there");
		munmap(r, PG);
		EXPECT_ERRNO(mmap((void *)(r + 1), PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		             EINVAL, "MAP_FIXED with an unaligned address: EINVAL");
	}

	/* mremap. */
	{
		char *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		munmap(m + PG, 3 * PG);
		memset(m, 'm', PG);
		char *g = mremap(m, PG, 4 * PG, 0);
		CHECK(g == m, "mremap grows in place into free space");
		CHECK(g[0] == 'm' && g[PG - 1] == 'm' && g[PG] == 0 && g[4 * PG - 1] == 0,
		      "grown mapping keeps contents, new part zero");
		char *s = mremap(m, 4 * PG, PG, 0);
		CHECK(s == m && is_mapped(m) && !is_mapped(m + PG) && !is_mapped(m + 3 * PG),
		      "mremap shrink keeps the start, unmaps the tail");
		/* block the next page so growth in place is impossible */
		char *blk = mmap(m + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		CHECK(blk == m + PG, "blocker page placed right after");
		EXPECT_ERRNO(mremap(m, PG, 2 * PG, 0), ENOMEM, "mremap grow without MAYMOVE when blocked: ENOMEM");
		char *mv = mremap(m, PG, 16 * PG, MREMAP_MAYMOVE);
		CHECK(mv != MAP_FAILED && mv != m && mv[0] == 'm' && mv[PG - 1] == 'm' && mv[15 * PG] == 0,
		      "MREMAP_MAYMOVE moves and keeps contents");
		CHECK(!is_mapped(m), "old location unmapped after the move");
		char *target = mmap(NULL, 16 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *fx = mremap(mv, 16 * PG, 16 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, target);
		CHECK(fx == target && fx[0] == 'm' && !is_mapped(mv), "MREMAP_FIXED moves onto a given address");
		CHECK(try_write(fx + 3, 'w') == 0, "moved mapping keeps its protection (RW)");
		EXPECT_ERRNO(mremap(fx, 16 * PG, 8 * PG, MREMAP_FIXED, target + 32 * PG), EINVAL,
		             "MREMAP_FIXED without MAYMOVE: EINVAL");
		EXPECT_ERRNO(mremap(fx + 1, PG, PG, 0), EINVAL, "mremap of an unaligned address: EINVAL");
		munmap(fx, 16 * PG);
		munmap(blk, PG);
		EXPECT_ERRNO(mremap(fx, PG, 2 * PG, MREMAP_MAYMOVE), EFAULT, "mremap of an unmapped range: EFAULT");
	}

	/* madvise / mincore. */
	{
		char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		p[0] = 5;
		p[PG] = 6;
		unsigned char vec[2] = {0, 0};
		EXPECT_EQ(mincore(p, 2 * PG, vec), 0, "mincore on a mapped range");
		CHECK((vec[0] & 1) && (vec[1] & 1), "touched pages reported resident");
		EXPECT_ERRNO(mincore(p + 1, PG, vec), EINVAL, "mincore unaligned: EINVAL");
		EXPECT_EQ(madvise(p, PG, MADV_DONTNEED), 0, "madvise MADV_DONTNEED");
		CHECK(p[0] == 0 && p[PG] == 6, "MADV_DONTNEED zeroes private anonymous pages (only those)");
		char *sh = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		sh[0] = 7;
		madvise(sh, PG, MADV_DONTNEED);
		CHECK(sh[0] == 7, "MADV_DONTNEED keeps MAP_SHARED anonymous contents");
		EXPECT_ERRNO(madvise(p + 1, PG, MADV_DONTNEED), EINVAL, "madvise unaligned: EINVAL");
		EXPECT_ERRNO(madvise(p, PG, 12345), EINVAL, "madvise with a bad advice: EINVAL");
		munmap(p, 2 * PG);
		munmap(sh, PG);
		EXPECT_ERRNO(madvise(p, PG, MADV_NORMAL), ENOMEM, "madvise on an unmapped range: ENOMEM");
		EXPECT_ERRNO(mincore(p, PG, vec), ENOMEM, "mincore on an unmapped range: ENOMEM");
	}

	/* brk (no stdio between the calls: printf may itself allocate). */
	{
		uintptr_t cur = (uintptr_t)syscall(SYS_brk, 0);
		uintptr_t grown = (uintptr_t)syscall(SYS_brk, cur + 64 * 1024);
		int wrote_ok = 0;
		if (grown == cur + 64 * 1024) {
			memset((void *)cur, 0xab, 64 * 1024);
			wrote_ok = ((unsigned char *)cur)[64 * 1024 - 1] == 0xab;
		}
		uintptr_t shrunk = (uintptr_t)syscall(SYS_brk, cur);
		uintptr_t again = (uintptr_t)syscall(SYS_brk, 0);
		uintptr_t bogus = (uintptr_t)syscall(SYS_brk, 4096);
		CHECK(cur != 0, "brk(0) returns the current break");
		CHECK(grown == cur + 64 * 1024 && wrote_ok, "brk grows by 64 KiB and the memory is usable");
		CHECK(shrunk == cur && again == cur, "brk shrinks back");
		CHECK(bogus == cur, "brk below the data segment is refused (returns current break)");
		void *s0 = sbrk(0);
		void *s1 = sbrk(8192);
		void *s2 = sbrk(0);
		void *s3 = sbrk(-8192);
		CHECK(s1 == s0 && (char *)s2 == (char *)s0 + 8192 && s3 == s2, "sbrk grow and shrink");
	}

	/* File mappings. */
	{
		char path[128];
		snprintf(path, sizeof path, "%s/file", dir);
		int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		char buf[2 * PG];
		for (int i = 0; i < 2 * PG; i++)
			buf[i] = (char)('A' + i % 26);
		if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf)
			it_fail("write", "errno %d", errno);
		char *priv = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		CHECK(priv != MAP_FAILED && memcmp(priv, buf, sizeof buf) == 0,
		      "MAP_PRIVATE file mapping shows the file contents");
		priv[0] = '#';
		char c = 0;
		if (pread(fd, &c, 1, 0) != 1)
			c = 0;
		CHECK(c == 'A', "writes to a MAP_PRIVATE file mapping do not reach the file");
		char *off = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, PG);
		CHECK(off != MAP_FAILED && off[0] == buf[PG], "mapping at a file offset");
		EXPECT_ERRNO(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 100), EINVAL,
		             "mapping at an unaligned offset: EINVAL");
		char *sh = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		sh[1] = '!';
		EXPECT_EQ(msync(sh, 2 * PG, MS_SYNC), 0, "msync MS_SYNC");
		if (pread(fd, &c, 1, 1) != 1)
			c = 0;
		CHECK(c == '!', "writes to a MAP_SHARED mapping reach the file");
		if (pwrite(fd, "@", 1, 2) != 1)
			it_fail("pwrite", "errno %d", errno);
		CHECK(sh[2] == '@', "write() to the file shows in the MAP_SHARED mapping");
		EXPECT_ERRNO(msync(sh, PG, MS_SYNC | MS_ASYNC), EINVAL, "msync MS_SYNC|MS_ASYNC: EINVAL");
		EXPECT_ERRNO(msync(sh + 1, PG, MS_SYNC), EINVAL, "msync unaligned: EINVAL");
		munmap(sh, 2 * PG);
		EXPECT_ERRNO(msync(sh, PG, MS_SYNC), ENOMEM, "msync of an unmapped range: ENOMEM");
		munmap(priv, 2 * PG);
		munmap(off, PG);
		close(fd);

		fd = open(path, O_RDONLY);
		EXPECT_ERRNO(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES,
		             "writable MAP_SHARED of an O_RDONLY fd: EACCES");
		char *ro = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		CHECK(ro != MAP_FAILED && ro[1] == '!', "writable MAP_PRIVATE of an O_RDONLY fd is allowed");
		munmap(ro, PG);
		char *shr = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
		EXPECT_ERRNO(mprotect(shr, PG, PROT_READ | PROT_WRITE), EACCES,
		             "mprotect RW on a MAP_SHARED map of an O_RDONLY fd: EACCES");
		munmap(shr, PG);
		close(fd);
		fd = open(path, O_WRONLY);
		EXPECT_ERRNO(mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0), EACCES, "mmap of an O_WRONLY fd: EACCES");
		close(fd);
		fd = open("/tmp", O_RDONLY | O_DIRECTORY);
		EXPECT_ERRNO(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0), ENODEV, "mmap of a directory: ENODEV");
		close(fd);
	}

	/* Large sparse mapping touched sparsely. */
	{
		size_t sz = 256UL << 20;
		char *big = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		int ok = big != MAP_FAILED;
		for (size_t o = 0; ok && o < sz; o += 16 << 20)
			big[o] = 1;
		for (size_t o = 0; ok && o < sz; o += 16 << 20)
			if (big[o] != 1 || big[o + 1] != 0)
				ok = 0;
		CHECK(ok, "256 MiB mapping touched sparsely");
		if (big != MAP_FAILED)
			munmap(big, sz);
	}
	it_rmtree(dir);
	return it_end();
}
