/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The writable Gofer (gofer_options.writable), served in a forked child
 * over a socketpair on a tree made in /tmp: create, mkdir, mknod (devices
 * refused), symlink, link, unlink, rename (NOREPLACE, EXCHANGE), setattr,
 * statfs, xattrs (user.* only) and fsync do what they say on the host;
 * and a hostile client's crafted requests (names with '/', "..", "." or
 * over-long, unterminated, symlink nodes used as directories, links and
 * renames naming nodes of another connection's root, setattr on symlinks
 * to outside files, device nodes, random write requests) get errors, the
 * Gofer keeps serving, and a snapshot of everything outside the served
 * root is unchanged afterwards; a one-file tree (a bind of a host file)
 * reaches nothing but that file. Every test runs twice: plain, and under
 * the writable Gofer's seccomp filter (spec/seccomp/gofer_rw.yaml).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "gofer/client.h"
#include "gofer/protocol.h"
#include "gofer/server.h"
#include "lib/log.h"
#include "lib/seccomp_filter.h"

static struct {
	char base[64];   /* /tmp/cvisor-gofer-w-XXXXXX */
	char root[128];  /* base/root: served writable */
	char root2[128]; /* base/root2: served by a second connection */
	char secret[128];
	int root_fd, root2_fd;
	char *snap;      /* the state outside root, before the test */
} fx;

enum mode { PLAIN, SECCOMP };
static enum mode mode_plain = PLAIN, mode_seccomp = SECCOMP;

struct gofer {
	pid_t pid;
	int sock;
	struct gofer_client *c; /* NULL when raw */
};

static pid_t running[2];

/* ---- the tree and its snapshot ---- */

static void hpath(char *p, size_t n, const char *rel)
{
	snprintf(p, n, "%s/%s", fx.root, rel);
}

static void put_file(const char *dir, const char *rel, const char *text)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

/* Empty a directory (not itself). */
static void clear_dir(const char *dir)
{
	struct dirent *d;
	char p[PATH_MAX];
	DIR *dd = opendir(dir);

	assert_non_null(dd);
	while ((d = readdir(dd))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, d->d_name);
		nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	}
	closedir(dd);
}

static char *snap_buf;
static size_t snap_len, snap_cap;

/* One line per object below base but outside root (root2 included):
 * path, type, mode, owner, size, links, times, link target, content. */
static int snap_one(const char *p, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	char line[PATH_MAX * 2 + 256], extra[PATH_MAX] = "";
	size_t rl = strlen(fx.root);
	int n;

	(void)flag, (void)ftw;
	if (!strncmp(p, fx.root, rl) && (p[rl] == '/' || !p[rl]))
		return 0;
	if (S_ISLNK(st->st_mode)) {
		ssize_t k = readlink(p, extra, sizeof(extra) - 1);

		extra[k < 0 ? 0 : k] = '\0';
	} else if (S_ISREG(st->st_mode)) {
		int fd = open(p, O_RDONLY);
		ssize_t k = fd < 0 ? 0 : read(fd, extra, sizeof(extra) - 1);

		extra[k < 0 ? 0 : k] = '\0';
		if (fd >= 0)
			close(fd);
	}
	n = snprintf(line, sizeof(line),
		     "%s %o %u:%u %lld %lu %lld.%09ld %lld.%09ld [%s]\n", p,
		     st->st_mode, st->st_uid, st->st_gid,
		     (long long)st->st_size, (unsigned long)st->st_nlink,
		     (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
		     (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec, extra);
	if (snap_len + (size_t)n + 1 > snap_cap) {
		snap_cap = (snap_cap + (size_t)n + 1) * 2;
		snap_buf = realloc(snap_buf, snap_cap);
		assert_non_null(snap_buf);
	}
	memcpy(snap_buf + snap_len, line, (size_t)n + 1);
	snap_len += (size_t)n;
	return 0;
}

static char *snapshot(void)
{
	snap_buf = NULL;
	snap_len = snap_cap = 0;
	assert_int_equal(nftw(fx.base, snap_one, 16, FTW_PHYS), 0);
	return snap_buf;
}

/* The state outside the served root is exactly what it was. */
static void assert_outside_unchanged(void)
{
	char *now = snapshot();

	if (strcmp(now, fx.snap))
		fail_msg("something outside the root changed:\nbefore:\n%s\n"
			 "after:\n%s",
			 fx.snap, now);
	free(now);
}

static int setup_tree(void **state)
{
	char p[PATH_MAX];

	(void)state;
	strcpy(fx.base, "/tmp/cvisor-gofer-w-XXXXXX");
	if (!mkdtemp(fx.base))
		return -1;
	snprintf(fx.root, sizeof(fx.root), "%s/root", fx.base);
	snprintf(fx.root2, sizeof(fx.root2), "%s/root2", fx.base);
	snprintf(fx.secret, sizeof(fx.secret), "%s/outside/secret", fx.base);
	snprintf(p, sizeof(p), "%s/outside", fx.base);
	if (mkdir(fx.root, 0755) || mkdir(fx.root2, 0755) || mkdir(p, 0700))
		return -1;
	put_file(p, "secret", "TOP SECRET\n");
	put_file(fx.root2, "other", "root2's file\n");
	snprintf(p, sizeof(p), "%s/dir2", fx.root2);
	if (mkdir(p, 0755))
		return -1;
	fx.root_fd = open(fx.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	fx.root2_fd = open(fx.root2, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fx.root_fd < 0 || fx.root2_fd < 0 ? -1 : 0;
}

static int teardown_tree(void **state)
{
	(void)state;
	close(fx.root_fd);
	close(fx.root2_fd);
	return nftw(fx.base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Each test starts from a served root with a few files and links to
 * outside, and a snapshot of the rest. */
static int setup_test(void **state)
{
	char p[PATH_MAX], q[PATH_MAX];

	(void)state;
	clear_dir(fx.root);
	put_file(fx.root, "file", "hello\n");
	hpath(p, sizeof(p), "dir");
	mkdir(p, 0755);
	put_file(fx.root, "dir/inner", "inner\n");
	hpath(p, sizeof(p), "abs-secret");
	if (symlink(fx.secret, p))
		return -1;
	hpath(p, sizeof(p), "up-secret");
	if (symlink("../outside/secret", p))
		return -1;
	hpath(p, sizeof(p), "dir-out");
	snprintf(q, sizeof(q), "%s/outside", fx.base);
	if (symlink(q, p))
		return -1;
	hpath(p, sizeof(p), "fifo");
	if (mkfifo(p, 0644))
		return -1;
	free(fx.snap);
	fx.snap = snapshot();
	return 0;
}

/* ---- the Gofer in a child ---- */

static void child(int sock, int root_fd, enum mode m)
{
	struct gofer_options o = GOFER_OPTIONS_INIT;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	log_set_fd(devnull);
	log_set_level(LOG_DEBUG);
	for (int fd = 3; fd < 1024; fd++)
		if (fd != sock && fd != root_fd && fd != devnull)
			close(fd);
	o.writable = true;
	o.proc_self_fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (o.proc_self_fd < 0)
		_exit(2);
	if (m == SECCOMP && seccomp_filter_load(&seccomp_filter_gofer_rw) != 0)
		_exit(3);
	_exit(gofer_serve(sock, root_fd, &o) == 0 ? 0 : 1);
}

static void start_on(struct gofer *g, int root_fd, enum mode m, bool raw,
		     int slot)
{
	int sv[2];

#ifdef __SANITIZE_ADDRESS__
	if (m == SECCOMP)
		skip();
#endif
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv),
			 0);
	g->pid = fork();
	assert_true(g->pid >= 0);
	if (g->pid == 0) {
		close(sv[0]);
		child(sv[1], root_fd, m);
	}
	close(sv[1]);
	running[slot] = g->pid;
	g->sock = sv[0];
	g->c = raw ? NULL : gofer_client_new(sv[0]);
	assert_true(raw || g->c);
}

static void start(struct gofer *g, void **state)
{
	start_on(g, fx.root_fd, *(enum mode *)*state, false, 0);
}

static int reap(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) {
		int status;

		if (running[i] <= 0)
			continue;
		if (waitpid(running[i], &status, WNOHANG) == 0) {
			kill(running[i], SIGKILL);
			waitpid(running[i], &status, 0);
		} else if (WIFSIGNALED(status)) {
			print_error("the Gofer died of signal %d%s\n",
				    WTERMSIG(status),
				    WTERMSIG(status) == SIGSYS
					    ? " (a syscall missing from "
					      "gofer_rw.yaml?)"
					    : "");
		}
		running[i] = 0;
	}
	return 0;
}

static void stop(struct gofer *g)
{
	int status;

	if (g->c)
		gofer_client_free(g->c);
	else
		close(g->sock);
	assert_int_equal(waitpid(g->pid, &status, 0), g->pid);
	for (int i = 0; i < 2; i++)
		if (running[i] == g->pid)
			running[i] = 0;
	if (WIFSIGNALED(status))
		fail_msg("the Gofer died of signal %d%s", WTERMSIG(status),
			 WTERMSIG(status) == SIGSYS
				 ? " (a syscall missing from gofer_rw.yaml?)"
				 : "");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static uint64_t attach(struct gofer *g)
{
	struct gofer_stat st;
	uint64_t root;

	assert_int_equal(gofer_attach(g->c, &root, &st), 0);
	return root;
}

static uint64_t walk_to(struct gofer *g, uint64_t dir, const char *name)
{
	struct gofer_stat st;
	uint64_t node;
	int err = gofer_walk_one(g->c, dir, name, &node, &st);

	if (err)
		fail_msg("walk %s: %s", name, strerror(-err));
	return node;
}

static void host_lstat(const char *rel, struct stat *st)
{
	char p[PATH_MAX];

	hpath(p, sizeof(p), rel);
	if (lstat(p, st))
		fail_msg("lstat %s: %s", rel, strerror(errno));
}

static bool host_exists(const char *rel)
{
	struct stat st;
	char p[PATH_MAX];

	hpath(p, sizeof(p), rel);
	return lstat(p, &st) == 0;
}

static void assert_same(const struct gofer_stat *g, const char *rel)
{
	struct stat st;

	host_lstat(rel, &st);
	assert_int_equal(g->ino, st.st_ino);
	assert_int_equal(g->mode, st.st_mode);
	assert_int_equal(g->nlink, st.st_nlink);
	assert_int_equal(g->size, st.st_size);
}

static void read_host(const char *rel, char *buf, size_t n)
{
	char p[PATH_MAX];
	ssize_t k;
	int fd;

	hpath(p, sizeof(p), rel);
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	k = read(fd, buf, n - 1);
	assert_true(k >= 0);
	buf[k] = '\0';
	close(fd);
}

/* ---- the write path, through the client ---- */

static void test_create(void **state)
{
	struct gofer_stat st;
	uint64_t root, node, file;
	struct gofer g;
	char buf[64];
	int fd;

	start(&g, state);
	root = attach(&g);
	fd = gofer_create(g.c, root, "new", GOFER_OPEN_READ | GOFER_OPEN_WRITE,
			  0640, getuid(), getgid(), &node, &st);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "written\n", 8), 8);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	/* The exact mode asked for: the Gofer's umask is not applied. */
	assert_int_equal(st.mode, S_IFREG | 0640);
	assert_int_equal(gofer_stat(g.c, node, &st), 0);
	assert_same(&st, "new");
	read_host("new", buf, sizeof(buf));
	assert_string_equal(buf, "written\n");
	/* Existing names, whatever they are, are never opened through. */
	assert_int_equal(gofer_create(g.c, root, "new", GOFER_OPEN_WRITE, 0644,
				      0, 0, &node, &st),
			 -EEXIST);
	assert_int_equal(gofer_create(g.c, root, "abs-secret",
				      GOFER_OPEN_WRITE, 0644, 0, 0, &node, &st),
			 -EEXIST);
	assert_int_equal(gofer_create(g.c, root, "dir-out", GOFER_OPEN_WRITE,
				      0644, 0, 0, &node, &st),
			 -EEXIST);
	/* Under a symlink node to a directory outside: not a directory. */
	assert_int_equal(gofer_create(g.c, walk_to(&g, root, "dir-out"), "x",
				      GOFER_OPEN_WRITE, 0644, 0, 0, &node, &st),
			 -ENOTDIR);
	file = walk_to(&g, root, "file");
	assert_int_equal(gofer_create(g.c, file, "x", GOFER_OPEN_WRITE, 0644,
				      0, 0, &node, &st),
			 -ENOTDIR);
	assert_int_equal(gofer_create(g.c, root, "y", 0, 0644, 0, 0, &node,
				      &st),
			 -EINVAL);
	assert_int_equal(gofer_create(g.c, root, "y", GOFER_OPEN_WRITE,
				      S_IFREG | 0644, 0, 0, &node, &st),
			 -EINVAL);
	/* Open for writing, truncating, on a writable Gofer. */
	fd = gofer_open(g.c, file, GOFER_OPEN_WRITE | GOFER_OPEN_TRUNC, &st);
	assert_true(fd >= 0);
	assert_int_equal(st.size, 0);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
	read_host("file", buf, sizeof(buf));
	assert_string_equal(buf, "x");
	assert_int_equal(gofer_open(g.c, walk_to(&g, root, "abs-secret"),
				    GOFER_OPEN_WRITE, NULL),
			 -ELOOP);
	assert_int_equal(gofer_open(g.c, walk_to(&g, root, "fifo"),
				    GOFER_OPEN_WRITE, NULL),
			 -ENXIO);
	stop(&g);
	assert_false(host_exists("x"));
	assert_outside_unchanged();
}

static void test_mkdir_mknod_symlink(void **state)
{
	struct gofer_stat st;
	struct stat hst;
	uint64_t root, node, dir;
	struct gofer g;
	char buf[PATH_MAX], big[GOFER_PATH_MAX + 1];
	ssize_t n;

	start(&g, state);
	root = attach(&g);
	assert_int_equal(gofer_mkdir(g.c, root, "d", 0750, getuid(), getgid(),
				     &dir, &st),
			 0);
	assert_int_equal(st.mode, S_IFDIR | 0750);
	assert_same(&st, "d");
	assert_int_equal(gofer_mkdir(g.c, root, "d", 0750, 0, 0, &node, &st),
			 -EEXIST);
	assert_int_equal(gofer_mkdir(g.c, root, "e", 010755, 0, 0, &node, &st),
			 -EINVAL);
	/* FIFOs, sockets and regular files; devices never. */
	assert_int_equal(gofer_mknod(g.c, dir, "p", S_IFIFO | 0600, 0, 0, 0,
				     &node, &st),
			 0);
	assert_same(&st, "d/p");
	assert_int_equal(gofer_mknod(g.c, dir, "s", S_IFSOCK | 0600, 0, 0, 0,
				     &node, &st),
			 0);
	assert_true(S_ISSOCK(st.mode));
	assert_int_equal(gofer_mknod(g.c, dir, "r", S_IFREG | 0600, 0, 0, 0,
				     &node, &st),
			 0);
	assert_true(S_ISREG(st.mode));
	assert_int_equal(gofer_mknod(g.c, dir, "c", S_IFCHR | 0600,
				     makedev(1, 3), 0, 0, &node, &st),
			 -EPERM);
	assert_int_equal(gofer_mknod(g.c, dir, "b", S_IFBLK | 0600,
				     makedev(8, 0), 0, 0, &node, &st),
			 -EPERM);
	assert_int_equal(gofer_mknod(g.c, dir, "z", S_IFCHR | 0600, 0, 0, 0,
				     &node, &st),
			 -EPERM);
	assert_int_equal(gofer_mknod(g.c, dir, "q", S_IFIFO | 0600, 5, 0, 0,
				     &node, &st),
			 -EINVAL);
	assert_int_equal(gofer_mknod(g.c, dir, "q", S_IFDIR | 0600, 0, 0, 0,
				     &node, &st),
			 -EINVAL);
	assert_false(host_exists("d/c"));
	assert_false(host_exists("d/b"));
	assert_false(host_exists("d/z"));
	/* A symlink's target is stored, never followed. */
	assert_int_equal(gofer_symlink(g.c, dir, "l", "/etc/shadow", 0, 0,
				       &node, &st),
			 0);
	assert_true(S_ISLNK(st.mode));
	hpath(buf, sizeof(buf), "d/l");
	n = readlink(buf, big, sizeof(big));
	assert_int_equal(n, 11);
	assert_memory_equal(big, "/etc/shadow", 11);
	assert_int_equal(gofer_symlink(g.c, dir, "l2",
				       "../../../../../../etc/passwd", 0, 0,
				       &node, &st),
			 0);
	assert_int_equal(gofer_symlink(g.c, dir, "l", "x", 0, 0, &node, &st),
			 -EEXIST);
	assert_int_equal(gofer_symlink(g.c, dir, "e", "", 0, 0, &node, &st),
			 -ENOENT);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(gofer_symlink(g.c, dir, "e", big, 0, 0, &node, &st),
			 -ENAMETOOLONG);
	host_lstat("d", &hst);
	assert_int_equal(hst.st_mode, S_IFDIR | 0750);
	stop(&g);
	assert_outside_unchanged();
}

static void test_link(void **state)
{
	struct gofer_stat st;
	struct stat hst;
	uint64_t root, node, file, link;
	struct gofer g;

	start(&g, state);
	root = attach(&g);
	file = walk_to(&g, root, "file");
	assert_int_equal(gofer_link(g.c, walk_to(&g, root, "dir"), "hard", file,
				    &node, &st),
			 0);
	assert_int_equal(st.nlink, 2);
	host_lstat("dir/hard", &hst);
	assert_int_equal(hst.st_nlink, 2);
	assert_int_equal(gofer_stat(g.c, node, &st), 0);
	assert_int_equal(st.ino, hst.st_ino);
	/* A link to a symlink to outside links the symlink, not the file it
	 * names (which keeps its one link). */
	link = walk_to(&g, root, "abs-secret");
	assert_int_equal(gofer_link(g.c, root, "hard-link", link, &node, &st),
			 0);
	assert_true(S_ISLNK(st.mode));
	host_lstat("hard-link", &hst);
	assert_true(S_ISLNK(hst.st_mode));
	assert_int_equal(gofer_link(g.c, root, "hd", walk_to(&g, root, "dir"),
				    &node, &st),
			 -EPERM);
	assert_int_equal(gofer_link(g.c, root, "file", file, &node, &st),
			 -EEXIST);
	assert_int_equal(gofer_link(g.c, file, "x", file, &node, &st),
			 -ENOTDIR);
	assert_int_equal(gofer_link(g.c, root, "x", 0x4242424242ULL, &node,
				    &st),
			 -EBADF);
	stop(&g);
	assert_outside_unchanged();
}

static void test_unlink_rename(void **state)
{
	struct stat a, b;
	uint64_t root, dir;
	struct gofer g;
	char buf[64];

	start(&g, state);
	root = attach(&g);
	dir = walk_to(&g, root, "dir");
	/* Removing a link removes the link, never its target. */
	assert_int_equal(gofer_unlink(g.c, root, "abs-secret", 0), 0);
	assert_false(host_exists("abs-secret"));
	assert_int_equal(gofer_unlink(g.c, root, "dir-out", GOFER_UNLINK_DIR),
			 -ENOTDIR);
	assert_int_equal(gofer_unlink(g.c, root, "dir-out", 0), 0);
	assert_int_equal(gofer_unlink(g.c, root, "dir", 0), -EISDIR);
	assert_int_equal(gofer_unlink(g.c, root, "dir", GOFER_UNLINK_DIR),
			 -ENOTEMPTY);
	assert_int_equal(gofer_unlink(g.c, root, "nope", 0), -ENOENT);
	assert_int_equal(gofer_unlink(g.c, root, "file", 4), -EINVAL);
	/* Renames within the root, with and without flags. */
	assert_int_equal(gofer_rename(g.c, root, "file", dir, "moved", 0), 0);
	read_host("dir/moved", buf, sizeof(buf));
	assert_string_equal(buf, "hello\n");
	assert_int_equal(gofer_rename(g.c, dir, "moved", dir, "inner",
				      GOFER_RENAME_NOREPLACE),
			 -EEXIST);
	host_lstat("dir/moved", &a);
	host_lstat("dir/inner", &b);
	assert_int_equal(gofer_rename(g.c, dir, "moved", dir, "inner",
				      GOFER_RENAME_EXCHANGE),
			 0);
	read_host("dir/moved", buf, sizeof(buf));
	assert_string_equal(buf, "inner\n");
	assert_int_equal(gofer_rename(g.c, dir, "moved", dir, "x",
				      GOFER_RENAME_EXCHANGE),
			 -ENOENT);
	assert_int_equal(gofer_rename(g.c, dir, "moved", dir, "x",
				      GOFER_RENAME_EXCHANGE |
					      GOFER_RENAME_NOREPLACE),
			 -EINVAL);
	assert_int_equal(gofer_rename(g.c, root, "dir", dir, "sub", 0),
			 -EINVAL); /* into itself */
	/* A link to outside moves as a link. */
	assert_int_equal(gofer_rename(g.c, root, "up-secret", dir, "up", 0), 0);
	host_lstat("dir/up", &a);
	assert_true(S_ISLNK(a.st_mode));
	assert_int_equal(gofer_unlink(g.c, dir, "up", 0), 0);
	stop(&g);
	assert_outside_unchanged();
}

static void test_setattr(void **state)
{
	struct gofer_setattr_req a = { 0 };
	struct gofer_stat st;
	struct stat hst;
	uint64_t root, file, link;
	struct gofer g;
	int n;

	start(&g, state);
	root = attach(&g);
	file = walk_to(&g, root, "file");
	a = (struct gofer_setattr_req){
		.node = file,
		.mask = GOFER_SETATTR_MODE | GOFER_SETATTR_SIZE |
			GOFER_SETATTR_ATIME | GOFER_SETATTR_MTIME |
			GOFER_SETATTR_UID | GOFER_SETATTR_GID,
		.mode = 04711,
		.uid = getuid(),
		.gid = getgid(),
		.size = 3,
		.atime = { 1000, 5 },
		.mtime = { 2000, 7 },
	};
	assert_int_equal(gofer_setattr(g.c, &a, &st), 0);
	host_lstat("file", &hst);
	assert_int_equal(hst.st_mode, S_IFREG | 04711);
	assert_int_equal(hst.st_size, 3);
	assert_int_equal(hst.st_atim.tv_sec, 1000);
	assert_int_equal(hst.st_atim.tv_nsec, 5);
	assert_int_equal(hst.st_mtim.tv_sec, 2000);
	assert_int_equal(hst.st_mtim.tv_nsec, 7);
	assert_same(&st, "file");
	/* "Now" times, and the checks. */
	a.mask = GOFER_SETATTR_MTIME | GOFER_SETATTR_MTIME_NOW;
	assert_int_equal(gofer_setattr(g.c, &a, &st), 0);
	assert_true(st.mtime.sec > 2000);
	a.mask = GOFER_SETATTR_MTIME_NOW;
	assert_int_equal(gofer_setattr(g.c, &a, &st), -EINVAL);
	a.mask = GOFER_SETATTR_MTIME;
	a.mtime.nsec = 1000000000;
	assert_int_equal(gofer_setattr(g.c, &a, &st), -EINVAL);
	a.mask = 0x100;
	assert_int_equal(gofer_setattr(g.c, &a, &st), -EINVAL);
	a.mask = GOFER_SETATTR_MODE;
	a.mode = S_IFREG | 0644;
	assert_int_equal(gofer_setattr(g.c, &a, &st), -EINVAL);
	a.node = walk_to(&g, root, "dir");
	a.mask = GOFER_SETATTR_SIZE;
	assert_int_equal(gofer_setattr(g.c, &a, &st), -EISDIR);
	a.node = walk_to(&g, root, "fifo");
	assert_int_equal(gofer_setattr(g.c, &a, &st), -EINVAL);
	/* On symlinks to outside files: the link changes, or nothing. */
	link = walk_to(&g, root, "abs-secret");
	a = (struct gofer_setattr_req){ .node = link,
					.mask = GOFER_SETATTR_MODE,
					.mode = 0777 };
	assert_int_equal(gofer_setattr(g.c, &a, &st), -EOPNOTSUPP);
	a.mask = GOFER_SETATTR_SIZE;
	a.size = 0;
	assert_int_equal(gofer_setattr(g.c, &a, &st), -EINVAL);
	a.mask = GOFER_SETATTR_UID | GOFER_SETATTR_GID;
	a.uid = getuid();
	a.gid = getgid();
	assert_int_equal(gofer_setattr(g.c, &a, &st), 0);
	assert_true(S_ISLNK(st.mode));
	/* Times of the link itself (EOPNOTSUPP on hosts older than 5.8,
	 * which cannot set them on a held symlink). */
	a.mask = GOFER_SETATTR_ATIME | GOFER_SETATTR_MTIME;
	a.atime = (struct gofer_timespec){ 3000, 0 };
	a.mtime = (struct gofer_timespec){ 4000, 0 };
	n = gofer_setattr(g.c, &a, &st);
	assert_true(n == 0 || n == -EOPNOTSUPP);
	host_lstat("abs-secret", &hst);
	if (n == 0)
		assert_int_equal(hst.st_mtim.tv_sec, 4000);
	a.node = walk_to(&g, root, "up-secret");
	n = gofer_setattr(g.c, &a, &st);
	assert_true(n == 0 || n == -EOPNOTSUPP);
	a.node = walk_to(&g, root, "dir-out");
	a.mask = GOFER_SETATTR_MODE;
	assert_int_equal(gofer_setattr(g.c, &a, &st), -EOPNOTSUPP);
	a.node = 0xdead00000001ULL;
	assert_int_equal(gofer_setattr(g.c, &a, &st), -EBADF);
	stop(&g);
	assert_outside_unchanged();
}

static void test_statfs_fsync(void **state)
{
	struct gofer_statfs_rep sfs;
	struct statfs hsf;
	uint64_t root, file;
	struct gofer g;

	start(&g, state);
	root = attach(&g);
	file = walk_to(&g, root, "file");
	assert_int_equal(gofer_statfs(g.c, file, &sfs), 0);
	assert_int_equal(statfs(fx.root, &hsf), 0);
	assert_int_equal(sfs.type, (uint64_t)hsf.f_type);
	assert_int_equal(sfs.bsize, (uint64_t)hsf.f_bsize);
	assert_int_equal(sfs.blocks, hsf.f_blocks);
	assert_int_equal(sfs.namelen, (uint64_t)hsf.f_namelen);
	assert_int_equal(gofer_fsync(g.c, file, 0), 0);
	assert_int_equal(gofer_fsync(g.c, file, GOFER_FSYNC_DATA), 0);
	assert_int_equal(gofer_fsync(g.c, root, 0), 0);
	assert_int_equal(gofer_fsync(g.c, root, GOFER_FSYNC_FS), 0);
	assert_int_equal(gofer_fsync(g.c, walk_to(&g, root, "abs-secret"), 0),
			 0);
	assert_int_equal(gofer_fsync(g.c, walk_to(&g, root, "fifo"), 0), 0);
	assert_int_equal(gofer_fsync(g.c, file, 4), -EINVAL);
	assert_int_equal(gofer_fsync(g.c, 77, 0), -EBADF);
	stop(&g);
	assert_outside_unchanged();
}

static void test_xattr(void **state)
{
	uint64_t root, file, link;
	struct gofer g;
	char buf[GOFER_XATTR_MAX + 16], p[PATH_MAX];
	long n;

	start(&g, state);
	root = attach(&g);
	file = walk_to(&g, root, "file");
	n = gofer_setxattr(g.c, file, "user.color", "blue", 4, 0);
	if (n == -EOPNOTSUPP) {
		stop(&g);
		skip(); /* the host filesystem of /tmp has no user xattrs */
	}
	assert_int_equal(n, 0);
	hpath(p, sizeof(p), "file");
	assert_int_equal(getxattr(p, "user.color", buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "blue", 4);
	assert_int_equal(gofer_getxattr(g.c, file, "user.color", buf,
					sizeof(buf)),
			 4);
	assert_memory_equal(buf, "blue", 4);
	assert_int_equal(gofer_getxattr(g.c, file, "user.color", NULL, 0), 4);
	assert_int_equal(gofer_getxattr(g.c, file, "user.color", buf, 2),
			 -ERANGE);
	assert_int_equal(gofer_setxattr(g.c, file, "user.color", "red", 3,
					XATTR_CREATE),
			 -EEXIST);
	assert_int_equal(gofer_setxattr(g.c, file, "user.size", "x", 1,
					XATTR_REPLACE),
			 -ENODATA);
	assert_int_equal(gofer_setxattr(g.c, file, "user.x", "x", 1, 3),
			 -EINVAL);
	assert_int_equal(gofer_setxattr(g.c, walk_to(&g, root, "dir"),
					"user.d", "1", 1, 0),
			 0);
	n = gofer_listxattr(g.c, file, buf, sizeof(buf));
	assert_int_equal(n, 11);
	assert_memory_equal(buf, "user.color", 11);
	assert_int_equal(gofer_listxattr(g.c, file, NULL, 0), 11);
	assert_int_equal(gofer_listxattr(g.c, file, buf, 4), -ERANGE);
	assert_int_equal(gofer_removexattr(g.c, file, "user.color"), 0);
	assert_int_equal(gofer_getxattr(g.c, file, "user.color", buf,
					sizeof(buf)),
			 -ENODATA);
	/* Never another namespace, never through a symlink. */
	assert_int_equal(gofer_setxattr(g.c, file, "security.capability", "x",
					1, 0),
			 -EOPNOTSUPP);
	assert_int_equal(gofer_setxattr(g.c, file, "trusted.overlay.opaque",
					"y", 1, 0),
			 -EOPNOTSUPP);
	assert_int_equal(gofer_getxattr(g.c, file, "security.selinux", buf,
					sizeof(buf)),
			 -EOPNOTSUPP);
	assert_int_equal(gofer_removexattr(g.c, file, "trusted.x"),
			 -EOPNOTSUPP);
	link = walk_to(&g, root, "abs-secret");
	assert_int_equal(gofer_setxattr(g.c, link, "user.x", "1", 1, 0),
			 -EOPNOTSUPP);
	assert_int_equal(gofer_getxattr(g.c, link, "user.x", buf, 8),
			 -EOPNOTSUPP);
	assert_int_equal(gofer_setxattr(g.c, walk_to(&g, root, "fifo"),
					"user.x", "1", 1, 0),
			 -EOPNOTSUPP);
	assert_int_equal(getxattr(fx.secret, "user.x", buf, sizeof(buf)), -1);
	stop(&g);
	assert_outside_unchanged();
}

/* ---- a hostile client: raw messages ---- */

static struct {
	struct gofer_hdr h;
	char payload[GOFER_MSG_MAX];
	size_t len;
} rr;

static uint32_t raw_tag = 1000;

/* A request of `type` with this payload: the reply's errno. Any fd that
 * comes with the reply is closed. */
static int raw_req(int sock, unsigned type, const void *payload, size_t plen)
{
	static char msg[GOFER_MSG_MAX + 4096];
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct gofer_hdr h = { .size = (uint32_t)(sizeof(h) + plen),
			       .type = (uint16_t)type,
			       .tag = ++raw_tag };
	struct iovec iov = { msg, sizeof(msg) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf) };
	ssize_t n;

	assert_true(plen <= sizeof(msg) - sizeof(h));
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), payload, plen);
	assert_int_equal(send(sock, msg, sizeof(h) + plen, MSG_NOSIGNAL),
			 (ssize_t)(sizeof(h) + plen));
	n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	if (n < (ssize_t)sizeof(rr.h))
		fail_msg("no reply from the Gofer (%zd: %s)", n,
			 strerror(errno));
	memcpy(&rr.h, msg, sizeof(rr.h));
	rr.len = (size_t)n - sizeof(rr.h);
	memcpy(rr.payload, msg + sizeof(rr.h), rr.len);
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm;
	     cm = CMSG_NXTHDR(&m, cm))
		for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		     i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			close(fd);
		}
	assert_int_equal(rr.h.tag, raw_tag);
	assert_int_equal(rr.h.type, type | GOFER_REPLY);
	if (rr.h.error)
		assert_int_equal(rr.len, 0);
	return rr.h.error;
}

static uint64_t raw_attach(int sock)
{
	struct gofer_attach_req a = { .version = GOFER_PROTOCOL_VERSION };
	struct gofer_node_rep nr;

	assert_int_equal(raw_req(sock, GOFER_T_ATTACH, &a, sizeof(a)), 0);
	memcpy(&nr, rr.payload, sizeof(nr));
	return nr.node;
}

static uint64_t raw_walk(int sock, uint64_t dir, const char *name)
{
	char p[sizeof(struct gofer_walk_req) + 300];
	struct gofer_walk_req w = { .node = dir, .nnames = 1 };
	struct gofer_walk_entry e;

	memcpy(p, &w, sizeof(w));
	memcpy(p + sizeof(w), name, strlen(name) + 1);
	assert_int_equal(raw_req(sock, GOFER_T_WALK, p,
				 sizeof(w) + strlen(name) + 1),
			 0);
	assert_int_equal(rr.len, sizeof(struct gofer_walk_rep) + sizeof(e));
	memcpy(&e, rr.payload + sizeof(struct gofer_walk_rep), sizeof(e));
	return e.node;
}

/* A request made of a fixed part and raw name bytes (not necessarily
 * terminated or valid). */
static int raw_named(int sock, unsigned type, const void *fixed, size_t flen,
		     const void *names, size_t nlen)
{
	char p[1024];

	assert_true(flen + nlen <= sizeof(p));
	memcpy(p, fixed, flen);
	memcpy(p + flen, names, nlen);
	return raw_req(sock, type, p, flen + nlen);
}

static void still_serving(int sock, uint64_t root)
{
	struct gofer_node_req r = { .node = root };

	assert_int_equal(raw_req(sock, GOFER_T_STAT, &r, sizeof(r)), 0);
}

/* Names no request may use: each is refused before anything is made. */
static const struct {
	const char *bytes;
	size_t len;
	int err;
} bad_names[] = {
	{ "..", 3, EINVAL },
	{ ".", 2, EINVAL },
	{ "", 1, EINVAL },
	{ "a/b", 4, EINVAL },
	{ "../outside/x", 13, EINVAL },
	{ "/tmp/x", 7, EINVAL },
	{ "unterminated", 12, EBADMSG },
};

static void test_hostile_names(void **state)
{
	char longname[GOFER_NAME_MAX + 2], two[600];
	uint64_t root, file;
	struct gofer g;
	int s;

	start_on(&g, fx.root_fd, *(enum mode *)*state, true, 0);
	s = g.sock;
	root = raw_attach(s);
	file = raw_walk(s, root, "file");
	memset(longname, 'n', sizeof(longname));
	longname[GOFER_NAME_MAX + 1] = '\0';
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		const char *nb = bad_names[i].bytes;
		size_t nl = bad_names[i].len;
		int e = bad_names[i].err;
		struct gofer_create_req cr = { .dir = root,
					       .flags = GOFER_OPEN_WRITE,
					       .mode = 0644 };
		struct gofer_mkdir_req mk = { .dir = root, .mode = 0755 };
		struct gofer_mknod_req mn = { .dir = root,
					      .mode = S_IFIFO | 0644 };
		struct gofer_symlink_req sl = { .dir = root };
		struct gofer_link_req lk = { .dir = root, .target = file };
		struct gofer_unlink_req ul = { .dir = root };
		struct gofer_rename_req rn = { .olddir = root, .newdir = root };

		assert_int_equal(raw_named(s, GOFER_T_CREATE, &cr, sizeof(cr),
					   nb, nl),
				 e);
		assert_int_equal(raw_named(s, GOFER_T_MKDIR, &mk, sizeof(mk),
					   nb, nl),
				 e);
		assert_int_equal(raw_named(s, GOFER_T_MKNOD, &mn, sizeof(mn),
					   nb, nl),
				 e);
		assert_int_equal(raw_named(s, GOFER_T_LINK, &lk, sizeof(lk),
					   nb, nl),
				 e);
		assert_int_equal(raw_named(s, GOFER_T_UNLINK, &ul, sizeof(ul),
					   nb, nl),
				 e);
		/* Symlink: the bad name, then a fine target. */
		memcpy(two, nb, nl);
		memcpy(two + nl, "t", 2);
		if (e != EBADMSG)
			assert_int_equal(raw_named(s, GOFER_T_SYMLINK, &sl,
						   sizeof(sl), two, nl + 2),
					 e);
		/* Rename: the bad name as the old one, then as the new. */
		if (e != EBADMSG) {
			assert_int_equal(raw_named(s, GOFER_T_RENAME, &rn,
						   sizeof(rn), two, nl + 2),
					 e);
			memcpy(two, "file", 5);
			memcpy(two + 5, nb, nl);
			assert_int_equal(raw_named(s, GOFER_T_RENAME, &rn,
						   sizeof(rn), two, 5 + nl),
					 e);
		}
	}
	/* Over-long names, and junk after the names. */
	{
		struct gofer_mkdir_req mk = { .dir = root, .mode = 0755 };
		struct gofer_unlink_req ul = { .dir = root };
		struct gofer_rename_req rn = { .olddir = root, .newdir = root };

		assert_int_equal(raw_named(s, GOFER_T_MKDIR, &mk, sizeof(mk),
					   longname, sizeof(longname)),
				 ENAMETOOLONG);
		assert_int_equal(raw_named(s, GOFER_T_MKDIR, &mk, sizeof(mk),
					   "ok\0junk", 8),
				 EBADMSG);
		assert_int_equal(raw_named(s, GOFER_T_UNLINK, &ul, sizeof(ul),
					   "file\0", 6),
				 EBADMSG);
		assert_int_equal(raw_named(s, GOFER_T_RENAME, &rn, sizeof(rn),
					   "file", 5),
				 EBADMSG);
		/* A symlink target that is not terminated, or too long. */
		assert_int_equal(raw_named(s, GOFER_T_SYMLINK,
					   &(struct gofer_symlink_req){
						   .dir = root },
					   sizeof(struct gofer_symlink_req),
					   "l\0/etc/shadow", 13),
				 EBADMSG);
	}
	still_serving(s, root);
	stop(&g);
	/* Nothing was made: the root holds only what setup put there. */
	assert_false(host_exists("outside"));
	assert_false(host_exists("n"));
	assert_false(host_exists("ok"));
	assert_true(host_exists("file"));
	assert_outside_unchanged();
}

/* Nodes that are not what a request needs: a symlink to an outside
 * directory used as the directory, forged ids, ids of another
 * connection's root, device nodes; nothing outside changes. */
static void test_hostile_nodes(void **state)
{
	struct gofer g, g2;
	uint64_t root, out, file, root2, dir2, other2;
	int s, s2;

	start_on(&g, fx.root_fd, *(enum mode *)*state, true, 0);
	start_on(&g2, fx.root2_fd, *(enum mode *)*state, true, 1);
	s = g.sock;
	s2 = g2.sock;
	root = raw_attach(s);
	file = raw_walk(s, root, "file");
	out = raw_walk(s, root, "dir-out");
	/* The second connection serves root2: its ids mean nothing (or
	 * something inside root) on the first. */
	root2 = raw_attach(s2);
	dir2 = raw_walk(s2, root2, "dir2");
	other2 = raw_walk(s2, root2, "other");
	{
		struct gofer_create_req cr = { .dir = out,
					       .flags = GOFER_OPEN_WRITE,
					       .mode = 0644 };
		struct gofer_mkdir_req mk = { .dir = out, .mode = 0755 };
		struct gofer_unlink_req ul = { .dir = out };
		struct gofer_rename_req rn = { .olddir = out, .newdir = root };
		struct gofer_link_req lk = { .dir = out, .target = file };

		assert_int_equal(raw_named(s, GOFER_T_CREATE, &cr, sizeof(cr),
					   "x", 2),
				 ENOTDIR);
		assert_int_equal(raw_named(s, GOFER_T_MKDIR, &mk, sizeof(mk),
					   "x", 2),
				 ENOTDIR);
		assert_int_equal(raw_named(s, GOFER_T_UNLINK, &ul, sizeof(ul),
					   "secret", 7),
				 ENOTDIR);
		assert_int_equal(raw_named(s, GOFER_T_RENAME, &rn, sizeof(rn),
					   "secret\0stolen", 14),
				 ENOTDIR);
		assert_int_equal(raw_named(s, GOFER_T_LINK, &lk, sizeof(lk),
					   "x", 2),
				 ENOTDIR);
	}
	{
		/* Another root's nodes, used on the first connection. */
		struct gofer_rename_req rn = { .olddir = root, .newdir = dir2 };
		struct gofer_link_req lk = { .dir = root, .target = other2 };
		struct gofer_unlink_req ul = { .dir = root2 };
		int e;

		e = raw_named(s, GOFER_T_RENAME, &rn, sizeof(rn),
			      "file\0moved", 11);
		assert_true(e == EBADF || e == 0 || e == ENOTDIR);
		e = raw_named(s, GOFER_T_LINK, &lk, sizeof(lk), "stolen", 7);
		assert_true(e == EBADF || e == 0 || e == EPERM);
		ul.dir = root2;
		e = raw_named(s, GOFER_T_UNLINK, &ul, sizeof(ul), "other", 6);
		assert_true(e == EBADF || e == ENOENT);
	}
	{
		/* Forged and stale ids. */
		struct gofer_setattr_req sa = { .node = 0xffffffff00000001ULL,
						.mask = GOFER_SETATTR_MODE,
						.mode = 0777 };
		struct gofer_mknod_req mn = { .dir = root,
					      .mode = S_IFCHR | 0666,
					      .rdev = makedev(1, 3) };
		struct gofer_fsync_req fs = { .node = 0 };

		assert_int_equal(raw_req(s, GOFER_T_SETATTR, &sa, sizeof(sa)),
				 EBADF);
		sa.node = 0;
		assert_int_equal(raw_req(s, GOFER_T_SETATTR, &sa, sizeof(sa)),
				 EBADF);
		assert_int_equal(raw_req(s, GOFER_T_FSYNC, &fs, sizeof(fs)),
				 EBADF);
		assert_int_equal(raw_named(s, GOFER_T_MKNOD, &mn, sizeof(mn),
					   "null", 5),
				 EPERM);
		mn.mode = S_IFBLK | 0666;
		assert_int_equal(raw_named(s, GOFER_T_MKNOD, &mn, sizeof(mn),
					   "disk", 5),
				 EPERM);
	}
	still_serving(s, root);
	still_serving(s2, root2);
	stop(&g);
	stop(&g2);
	assert_false(host_exists("null"));
	assert_false(host_exists("disk"));
	assert_false(host_exists("x"));
	/* root2 is part of the snapshot: nothing in it moved or grew. */
	assert_outside_unchanged();
}

static uint64_t rnd_state = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* A name for a fuzzed request: real ones, escapes, junk. */
static size_t fuzz_name(char *p)
{
	static const char *const names[] = {
		"file", "dir", "inner", "abs-secret", "up-secret", "dir-out",
		"fifo", "..", ".", "new", "a/b", "../outside", "secret",
		"x", "y", "z"
	};
	const char *n = names[rnd() % (sizeof(names) / sizeof(names[0]))];

	memcpy(p, n, strlen(n) + 1);
	return strlen(n) + 1;
}

static void put32(char *p, uint64_t v)
{
	uint32_t w = (uint32_t)v;

	memcpy(p, &w, 4);
}

/* A write-path request of `type` with random parts (ids from the pool,
 * flags and modes mostly sensible, names real or escaping): its length. */
static size_t fuzz_request(unsigned type, const uint64_t *ids, char *p)
{
	uint64_t a = ids[rnd() % 16], b = ids[rnd() % 16], small = rnd() % 4096;
	size_t len = 16;
	int nnames = 1;

	memset(p, 0, 64);
	memcpy(p, &a, 8);
	switch (type) {
	case GOFER_T_CREATE: /* dir, flags, mode, uid, gid */
		put32(p + 8, rnd() % 16);
		put32(p + 12, rnd() % 2 ? 0644 : rnd());
		len = 24;
		break;
	case GOFER_T_MKDIR: /* dir, mode, uid, gid, pad */
		put32(p + 8, rnd() % 2 ? 0755 : rnd());
		len = 24;
		break;
	case GOFER_T_MKNOD: /* dir, rdev, mode, uid, gid, pad */
		if (rnd() % 4 == 0)
			memcpy(p + 8, &b, 8);
		put32(p + 16, (rnd() % 16) << 12 | 0644);
		len = 32;
		break;
	case GOFER_T_SYMLINK: /* dir, uid, gid; name, target */
		nnames = 2;
		break;
	case GOFER_T_LINK: /* dir, target */
		memcpy(p + 8, &b, 8);
		break;
	case GOFER_T_UNLINK: /* dir, flags, pad */
		put32(p + 8, rnd() % 3 == 0);
		break;
	case GOFER_T_RENAME: /* olddir, newdir, flags, pad; old, new */
		memcpy(p + 8, &b, 8);
		put32(p + 16, rnd() % 4);
		len = 24;
		nnames = 2;
		break;
	case GOFER_T_SETATTR: /* node, mask, mode, uid, gid, size, times */
		put32(p + 8, rnd() & 0x1ff);
		put32(p + 12, rnd() % 2 ? 0600 : rnd());
		put32(p + 16, getuid());
		put32(p + 20, getgid());
		memcpy(p + 24, &small, 8);
		put32(p + 32, rnd() % 100000);
		put32(p + 48, rnd() % 100000);
		return 64;
	case GOFER_T_SETXATTR: /* node, flags, size; name, value */
		put32(p + 8, rnd() % 4);
		put32(p + 12, 1);
		strcpy(p + 16, rnd() % 4 ? "user.f" : "trusted.f");
		len = 16 + strlen(p + 16) + 1;
		p[len++] = 'v';
		return len;
	case GOFER_T_FSYNC: /* node, flags, pad */
		put32(p + 8, rnd() % 4);
		return 16;
	}
	while (nnames--)
		len += fuzz_name(p + len);
	return len;
}

/*
 * Random write requests on live, stale and random ids with real and
 * escaping names, a third of them then corrupted; every one gets a reply,
 * the Gofer survives (under its filter too), and nothing outside the root
 * changed.
 */
static void test_hostile_fuzz(void **state)
{
	static const unsigned types[] = {
		GOFER_T_CREATE, GOFER_T_MKDIR,	 GOFER_T_MKNOD,
		GOFER_T_SYMLINK, GOFER_T_LINK,	 GOFER_T_UNLINK,
		GOFER_T_RENAME, GOFER_T_SETATTR, GOFER_T_SETXATTR,
		GOFER_T_FSYNC,
	};
	uint64_t ids[16], root;
	struct gofer g;
	char payload[1024];
	unsigned ok = 0;
	int s;

	start_on(&g, fx.root_fd, *(enum mode *)*state, true, 0);
	s = g.sock;
	root = raw_attach(s);
	ids[0] = root;
	ids[1] = raw_walk(s, root, "dir");
	ids[2] = raw_walk(s, root, "file");
	ids[3] = raw_walk(s, root, "abs-secret");
	ids[4] = raw_walk(s, root, "dir-out");
	ids[5] = raw_walk(s, root, "fifo");
	ids[6] = raw_walk(s, ids[1], "inner");
	for (int i = 7; i < 16; i++)
		ids[i] = i < 12 ? root : rnd();
	for (int iter = 0; iter < 3000; iter++) {
		unsigned type = types[rnd() % (sizeof(types) / sizeof(types[0]))];
		size_t len = fuzz_request(type, ids, payload);

		switch (rnd() % 6) {
		case 0:
			payload[rnd() % len] ^= (char)(1u << (rnd() % 8));
			break;
		case 1:
			len = (size_t)(rnd() % len);
			break;
		case 2:
			for (unsigned k = rnd() % 8 + 1; k > 0; k--)
				payload[len++] = (char)rnd();
			break;
		}
		if (raw_req(s, type, payload, len) == 0)
			ok++;
		/* New nodes join the pool of ids. */
		if (rr.h.error == 0 && rr.len == sizeof(struct gofer_node_rep))
			memcpy(&ids[7 + rnd() % 9], rr.payload, 8);
	}
	assert_true(ok > 100);
	still_serving(s, root);
	stop(&g);
	assert_outside_unchanged();
}

/*
 * A one-file tree (the bind mount of a host file, served from an O_PATH
 * fd of it): the root is that file, read and written through; every
 * request that would name something beside or below it fails (ENOTDIR),
 * and nothing else on the host changes.
 */
static void test_file_root(void **state)
{
	struct gofer_setattr_req sa = { 0 };
	struct gofer_stat st;
	uint64_t root, node;
	struct gofer g;
	char p[PATH_MAX], buf[64], dents[256];
	int fd, ffd, stop_err;

	hpath(p, sizeof(p), "file");
	ffd = open(p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	assert_true(ffd >= 0);
	start_on(&g, ffd, *(enum mode *)*state, false, 0);
	close(ffd);
	root = attach(&g);
	assert_int_equal(gofer_stat(g.c, root, &st), 0);
	assert_same(&st, "file");
	/* Nothing below a file; ".." and "." are not names. */
	assert_int_equal(gofer_walk_one(g.c, root, "x", &node, &st), -ENOTDIR);
	assert_int_equal(gofer_walk(g.c, root, (const char *[]){ ".." }, 1,
				    &node, NULL, &stop_err),
			 -EINVAL);
	assert_int_equal(gofer_getdents(g.c, root, 0, dents, sizeof(dents)),
			 -ENOTDIR);
	assert_int_equal(gofer_create(g.c, root, "x", GOFER_OPEN_WRITE, 0644,
				      0, 0, &node, &st),
			 -ENOTDIR);
	assert_int_equal(gofer_mkdir(g.c, root, "d", 0755, 0, 0, &node, &st),
			 -ENOTDIR);
	assert_int_equal(gofer_mknod(g.c, root, "n", S_IFREG | 0644, 0, 0, 0,
				     &node, &st),
			 -ENOTDIR);
	assert_int_equal(gofer_symlink(g.c, root, "l", "/etc/shadow", 0, 0,
				       &node, &st),
			 -ENOTDIR);
	assert_int_equal(gofer_link(g.c, root, "h", root, &node, &st),
			 -ENOTDIR);
	assert_int_equal(gofer_unlink(g.c, root, "x", 0), -ENOTDIR);
	assert_int_equal(gofer_rename(g.c, root, "a", root, "b", 0), -ENOTDIR);
	/* The file itself: written through, truncated. */
	fd = gofer_open(g.c, root, GOFER_OPEN_WRITE | GOFER_OPEN_TRUNC, &st);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "through\n", 8), 8);
	close(fd);
	read_host("file", buf, sizeof(buf));
	assert_string_equal(buf, "through\n");
	sa.node = root;
	sa.mask = GOFER_SETATTR_SIZE;
	sa.size = 3;
	assert_int_equal(gofer_setattr(g.c, &sa, &st), 0);
	read_host("file", buf, sizeof(buf));
	assert_string_equal(buf, "thr");
	stop(&g);
	assert_false(host_exists("x"));
	assert_false(host_exists("d"));
	assert_false(host_exists("h"));
	assert_outside_unchanged();
}

/* The writable filter still kills a Gofer that makes a device node. */
static void test_filter_denies_devices(void **state)
{
	int status;
	pid_t pid;

	(void)state;
#ifdef __SANITIZE_ADDRESS__
	skip();
#endif
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (seccomp_filter_load(&seccomp_filter_gofer_rw) != 0)
			_exit(3);
		mknodat(fx.root_fd, "null", S_IFCHR | 0666, makedev(1, 3));
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	assert_false(host_exists("null"));
}

#define BOTH(fn)                                                            \
	{ #fn, fn, setup_test, reap, &mode_plain },                         \
		{ #fn " (seccomp)", fn, setup_test, reap, &mode_seccomp }

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_create),
		BOTH(test_mkdir_mknod_symlink),
		BOTH(test_link),
		BOTH(test_unlink_rename),
		BOTH(test_setattr),
		BOTH(test_statfs_fsync),
		BOTH(test_xattr),
		BOTH(test_hostile_names),
		BOTH(test_hostile_nodes),
		BOTH(test_hostile_fuzz),
		BOTH(test_file_root),
		cmocka_unit_test_setup(test_filter_denies_devices, setup_test),
	};

	log_set_level(LOG_ERROR);
	return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}
