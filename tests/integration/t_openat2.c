/* t_openat2: openat2(2): struct open_how sizes (EINVAL, E2BIG, trailing
 * zeros), argument checks (unknown flags and resolve bits, a mode without
 * O_CREAT, O_PATH with other flags, BENEATH with IN_ROOT), and the
 * RESOLVE_* restrictions: NO_SYMLINKS, NO_MAGICLINKS (procfs fd links),
 * NO_XDEV (into /proc, up out of a mount, through an absolute symlink),
 * BENEATH (absolute paths, "..", symlinks out: EXDEV), IN_ROOT ("/" and
 * ".." stay at the directory), CACHED (EAGAIN for O_CREAT/O_TRUNC). */
#include "itest.h"

#include <linux/openat2.h>

static long o2(int dfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
	struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};
	return syscall(SYS_openat2, dfd, path, &how, sizeof how);
}

/* openat2 that must succeed and open `want` (compared by inode). */
static int opens(int dfd, const char *path, uint64_t resolve, const char *want)
{
	struct stat a, b;
	long fd = o2(dfd, path, O_RDONLY, 0, resolve);
	if (fd < 0)
		return 0;
	int same = fstat((int)fd, &a) == 0 && stat(want, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
	close((int)fd);
	return same;
}

int main(void)
{
	it_begin(10);
	char dir[64], p[256], top[256];
	if (!it_tmpdir(dir, sizeof dir))
		return 1;
	snprintf(top, sizeof top, "%s/top", dir);
	mkdir(top, 0755);
	snprintf(p, sizeof p, "%s/top/sub", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/top/sub/f", dir);
	it_write_file(p, "f", 1, 0644);
	snprintf(p, sizeof p, "%s/outside", dir);
	it_write_file(p, "o", 1, 0644);
	snprintf(p, sizeof p, "%s/top/link", dir);
	symlink("sub/f", p);
	snprintf(p, sizeof p, "%s/top/up", dir);
	symlink("../outside", p);
	snprintf(p, sizeof p, "%s/top/abs", dir);
	symlink("/sub/f", p);
	int dfd = open(top, O_RDONLY | O_DIRECTORY);
	char subf[256], outside[256];
	snprintf(subf, sizeof subf, "%s/top/sub/f", dir);
	snprintf(outside, sizeof outside, "%s/outside", dir);

	/* struct open_how */
	struct open_how how = {.flags = O_RDONLY};
	EXPECT_ERRNO(syscall(SYS_openat2, dfd, "sub/f", &how, 16), EINVAL, "a size below 24: EINVAL");
	EXPECT_ERRNO(syscall(SYS_openat2, dfd, "sub/f", &how, 8192), E2BIG, "a size past a page: E2BIG");
	struct {
		struct open_how h;
		uint64_t extra;
	} big = {{.flags = O_RDONLY}, 0};
	long fd = syscall(SYS_openat2, dfd, "sub/f", &big, sizeof big);
	CHECK(fd >= 0, "a larger struct with zero tail is accepted");
	close((int)fd);
	big.extra = 1;
	EXPECT_ERRNO(syscall(SYS_openat2, dfd, "sub/f", &big, sizeof big), E2BIG, "a non-zero tail: E2BIG");
	EXPECT_ERRNO(syscall(SYS_openat2, dfd, "sub/f", (void *)1, sizeof how), EFAULT, "an unreadable how: EFAULT");
	EXPECT_ERRNO(o2(dfd, "sub/f", 1ULL << 40, 0, 0), EINVAL, "an unknown flag bit: EINVAL");
	EXPECT_ERRNO(o2(dfd, "sub/f", O_RDONLY, 0, 0x40), EINVAL, "an unknown resolve bit: EINVAL");
	EXPECT_ERRNO(o2(dfd, "sub/f", O_RDONLY, 0644, 0), EINVAL, "a mode without O_CREAT: EINVAL");
	EXPECT_ERRNO(o2(dfd, "new", O_CREAT | O_WRONLY, 010000, 0), EINVAL, "a mode with a type bit: EINVAL");
	EXPECT_ERRNO(o2(dfd, "sub/f", O_PATH | O_RDWR, 0, 0), EINVAL, "O_PATH with O_RDWR: EINVAL");
	EXPECT_ERRNO(o2(dfd, "sub/f", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT), EINVAL,
	             "RESOLVE_BENEATH with RESOLVE_IN_ROOT: EINVAL");
	fd = o2(dfd, "new", O_CREAT | O_WRONLY | O_CLOEXEC, 0640, 0);
	CHECK(fd >= 0 && fcntl((int)fd, F_GETFD) == FD_CLOEXEC, "O_CREAT with a mode and O_CLOEXEC");
	close((int)fd);
	fd = o2(dfd, "sub/f", O_RDONLY, 0, 0);
	CHECK(fd >= 0 && (fcntl((int)fd, F_GETFL) & 0100000), "openat2 adds O_LARGEFILE");
	close((int)fd);

	/* RESOLVE_NO_SYMLINKS */
	CHECK(opens(dfd, "link", 0, subf), "a symlink is followed by default");
	EXPECT_ERRNO(o2(dfd, "link", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP, "RESOLVE_NO_SYMLINKS: ELOOP");
	fd = o2(dfd, "link", O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS);
	CHECK(fd >= 0, "the link itself with O_PATH|O_NOFOLLOW");
	close((int)fd);
	EXPECT_ERRNO(o2(dfd, "link", O_CREAT | O_WRONLY, 0644, RESOLVE_NO_SYMLINKS), ELOOP,
	             "O_CREAT through a symlink: ELOOP");

	/* RESOLVE_NO_MAGICLINKS */
	char fdpath[64];
	int sfd = open(subf, O_RDONLY);
	snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", sfd);
	CHECK(opens(AT_FDCWD, fdpath, 0, subf), "a /proc fd link reopens the file");
	EXPECT_ERRNO(o2(AT_FDCWD, fdpath, O_RDONLY, 0, RESOLVE_NO_MAGICLINKS), ELOOP, "RESOLVE_NO_MAGICLINKS: ELOOP");
	CHECK(opens(AT_FDCWD, "/proc/self/status", RESOLVE_NO_MAGICLINKS, "/proc/self/status"),
	      "a plain symlink (/proc/self) is still followed");
	EXPECT_ERRNO(o2(AT_FDCWD, "/proc/self/status", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP,
	             "/proc/self with RESOLVE_NO_SYMLINKS: ELOOP");

	/* RESOLVE_NO_XDEV */
	EXPECT_ERRNO(o2(AT_FDCWD, "/proc/version", O_RDONLY, 0, RESOLVE_NO_XDEV), EXDEV,
	             "into /proc with RESOLVE_NO_XDEV: EXDEV");
	int pfd = open("/proc", O_RDONLY | O_DIRECTORY);
	EXPECT_ERRNO(o2(pfd, "..", O_RDONLY, 0, RESOLVE_NO_XDEV), EXDEV, "up out of a mount: EXDEV");
	CHECK(o2(pfd, "version", O_RDONLY, 0, RESOLVE_NO_XDEV) >= 0, "within the mount it works");
	EXPECT_ERRNO(o2(pfd, "self/fd/0", O_RDONLY, 0, RESOLVE_NO_XDEV), EXDEV,
	             "a magic link to another mount: EXDEV");
	close(pfd);

	/* RESOLVE_BENEATH */
	CHECK(opens(dfd, "sub/f", RESOLVE_BENEATH, subf), "RESOLVE_BENEATH within the directory");
	CHECK(opens(dfd, "sub/../link", RESOLVE_BENEATH, subf), "\"..\" that stays inside");
	EXPECT_ERRNO(o2(dfd, "../outside", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV, "\"..\" out of it: EXDEV");
	EXPECT_ERRNO(o2(dfd, "up", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV, "a symlink out of it: EXDEV");
	EXPECT_ERRNO(o2(dfd, "abs", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV, "an absolute symlink: EXDEV");
	EXPECT_ERRNO(o2(dfd, subf, O_RDONLY, 0, RESOLVE_BENEATH), EXDEV, "an absolute path: EXDEV");
	EXPECT_ERRNO(o2(dfd, fdpath, O_RDONLY, 0, RESOLVE_BENEATH), EXDEV, "a magic link: EXDEV");

	/* RESOLVE_IN_ROOT */
	CHECK(opens(dfd, "/sub/f", RESOLVE_IN_ROOT, subf), "RESOLVE_IN_ROOT: \"/\" is the directory");
	CHECK(opens(dfd, "abs", RESOLVE_IN_ROOT, subf), "an absolute symlink resolves inside it");
	CHECK(opens(dfd, "../../sub/f", RESOLVE_IN_ROOT, subf), "\"..\" stops at it");
	EXPECT_ERRNO(o2(dfd, "up", O_RDONLY, 0, RESOLVE_IN_ROOT), ENOENT, "a symlink out finds nothing there");
	fd = o2(dfd, "/made", O_CREAT | O_WRONLY, 0644, RESOLVE_IN_ROOT);
	snprintf(p, sizeof p, "%s/top/made", dir);
	CHECK(fd >= 0 && access(p, F_OK) == 0, "O_CREAT of \"/made\" lands in the directory");
	close((int)fd);

	/* RESOLVE_CACHED */
	EXPECT_ERRNO(o2(dfd, "sub/f", O_RDONLY | O_TRUNC, 0, RESOLVE_CACHED), EAGAIN, "RESOLVE_CACHED with O_TRUNC: EAGAIN");
	EXPECT_ERRNO(o2(dfd, "x", O_CREAT | O_WRONLY, 0644, RESOLVE_CACHED), EAGAIN, "RESOLVE_CACHED with O_CREAT: EAGAIN");
	close(sfd);
	close(dfd);
	it_rmtree(dir);
	return it_end();
}
