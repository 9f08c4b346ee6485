/* t_mqueue: POSIX message queues: names and open flags, attributes and
 * their limits, priority order, EMSGSIZE/EAGAIN/ETIMEDOUT/EBADF/EFAULT,
 * blocking senders and receivers and their interruption, poll and epoll
 * readiness, mq_notify with signals, what reading the descriptor gives,
 * and unlink while open. Every queue it makes is unlinked: natively they
 * outlive the process. */
#include "itest.h"

#include <mqueue.h>
#include <poll.h>
#include <sys/epoll.h>

static void *const BADPTR = (void *)8;
static char qname[64];

static const char *name_of(int n)
{
	snprintf(qname, sizeof qname, "/itest_mq_%d_%d", (int)getpid(), n);
	return qname;
}

static void on_usr1(int sig) { (void)sig; }

static long raw_open(const char *name, int oflag, int mode, void *attr)
{
	return syscall(SYS_mq_open, name, oflag, mode, attr);
}

static struct timespec past(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec -= 1;
	return ts;
}

static struct timespec soon(long ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += ms * 1000000;
	ts.tv_sec += ts.tv_nsec / 1000000000;
	ts.tv_nsec %= 1000000000;
	return ts;
}

static void test_open(void)
{
	struct mq_attr a = { 0 }, got;
	char longname[300];
	mqd_t q;

	EXPECT_ERRNO(mq_open(name_of(1), O_RDWR), ENOENT, "open missing: ENOENT");
	q = mq_open(name_of(1), O_CREAT | O_RDWR, 0600, NULL);
	CHECK(q != (mqd_t)-1, "create with default attributes");
	EXPECT_EQ(fcntl(q, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC, "descriptor is close-on-exec");
	EXPECT_OK(mq_getattr(q, &got), "mq_getattr");
	EXPECT_EQ(got.mq_maxmsg, 10, "default mq_maxmsg 10");
	EXPECT_EQ(got.mq_msgsize, 8192, "default mq_msgsize 8192");
	EXPECT_EQ(got.mq_curmsgs, 0, "new queue empty");
	EXPECT_EQ(got.mq_flags, 0, "mq_flags 0");
	EXPECT_ERRNO(mq_open(name_of(1), O_CREAT | O_EXCL | O_RDWR, 0600, NULL), EEXIST,
	             "O_CREAT|O_EXCL on existing: EEXIST");
	EXPECT_ERRNO(raw_open(name_of(1) + 1, O_RDWR | O_WRONLY | O_RDONLY | 3, 0, NULL), EINVAL,
	             "O_ACCMODE 3 on existing: EINVAL");
	mqd_t q2 = mq_open(name_of(1), O_RDONLY | O_NONBLOCK);
	CHECK(q2 != (mqd_t)-1, "open existing O_RDONLY|O_NONBLOCK");
	EXPECT_OK(mq_getattr(q2, &got), "mq_getattr nonblocking");
	EXPECT_EQ(got.mq_flags, O_NONBLOCK, "mq_flags O_NONBLOCK");
	close(q2);
	struct stat st;
	mode_t old = umask(022);
	mqd_t q3 = mq_open(name_of(2), O_CREAT | O_RDWR, 0777, NULL);
	umask(old);
	CHECK(q3 != (mqd_t)-1 && fstat(q3, &st) == 0 && st.st_mode == (S_IFREG | 0755),
	      "mode after umask, a regular file");
	close(q3);
	EXPECT_OK(mq_unlink(name_of(2)), "unlink second");
	close(q);

	/* Names at the syscall level: glibc strips the leading slash. */
	EXPECT_ERRNO(raw_open("", O_CREAT | O_RDWR, 0600, NULL), ENOENT, "empty name: ENOENT");
	EXPECT_ERRNO(syscall(SYS_mq_unlink, ""), ENOENT, "unlink empty name: ENOENT");
	EXPECT_ERRNO(raw_open("a/b", O_CREAT | O_RDWR, 0600, NULL), EACCES, "name with /: EACCES");
	EXPECT_ERRNO(raw_open("/abc", O_CREAT | O_RDWR, 0600, NULL), EACCES,
	             "leading / at the syscall: EACCES");
	EXPECT_ERRNO(raw_open(".", O_CREAT | O_RDWR, 0600, NULL), EACCES, "name .: EACCES");
	EXPECT_ERRNO(raw_open("..", O_CREAT | O_RDWR, 0600, NULL), EACCES, "name ..: EACCES");
	memset(longname, 'm', sizeof longname);
	longname[256] = 0;
	EXPECT_ERRNO(raw_open(longname, O_CREAT | O_RDWR, 0600, NULL), ENAMETOOLONG,
	             "256-byte name: ENAMETOOLONG");
	EXPECT_ERRNO(raw_open(BADPTR, O_CREAT | O_RDWR, 0600, NULL), EFAULT, "bad name: EFAULT");
	EXPECT_ERRNO(raw_open(name_of(3) + 1, O_CREAT | O_RDWR, 0600, BADPTR), EFAULT,
	             "bad attr: EFAULT");
	EXPECT_ERRNO(raw_open(name_of(1) + 1, O_RDWR, 0600, BADPTR), EFAULT,
	             "bad attr without O_CREAT: EFAULT");
	a.mq_maxmsg = 0;
	a.mq_msgsize = 16;
	EXPECT_ERRNO(mq_open(name_of(3), O_CREAT | O_RDWR, 0600, &a), EINVAL, "mq_maxmsg 0: EINVAL");
	a.mq_maxmsg = 4;
	a.mq_msgsize = 0;
	EXPECT_ERRNO(mq_open(name_of(3), O_CREAT | O_RDWR, 0600, &a), EINVAL,
	             "mq_msgsize 0: EINVAL");
	a.mq_msgsize = -1;
	EXPECT_ERRNO(mq_open(name_of(3), O_CREAT | O_RDWR, 0600, &a), EINVAL,
	             "negative mq_msgsize: EINVAL");
	a.mq_maxmsg = 65537;
	a.mq_msgsize = 16;
	EXPECT_ERRNO(mq_open(name_of(3), O_CREAT | O_RDWR, 0600, &a), EINVAL,
	             "mq_maxmsg past the hard limit: EINVAL");
	a.mq_maxmsg = 4;
	a.mq_msgsize = 16 * 1024 * 1024 + 1;
	EXPECT_ERRNO(mq_open(name_of(3), O_CREAT | O_RDWR, 0600, &a), EINVAL,
	             "mq_msgsize past the hard limit: EINVAL");
	EXPECT_ERRNO(mq_open(name_of(3), O_RDWR), ENOENT, "failed creates left nothing");
	longname[255] = 0;
	longname[0] = 'q';
	long fd = raw_open(longname, O_CREAT | O_EXCL | O_RDWR, 0600, NULL);
	CHECK(fd >= 0, "255-byte name");
	if (fd >= 0) {
		close((int)fd);
		EXPECT_OK(syscall(SYS_mq_unlink, longname), "unlink 255-byte name");
	}
	EXPECT_ERRNO(syscall(SYS_mq_unlink, "a/b"), EACCES, "unlink name with /: EACCES");
	EXPECT_ERRNO(syscall(SYS_mq_unlink, BADPTR), EFAULT, "unlink bad name: EFAULT");
}

static void test_send_receive(void)
{
	struct mq_attr a = { .mq_maxmsg = 4, .mq_msgsize = 16 }, got;
	char buf[64];
	unsigned prio;
	int i;
	mqd_t q = mq_open(name_of(1), O_RDWR);
	mqd_t s = mq_open(name_of(4), O_CREAT | O_EXCL | O_RDWR, 0600, &a);

	CHECK(q != (mqd_t)-1 && s != (mqd_t)-1, "open for send and receive");
	EXPECT_OK(mq_getattr(s, &got), "getattr of small queue");
	EXPECT_EQ(got.mq_maxmsg * 100 + got.mq_msgsize, 416, "attributes as asked");
	EXPECT_OK(mq_send(s, "low", 3, 1), "send prio 1");
	EXPECT_OK(mq_send(s, "high", 4, 7), "send prio 7");
	EXPECT_OK(mq_send(s, "low2", 4, 1), "send second prio 1");
	EXPECT_OK(mq_send(s, "", 0, 0), "send empty prio 0");
	EXPECT_OK(mq_getattr(s, &got), "getattr full");
	EXPECT_EQ(got.mq_curmsgs, 4, "mq_curmsgs 4");
	struct timespec ts = past();
	EXPECT_ERRNO(mq_timedsend(s, "x", 1, 0, &ts), ETIMEDOUT, "full, past timeout: ETIMEDOUT");
	ts = soon(50);
	EXPECT_ERRNO(mq_timedsend(s, "x", 1, 0, &ts), ETIMEDOUT, "full, 50 ms: ETIMEDOUT");
	ts.tv_nsec = 1000000000;
	EXPECT_ERRNO(mq_timedsend(s, "x", 1, 0, &ts), EINVAL, "bad timespec: EINVAL");
	EXPECT_ERRNO(syscall(SYS_mq_timedsend, s, "x", 1, 0, BADPTR), EFAULT,
	             "bad timeout pointer: EFAULT");
	struct mq_attr nb = { .mq_flags = O_NONBLOCK }, old;
	EXPECT_OK(mq_setattr(s, &nb, &old), "set O_NONBLOCK");
	EXPECT_EQ(old.mq_flags, 0, "old flags 0");
	EXPECT_ERRNO(mq_send(s, "x", 1, 0), EAGAIN, "full nonblocking: EAGAIN");
	nb.mq_flags = 0;
	EXPECT_OK(mq_setattr(s, &nb, &old), "clear O_NONBLOCK");
	EXPECT_EQ(old.mq_flags, O_NONBLOCK, "old flags O_NONBLOCK");
	EXPECT_EQ(old.mq_curmsgs, 4, "old curmsgs 4");
	nb.mq_flags = O_NONBLOCK | O_APPEND;
	EXPECT_ERRNO(mq_setattr(s, &nb, &old), EINVAL, "other flags: EINVAL");
	EXPECT_ERRNO(syscall(SYS_mq_getsetattr, s, BADPTR, NULL), EFAULT, "bad newattr: EFAULT");
	EXPECT_ERRNO(syscall(SYS_mq_getsetattr, s, NULL, BADPTR), EFAULT, "bad oldattr: EFAULT");
	EXPECT_OK(syscall(SYS_mq_getsetattr, s, NULL, NULL), "getsetattr with neither");

	int n = read(s, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	EXPECT_EQ(strcmp(buf, "QSIZE:11         NOTIFY:0     SIGNO:0     NOTIFY_PID:0     \n"), 0,
	          "read gives QSIZE");
	EXPECT_EQ(read(s, buf, sizeof buf), 0, "second read at end");
	EXPECT_EQ(lseek(s, 0, SEEK_SET), 0, "lseek back");
	EXPECT_EQ(read(s, buf, 6), 6, "short read");
	EXPECT_ERRNO(write(s, "x", 1), EINVAL, "write: EINVAL");

	EXPECT_ERRNO(mq_receive(s, buf, 15, &prio), EMSGSIZE, "buffer under msgsize: EMSGSIZE");
	const char *want[] = { "high", "low", "low2", "" };
	unsigned wprio[] = { 7, 1, 1, 0 };
	for (i = 0; i < 4; i++) {
		ssize_t r = mq_receive(s, buf, sizeof buf, &prio);
		CHECKF(r == (ssize_t)strlen(want[i]) && !memcmp(buf, want[i], r) && prio == wprio[i],
		       "priority order, FIFO within one", "got %zd prio %u", r, prio);
	}
	ts = past();
	EXPECT_ERRNO(mq_timedreceive(s, buf, sizeof buf, NULL, &ts), ETIMEDOUT,
	             "empty, past timeout: ETIMEDOUT");
	nb.mq_flags = O_NONBLOCK;
	mq_setattr(s, &nb, NULL);
	EXPECT_ERRNO(mq_receive(s, buf, sizeof buf, NULL), EAGAIN, "empty nonblocking: EAGAIN");
	nb.mq_flags = 0;
	mq_setattr(s, &nb, NULL);
	EXPECT_ERRNO(mq_send(s, "x", 1, 32768), EINVAL, "prio 32768: EINVAL");
	EXPECT_OK(mq_send(s, "x", 1, 32767), "prio 32767");
	EXPECT_ERRNO(mq_send(s, buf, 17, 0), EMSGSIZE, "message over msgsize: EMSGSIZE");
	EXPECT_OK(mq_send(s, buf, 16, 0), "message of msgsize");
	EXPECT_ERRNO(mq_send(s, BADPTR, 4, 0), EFAULT, "bad message: EFAULT");
	EXPECT_EQ(mq_receive(s, buf, sizeof buf, NULL), 1, "receive without prio pointer");
	EXPECT_ERRNO(mq_receive(s, BADPTR, 64, NULL), EFAULT, "bad buffer: EFAULT");
	EXPECT_OK(mq_getattr(s, &got), "getattr after EFAULT");
	EXPECT_EQ(got.mq_curmsgs, 0, "bad buffer lost the message");
	EXPECT_OK(mq_send(s, "y", 1, 0), "send again");
	EXPECT_ERRNO(mq_receive(s, buf, sizeof buf, BADPTR), EFAULT, "bad prio pointer: EFAULT");

	mqd_t ro = mq_open(name_of(4), O_RDONLY), wo = mq_open(name_of(4), O_WRONLY);
	EXPECT_ERRNO(mq_send(ro, "x", 1, 0), EBADF, "send on O_RDONLY: EBADF");
	EXPECT_ERRNO(mq_receive(wo, buf, sizeof buf, NULL), EBADF, "receive on O_WRONLY: EBADF");
	close(ro);
	close(wo);
	int p[2];
	if (pipe(p) == 0) {
		EXPECT_ERRNO(mq_send(p[1], "x", 1, 0), EBADF, "send on a pipe: EBADF");
		EXPECT_ERRNO(mq_getattr(p[0], &got), EBADF, "getattr on a pipe: EBADF");
		EXPECT_ERRNO(mq_notify(p[0], NULL), EBADF, "notify on a pipe: EBADF");
		close(p[0]);
		close(p[1]);
	}
	EXPECT_ERRNO(mq_send(999, "x", 1, 0), EBADF, "send on a closed fd: EBADF");
	close(q);
	close(s);
	EXPECT_OK(mq_unlink(name_of(4)), "unlink small queue");
}

static void test_poll(void)
{
	struct mq_attr a = { .mq_maxmsg = 2, .mq_msgsize = 8 };
	mqd_t q = mq_open(name_of(5), O_CREAT | O_EXCL | O_RDWR, 0600, &a);
	struct pollfd pfd = { .fd = q, .events = POLLIN | POLLOUT };
	char buf[8];

	EXPECT_EQ(poll(&pfd, 1, 0), 1, "poll empty");
	EXPECT_EQ(pfd.revents, POLLOUT, "empty: POLLOUT");
	mq_send(q, "a", 1, 0);
	poll(&pfd, 1, 0);
	EXPECT_EQ(pfd.revents, POLLIN | POLLOUT, "one message: POLLIN|POLLOUT");
	mq_send(q, "b", 1, 0);
	poll(&pfd, 1, 0);
	EXPECT_EQ(pfd.revents, POLLIN, "full: POLLIN");
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLOUT }, out;
	EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, q, &ev), "epoll_ctl add");
	EXPECT_EQ(epoll_wait(ep, &out, 1, 0), 0, "epoll: full, no EPOLLOUT");
	pid_t c = it_fork();
	if (c == 0) {
		usleep(50000);
		_exit(mq_receive(q, buf, sizeof buf, NULL) == 1 ? 0 : 1);
	}
	EXPECT_EQ(epoll_wait(ep, &out, 1, 5000), 1, "epoll woken by a receive");
	EXPECT_EQ(out.events, EPOLLOUT, "EPOLLOUT after a receive");
	EXPECT_EXIT(it_wait(c), 0, "child received");
	close(ep);
	close(q);
	mq_unlink(name_of(5));
}

static void test_blocking(void)
{
	struct mq_attr a = { .mq_maxmsg = 1, .mq_msgsize = 8 }, got;
	mqd_t q = mq_open(name_of(6), O_CREAT | O_EXCL | O_RDWR, 0600, &a);
	char buf[8];
	unsigned prio = 0;

	pid_t c = it_fork();
	if (c == 0) {
		usleep(50000);
		_exit(mq_send(q, "late", 4, 9) == 0 ? 0 : 1);
	}
	ssize_t r = mq_receive(q, buf, sizeof buf, &prio);
	CHECK(r == 4 && !memcmp(buf, "late", 4) && prio == 9, "blocked receiver gets the message");
	EXPECT_EXIT(it_wait(c), 0, "sender child");

	mq_send(q, "one", 3, 0);
	c = it_fork();
	if (c == 0) {
		usleep(50000);
		_exit(mq_receive(q, buf, sizeof buf, NULL) == 3 ? 0 : 1);
	}
	EXPECT_OK(mq_send(q, "two", 3, 0), "blocked sender goes through");
	EXPECT_EXIT(it_wait(c), 0, "receiver child");
	mq_getattr(q, &got);
	EXPECT_EQ(got.mq_curmsgs, 1, "the sender's message is queued");
	r = mq_receive(q, buf, sizeof buf, NULL);
	CHECK(r == 3 && !memcmp(buf, "two", 3), "and it is the blocked sender's");

	struct sigaction sa = { .sa_handler = on_usr1 };
	sigaction(SIGUSR1, &sa, NULL);
	pid_t parent = getpid();
	c = it_fork();
	if (c == 0) {
		usleep(50000);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	EXPECT_ERRNO(mq_receive(q, buf, sizeof buf, NULL), EINTR, "signal interrupts receive: EINTR");
	it_wait(c);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	c = it_fork();
	if (c == 0) {
		usleep(50000);
		kill(parent, SIGUSR1);
		usleep(50000);
		_exit(mq_send(q, "after", 5, 0) == 0 ? 0 : 1);
	}
	r = mq_receive(q, buf, sizeof buf, NULL);
	CHECK(r == 5, "SA_RESTART restarts a blocked receive");
	EXPECT_EXIT(it_wait(c), 0, "sender after the signal");
	signal(SIGUSR1, SIG_DFL);
	close(q);
	mq_unlink(name_of(6));
}

static void test_notify(void)
{
	mqd_t q = mq_open(name_of(7), O_CREAT | O_EXCL | O_RDWR, 0600, NULL);
	struct sigevent se = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };
	struct timespec zero = { 0, 0 };
	siginfo_t si;
	sigset_t set;
	char buf[8192], want[128];

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	se.sigev_value.sival_int = 4242;
	EXPECT_OK(mq_notify(q, &se), "register SIGEV_SIGNAL");
	EXPECT_ERRNO(mq_notify(q, &se), EBUSY, "second registration: EBUSY");
	int n = pread(q, buf, 200, 0);
	buf[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof want, "QSIZE:%-10d NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n", 0, 0,
	         SIGUSR2, (int)getpid());
	n = read(q, buf, 200);
	buf[n > 0 ? n : 0] = 0;
	EXPECT_EQ(strcmp(buf, want), 0, "read shows the registration");
	lseek(q, 0, SEEK_SET);
	pid_t c = it_fork();
	if (c == 0)
		_exit(mq_notify(q, &se) == -1 && errno == EBUSY ? 0 : 1);
	EXPECT_EXIT(it_wait(c), 0, "other process: EBUSY");
	EXPECT_OK(mq_send(q, "m", 1, 0), "send to empty queue");
	EXPECT_EQ(sigtimedwait(&set, &si, &zero), SIGUSR2, "notification signal");
	EXPECT_EQ(si.si_code, SI_MESGQ, "si_code SI_MESGQ");
	EXPECT_EQ(si.si_value.sival_int, 4242, "si_value");
	EXPECT_EQ(si.si_pid, getpid(), "si_pid is the sender");
	EXPECT_EQ(si.si_uid, getuid(), "si_uid is the sender's");
	EXPECT_OK(mq_notify(q, &se), "registration was removed: register again");
	EXPECT_OK(mq_send(q, "m", 1, 0), "send to non-empty queue");
	EXPECT_ERRNO(sigtimedwait(&set, &si, &zero), EAGAIN, "no notification when not empty");
	mq_receive(q, buf, sizeof buf, NULL);
	mq_receive(q, buf, sizeof buf, NULL);
	EXPECT_OK(mq_notify(q, NULL), "unregister");
	EXPECT_OK(mq_notify(q, NULL), "unregister again");
	mq_send(q, "m", 1, 0);
	EXPECT_ERRNO(sigtimedwait(&set, &si, &zero), EAGAIN, "no notification after unregister");
	mq_receive(q, buf, sizeof buf, NULL);

	/* A blocked receiver takes the message: nobody is notified. */
	EXPECT_OK(mq_notify(q, &se), "register with a receiver coming");
	c = it_fork();
	if (c == 0)
		_exit(mq_receive(q, buf, sizeof buf, NULL) == 1 ? 0 : 1);
	usleep(100000);
	mq_send(q, "m", 1, 0);
	EXPECT_EXIT(it_wait(c), 0, "blocked receiver got it");
	EXPECT_ERRNO(sigtimedwait(&set, &si, &zero), EAGAIN, "no notification past a receiver");
	EXPECT_OK(mq_notify(q, NULL), "unregister once more");

	struct sigevent none = { .sigev_notify = SIGEV_NONE };
	EXPECT_OK(mq_notify(q, &none), "register SIGEV_NONE");
	snprintf(want, sizeof want, "QSIZE:%-10d NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n", 0, 1,
	         0, (int)getpid());
	n = pread(q, buf, 200, 0);
	lseek(q, 0, SEEK_SET);
	n = read(q, buf, 200);
	buf[n > 0 ? n : 0] = 0;
	EXPECT_EQ(strcmp(buf, want), 0, "read shows SIGEV_NONE");
	mq_send(q, "m", 1, 0);
	EXPECT_OK(mq_notify(q, &none), "SIGEV_NONE was used up");
	mq_notify(q, NULL);
	mq_receive(q, buf, sizeof buf, NULL);

	struct sigevent bad = { .sigev_notify = 7 };
	EXPECT_ERRNO(mq_notify(q, &bad), EINVAL, "bad sigev_notify: EINVAL");
	bad.sigev_notify = SIGEV_SIGNAL;
	bad.sigev_signo = 65;
	EXPECT_ERRNO(mq_notify(q, &bad), EINVAL, "signal 65: EINVAL");
	EXPECT_ERRNO(syscall(SYS_mq_notify, q, BADPTR), EFAULT, "bad sigevent: EFAULT");
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	close(q);
	mq_unlink(name_of(7));
}

static void test_unlink_perms(void)
{
	char buf[8192];
	mqd_t q = mq_open(name_of(8), O_CREAT | O_EXCL | O_RDWR, 0, NULL);

	CHECK(q != (mqd_t)-1, "create mode 0");
	name_of(8); /* qname, before the child's pid changes it */
	pid_t c = it_fork();
	if (c == 0) {
		if (geteuid() == 0 && setresuid(65534, 65534, 65534))
			_exit(100);
		_exit(mq_open(qname, O_RDONLY) == -1 && errno == EACCES ? 0 : 1);
	}
	EXPECT_EXIT(it_wait(c), 0, "mode 0 denies others: EACCES");
	EXPECT_OK(mq_unlink(name_of(8)), "unlink while open");
	EXPECT_ERRNO(mq_unlink(name_of(8)), ENOENT, "unlink again: ENOENT");
	EXPECT_ERRNO(mq_open(name_of(8), O_RDWR), ENOENT, "gone from the names");
	EXPECT_OK(mq_send(q, "still", 5, 0), "unlinked queue still works");
	EXPECT_EQ(mq_receive(q, buf, sizeof buf, NULL), 5, "receive from unlinked queue");
	mqd_t q2 = mq_open(name_of(8), O_CREAT | O_EXCL | O_RDWR, 0600, NULL);
	CHECK(q2 != (mqd_t)-1, "the name can be reused");
	close(q);
	close(q2);
	EXPECT_OK(mq_unlink(name_of(8)), "unlink reused name");
	EXPECT_OK(mq_unlink(name_of(1)), "unlink first queue");
}

int main(void)
{
	it_begin(10);
	test_open();
	test_send_receive();
	test_poll();
	test_blocking();
	test_notify();
	test_unlink_perms();
	return it_end();
}
