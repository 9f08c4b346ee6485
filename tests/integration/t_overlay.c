/* t_overlay: files on the root filesystem, which in the sandbox is the
 * host's / under a writable memory overlay: create, write, rename (also
 * with RENAME_NOREPLACE and RENAME_EXCHANGE, also of directories), hard
 * and symbolic links, unlink (also while open), mkdir/rmdir, listings
 * whose d_ino is st_ino, st_ino/st_dev that stay the same across writes,
 * chmod, utimes and renames, truncation, shared mappings, fsync, syncfs,
 * sync and statfs. The scratch directory is made next to the test binary
 * (not in /tmp, which is a tmpfs of its own in the sandbox), so natively
 * these run on the host's filesystem and in the sandbox on the overlay;
 * the checks hold on both. What only the sandbox can show (the host's
 * files stay untouched) is tests/overlay/run.sh's. */
#include "itest.h"

#include <dirent.h>
#include <libgen.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

static char dir[PATH_MAX];

/* A scratch directory next to the binary, else in /var/tmp, else /tmp. */
static int make_scratch(void)
{
	char exe[PATH_MAX];
	const char *bases[3];

	snprintf(exe, sizeof exe, "%s", it_self_exe());
	bases[0] = dirname(exe);
	bases[1] = "/var/tmp";
	bases[2] = "/tmp";
	for (int i = 0; i < 3; i++) {
		snprintf(dir, sizeof dir, "%s/ovtest.XXXXXX", bases[i]);
		if (mkdtemp(dir))
			return 0;
	}
	return -1;
}

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static const char *p(const char *rel)
{
	static char bufs[4][2 * PATH_MAX];
	static int k;
	char *b = bufs[k++ % 4];

	snprintf(b, sizeof bufs[0], "%s/%s", dir, rel);
	return b;
}

static ino_t ino_of(const char *rel)
{
	struct stat st;

	return lstat(p(rel), &st) == 0 ? st.st_ino : 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of a directory ("a b c"), checking that each entry's
 * d_ino and d_type are what lstat says; "?" on a mismatch. */
static const char *listing(const char *rel)
{
	static char out[1024];
	char *names[64];
	int n = 0, bad = 0;
	DIR *d = opendir(p(rel));
	struct dirent *e;

	out[0] = 0;
	if (!d)
		return "(none)";
	while ((e = readdir(d)) && n < 64) {
		char path[3 * PATH_MAX];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s/%s", dir, rel, e->d_name);
		if (lstat(path, &st) || st.st_ino != e->d_ino ||
		    (e->d_type != DT_UNKNOWN && e->d_type != IFTODT(st.st_mode)))
			bad = 1;
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof names[0], cmp);
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, names[i]);
		free(names[i]);
	}
	return bad ? "?" : out;
}

static void files_and_links(void)
{
	struct stat a, b;
	char buf[64] = { 0 };

	EXPECT_EQ(it_write_file(p("f"), "one\n", 4, 0644), 0, "create a file");
	CHECK(it_read_file(p("f"), buf, sizeof buf) == 4 && !strcmp(buf, "one\n"), "read it back");
	stat(p("f"), &a);
	{
		int fd = open(p("f"), O_WRONLY | O_APPEND);
		EXPECT_EQ(write(fd, "two\n", 4), 4, "append");
		close(fd);
	}
	EXPECT_EQ(chmod(p("f"), 0600), 0, "chmod");
	{
		struct timespec ts[2] = { { 1000, 0 }, { 2000, 500 } };
		EXPECT_EQ(utimensat(AT_FDCWD, p("f"), ts, 0), 0, "utimensat");
	}
	stat(p("f"), &b);
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "st_ino and st_dev unchanged by writes and attribute changes");
	CHECK(b.st_mode == (S_IFREG | 0600) && b.st_size == 8 && b.st_mtim.tv_sec == 2000 &&
	              b.st_mtim.tv_nsec == 500,
	      "mode, size and mtime as set");
	EXPECT_EQ(mkdir(p("sub"), 0755), 0, "mkdir");
	EXPECT_EQ(rename(p("f"), p("sub/g")), 0, "rename into a subdirectory");
	stat(p("sub/g"), &b);
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "st_ino unchanged by the rename");
	EXPECT_EQ(link(p("sub/g"), p("h")), 0, "hard link");
	stat(p("h"), &b);
	CHECK(b.st_ino == a.st_ino && b.st_nlink == 2, "both names are one inode with nlink 2");
	{
		int fd = open(p("h"), O_WRONLY | O_APPEND);
		EXPECT_EQ(write(fd, "3\n", 2), 2, "write through the second name");
		close(fd);
	}
	memset(buf, 0, sizeof buf);
	CHECK(it_read_file(p("sub/g"), buf, sizeof buf) == 10 && !strcmp(buf, "one\ntwo\n3\n"),
	      "the first name sees it");
	EXPECT_EQ(unlink(p("sub/g")), 0, "unlink one name");
	stat(p("h"), &b);
	EXPECT_EQ(b.st_nlink, 1, "nlink back to 1");
	EXPECT_EQ(symlink("h", p("sym")), 0, "symlink");
	{
		char t[16] = { 0 };
		EXPECT_EQ(readlink(p("sym"), t, sizeof t), 1, "readlink");
		struct stat ls, ts;
		CHECK(lstat(p("sym"), &ls) == 0 && S_ISLNK(ls.st_mode) && stat(p("sym"), &ts) == 0 &&
		              ts.st_ino == a.st_ino,
		      "lstat sees the link, stat its target");
	}
	EXPECT_EQ(mkfifo(p("fifo"), 0600), 0, "mkfifo");
	CHECK(lstat(p("fifo"), &b) == 0 && S_ISFIFO(b.st_mode), "a FIFO");
}

static void renames(void)
{
	char buf[16] = { 0 };
	ino_t x, y;

	it_write_file(p("x"), "x", 1, 0644);
	it_write_file(p("y"), "y", 1, 0644);
	x = ino_of("x");
	y = ino_of("y");
	EXPECT_ERRNO(syscall(SYS_renameat2, AT_FDCWD, p("x"), AT_FDCWD, p("y"), 1 /* NOREPLACE */),
	             EEXIST, "RENAME_NOREPLACE onto an existing name");
	EXPECT_EQ(syscall(SYS_renameat2, AT_FDCWD, p("x"), AT_FDCWD, p("y"), 2 /* EXCHANGE */), 0,
	          "RENAME_EXCHANGE");
	CHECK(it_read_file(p("x"), buf, sizeof buf) == 1 && buf[0] == 'y' && ino_of("x") == y &&
	              ino_of("y") == x,
	      "the two names swapped their files");
	EXPECT_EQ(rename(p("x"), p("y")), 0, "rename over an existing file");
	CHECK(access(p("x"), F_OK) == -1 && errno == ENOENT && ino_of("y") == y, "the old name is gone, the new one is the file");
	EXPECT_EQ(mkdir(p("d1"), 0755), 0, "mkdir d1");
	it_write_file(p("d1/in"), "in", 2, 0644);
	EXPECT_EQ(rename(p("d1"), p("d2")), 0, "rename a directory");
	memset(buf, 0, sizeof buf);
	CHECK(it_read_file(p("d2/in"), buf, sizeof buf) == 2 && !strcmp(buf, "in"), "its files moved with it");
	EXPECT_EQ(mkdir(p("d3"), 0755), 0, "mkdir d3");
	EXPECT_EQ(rename(p("d3"), p("d2")) == -1 && errno == ENOTEMPTY, 1, "rename onto a non-empty directory: ENOTEMPTY");
	EXPECT_EQ(rename(p("d2/in"), p("d3/in")), 0, "move the file out");
	EXPECT_EQ(rename(p("d3"), p("d2")), 0, "rename onto an empty directory");
	memset(buf, 0, sizeof buf);
	CHECK(it_read_file(p("d2/in"), buf, sizeof buf) == 2, "the directory replaced it");
}

static void directories(void)
{
	EXPECT_EQ(mkdir(p("dir"), 0755), 0, "mkdir dir");
	it_write_file(p("dir/a"), "a", 1, 0644);
	it_write_file(p("dir/b"), "b", 1, 0644);
	EXPECT_EQ(mkdir(p("dir/c"), 0700), 0, "mkdir dir/c");
	CHECK(!strcmp(listing("dir"), "a b c"), "listing: exactly the entries, d_ino == st_ino");
	EXPECT_ERRNO(rmdir(p("dir")), ENOTEMPTY, "rmdir of a non-empty directory");
	EXPECT_ERRNO(rmdir(p("dir/a")), ENOTDIR, "rmdir of a file");
	EXPECT_ERRNO(unlink(p("dir/c")), EISDIR, "unlink of a directory");
	EXPECT_EQ(unlink(p("dir/a")), 0, "unlink a");
	CHECK(!strcmp(listing("dir"), "b c"), "the listing lost a");
	it_write_file(p("dir/a"), "A", 1, 0644);
	CHECK(!strcmp(listing("dir"), "a b c"), "a new a is listed");
	unlink(p("dir/a"));
	unlink(p("dir/b"));
	EXPECT_EQ(rmdir(p("dir/c")), 0, "rmdir dir/c");
	EXPECT_EQ(rmdir(p("dir")), 0, "rmdir dir, emptied");
	EXPECT_EQ(mkdir(p("dir"), 0755), 0, "mkdir it again");
	CHECK(!strcmp(listing("dir"), ""), "and it is empty");
	{
		struct stat st;
		CHECK(stat(p("dir"), &st) == 0 && st.st_nlink == 2, "a new directory has 2 links");
	}
}

static void open_files(void)
{
	char buf[64] = { 0 };
	struct stat a, b;
	int fd;

	it_write_file(p("o"), "open", 4, 0644);
	stat(p("o"), &a);
	fd = open(p("o"), O_RDWR);
	EXPECT_EQ(unlink(p("o")), 0, "unlink while open");
	EXPECT_EQ(pwrite(fd, "OPEN", 4, 0), 4, "write to the unlinked file");
	CHECK(pread(fd, buf, 4, 0) == 4 && !memcmp(buf, "OPEN", 4), "read it back");
	CHECK(fstat(fd, &b) == 0 && b.st_nlink == 0 && b.st_ino == a.st_ino, "fstat: nlink 0, the same inode");
	close(fd);
	it_write_file(p("t"), "0123456789", 10, 0644);
	stat(p("t"), &a);
	fd = open(p("t"), O_WRONLY | O_TRUNC);
	CHECK(fstat(fd, &b) == 0 && b.st_size == 0 && b.st_ino == a.st_ino, "O_TRUNC: empty, the same inode");
	EXPECT_EQ(ftruncate(fd, 5000), 0, "ftruncate up");
	close(fd);
	EXPECT_EQ(truncate(p("t"), 3), 0, "truncate down");
	CHECK(stat(p("t"), &b) == 0 && b.st_size == 3, "size 3");
}

static void data(void)
{
	static char big[1 << 20], back[1 << 20];
	char hole[16];
	int fd, ok = 1;

	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 131 + 7);
	fd = open(p("big"), O_RDWR | O_CREAT, 0644);
	EXPECT_EQ(write(fd, big, sizeof big), (ssize_t)sizeof big, "write 1 MiB");
	EXPECT_EQ(pwrite(fd, "end", 3, 3 << 20), 3, "write past a hole");
	CHECK(pread(fd, back, sizeof back, 0) == (ssize_t)sizeof back && !memcmp(big, back, sizeof big),
	      "read the 1 MiB back");
	memset(hole, 1, sizeof hole);
	CHECK(pread(fd, hole, sizeof hole, 2 << 20) == (ssize_t)sizeof hole, "read in the hole");
	for (size_t i = 0; i < sizeof hole; i++)
		ok &= hole[i] == 0;
	CHECK(ok, "the hole reads as zeros");
	{
		char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		CHECK(m != MAP_FAILED, "mmap MAP_SHARED");
		if (m != MAP_FAILED) {
			memcpy(m, "MAPPED", 6);
			EXPECT_EQ(msync(m, 4096, MS_SYNC), 0, "msync");
			munmap(m, 4096);
		}
	}
	CHECK(pread(fd, hole, 6, 0) == 6 && !memcmp(hole, "MAPPED", 6), "read sees what the mapping wrote");
	EXPECT_EQ(fsync(fd), 0, "fsync");
	EXPECT_EQ(fdatasync(fd), 0, "fdatasync");
	EXPECT_EQ(syncfs(fd), 0, "syncfs");
	close(fd);
}

static void filesystem(void)
{
	struct statfs a, b;
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	EXPECT_EQ(fsync(fd), 0, "fsync of a directory");
	CHECK(statfs(dir, &a) == 0 && fstatfs(fd, &b) == 0 && a.f_type == b.f_type && a.f_bsize > 0 &&
	              !(a.f_flags & ST_RDONLY),
	      "statfs and fstatfs agree: writable, with a block size");
	close(fd);
	sync();
	it_ok("sync");
	EXPECT_ERRNO(syncfs(-1), EBADF, "syncfs of a bad fd");
	{
		struct stat d, f;
		it_write_file(p("dev"), "", 0, 0644);
		CHECK(stat(dir, &d) == 0 && stat(p("dev"), &f) == 0 && d.st_dev == f.st_dev,
		      "a file and its directory share st_dev");
	}
}

int main(void)
{
	it_begin(20);
	int err = make_scratch();

	CHECK(err == 0, "a scratch directory on the root filesystem");
	if (err)
		return it_end();
	files_and_links();
	renames();
	directories();
	open_files();
	data();
	filesystem();
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	CHECK(access(dir, F_OK) == -1, "scratch directory removed");
	return it_end();
}
