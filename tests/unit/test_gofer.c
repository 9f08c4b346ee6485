/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Gofer, served in a forked child over a socketpair on a tree made in
 * /tmp: the client walks, stats, reads links, opens and reads, lists; no
 * symlink (absolute, to /etc/shadow, or a ../../.. chain) is ever followed
 * and no fd the Gofer holds is ever outside the root; a hostile client's
 * crafted messages get errors and the Gofer keeps serving. Every test runs
 * twice: plain, and with the Gofer's seccomp filter (spec/seccomp/
 * gofer.yaml) loaded in the child, which must survive it.
 *
 * Build with -DGOFER_TEST_NO_SECCOMP where the generated filter tables are
 * not linked in.
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
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "gofer/client.h"
#include "gofer/protocol.h"
#include "gofer/server.h"
#include "lib/log.h"
#ifndef GOFER_TEST_NO_SECCOMP
#include "lib/seccomp_filter.h"
#endif

#define MANY 300

static struct {
	char base[64];        /* /tmp/cvisor-gofer-XXXXXX */
	char root[128];       /* base/root: what is served */
	char secret[128];     /* base/outside/secret: must never be read */
	int root_fd;
} fx;

enum mode { PLAIN, SECCOMP };
static enum mode mode_plain = PLAIN, mode_seccomp = SECCOMP;

/* The Gofer child of the running test, until stop() reaps it. */
static pid_t running;

struct gofer {
	pid_t pid;
	int sock;                  /* our end */
	struct gofer_client *c;    /* on sock, unless raw */
};

/* ---- the tree ---- */

static void put_file(const char *rel, const char *text)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", fx.root, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void put_link(const char *rel, const char *target)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", fx.root, rel);
	assert_int_equal(symlink(target, p), 0);
}

static void host_lstat(const char *rel, struct stat *st)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", fx.root, rel);
	assert_int_equal(lstat(p, st), 0);
}

static int setup_tree(void **state)
{
	char p[PATH_MAX];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s, fd;

	(void)state;
	strcpy(fx.base, "/tmp/cvisor-gofer-XXXXXX");
	if (!mkdtemp(fx.base))
		return -1;
	snprintf(fx.root, sizeof(fx.root), "%s/root", fx.base);
	snprintf(fx.secret, sizeof(fx.secret), "%s/outside/secret", fx.base);
	snprintf(p, sizeof(p), "%s/outside", fx.base);
	if (mkdir(fx.root, 0755) || mkdir(p, 0700))
		return -1;
	fd = open(fx.secret, O_WRONLY | O_CREAT, 0600);
	if (fd < 0 || write(fd, "TOP SECRET\n", 11) != 11)
		return -1;
	close(fd);

	put_file("file.txt", "hello gofer\n");
	put_file("empty", "");
	snprintf(p, sizeof(p), "%s/dir", fx.root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/dir/sub", fx.root);
	mkdir(p, 0755);
	put_file("dir/sub/deep.txt", "deep\n");
	snprintf(p, sizeof(p), "%s/many", fx.root);
	mkdir(p, 0755);
	for (int i = 0; i < MANY; i++) {
		char rel[32];

		snprintf(rel, sizeof(rel), "many/f%03d", i);
		put_file(rel, "");
	}
	put_link("abs-shadow", "/etc/shadow");
	put_link("abs-secret", fx.secret);
	put_link("up-chain", "../../../../../../../../etc/passwd");
	put_link("up-secret", "../outside/secret");
	put_link("dirlink", "dir");
	snprintf(p, sizeof(p), "%s/fifo", fx.root);
	if (mkfifo(p, 0644))
		return -1;
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", fx.root) >=
	    (int)sizeof(sa.sun_path))
		return -1;
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	close(s);
	fx.root_fd = open(fx.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fx.root_fd < 0 ? -1 : 0;
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int teardown_tree(void **state)
{
	(void)state;
	close(fx.root_fd);
	return nftw(fx.base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the Gofer in a child ---- */

/* The child: keep only what a real Gofer would have, confine, serve. */
static void child(int sock, enum mode m, uint32_t max_nodes)
{
	struct gofer_options o = GOFER_OPTIONS_INIT;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	/* Debug logging, to /dev/null, so rejected requests exercise the
	 * log's write(2) under the filter. */
	log_set_fd(devnull);
	log_set_level(LOG_DEBUG);
	for (int fd = 3; fd < 1024; fd++)
		if (fd != sock && fd != fx.root_fd && fd != devnull)
			close(fd);
	o.max_nodes = max_nodes;
	if (m == SECCOMP) {
		/* As runsc gofer: /proc/self/fd first, then the filter. */
		o.proc_self_fd = open("/proc/self/fd",
				      O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (o.proc_self_fd < 0)
			_exit(2);
#ifndef GOFER_TEST_NO_SECCOMP
		if (seccomp_filter_load(&seccomp_filter_gofer) != 0)
			_exit(3);
#endif
	}
	_exit(gofer_serve(sock, fx.root_fd, &o) == 0 ? 0 : 1);
}

static void start_opts(struct gofer *g, enum mode m, uint32_t max_nodes,
		       bool raw)
{
	int sv[2];

#ifdef __SANITIZE_ADDRESS__
	/* ASan's runtime makes host calls no Gofer filter lists. */
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
		child(sv[1], m, max_nodes);
	}
	close(sv[1]);
	running = g->pid;
	g->sock = sv[0];
	g->c = raw ? NULL : gofer_client_new(sv[0]);
	assert_true(raw || g->c);
}

static void start(struct gofer *g, void **state)
{
	start_opts(g, *(enum mode *)*state, 0, false);
}

/* The Gofer of a test that failed before stop(): killed and reaped, and
 * why it died reported (a test fails with -EIO when its Gofer is gone). */
static int reap_gofer(void **state)
{
	int status;

	(void)state;
	if (running <= 0)
		return 0;
	if (waitpid(running, &status, WNOHANG) == 0) {
		kill(running, SIGKILL);
		waitpid(running, &status, 0);
	} else if (WIFSIGNALED(status)) {
		print_error("the Gofer died of signal %d%s\n", WTERMSIG(status),
			    WTERMSIG(status) == SIGSYS
				    ? " (a syscall missing from gofer.yaml?)"
				    : "");
	}
	running = 0;
	return 0;
}

/* Hang up and check the Gofer ended cleanly (not killed by its filter). */
static void stop(struct gofer *g)
{
	int status;

	if (g->c)
		gofer_client_free(g->c);
	else
		close(g->sock);
	assert_int_equal(waitpid(g->pid, &status, 0), g->pid);
	running = 0;
	if (WIFSIGNALED(status))
		fail_msg("the Gofer died of signal %d%s", WTERMSIG(status),
			 WTERMSIG(status) == SIGSYS
				 ? " (a syscall missing from gofer.yaml?)"
				 : "");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * Every fd the Gofer holds (but stdio) is its socket, its /proc/self/fd,
 * /dev/null (the test's log) or something under the root: whatever was
 * walked, opened or asked for, nothing outside was ever reached.
 */
static void check_fds_inside(pid_t pid)
{
	char dir[64], p[PATH_MAX], t[PATH_MAX];
	size_t rl = strlen(fx.root);
	struct rlimit lim;
	struct dirent *d;
	DIR *dd;
	int seen = 0;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &lim), 0);
	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	dd = opendir(dir);
	assert_non_null(dd);
	while ((d = readdir(dd))) {
		ssize_t n;

		if (d->d_name[0] == '.' || atoi(d->d_name) <= 2)
			continue;
		/* Past the fd limit live the fds of a tool (valgrind) that
		 * the process itself cannot use. */
		if ((rlim_t)atoi(d->d_name) >= lim.rlim_cur)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, d->d_name);
		n = readlink(p, t, sizeof(t) - 1);
		if (n < 0)
			continue; /* closed meanwhile */
		t[n] = '\0';
		seen++;
		if (strncmp(t, "socket:", 7) == 0 || strcmp(t, dir) == 0 ||
		    strcmp(t, "/dev/null") == 0)
			continue;
		if (strncmp(t, fx.root, rl) != 0 ||
		    (t[rl] != '\0' && t[rl] != '/'))
			fail_msg("the Gofer holds fd %s -> %s, outside %s",
				 d->d_name, t, fx.root);
	}
	closedir(dd);
	assert_true(seen > 0);
}

static unsigned count_fds(pid_t pid)
{
	char dir[64];
	unsigned n = 0;
	DIR *dd;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	dd = opendir(dir);
	assert_non_null(dd);
	while (readdir(dd))
		n++;
	closedir(dd);
	return n;
}

static void assert_same_file(const struct gofer_stat *g, const char *rel)
{
	struct stat st;

	host_lstat(rel, &st);
	assert_int_equal(g->dev, st.st_dev);
	assert_int_equal(g->ino, st.st_ino);
	assert_int_equal(g->mode, st.st_mode);
	assert_int_equal(g->nlink, st.st_nlink);
	assert_int_equal(g->size, st.st_size);
	assert_int_equal(g->uid, st.st_uid);
	assert_int_equal(g->mtime.sec, st.st_mtim.tv_sec);
	assert_int_equal(g->mtime.nsec, st.st_mtim.tv_nsec);
}

static uint64_t attach(struct gofer *g)
{
	struct gofer_stat st;
	uint64_t root;

	assert_int_equal(gofer_attach(g->c, &root, &st), 0);
	assert_int_not_equal(root, GOFER_NODE_NONE);
	assert_same_file(&st, ".");
	return root;
}

/* ---- the read path, through the client ---- */

static void test_attach_stat(void **state)
{
	struct gofer g;
	struct gofer_stat st;
	uint64_t root, root2;

	start(&g, state);
	root = attach(&g);
	assert_int_equal(gofer_stat(g.c, root, &st), 0);
	assert_same_file(&st, ".");
	/* A second attach is a second node of the same directory. */
	root2 = attach(&g);
	assert_int_not_equal(root, root2);
	stop(&g);
}

static void test_walk(void **state)
{
	const char *path[] = { "dir", "sub", "deep.txt" };
	const char *missing[] = { "dir", "nope", "x" };
	struct gofer_stat st[3];
	uint64_t nodes[3], root, file;
	struct gofer g;
	int stop_err = -1;

	start(&g, state);
	root = attach(&g);
	assert_int_equal(gofer_walk(g.c, root, path, 3, nodes, st, &stop_err),
			 3);
	assert_int_equal(stop_err, 0);
	assert_same_file(&st[0], "dir");
	assert_same_file(&st[1], "dir/sub");
	assert_same_file(&st[2], "dir/sub/deep.txt");
	assert_int_equal(gofer_stat(g.c, nodes[2], &st[0]), 0);
	assert_same_file(&st[0], "dir/sub/deep.txt");

	/* Stops at the first missing component, like 9P. */
	assert_int_equal(gofer_walk(g.c, root, missing, 3, nodes, st,
				    &stop_err),
			 1);
	assert_int_equal(stop_err, ENOENT);
	assert_same_file(&st[0], "dir");

	/* Nothing is below a file. */
	assert_int_equal(gofer_walk_one(g.c, root, "file.txt", &file, st), 0);
	assert_int_equal(gofer_walk_one(g.c, file, "x", &nodes[0], st),
			 -ENOTDIR);
	/* Names are checked before any round trip, too. */
	assert_int_equal(gofer_walk_one(g.c, root, "..", &nodes[0], st),
			 -EINVAL);
	assert_int_equal(gofer_walk_one(g.c, root, "dir/sub", &nodes[0], st),
			 -EINVAL);
	stop(&g);
}

static void test_symlinks_not_followed(void **state)
{
	static const struct {
		const char *name, *target;
	} links[] = {
		{ "abs-shadow", "/etc/shadow" },
		{ "abs-secret", NULL /* fx.secret */ },
		{ "up-chain", "../../../../../../../../etc/passwd" },
		{ "up-secret", "../outside/secret" },
		{ "dirlink", "dir" },
	};
	const char *through[] = { "dirlink", "sub" };
	const char *chain[] = { "up-chain", "..", "etc" };
	struct gofer_stat st[2];
	uint64_t root, node, nodes[2], file;
	struct gofer g;
	char buf[PATH_MAX];
	int stop_err;

	start(&g, state);
	root = attach(&g);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		const char *want = links[i].target ? links[i].target
						   : fx.secret;

		/* The walk gives the link itself... */
		assert_int_equal(gofer_walk_one(g.c, root, links[i].name, &node,
						st),
				 0);
		assert_true(S_ISLNK(st[0].mode));
		assert_same_file(&st[0], links[i].name);
		assert_int_equal(gofer_stat(g.c, node, &st[1]), 0);
		assert_true(S_ISLNK(st[1].mode));
		/* ...which reads as its target... */
		assert_int_equal(gofer_readlink(g.c, node, buf, sizeof(buf)),
				 (long)strlen(want));
		assert_memory_equal(buf, want, strlen(want));
		/* ...and cannot be opened, listed, or walked through. */
		assert_int_equal(gofer_open(g.c, node, GOFER_OPEN_READ, NULL),
				 -ELOOP);
		assert_int_equal(gofer_getdents(g.c, node, 0, buf, sizeof(buf)),
				 -ENOTDIR);
		assert_int_equal(gofer_walk_one(g.c, node, "x", &nodes[0], st),
				 -ENOTDIR);
	}
	assert_int_equal(gofer_walk(g.c, root, through, 2, nodes, st,
				    &stop_err),
			 1);
	assert_int_equal(stop_err, ENOTDIR);
	assert_true(S_ISLNK(st[0].mode));
	/* ".." is refused by the client; the raw test shows the Gofer does
	 * too. */
	assert_int_equal(gofer_walk(g.c, root, chain, 3, nodes, st, &stop_err),
			 -EINVAL);
	/* readlink cuts at the buffer, and refuses what is not a link. */
	assert_int_equal(gofer_walk_one(g.c, root, "abs-shadow", &node, st),
			 0);
	assert_int_equal(gofer_readlink(g.c, node, buf, 4), 4);
	assert_memory_equal(buf, "/etc", 4);
	assert_int_equal(gofer_walk_one(g.c, root, "file.txt", &file, st), 0);
	assert_int_equal(gofer_readlink(g.c, file, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(gofer_readlink(g.c, root, buf, sizeof(buf)), -EINVAL);
	/* All those links are held as nodes now: none is outside. */
	check_fds_inside(g.pid);
	stop(&g);
}

static uint64_t walk_to(struct gofer *g, uint64_t root, const char *name)
{
	struct gofer_stat st;
	uint64_t node;

	assert_int_equal(gofer_walk_one(g->c, root, name, &node, &st), 0);
	return node;
}

static void test_open_read(void **state)
{
	struct gofer_stat st;
	struct stat hst;
	uint64_t root, file;
	struct gofer g;
	char buf[64];
	int fd;

	start(&g, state);
	root = attach(&g);
	file = walk_to(&g, root, "file.txt");
	fd = gofer_open(g.c, file, GOFER_OPEN_READ, &st);
	assert_true(fd >= 0);
	assert_same_file(&st, "file.txt");
	assert_int_equal(pread(fd, buf, sizeof(buf), 0), 12);
	assert_memory_equal(buf, "hello gofer\n", 12);
	assert_int_equal(pread(fd, buf, 5, 6), 5);
	assert_memory_equal(buf, "gofer", 5);
	/* Read-only, close-on-exec, and the very file that was walked. */
	assert_int_equal(write(fd, "x", 1), -1);
	assert_int_equal(errno, EBADF);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(fstat(fd, &hst), 0);
	assert_int_equal(hst.st_ino, st.ino);
	close(fd);

	fd = gofer_open(g.c, walk_to(&g, root, "empty"), GOFER_OPEN_READ,
			NULL);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 0);
	close(fd);

	/* Only regular files are donated; nothing is opened for write. */
	assert_int_equal(gofer_open(g.c, root, GOFER_OPEN_READ, NULL),
			 -EISDIR);
	assert_int_equal(gofer_open(g.c, walk_to(&g, root, "fifo"),
				    GOFER_OPEN_READ, NULL),
			 -ENXIO);
	assert_int_equal(gofer_open(g.c, walk_to(&g, root, "sock"),
				    GOFER_OPEN_READ, NULL),
			 -ENXIO);
	assert_int_equal(gofer_open(g.c, file, GOFER_OPEN_READ |
						       GOFER_OPEN_WRITE,
				    NULL),
			 -EROFS);
	assert_int_equal(gofer_open(g.c, file, GOFER_OPEN_READ |
						       GOFER_OPEN_TRUNC,
				    NULL),
			 -EROFS);
	assert_int_equal(gofer_open(g.c, file, 0, NULL), -EINVAL);
	assert_int_equal(gofer_open(g.c, file, 0x100 | GOFER_OPEN_READ, NULL),
			 -EINVAL);
	check_fds_inside(g.pid);
	stop(&g);
}

/* A read-only one-file tree (the bind mount of a host file): its root is
 * that file, readable, never writable, with nothing below it; the Gofer
 * holds nothing but it. */
static void test_file_root(void **state)
{
	int dir_fd = fx.root_fd;
	struct gofer_stat st;
	uint64_t root, node;
	struct gofer g;
	char p[PATH_MAX], buf[64], dents[256];
	int fd;

	snprintf(p, sizeof(p), "%s/file.txt", fx.root);
	fx.root_fd = open(p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	assert_true(fx.root_fd >= 0);
	start(&g, state);
	close(fx.root_fd);
	fx.root_fd = dir_fd;
	assert_int_equal(gofer_attach(g.c, &root, &st), 0);
	assert_same_file(&st, "file.txt");
	fd = gofer_open(g.c, root, GOFER_OPEN_READ, NULL);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, sizeof(buf), 0), 12);
	assert_memory_equal(buf, "hello gofer\n", 12);
	close(fd);
	assert_int_equal(gofer_open(g.c, root, GOFER_OPEN_WRITE, NULL), -EROFS);
	assert_int_equal(gofer_walk_one(g.c, root, "x", &node, &st), -ENOTDIR);
	assert_int_equal(gofer_getdents(g.c, root, 0, dents, sizeof(dents)),
			 -ENOTDIR);
	check_fds_inside(g.pid);
	stop(&g);
}

/* When the Sentry has no fd left for a donated one, OPEN fails with
 * ENFILE and the connection goes on. */
static void test_open_out_of_fds(void **state)
{
	struct rlimit lim, low;
	uint64_t root, file;
	struct gofer g;
	int fd;

	start(&g, state);
	root = attach(&g);
	file = walk_to(&g, root, "file.txt");
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &lim), 0);
	/* The lowest free fd: with the limit there, none is free. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	close(fd);
	low = (struct rlimit){ (rlim_t)fd, lim.rlim_max };
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	fd = gofer_open(g.c, file, GOFER_OPEN_READ, NULL);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
	assert_int_equal(fd, -ENFILE);
	assert_false(gofer_client_broken(g.c));
	fd = gofer_open(g.c, file, GOFER_OPEN_READ, NULL);
	assert_true(fd >= 0);
	close(fd);
	stop(&g);
}

/* List a directory node through buffers of `size`: calls fn per entry;
 * returns the number of entries. */
static unsigned list(struct gofer *g, uint64_t dir, size_t size,
		     void (*fn)(const struct gofer_dirent_view *, void *),
		     void *arg)
{
	char *buf = malloc(size);
	uint64_t cookie = 0;
	unsigned n = 0;
	long len;

	assert_non_null(buf);
	while ((len = gofer_getdents(g->c, dir, cookie, buf, size)) > 0) {
		struct gofer_dirent_view v;
		size_t off = 0;

		while (gofer_dirent_next(buf, (size_t)len, &off, &v)) {
			assert_int_equal(strlen(v.name), v.namelen);
			fn(&v, arg);
			cookie = v.next;
			n++;
		}
		assert_int_equal(off, (size_t)len);
	}
	assert_int_equal(len, 0);
	free(buf);
	return n;
}

static const char *const root_names[] = {
	"file.txt", "empty",      "dir",      "many",      "abs-shadow",
	"abs-secret", "up-chain", "up-secret", "dirlink",  "fifo",
	"sock",
};
#define NROOT (sizeof(root_names) / sizeof(root_names[0]))

static void check_root_entry(const struct gofer_dirent_view *v, void *arg)
{
	unsigned *seen = arg;
	struct stat st;
	size_t i;

	for (i = 0; i < NROOT; i++)
		if (strcmp(v->name, root_names[i]) == 0)
			break;
	if (i == NROOT)
		fail_msg("unexpected entry \"%s\"", v->name);
	assert_int_equal(seen[i], 0);
	seen[i]++;
	host_lstat(v->name, &st);
	assert_int_equal(v->ino, st.st_ino);
	if (v->type != DT_UNKNOWN)
		assert_int_equal(v->type, IFTODT(st.st_mode));
}

static void check_many_entry(const struct gofer_dirent_view *v, void *arg)
{
	unsigned *seen = arg;
	int i;

	assert_int_equal(v->namelen, 4);
	assert_int_equal(v->name[0], 'f');
	i = atoi(v->name + 1);
	assert_true(i >= 0 && i < MANY);
	assert_int_equal(seen[i], 0);
	seen[i]++;
}

static void test_getdents(void **state)
{
	unsigned seen_root[NROOT] = { 0 }, seen_many[MANY] = { 0 };
	uint64_t root, many;
	struct gofer g;
	char small[16];

	start(&g, state);
	root = attach(&g);
	/* No "." or "..": the root's ".." is outside what is served. */
	assert_int_equal(list(&g, root, 4096, check_root_entry, seen_root),
			 NROOT);
	many = walk_to(&g, root, "many");
	/* Small buffers continue from cookies, each entry exactly once. */
	assert_int_equal(list(&g, many, 100, check_many_entry, seen_many),
			 MANY);
	memset(seen_many, 0, sizeof(seen_many));
	assert_int_equal(list(&g, many, 1 << 20, check_many_entry, seen_many),
			 MANY);
	/* A buffer that holds no record is getdents(2)'s EINVAL. */
	assert_int_equal(gofer_getdents(g.c, many, 0, small, sizeof(small)),
			 -EINVAL);
	assert_int_equal(gofer_getdents(g.c, walk_to(&g, root, "file.txt"), 0,
					small, sizeof(small)),
			 -ENOTDIR);
	stop(&g);
}

static void test_close(void **state)
{
	struct gofer_stat st;
	uint64_t root, a, b, batch[3];
	struct gofer g;

	start(&g, state);
	root = attach(&g);
	a = walk_to(&g, root, "dir");
	assert_int_equal(gofer_close(g.c, a), 0);
	assert_int_equal(gofer_stat(g.c, a, &st), -EBADF);
	assert_int_equal(gofer_close(g.c, a), -EBADF);
	/* A recycled slot does not answer to the old id. */
	b = walk_to(&g, root, "dir");
	assert_int_not_equal(a, b);
	assert_int_equal(gofer_stat(g.c, a, &st), -EBADF);
	/* A batch with a bad id still closes the good ones. */
	batch[0] = b;
	batch[1] = 0x123456789ULL;
	batch[2] = walk_to(&g, root, "file.txt");
	assert_int_equal(gofer_close_nodes(g.c, batch, 3), -EBADF);
	assert_int_equal(gofer_stat(g.c, batch[0], &st), -EBADF);
	assert_int_equal(gofer_stat(g.c, batch[2], &st), -EBADF);
	assert_int_equal(gofer_stat(g.c, root, &st), 0);
	stop(&g);
}

static void test_node_limit(void **state)
{
	const char *path[] = { "dir", "sub", "deep.txt" };
	struct gofer_stat st[3];
	uint64_t root, nodes[3], node;
	struct gofer g;
	int stop_err;

	start_opts(&g, *(enum mode *)*state, 3, false);
	root = attach(&g);
	/* Two more fit; the walk stops at the third with EMFILE. */
	assert_int_equal(gofer_walk(g.c, root, path, 3, nodes, st, &stop_err),
			 2);
	assert_int_equal(stop_err, EMFILE);
	assert_int_equal(gofer_walk_one(g.c, root, "file.txt", &node, st),
			 -EMFILE);
	assert_int_equal(gofer_attach(g.c, &node, st), -EMFILE);
	assert_int_equal(gofer_close(g.c, nodes[0]), 0);
	assert_int_equal(gofer_walk_one(g.c, root, "file.txt", &node, st), 0);
	stop(&g);
}

/* A read-only Gofer refuses every write with EROFS and changes nothing;
 * the queries of the write path's era (statfs, xattr reads, fsync) are
 * answered. */
static void test_read_only(void **state)
{
	struct gofer_setattr_req attr = { .mask = GOFER_SETATTR_MODE };
	struct gofer_statfs_rep sfs;
	struct gofer_stat st, before;
	struct statfs hsf;
	uint64_t root, node, file;
	struct gofer g;
	char buf[64];
	long n;

	start(&g, state);
	root = attach(&g);
	file = walk_to(&g, root, "file.txt");
	assert_int_equal(gofer_stat(g.c, file, &before), 0);
	attr.node = file;
	assert_int_equal(gofer_create(g.c, root, "new", GOFER_OPEN_READ |
							      GOFER_OPEN_WRITE,
				      0644, 0, 0, &node, &st),
			 -EROFS);
	assert_int_equal(gofer_mkdir(g.c, root, "d", 0755, 0, 0, &node, &st),
			 -EROFS);
	assert_int_equal(gofer_mknod(g.c, root, "n", S_IFIFO | 0644, 0, 0, 0,
				     &node, &st),
			 -EROFS);
	assert_int_equal(gofer_symlink(g.c, root, "l", "/x", 0, 0, &node, &st),
			 -EROFS);
	assert_int_equal(gofer_link(g.c, root, "h", file, &node, &st), -EROFS);
	assert_int_equal(gofer_unlink(g.c, root, "file.txt", 0), -EROFS);
	assert_int_equal(gofer_rename(g.c, root, "file.txt", root, "f2", 0),
			 -EROFS);
	assert_int_equal(gofer_setattr(g.c, &attr, &st), -EROFS);
	assert_int_equal(gofer_setxattr(g.c, file, "user.x", "v", 1, 0),
			 -EROFS);
	assert_int_equal(gofer_removexattr(g.c, file, "user.x"), -EROFS);
	/* Queries work. */
	assert_int_equal(gofer_statfs(g.c, root, &sfs), 0);
	assert_int_equal(statfs(fx.root, &hsf), 0);
	assert_int_equal(sfs.type, (uint64_t)hsf.f_type);
	assert_int_equal(sfs.bsize, (uint64_t)hsf.f_bsize);
	n = gofer_getxattr(g.c, file, "user.x", buf, sizeof(buf));
	assert_true(n == -ENODATA || n == -EOPNOTSUPP);
	n = gofer_listxattr(g.c, file, buf, sizeof(buf));
	assert_true(n >= 0 || n == -EOPNOTSUPP);
	assert_int_equal(gofer_getxattr(g.c, file, "trusted.x", buf,
					sizeof(buf)),
			 -EOPNOTSUPP);
	assert_int_equal(gofer_fsync(g.c, file, 0), 0);
	assert_int_equal(gofer_fsync(g.c, root, GOFER_FSYNC_FS), 0);
	assert_int_equal(gofer_fsync(g.c, root, 0x80), -EINVAL);
	/* Nothing changed on the host. */
	assert_int_equal(faccessat(fx.root_fd, "new", F_OK,
				   AT_SYMLINK_NOFOLLOW),
			 -1);
	assert_int_equal(gofer_stat(g.c, file, &st), 0);
	assert_int_equal(st.mode, before.mode);
	assert_int_equal(st.nlink, before.nlink);
	stop(&g);
}

/* ---- a hostile client: raw messages ---- */

struct raw_reply {
	struct gofer_hdr h;
	char payload[GOFER_MSG_MAX];
	size_t len;  /* payload bytes */
	int nfds;
};

static struct raw_reply rr;

/* Receive one reply; closes any fd it carries. */
static void raw_recv(int sock)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	char msg[GOFER_MSG_MAX];
	struct iovec iov = { msg, sizeof(msg) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf) };
	ssize_t n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);

	if (n < (ssize_t)sizeof(rr.h))
		fail_msg("no reply from the Gofer (%zd: %s)", n,
			 strerror(errno));
	memcpy(&rr.h, msg, sizeof(rr.h));
	assert_int_equal(rr.h.size, (uint32_t)n);
	rr.len = (size_t)n - sizeof(rr.h);
	memcpy(rr.payload, msg + sizeof(rr.h), rr.len);
	rr.nfds = 0;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm;
	     cm = CMSG_NXTHDR(&m, cm)) {
		int k = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));

		for (int i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(fd));
			close(fd);
			rr.nfds++;
		}
	}
}

/* Send exactly these bytes (with fds, if any) and return the reply's
 * errno (0 for success). */
static int raw_bytes(int sock, const void *msg, size_t len, const int *fds,
		     int nfds)
{
	union {
		char buf[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { (void *)msg, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds) {
		struct cmsghdr *cm;

		memset(&ctl, 0, sizeof(ctl));
		m.msg_control = ctl.buf;
		m.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	assert_int_equal(sendmsg(sock, &m, MSG_NOSIGNAL), (ssize_t)len);
	raw_recv(sock);
	/* An error reply is a bare header. */
	if (rr.h.error)
		assert_int_equal(rr.len, 0);
	assert_int_equal(rr.h.flags, 0);
	return rr.h.error;
}

static uint32_t raw_tag = 100;

/* A well-framed request of `type` with this payload: the reply's errno. */
static int raw_req(int sock, unsigned type, const void *payload, size_t plen)
{
	static char msg[GOFER_MSG_MAX + 4096];
	struct gofer_hdr h = { .size = (uint32_t)(sizeof(h) + plen),
			       .type = (uint16_t)type,
			       .tag = ++raw_tag };
	int err;

	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), payload, plen);
	err = raw_bytes(sock, msg, sizeof(h) + plen, NULL, 0);
	assert_int_equal(rr.h.tag, raw_tag);
	assert_int_equal(rr.h.type, type | GOFER_REPLY);
	return err;
}

/* A walk request from node with nnames, then `names` (nlen raw bytes). */
static int raw_walk(int sock, uint64_t node, uint32_t nnames,
		    const void *names, size_t nlen)
{
	char p[sizeof(struct gofer_walk_req) + 1024];
	struct gofer_walk_req w = { .node = node, .nnames = nnames };

	assert_true(nlen <= 1024);
	memcpy(p, &w, sizeof(w));
	memcpy(p + sizeof(w), names, nlen);
	return raw_req(sock, GOFER_T_WALK, p, sizeof(w) + nlen);
}

static int raw_stat(int sock, uint64_t node)
{
	struct gofer_node_req r = { .node = node };

	return raw_req(sock, GOFER_T_STAT, &r, sizeof(r));
}

/* Walk one name known to be good: its node. */
static uint64_t raw_walk_ok(int sock, uint64_t node, const char *name)
{
	struct gofer_walk_rep wr;
	struct gofer_walk_entry e;

	assert_int_equal(raw_walk(sock, node, 1, name, strlen(name) + 1), 0);
	memcpy(&wr, rr.payload, sizeof(wr));
	assert_int_equal(wr.nwalked, 1);
	memcpy(&e, rr.payload + sizeof(wr), sizeof(e));
	return e.node;
}

/* Every hostile message leaves the Gofer serving. */
static void still_serving(int sock, uint64_t root)
{
	assert_int_equal(raw_stat(sock, root), 0);
	assert_int_equal(rr.len, sizeof(struct gofer_stat_rep));
}

static uint64_t raw_attach(int sock)
{
	struct gofer_attach_req a = { .version = GOFER_PROTOCOL_VERSION };
	struct gofer_node_rep nr;

	assert_int_equal(raw_req(sock, GOFER_T_ATTACH, &a, sizeof(a)), 0);
	assert_int_equal(rr.len, sizeof(nr));
	memcpy(&nr, rr.payload, sizeof(nr));
	return nr.node;
}

static void test_hostile_framing(void **state)
{
	struct gofer_attach_req a = { .version = GOFER_PROTOCOL_VERSION };
	struct gofer_hdr h = { .type = GOFER_T_STAT, .tag = 7 };
	static char big[GOFER_MSG_MAX + 100];
	struct gofer g;
	uint64_t root;
	char msg[64];
	int s;

	start_opts(&g, *(enum mode *)*state, 0, true);
	s = g.sock;
	root = raw_attach(s);

	/* Shorter than a header. */
	assert_int_equal(raw_bytes(s, "\x10\0\0\0\x03", 5, NULL, 0), EBADMSG);
	still_serving(s, root);
	/* A size field that lies, either way. */
	h.size = 1u << 30;
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), &root, 8);
	assert_int_equal(raw_bytes(s, msg, sizeof(h) + 8, NULL, 0), EBADMSG);
	assert_int_equal(rr.h.tag, 7);
	h.size = 8;
	memcpy(msg, &h, sizeof(h));
	assert_int_equal(raw_bytes(s, msg, sizeof(h) + 8, NULL, 0), EBADMSG);
	/* Flags, an error field, a reply sent as a request, unknown types. */
	h = (struct gofer_hdr){ .size = sizeof(h) + 8, .type = GOFER_T_STAT,
				.flags = 1 };
	memcpy(msg, &h, sizeof(h));
	assert_int_equal(raw_bytes(s, msg, sizeof(h) + 8, NULL, 0), EINVAL);
	h.flags = 0;
	h.error = 5;
	memcpy(msg, &h, sizeof(h));
	assert_int_equal(raw_bytes(s, msg, sizeof(h) + 8, NULL, 0), EBADMSG);
	assert_int_equal(raw_req(s, GOFER_T_STAT | GOFER_REPLY, &root, 8),
			 ENOSYS);
	assert_int_equal(raw_req(s, 0, &root, 8), ENOSYS);
	assert_int_equal(raw_req(s, GOFER_T_NTYPES, &root, 8), ENOSYS);
	assert_int_equal(raw_req(s, 0xffff, &root, 8), ENOSYS);
	still_serving(s, root);
	/* Larger than any message: cut by the kernel, refused. */
	h = (struct gofer_hdr){ .size = sizeof(big), .type = GOFER_T_STAT,
				.tag = 9 };
	memcpy(big, &h, sizeof(h));
	assert_int_equal(raw_bytes(s, big, sizeof(big), NULL, 0), EMSGSIZE);
	assert_int_equal(rr.h.tag, 9);
	still_serving(s, root);
	/* Fixed parts too short or followed by junk. */
	assert_int_equal(raw_req(s, GOFER_T_STAT, &root, 4), EBADMSG);
	assert_int_equal(raw_req(s, GOFER_T_STAT, big, 9), EBADMSG);
	assert_int_equal(raw_req(s, GOFER_T_ATTACH, &a, 4), EBADMSG);
	assert_int_equal(raw_req(s, GOFER_T_CREATE, &root, 8), EBADMSG);
	assert_int_equal(raw_req(s, GOFER_T_OPEN, &root, 8), EBADMSG);
	assert_int_equal(raw_req(s, GOFER_T_GETDENTS, &root, 8), EBADMSG);
	assert_int_equal(raw_req(s, GOFER_T_CLOSE, "", 0), EBADMSG);
	/* Attach with another version or flags. */
	a.version = 2;
	assert_int_equal(raw_req(s, GOFER_T_ATTACH, &a, sizeof(a)),
			 EPROTONOSUPPORT);
	a = (struct gofer_attach_req){ GOFER_PROTOCOL_VERSION, 1 };
	assert_int_equal(raw_req(s, GOFER_T_ATTACH, &a, sizeof(a)), EINVAL);
	still_serving(s, root);
	stop(&g);
}

/* A raw CLOSE of n ids: the reply's errno. */
static int raw_close(int sock, uint32_t n, const uint64_t *ids, size_t nids)
{
	struct gofer_close_req cr = { .n = n };
	char p[sizeof(cr) + 4 * sizeof(uint64_t)];

	assert_true(nids <= 4);
	memcpy(p, &cr, sizeof(cr));
	if (nids)
		memcpy(p + sizeof(cr), ids, nids * sizeof(*ids));
	return raw_req(sock, GOFER_T_CLOSE, p, sizeof(cr) + nids * 8);
}

/* Node ids that are none, forged, out of range or closed; CLOSE counts
 * that lie. */
static void test_hostile_nodes(void **state)
{
	uint64_t root, file, dead;
	struct gofer g;
	int s;

	start_opts(&g, *(enum mode *)*state, 0, true);
	s = g.sock;
	root = raw_attach(s);
	file = raw_walk_ok(s, root, "file.txt");
	dead = raw_walk_ok(s, root, "dir");
	assert_int_equal(raw_close(s, 1, &dead, 1), 0);

	assert_int_equal(raw_stat(s, 0), EBADF);
	assert_int_equal(raw_stat(s, 0xdeadbeefcafeULL), EBADF);
	assert_int_equal(raw_stat(s, root + 1000), EBADF);
	assert_int_equal(raw_stat(s, (root & 0xffffffffULL) | 7ULL << 32),
			 EBADF);
	assert_int_equal(raw_stat(s, dead), EBADF);
	assert_int_equal(raw_walk(s, dead, 1, "x", 2), EBADF);

	assert_int_equal(raw_close(s, 0, NULL, 0), EINVAL);
	assert_int_equal(raw_close(s, 0xffffffffu, &file, 1), EINVAL);
	assert_int_equal(raw_close(s, GOFER_CLOSE_MAX + 1, &file, 1), EINVAL);
	assert_int_equal(raw_close(s, 2, &file, 1), EBADMSG);
	assert_int_equal(raw_stat(s, file), 0); /* nothing was closed */
	still_serving(s, root);
	stop(&g);
}

/* Names that are not one component below the node, or not terminated,
 * too long, or more or fewer than the count says. */
static void test_hostile_names(void **state)
{
	char longname[GOFER_NAME_MAX + 2];
	struct gofer g;
	uint64_t root;
	int s;

	start_opts(&g, *(enum mode *)*state, 0, true);
	s = g.sock;
	root = raw_attach(s);
	assert_int_equal(raw_walk(s, root, 1, "..", 3), EINVAL);
	assert_int_equal(raw_walk(s, root, 1, ".", 2), EINVAL);
	assert_int_equal(raw_walk(s, root, 1, "", 1), EINVAL);
	assert_int_equal(raw_walk(s, root, 1, "dir/sub", 8), EINVAL);
	assert_int_equal(raw_walk(s, root, 1, "/etc", 5), EINVAL);
	assert_int_equal(raw_walk(s, root, 2, "dir\0..", 7), EINVAL);
	assert_int_equal(raw_walk(s, root, 1, "file.txt", 8), EBADMSG);
	memset(longname, 'a', sizeof(longname));
	longname[GOFER_NAME_MAX + 1] = '\0';
	assert_int_equal(raw_walk(s, root, 1, longname, sizeof(longname)),
			 ENAMETOOLONG);
	assert_int_equal(raw_walk(s, root, 0xffffffffu, "dir", 4), EINVAL);
	assert_int_equal(raw_walk(s, root, GOFER_WALK_MAX + 1, "dir", 4),
			 EINVAL);
	assert_int_equal(raw_walk(s, root, 0, "", 0), EINVAL);
	assert_int_equal(raw_walk(s, root, 2, "dir", 4), EBADMSG);
	assert_int_equal(raw_walk(s, root, 1, "dir\0junk", 8), EBADMSG);
	still_serving(s, root);
	check_fds_inside(g.pid);
	stop(&g);
}

static int raw_open(int sock, uint64_t node, uint32_t flags, uint32_t pad)
{
	struct gofer_open_req o = { .node = node, .flags = flags, .pad = pad };

	return raw_req(sock, GOFER_T_OPEN, &o, sizeof(o));
}

static int raw_getdents(int sock, uint64_t node, uint64_t cookie,
			uint32_t count)
{
	struct gofer_getdents_req d = { .node = node, .cookie = cookie,
					.count = count };

	return raw_req(sock, GOFER_T_GETDENTS, &d, sizeof(d));
}

/* A symlink is walked to as itself, never through, never opened;
 * listings take any count and cookie. */
static void test_hostile_links_and_listings(void **state)
{
	struct gofer_walk_rep wr;
	uint64_t root, file, link;
	struct gofer g;
	int s;

	start_opts(&g, *(enum mode *)*state, 0, true);
	s = g.sock;
	root = raw_attach(s);
	file = raw_walk_ok(s, root, "file.txt");
	link = raw_walk_ok(s, root, "abs-secret");
	assert_int_equal(raw_walk(s, root, 2, "abs-shadow\0x", 13), 0);
	memcpy(&wr, rr.payload, sizeof(wr));
	assert_int_equal(wr.nwalked, 1);
	assert_int_equal(wr.stop_error, ENOTDIR);
	assert_int_equal(raw_walk(s, root, 1, "up-chain", 9), 0);

	assert_int_equal(raw_open(s, link, GOFER_OPEN_READ, 0), ELOOP);
	assert_int_equal(rr.nfds, 0);
	assert_int_equal(raw_open(s, file, GOFER_OPEN_READ, 0), 0);
	assert_int_equal(rr.nfds, 1);
	assert_int_equal(raw_open(s, file, GOFER_OPEN_READ, 1), EINVAL);
	assert_int_equal(raw_open(s, root, GOFER_OPEN_READ, 0), EISDIR);

	assert_int_equal(raw_getdents(s, root, 0, 0), EINVAL);
	assert_int_equal(raw_getdents(s, root, 0, 0xffffffffu), 0);
	assert_true(rr.len <= GOFER_MSG_MAX);
	raw_getdents(s, root, 0xffffffffffffffffULL, 4096);
	raw_getdents(s, root, 0x7fffffffffffffffULL, 4096);
	assert_int_equal(raw_getdents(s, file, 0, 4096), ENOTDIR);
	still_serving(s, root);
	check_fds_inside(g.pid);
	stop(&g);
}

/* fds a client sends are never kept; an empty message ends the session. */
static void test_hostile_fds(void **state)
{
	struct gofer_node_req r;
	struct gofer_hdr h = { .size = sizeof(h) + sizeof(r),
			       .type = GOFER_T_STAT };
	int fds[8], s;
	unsigned before;
	struct gofer g;
	char msg[64];

	start_opts(&g, *(enum mode *)*state, 0, true);
	s = g.sock;
	r.node = raw_attach(s);
	before = count_fds(g.pid);
	for (int i = 0; i < 8; i++) {
		fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		assert_true(fds[i] >= 0);
	}
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), &r, sizeof(r));
	for (int i = 0; i < 64; i++)
		assert_int_equal(raw_bytes(s, msg, sizeof(h) + sizeof(r), fds,
					   8),
				 0);
	assert_int_equal(count_fds(g.pid), before);
	for (int i = 0; i < 8; i++)
		close(fds[i]);
	/* A zero-length message reads as a hang-up: the Gofer ends cleanly
	 * (it only ends the sender's own service). */
	assert_int_equal(send(s, "", 0, MSG_NOSIGNAL), 0);
	stop(&g);
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* A request of `type` that is valid but for its random parts: a live or
 * stale node id, real names or "..", any count or cookie. Its length. */
static size_t fuzz_request(unsigned type, const uint64_t *ids, char *p)
{
	static const char *const names[] = { "dir", "sub", "file.txt",
					     "abs-secret", "up-chain", "..",
					     "many", "f007", "fifo", "sock" };
	uint64_t id = ids[rnd() % 16], w[3] = { id, 0, 0 };
	size_t len = 8;

	switch (type) {
	case GOFER_T_ATTACH:
		w[0] = GOFER_PROTOCOL_VERSION;
		break;
	case GOFER_T_WALK:
		w[1] = rnd() % 3 + 1;
		len = 16;
		break;
	case GOFER_T_OPEN:
		w[1] = rnd() % 2 ? GOFER_OPEN_READ : rnd() % 16;
		len = 16;
		break;
	case GOFER_T_GETDENTS:
		w[1] = rnd() % 4 ? 0 : rnd();
		w[2] = rnd() % 2 ? rnd() % 512 : (uint32_t)rnd();
		len = 24;
		break;
	case GOFER_T_CLOSE:
		w[0] = 1;
		w[1] = id;
		len = 16;
		break;
	}
	memcpy(p, w, len);
	for (unsigned k = type == GOFER_T_WALK ? (unsigned)w[1] : 0; k > 0;
	     k--) {
		const char *nm = names[rnd() % 10];

		memcpy(p + len, nm, strlen(nm) + 1);
		len += strlen(nm) + 1;
	}
	return len;
}

/*
 * Random requests: mostly well-formed read-path requests on live, stale
 * and random node ids, a third of them then corrupted (a byte flipped,
 * cut short, junk appended), and any type. Every one gets a reply; the
 * Gofer survives (under its filter too) and still holds nothing outside
 * the root.
 */
static void test_hostile_fuzz(void **state)
{
	uint64_t ids[16];
	unsigned ok = 0;
	struct gofer g;
	char payload[512];
	int s;

	start_opts(&g, *(enum mode *)*state, 0, true);
	s = g.sock;
	for (int i = 0; i < 16; i++)
		ids[i] = i < 12 ? raw_attach(s) : rnd();
	for (int iter = 0; iter < 3000; iter++) {
		unsigned type = rnd() % 8 ? (unsigned)(rnd() % 7 + 1)
					  : (unsigned)(rnd() % 32);
		size_t len = fuzz_request(type, ids, payload);

		switch (rnd() % 6) {
		case 0:
			payload[rnd() % len] ^= (char)(1u << (rnd() % 8));
			break;
		case 1:
			len = (size_t)(rnd() % len);
			break;
		case 2:
			for (unsigned k = rnd() % 16 + 1; k > 0; k--)
				payload[len++] = (char)rnd();
			break;
		}
		if (raw_req(s, type, payload, len) == 0)
			ok++;
		/* Feed the ids with the nodes attaches and walks return. */
		if (rr.h.error == 0 && type == GOFER_T_ATTACH)
			memcpy(&ids[rnd() % 16], rr.payload, 8);
		if (rr.h.error == 0 && type == GOFER_T_WALK &&
		    rr.len >= sizeof(struct gofer_walk_rep) +
				      sizeof(struct gofer_walk_entry))
			memcpy(&ids[rnd() % 16],
			       rr.payload + sizeof(struct gofer_walk_rep), 8);
	}
	assert_true(ok > 300); /* deep enough to reach the handlers */
	still_serving(s, raw_attach(s));
	check_fds_inside(g.pid);
	stop(&g);
}

/* A client keeps working across many requests and when the Gofer dies. */
static void test_client_gofer_gone(void **state)
{
	struct gofer_stat st;
	struct gofer g;
	uint64_t root;
	int status;

	start(&g, state);
	root = attach(&g);
	kill(g.pid, SIGKILL);
	assert_int_equal(waitpid(g.pid, &status, 0), g.pid);
	running = 0;
	assert_int_equal(gofer_stat(g.c, root, &st), -EIO);
	assert_true(gofer_client_broken(g.c));
	assert_int_equal(gofer_stat(g.c, root, &st), -EIO);
	gofer_client_free(g.c);
}

#ifndef GOFER_TEST_NO_SECCOMP
/* The filter itself keeps a subverted Gofer read-only: opening for write
 * kills it, whatever the path. */
static void test_filter_denies_writes(void **state)
{
	static const int flags[] = { O_WRONLY, O_RDWR, O_RDONLY | O_CREAT,
				     O_RDONLY | O_TRUNC };
	int status;

	(void)state;
#ifdef __SANITIZE_ADDRESS__
	skip();
#endif
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			int fd;

			if (seccomp_filter_load(&seccomp_filter_gofer) != 0)
				_exit(3);
			fd = openat(fx.root_fd, "file.txt",
				    O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				_exit(4);
			openat(fx.root_fd, "file.txt", flags[i], 0644);
			_exit(0);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGSYS);
	}
}
#endif

#define BOTH(fn)                                                            \
	{ #fn, fn, NULL, reap_gofer, &mode_plain },                         \
		{ #fn " (seccomp)", fn, NULL, reap_gofer, &mode_seccomp }

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_attach_stat),
		BOTH(test_walk),
		BOTH(test_symlinks_not_followed),
		BOTH(test_open_read),
		BOTH(test_file_root),
		BOTH(test_open_out_of_fds),
		BOTH(test_getdents),
		BOTH(test_close),
		BOTH(test_node_limit),
		BOTH(test_read_only),
		BOTH(test_hostile_framing),
		BOTH(test_hostile_nodes),
		BOTH(test_hostile_names),
		BOTH(test_hostile_links_and_listings),
		BOTH(test_hostile_fds),
		BOTH(test_hostile_fuzz),
		{ "test_client_gofer_gone", test_client_gofer_gone, NULL,
		  reap_gofer, &mode_plain },
#ifndef GOFER_TEST_NO_SECCOMP
		cmocka_unit_test(test_filter_denies_writes),
#endif
	};

	/* The client's warnings about a dead Gofer are expected. */
	log_set_level(LOG_ERROR);
	return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}
