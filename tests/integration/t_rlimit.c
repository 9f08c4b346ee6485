/* t_rlimit: resource limits (getrlimit/setrlimit/prlimit64 agreement,
 * RLIMIT_NOFILE enforcement by open/dup/fcntl/dup2, RLIMIT_FSIZE with SIGXFSZ,
 * RLIMIT_AS, privilege rules for raising hard limits, inheritance across fork
 * and exec) because the Sentry enforces these limits itself. */
#include "itest.h"

#include <linux/capability.h>
#include <sys/mman.h>

static int have_cap(int cap)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof d);
	if (syscall(SYS_capget, &h, d) != 0)
		return 0;
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

static int prlimit64_raw(pid_t pid, int res, const struct rlimit *n, struct rlimit *o)
{
	return (int)syscall(SYS_prlimit64, pid, res, n, o);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "nofile") == 0) {
		struct rlimit rl;
		getrlimit(RLIMIT_NOFILE, &rl);
		return rl.rlim_cur == (rlim_t)atol(argv[2]) ? 0 : 1;
	}
	it_begin(10);
	{
		/* The limits and umask the test was started with: a sandboxed
		 * command gets its caller's, as any command does. */
		static const int res[] = { RLIMIT_NOFILE, RLIMIT_STACK,
					   RLIMIT_CORE, RLIMIT_NPROC,
					   RLIMIT_MEMLOCK };
		for (size_t i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
			struct rlimit rl;
			getrlimit(res[i], &rl);
			printf("inherited limit %d: %llu %llu\n", res[i],
			       (unsigned long long)rl.rlim_cur,
			       (unsigned long long)rl.rlim_max);
		}
		mode_t m = umask(022);
		umask(m);
		printf("inherited umask: %04o\n", (unsigned)m);
	}
	char dir[64];
	if (!it_tmpdir(dir, sizeof dir))
		return 1;

	struct rlimit rl, rl2;
	EXPECT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0, "getrlimit(RLIMIT_NOFILE)");
	CHECK(rl.rlim_cur <= rl.rlim_max && rl.rlim_cur >= 20, "NOFILE soft <= hard and plausible");
	EXPECT_EQ(prlimit64_raw(0, RLIMIT_NOFILE, NULL, &rl2), 0, "prlimit64(0, NOFILE) query");
	CHECK(rl.rlim_cur == rl2.rlim_cur && rl.rlim_max == rl2.rlim_max, "prlimit64 agrees with getrlimit");
	EXPECT_EQ(prlimit64_raw(getpid(), RLIMIT_NOFILE, NULL, &rl2), 0, "prlimit64(getpid()) query");
	CHECK(rl.rlim_cur == rl2.rlim_cur, "prlimit64 by own pid agrees");
	{
		struct rlimit st;
		getrlimit(RLIMIT_STACK, &st);
		CHECK(st.rlim_cur == RLIM_INFINITY || (st.rlim_cur >= 128 * 1024 && st.rlim_cur <= st.rlim_max),
		      "RLIMIT_STACK reported and plausible");
		struct rlimit as;
		getrlimit(RLIMIT_AS, &as);
		CHECK(as.rlim_cur <= as.rlim_max, "RLIMIT_AS soft <= hard");
	}
	EXPECT_ERRNO(getrlimit(1000, &rl2), EINVAL, "getrlimit of a bad resource: EINVAL");
	rl2.rlim_cur = 10;
	rl2.rlim_max = 5;
	EXPECT_ERRNO(setrlimit(RLIMIT_NOFILE, &rl2), EINVAL, "setrlimit soft > hard: EINVAL");
	EXPECT_ERRNO(prlimit64_raw(999999, RLIMIT_NOFILE, NULL, &rl2), ESRCH, "prlimit64 of a missing pid: ESRCH");

	/* NOFILE enforcement, in a child so the parent's table is untouched. */
	{
		pid_t c = it_fork();
		if (c == 0) {
			struct rlimit l;
			getrlimit(RLIMIT_NOFILE, &l);
			l.rlim_cur = 10;
			if (setrlimit(RLIMIT_NOFILE, &l) != 0)
				_exit(1);
			int last = -1, fd;
			while ((fd = open("/dev/null", O_RDONLY)) >= 0)
				last = fd;
			if (errno != EMFILE)
				_exit(2);
			if (last != 9)
				_exit(3);
			for (int i = 0; i < 10; i++)
				if (fcntl(i, F_GETFD) < 0)
					_exit(4); /* every slot below the limit is in use */
			if (dup(0) != -1 || errno != EMFILE)
				_exit(5);
			if (pipe((int[2]){0, 0}) != -1 || errno != EMFILE)
				_exit(6);
			close(5);
			if (dup(0) != 5)
				_exit(7); /* lowest free slot */
			if (fcntl(0, F_DUPFD, 10) != -1 || errno != EINVAL)
				_exit(8);
			if (dup2(0, 10) != -1 || errno != EBADF)
				_exit(9);
			if (dup2(0, 9) != 9)
				_exit(10); /* below the limit: fine */
			/* raising the soft limit again works up to the hard limit */
			l.rlim_cur = 20;
			if (setrlimit(RLIMIT_NOFILE, &l) != 0 || fcntl(0, F_DUPFD, 15) != 15)
				_exit(11);
			/* lowering below open fds is allowed; existing fds stay valid */
			l.rlim_cur = 3;
			if (setrlimit(RLIMIT_NOFILE, &l) != 0 || fcntl(15, F_GETFD) < 0)
				_exit(12);
			if (open("/dev/null", O_RDONLY) != -1 || errno != EMFILE)
				_exit(13);
			_exit(0);
		}
		int st = it_wait(c);
		CHECKF(st == 0, "RLIMIT_NOFILE=10: fds 0-9 usable, then EMFILE/EINVAL/EBADF at the limit",
		       "child %s", it_status_str(st));
	}

	/* Hard limit: lowering is always allowed; raising needs CAP_SYS_RESOURCE. */
	{
		int priv = have_cap(CAP_SYS_RESOURCE);
		pid_t c = it_fork();
		if (c == 0) {
			struct rlimit l;
			getrlimit(RLIMIT_NOFILE, &l);
			rlim_t orig = l.rlim_max;
			l.rlim_max = 64;
			l.rlim_cur = 64;
			if (setrlimit(RLIMIT_NOFILE, &l) != 0)
				_exit(1);
			l.rlim_max = orig > 128 ? 128 : orig;
			int r = setrlimit(RLIMIT_NOFILE, &l);
			if (priv)
				_exit(r == 0 ? 0 : 2);
			_exit(r == -1 && errno == EPERM ? 0 : 3);
		}
		int st = it_wait(c);
		CHECKF(st == 0, "raising a lowered hard limit: allowed iff CAP_SYS_RESOURCE, else EPERM",
		       "child %s", it_status_str(st));
	}

	/* prlimit64 on a child: set from the parent, observed by the child. */
	{
		int toc[2], fromc[2];
		if (pipe(toc) < 0 || pipe(fromc) < 0)
			return 1;
		pid_t c = it_fork();
		if (c == 0) {
			char ch;
			if (read(toc[0], &ch, 1) != 1)
				_exit(1);
			struct rlimit l;
			getrlimit(RLIMIT_NOFILE, &l);
			_exit(l.rlim_cur == 33 ? 0 : 2);
		}
		struct rlimit n, o;
		getrlimit(RLIMIT_NOFILE, &n);
		n.rlim_cur = 33;
		int r = prlimit64_raw(c, RLIMIT_NOFILE, &n, &o);
		struct rlimit q;
		prlimit64_raw(c, RLIMIT_NOFILE, NULL, &q);
		CHECK(r == 0 && o.rlim_cur == rl.rlim_cur && q.rlim_cur == 33,
		      "prlimit64 sets another process's limit and returns the old one");
		if (write(toc[1], "g", 1) != 1)
			it_fail("write", "errno %d", errno);
		EXPECT_EXIT(it_wait(c), 0, "child sees the limit set by prlimit64");
		close(toc[0]);
		close(toc[1]);
		close(fromc[0]);
		close(fromc[1]);
	}

	/* Inheritance across fork and exec. */
	{
		pid_t c = it_fork();
		if (c == 0) {
			struct rlimit l;
			getrlimit(RLIMIT_NOFILE, &l);
			l.rlim_cur = 100;
			setrlimit(RLIMIT_NOFILE, &l);
			pid_t g = fork();
			if (g == 0) {
				char *av[] = {(char *)it_self_exe(), "nofile", "100", NULL};
				char *ev[] = {NULL};
				execve(av[0], av, ev);
				_exit(5);
			}
			int st;
			waitpid(g, &st, 0);
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 6);
		}
		EXPECT_EXIT(it_wait(c), 0, "limits inherited across fork and exec");
	}

	/* RLIMIT_FSIZE. */
	{
		char path[128];
		snprintf(path, sizeof path, "%s/f", dir);
		pid_t c = it_fork();
		if (c == 0) {
			signal(SIGXFSZ, SIG_IGN);
			struct rlimit l = {1000, RLIM_INFINITY};
			getrlimit(RLIMIT_FSIZE, &l);
			l.rlim_cur = 1000;
			if (setrlimit(RLIMIT_FSIZE, &l) != 0)
				_exit(1);
			int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			char buf[2000];
			memset(buf, 'f', sizeof buf);
			if (write(fd, buf, sizeof buf) != 1000)
				_exit(2); /* partial up to the limit */
			if (write(fd, buf, 1) != -1 || errno != EFBIG)
				_exit(3);
			if (pwrite(fd, buf, 10, 5000) != -1 || errno != EFBIG)
				_exit(4);
			if (ftruncate(fd, 5000) != -1 || errno != EFBIG)
				_exit(5);
			_exit(0);
		}
		EXPECT_EXIT(it_wait(c), 0, "RLIMIT_FSIZE: partial write then EFBIG (SIGXFSZ ignored)");
		struct stat sb;
		CHECK(stat(path, &sb) == 0 && sb.st_size == 1000, "file stopped at the 1000-byte limit");
		c = it_fork();
		if (c == 0) {
			it_no_core();
			struct rlimit l;
			getrlimit(RLIMIT_FSIZE, &l);
			l.rlim_cur = 10;
			setrlimit(RLIMIT_FSIZE, &l);
			int fd = open(path, O_WRONLY | O_TRUNC);
			if (write(fd, "0123456789abc", 13) != 10)
				_exit(2);
			if (write(fd, "x", 1) < 0)
				_exit(3);
			_exit(4);
		}
		EXPECT_SIGNALED(it_wait(c), SIGXFSZ, "exceeding RLIMIT_FSIZE with default SIGXFSZ kills");
	}

	/* RLIMIT_AS. */
	{
		pid_t c = it_fork();
		if (c == 0) {
			struct rlimit l;
			getrlimit(RLIMIT_AS, &l);
			l.rlim_cur = 512UL << 20;
			if (setrlimit(RLIMIT_AS, &l) != 0)
				_exit(1);
			void *p = mmap(NULL, 1UL << 30, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p != MAP_FAILED || errno != ENOMEM)
				_exit(2);
			p = mmap(NULL, 1 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				_exit(3);
			_exit(0);
		}
		EXPECT_EXIT(it_wait(c), 0, "RLIMIT_AS 512 MiB: 1 GiB mmap fails with ENOMEM, 1 MiB works");
	}
	it_rmtree(dir);
	return it_end();
}
