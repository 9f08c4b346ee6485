/* t_inotify: inotify_init/init1, inotify_add_watch (masks and flags:
 * IN_ONLYDIR, IN_DONT_FOLLOW, IN_MASK_ADD, IN_MASK_CREATE, IN_ONESHOT,
 * IN_EXCL_UNLINK), inotify_rm_watch, the events of file operations in
 * Linux's order (with names, IN_ISDIR, move cookies), coalescing, queue
 * overflow, read/FIONREAD/poll semantics, because file watchers (build
 * tools, editors, tail -f, systemd units) depend on them. */
#include "itest.h"

#include <dirent.h>
#include <pthread.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>

static char dir[64];
static int wd_dir, wd_file, wd_sub;

static const struct {
	uint32_t bit;
	const char *name;
} names[] = {
	{IN_ACCESS, "ACCESS"},
	{IN_MODIFY, "MODIFY"},
	{IN_ATTRIB, "ATTRIB"},
	{IN_CLOSE_WRITE, "CLOSE_WRITE"},
	{IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"},
	{IN_OPEN, "OPEN"},
	{IN_MOVED_FROM, "MOVED_FROM"},
	{IN_MOVED_TO, "MOVED_TO"},
	{IN_CREATE, "CREATE"},
	{IN_DELETE, "DELETE"},
	{IN_DELETE_SELF, "DELETE_SELF"},
	{IN_MOVE_SELF, "MOVE_SELF"},
	{IN_UNMOUNT, "UNMOUNT"},
	{IN_Q_OVERFLOW, "Q_OVERFLOW"},
	{IN_IGNORED, "IGNORED"},
	{IN_ISDIR, "ISDIR"},
};

static const char *wd_name(int wd)
{
	static char buf[16];

	if (wd == wd_dir)
		return "D";
	if (wd == wd_file)
		return "F";
	if (wd == wd_sub)
		return "S";
	snprintf(buf, sizeof(buf), "%d", wd);
	return buf;
}

/* Every queued event as "WD:MASK|MASK:name" words; move cookies must
 * pair up (the same non-zero value) and show as "c". */
static const char *drain(int in)
{
	static char out[4096];
	char buf[8192] __attribute__((aligned(8)));
	uint32_t cookie = 0;
	size_t o = 0;
	ssize_t n;

	out[0] = 0;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			const char *sep = "";

			o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s:", o ? " " : "",
					      wd_name(e->wd));
			for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
				if (e->mask & names[k].bit) {
					o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", sep,
							      names[k].name);
					sep = "|";
				}
			if (e->len)
				o += (size_t)snprintf(out + o, sizeof(out) - o, ":%s", e->name);
			if (e->mask & (IN_MOVED_FROM | IN_MOVED_TO)) {
				if (!cookie)
					cookie = e->cookie;
				o += (size_t)snprintf(out + o, sizeof(out) - o, "%s",
						      e->cookie && e->cookie == cookie ? ":c"
										       : ":BADCOOKIE");
			} else if (e->cookie) {
				o += (size_t)snprintf(out + o, sizeof(out) - o, ":COOKIE?");
			}
			p += sizeof(*e) + e->len;
		}
	}
	return out;
}

#define EXPECT_EVENTS(in, want, what)                                                              \
	do {                                                                                       \
		const char *got_ = drain(in);                                                      \
		CHECKF(!strcmp(got_, want), what, "got \"%s\", expected \"%s\"", got_, want);     \
	} while (0)

static char *P(const char *name)
{
	static char buf[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static void test_init_and_watches(void)
{
	char link[64], path[64];
	ssize_t n;
	int in, e, w1, w2;

	EXPECT_ERRNO(inotify_init1(1), EINVAL, "inotify_init1(unknown flag): EINVAL");
	in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	CHECK(in >= 0 && (fcntl(in, F_GETFD) & FD_CLOEXEC) && (fcntl(in, F_GETFL) & O_NONBLOCK),
	      "inotify_init1(IN_CLOEXEC|IN_NONBLOCK)");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", in);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	CHECKF(!strcmp(link, "anon_inode:inotify"), "/proc/self/fd shows anon_inode:inotify", "got %s",
	       link);
	e = inotify_init();
	CHECK(e >= 0 && !(fcntl(e, F_GETFD) & FD_CLOEXEC), "inotify_init");
	close(e);
	e = dup(1);
	EXPECT_ERRNO(inotify_add_watch(in, dir, 0), EINVAL, "mask 0: EINVAL");
	EXPECT_ERRNO(inotify_add_watch(-1, dir, 0), EINVAL, "mask 0: EINVAL before EBADF");
	EXPECT_ERRNO(inotify_add_watch(-1, dir, IN_OPEN), EBADF, "bad fd: EBADF");
	EXPECT_ERRNO(inotify_add_watch(-1, dir, IN_OPEN | IN_MASK_ADD | IN_MASK_CREATE), EBADF,
		     "IN_MASK_ADD|IN_MASK_CREATE: the fd is checked first");
	EXPECT_ERRNO(inotify_add_watch(in, dir, IN_OPEN | IN_MASK_ADD | IN_MASK_CREATE), EINVAL,
		     "IN_MASK_ADD|IN_MASK_CREATE: EINVAL");
	EXPECT_ERRNO(inotify_add_watch(e, dir, IN_OPEN), EINVAL, "not an inotify fd: EINVAL");
	EXPECT_ERRNO(inotify_add_watch(in, P("none"), IN_OPEN), ENOENT, "missing path: ENOENT");
	EXPECT_ERRNO(inotify_add_watch(in, NULL, IN_OPEN), EFAULT, "NULL path: EFAULT");
	it_write_file(P("file"), "hello", 5, 0644);
	EXPECT_ERRNO(inotify_add_watch(in, P("file"), IN_OPEN | IN_ONLYDIR), ENOTDIR,
		     "IN_ONLYDIR on a file: ENOTDIR");
	EXPECT_ERRNO(inotify_add_watch(-1, P("file"), IN_OPEN | 0x8000000), EINVAL,
		     "unknown mask bits: EINVAL before EBADF");
	w1 = inotify_add_watch(in, P("file"), IN_OPEN);
	CHECK(w1 > 0, "a watch on a file");
	w2 = inotify_add_watch(in, P("file"), IN_CLOSE);
	EXPECT_EQ(w2, w1, "the same inode: the same watch descriptor");
	EXPECT_ERRNO(inotify_add_watch(in, P("file"), IN_OPEN | IN_MASK_CREATE), EEXIST,
		     "IN_MASK_CREATE on a watched inode: EEXIST");
	w2 = inotify_add_watch(in, dir, IN_OPEN);
	CHECK(w2 == w1 + 1, "watch descriptors count up");
	EXPECT_ERRNO(inotify_rm_watch(in, w2 + 1), EINVAL, "rm_watch of an unknown wd: EINVAL");
	EXPECT_ERRNO(inotify_rm_watch(e, w2), EINVAL, "rm_watch on another fd: EINVAL");
	EXPECT_EQ(inotify_rm_watch(in, w2), 0, "rm_watch");
	EXPECT_EQ(inotify_rm_watch(in, w1), 0, "rm_watch the other");
	wd_file = w1;
	wd_dir = w2;
	EXPECT_EVENTS(in, "D:IGNORED F:IGNORED", "rm_watch queues IN_IGNORED");
	EXPECT_ERRNO(inotify_rm_watch(in, w1), EINVAL, "rm_watch twice: EINVAL");
	w1 = inotify_add_watch(in, dir, IN_OPEN);
	CHECK(w1 == w2 + 1, "descriptors are not reused");
	EXPECT_EQ(lseek(in, 3, SEEK_SET), 0, "lseek(inotify fd): a no-op at 0");
	close(e);
	close(in);
	unlink(P("file"));
}

/* The events of common operations in a watched directory and on a
 * watched file, in Linux's order. */
static void test_events(void)
{
	struct timespec ts[2] = {{1, 0}, {2, 0}};
	char buf[16];
	int in = inotify_init1(IN_NONBLOCK), fd, fd2;

	wd_dir = inotify_add_watch(in, dir, IN_ALL_EVENTS);
	fd = open(P("a"), O_CREAT | O_WRONLY, 0644);
	EXPECT_EVENTS(in, "D:CREATE:a D:OPEN:a", "create: CREATE, OPEN");
	wd_file = inotify_add_watch(in, P("a"), IN_ALL_EVENTS);
	EXPECT_EQ(write(fd, "x", 1), 1, "write");
	EXPECT_EQ(write(fd, "y", 1), 1, "write again");
	EXPECT_EVENTS(in, "D:MODIFY:a F:MODIFY D:MODIFY:a F:MODIFY",
		      "write: MODIFY for both (alternating, so nothing coalesces)");
	close(fd);
	EXPECT_EVENTS(in, "D:CLOSE_WRITE:a F:CLOSE_WRITE", "close of a writer: CLOSE_WRITE");
	fd = open(P("a"), O_RDONLY);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 2, "read");
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 0, "read at EOF");
	close(fd);
	EXPECT_EVENTS(in,
		      "D:OPEN:a F:OPEN D:ACCESS:a F:ACCESS D:CLOSE_NOWRITE:a F:CLOSE_NOWRITE",
		      "open, read, close: no ACCESS for an empty read");
	fd = open(P("a"), O_PATH);
	close(fd);
	EXPECT_EVENTS(in, "", "O_PATH: no events");
	fd = open(P("a"), O_WRONLY | O_TRUNC);
	close(fd);
	EXPECT_EVENTS(in, "D:OPEN:a F:OPEN D:MODIFY:a F:MODIFY D:CLOSE_WRITE:a F:CLOSE_WRITE",
		      "O_TRUNC: OPEN, then the truncation's MODIFY");
	chmod(P("a"), 0600);
	EXPECT_EVENTS(in, "D:ATTRIB:a F:ATTRIB", "chmod: ATTRIB");
	EXPECT_EQ(truncate(P("a"), 10), 0, "truncate");
	utimensat(AT_FDCWD, P("a"), ts, 0);
	EXPECT_EVENTS(in, "D:MODIFY:a F:MODIFY D:ATTRIB:a F:ATTRIB",
		      "truncate: MODIFY; utimensat: ATTRIB");
	ts[0].tv_nsec = UTIME_OMIT;
	utimensat(AT_FDCWD, P("a"), ts, 0);
	ts[0].tv_nsec = 0;
	ts[1].tv_nsec = UTIME_OMIT;
	utimensat(AT_FDCWD, P("a"), ts, 0);
	EXPECT_EVENTS(in, "D:MODIFY:a F:MODIFY D:ACCESS:a F:ACCESS",
		      "utimensat of mtime alone: MODIFY; of atime alone: ACCESS");
	EXPECT_EQ(link(P("a"), P("b")), 0, "link");
	EXPECT_EVENTS(in, "F:ATTRIB D:CREATE:b", "link: ATTRIB on the file, CREATE");
	EXPECT_EQ(unlink(P("b")), 0, "unlink one of two names");
	EXPECT_EVENTS(in, "F:ATTRIB D:DELETE:b", "unlink a link: ATTRIB, DELETE");
	EXPECT_EQ(rename(P("a"), P("c")), 0, "rename");
	EXPECT_EVENTS(in, "D:MOVED_FROM:a:c D:MOVED_TO:c:c F:MOVE_SELF",
		      "rename: MOVED_FROM/MOVED_TO with one cookie, MOVE_SELF");
	mkdir(P("sub"), 0755);
	wd_sub = inotify_add_watch(in, P("sub"), IN_ALL_EVENTS);
	EXPECT_EQ(rename(P("c"), P("sub/d")), 0, "rename into a subdirectory");
	EXPECT_EVENTS(in, "D:CREATE|ISDIR:sub D:MOVED_FROM:c:c S:MOVED_TO:d:c F:MOVE_SELF",
		      "mkdir: CREATE|ISDIR; a move across directories");
	it_write_file(P("sub/e"), "", 0, 0644);
	drain(in);
	EXPECT_EQ(rename(P("sub/e"), P("sub/d")), 0, "rename over a watched file");
	EXPECT_EVENTS(in,
		      "S:MOVED_FROM:e:c S:MOVED_TO:d:c F:ATTRIB F:DELETE_SELF F:IGNORED",
		      "the replaced file: ATTRIB, DELETE_SELF, IGNORED");
	wd_file = inotify_add_watch(in, P("sub/d"), IN_ALL_EVENTS);
	fd = open(P("sub/d"), O_RDWR);
	EXPECT_EQ(unlink(P("sub/d")), 0, "unlink an open file");
	EXPECT_EVENTS(in, "S:OPEN:d F:OPEN F:ATTRIB S:DELETE:d",
		      "unlink while open: ATTRIB, DELETE, no DELETE_SELF yet");
	EXPECT_EQ(write(fd, "z", 1), 1, "write to the unlinked file");
	close(fd);
	EXPECT_EVENTS(in,
		      "S:MODIFY:d F:MODIFY S:CLOSE_WRITE:d F:CLOSE_WRITE F:DELETE_SELF F:IGNORED",
		      "the old name still reports; DELETE_SELF at the last close");
	fd = open(P("sub"), O_RDONLY | O_DIRECTORY);
	{
		DIR *d = fdopendir(fd);

		while (d && readdir(d))
			;
		if (d)
			closedir(d);
	}
	EXPECT_EVENTS(in,
		      "D:OPEN|ISDIR:sub S:OPEN|ISDIR D:ACCESS|ISDIR:sub S:ACCESS|ISDIR "
		      "D:ACCESS|ISDIR:sub S:ACCESS|ISDIR D:CLOSE_NOWRITE|ISDIR:sub "
		      "S:CLOSE_NOWRITE|ISDIR",
		      "listing a directory: OPEN, ACCESS per getdents (even at the end), CLOSE_NOWRITE");
	EXPECT_EQ(rmdir(P("sub")), 0, "rmdir a watched directory");
	EXPECT_EVENTS(in, "S:DELETE_SELF S:IGNORED D:DELETE|ISDIR:sub",
		      "rmdir: DELETE_SELF, IGNORED, then DELETE|ISDIR");
	fd = open(P("f1"), O_CREAT | O_RDWR, 0644);
	fd2 = open(P("f2"), O_CREAT | O_RDWR, 0644);
	drain(in);
	for (int k = 0; k < 2; k++) {
		EXPECT_EQ(write(fd, "1", 1), 1, "write f1");
		EXPECT_EQ(write(fd2, "2", 1), 1, "write f2");
	}
	EXPECT_EVENTS(in, "D:MODIFY:f1 D:MODIFY:f2 D:MODIFY:f1 D:MODIFY:f2",
		      "only consecutive identical events coalesce");
	close(fd);
	close(fd2);
	unlink(P("f1"));
	unlink(P("f2"));
	drain(in);
	close(in);
}

static void test_flags(void)
{
	int in = inotify_init1(IN_NONBLOCK), fd, w;

	it_write_file(P("g"), "", 0, 0644);
	wd_dir = -100;
	wd_sub = -100;
	wd_file = inotify_add_watch(in, P("g"), IN_OPEN | IN_ONESHOT);
	close(open(P("g"), O_RDONLY));
	close(open(P("g"), O_RDONLY));
	EXPECT_EVENTS(in, "F:OPEN F:IGNORED", "IN_ONESHOT: one event, then IN_IGNORED");
	wd_file = inotify_add_watch(in, P("g"), IN_OPEN);
	w = inotify_add_watch(in, P("g"), IN_CLOSE_NOWRITE | IN_MASK_ADD);
	EXPECT_EQ(w, wd_file, "IN_MASK_ADD: the same watch");
	close(open(P("g"), O_RDONLY));
	EXPECT_EVENTS(in, "F:OPEN F:CLOSE_NOWRITE", "IN_MASK_ADD adds to the mask");
	inotify_add_watch(in, P("g"), IN_CLOSE_NOWRITE);
	close(open(P("g"), O_RDONLY));
	EXPECT_EVENTS(in, "F:CLOSE_NOWRITE", "without IN_MASK_ADD the mask is replaced");

	symlink("g", P("ln"));
	w = inotify_add_watch(in, P("ln"), IN_ATTRIB | IN_DONT_FOLLOW);
	CHECK(w > 0 && w != wd_file, "IN_DONT_FOLLOW watches the link itself");
	wd_sub = w;
	chmod(P("g"), 0600);
	EXPECT_EVENTS(in, "", "a change of the target is not the link's");
	EXPECT_ERRNO(inotify_add_watch(in, P("ln"), IN_ATTRIB | IN_ONLYDIR | IN_DONT_FOLLOW), ENOTDIR,
		     "IN_ONLYDIR with IN_DONT_FOLLOW on a link: ENOTDIR");
	unlink(P("ln"));
	EXPECT_EVENTS(in, "S:ATTRIB S:IGNORED",
		      "the link's removal: ATTRIB, no DELETE_SELF (not asked for), IGNORED");

	wd_dir = inotify_add_watch(in, dir, IN_MODIFY | IN_EXCL_UNLINK);
	fd = open(P("g"), O_WRONLY);
	EXPECT_EQ(write(fd, "a", 1), 1, "write before unlink");
	unlink(P("g"));
	drain(in);
	EXPECT_EQ(write(fd, "b", 1), 1, "write after unlink");
	EXPECT_EVENTS(in, "", "IN_EXCL_UNLINK: nothing for an unlinked child");
	close(fd);
	drain(in);
	close(in);
}

static void *late_touch(void *arg)
{
	(void)arg;
	usleep(50000);
	close(open(P("late"), O_CREAT | O_RDONLY, 0644));
	return NULL;
}

static void test_reading(void)
{
	char small[20], big[256] __attribute__((aligned(8)));
	struct inotify_event *e = (struct inotify_event *)big;
	struct epoll_event ev = {.events = EPOLLIN};
	struct pollfd pfd;
	pthread_t th;
	int in = inotify_init(), avail = -1, ep;
	ssize_t n;

	wd_dir = inotify_add_watch(in, dir, IN_CREATE);
	pfd = (struct pollfd){.fd = in, .events = POLLIN};
	EXPECT_EQ(poll(&pfd, 1, 0), 0, "empty queue: not readable");
	ep = epoll_create1(0);
	epoll_ctl(ep, EPOLL_CTL_ADD, in, &ev);
	close(open(P("abcdefgh"), O_CREAT | O_RDONLY, 0644));
	EXPECT_EQ(poll(&pfd, 1, 0), 1, "an event: readable");
	EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 1, "epoll sees it too");
	EXPECT_EQ(ioctl(in, FIONREAD, &avail), 0, "FIONREAD");
	EXPECT_EQ(avail, 32, "FIONREAD: a 16-byte header and the name padded to 16");
	EXPECT_ERRNO(read(in, small, sizeof(small)), EINVAL, "a buffer too small for one event: EINVAL");
	n = read(in, big, sizeof(big));
	CHECKF(n == 32 && e->len == 16 && !strcmp(e->name, "abcdefgh") && e->mask == IN_CREATE,
	       "one event: name NUL-padded to 16", "n %zd len %u", n, e->len);
	pthread_create(&th, NULL, late_touch, NULL);
	n = read(in, big, sizeof(big));
	CHECKF(n > 0 && e->mask == IN_CREATE && !strcmp(e->name, "late"),
	       "a blocking read waits for an event", "n %zd", n);
	pthread_join(th, NULL);
	fcntl(in, F_SETFL, O_NONBLOCK);
	EXPECT_ERRNO(read(in, big, sizeof(big)), EAGAIN, "O_NONBLOCK, empty: EAGAIN");
	unlink(P("abcdefgh"));
	unlink(P("late"));
	close(ep);
	close(in);
}

static void test_overflow(void)
{
	char buf[4096] __attribute__((aligned(8)));
	int in = inotify_init1(IN_NONBLOCK), fd1, fd2, count = 0, overflows = 0, last_ov = 0;
	ssize_t n;

	fd1 = open(P("o1"), O_CREAT | O_WRONLY, 0644);
	fd2 = open(P("o2"), O_CREAT | O_WRONLY, 0644);
	wd_dir = inotify_add_watch(in, dir, IN_MODIFY);
	for (int k = 0; k < 9000; k++) {
		if (write(fd1, "1", 1) != 1 || write(fd2, "2", 1) != 1)
			break;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;

			count++;
			if (e->mask & IN_Q_OVERFLOW) {
				overflows++;
				last_ov = e->wd == -1 && count == 16385;
			}
			p += sizeof(*e) + e->len;
		}
	}
	CHECKF(count == 16385 && overflows == 1 && last_ov, "16384 events, then one IN_Q_OVERFLOW",
	       "count %d overflows %d", count, overflows);
	close(fd1);
	close(fd2);
	unlink(P("o1"));
	unlink(P("o2"));
	close(in);
}

int main(void)
{
	it_begin(20);
	if (!it_tmpdir(dir, sizeof(dir)))
		return it_end();
	test_init_and_watches();
	test_events();
	test_flags();
	test_reading();
	test_overflow();
	it_rmtree(dir);
	return it_end();
}
