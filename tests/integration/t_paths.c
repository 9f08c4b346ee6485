/* t_paths: directories and path resolution (getdents64 listing exactly our
 * entries, readlink, access/faccessat2, getcwd/chdir/fchdir, openat rules,
 * "..", symlinks to directories, ELOOP, ENAMETOOLONG, mkdir/rmdir/unlink/
 * rename/renameat2 errors) because the Sentry does its own path walk. */
#include "itest.h"

#include <dirent.h>

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* List a directory with getdents64 using a small buffer; returns a sorted
 * "name:type,..." string (type as letter, '?' for DT_UNKNOWN accepted as the
 * expected one). */
static int list_dir(const char *path, char *out, size_t outlen, const char *expect_types)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	char buf[96];
	char names[64][64];
	char types[64];
	int n = 0;
	if (fd < 0)
		return -1;
	for (;;) {
		long r = syscall(SYS_getdents64, fd, buf, sizeof buf);
		if (r < 0) {
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		for (long off = 0; off < r;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			if (n < 64) {
				snprintf(names[n], sizeof names[n], "%s", d->d_name);
				char t = '?';
				switch (d->d_type) {
				case DT_REG: t = 'f'; break;
				case DT_DIR: t = 'd'; break;
				case DT_LNK: t = 'l'; break;
				case DT_FIFO: t = 'p'; break;
				case DT_UNKNOWN: t = '?'; break;
				default: t = 'x';
				}
				types[n] = t;
				n++;
			}
			off += d->d_reclen;
		}
	}
	close(fd);
	/* sort names */
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (strcmp(names[j], names[i]) < 0) {
				char tmp[64];
				char tt = types[i];
				memcpy(tmp, names[i], 64);
				memcpy(names[i], names[j], 64);
				memcpy(names[j], tmp, 64);
				types[i] = types[j];
				types[j] = tt;
			}
	out[0] = 0;
	for (int i = 0; i < n; i++) {
		char t = types[i];
		if (t == '?' && expect_types && expect_types[i])
			t = expect_types[i];
		size_t len = strlen(out);
		snprintf(out + len, outlen - len, "%s%s:%c", i ? "," : "", names[i], t);
	}
	return n;
}

int main(void)
{
	it_begin(10);
	char dir[64], p[512], q[512], out[4096];
	if (!it_tmpdir(dir, sizeof dir))
		return 1;
	char cwd0[4096];
	if (!getcwd(cwd0, sizeof cwd0))
		return 1;

	/* Populate. */
	EXPECT_EQ(chdir(dir), 0, "chdir into the scratch dir");
	{
		char cw[4096];
		CHECK(getcwd(cw, sizeof cw) && strcmp(cw, dir) == 0, "getcwd returns the new directory");
		CHECK(getcwd(cw, 5) == NULL && errno == ERANGE, "getcwd with a small buffer: ERANGE");
	}
	it_write_file("a", "A", 1, 0644);
	it_write_file("bb", "BB", 2, 0644);
	it_write_file("a-much-longer-file-name-to-force-several-getdents-calls", "C", 1, 0644);
	mkdir("d", 0755);
	symlink("a", "lnk");
	mkfifo("fifo", 0644);
	{
		int n = list_dir(".", out, sizeof out, NULL);
		const char *want = ".:d,..:d,a:f,a-much-longer-file-name-to-force-several-getdents-calls:f,bb:f,d:d,fifo:p,"
		                   "lnk:l";
		CHECKF(n == 8 && strcmp(out, want) == 0, "getdents64 lists exactly our entries with d_type",
		       "got %s", out);
		DIR *dp = opendir(".");
		int cnt = 0;
		struct dirent *de;
		while ((de = readdir(dp)))
			cnt++;
		rewinddir(dp);
		int cnt2 = 0;
		while ((de = readdir(dp)))
			cnt2++;
		closedir(dp);
		CHECK(cnt == 8 && cnt2 == 8, "readdir sees 8 entries, again after rewinddir");
		int fd = open(".", O_RDONLY | O_DIRECTORY);
		char tiny[8];
		EXPECT_ERRNO(syscall(SYS_getdents64, fd, tiny, sizeof tiny), EINVAL, "getdents64 buffer too small: EINVAL");
		close(fd);
		fd = open("a", O_RDONLY);
		char big[512];
		EXPECT_ERRNO(syscall(SYS_getdents64, fd, big, sizeof big), ENOTDIR, "getdents64 on a file: ENOTDIR");
		close(fd);
		struct stat st;
		stat("a", &st);
		int dfd = open(".", O_RDONLY | O_DIRECTORY);
		long r = syscall(SYS_getdents64, dfd, big, sizeof big);
		int ino_ok = 0;
		for (long off = 0; off < r;) {
			struct linux_dirent64 *d = (void *)(big + off);
			if (strcmp(d->d_name, "a") == 0 && d->d_ino == st.st_ino)
				ino_ok = 1;
			off += d->d_reclen;
		}
		close(dfd);
		CHECK(ino_ok, "d_ino matches st_ino");
		unlink("fifo");
		n = list_dir(".", out, sizeof out, NULL);
		CHECK(n == 7 && !strstr(out, "fifo"), "unlinked entry disappears from the listing");
	}

	/* readlink */
	{
		char b[64];
		memset(b, 'X', sizeof b);
		ssize_t n = readlink("lnk", b, sizeof b);
		CHECK(n == 1 && b[0] == 'a' && b[1] == 'X', "readlink returns the target without a NUL");
		symlink("0123456789", "long");
		n = readlink("long", b, 4);
		CHECK(n == 4 && memcmp(b, "0123", 4) == 0, "readlink truncates to the buffer size");
		EXPECT_ERRNO(readlink("a", b, sizeof b), EINVAL, "readlink of a regular file: EINVAL");
		EXPECT_ERRNO(readlink("missing", b, sizeof b), ENOENT, "readlink of a missing path: ENOENT");
		int dfd = open(".", O_RDONLY | O_DIRECTORY);
		n = readlinkat(dfd, "lnk", b, sizeof b);
		CHECK(n == 1 && b[0] == 'a', "readlinkat relative to a dir fd");
		close(dfd);
		unlink("long");
	}

	/* access / faccessat / faccessat2 */
	{
		chmod("a", 0644);
		EXPECT_EQ(access("a", F_OK), 0, "access F_OK");
		EXPECT_EQ(access("a", R_OK | W_OK), 0, "access R_OK|W_OK on an own 0644 file");
		EXPECT_ERRNO(access("a", X_OK), EACCES, "access X_OK without any x bit: EACCES (even for root)");
		EXPECT_ERRNO(access("missing", F_OK), ENOENT, "access of a missing file: ENOENT");
		EXPECT_ERRNO(access("a", 0x100), EINVAL, "access with a bad mode: EINVAL");
		EXPECT_EQ(access("d", X_OK), 0, "access X_OK on a directory");
		symlink("missing", "dangling");
		EXPECT_ERRNO(faccessat(AT_FDCWD, "dangling", F_OK, 0), ENOENT, "faccessat follows a dangling link: ENOENT");
		EXPECT_EQ(syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW), 0,
		          "faccessat2 AT_SYMLINK_NOFOLLOW on a dangling link: 0");
		EXPECT_EQ(syscall(SYS_faccessat2, AT_FDCWD, "a", R_OK, AT_EACCESS), 0, "faccessat2 AT_EACCESS");
		EXPECT_ERRNO(syscall(SYS_faccessat2, AT_FDCWD, "a", R_OK, 0x8000000), EINVAL,
		             "faccessat2 with bad flags: EINVAL");
		int fd = open("a", O_RDONLY);
		EXPECT_EQ(syscall(SYS_faccessat2, fd, "", R_OK, AT_EMPTY_PATH), 0, "faccessat2 AT_EMPTY_PATH on an fd");
		close(fd);
		unlink("dangling");
	}

	/* chdir / fchdir / relative resolution */
	{
		int here = open(".", O_RDONLY | O_DIRECTORY);
		EXPECT_EQ(chdir("d"), 0, "chdir to a subdirectory");
		it_write_file("inner", "I", 1, 0644);
		CHECK(access("../a", F_OK) == 0, "relative path with .. works");
		EXPECT_EQ(fchdir(here), 0, "fchdir back");
		CHECK(access("d/inner", F_OK) == 0, "back in the original directory");
		EXPECT_ERRNO(chdir("a"), ENOTDIR, "chdir to a file: ENOTDIR");
		EXPECT_ERRNO(chdir("missing"), ENOENT, "chdir to a missing dir: ENOENT");
		int ffd = open("a", O_RDONLY);
		EXPECT_ERRNO(fchdir(ffd), ENOTDIR, "fchdir to a file fd: ENOTDIR");
		close(ffd);
		close(here);
	}

	/* Path resolution. */
	{
		EXPECT_EQ(access("d/./../d/inner", F_OK), 0, "\".\" and \"..\" components");
		EXPECT_EQ(access("./d//inner", F_OK), 0, "repeated slashes");
		mkdir("d/deep", 0755);
		symlink("d/deep", "todeep");
		EXPECT_EQ(access("todeep/../inner", F_OK), 0, "\"..\" after a symlink goes to the target's parent");
		EXPECT_ERRNO(access("todeep/../a", F_OK), ENOENT, "not the parent of the symlink itself");
		symlink(dir, "absdir");
		EXPECT_EQ(access("absdir/absdir/absdir/a", F_OK), 0, "absolute symlink to a directory, nested");
		symlink("loop2", "loop1");
		symlink("loop1", "loop2");
		EXPECT_ERRNO(open("loop1", O_RDONLY), ELOOP, "symlink loop: ELOOP");
		EXPECT_ERRNO(open("lnk", O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on a symlink: ELOOP");
		int pfd = open("lnk", O_PATH | O_NOFOLLOW);
		CHECK(pfd >= 0, "O_PATH|O_NOFOLLOW opens the symlink itself");
		if (pfd >= 0)
			close(pfd);
		/* chains: 30 hops fine, 50 hops ELOOP */
		char prev[32] = "a", name[32];
		for (int i = 0; i < 50; i++) {
			snprintf(name, sizeof name, "c%02d", i);
			symlink(prev, name);
			snprintf(prev, sizeof prev, "%s", name);
		}
		EXPECT_EQ(access("c29", F_OK), 0, "a chain of 30 symlinks resolves");
		EXPECT_ERRNO(access("c49", F_OK), ELOOP, "a chain of 50 symlinks: ELOOP");
		EXPECT_ERRNO(open("a/x", O_RDONLY), ENOTDIR, "file used as a directory: ENOTDIR");
		EXPECT_ERRNO(open("missing/x", O_RDONLY), ENOENT, "missing intermediate directory: ENOENT");
		EXPECT_ERRNO(open("a", O_RDONLY | O_DIRECTORY), ENOTDIR, "O_DIRECTORY on a file: ENOTDIR");
		EXPECT_ERRNO(open("lnk/", O_RDONLY), ENOTDIR, "trailing slash on a symlink to a file: ENOTDIR");
		EXPECT_EQ(access("todeep/", F_OK), 0, "trailing slash on a symlink to a directory works");
		EXPECT_ERRNO(open("a", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST, "O_EXCL on an existing file: EEXIST");
		symlink("newtarget", "dangle");
		EXPECT_ERRNO(open("dangle", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST,
		             "O_CREAT|O_EXCL on a dangling symlink: EEXIST (not followed)");
		int cfd = open("dangle", O_CREAT | O_WRONLY, 0644);
		CHECK(cfd >= 0 && access("newtarget", F_OK) == 0, "O_CREAT through a dangling symlink creates the target");
		if (cfd >= 0)
			close(cfd);

		char longname[300];
		memset(longname, 'n', 256);
		longname[256] = 0;
		EXPECT_ERRNO(open(longname, O_RDONLY), ENAMETOOLONG, "256-byte component: ENAMETOOLONG");
		longname[255] = 0;
		EXPECT_ERRNO(open(longname, O_RDONLY), ENOENT, "255-byte component is allowed (ENOENT)");
		static char longpath[5000];
		for (int i = 0; i < 2400; i++) {
			longpath[2 * i] = 'x';
			longpath[2 * i + 1] = '/';
		}
		longpath[4800] = 0;
		EXPECT_ERRNO(open(longpath, O_RDONLY), ENAMETOOLONG, "path longer than PATH_MAX: ENAMETOOLONG");
	}

	/* openat */
	{
		int dfd = open("d", O_RDONLY | O_DIRECTORY);
		int fd = openat(dfd, "inner", O_RDONLY);
		char c = 0;
		CHECK(fd >= 0 && read(fd, &c, 1) == 1 && c == 'I', "openat relative to a directory fd");
		if (fd >= 0)
			close(fd);
		int afd = open("a", O_RDONLY);
		EXPECT_ERRNO(openat(afd, "x", O_RDONLY), ENOTDIR, "openat relative to a file fd: ENOTDIR");
		EXPECT_ERRNO(openat(9999, "x", O_RDONLY), EBADF, "openat with a bad dirfd: EBADF");
		snprintf(p, sizeof p, "%s/a", dir);
		fd = openat(9999, p, O_RDONLY);
		CHECK(fd >= 0, "absolute path ignores dirfd");
		if (fd >= 0)
			close(fd);
		close(afd);
		close(dfd);
	}

	/* mkdir / rmdir / unlink / rename errors and semantics */
	{
		EXPECT_ERRNO(mkdir("d", 0755), EEXIST, "mkdir existing: EEXIST");
		EXPECT_ERRNO(mkdir("missing/x", 0755), ENOENT, "mkdir under a missing dir: ENOENT");
		EXPECT_ERRNO(rmdir("d"), ENOTEMPTY, "rmdir non-empty: ENOTEMPTY");
		EXPECT_ERRNO(rmdir("."), EINVAL, "rmdir \".\": EINVAL");
		EXPECT_ERRNO(rmdir("a"), ENOTDIR, "rmdir a file: ENOTDIR");
		EXPECT_ERRNO(unlink("d"), EISDIR, "unlink a directory: EISDIR");
		EXPECT_ERRNO(unlink("missing"), ENOENT, "unlink missing: ENOENT");
		EXPECT_EQ(unlinkat(AT_FDCWD, "d/deep", AT_REMOVEDIR), 0, "unlinkat AT_REMOVEDIR");

		EXPECT_EQ(rename("bb", "b2"), 0, "rename a file");
		CHECK(access("bb", F_OK) == -1 && access("b2", F_OK) == 0, "old name gone, new name present");
		EXPECT_EQ(rename("b2", "a"), 0, "rename over an existing file replaces it");
		char b[8] = {0};
		it_read_file("a", b, sizeof b);
		CHECK(strcmp(b, "BB") == 0, "replaced file has the renamed content");
		EXPECT_EQ(rename("a", "a"), 0, "rename to itself is a no-op");
		mkdir("e", 0755);
		mkdir("f", 0755);
		it_write_file("f/x", "x", 1, 0644);
		EXPECT_ERRNO(rename("e", "f"), ENOTEMPTY, "rename a dir over a non-empty dir: ENOTEMPTY");
		EXPECT_ERRNO(rename("e", "a"), ENOTDIR, "rename a dir over a file: ENOTDIR");
		EXPECT_ERRNO(rename("a", "e"), EISDIR, "rename a file over a dir: EISDIR");
		EXPECT_ERRNO(rename("f", "f/sub"), EINVAL, "rename a dir into itself: EINVAL");
		rmdir("f/sub");
		EXPECT_EQ(rename("e", "d/e"), 0, "rename a directory into another directory");
		EXPECT_EQ(syscall(SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "lnk", 1 /* RENAME_NOREPLACE */) == -1 ? errno : 0,
		          EEXIST, "renameat2 RENAME_NOREPLACE onto an existing name: EEXIST");
		it_write_file("x1", "1", 1, 0644);
		it_write_file("x2", "2", 1, 0644);
		long r = syscall(SYS_renameat2, AT_FDCWD, "x1", AT_FDCWD, "x2", 2 /* RENAME_EXCHANGE */);
		char c1[4] = {0}, c2[4] = {0};
		it_read_file("x1", c1, sizeof c1);
		it_read_file("x2", c2, sizeof c2);
		CHECK(r == 0 && strcmp(c1, "2") == 0 && strcmp(c2, "1") == 0, "renameat2 RENAME_EXCHANGE swaps");
		EXPECT_ERRNO(syscall(SYS_renameat2, AT_FDCWD, "x1", AT_FDCWD, "x2", 3), EINVAL,
		             "RENAME_NOREPLACE|RENAME_EXCHANGE: EINVAL");
	}

	/* The directory fd survives rename of the directory; unlinked cwd. */
	{
		mkdir("gone", 0755);
		EXPECT_EQ(chdir("gone"), 0, "chdir into a dir about to be removed");
		snprintf(q, sizeof q, "%s/gone", dir);
		EXPECT_EQ(rmdir(q), 0, "rmdir the current directory");
		char cw[4096];
		EXPECT_ERRNO(getcwd(cw, sizeof cw) ? 0 : -1, ENOENT, "getcwd in a removed directory: ENOENT");
		EXPECT_ERRNO(open("new", O_CREAT | O_WRONLY, 0644), ENOENT, "creating in a removed directory: ENOENT");
		EXPECT_EQ(chdir(dir), 0, "chdir out again");
	}

	if (chdir(cwd0) != 0)
		it_fail("chdir back", "errno %d", errno);
	it_rmtree(dir);
	return it_end();
}
