/* t_exec: execve success and error paths (ENOENT, EACCES, ENOEXEC, E2BIG,
 * ENOTDIR), what survives exec (pid, ignored signals, mask, pending signals,
 * rlimits) and exec from a multi-threaded process killing the other threads,
 * because the Sentry's loader and exec bookkeeping must match Linux exactly. */
#include "itest.h"

#include <pthread.h>

static char dir[64];
static const char *self;

static int run_status(char *path, char **av)
{
	pid_t p = it_fork();
	if (p == 0) {
		char *ev[] = {NULL};
		execve(path, av, ev);
		_exit(100 + (errno & 0x3f));
	}
	return it_wait(p);
}

/* Helper: check state inherited across exec. argv: self "inherit" pid */
static int helper_inherit(char **argv)
{
	struct sigaction sa;
	sigset_t mask, pend;
	if (getpid() != atoi(argv[2]))
		return 1;
	sigaction(SIGUSR1, NULL, &sa);
	if (sa.sa_handler != SIG_DFL)
		return 2; /* caught signals reset to default */
	sigaction(SIGUSR2, NULL, &sa);
	if (sa.sa_handler != SIG_IGN)
		return 3; /* ignored stay ignored */
	sigprocmask(SIG_BLOCK, NULL, &mask);
	if (!sigismember(&mask, SIGINT) || sigismember(&mask, SIGTERM))
		return 4; /* mask preserved */
	sigpending(&pend);
	if (!sigismember(&pend, SIGINT))
		return 5; /* pending preserved */
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur != 77)
		return 6;
	stack_t ss;
	sigaltstack(NULL, &ss);
	if (!(ss.ss_flags & SS_DISABLE))
		return 7; /* alt stack cleared */
	/* discard the pending SIGINT before unblocking */
	signal(SIGINT, SIG_IGN);
	return 0;
}

/* Helper: after exec from a non-main thread of a multi-threaded process. */
static int helper_single(char **argv)
{
	char buf[4096];
	if (getpid() != atoi(argv[2]))
		return 1;
	if (syscall(SYS_gettid) != getpid())
		return 2;
	if (it_read_file("/proc/self/status", buf, sizeof buf) < 0)
		return 3;
	if (!strstr(buf, "\nThreads:\t1\n"))
		return 4;
	return 0;
}

static void dummy_handler(int sig) { (void)sig; }

static volatile int exec_errno;
static char pidarg[32];
static void *exec_thread(void *arg)
{
	(void)arg;
	char *av[] = {(char *)self, "single", pidarg, NULL};
	char *ev[] = {NULL};
	execve(self, av, ev);
	exec_errno = errno;
	_exit(90);
}
static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "inherit") == 0)
		return helper_inherit(argv);
	if (argc >= 3 && strcmp(argv[1], "single") == 0)
		return helper_single(argv);

	it_begin(10);
	self = it_self_exe();
	if (!it_tmpdir(dir, sizeof dir))
		return 1;
	char path[256];

	{
		char *av[] = {"true", NULL};
		EXPECT_EXIT(run_status("/bin/true", av), 0, "exec /bin/true exits 0");
		char *av2[] = {"sh", "-c", "exit 33", NULL};
		EXPECT_EXIT(run_status("/bin/sh", av2), 33, "exec /bin/sh -c 'exit 33'");
	}
	{
		char *av[] = {"x", NULL};
		char *ev[] = {NULL};
		EXPECT_ERRNO(execve("/nonexistent/itest", av, ev), ENOENT, "exec missing path: ENOENT");
		EXPECT_ERRNO(execve("/etc/passwd/x", av, ev), ENOTDIR, "exec through a file: ENOTDIR");
		EXPECT_ERRNO(execve("/tmp", av, ev), EACCES, "exec a directory: EACCES");
		EXPECT_ERRNO(execve("", av, ev), ENOENT, "exec empty path: ENOENT");

		snprintf(path, sizeof path, "%s/noexec", dir);
		it_write_file(path, "#!/bin/sh\nexit 0\n", 17, 0644);
		EXPECT_ERRNO(execve(path, av, ev), EACCES, "exec a file without x bits: EACCES");

		snprintf(path, sizeof path, "%s/garbage", dir);
		it_write_file(path, "this is not a program\n", 22, 0755);
		EXPECT_ERRNO(execve(path, av, ev), ENOEXEC, "exec a text file without #!: ENOEXEC");

		snprintf(path, sizeof path, "%s/empty", dir);
		it_write_file(path, "", 0, 0755);
		EXPECT_ERRNO(execve(path, av, ev), ENOEXEC, "exec an empty file: ENOEXEC");

		/* ELF magic but class/type nonsense: truncated header. */
		static const char badelf[] = "\177ELF\002\001\001\000\000\000\000\000\000\000\000\000"
		                             "\377\377\076\000";
		snprintf(path, sizeof path, "%s/badelf", dir);
		it_write_file(path, badelf, sizeof badelf - 1, 0755);
		EXPECT_ERRNO(execve(path, av, ev), ENOEXEC, "exec a bad ELF header: ENOEXEC");

		/* Valid-looking ELF for a foreign machine (aarch64 = 183). */
		unsigned char foreign[64];
		memset(foreign, 0, sizeof foreign);
		memcpy(foreign, "\177ELF\002\001\001", 7);
		foreign[16] = 2;   /* ET_EXEC */
		foreign[18] = 183; /* EM_AARCH64 */
		foreign[20] = 1;   /* EV_CURRENT */
		foreign[52] = 64;  /* e_ehsize */
		foreign[54] = 56;  /* e_phentsize */
		snprintf(path, sizeof path, "%s/foreign", dir);
		it_write_file(path, foreign, sizeof foreign, 0755);
		EXPECT_ERRNO(execve(path, av, ev), ENOEXEC, "exec an ELF for another machine: ENOEXEC");

		/* Symlink to an executable works. */
		snprintf(path, sizeof path, "%s/truelink", dir);
		symlink("/bin/true", path);
		char *avt[] = {"true", NULL};
		EXPECT_EXIT(run_status(path, avt), 0, "exec through a symlink to /bin/true");
	}

	/* E2BIG. */
	{
		size_t big = 200 * 1024; /* > MAX_ARG_STRLEN (128 KiB) */
		char *s = malloc(big + 1);
		memset(s, 'a', big);
		s[big] = 0;
		char *av[] = {"true", s, NULL};
		char *ev[] = {NULL};
		EXPECT_ERRNO(execve("/bin/true", av, ev), E2BIG, "exec with one 200 KiB argument: E2BIG");
		s[100 * 1024] = 0;
		int n = 320; /* 320 * 100 KiB = 32 MiB total */
		char **many = calloc(n + 2, sizeof(char *));
		many[0] = "true";
		for (int i = 1; i <= n; i++)
			many[i] = s;
		EXPECT_ERRNO(execve("/bin/true", many, ev), E2BIG, "exec with 32 MiB of arguments: E2BIG");
		EXPECT_ERRNO(execve("/bin/true", av, many), E2BIG, "exec with 32 MiB of environment: E2BIG");
		/* But a moderately large argument list works. */
		s[1000] = 0;
		for (int i = 1; i <= 100; i++)
			many[i] = s;
		many[101] = NULL;
		EXPECT_EXIT(run_status("/bin/true", many), 0, "exec with 100 KB of arguments works");
		free(many);
		free(s);
	}

	/* State across exec. */
	{
		pid_t p = it_fork();
		if (p == 0) {
			struct sigaction sa;
			memset(&sa, 0, sizeof sa);
			sa.sa_handler = dummy_handler;
			sigaction(SIGUSR1, &sa, NULL);
			signal(SIGUSR2, SIG_IGN);
			sigset_t m;
			sigemptyset(&m);
			sigaddset(&m, SIGINT);
			sigprocmask(SIG_BLOCK, &m, NULL);
			raise(SIGINT);
			struct rlimit rl;
			getrlimit(RLIMIT_NOFILE, &rl);
			rl.rlim_cur = 77;
			setrlimit(RLIMIT_NOFILE, &rl);
			static char altstack[65536];
			stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
			sigaltstack(&ss, NULL);
			char pidbuf[32];
			snprintf(pidbuf, sizeof pidbuf, "%d", getpid());
			char *av[] = {(char *)self, "inherit", pidbuf, NULL};
			char *ev[] = {NULL};
			execve(self, av, ev);
			_exit(99);
		}
		int st = it_wait(p);
		CHECKF(st == 0, "exec keeps pid, ignored signals, mask, pending, rlimits; resets handlers",
		       "helper %s", it_status_str(st));
	}

	/* exec from a non-main thread of a multi-threaded process. */
	{
		pid_t p = it_fork();
		if (p == 0) {
			pthread_t t[3];
			snprintf(pidarg, sizeof pidarg, "%d", getpid());
			pthread_create(&t[0], NULL, sleeper, NULL);
			pthread_create(&t[1], NULL, sleeper, NULL);
			pthread_create(&t[2], NULL, exec_thread, NULL);
			for (;;)
				pause();
		}
		int st = it_wait(p);
		CHECKF(st == 0, "exec from a secondary thread kills other threads; pid == tid == old pid",
		       "helper %s", it_status_str(st));
	}

	/* fexecve (execveat with AT_EMPTY_PATH). */
	{
		pid_t p = it_fork();
		if (p == 0) {
			int fd = open("/bin/true", O_RDONLY);
			char *av[] = {"true", NULL};
			char *ev[] = {NULL};
			fexecve(fd, av, ev);
			_exit(99);
		}
		EXPECT_EXIT(it_wait(p), 0, "fexecve of /bin/true");
	}
	/* execveat relative to a directory fd. */
	{
		pid_t p = it_fork();
		if (p == 0) {
			int dfd = open("/bin", O_RDONLY | O_DIRECTORY);
			char *av[] = {"true", NULL};
			char *ev[] = {NULL};
			syscall(SYS_execveat, dfd, "true", av, ev, 0);
			_exit(99);
		}
		EXPECT_EXIT(it_wait(p), 0, "execveat(dirfd, \"true\")");
	}

	/* A failed exec leaves the process intact and able to continue. */
	{
		char *av[] = {"x", NULL};
		char *ev[] = {NULL};
		int before = getpid();
		execve("/nonexistent", av, ev);
		CHECK(getpid() == before, "process continues after failed exec");
	}

	it_rmtree(dir);
	return it_end();
}
