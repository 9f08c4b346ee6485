/* itest.h: tiny check helpers shared by the cvisor integration tests.
 *
 * Every test prints only deterministic lines ("ok: <what>" or
 * "FAIL: <what>: <detail>") and exits 0 iff all checks passed.  Failure
 * details may contain errno values (they only show up when something is
 * already wrong).  Header-only so that each test still builds with a single
 *   gcc -Wall -Wextra -O2 -pthread -o t_x t_x.c
 */
#ifndef ITEST_H
#define ITEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int it_failures;

__attribute__((unused)) static void it_ok(const char *what) { printf("ok: %s\n", what); }

__attribute__((unused, format(printf, 2, 3))) static void it_fail(const char *what, const char *fmt,
                                                                  ...)
{
	va_list ap;
	it_failures++;
	printf("FAIL: %s: ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* CHECK(cond, what): cond true -> ok line, else FAIL with errno. */
#define CHECK(cond, what)                                                                          \
	do {                                                                                       \
		int it_e_ = errno;                                                                 \
		if (cond)                                                                          \
			it_ok(what);                                                               \
		else                                                                               \
			it_fail(what, "condition `%s` false (errno %d %s)", #cond, it_e_,         \
			        strerror(it_e_));                                                  \
	} while (0)

/* CHECKF(cond, what, fmt, ...): like CHECK with a custom failure detail. */
#define CHECKF(cond, what, ...)                                                                    \
	do {                                                                                       \
		if (cond)                                                                          \
			it_ok(what);                                                               \
		else                                                                               \
			it_fail(what, __VA_ARGS__);                                                \
	} while (0)

/* EXPECT_EQ(a, b, what): integer equality. */
#define EXPECT_EQ(a, b, what)                                                                      \
	do {                                                                                       \
		long long it_a_ = (long long)(a), it_b_ = (long long)(b);                          \
		if (it_a_ == it_b_)                                                                \
			it_ok(what);                                                               \
		else                                                                               \
			it_fail(what, "%s = %lld, expected %lld", #a, it_a_, it_b_);               \
	} while (0)

/* EXPECT_ERRNO(expr, err, what): expr must return -1 with errno == err. */
#define EXPECT_ERRNO(expr, err, what)                                                              \
	do {                                                                                       \
		errno = 0;                                                                         \
		long long it_r_ = (long long)(expr);                                               \
		int it_e_ = errno;                                                                 \
		if (it_r_ == -1 && it_e_ == (err))                                                 \
			it_ok(what);                                                               \
		else                                                                               \
			it_fail(what, "returned %lld errno %d (%s), expected -1 errno %d (%s)",    \
			        it_r_, it_e_, strerror(it_e_), (int)(err), strerror(err));         \
	} while (0)

/* EXPECT_OK(expr, what): expr must not return -1. */
#define EXPECT_OK(expr, what)                                                                      \
	do {                                                                                       \
		errno = 0;                                                                         \
		long long it_r_ = (long long)(expr);                                               \
		int it_e_ = errno;                                                                 \
		if (it_r_ != -1)                                                                   \
			it_ok(what);                                                               \
		else                                                                               \
			it_fail(what, "failed errno %d (%s)", it_e_, strerror(it_e_));             \
	} while (0)

/* Watchdog: SIGALRM prints a FAIL line and then dies of SIGALRM.  A handler
 * (rather than the default action) is used so that the watchdog also works
 * when the test runs as pid 1 of a pid namespace, where signals with the
 * default action are ignored; there it falls back to exit status 142. */
__attribute__((unused)) static void it_watchdog(int sig)
{
	static const char msg[] = "\nFAIL: watchdog: test did not finish in time\n";
	sigset_t s;
	if (write(1, msg, sizeof msg - 1) < 0) {
		/* nothing more we can do */
	}
	signal(sig, SIG_DFL);
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	raise(sig);
	_exit(128 + sig);
}

/* (Re-)arm the watchdog: install the handler and alarm(seconds). */
__attribute__((unused)) static void it_arm_watchdog(unsigned seconds)
{
	signal(SIGALRM, it_watchdog);
	alarm(seconds);
}

/* Line-buffered stdout (so fork never duplicates pending output) and a
 * watchdog so that a broken kernel gives a SIGALRM death, not a hang. */
__attribute__((unused)) static void it_begin(unsigned watchdog_seconds)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	it_arm_watchdog(watchdog_seconds);
}

__attribute__((unused)) static int it_end(void)
{
	if (it_failures)
		printf("FAIL: %d check(s) failed\n", it_failures);
	fflush(stdout);
	return it_failures ? 1 : 0;
}

/* fork() after flushing stdio buffers. */
__attribute__((unused)) static pid_t it_fork(void)
{
	fflush(stdout);
	fflush(stderr);
	return fork();
}

/* Wait for a specific child, retrying on EINTR; returns status or -1. */
__attribute__((unused)) static int it_wait(pid_t pid)
{
	int st;
	pid_t r;
	do
		r = waitpid(pid, &st, 0);
	while (r == -1 && errno == EINTR);
	return r == pid ? st : -1;
}

/* Describe a wait status for failure messages. */
__attribute__((unused)) static const char *it_status_str(int st)
{
	static char buf[64];
	if (st == -1)
		snprintf(buf, sizeof buf, "wait failed");
	else if (WIFEXITED(st))
		snprintf(buf, sizeof buf, "exited %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof buf, "killed by signal %d", WTERMSIG(st));
	else
		snprintf(buf, sizeof buf, "status 0x%x", st);
	return buf;
}

/* EXPECT_EXIT(st, code, what) / EXPECT_SIGNALED(st, sig, what); st evaluated once. */
#define EXPECT_EXIT(st, code, what)                                                                \
	do {                                                                                       \
		int it_st_ = (st);                                                                 \
		CHECKF(it_st_ != -1 && WIFEXITED(it_st_) && WEXITSTATUS(it_st_) == (code), what,   \
		       "child %s, expected exit %d", it_status_str(it_st_), (int)(code));          \
	} while (0)
#define EXPECT_SIGNALED(st, sig, what)                                                             \
	do {                                                                                       \
		int it_st_ = (st);                                                                 \
		CHECKF(it_st_ != -1 && WIFSIGNALED(it_st_) && WTERMSIG(it_st_) == (sig), what,     \
		       "child %s, expected signal %d", it_status_str(it_st_), (int)(sig));         \
	} while (0)

/* Path of the running executable (for re-exec helper modes). */
__attribute__((unused)) static const char *it_self_exe(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
	if (n <= 0)
		return "/proc/self/exe";
	path[n] = 0;
	return path;
}

/* Monotonic time in nanoseconds. */
__attribute__((unused)) static long long it_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Create a scratch directory under /tmp; path stored in buf. */
__attribute__((unused)) static char *it_tmpdir(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/itest.XXXXXX");
	if (!mkdtemp(buf)) {
		it_fail("mkdtemp", "errno %d", errno);
		return NULL;
	}
	return buf;
}

/* Remove a scratch directory tree created by it_tmpdir. */
__attribute__((unused)) static int it_rm_cb(const char *path, const struct stat *sb, int flag,
                                            struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

__attribute__((unused)) static void it_rmtree(const char *dir)
{
	if (strncmp(dir, "/tmp/itest.", 11) != 0)
		return;
	nftw(dir, it_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write a whole buffer to a new file with the given mode. */
__attribute__((unused)) static int it_write_file(const char *path, const void *data, size_t len,
                                                 mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	if (fchmod(fd, mode) < 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Read up to len-1 bytes of a file into buf, NUL-terminate; returns bytes or -1. */
__attribute__((unused)) static ssize_t it_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t off = 0;
	if (fd < 0)
		return -1;
	while (off + 1 < len) {
		ssize_t n = read(fd, buf + off, len - 1 - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		off += n;
	}
	buf[off] = 0;
	close(fd);
	return off;
}

/* Read until EOF from fd into buf (NUL-terminated). */
__attribute__((unused)) static ssize_t it_read_all(int fd, char *buf, size_t len)
{
	size_t off = 0;
	while (off + 1 < len) {
		ssize_t n = read(fd, buf + off, len - 1 - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		off += n;
	}
	buf[off] = 0;
	return off;
}

/* Disable core dumps (so default-core signals do not write files). */
__attribute__((unused)) static void it_no_core(void)
{
	struct rlimit rl = {0, 0};
	setrlimit(RLIMIT_CORE, &rl);
}

#endif
