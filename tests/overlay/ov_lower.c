/* ov_lower DIR: run inside `runsc do` by tests/overlay/run.sh on a host
 * directory it prepared (the overlay's lower layer there): every change
 * below copies a host file up into the sandbox's memory, which the script
 * checks by finding DIR unchanged on the host afterwards. Prints ok/FAIL
 * lines as the integration tests do; exits 0 iff all passed.
 *
 * DIR holds: file.txt "hello\n" 0644, tool "#!/bin/sh\n" 04755,
 * dir/{a,b,sub/c}, tree/x/y/z "deep\n", link -> file.txt, h1 and h2 (one
 * file "hl\n"), big (2 MiB + 3 bytes: "head" at 0, "end" at the end). */
#include "../integration/itest.h"

#include <dirent.h>
#include <sys/mman.h>
#include <sys/statfs.h>

#define OVERLAYFS_SUPER_MAGIC 0x794c7630

static char base[PATH_MAX];

static const char *p(const char *rel)
{
	static char bufs[4][2 * PATH_MAX];
	static int k;
	char *b = bufs[k++ % 4];

	snprintf(b, sizeof bufs[0], "%s/%s", base, rel);
	return b;
}

static struct stat st_of(const char *rel)
{
	struct stat st;

	memset(&st, 0, sizeof st);
	lstat(p(rel), &st);
	return st;
}

static const char *content(const char *rel)
{
	static char buf[256];

	if (it_read_file(p(rel), buf, sizeof buf) < 0)
		return "(unreadable)";
	return buf;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of a directory; "?" when an entry's d_ino is not its
 * st_ino. */
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
		snprintf(path, sizeof path, "%s/%s/%s", base, rel, e->d_name);
		if (lstat(path, &st) || st.st_ino != e->d_ino)
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

static void copy_up(void)
{
	struct stat a = st_of("file.txt"), b;
	int fd;

	fd = open(p("file.txt"), O_WRONLY | O_APPEND);
	EXPECT_EQ(write(fd, "more\n", 5), 5, "append to a host file");
	close(fd);
	CHECK(!strcmp(content("file.txt"), "hello\nmore\n"), "it reads hello and more");
	b = st_of("file.txt");
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev && a.st_mode == b.st_mode,
	      "st_ino, st_dev and mode unchanged by the copy-up");
	a = st_of("tool");
	EXPECT_EQ(chmod(p("tool"), 04700), 0, "chmod a set-user-ID host file");
	b = st_of("tool");
	CHECK(b.st_mode == (S_IFREG | 04700) && b.st_ino == a.st_ino && !strcmp(content("tool"), "#!/bin/sh\n"),
	      "its mode changed, its data and number did not");
	EXPECT_EQ(truncate(p("big"), 4), 0, "truncate a big host file");
	CHECK(st_of("big").st_size == 4 && !strcmp(content("big"), "head"), "it keeps its first bytes");
	EXPECT_EQ(link(p("h1"), p("h3")), 0, "hard link a host file");
	CHECK(st_of("h3").st_ino == st_of("h1").st_ino && !strcmp(content("h3"), "hl\n"), "the new name is the file");
}

static void removals(void)
{
	struct stat st;

	EXPECT_EQ(unlink(p("dir/a")), 0, "unlink a host file");
	CHECK(lstat(p("dir/a"), &st) == -1 && errno == ENOENT, "it is gone");
	CHECK(!strcmp(listing("dir"), "b sub"), "and gone from the listing");
	EXPECT_EQ(unlink(p("dir/b")), 0, "unlink dir/b");
	EXPECT_EQ(unlink(p("dir/sub/c")), 0, "unlink dir/sub/c");
	EXPECT_EQ(rmdir(p("dir/sub")), 0, "rmdir dir/sub");
	EXPECT_EQ(rmdir(p("dir")), 0, "rmdir dir");
	EXPECT_EQ(mkdir(p("dir"), 0755), 0, "mkdir dir again");
	CHECK(!strcmp(listing("dir"), ""), "it is empty (opaque): the host's entries do not show");
	EXPECT_ERRNO(rename(p("tree"), p("tree2")), EXDEV, "a host directory does not move: EXDEV");
	{
		struct stat a = st_of("link");
		EXPECT_EQ(rename(p("link"), p("link2")), 0, "rename a host symlink");
		CHECK(st_of("link2").st_ino == a.st_ino && !strcmp(content("link2"), "hello\nmore\n"),
		      "it keeps its number and still points to file.txt");
	}
}

static void open_files(void)
{
	char buf[16] = { 0 };
	int ro = open(p("tree/x/y/z"), O_RDONLY), rw;
	char *m;

	rw = open(p("tree/x/y/z"), O_RDWR);
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	CHECK(m != MAP_FAILED, "mmap a host file shared and writable");
	if (m != MAP_FAILED) {
		memcpy(m, "DEEP", 4);
		munmap(m, 4096);
	}
	CHECK(pread(ro, buf, 5, 0) == 5 && !memcmp(buf, "DEEP\n", 5),
	      "a descriptor opened before the copy-up reads the new data");
	close(ro);
	close(rw);
}

static void whole(void)
{
	struct statfs sf;

	CHECK(!strcmp(listing(""), "big dir file.txt h1 h2 h3 link2 tool tree"),
	      "the listing of the top merges both layers, d_ino == st_ino");
	CHECK(statfs("/", &sf) == 0 && sf.f_type == OVERLAYFS_SUPER_MAGIC, "statfs(\"/\") says overlay");
	EXPECT_EQ(it_write_file("/etc/cvisor-ov-lower", "x", 1, 0644), 0, "write a new file in /etc");
	{
		int fd = open(p("tree"), O_TMPFILE | O_RDWR, 0600);
		char proc[64];
		struct stat st;

		CHECK(fd >= 0 && write(fd, "tmp", 3) == 3, "O_TMPFILE in a host directory");
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
		EXPECT_EQ(linkat(AT_FDCWD, proc, AT_FDCWD, p("tree/tmp"), AT_SYMLINK_FOLLOW), 0,
		          "linkat gives it a name");
		CHECK(stat(p("tree/tmp"), &st) == 0 && st.st_nlink == 1 && st.st_size == 3 &&
		              fstat(fd, &st) == 0 && st.st_nlink == 1,
		      "one link, its data");
		close(fd);
	}
}

int main(int argc, char **argv)
{
	it_begin(30);
	if (argc != 2) {
		fprintf(stderr, "usage: ov_lower DIR\n");
		return 2;
	}
	snprintf(base, sizeof base, "%s", argv[1]);
	copy_up();
	removals();
	open_files();
	whole();
	return it_end();
}
