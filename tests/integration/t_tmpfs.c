/* t_tmpfs: the writable scratch filesystems of the sandbox: /tmp (create, write,
 * read back, rename, link, unlink while open, FIFOs, big files, statfs) and
 * /dev/shm via shm_open shared between processes, because every real program
 * needs somewhere to write. */
#include "itest.h"

#include <sys/mman.h>
#include <sys/statvfs.h>

int main(void)
{
	it_begin(10);
	char dir[64], a[128], b[128], sub[128], c[160];
	if (!it_tmpdir(dir, sizeof dir))
		return 1;
	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(b, sizeof b, "%s/b", dir);
	snprintf(sub, sizeof sub, "%s/sub", dir);
	snprintf(c, sizeof c, "%s/sub/c", dir);

	{
		struct stat st;
		CHECK(stat("/tmp", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 01777) == 01777,
		      "/tmp is a world-writable sticky directory");
		struct statvfs vf;
		CHECK(statvfs(dir, &vf) == 0 && vf.f_bsize > 0 && vf.f_blocks > 0 && !(vf.f_flag & ST_RDONLY),
		      "statvfs on /tmp: writable with a block size");
	}
	EXPECT_EQ(it_write_file(a, "first", 5, 0644), 0, "create and write a file in /tmp");
	char buf[64] = {0};
	CHECK(it_read_file(a, buf, sizeof buf) == 5 && strcmp(buf, "first") == 0, "read it back");
	EXPECT_EQ(rename(a, b), 0, "rename within the directory");
	CHECK(access(a, F_OK) == -1 && errno == ENOENT, "old name gone");
	EXPECT_EQ(mkdir(sub, 0755), 0, "mkdir");
	EXPECT_EQ(rename(b, c), 0, "rename into a subdirectory");
	memset(buf, 0, sizeof buf);
	CHECK(it_read_file(c, buf, sizeof buf) == 5 && strcmp(buf, "first") == 0, "content follows the rename");
	EXPECT_EQ(link(c, a), 0, "hard link");
	{
		struct stat s1, s2;
		stat(a, &s1);
		stat(c, &s2);
		CHECK(s1.st_ino == s2.st_ino && s1.st_nlink == 2, "both names share an inode with nlink 2");
	}
	EXPECT_EQ(unlink(c), 0, "unlink one name");
	memset(buf, 0, sizeof buf);
	CHECK(it_read_file(a, buf, sizeof buf) == 5, "the other name still works");

	/* unlinked but open file */
	{
		int fd = open(a, O_RDWR);
		EXPECT_EQ(unlink(a), 0, "unlink while open");
		CHECK(access(a, F_OK) == -1, "name is gone");
		EXPECT_EQ(pwrite(fd, "again", 5, 0), 5, "write to the unlinked file");
		memset(buf, 0, sizeof buf);
		CHECK(pread(fd, buf, 5, 0) == 5 && strcmp(buf, "again") == 0, "read from the unlinked file");
		struct stat st;
		fstat(fd, &st);
		EXPECT_EQ(st.st_nlink, 0, "fstat shows nlink 0");
		close(fd);
	}

	/* bigger file */
	{
		char path[160];
		snprintf(path, sizeof path, "%s/big", dir);
		int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		static unsigned char blk[65536];
		int ok = fd >= 0;
		for (int i = 0; ok && i < 128; i++) {
			memset(blk, i, sizeof blk);
			if (write(fd, blk, sizeof blk) != (ssize_t)sizeof blk)
				ok = 0;
		}
		for (int i = 0; ok && i < 128; i += 17) {
			if (pread(fd, blk, sizeof blk, (off_t)i * sizeof blk) != (ssize_t)sizeof blk || blk[0] != i ||
			    blk[sizeof blk - 1] != i)
				ok = 0;
		}
		struct stat st;
		fstat(fd, &st);
		CHECK(ok && st.st_size == 8 << 20, "8 MiB file written and read back at random offsets");
		close(fd);
		unlink(path);
	}

	/* FIFO */
	{
		char path[160];
		snprintf(path, sizeof path, "%s/fifo", dir);
		EXPECT_EQ(mkfifo(path, 0600), 0, "mkfifo");
		struct stat st;
		CHECK(stat(path, &st) == 0 && S_ISFIFO(st.st_mode), "it is a FIFO");
		EXPECT_ERRNO(open(path, O_WRONLY | O_NONBLOCK), ENXIO, "nonblocking open for writing without a reader: ENXIO");
		int r = open(path, O_RDONLY | O_NONBLOCK);
		CHECK(r >= 0, "nonblocking open for reading succeeds without a writer");
		int w = open(path, O_WRONLY | O_NONBLOCK);
		CHECK(w >= 0, "open for writing succeeds once a reader exists");
		char fb[8] = {0};
		CHECK(write(w, "fifo", 4) == 4 && read(r, fb, sizeof fb) == 4 && strcmp(fb, "fifo") == 0,
		      "data passes through the FIFO");
		close(w);
		EXPECT_EQ(read(r, fb, sizeof fb), 0, "EOF after the writer closes");
		close(r);
	}

	/* /dev/shm via shm_open */
	{
		char name[64];
		snprintf(name, sizeof name, "/itest-shm-%d", getpid());
		int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
		CHECK(fd >= 0, "shm_open O_CREAT|O_EXCL");
		EXPECT_ERRNO(shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST, "second O_EXCL create: EEXIST");
		EXPECT_EQ(ftruncate(fd, 8192), 0, "ftruncate the shm object");
		volatile char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		CHECK(m != MAP_FAILED, "mmap the shm object");
		if (m != MAP_FAILED) {
			m[0] = 'p';
			pid_t ch = it_fork();
			if (ch == 0) {
				int fd2 = shm_open(name, O_RDWR, 0);
				volatile char *m2 = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
				if (m2 == MAP_FAILED || m2[0] != 'p')
					_exit(1);
				m2[8191] = 'c';
				_exit(0);
			}
			EXPECT_EXIT(it_wait(ch), 0, "child opens the same object by name and sees our data");
			CHECK(m[8191] == 'c', "we see the child's write");
			munmap((void *)m, 8192);
		}
		char path[128];
		snprintf(path, sizeof path, "/dev/shm%s", name);
		struct stat st;
		CHECK(stat(path, &st) == 0 && st.st_size == 8192, "object visible as a file under /dev/shm");
		close(fd);
		EXPECT_EQ(shm_unlink(name), 0, "shm_unlink");
		EXPECT_ERRNO(shm_open(name, O_RDWR, 0), ENOENT, "shm_open after unlink: ENOENT");
		EXPECT_ERRNO(shm_unlink(name), ENOENT, "second shm_unlink: ENOENT");
	}

	it_rmtree(dir);
	{
		struct stat st;
		EXPECT_ERRNO(stat(dir, &st), ENOENT, "scratch directory removed");
	}
	return it_end();
}
