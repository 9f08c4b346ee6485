/* t_stat: file metadata (stat/fstat/lstat/fstatat/statx agreement, symlink vs
 * target, link counts, chmod/umask, utimensat, utimes, futimesat, utime,
 * ownership, error cases)
 * because build tools and package managers depend on exact metadata. */
#include "itest.h"

#include <sys/sysmacros.h>
#include <sys/time.h>
#include <utime.h>

static int same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_mode == b->st_mode &&
	       a->st_nlink == b->st_nlink && a->st_uid == b->st_uid && a->st_gid == b->st_gid &&
	       a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

int main(void)
{
	it_begin(10);
	char dir[64], f[128], l[128], d[128], h[128];
	if (!it_tmpdir(dir, sizeof dir))
		return 1;
	snprintf(f, sizeof f, "%s/file", dir);
	snprintf(l, sizeof l, "%s/link", dir);
	snprintf(d, sizeof d, "%s/sub", dir);
	snprintf(h, sizeof h, "%s/hard", dir);

	umask(022);
	int fd = open(f, O_RDWR | O_CREAT | O_EXCL, 0666);
	CHECK(fd >= 0 && write(fd, "0123456789", 10) == 10, "create a 10-byte file");
	symlink("file", l);

	struct stat s1, s2, s3, s4, s5;
	EXPECT_EQ(stat(f, &s1), 0, "stat");
	EXPECT_EQ(fstat(fd, &s2), 0, "fstat");
	EXPECT_EQ(lstat(f, &s3), 0, "lstat of a regular file");
	EXPECT_EQ(fstatat(AT_FDCWD, f, &s4, 0), 0, "fstatat");
	EXPECT_EQ(fstatat(fd, "", &s5, AT_EMPTY_PATH), 0, "fstatat AT_EMPTY_PATH");
	CHECK(same(&s1, &s2) && same(&s1, &s3) && same(&s1, &s4) && same(&s1, &s5),
	      "stat, fstat, lstat, fstatat and AT_EMPTY_PATH agree");
	CHECK(S_ISREG(s1.st_mode) && (s1.st_mode & 07777) == 0644, "regular file, mode 0666 & ~022 = 0644");
	CHECK(s1.st_size == 10 && s1.st_nlink == 1, "size 10, one link");
	CHECK(s1.st_uid == geteuid() && s1.st_gid == getegid(), "owned by euid/egid");
	CHECK(s1.st_blksize > 0 && s1.st_blocks >= 0, "st_blksize positive");
	{
		struct statx sx;
		memset(&sx, 0, sizeof sx);
		int r = statx(AT_FDCWD, f, 0, STATX_BASIC_STATS, &sx);
		CHECK(r == 0 && (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS, "statx returns basic stats");
		CHECK(sx.stx_ino == s1.st_ino && sx.stx_mode == s1.st_mode && sx.stx_size == (uint64_t)s1.st_size &&
		          sx.stx_nlink == s1.st_nlink && sx.stx_uid == s1.st_uid &&
		          makedev(sx.stx_dev_major, sx.stx_dev_minor) == s1.st_dev &&
		          sx.stx_mtime.tv_sec == s1.st_mtim.tv_sec && sx.stx_mtime.tv_nsec == (uint32_t)s1.st_mtim.tv_nsec,
		      "statx agrees with stat");
		EXPECT_ERRNO(statx(AT_FDCWD, f, 0, STATX__RESERVED, &sx), EINVAL, "statx with a reserved mask bit: EINVAL");
		EXPECT_ERRNO(statx(AT_FDCWD, f, 0x80000000, STATX_BASIC_STATS, &sx), EINVAL, "statx with bad flags: EINVAL");
		memset(&sx, 0, sizeof sx);
		r = statx(AT_FDCWD, l, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &sx);
		CHECK(r == 0 && S_ISLNK(sx.stx_mode), "statx AT_SYMLINK_NOFOLLOW sees the link");
	}

	/* symlinks */
	{
		struct stat ls, ts;
		EXPECT_EQ(lstat(l, &ls), 0, "lstat of a symlink");
		CHECK(S_ISLNK(ls.st_mode) && ls.st_size == 4, "symlink: S_ISLNK, size = strlen(target)");
		EXPECT_EQ(stat(l, &ts), 0, "stat through a symlink");
		CHECK(ts.st_ino == s1.st_ino && S_ISREG(ts.st_mode), "stat follows the link to the file");
		struct stat as;
		EXPECT_EQ(fstatat(AT_FDCWD, l, &as, AT_SYMLINK_NOFOLLOW), 0, "fstatat AT_SYMLINK_NOFOLLOW");
		CHECK(as.st_ino == ls.st_ino, "AT_SYMLINK_NOFOLLOW stats the link itself");
		char dangling[128];
		snprintf(dangling, sizeof dangling, "%s/dangling", dir);
		symlink("nonexistent", dangling);
		EXPECT_ERRNO(stat(dangling, &as), ENOENT, "stat of a dangling symlink: ENOENT");
		EXPECT_EQ(lstat(dangling, &as), 0, "lstat of a dangling symlink works");
	}

	/* hard links and directories */
	EXPECT_EQ(link(f, h), 0, "link");
	stat(f, &s1);
	EXPECT_EQ(s1.st_nlink, 2, "nlink 2 after link()");
	stat(h, &s2);
	CHECK(s2.st_ino == s1.st_ino, "hard link shares the inode");
	unlink(h);
	fstat(fd, &s2);
	EXPECT_EQ(s2.st_nlink, 1, "nlink back to 1 after unlink");
	{
		EXPECT_EQ(mkdir(d, 0777), 0, "mkdir");
		struct stat ds, ps;
		stat(d, &ds);
		CHECK(S_ISDIR(ds.st_mode) && (ds.st_mode & 07777) == 0755, "directory, mode 0777 & ~022");
		EXPECT_EQ(ds.st_nlink, 2, "new directory has nlink 2");
		stat(dir, &ps);
		nlink_t before = ps.st_nlink;
		char sub2[160];
		snprintf(sub2, sizeof sub2, "%s/sub2", d);
		mkdir(sub2, 0700);
		stat(d, &ds);
		EXPECT_EQ(ds.st_nlink, 3, "subdirectory raises the parent's nlink to 3");
		stat(dir, &ps);
		EXPECT_EQ(ps.st_nlink, before, "grandparent nlink unchanged");
		rmdir(sub2);
		stat(d, &ds);
		EXPECT_EQ(ds.st_nlink, 2, "rmdir lowers it again");
	}

	/* chmod / fchmod / fchmodat */
	EXPECT_EQ(chmod(f, 0600), 0, "chmod 0600");
	stat(f, &s1);
	EXPECT_EQ(s1.st_mode & 07777, 0600, "mode is 0600");
	EXPECT_EQ(fchmod(fd, 04755), 0, "fchmod 04755");
	stat(f, &s1);
	EXPECT_EQ(s1.st_mode & 07777, 04755, "setuid bit and 0755 stored");
	EXPECT_EQ(fchmodat(AT_FDCWD, f, 0640, 0), 0, "fchmodat");
	stat(f, &s1);
	EXPECT_EQ(s1.st_mode & 07777, 0640, "mode is 0640");
	{
		struct stat before, after;
		stat(f, &before);
		struct timespec nap = {0, 20 * 1000000};
		nanosleep(&nap, NULL);
		chmod(f, 0644);
		stat(f, &after);
		CHECK(after.st_ctim.tv_sec > before.st_ctim.tv_sec ||
		          (after.st_ctim.tv_sec == before.st_ctim.tv_sec && after.st_ctim.tv_nsec >= before.st_ctim.tv_nsec),
		      "chmod updates ctime (not backwards)");
	}
	/* umask */
	{
		mode_t old = umask(077);
		EXPECT_EQ(old, 022, "umask returns the previous mask");
		char g[160];
		snprintf(g, sizeof g, "%s/masked", dir);
		int gfd = open(g, O_CREAT | O_WRONLY, 0666);
		struct stat gs;
		fstat(gfd, &gs);
		EXPECT_EQ(gs.st_mode & 0777, 0600, "umask 077 applied on create");
		close(gfd);
		umask(022);
	}

	/* utimensat */
	{
		struct timespec ts[2] = {{1000000000, 0}, {1200000000, 500}};
		EXPECT_EQ(utimensat(AT_FDCWD, f, ts, 0), 0, "utimensat sets atime/mtime");
		stat(f, &s1);
		CHECK(s1.st_atim.tv_sec == 1000000000 && s1.st_mtim.tv_sec == 1200000000 && s1.st_mtim.tv_nsec == 500,
		      "times read back exactly");
		struct timespec om[2] = {{0, UTIME_OMIT}, {1300000000, 0}};
		utimensat(AT_FDCWD, f, om, 0);
		stat(f, &s1);
		CHECK(s1.st_atim.tv_sec == 1000000000 && s1.st_mtim.tv_sec == 1300000000, "UTIME_OMIT leaves atime");
		struct timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
		futimens(fd, now);
		fstat(fd, &s1);
		CHECK(s1.st_mtim.tv_sec > 1600000000, "UTIME_NOW sets the current time");
		struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
		EXPECT_ERRNO(utimensat(AT_FDCWD, f, bad, 0), EINVAL, "utimensat with tv_nsec=1e9: EINVAL");
		EXPECT_ERRNO(syscall(SYS_utimensat, AT_FDCWD, NULL, NULL, 0), EFAULT,
		             "utimensat(AT_FDCWD, NULL): EFAULT");
		/* The older calls: utimes and futimesat in microseconds, utime
		 * in seconds, NULL for now. */
		struct timeval tv[2] = {{1100000000, 7}, {1100000001, 999999}};
		EXPECT_EQ(syscall(SYS_utimes, f, tv), 0, "utimes");
		stat(f, &s1);
		CHECK(s1.st_atim.tv_sec == 1100000000 && s1.st_atim.tv_nsec == 7000 &&
		          s1.st_mtim.tv_sec == 1100000001 && s1.st_mtim.tv_nsec == 999999000,
		      "utimes sets microseconds");
		tv[1].tv_usec = 1000000;
		EXPECT_ERRNO(syscall(SYS_utimes, f, tv), EINVAL, "utimes with tv_usec=1e6: EINVAL");
		tv[1].tv_usec = 0;
		EXPECT_EQ(syscall(SYS_futimesat, AT_FDCWD, f, tv), 0, "futimesat");
		EXPECT_EQ(syscall(SYS_futimesat, fd, NULL, tv), 0, "futimesat of the descriptor itself");
		struct utimbuf ub = {1150000000, 1160000000};
		EXPECT_EQ(syscall(SYS_utime, f, &ub), 0, "utime");
		stat(f, &s1);
		CHECK(s1.st_atim.tv_sec == 1150000000 && s1.st_atim.tv_nsec == 0 && s1.st_mtim.tv_sec == 1160000000,
		      "utime sets whole seconds");
		EXPECT_EQ(syscall(SYS_utime, f, NULL), 0, "utime(NULL): now");
		stat(f, &s1);
		CHECK(s1.st_mtim.tv_sec > 1600000000, "the current time");
		EXPECT_ERRNO(syscall(SYS_utime, f, (void *)1), EFAULT, "utime with an unreadable buffer: EFAULT");
		struct stat wb, wa;
		fstat(fd, &wb);
		struct timespec nap = {0, 20 * 1000000};
		nanosleep(&nap, NULL);
		if (write(fd, "x", 1) != 1)
			it_fail("write", "errno %d", errno);
		fstat(fd, &wa);
		CHECK(wa.st_mtim.tv_sec > wb.st_mtim.tv_sec ||
		          (wa.st_mtim.tv_sec == wb.st_mtim.tv_sec && wa.st_mtim.tv_nsec > wb.st_mtim.tv_nsec),
		      "write advances mtime");
	}
	/* ownership: chown to ourselves is always allowed */
	EXPECT_EQ(fchown(fd, geteuid(), getegid()), 0, "fchown to own uid/gid");
	EXPECT_EQ(lchown(l, -1, -1), 0, "lchown with -1/-1 is a no-op");

	/* errors */
	EXPECT_ERRNO(stat("/nonexistent/x", &s1), ENOENT, "stat of a missing path: ENOENT");
	EXPECT_ERRNO(stat("", &s1), ENOENT, "stat of an empty path: ENOENT");
	{
		char fslash[160];
		snprintf(fslash, sizeof fslash, "%s/", f);
		EXPECT_ERRNO(stat(fslash, &s1), ENOTDIR, "stat of \"file/\": ENOTDIR");
	}
	EXPECT_ERRNO(fstat(9999, &s1), EBADF, "fstat of a bad fd: EBADF");
	EXPECT_ERRNO(fstatat(fd, "x", &s1, 0), ENOTDIR, "fstatat relative to a file fd: ENOTDIR");
	EXPECT_ERRNO(fstatat(AT_FDCWD, f, &s1, 0x4000000), EINVAL, "fstatat with bad flags: EINVAL");

	/* well-known files */
	EXPECT_EQ(stat("/etc/passwd", &s1), 0, "stat /etc/passwd");
	CHECK(S_ISREG(s1.st_mode) && s1.st_size > 0, "/etc/passwd is a non-empty regular file");
	EXPECT_EQ(stat("/", &s1), 0, "stat /");
	CHECK(S_ISDIR(s1.st_mode), "/ is a directory");
	{
		struct stat a, b;
		stat("/", &a);
		stat("/..", &b);
		CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "/.. is /");
	}
	close(fd);
	it_rmtree(dir);
	return it_end();
}
