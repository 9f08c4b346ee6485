/* t_fd: the file-descriptor table (dup/dup2/dup3, fcntl F_DUPFD/F_GETFD/
 * F_SETFD/F_GETFL/F_SETFL, close_range, shared offsets and status flags,
 * O_CLOEXEC across exec, record locks and flock between processes) because
 * the Sentry implements fd tables and open file descriptions itself. */
#include "itest.h"

#include <linux/close_range.h>
#include <sys/file.h>

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "check-fds") == 0) {
		int a = atoi(argv[2]), b = atoi(argv[3]), c = atoi(argv[4]);
		if (is_open(a) || errno != EBADF)
			return 1; /* O_CLOEXEC fd must be closed */
		if (!is_open(b))
			return 2; /* plain fd must survive */
		if (is_open(c))
			return 3; /* FD_CLOEXEC set later must be closed */
		char buf[8] = {0};
		if (pread(b, buf, 4, 0) != 4 || memcmp(buf, "data", 4) != 0)
			return 4;
		if (fcntl(b, F_GETFD) != 0)
			return 5;
		return 0;
	}
	it_begin(10);
	char dir[64], path[128];
	if (!it_tmpdir(dir, sizeof dir))
		return 1;
	snprintf(path, sizeof path, "%s/f", dir);
	it_write_file(path, "data and more", 13, 0644);

	int fd = open(path, O_RDWR);
	/* lowest free fd */
	{
		int a = dup(fd), b = dup(fd);
		close(a);
		int c = dup(fd);
		CHECK(a >= 0 && b > a && c == a, "dup returns the lowest free descriptor");
		close(b);
		close(c);
	}
	EXPECT_EQ(dup2(fd, fd), fd, "dup2(fd, fd) returns fd");
	EXPECT_ERRNO(dup2(fd, -1), EBADF, "dup2 to a negative fd: EBADF");
	EXPECT_ERRNO(dup2(9999, 50), EBADF, "dup2 of a bad fd: EBADF");
	EXPECT_ERRNO(dup3(fd, fd, 0), EINVAL, "dup3(fd, fd): EINVAL");
	EXPECT_ERRNO(dup3(fd, 50, 0x4), EINVAL, "dup3 with bad flags: EINVAL");
	{
		int other = open("/dev/null", O_RDONLY);
		int r = dup2(fd, other);
		char b[4] = {0};
		CHECK(r == other && pread(other, b, 4, 0) == 4 && memcmp(b, "data", 4) == 0,
		      "dup2 onto an open fd replaces it silently");
		EXPECT_EQ(dup3(fd, other, O_CLOEXEC), other, "dup3 O_CLOEXEC");
		EXPECT_EQ(fcntl(other, F_GETFD), FD_CLOEXEC, "dup3 set FD_CLOEXEC on the new fd");
		EXPECT_EQ(fcntl(fd, F_GETFD), 0, "and not on the old one");
		EXPECT_EQ(dup2(fd, other), other, "dup2 onto it again");
		EXPECT_EQ(fcntl(other, F_GETFD), 0, "dup2 clears FD_CLOEXEC on the new fd");
		close(other);
	}
	/* fcntl */
	{
		int d = fcntl(fd, F_DUPFD, 100);
		CHECK(d >= 100, "F_DUPFD returns an fd >= the argument");
		EXPECT_EQ(fcntl(fd, F_DUPFD, 100), d + 1, "F_DUPFD picks the lowest free fd >= arg");
		close(d + 1);
		int e = fcntl(fd, F_DUPFD_CLOEXEC, 100);
		CHECK(e == d + 1 && fcntl(e, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC sets FD_CLOEXEC");
		EXPECT_EQ(fcntl(e, F_SETFD, 0), 0, "F_SETFD 0");
		EXPECT_EQ(fcntl(e, F_GETFD), 0, "FD_CLOEXEC cleared");
		close(d);
		close(e);
		EXPECT_ERRNO(fcntl(fd, F_DUPFD, -1), EINVAL, "F_DUPFD with a negative arg: EINVAL");
		EXPECT_ERRNO(fcntl(9999, F_GETFD), EBADF, "F_GETFD on a bad fd: EBADF");
		EXPECT_ERRNO(fcntl(fd, 12345), EINVAL, "unknown fcntl command: EINVAL");

		int fl = fcntl(fd, F_GETFL);
		CHECK((fl & O_ACCMODE) == O_RDWR && !(fl & O_APPEND) && !(fl & O_NONBLOCK), "F_GETFL: O_RDWR");
		EXPECT_EQ(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK | O_RDONLY), 0, "F_SETFL O_APPEND|O_NONBLOCK");
		fl = fcntl(fd, F_GETFL);
		CHECK((fl & O_APPEND) && (fl & O_NONBLOCK) && (fl & O_ACCMODE) == O_RDWR,
		      "F_SETFL changes status flags but not the access mode");
		int dd = dup(fd);
		CHECK(fcntl(dd, F_GETFL) & O_APPEND, "status flags are shared with a dup");
		close(dd);
		fcntl(fd, F_SETFL, 0);
		int ro = open(path, O_RDONLY | O_CLOEXEC);
		fl = fcntl(ro, F_GETFL);
		CHECK((fl & O_ACCMODE) == O_RDONLY && !(fl & O_CLOEXEC), "O_CLOEXEC is not a status flag");
		close(ro);
	}
	/* offsets: shared between dups and across fork, not between opens */
	{
		int d = dup(fd);
		lseek(fd, 5, SEEK_SET);
		EXPECT_EQ(lseek(d, 0, SEEK_CUR), 5, "dup shares the file offset");
		int o = open(path, O_RDONLY);
		EXPECT_EQ(lseek(o, 0, SEEK_CUR), 0, "a separate open has its own offset");
		pid_t c = it_fork();
		if (c == 0) {
			lseek(fd, 9, SEEK_SET);
			fcntl(fd, F_SETFL, O_NONBLOCK);
			_exit(0);
		}
		it_wait(c);
		EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 9, "a fork child moving the offset moves ours");
		CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "and its F_SETFL changes our status flags");
		fcntl(fd, F_SETFL, 0);
		close(d);
		close(o);
	}
	/* close / close_range */
	{
		int d = dup(fd);
		EXPECT_EQ(close(d), 0, "close");
		EXPECT_ERRNO(close(d), EBADF, "double close: EBADF");
		EXPECT_ERRNO(close(-1), EBADF, "close(-1): EBADF");
		int base = 200;
		for (int i = 0; i < 10; i++)
			dup2(fd, base + i);
		EXPECT_EQ(syscall(SYS_close_range, base + 2, base + 5, 0), 0, "close_range 202-205");
		CHECK(is_open(base + 1) && !is_open(base + 2) && !is_open(base + 5) && is_open(base + 6),
		      "close_range closes exactly the range");
		EXPECT_EQ(syscall(SYS_close_range, base + 6, base + 7, CLOSE_RANGE_CLOEXEC), 0, "close_range CLOEXEC");
		CHECK(fcntl(base + 6, F_GETFD) == FD_CLOEXEC && fcntl(base + 7, F_GETFD) == FD_CLOEXEC &&
		          fcntl(base + 8, F_GETFD) == 0,
		      "CLOSE_RANGE_CLOEXEC marks the range close-on-exec");
		EXPECT_ERRNO(syscall(SYS_close_range, 10, 5, 0), EINVAL, "close_range with first > last: EINVAL");
		EXPECT_ERRNO(syscall(SYS_close_range, 5, 10, 0x80), EINVAL, "close_range with bad flags: EINVAL");
		EXPECT_EQ(syscall(SYS_close_range, base, ~0U, 0), 0, "close_range to ~0U");
		CHECK(!is_open(base) && !is_open(base + 9) && is_open(fd), "all fds from 200 up closed");
	}
	/* O_CLOEXEC across exec */
	{
		int a = open(path, O_RDONLY | O_CLOEXEC);
		int b = open(path, O_RDONLY);
		int c = open(path, O_RDONLY);
		fcntl(c, F_SETFD, FD_CLOEXEC);
		char sa[16], sb[16], sc[16];
		snprintf(sa, sizeof sa, "%d", a);
		snprintf(sb, sizeof sb, "%d", b);
		snprintf(sc, sizeof sc, "%d", c);
		pid_t p = it_fork();
		if (p == 0) {
			char *av[] = {(char *)it_self_exe(), "check-fds", sa, sb, sc, NULL};
			char *ev[] = {NULL};
			execve(av[0], av, ev);
			_exit(99);
		}
		int st = it_wait(p);
		CHECKF(st == 0, "exec closes O_CLOEXEC/FD_CLOEXEC fds and keeps the others", "child %s",
		       it_status_str(st));
		close(a);
		close(b);
		close(c);
	}
	/* POSIX record locks between processes */
	{
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 4};
		EXPECT_EQ(fcntl(fd, F_SETLK, &fl), 0, "F_SETLK write lock on bytes 0-3");
		int toc[2], fromc[2];
		if (pipe(toc) < 0 || pipe(fromc) < 0)
			return 1;
		pid_t me = getpid();
		pid_t c = it_fork();
		if (c == 0) {
			int f2 = open(path, O_RDWR);
			struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 2, .l_len = 1};
			if (fcntl(f2, F_GETLK, &q) != 0 || q.l_type != F_WRLCK || q.l_pid != me || q.l_start != 0 ||
			    q.l_len != 4)
				_exit(1);
			q.l_type = F_WRLCK;
			q.l_start = 2;
			q.l_len = 1;
			if (fcntl(f2, F_SETLK, &q) != -1 || (errno != EAGAIN && errno != EACCES))
				_exit(2);
			q.l_start = 10;
			if (fcntl(f2, F_SETLK, &q) != 0)
				_exit(3); /* non-overlapping range is free */
			if (write(fromc[1], "1", 1) != 1)
				_exit(4);
			/* blocking lock: granted once the parent unlocks */
			q.l_start = 0;
			q.l_len = 4;
			if (fcntl(f2, F_SETLKW, &q) != 0)
				_exit(5);
			if (write(fromc[1], "2", 1) != 1)
				_exit(6);
			_exit(0);
		}
		char ch;
		int r1 = read(fromc[0], &ch, 1) == 1 && ch == '1';
		CHECK(r1, "child sees our lock via F_GETLK (l_pid), gets EAGAIN on overlap, locks other bytes");
		usleep(20000);
		fl.l_type = F_UNLCK;
		fcntl(fd, F_SETLK, &fl);
		int r2 = read(fromc[0], &ch, 1) == 1 && ch == '2';
		CHECK(r2, "F_SETLKW in the child is granted after we unlock");
		EXPECT_EXIT(it_wait(c), 0, "lock child exits cleanly");
		close(toc[0]);
		close(toc[1]);
		close(fromc[0]);
		close(fromc[1]);
	}
	/* flock between independent opens */
	{
		int f1 = open(path, O_RDONLY), f2 = open(path, O_RDONLY);
		EXPECT_EQ(flock(f1, LOCK_EX | LOCK_NB), 0, "flock LOCK_EX");
		EXPECT_ERRNO(flock(f2, LOCK_EX | LOCK_NB), EWOULDBLOCK, "second open description: EWOULDBLOCK");
		EXPECT_ERRNO(flock(f2, LOCK_SH | LOCK_NB), EWOULDBLOCK, "shared lock also blocked");
		int d = dup(f1);
		EXPECT_EQ(flock(d, LOCK_EX | LOCK_NB), 0, "a dup of the holder shares the lock");
		EXPECT_EQ(flock(f1, LOCK_UN), 0, "LOCK_UN");
		EXPECT_EQ(flock(f2, LOCK_SH | LOCK_NB), 0, "now a shared lock works");
		EXPECT_EQ(flock(f1, LOCK_SH | LOCK_NB), 0, "two shared locks coexist");
		close(f1);
		close(f2);
		close(d);
	}
	close(fd);
	it_rmtree(dir);
	return it_end();
}
