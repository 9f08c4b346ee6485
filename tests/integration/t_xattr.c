/* t_xattr: extended attributes on tmpfs (a scratch directory in /dev/shm,
 * a tmpfs natively and in the sandbox, where /tmp may be a disk that
 * limits values to a block): set/get/list/remove by path, by lpath and by
 * fd, XATTR_CREATE/XATTR_REPLACE, size and name limits (ERANGE, E2BIG),
 * the namespaces (user.* only on files and directories, trusted.* and
 * security.* for CAP_SYS_ADMIN, unknown prefixes), sticky directories,
 * O_PATH and pipe descriptors, ctime, /proc files; and on the root
 * filesystem next to the binary (the overlay in the sandbox): attributes
 * that follow renames and hard links. */
#include "itest.h"

#include <linux/capability.h>
#include <linux/limits.h>
#include <sys/xattr.h>

static char big[XATTR_SIZE_MAX + 16];

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Drop one capability from the effective and permitted sets. */
static int drop_cap(int cap)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) != 0)
		return -1;
	d[cap / 32].effective &= ~(1u << (cap % 32));
	d[cap / 32].permitted &= ~(1u << (cap % 32));
	return (int)syscall(SYS_capset, &h, d);
}

/* The names of a list, sorted and joined by spaces (list order is the
 * filesystem's). */
static const char *names(const char *list, ssize_t n)
{
	static char out[1024];
	const char *v[64];
	int k = 0;
	for (ssize_t off = 0; off < n && k < 64; off += (ssize_t)strlen(list + off) + 1)
		v[k++] = list + off;
	for (int i = 0; i < k; i++)
		for (int j = i + 1; j < k; j++)
			if (strcmp(v[j], v[i]) < 0) {
				const char *t = v[i];
				v[i] = v[j];
				v[j] = t;
			}
	out[0] = 0;
	for (int i = 0; i < k; i++) {
		strcat(out, i ? " " : "");
		strcat(out, v[i]);
	}
	return out;
}

static void basics(const char *f)
{
	char buf[64];
	EXPECT_EQ(setxattr(f, "user.a", "hello", 5, 0), 0, "setxattr user.a");
	memset(buf, 0, sizeof buf);
	CHECK(getxattr(f, "user.a", buf, sizeof buf) == 5 && !memcmp(buf, "hello", 5), "getxattr reads it back");
	EXPECT_EQ(getxattr(f, "user.a", NULL, 0), 5, "size 0 asks for the length");
	EXPECT_ERRNO(getxattr(f, "user.a", buf, 4), ERANGE, "a short buffer: ERANGE");
	EXPECT_ERRNO(getxattr(f, "user.none", buf, sizeof buf), ENODATA, "missing attribute: ENODATA");
	EXPECT_ERRNO(setxattr(f, "user.a", "x", 1, XATTR_CREATE), EEXIST, "XATTR_CREATE of an existing one: EEXIST");
	EXPECT_ERRNO(setxattr(f, "user.b", "x", 1, XATTR_REPLACE), ENODATA, "XATTR_REPLACE of a missing one: ENODATA");
	EXPECT_ERRNO(setxattr(f, "user.b", "x", 1, XATTR_CREATE | XATTR_REPLACE), ENODATA,
	             "both flags, missing: ENODATA");
	EXPECT_ERRNO(setxattr(f, "user.a", "x", 1, XATTR_CREATE | XATTR_REPLACE), EEXIST,
	             "both flags, existing: EEXIST");
	EXPECT_ERRNO(setxattr(f, "user.a", "x", 1, 4), EINVAL, "an unknown flag: EINVAL");
	EXPECT_ERRNO(setxattr("/nonexistent/x", "user.a", "x", 1, 4), EINVAL, "flags are checked before the path");
	EXPECT_EQ(setxattr(f, "user.a", "bye", 3, XATTR_REPLACE), 0, "XATTR_REPLACE of an existing one");
	CHECK(getxattr(f, "user.a", buf, sizeof buf) == 3 && !memcmp(buf, "bye", 3), "the value was replaced");
	EXPECT_EQ(setxattr(f, "user.b", "", 0, XATTR_CREATE), 0, "an empty value");
	EXPECT_EQ(getxattr(f, "user.b", buf, sizeof buf), 0, "reads back as 0 bytes");
	EXPECT_EQ(syscall(SYS_getxattr, f, "user.b", 1L, 10L), 0, "an empty value copies nothing (no EFAULT)");
	EXPECT_ERRNO(syscall(SYS_setxattr, f, "user.c", 1L, 10L, 0), EFAULT, "an unreadable value: EFAULT");

	char list[256];
	ssize_t n = listxattr(f, list, sizeof list);
	CHECKF(n > 0 && !strcmp(names(list, n), "user.a user.b"), "listxattr lists both", "got %zd '%s'", n,
	       n > 0 ? names(list, n) : "");
	EXPECT_EQ(listxattr(f, NULL, 0), n, "listxattr size 0 gives the length");
	EXPECT_ERRNO(listxattr(f, list, 3), ERANGE, "listxattr into a short buffer: ERANGE");
	EXPECT_EQ(removexattr(f, "user.b"), 0, "removexattr");
	EXPECT_ERRNO(removexattr(f, "user.b"), ENODATA, "removexattr again: ENODATA");
	n = listxattr(f, list, sizeof list);
	CHECK(n > 0 && !strcmp(names(list, n), "user.a"), "the list follows");

	/* Sizes and names. */
	EXPECT_EQ(setxattr(f, "user.big", big, XATTR_SIZE_MAX, 0), 0, "a 64 KiB value (XATTR_SIZE_MAX)");
	EXPECT_ERRNO(setxattr(f, "user.big2", big, XATTR_SIZE_MAX + 1, 0), E2BIG, "past XATTR_SIZE_MAX: E2BIG");
	EXPECT_EQ(getxattr(f, "user.big", big, sizeof big), XATTR_SIZE_MAX, "a larger buffer gets it all");
	EXPECT_ERRNO(getxattr(f, "user.big", big, 100), ERANGE, "a 100-byte buffer: ERANGE");
	EXPECT_EQ(removexattr(f, "user.big"), 0, "remove the big one");
	char name[300];
	memset(name, 'n', sizeof name);
	memcpy(name, "user.", 5);
	name[255] = 0;
	EXPECT_EQ(setxattr(f, name, "1", 1, 0), 0, "a 255-byte name");
	EXPECT_EQ(removexattr(f, name), 0, "and removed");
	name[255] = 'n';
	name[256] = 0;
	EXPECT_ERRNO(setxattr(f, name, "1", 1, 0), ERANGE, "a 256-byte name: ERANGE");
	EXPECT_ERRNO(getxattr(f, name, buf, sizeof buf), ERANGE, "getxattr of a 256-byte name: ERANGE");
	EXPECT_ERRNO(removexattr(f, name), ERANGE, "removexattr of a 256-byte name: ERANGE");
	EXPECT_ERRNO(setxattr(f, "", "1", 1, 0), ERANGE, "an empty name: ERANGE");
	EXPECT_ERRNO(setxattr(f, "user.", "1", 1, 0), EINVAL, "a bare prefix: EINVAL");
	EXPECT_ERRNO(setxattr(f, "foo.bar", "1", 1, 0), EOPNOTSUPP, "an unknown namespace: EOPNOTSUPP");
	EXPECT_ERRNO(getxattr(f, "foo.bar", buf, sizeof buf), EOPNOTSUPP, "getxattr of one: EOPNOTSUPP");
	EXPECT_ERRNO(setxattr(f, "system.foo", "1", 1, 0), EOPNOTSUPP, "system.foo: EOPNOTSUPP");
	EXPECT_ERRNO(getxattr(f, (const char *)1, buf, sizeof buf), EFAULT, "an unreadable name: EFAULT");
}

static void by_fd(const char *f)
{
	char buf[16], list[64];
	int fd = open(f, O_RDONLY);
	EXPECT_EQ(fsetxattr(fd, "user.fd", "1", 1, 0), 0, "fsetxattr through a read-only descriptor");
	EXPECT_EQ(fgetxattr(fd, "user.fd", buf, sizeof buf), 1, "fgetxattr");
	ssize_t n = flistxattr(fd, list, sizeof list);
	CHECK(n > 0 && strstr(names(list, n), "user.fd"), "flistxattr");
	EXPECT_EQ(fremovexattr(fd, "user.fd"), 0, "fremovexattr");
	close(fd);
	fd = open(f, O_PATH);
	EXPECT_ERRNO(fsetxattr(fd, "user.fd", "1", 1, 0), EBADF, "fsetxattr on O_PATH: EBADF");
	EXPECT_ERRNO(fgetxattr(fd, "user.fd", buf, sizeof buf), EBADF, "fgetxattr on O_PATH: EBADF");
	EXPECT_ERRNO(flistxattr(fd, list, sizeof list), EBADF, "flistxattr on O_PATH: EBADF");
	close(fd);
	EXPECT_ERRNO(fgetxattr(-1, "", buf, sizeof buf), ERANGE, "the name is checked before the descriptor");
	int p[2];
	if (pipe(p) == 0) {
		EXPECT_ERRNO(fsetxattr(p[0], "user.x", "1", 1, 0), EPERM, "user.* on a pipe: EPERM");
		EXPECT_ERRNO(fgetxattr(p[0], "user.x", buf, sizeof buf), ENODATA, "reading one: ENODATA");
		EXPECT_EQ(flistxattr(p[0], list, sizeof list), 0, "a pipe lists nothing");
		close(p[0]);
		close(p[1]);
	}
}

static void kinds(const char *dir, const char *f)
{
	char l[256], fifo[256], sub[256], buf[16];
	snprintf(l, sizeof l, "%s/link", dir);
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	snprintf(sub, sizeof sub, "%s/sub", dir);
	symlink("f", l);
	mkfifo(fifo, 0644);
	mkdir(sub, 0755);
	EXPECT_ERRNO(lsetxattr(l, "user.x", "1", 1, 0), EPERM, "user.* on a symlink itself: EPERM");
	EXPECT_ERRNO(lgetxattr(l, "user.x", buf, sizeof buf), ENODATA, "lgetxattr of a symlink: ENODATA");
	EXPECT_EQ(llistxattr(l, NULL, 0), 0, "a symlink lists nothing");
	EXPECT_EQ(setxattr(l, "user.via", "1", 1, 0), 0, "setxattr follows the symlink");
	EXPECT_EQ(getxattr(f, "user.via", buf, sizeof buf), 1, "to its target");
	EXPECT_EQ(lremovexattr(f, "user.via"), 0, "lremovexattr on a file");
	EXPECT_ERRNO(setxattr(fifo, "user.x", "1", 1, 0), EPERM, "user.* on a FIFO: EPERM");
	EXPECT_ERRNO(getxattr(fifo, "user.x", buf, sizeof buf), ENODATA, "getxattr on a FIFO: ENODATA");
	EXPECT_EQ(setxattr(sub, "user.d", "dir", 3, 0), 0, "user.* on a directory");
	EXPECT_EQ(getxattr(sub, "user.d", buf, sizeof buf), 3, "read back");
	EXPECT_ERRNO(getxattr("/proc/self/status", "user.x", buf, sizeof buf), EOPNOTSUPP,
	             "procfs has no xattrs: EOPNOTSUPP");
	/* For root, whose write permission is not in question (others get
	 * EACCES from the mode first). */
	if (geteuid() == 0)
		EXPECT_ERRNO(setxattr("/proc/self/status", "user.x", "1", 1, 0), EOPNOTSUPP,
		             "setxattr there: EOPNOTSUPP");
	else
		it_ok("setxattr there: EOPNOTSUPP");
	EXPECT_EQ(listxattr("/proc/self/status", NULL, 0), 0, "and lists nothing");
	EXPECT_ERRNO(getxattr("/nonexistent", "user.x", buf, sizeof buf), ENOENT, "a missing path: ENOENT");
}

/* trusted.* and security.* need CAP_SYS_ADMIN; print the same lines
 * whether or not the test runs as root. */
static void privileged(const char *f)
{
	char buf[16], list[256];
	int root = geteuid() == 0;
	if (root) {
		EXPECT_EQ(setxattr(f, "trusted.t", "1", 1, 0), 0, "trusted.* with CAP_SYS_ADMIN");
		EXPECT_EQ(setxattr(f, "security.s", "2", 1, 0), 0, "security.* with CAP_SYS_ADMIN");
	} else {
		it_ok("trusted.* with CAP_SYS_ADMIN");
		it_ok("security.* with CAP_SYS_ADMIN");
	}
	ssize_t n = listxattr(f, list, sizeof list);
	int listed = n > 0 && strstr(names(list, n), "trusted.t") != NULL;
	CHECKF(listed == root, "trusted.* listed only for the privileged", "got '%s'", n > 0 ? names(list, n) : "");
	pid_t c = it_fork();
	if (c == 0) {
		drop_cap(CAP_SYS_ADMIN);
		if (setxattr(f, "trusted.u", "1", 1, 0) != -1 || errno != EPERM)
			_exit(1);
		if (getxattr(f, "trusted.t", buf, sizeof buf) != -1 || errno != ENODATA)
			_exit(2);
		n = listxattr(f, list, sizeof list);
		if (n < 0 || strstr(names(list, n), "trusted."))
			_exit(3);
		if (setxattr(f, "security.s", "3", 1, 0) != -1 || errno != EPERM)
			_exit(4);
		if (root && getxattr(f, "security.s", buf, sizeof buf) != 1)
			_exit(5);
		if (removexattr(f, "security.s") != -1 || errno != EPERM)
			_exit(6);
		if (setxattr(f, "user.ok", "1", 1, 0) != 0)
			_exit(7);
		_exit(0);
	}
	int st = it_wait(c);
	CHECKF(st == 0, "without CAP_SYS_ADMIN: trusted.* EPERM/ENODATA/hidden, security.* read-only",
	       "child %s", it_status_str(st));
	/* security.capability: a valid v2 header and CAP_SETFCAP. */
	unsigned char caps[20] = {0, 0, 0, 2};
	if (root) {
		EXPECT_ERRNO(setxattr(f, "security.capability", "xx", 2, 0), EINVAL,
		             "security.capability with a bad header: EINVAL");
		EXPECT_EQ(setxattr(f, "security.capability", caps, sizeof caps, 0), 0,
		          "security.capability with a v2 header");
		EXPECT_EQ(removexattr(f, "security.capability"), 0, "and removed");
	} else {
		it_ok("security.capability with a bad header: EINVAL");
		it_ok("security.capability with a v2 header");
		it_ok("and removed");
	}
}

/* A sticky directory is labelled only by its owner; a file by whoever
 * may write it. */
static void sticky(const char *dir)
{
	char sd[256], mine[300];
	snprintf(sd, sizeof sd, "%s/sticky", dir);
	snprintf(mine, sizeof mine, "%s/sticky/mine", dir);
	mkdir(sd, 01777);
	chmod(sd, 01777);
	if (geteuid() != 0) {
		it_ok("a sticky directory: EPERM for others, its files for their owner");
		it_ok("user.* follows the file's permission bits (EACCES), listing does not");
		return;
	}
	pid_t c = it_fork();
	if (c == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(10);
		if (setxattr(sd, "user.x", "1", 1, 0) != -1 || errno != EPERM)
			_exit(1);
		int fd = open(mine, O_CREAT | O_WRONLY, 0600);
		if (fd < 0)
			_exit(2);
		if (fsetxattr(fd, "user.x", "1", 1, 0) != 0)
			_exit(3);
		close(fd);
		_exit(0);
	}
	int st = it_wait(c);
	CHECKF(st == 0, "a sticky directory: EPERM for others, its files for their owner", "child %s",
	       it_status_str(st));
	if (st != 0)
		return;
	pid_t c2 = it_fork();
	if (c2 == 0) {
		char buf[4];
		if (setresgid(65534, 65534, 65534) || setresuid(65533, 65533, 65533))
			_exit(10);
		/* mode 0600: neither read nor write for another user. */
		if (getxattr(mine, "user.x", buf, sizeof buf) != -1 || errno != EACCES)
			_exit(1);
		if (setxattr(mine, "user.y", "1", 1, 0) != -1 || errno != EACCES)
			_exit(2);
		if (listxattr(mine, NULL, 0) < 0)
			_exit(3);
		_exit(0);
	}
	st = it_wait(c2);
	CHECKF(st == 0, "user.* follows the file's permission bits (EACCES), listing does not", "child %s",
	       it_status_str(st));
}

static void times(const char *f)
{
	struct stat a, b;
	struct timespec ts[2] = {{1000, 0}, {1000, 0}};
	utimensat(AT_FDCWD, f, ts, 0);
	stat(f, &a);
	struct timespec nap = {0, 20 * 1000 * 1000};
	nanosleep(&nap, NULL);
	setxattr(f, "user.t", "1", 1, 0);
	stat(f, &b);
	CHECK(b.st_mtime == 1000 && (b.st_ctim.tv_sec != a.st_ctim.tv_sec || b.st_ctim.tv_nsec != a.st_ctim.tv_nsec),
	      "setxattr changes ctime, not mtime");
}

/* On the root filesystem (the overlay, in the sandbox): attributes of
 * files made there, across rename and hard links. */
static void rootfs(void)
{
	char dir[PATH_MAX + 16], a[PATH_MAX + 24], b[PATH_MAX + 24], c[PATH_MAX + 24], buf[16];
	const char *self = it_self_exe();
	static const char *const what[] = {
		"user.* on the root filesystem", "rename", "the attribute follows the rename", "hard link",
		"set through the second name",   "seen through the first",
	};
	snprintf(dir, sizeof dir, "%s.scratch", self);
	if (mkdir(dir, 0755) != 0 && errno == EACCES) {
		/* An unprivileged run beside a binary it may not write. */
		for (size_t k = 0; k < sizeof what / sizeof what[0]; k++)
			it_ok(what[k]);
		return;
	}
	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(b, sizeof b, "%s/b", dir);
	snprintf(c, sizeof c, "%s/c", dir);
	it_write_file(a, "data", 4, 0644);
	EXPECT_EQ(setxattr(a, "user.root", "r", 1, 0), 0, "user.* on the root filesystem");
	EXPECT_EQ(rename(a, b), 0, "rename");
	EXPECT_EQ(getxattr(b, "user.root", buf, sizeof buf), 1, "the attribute follows the rename");
	EXPECT_EQ(link(b, c), 0, "hard link");
	EXPECT_EQ(setxattr(c, "user.second", "s", 1, 0), 0, "set through the second name");
	EXPECT_EQ(getxattr(b, "user.second", buf, sizeof buf), 1, "seen through the first");
	unlink(b);
	unlink(c);
	rmdir(dir);
}

int main(void)
{
	it_begin(10);
	char dir[64] = "/dev/shm/itest.XXXXXX", f[128];
	if (!mkdtemp(dir)) {
		it_fail("mkdtemp in /dev/shm", "errno %d", errno);
		return it_end();
	}
	chmod(dir, 0755);
	snprintf(f, sizeof f, "%s/f", dir);
	it_write_file(f, "x", 1, 0644);
	memset(big, 'b', sizeof big);
	basics(f);
	by_fd(f);
	kinds(dir, f);
	privileged(f);
	sticky(dir);
	times(f);
	rootfs();
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return it_end();
}
