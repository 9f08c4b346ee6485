/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The overlay through the VFS, over two lower layers holding the same
 * tree: a tmpfs built in-process, and a host directory served by a real
 * (read-only) Gofer in a forked child, as the sandbox root is. Reads see
 * the lower files; writes, chmod, truncation, links and renames copy up
 * (data and metadata) and keep st_ino and st_dev; removals leave
 * whiteouts; rmdir then mkdir gives an opaque directory; lower
 * directories do not move (EXDEV); listings merge with d_ino == st_ino;
 * a description opened before a copy-up moves to the upper file; a second
 * overlay over the same layers sees the same files and numbers. After
 * every test the lower layer is exactly as it was (and, for the Gofer's,
 * the host directory too).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "gen/linux_flags.h"
#include "gofer/client.h"
#include "gofer/server.h"
#include "sentry/abi/dirent.h"
#include "sentry/fs/fs.h"
#include "sentry/fs/goferfs.h"
#include "sentry/fs/overlay.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/vfs/vfs.h"

#define SPARSE_SIZE (3u << 20)

enum lower_kind { LOWER_TMPFS, LOWER_GOFER };
static enum lower_kind kind_tmpfs = LOWER_TMPFS, kind_gofer = LOWER_GOFER;

static struct {
	struct kernel k;
	/* The Gofer's host tree and connection (LOWER_GOFER). */
	char base[64], root[128];
	pid_t gofer;
	struct gofer_client *c;
	char *host_snap;
	/* Per test. */
	enum lower_kind kind;
	struct superblock *lower, *upper, *ovl;
	struct task t;	 /* in the overlay */
	struct task low; /* in the lower layer alone */
	struct creds user;
	bool host_xattrs; /* the host tree's filesystem has user.* */
} fx;

static struct task *T = &fx.t;

/* ---- helpers on a task ---- */

static int open_(struct task *t, const char *path, uint32_t flags,
		 uint32_t mode, struct file **f)
{
	return vfs_open(t, LINUX_AT_FDCWD, path, flags, mode, f);
}

static struct file *must_open(struct task *t, const char *path,
			      uint32_t flags)
{
	struct file *f;
	int err = open_(t, path, flags, 0644, &f);

	if (err)
		fail_msg("open %s: %s", path, strerror(-err));
	return f;
}

static ssize_t pwrite_(struct file *f, const char *s, size_t n, int64_t off)
{
	struct linux_iovec seg;
	struct vfs_uio uio;

	vfs_uio_init_sentry(&uio, &seg, (void *)s, n);
	return vfs_write(f, &uio, off < 0 ? NULL : &off);
}

/* The whole content of a file as a string (static buffer). */
static const char *slurp(struct task *t, const char *path)
{
	static char buf[8192];
	struct file *f = must_open(t, path, LINUX_O_RDONLY);
	ssize_t n = vfs_file_pread(f, buf, sizeof(buf) - 1, 0);

	file_put(f);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static void put(struct task *t, const char *path, const char *s,
		uint32_t mode)
{
	struct file *f;

	assert_int_equal(open_(t, path,
			       LINUX_O_WRONLY | LINUX_O_CREAT | LINUX_O_TRUNC,
			       mode, &f),
			 0);
	assert_int_equal(pwrite_(f, s, strlen(s), 0), (ssize_t)strlen(s));
	file_put(f);
}

static int stat_(struct task *t, const char *path, bool follow,
		 struct kstat *st)
{
	struct path p;
	int err = vfs_lookup(t, LINUX_AT_FDCWD, path,
			     follow ? LOOKUP_FOLLOW : 0, &p);

	if (err)
		return err;
	err = vfs_getattr(&p, st);
	path_put(&p);
	return err;
}

static struct kstat must_stat(struct task *t, const char *path)
{
	struct kstat st;
	int err = stat_(t, path, false, &st);

	if (err)
		fail_msg("stat %s: %s", path, strerror(-err));
	return st;
}

static int chmod_(struct task *t, const char *path, uint32_t mode)
{
	struct path p;
	int err = vfs_lookup(t, LINUX_AT_FDCWD, path, 0, &p);

	if (!err) {
		err = vfs_chmod(t, &p, mode);
		path_put(&p);
	}
	return err;
}

struct names {
	struct dir_ctx ctx;
	char list[4096]; /* "a b c" in listing order */
	struct task *t;
	const char *dir;
};

/* Each entry's d_ino is what stat gives its name. */
static bool names_emit(struct dir_ctx *ctx, const char *name, size_t len,
		       uint64_t ino, unsigned type, int64_t next)
{
	struct names *n = (struct names *)ctx;
	char path[PATH_MAX];
	struct kstat st;

	(void)next;
	if ((len == 1 && name[0] == '.') || (len == 2 && !strncmp(name, "..", 2)))
		return true;
	snprintf(path, sizeof(path), "%s/%.*s", n->dir, (int)len, name);
	st = must_stat(n->t, path);
	if (st.ino != ino)
		fail_msg("%s: d_ino %llu, st_ino %llu", path,
			 (unsigned long long)ino, (unsigned long long)st.ino);
	assert_int_equal(type, linux_mode_to_dtype(st.mode));
	if (n->list[0])
		strcat(n->list, " ");
	strncat(n->list, name, len);
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of a directory, space-separated (static buffer). */
static const char *ls(struct task *t, const char *dir)
{
	static struct names n;
	static char out[4096];
	char *v[256], *save = NULL;
	size_t k = 0;
	struct file *f = must_open(t, dir, LINUX_O_RDONLY | LINUX_O_DIRECTORY);

	memset(&n, 0, sizeof(n));
	n.ctx.emit = names_emit;
	n.t = t;
	n.dir = strcmp(dir, "/") ? dir : "";
	assert_int_equal(vfs_getdents(f, &n.ctx), 0);
	file_put(f);
	for (char *w = strtok_r(n.list, " ", &save); w && k < 256;
	     w = strtok_r(NULL, " ", &save))
		v[k++] = w;
	qsort(v, k, sizeof(v[0]), cmp_str);
	out[0] = '\0';
	for (size_t i = 0; i < k; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, v[i]);
	}
	return out;
}

/* ---- the lower tree ---- */

/* The same tree in the tmpfs lower (through the VFS) and on the host
 * (for the Gofer). */
static void build_tree(struct task *t)
{
	struct file *f;

	assert_int_equal(vfs_mkdir(t, LINUX_AT_FDCWD, "/etc", 0755), 0);
	put(t, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644);
	put(t, "/etc/hosts", "127.0.0.1 localhost\n", 0644);
	{
		struct path p;

		assert_int_equal(vfs_lookup(t, LINUX_AT_FDCWD, "/etc/hosts",
					    0, &p),
				 0);
		assert_int_equal(vfs_setxattr(t, &p, "user.origin", "lower",
					      5, 0),
				 0);
		path_put(&p);
	}
	put(t, "/etc/shadow", "root:*:1::::::\n", 0600);
	assert_int_equal(vfs_mkdir(t, LINUX_AT_FDCWD, "/bin", 0755), 0);
	put(t, "/bin/tool", "#!/bin/sh\n", 0755);
	assert_int_equal(chmod_(t, "/bin/tool", 04755), 0);
	assert_int_equal(vfs_mkdir(t, LINUX_AT_FDCWD, "/dir", 0755), 0);
	put(t, "/dir/a", "a\n", 0644);
	put(t, "/dir/b", "b\n", 0644);
	assert_int_equal(vfs_mkdir(t, LINUX_AT_FDCWD, "/dir/sub", 0755), 0);
	put(t, "/dir/sub/c", "c\n", 0644);
	assert_int_equal(vfs_mkdir(t, LINUX_AT_FDCWD, "/empty", 0755), 0);
	assert_int_equal(vfs_symlink(t, "/etc/passwd", LINUX_AT_FDCWD, "/link"),
			 0);
	assert_int_equal(vfs_symlink(t, "etc/hosts", LINUX_AT_FDCWD, "/rel"),
			 0);
	assert_int_equal(vfs_mknod(t, LINUX_AT_FDCWD, "/fifo",
				   LINUX_S_IFIFO | 0644, 0),
			 0);
	put(t, "/h1", "hl\n", 0644);
	assert_int_equal(vfs_link(t, LINUX_AT_FDCWD, "/h1", LINUX_AT_FDCWD,
				  "/h2", 0),
			 0);
	assert_int_equal(open_(t, "/sparse", LINUX_O_WRONLY | LINUX_O_CREAT,
			       0644, &f),
			 0);
	assert_int_equal(pwrite_(f, "end", 3, SPARSE_SIZE - 3), 3);
	file_put(f);
	assert_int_equal(vfs_mkdir(t, LINUX_AT_FDCWD, "/ro", 0755), 0);
	put(t, "/ro/f", "f\n", 0444);
	assert_int_equal(chmod_(t, "/ro", 0555), 0);
}

/* What the lower layer must still hold after any test. */
static void assert_lower_intact(void)
{
	struct task *l = &fx.low;
	struct kstat st;

	assert_string_equal(slurp(l, "/etc/passwd"),
			    "root:x:0:0:root:/root:/bin/sh\n");
	assert_string_equal(slurp(l, "/etc/hosts"), "127.0.0.1 localhost\n");
	assert_string_equal(slurp(l, "/dir/a"), "a\n");
	assert_string_equal(slurp(l, "/dir/sub/c"), "c\n");
	assert_string_equal(slurp(l, "/h2"), "hl\n");
	assert_string_equal(ls(l, "/dir"), "a b sub");
	assert_string_equal(ls(l, "/empty"), "");
	assert_string_equal(ls(l, "/"), "bin dir empty etc fifo h1 h2 link "
					"rel ro sparse");
	st = must_stat(l, "/etc/hosts");
	assert_int_equal(st.mode, LINUX_S_IFREG | 0644);
	st = must_stat(l, "/bin/tool");
	assert_int_equal(st.mode, LINUX_S_IFREG | 04755);
	st = must_stat(l, "/h1");
	assert_int_equal(st.nlink, 2);
	st = must_stat(l, "/sparse");
	assert_int_equal(st.size, SPARSE_SIZE);
}

/* ---- fixtures ---- */

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static char *snap_buf;
static size_t snap_len;

static int snap_one(const char *p, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	char line[PATH_MAX + 200];
	int n;

	(void)flag, (void)ftw;
	n = snprintf(line, sizeof(line), "%s %o %lld %lu %lld.%09ld\n", p,
		     st->st_mode, (long long)st->st_size,
		     (unsigned long)st->st_nlink, (long long)st->st_mtim.tv_sec,
		     st->st_mtim.tv_nsec);
	snap_buf = realloc(snap_buf, snap_len + (size_t)n + 1);
	memcpy(snap_buf + snap_len, line, (size_t)n + 1);
	snap_len += (size_t)n;
	return 0;
}

static char *host_snapshot(void)
{
	snap_buf = NULL;
	snap_len = 0;
	assert_int_equal(nftw(fx.base, snap_one, 16, FTW_PHYS), 0);
	return snap_buf;
}

/* The host tree the Gofer serves: built by the VFS code above on a tmpfs
 * mounted as root, then copied out by a plain walk would be roundabout;
 * the same tree is made directly with host calls. */
static void build_host_tree(void)
{
	char p[PATH_MAX];
	int fd;

#define H(rel) (snprintf(p, sizeof(p), "%s/%s", fx.root, rel), p)
#define PUT(rel, s, m)                                                      \
	do {                                                                \
		fd = open(H(rel), O_WRONLY | O_CREAT | O_EXCL, m);          \
		assert_true(fd >= 0);                                       \
		assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s)); \
		close(fd);                                                  \
	} while (0)
	assert_int_equal(mkdir(fx.root, 0755), 0);
	assert_int_equal(mkdir(H("etc"), 0755), 0);
	PUT("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644);
	PUT("etc/hosts", "127.0.0.1 localhost\n", 0644);
	fx.host_xattrs = setxattr(H("etc/hosts"), "user.origin", "lower", 5,
				  0) == 0;
	PUT("etc/shadow", "root:*:1::::::\n", 0600);
	assert_int_equal(mkdir(H("bin"), 0755), 0);
	PUT("bin/tool", "#!/bin/sh\n", 0755);
	assert_int_equal(chmod(H("bin/tool"), 04755), 0);
	assert_int_equal(mkdir(H("dir"), 0755), 0);
	PUT("dir/a", "a\n", 0644);
	PUT("dir/b", "b\n", 0644);
	assert_int_equal(mkdir(H("dir/sub"), 0755), 0);
	PUT("dir/sub/c", "c\n", 0644);
	assert_int_equal(mkdir(H("empty"), 0755), 0);
	assert_int_equal(symlink("/etc/passwd", H("link")), 0);
	assert_int_equal(symlink("etc/hosts", H("rel")), 0);
	assert_int_equal(mkfifo(H("fifo"), 0644), 0);
	PUT("h1", "hl\n", 0644);
	{
		char q[PATH_MAX];

		snprintf(q, sizeof(q), "%s/h2", fx.root);
		assert_int_equal(link(H("h1"), q), 0);
	}
	fd = open(H("sparse"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "end", 3, SPARSE_SIZE - 3), 3);
	close(fd);
	assert_int_equal(mkdir(H("ro"), 0755), 0);
	PUT("ro/f", "f\n", 0444);
	assert_int_equal(chmod(H("ro"), 0555), 0);
#undef PUT
#undef H
}

static int group_setup(void **state)
{
	struct gofer_options o = GOFER_OPTIONS_INIT;
	int sv[2], root_fd;

	(void)state;
	kernel = &fx.k;
	pthread_mutex_init(&fx.k.lock, NULL);
	if (memfile_new(1ULL << 30, &fx.k.memfile))
		return -1;
	mm_init(fx.k.memfile, NULL);
	if (vfs_init())
		return -1;
	tmpfs_register();
	/* The Gofer of the host tree, for the LOWER_GOFER group. */
	strcpy(fx.base, "/tmp/cvisor-overlay-XXXXXX");
	if (!mkdtemp(fx.base))
		return -1;
	snprintf(fx.root, sizeof(fx.root), "%s/root", fx.base);
	build_host_tree();
	fx.host_snap = host_snapshot();
	root_fd = open(fx.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -1;
	fx.gofer = fork();
	if (fx.gofer == 0) {
		close(sv[0]);
		_exit(gofer_serve(sv[1], root_fd, &o) ? 1 : 0);
	}
	close(sv[1]);
	close(root_fd);
	fx.c = gofer_client_new(sv[0]);
	kernel_lock();
	return fx.c ? 0 : -1;
}

static int group_teardown(void **state)
{
	int status;

	(void)state;
	kernel_unlock();
	gofer_client_free(fx.c);
	waitpid(fx.gofer, &status, 0);
	nftw(fx.base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(fx.host_snap);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* A task rooted at the given mount's root, with root's credentials. */
static void task_at(struct task *t, struct mount *m)
{
	struct path root = { m, m->root };

	memset(t, 0, sizeof(*t));
	assert_int_equal(fs_context_new(&root, &t->fs), 0);
}

/* A fresh lower (tmpfs built now, or the Gofer's), a fresh empty upper,
 * the overlay mounted as the root; T works in it, fx.low in the lower. */
static int test_setup(void **state)
{
	fx.kind = *(enum lower_kind *)*state;
	if (fx.kind == LOWER_TMPFS) {
		assert_int_equal(tmpfs_new(0755, 0, 0, &fx.lower), 0);
		assert_int_equal(vfs_mount_root(fx.lower, 0, "lower"), 0);
		task_at(&fx.low, kernel->root_mount);
		build_tree(&fx.low);
	} else {
		assert_int_equal(goferfs_new(fx.c, 0, &fx.lower), 0);
		assert_int_equal(vfs_mount_root(fx.lower, MNT_RDONLY, "lower"),
				 0);
		task_at(&fx.low, kernel->root_mount);
	}
	assert_int_equal(tmpfs_new(0755, 0, 0, &fx.upper), 0);
	assert_int_equal(overlay_new(fx.upper, fx.lower, &fx.ovl), 0);
	assert_int_equal(vfs_mount_root(fx.ovl, 0, "overlay"), 0);
	task_at(&fx.t, kernel->root_mount);
	fx.user = (struct creds){ .refs = 1, .uid = 1000, .euid = 1000,
				  .suid = 1000, .fsuid = 1000, .gid = 1000,
				  .egid = 1000, .sgid = 1000, .fsgid = 1000 };
	return 0;
}

static int test_teardown(void **state)
{
	(void)state;
	assert_lower_intact();
	if (fx.kind == LOWER_GOFER) {
		char *now = host_snapshot();

		if (strcmp(now, fx.host_snap))
			fail_msg("the host tree changed:\n%s\nnow:\n%s",
				 fx.host_snap, now);
		free(now);
	}
	fs_context_put(fx.t.fs);
	fs_context_put(fx.low.fs);
	superblock_put(fx.ovl);
	superblock_put(fx.upper);
	superblock_put(fx.lower);
	return 0;
}

/* ---- tests ---- */

/* Lower files read as they are, with the overlay's st_dev and the lower
 * file's inode number (the lower root's filesystem keeps its numbers). */
static void test_read(void **state)
{
	struct kstat st, lst;
	char buf[64];
	struct path p;

	(void)state;
	assert_string_equal(slurp(T, "/etc/passwd"),
			    "root:x:0:0:root:/root:/bin/sh\n");
	assert_string_equal(slurp(T, "/link"), slurp(&fx.low, "/etc/passwd"));
	assert_string_equal(slurp(T, "/rel"), "127.0.0.1 localhost\n");
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/link", 0, &p), 0);
	assert_int_equal(vfs_readlink(&p, buf, sizeof(buf)), 11);
	path_put(&p);
	st = must_stat(T, "/etc/passwd");
	lst = must_stat(&fx.low, "/etc/passwd");
	assert_int_equal(st.dev, fx.ovl->dev);
	assert_int_equal(st.ino, lst.ino);
	assert_int_equal(st.mode, lst.mode);
	assert_int_equal(st.size, lst.size);
	assert_int_equal(st.mtime.tv_sec, lst.mtime.tv_sec);
	st = must_stat(T, "/");
	assert_int_equal(st.ino, must_stat(&fx.low, "/").ino);
	assert_string_equal(ls(T, "/"), "bin dir empty etc fifo h1 h2 link rel "
					"ro sparse");
	assert_string_equal(ls(T, "/dir"), "a b sub");
	/* Hard links of the lower layer are one file. */
	assert_int_equal(must_stat(T, "/h1").ino, must_stat(T, "/h2").ino);
	assert_int_equal(must_stat(T, "/h1").nlink, 2);
}

/* The first write copies the file up, data and metadata; its number and
 * device do not change, nor its directory's. */
static void test_copy_up_write(void **state)
{
	struct kstat before = must_stat(T, "/etc/passwd"), after;
	struct kstat dir_before = must_stat(T, "/etc");
	struct file *f;

	(void)state;
	f = must_open(T, "/etc/passwd", LINUX_O_WRONLY | LINUX_O_APPEND);
	assert_int_equal(pwrite_(f, "x:1:1::/:/bin/sh\n", 17, -1), 17);
	file_put(f);
	assert_string_equal(slurp(T, "/etc/passwd"),
			    "root:x:0:0:root:/root:/bin/sh\nx:1:1::/:/bin/sh\n");
	after = must_stat(T, "/etc/passwd");
	assert_int_equal(after.ino, before.ino);
	assert_int_equal(after.dev, before.dev);
	assert_int_equal(after.mode, before.mode);
	assert_int_equal(after.uid, before.uid);
	assert_int_equal(after.size, before.size + 17);
	assert_int_equal(must_stat(T, "/etc").ino, dir_before.ino);
	/* The other files of the directory are still the lower's. */
	assert_string_equal(slurp(T, "/etc/hosts"), "127.0.0.1 localhost\n");
	assert_string_equal(ls(T, "/etc"), "hosts passwd shadow");
	/* A big sparse file copies (its holes stay holes). */
	f = must_open(T, "/sparse", LINUX_O_RDWR);
	assert_int_equal(pwrite_(f, "S", 1, 0), 1);
	{
		char end[4] = { 0 };

		assert_int_equal(vfs_file_pread(f, end, 3, SPARSE_SIZE - 3), 3);
		assert_string_equal(end, "end");
	}
	file_put(f);
	assert_int_equal(must_stat(T, "/sparse").size, SPARSE_SIZE);
}

/* chmod, chown, utimes copy up; set-ID bits survive the copy; a symlink
 * is copied as a symlink. */
static void test_copy_up_metadata(void **state)
{
	struct kstat before = must_stat(T, "/etc/hosts"), st;
	struct iattr a = { .valid = ATTR_ATIME | ATTR_MTIME,
			   .atime = { 1000, 1 },
			   .mtime = { 2000, 2 } };
	struct path p;

	(void)state;
	assert_int_equal(chmod_(T, "/etc/hosts", 0600), 0);
	st = must_stat(T, "/etc/hosts");
	assert_int_equal(st.mode, LINUX_S_IFREG | 0600);
	assert_int_equal(st.ino, before.ino);
	assert_string_equal(slurp(T, "/etc/hosts"), "127.0.0.1 localhost\n");
	/* utimes of the setuid tool: its mode is kept whole. */
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/bin/tool", 0, &p), 0);
	assert_int_equal(vfs_setattr(T, &p, &a), 0);
	path_put(&p);
	st = must_stat(T, "/bin/tool");
	assert_int_equal(st.mode, LINUX_S_IFREG | 04755);
	assert_int_equal(st.mtime.tv_sec, 2000);
	assert_int_equal(st.mtime.tv_nsec, 2);
	/* lchown of a symlink: the link, not /etc/passwd. */
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/link", 0, &p), 0);
	assert_int_equal(vfs_chown(T, &p, 7, 8), 0);
	path_put(&p);
	st = must_stat(T, "/link");
	assert_true(LINUX_S_ISLNK(st.mode));
	assert_int_equal(st.uid, 7);
	assert_int_equal(must_stat(T, "/etc/passwd").uid, 0);
	assert_string_equal(slurp(T, "/link"),
			    "root:x:0:0:root:/root:/bin/sh\n");
}

/* A lower file's user.* attributes read through the overlay, and go
 * with it to the upper copy that a new attribute makes; the lower file
 * keeps only its own. */
static void test_xattrs(void **state)
{
	char buf[64];
	struct path p;
	long n;

	(void)state;
	if (fx.kind == LOWER_GOFER && !fx.host_xattrs)
		skip();
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/etc/hosts", 0, &p),
			 0);
	assert_int_equal(vfs_getxattr(T, &p, "user.origin", buf, sizeof(buf)),
			 5);
	assert_memory_equal(buf, "lower", 5);
	n = vfs_listxattr(T, &p, buf, sizeof(buf));
	assert_int_equal(n, sizeof("user.origin"));
	assert_int_equal(vfs_setxattr(T, &p, "user.new", "up", 2, 0), 0);
	path_put(&p);
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/etc/hosts", 0, &p),
			 0);
	assert_int_equal(vfs_getxattr(T, &p, "user.origin", buf, sizeof(buf)),
			 5);
	assert_int_equal(vfs_getxattr(T, &p, "user.new", buf, sizeof(buf)),
			 2);
	assert_int_equal(vfs_removexattr(T, &p, "user.origin"), 0);
	assert_int_equal(vfs_getxattr(T, &p, "user.origin", buf, sizeof(buf)),
			 -ENODATA);
	path_put(&p);
	assert_string_equal(slurp(T, "/etc/hosts"), "127.0.0.1 localhost\n");
	/* The lower file is untouched. */
	assert_int_equal(vfs_lookup(&fx.low, LINUX_AT_FDCWD, "/etc/hosts", 0,
				    &p),
			 0);
	assert_int_equal(vfs_getxattr(&fx.low, &p, "user.origin", buf,
				      sizeof(buf)),
			 5);
	assert_int_equal(vfs_getxattr(&fx.low, &p, "user.new", buf,
				      sizeof(buf)),
			 -ENODATA);
	path_put(&p);
}

/* O_TRUNC of a lower file copies the metadata only, and truncate(2)
 * copies what stays. */
static void test_truncate(void **state)
{
	struct kstat before = must_stat(T, "/etc/hosts");
	struct file *f;
	struct path p;

	(void)state;
	f = must_open(T, "/etc/hosts", LINUX_O_WRONLY | LINUX_O_TRUNC);
	assert_int_equal(pwrite_(f, "::1 h\n", 6, -1), 6);
	file_put(f);
	assert_string_equal(slurp(T, "/etc/hosts"), "::1 h\n");
	assert_int_equal(must_stat(T, "/etc/hosts").ino, before.ino);
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/etc/passwd", 0, &p),
			 0);
	assert_int_equal(vfs_truncate(T, &p, 4), 0);
	path_put(&p);
	assert_string_equal(slurp(T, "/etc/passwd"), "root");
}

/* A removed lower name leaves a whiteout: gone from lookups and
 * listings; a new file of that name is a new file. */
static void test_unlink_whiteout(void **state)
{
	struct kstat old = must_stat(T, "/dir/a"), st;

	(void)state;
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/dir/a"), 0);
	assert_int_equal(stat_(T, "/dir/a", false, &st), -ENOENT);
	assert_string_equal(ls(T, "/dir"), "b sub");
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/dir/a"), -ENOENT);
	put(T, "/dir/a", "new\n", 0640);
	assert_string_equal(slurp(T, "/dir/a"), "new\n");
	st = must_stat(T, "/dir/a");
	assert_int_not_equal(st.ino, old.ino);
	assert_int_equal(st.mode, LINUX_S_IFREG | 0640);
	assert_string_equal(ls(T, "/dir"), "a b sub");
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/dir/a"), 0);
	assert_string_equal(ls(T, "/dir"), "b sub");
	/* A symlink and a FIFO go the same way. */
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/link"), 0);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/fifo"), 0);
	assert_int_equal(stat_(T, "/link", false, &st), -ENOENT);
	/* A file replaced by a directory of the same name. */
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/etc/hosts"), 0);
	assert_int_equal(vfs_mkdir(T, LINUX_AT_FDCWD, "/etc/hosts", 0700), 0);
	assert_string_equal(ls(T, "/etc/hosts"), "");
	assert_true(LINUX_S_ISDIR(must_stat(T, "/etc/hosts").mode));
}

/* rmdir of a merged directory once its entries are gone; mkdir then
 * gives an opaque directory, empty whatever the lower holds. */
static void test_rmdir_opaque(void **state)
{
	(void)state;
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/dir"), -ENOTEMPTY);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/dir/a"), 0);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/dir/b"), 0);
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/dir"), -ENOTEMPTY);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/dir/sub/c"), 0);
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/dir/sub"), 0);
	assert_string_equal(ls(T, "/dir"), "");
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/dir"), 0);
	assert_string_equal(ls(T, "/"), "bin empty etc fifo h1 h2 link rel ro "
					"sparse");
	assert_int_equal(vfs_mkdir(T, LINUX_AT_FDCWD, "/dir", 0700), 0);
	assert_string_equal(ls(T, "/dir"), "");
	put(T, "/dir/x", "x\n", 0644);
	assert_string_equal(ls(T, "/dir"), "x");
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/dir/sub", 0,
				    &(struct path){ 0 }),
			 -ENOENT);
	/* An empty lower directory goes at once. */
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/empty"), 0);
	assert_int_equal(vfs_mkdir(T, LINUX_AT_FDCWD, "/empty", 0755), 0);
	assert_string_equal(ls(T, "/empty"), "");
}

static void test_rename(void **state)
{
	struct kstat hosts = must_stat(T, "/etc/hosts");
	struct kstat pw = must_stat(T, "/etc/passwd");
	struct kstat h1 = must_stat(T, "/h1"), st;

	(void)state;
	/* A lower file moves with its number; its old name is gone. */
	assert_int_equal(vfs_rename(T, LINUX_AT_FDCWD, "/etc/hosts",
				    LINUX_AT_FDCWD, "/dir/hosts", 0),
			 0);
	assert_string_equal(slurp(T, "/dir/hosts"), "127.0.0.1 localhost\n");
	assert_int_equal(must_stat(T, "/dir/hosts").ino, hosts.ino);
	assert_int_equal(stat_(T, "/etc/hosts", false, &st), -ENOENT);
	assert_string_equal(ls(T, "/etc"), "passwd shadow");
	/* Lower directories stay put, as overlayfs without redirect_dir. */
	assert_int_equal(vfs_rename(T, LINUX_AT_FDCWD, "/dir", LINUX_AT_FDCWD,
				    "/dir2", 0),
			 -EXDEV);
	/* A new directory may move, even over an empty lower one, which it
	 * then hides. */
	assert_int_equal(vfs_mkdir(T, LINUX_AT_FDCWD, "/new", 0755), 0);
	put(T, "/new/f", "f\n", 0644);
	assert_int_equal(vfs_rename(T, LINUX_AT_FDCWD, "/new", LINUX_AT_FDCWD,
				    "/empty", 0),
			 0);
	assert_string_equal(ls(T, "/empty"), "f");
	assert_int_equal(vfs_rename(T, LINUX_AT_FDCWD, "/empty", LINUX_AT_FDCWD,
				    "/dir", 0),
			 -ENOTEMPTY);
	/* NOREPLACE and EXCHANGE. */
	assert_int_equal(vfs_rename(T, LINUX_AT_FDCWD, "/h1", LINUX_AT_FDCWD,
				    "/etc/passwd", LINUX_RENAME_NOREPLACE),
			 -EEXIST);
	assert_int_equal(vfs_rename(T, LINUX_AT_FDCWD, "/h1", LINUX_AT_FDCWD,
				    "/etc/passwd", LINUX_RENAME_EXCHANGE),
			 0);
	assert_string_equal(slurp(T, "/h1"), "root:x:0:0:root:/root:/bin/sh\n");
	assert_string_equal(slurp(T, "/etc/passwd"), "hl\n");
	assert_int_equal(must_stat(T, "/h1").ino, pw.ino);
	assert_int_equal(must_stat(T, "/etc/passwd").ino, h1.ino);
	/* Over an existing lower file. */
	assert_int_equal(vfs_rename(T, LINUX_AT_FDCWD, "/dir/b", LINUX_AT_FDCWD,
				    "/etc/shadow", 0),
			 0);
	assert_string_equal(slurp(T, "/etc/shadow"), "b\n");
	assert_string_equal(ls(T, "/dir"), "a hosts sub");
}

/* A hard link of a lower file links its upper copy; the lower layer's
 * own hard links part once one is copied up (overlayfs without index). */
static void test_links(void **state)
{
	struct kstat st;
	struct file *f;

	(void)state;
	assert_int_equal(vfs_link(T, LINUX_AT_FDCWD, "/etc/passwd",
				  LINUX_AT_FDCWD, "/dir/pw", 0),
			 0);
	st = must_stat(T, "/dir/pw");
	assert_int_equal(st.nlink, 2);
	assert_int_equal(st.ino, must_stat(T, "/etc/passwd").ino);
	f = must_open(T, "/dir/pw", LINUX_O_WRONLY | LINUX_O_APPEND);
	assert_int_equal(pwrite_(f, "+\n", 2, -1), 2);
	file_put(f);
	assert_string_equal(slurp(T, "/etc/passwd"),
			    "root:x:0:0:root:/root:/bin/sh\n+\n");
	f = must_open(T, "/h1", LINUX_O_WRONLY | LINUX_O_APPEND);
	assert_int_equal(pwrite_(f, "1\n", 2, -1), 2);
	file_put(f);
	assert_string_equal(slurp(T, "/h1"), "hl\n1\n");
	assert_string_equal(slurp(T, "/h2"), "hl\n");
	/* Symlinks and O_TMPFILE files get names too. */
	assert_int_equal(vfs_symlink(T, "../etc/passwd", LINUX_AT_FDCWD,
				     "/dir/l"),
			 0);
	assert_string_equal(slurp(T, "/dir/l"),
			    "root:x:0:0:root:/root:/bin/sh\n+\n");
	/* An O_TMPFILE file lives in the upper layer, unnamed. */
	assert_int_equal(open_(T, "/etc", LINUX_O_TMPFILE | LINUX_O_RDWR, 0600,
			       &f),
			 0);
	assert_int_equal(pwrite_(f, "tmp\n", 4, 0), 4);
	assert_int_equal(vfs_getattr(&f->path, &st), 0);
	assert_int_equal(st.nlink, 0);
	assert_int_equal(st.size, 4);
	file_put(f);
	assert_string_equal(ls(T, "/etc"), "hosts passwd shadow");
}

/* Listings merge in order, d_ino == st_ino for each, and offsets
 * survive; a rewind shows what changed. */
static void test_readdir(void **state)
{
	struct names n;
	struct file *f;
	int64_t mid;

	(void)state;
	put(T, "/dir/new", "n\n", 0644);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/dir/b"), 0);
	assert_int_equal(vfs_mkdir(T, LINUX_AT_FDCWD, "/dir/d", 0755), 0);
	assert_string_equal(ls(T, "/dir"), "a d new sub");
	f = must_open(T, "/dir", LINUX_O_RDONLY | LINUX_O_DIRECTORY);
	memset(&n, 0, sizeof(n));
	n.ctx.emit = names_emit;
	n.t = T;
	n.dir = "/dir";
	assert_int_equal(vfs_getdents(f, &n.ctx), 0);
	mid = 4; /* ".", "..", and two entries */
	assert_int_equal(f->ops->llseek(f, mid, LINUX_SEEK_SET), mid);
	memset(n.list, 0, sizeof(n.list));
	assert_int_equal(vfs_getdents(f, &n.ctx), 0);
	assert_int_equal(strchr(n.list, ' ') - n.list > 0, 1);
	put(T, "/dir/late", "l\n", 0644);
	assert_int_equal(f->ops->llseek(f, 0, LINUX_SEEK_SET), 0);
	memset(n.list, 0, sizeof(n.list));
	assert_int_equal(vfs_getdents(f, &n.ctx), 0);
	assert_non_null(strstr(n.list, "late"));
	file_put(f);
}

/* A description opened before another copies the file up moves to the
 * upper file; a mapping made before keeps the lower pages. */
static void test_open_across_copy_up(void **state)
{
	struct file *ro, *rw;
	struct mappable *before, *after;
	char buf[8] = { 0 };

	(void)state;
	ro = must_open(T, "/etc/passwd", LINUX_O_RDONLY);
	assert_int_equal(ro->ops->mmap(ro, &before), 0);
	rw = must_open(T, "/etc/passwd", LINUX_O_RDWR);
	assert_int_equal(pwrite_(rw, "ROOT", 4, 0), 4);
	assert_int_equal(vfs_file_pread(ro, buf, 4, 0), 4);
	assert_string_equal(buf, "ROOT");
	assert_int_equal(ro->ops->mmap(ro, &after), 0);
	assert_ptr_not_equal(before, after);
	assert_int_equal(mappable_read(after, 0, buf, 4), 4);
	assert_string_equal(buf, "ROOT");
	assert_int_equal(mappable_read(before, 0, buf, 4), 4);
	assert_string_equal(buf, "root");
	mappable_put(before);
	mappable_put(after);
	file_put(ro);
	file_put(rw);
	/* A removed lower file still open can change: an unnamed copy. */
	ro = must_open(T, "/etc/hosts", LINUX_O_RDONLY);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/etc/hosts"), 0);
	{
		struct kstat st;

		assert_int_equal(vfs_getattr(&ro->path, &st), 0);
		assert_int_equal(st.nlink, 0);
		assert_int_equal(vfs_chmod(T, &ro->path, 0600), 0);
		assert_int_equal(vfs_getattr(&ro->path, &st), 0);
		assert_int_equal(st.mode, LINUX_S_IFREG | 0600);
		assert_int_equal(st.nlink, 0);
	}
	assert_int_equal(vfs_file_pread(ro, buf, 4, 0), 4);
	assert_memory_equal(buf, "127.", 4);
	file_put(ro);
}

/* Another overlay over the same layers (the inodes found anew, as after
 * the dentry cache let them go) sees the same files and numbers. */
static void test_same_layers_again(void **state)
{
	struct kstat pw, dir;
	struct superblock *again;
	struct task t2;
	struct file *f;

	(void)state;
	f = must_open(T, "/etc/passwd", LINUX_O_WRONLY | LINUX_O_APPEND);
	assert_int_equal(pwrite_(f, "+\n", 2, -1), 2);
	file_put(f);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/dir/a"), 0);
	assert_int_equal(vfs_rename(T, LINUX_AT_FDCWD, "/h1", LINUX_AT_FDCWD,
				    "/dir/h1", 0),
			 0);
	pw = must_stat(T, "/etc/passwd");
	dir = must_stat(T, "/dir");
	assert_int_equal(overlay_new(fx.upper, fx.lower, &again), 0);
	assert_int_equal(vfs_mount_root(again, 0, "again"), 0);
	task_at(&t2, kernel->root_mount);
	assert_int_equal(must_stat(&t2, "/etc/passwd").ino, pw.ino);
	assert_int_equal(must_stat(&t2, "/dir").ino, dir.ino);
	assert_int_equal(must_stat(&t2, "/dir/h1").ino,
			 must_stat(T, "/dir/h1").ino);
	assert_string_equal(slurp(&t2, "/etc/passwd"),
			    "root:x:0:0:root:/root:/bin/sh\n+\n");
	assert_string_equal(ls(&t2, "/dir"), "b h1 sub");
	fs_context_put(t2.fs);
	superblock_put(again);
}

/* FIFOs open on the overlay inode; device nodes are made in the upper
 * layer, but never a 0/0 one (the whiteout marker). */
static void test_special(void **state)
{
	struct file *f;
	struct kstat st;

	(void)state;
	f = must_open(T, "/fifo", LINUX_O_RDONLY | LINUX_O_NONBLOCK);
	file_put(f);
	assert_int_equal(chmod_(T, "/fifo", 0600), 0);
	st = must_stat(T, "/fifo");
	assert_int_equal(st.mode, LINUX_S_IFIFO | 0600);
	assert_int_equal(vfs_mknod(T, LINUX_AT_FDCWD, "/wh", LINUX_S_IFCHR, 0),
			 -EPERM);
	assert_int_equal(vfs_mknod(T, LINUX_AT_FDCWD, "/null",
				   LINUX_S_IFCHR | 0666, linux_makedev(1, 3)),
			 0);
	st = must_stat(T, "/null");
	assert_int_equal(st.rdev, linux_makedev(1, 3));
	assert_int_equal(vfs_mknod(T, LINUX_AT_FDCWD, "/sock",
				   LINUX_S_IFSOCK | 0600, 0),
			 0);
}

/* Permissions are the lower file's, and a refused write copies nothing
 * up. */
static void test_permissions(void **state)
{
	struct file *f;
	struct inode *up;

	(void)state;
	T->creds = &fx.user;
	assert_int_equal(open_(T, "/etc/passwd", LINUX_O_WRONLY, 0, &f),
			 -EACCES);
	assert_int_equal(open_(T, "/etc/shadow", LINUX_O_RDONLY, 0, &f),
			 -EACCES);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/etc/passwd"),
			 -EACCES);
	assert_int_equal(vfs_mkdir(T, LINUX_AT_FDCWD, "/etc/d", 0755),
			 -EACCES);
	assert_int_equal(chmod_(T, "/etc/passwd", 0666), -EPERM);
	assert_int_equal(open_(T, "/ro/f", LINUX_O_WRONLY, 0, &f), -EACCES);
	T->creds = NULL;
	/* Nothing went up: the upper root is still empty. */
	assert_int_equal(fx.upper->root->inode->ops->lookup(
				 fx.upper->root->inode, "etc", &up),
			 -ENOENT);
	assert_int_equal(fx.upper->root->inode->ops->lookup(
				 fx.upper->root->inode, "ro", &up),
			 -ENOENT);
	/* Root may, in a 0555 directory too. */
	put(T, "/ro/f", "F\n", 0644);
	assert_string_equal(slurp(T, "/ro/f"), "F\n");
	assert_int_equal(must_stat(T, "/ro").mode, LINUX_S_IFDIR | 0555);
}

/* statfs is the overlay's; fsync works on files of either layer. */
static void test_statfs_fsync(void **state)
{
	struct kstatfs sfs;
	struct file *f;

	(void)state;
	assert_int_equal(fx.ovl->ops->statfs(fx.ovl, &sfs), 0);
	assert_int_equal(sfs.type, OVERLAYFS_SUPER_MAGIC);
	assert_true(sfs.bsize > 0);
	f = must_open(T, "/etc/passwd", LINUX_O_RDONLY);
	assert_int_equal(f->ops->fsync(f, false), 0);
	file_put(f);
	f = must_open(T, "/etc/passwd", LINUX_O_RDWR);
	assert_int_equal(f->ops->fsync(f, true), 0);
	file_put(f);
	f = must_open(T, "/dir", LINUX_O_RDONLY | LINUX_O_DIRECTORY);
	assert_int_equal(f->ops->fsync(f, false), 0);
	file_put(f);
}

#define BOTH(fn)                                                            \
	{ #fn " (tmpfs lower)", fn, test_setup, test_teardown, &kind_tmpfs }, \
		{ #fn " (gofer lower)", fn, test_setup, test_teardown,      \
		  &kind_gofer }

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_read),
		BOTH(test_copy_up_write),
		BOTH(test_copy_up_metadata),
		BOTH(test_truncate),
		BOTH(test_unlink_whiteout),
		BOTH(test_rmdir_opaque),
		BOTH(test_rename),
		BOTH(test_links),
		BOTH(test_readdir),
		BOTH(test_open_across_copy_up),
		BOTH(test_same_layers_again),
		BOTH(test_special),
		BOTH(test_permissions),
		BOTH(test_statfs_fsync),
		BOTH(test_xattrs),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
