/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_procfs: the Sentry's /proc on a hand-built kernel: three processes
 * (init with a second thread, a child owned by uid 1000 with an address
 * space, and one that dies), procfs as the root mount, and the files read
 * through the VFS as the syscalls would.
 */
#include <errno.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen/linux_flags.h"
#include "sentry/fs/procfs.h"
#include "sentry/fs/procfs_internal.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/sysinfo.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/task_internal.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/vfs/vfs.h"

#define ARG_BASE 0x400000ULL

static struct {
	struct kernel k;
	struct superblock *sb;
	struct thread_group *tg1, *tg2;
	struct task *t1, *t2, *t3;
} fx;

/* A task of tg (a new group when tg is NULL) with creds for uid. */
static struct task *mk_task(struct thread_group **tg, uint32_t uid,
			    const char *comm)
{
	struct path root = { fx.k.root_mount, fx.k.root_mount->root };
	struct task *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	TAILQ_INIT(&t->pending.queue);
	t->tid = pidns_alloc(t);
	assert_true(t->tid > 0);
	t->start_ns = kernel_now_ns();
	t->state = TASK_BLOCKED;
	t->creds = creds_new_root();
	assert_non_null(t->creds);
	t->creds->uid = t->creds->euid = t->creds->suid = t->creds->fsuid = uid;
	t->creds->gid = t->creds->egid = t->creds->sgid = t->creds->fsgid = uid;
	if (uid)
		t->creds->cap_effective = t->creds->cap_permitted = 0;
	t->sighand = sighand_new();
	assert_int_equal(fs_context_new(&root, &t->fs), 0);
	assert_int_equal(fd_table_new(&t->fdt), 0);
	snprintf(t->comm, sizeof(t->comm), "%s", comm);
	if (!*tg) {
		*tg = tg_alloc();
		assert_non_null(*tg);
	}
	tg_add_task(*tg, t);
	(*tg)->pgid = (*tg)->sid = (*tg)->tgid;
	return t;
}

/* What a reaped task leaves behind: nothing. */
static void rm_task(struct task *t)
{
	mm_put(t->mm);
	fd_table_put(t->fdt);
	fs_context_put(t->fs);
	sighand_put(t->sighand);
	creds_put(t->creds);
	free(t);
}

/* Give t2 an address space with its arguments and environment. */
static void setup_mm(struct task *t)
{
	static const char args[] = "prog\0-v\0HOME=/\0PATH=/bin";
	struct mm_map_args a = {
		.addr = ARG_BASE,
		.len = 2 * MM_PAGE_SIZE,
		.prot = 3,
		.flags = LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS |
			 LINUX_MAP_FIXED,
		.maxprot = 7,
	};
	struct mm_layout *l;

	assert_int_equal(mm_new(&t->mm), 0);
	assert_int_equal(mm_map(t->mm, &a), (int64_t)ARG_BASE);
	assert_int_equal(mm_copy_out(t->mm, ARG_BASE, args, sizeof(args)), 0);
	l = mm_layout(t->mm);
	l->arg_start = ARG_BASE;
	l->arg_end = ARG_BASE + 8;
	l->env_start = ARG_BASE + 8;
	l->env_end = ARG_BASE + sizeof(args);
	l->auxv[0] = 6; /* AT_PAGESZ */
	l->auxv[1] = 4096;
	l->auxv[2] = 0;
	l->auxv[3] = 0;
	l->auxv_len = 4;
}

static int setup(void **state)
{
	(void)state;
	kernel = &fx.k;
	pthread_mutex_init(&fx.k.lock, NULL);
	snprintf(fx.k.hostname, sizeof(fx.k.hostname), "sandbox");
	clock_gettime(CLOCK_REALTIME, &fx.k.boot_realtime);
	clock_gettime(CLOCK_MONOTONIC, &fx.k.boot_monotonic);
	sysinfo_init();
	if (memfile_new(1ULL << 30, &fx.k.memfile))
		return -1;
	mm_init(fx.k.memfile, NULL);
	kernel_lock();
	if (vfs_init() || procfs_new(&fx.sb) ||
	    vfs_mount_root(fx.sb, 0, "proc"))
		return -1;
	superblock_put(fx.sb);
	fx.t1 = mk_task(&fx.tg1, 0, "init");
	fx.t2 = mk_task(&fx.tg2, 1000, "child");
	fx.t3 = mk_task(&fx.tg1, 0, "worker");
	fx.t3->state = TASK_RUNNING;
	fx.tg2->parent = fx.tg1;
	TAILQ_INSERT_TAIL(&fx.tg1->children, fx.tg2, sibling);
	setup_mm(fx.t2);
	task_set_current(fx.t1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	task_set_current(NULL);
	kernel_unlock();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static struct file *open_as(struct task *t, const char *path, uint32_t flags,
			    int *err)
{
	struct file *f = NULL;

	*err = vfs_open(t, LINUX_AT_FDCWD, path, flags, 0, &f);
	return *err ? NULL : f;
}

static struct file *open_ok(const char *path)
{
	int err;
	struct file *f = open_as(fx.t1, path, LINUX_O_RDONLY, &err);

	if (!f)
		fail_msg("open %s: %s", path, strerror(-err));
	return f;
}

/* The whole file from offset 0, NUL-terminated; its length in *len. */
static char *read_all(struct file *f, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	ssize_t got;

	assert_non_null(buf);
	while ((got = vfs_file_pread(f, buf + n, cap - n, n)) > 0) {
		n += (size_t)got;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			assert_non_null(buf);
		}
	}
	assert_true(got >= 0);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static char *slurp(const char *path)
{
	struct file *f = open_ok(path);
	char *text = read_all(f, NULL);

	file_put(f);
	return text;
}

static void assert_has(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("\"%s\" not in:\n%s", needle, text);
}

static void assert_match(const char *text, const char *re)
{
	regex_t r;

	assert_int_equal(regcomp(&r, re, REG_EXTENDED | REG_NEWLINE), 0);
	if (regexec(&r, text, 0, NULL, 0))
		fail_msg("/%s/ does not match:\n%s", re, text);
	regfree(&r);
}

static long readlink_str(struct task *t, const char *path, char *buf,
			 size_t size)
{
	struct path p;
	long n;
	int err = vfs_lookup(t, LINUX_AT_FDCWD, path, 0, &p);

	if (err)
		return err;
	n = vfs_readlink(&p, buf, size - 1);
	path_put(&p);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

static int lookup_err(const char *path)
{
	struct path p;
	int err = vfs_lookup(fx.t1, LINUX_AT_FDCWD, path, LOOKUP_FOLLOW, &p);

	if (!err)
		path_put(&p);
	return err;
}

static void stat_path(const char *path, int flags, struct kstat *st)
{
	struct path p;

	assert_int_equal(vfs_lookup(fx.t1, LINUX_AT_FDCWD, path, flags, &p), 0);
	assert_int_equal(vfs_getattr(&p, st), 0);
	path_put(&p);
}

/* A directory listing as "name\n" lines, `per` entries per getdents. */
struct listing {
	struct dir_ctx ctx;
	char text[16384];
	size_t len;
	int count, limit, in_call;
};

static bool collect(struct dir_ctx *c, const char *name, size_t namelen,
		    uint64_t ino, unsigned dtype, int64_t next)
{
	struct listing *l = (struct listing *)c;

	(void)ino;
	(void)dtype;
	(void)next;
	if (l->limit && l->in_call >= l->limit)
		return false;
	assert_true(l->len + namelen + 2 < sizeof(l->text));
	memcpy(l->text + l->len, name, namelen);
	l->len += namelen;
	l->text[l->len++] = '\n';
	l->text[l->len] = 0;
	l->count++;
	l->in_call++;
	return true;
}

static int list_dir_as(struct task *t, const char *path, int per,
		       struct listing *l)
{
	struct file *f;
	int err;

	memset(l, 0, sizeof(*l));
	l->ctx.emit = collect;
	l->limit = per;
	f = open_as(t, path, LINUX_O_RDONLY | LINUX_O_DIRECTORY, &err);
	if (!f)
		return err;
	do {
		l->in_call = 0;
		err = vfs_getdents(f, &l->ctx);
	} while (!err && l->in_call);
	file_put(f);
	return err;
}

static bool listed(const struct listing *l, const char *name)
{
	char line[64];

	snprintf(line, sizeof(line), "\n%s\n", name);
	return !strncmp(l->text, line + 1, strlen(line + 1)) ||
	       strstr(l->text, line);
}

/* ------------------------------------------------------------------ */
/* The root                                                            */

static void test_root_listing(void **state)
{
	struct listing l, l2;

	(void)state;
	assert_int_equal(list_dir_as(fx.t1, "/", 0, &l), 0);
	assert_true(listed(&l, "."));
	assert_true(listed(&l, ".."));
	assert_true(listed(&l, "self"));
	assert_true(listed(&l, "thread-self"));
	assert_true(listed(&l, "meminfo"));
	assert_true(listed(&l, "sys"));
	assert_true(listed(&l, "1"));
	assert_true(listed(&l, "2"));
	/* Threads are looked up but not listed. */
	assert_false(listed(&l, "3"));
	assert_int_equal(lookup_err("/3"), 0);
	/* Resuming at every entry gives the same listing. */
	assert_int_equal(list_dir_as(fx.t1, "/", 1, &l2), 0);
	assert_string_equal(l.text, l2.text);
	assert_int_equal(lookup_err("/01"), -ENOENT);
	assert_int_equal(lookup_err("/99999"), -ENOENT);
	assert_int_equal(lookup_err("/nonexistent"), -ENOENT);
}

static void test_self(void **state)
{
	char buf[64];
	char *text;

	(void)state;
	assert_int_equal(readlink_str(fx.t1, "/self", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "1");
	assert_int_equal(readlink_str(fx.t1, "/thread-self", buf, sizeof(buf)),
			 8);
	assert_string_equal(buf, "1/task/1");
	task_set_current(fx.t3);
	readlink_str(fx.t3, "/self", buf, sizeof(buf));
	assert_string_equal(buf, "1");
	readlink_str(fx.t3, "/thread-self", buf, sizeof(buf));
	assert_string_equal(buf, "1/task/3");
	task_set_current(fx.t2);
	readlink_str(fx.t2, "/self", buf, sizeof(buf));
	assert_string_equal(buf, "2");
	text = slurp("/self/status");
	assert_has(text, "\nPid:\t2\n");
	free(text);
	task_set_current(fx.t1);
	readlink_str(fx.t1, "/mounts", buf, sizeof(buf));
	assert_string_equal(buf, "self/mounts");
	/* The Sentry itself has no self. */
	task_set_current(NULL);
	assert_int_equal(readlink_str(fx.t1, "/self", buf, sizeof(buf)),
			 -ENOENT);
	task_set_current(fx.t1);
}

/* ------------------------------------------------------------------ */
/* Per process                                                         */

static void test_status(void **state)
{
	char *s;

	(void)state;
	s = slurp("/1/status");
	assert_match(s, "^Name:\tinit\nUmask:\t0022\nState:\tS \\(sleeping\\)\n"
			"Tgid:\t1\nNgid:\t0\nPid:\t1\nPPid:\t0\nTracerPid:\t0\n"
			"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t[0-9]+\n"
			"Groups:\t \nNStgid:\t1\nNSpid:\t1\nNSpgid:\t1\n"
			"NSsid:\t1\nThreads:\t2\nSigQ:\t0/63536\n");
	assert_has(s, "\nCapEff:\t000001ffffffffff\n");
	assert_has(s, "\nSeccomp:\t0\n");
	assert_match(s, "^Cpus_allowed_list:\t0(-[0-9]+)?$");
	assert_match(s, "nonvoluntary_ctxt_switches:\t0\n$");
	/* No address space: no Vm lines (a kernel thread or a zombie). */
	assert_null(strstr(s, "VmSize"));
	free(s);

	s = slurp("/2/status");
	assert_has(s, "Name:\tchild\n");
	assert_has(s, "\nPid:\t2\nPPid:\t1\n");
	assert_has(s, "\nUid:\t1000\t1000\t1000\t1000\n");
	assert_has(s, "\nThreads:\t1\n");
	assert_has(s, "\nVmSize:\t       8 kB\n");
	assert_has(s, "\nCapEff:\t0000000000000000\n");
	free(s);

	/* A thread's own id works at the top level too. */
	s = slurp("/3/status");
	assert_has(s, "Name:\tworker\n");
	assert_has(s, "State:\tR (running)\nTgid:\t1\nNgid:\t0\nPid:\t3\n");
	free(s);
}

/* Split a stat line into its fields (the comm may hold spaces). */
static int stat_fields(char *s, char **f, int max)
{
	char *rp = strrchr(s, ')');
	int n = 0;

	f[n++] = s;
	f[n++] = strchr(s, '(');
	*rp = 0;
	for (char *p = strtok(rp + 2, " \n"); p && n < max;
	     p = strtok(NULL, " \n"))
		f[n++] = p;
	return n;
}

static void test_stat(void **state)
{
	char *s, *f[64];

	(void)state;
	s = slurp("/2/stat");
	assert_match(s, "^2 \\(child\\) S 1 2 2 0 -1 4194304 ");
	assert_int_equal(stat_fields(s, f, 64), 52);
	assert_string_equal(f[19], "1");          /* num_threads */
	assert_string_equal(f[22], "8192");       /* vsize */
	assert_string_equal(f[37], "17");         /* exit_signal */
	assert_int_equal(strtoull(f[47], NULL, 10), ARG_BASE); /* arg_start */
	free(s);

	s = slurp("/1/task/3/stat");
	assert_match(s, "^3 \\(worker\\) R 0 1 1 ");
	assert_int_equal(stat_fields(s, f, 64), 52);
	assert_string_equal(f[37], "-1"); /* a thread has no exit signal */
	free(s);

	s = slurp("/2/statm");
	assert_match(s, "^2 [0-9]+ 0 0 0 2 0\n$");
	free(s);
}

static void test_limits(void **state)
{
	char *s;

	(void)state;
	s = slurp("/1/limits");
	assert_has(s,
		   "Limit                     Soft Limit           Hard Limit"
		   "           Units     \n"
		   "Max cpu time              unlimited            unlimited"
		   "            seconds   \n");
	assert_has(s, "\nMax stack size            8388608              "
		      "unlimited            bytes     \n");
	assert_has(s, "\nMax open files            1024                 "
		      "1048576              files     \n");
	assert_has(s, "\nMax nice priority         0                    0"
		      "                    \n");
	assert_match(s, "Max realtime timeout +unlimited +unlimited +us +\n$");
	free(s);
}

static void test_task_dir(void **state)
{
	struct listing l;

	(void)state;
	assert_int_equal(list_dir_as(fx.t1, "/1/task", 0, &l), 0);
	assert_string_equal(l.text, ".\n..\n1\n3\n");
	assert_int_equal(list_dir_as(fx.t1, "/1/task/3", 0, &l), 0);
	assert_true(listed(&l, "status"));
	assert_true(listed(&l, "fd"));
	assert_false(listed(&l, "task"));
	assert_int_equal(list_dir_as(fx.t1, "/1", 0, &l), 0);
	assert_true(listed(&l, "task"));
	assert_true(listed(&l, "cmdline"));
	assert_true(listed(&l, "ns"));
	/* Another process's thread is not ours. */
	assert_int_equal(lookup_err("/1/task/2"), -ENOENT);
	assert_int_equal(lookup_err("/1/task/3/task"), -ENOENT);
}

static void test_mm_files(void **state)
{
	static const uint8_t auxv[32] = { 6, [8] = 0, [9] = 0x10 };
	struct file *f;
	size_t len;
	char *s, c = 'X';

	(void)state;
	f = open_ok("/2/cmdline");
	s = read_all(f, &len);
	assert_int_equal(len, 8);
	assert_memory_equal(s, "prog\0-v\0", 8);
	free(s);
	file_put(f);

	f = open_ok("/2/environ");
	s = read_all(f, &len);
	assert_int_equal(len, sizeof("HOME=/\0PATH=/bin"));
	assert_memory_equal(s, "HOME=/\0PATH=/bin", len);
	free(s);
	file_put(f);

	f = open_ok("/2/auxv");
	s = read_all(f, &len);
	assert_int_equal(len, 32);
	assert_memory_equal(s, auxv, 32);
	free(s);
	file_put(f);

	s = slurp("/2/maps");
	assert_match(s, "^00400000-00402000 rw-p 00000000 00:00 0");
	free(s);

	/* setproctitle overwrote the NUL ending argv: the first string. */
	assert_int_equal(mm_copy_out(fx.t2->mm, ARG_BASE + 7, &c, 1), 0);
	f = open_ok("/2/cmdline");
	s = read_all(f, &len);
	assert_int_equal(len, 5);
	assert_memory_equal(s, "prog", 5);
	free(s);
	file_put(f);
	c = 0;
	assert_int_equal(mm_copy_out(fx.t2->mm, ARG_BASE + 7, &c, 1), 0);

	/* A process without memory has empty ones. */
	s = slurp("/1/cmdline");
	assert_string_equal(s, "");
	free(s);
}

static void test_mem(void **state)
{
	struct linux_iovec seg;
	struct vfs_uio uio;
	struct file *f;
	char buf[8] = { 0 };
	int64_t pos = ARG_BASE;
	int err;

	(void)state;
	f = open_as(fx.t1, "/2/mem", LINUX_O_RDWR, &err);
	assert_non_null(f);
	vfs_uio_init_sentry(&uio, &seg, buf, 4);
	assert_int_equal(vfs_read(f, &uio, &pos), 4);
	assert_memory_equal(buf, "prog", 4);
	pos = ARG_BASE;
	vfs_uio_init_sentry(&uio, &seg, "PROG", 4);
	assert_int_equal(vfs_write(f, &uio, &pos), 4);
	assert_int_equal(mm_copy_in(fx.t2->mm, ARG_BASE, buf, 4), 0);
	assert_memory_equal(buf, "PROG", 4);
	assert_int_equal(mm_copy_out(fx.t2->mm, ARG_BASE, "prog", 4), 0);
	/* Unmapped memory is EIO, as Linux. */
	pos = 0x10000;
	vfs_uio_init_sentry(&uio, &seg, buf, 4);
	assert_int_equal(vfs_read(f, &uio, &pos), -EIO);
	file_put(f);
	/* Another user's process may not read ours. */
	task_set_current(fx.t2);
	assert_null(open_as(fx.t2, "/1/mem", LINUX_O_RDONLY, &err));
	assert_int_equal(err, -EACCES);
	task_set_current(fx.t1);
}

static void test_fds(void **state)
{
	struct file *f = open_ok("/meminfo"), *g;
	struct listing l;
	struct kstat st, st2;
	char buf[256], *s;
	int fd;

	(void)state;
	fd = fd_install(fx.t1, f, FD_CLOEXEC_FLAG);
	file_put(f);
	assert_true(fd >= 0);
	assert_int_equal(list_dir_as(fx.t1, "/1/fd", 0, &l), 0);
	snprintf(buf, sizeof(buf), ".\n..\n%d\n", fd);
	assert_string_equal(l.text, buf);
	assert_int_equal(list_dir_as(fx.t1, "/1/fdinfo", 0, &l), 0);
	assert_string_equal(l.text, buf);

	snprintf(buf, sizeof(buf), "/1/fd/%d", fd);
	assert_int_equal(readlink_str(fx.t1, buf, buf, sizeof(buf)), 8);
	assert_string_equal(buf, "/meminfo");
	snprintf(buf, sizeof(buf), "/1/fd/%d", fd);
	stat_path(buf, 0, &st);
	assert_int_equal(st.mode, LINUX_S_IFLNK | 0500);
	stat_path(buf, 0, &st2);
	assert_int_equal(st.ino, st2.ino);
	/* Following the magic link opens the file itself. */
	g = open_ok(buf);
	s = read_all(g, NULL);
	assert_match(s, "^MemTotal: +[0-9]+ kB\n");
	free(s);
	file_put(g);

	snprintf(buf, sizeof(buf), "/1/fdinfo/%d", fd);
	s = slurp(buf);
	snprintf(buf, sizeof(buf), "^pos:\t0\nflags:\t0[0-7]*2[0-7]{6}\n"
				   "mnt_id:\t%d\nino:\t[0-9]+\n$",
		 fx.k.root_mount->id);
	assert_match(s, buf);
	free(s);

	assert_int_equal(fd_close(fx.t1, fd), 0);
	snprintf(buf, sizeof(buf), "/1/fd/%d", fd);
	assert_int_equal(lookup_err(buf), -ENOENT);
	assert_int_equal(list_dir_as(fx.t1, "/1/fd", 0, &l), 0);
	assert_string_equal(l.text, ".\n..\n");
	/* Another user may not list them. */
	assert_int_equal(list_dir_as(fx.t2, "/1/fd", 0, &l), -EACCES);
}

static void test_links(void **state)
{
	char buf[256], *s;
	struct kstat st;

	(void)state;
	assert_int_equal(readlink_str(fx.t1, "/1/cwd", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "/");
	assert_int_equal(readlink_str(fx.t1, "/1/root", buf, sizeof(buf)), 1);
	stat_path("/1/cwd", LOOKUP_FOLLOW, &st);
	assert_int_equal(st.ino, PROC_ROOT_INO);

	assert_int_equal(readlink_str(fx.t1, "/2/exe", buf, sizeof(buf)),
			 -ENOENT);
	snprintf(fx.tg1->exe_path, sizeof(fx.tg1->exe_path), "/version");
	assert_int_equal(readlink_str(fx.t1, "/1/exe", buf, sizeof(buf)), 8);
	assert_string_equal(buf, "/version");
	s = slurp("/1/exe");
	assert_match(s, "^Linux version " SYSINFO_RELEASE " ");
	free(s);
	fx.tg1->exe_path[0] = 0;

	assert_int_equal(readlink_str(fx.t1, "/1/ns/pid", buf, sizeof(buf)),
			 16);
	assert_string_equal(buf, "pid:[4026531836]");
	readlink_str(fx.t1, "/1/ns/pid_for_children", buf, sizeof(buf));
	assert_string_equal(buf, "pid:[4026531836]");

	/* uid 1000 may not look at root's process links. */
	task_set_current(fx.t2);
	assert_int_equal(readlink_str(fx.t2, "/1/cwd", buf, sizeof(buf)),
			 -EACCES);
	assert_int_equal(readlink_str(fx.t2, "/2/cwd", buf, sizeof(buf)), 1);
	task_set_current(fx.t1);
}

static void test_dead_process(void **state)
{
	struct thread_group *tg = NULL;
	struct task *t = mk_task(&tg, 0, "doomed"), *t5;
	struct linux_iovec seg;
	struct vfs_uio uio;
	struct listing l;
	struct file *f;
	char path[64], buf[512] = { 0 };
	int64_t pos = 0;
	int pid = t->tid;
	char *s;

	(void)state;
	snprintf(path, sizeof(path), "/%d/status", pid);
	f = open_ok(path);

	/* A zombie is listed, as a zombie. */
	t->state = TASK_DEAD;
	tg->zombie = true;
	TAILQ_REMOVE(&tg->tasks, t, tg_link);
	tg->ntasks--;
	s = slurp(path);
	assert_has(s, "State:\tZ (zombie)\n");
	assert_has(s, "\nThreads:\t1\n");
	free(s);

	/* Reaped: gone from the listing and from lookups. */
	pidns_free(pid);
	assert_int_equal(lookup_err(path), -ENOENT);
	snprintf(path, sizeof(path), "/%d", pid);
	assert_int_equal(lookup_err(path), -ENOENT);
	assert_int_equal(list_dir_as(fx.t1, "/", 0, &l), 0);
	assert_false(listed(&l, path + 1));
	/* The open file has the text of its open... */
	vfs_uio_init_sentry(&uio, &seg, buf, sizeof(buf) - 1);
	assert_true(vfs_read(f, &uio, &pos) > 0);
	assert_non_null(strstr(buf, "Name:\tdoomed\n"));
	/* ...and no fresh one. */
	pos = 0;
	vfs_uio_init_sentry(&uio, &seg, buf, sizeof(buf) - 1);
	assert_int_equal(vfs_read(f, &uio, &pos), -ESRCH);

	/* The pid comes back for another process: the old dentries, pinned
	 * by the open file, do not serve it. */
	t5 = calloc(1, sizeof(*t5));
	*t5 = *t;
	snprintf(t5->comm, sizeof(t5->comm), "reborn");
	t5->start_ns = t->start_ns + 1;
	pidns_set(pid, t5);
	snprintf(path, sizeof(path), "/%d/status", pid);
	s = slurp(path);
	assert_has(s, "Name:\treborn\n");
	free(s);
	pos = 0;
	vfs_uio_init_sentry(&uio, &seg, buf, sizeof(buf) - 1);
	assert_int_equal(vfs_read(f, &uio, &pos), -ESRCH);
	file_put(f);
	pidns_set(pid, NULL);
	free(t5);
	rm_task(t);
	free(tg);
}

/* ------------------------------------------------------------------ */
/* System files                                                        */

static void test_meminfo(void **state)
{
	char *s;

	(void)state;
	s = slurp("/meminfo");
	assert_match(s, "^MemTotal:       [ 0-9]{7}[0-9]+ kB\n"
			"MemFree:        [ 0-9]{7}[0-9]+ kB\n"
			"MemAvailable:   [ 0-9]{7}[0-9]+ kB\n"
			"Buffers:               0 kB\n");
	assert_has(s, "\nSwapTotal:             0 kB\n");
	assert_has(s, "\nHugePages_Total:       0\n");
	assert_has(s, "\nHugepagesize:       2048 kB\n");
	free(s);
}

static void test_system_files(void **state)
{
	char *s, re[128], *p;
	unsigned n = 0;

	(void)state;
	s = slurp("/uptime");
	assert_match(s, "^[0-9]+\\.[0-9]{2} [0-9]+\\.[0-9]{2}\n$");
	free(s);
	s = slurp("/loadavg");
	assert_match(s, "^0\\.00 0\\.00 0\\.00 1/3 3\n$");
	free(s);
	s = slurp("/stat");
	assert_match(s, "^cpu  [0-9]+ 0 [0-9]+ [0-9]+ 0 0 0 0 0 0\ncpu0 ");
	snprintf(re, sizeof(re), "\nbtime %lld\nprocesses 3\nprocs_running 1\n"
				 "procs_blocked 0\n",
		 (long long)fx.k.boot_realtime.tv_sec);
	assert_has(s, re);
	free(s);
	s = slurp("/version");
	assert_match(s, "^Linux version " SYSINFO_RELEASE " \\(.*\\) .*\n$");
	free(s);
	s = slurp("/filesystems");
	assert_has(s, "nodev\tproc\n");
	free(s);
	s = slurp("/cpuinfo");
	for (p = s; (p = strstr(p, "processor")); p++)
		if (p == s || p[-1] == '\n')
			n++;
	if (*sysinfo_cpuinfo())
		assert_int_equal(n, sysinfo_ncpus());
	free(s);
}

static void test_sys(void **state)
{
	char *s, *s2;

	(void)state;
	s = slurp("/sys/kernel/hostname");
	assert_string_equal(s, "sandbox\n");
	free(s);
	s = slurp("/sys/kernel/osrelease");
	assert_string_equal(s, SYSINFO_RELEASE "\n");
	free(s);
	s = slurp("/sys/kernel/ostype");
	assert_string_equal(s, "Linux\n");
	free(s);
	s = slurp("/sys/kernel/pid_max");
	assert_string_equal(s, "32768\n");
	free(s);
	s = slurp("/sys/kernel/cap_last_cap");
	assert_string_equal(s, "40\n");
	free(s);
	s = slurp("/sys/kernel/ngroups_max");
	assert_string_equal(s, "65536\n");
	free(s);
	s = slurp("/sys/vm/overcommit_memory");
	assert_string_equal(s, "0\n");
	free(s);
	s = slurp("/sys/vm/mmap_min_addr");
	assert_string_equal(s, "65536\n");
	free(s);
	s = slurp("/sys/fs/nr_open");
	assert_string_equal(s, "1048576\n");
	free(s);
	s = slurp("/sys/kernel/random/boot_id");
	s2 = slurp("/sys/kernel/random/boot_id");
	assert_match(s, "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
			"[89ab][0-9a-f]{3}-[0-9a-f]{12}\n$");
	assert_string_equal(s, s2);
	free(s);
	free(s2);
	s = slurp("/sys/kernel/random/uuid");
	s2 = slurp("/sys/kernel/random/uuid");
	assert_string_not_equal(s, s2);
	free(s);
	free(s2);
}

static void test_mounts(void **state)
{
	const struct fs_type *type = vfs_find_fs("proc");
	struct superblock *sb2;
	struct mount *m;
	char want[512], *s;

	(void)state;
	/* What mount(2) does with -t proc. */
	assert_non_null(type);
	assert_int_equal(type->mount("proc", 0, "hidepid=0", &sb2), 0);
	assert_int_equal(vfs_mount_at("/sys", sb2,
				      MNT_NOSUID | MNT_NODEV | MNT_NOEXEC,
				      "proc"),
			 0);
	superblock_put(sb2);
	s = slurp("/1/mounts");
	assert_string_equal(s, "proc / proc rw,relatime 0 0\n"
			       "proc /sys proc rw,nosuid,nodev,noexec,relatime"
			       " 0 0\n");
	free(s);
	m = vfs_mount_next(fx.k.root_mount);
	snprintf(want, sizeof(want),
		 "%d %d 0:%u / / rw,relatime - proc proc rw\n"
		 "%d %d 0:%u / /sys rw,nosuid,nodev,noexec,relatime - proc "
		 "proc rw\n",
		 fx.k.root_mount->id, fx.k.root_mount->id,
		 linux_minor(fx.sb->dev), m->id, fx.k.root_mount->id,
		 linux_minor(m->sb->dev));
	s = slurp("/1/mountinfo");
	assert_string_equal(s, want);
	free(s);
	/* The second instance is a /proc of its own. */
	s = slurp("/sys/2/comm");
	assert_string_equal(s, "child\n");
	free(s);
	assert_int_equal(vfs_umount(m), 0);
	assert_int_equal(lookup_err("/sys/kernel"), 0);
}

/* ------------------------------------------------------------------ */
/* Modes, owners, inode numbers                                        */

static void test_attrs(void **state)
{
	struct kstat a, b;

	(void)state;
	stat_path("/", 0, &a);
	assert_int_equal(a.ino, PROC_ROOT_INO);
	assert_int_equal(a.mode, LINUX_S_IFDIR | 0555);
	stat_path("/2", 0, &a);
	assert_int_equal(a.mode, LINUX_S_IFDIR | 0555);
	assert_int_equal(a.uid, 1000);
	assert_int_equal(a.gid, 1000);
	stat_path("/2/environ", 0, &a);
	assert_int_equal(a.mode, LINUX_S_IFREG | 0400);
	assert_int_equal(a.uid, 1000);
	assert_int_equal(a.size, 0);
	stat_path("/2/fd", 0, &a);
	assert_int_equal(a.mode, LINUX_S_IFDIR | 0500);
	stat_path("/2/exe", 0, &a);
	assert_int_equal(a.mode, LINUX_S_IFLNK | 0777);
	stat_path("/self", 0, &a);
	assert_int_equal(a.mode, LINUX_S_IFLNK | 0777);
	stat_path("/meminfo", 0, &a);
	assert_int_equal(a.mode, LINUX_S_IFREG | 0444);
	assert_int_equal(a.uid, 0);

	/* Stable numbers, distinct per (pid, view, file). */
	stat_path("/1/status", 0, &a);
	stat_path("/1/status", 0, &b);
	assert_int_equal(a.ino, b.ino);
	stat_path("/2/status", 0, &b);
	assert_int_not_equal(a.ino, b.ino);
	stat_path("/1/task/1/status", 0, &b);
	assert_int_not_equal(a.ino, b.ino);
	stat_path("/1/stat", 0, &b);
	assert_int_not_equal(a.ino, b.ino);
	stat_path("/stat", 0, &a);
	stat_path("/sys/kernel/random/uuid", 0, &b);
	assert_int_not_equal(a.ino, b.ino);

	/* An owner change shows at once. */
	fx.t2->creds->euid = 1001;
	stat_path("/2/status", 0, &a);
	assert_int_equal(a.uid, 1001);
	fx.t2->creds->euid = 1000;
	/* A non-dumpable process belongs to root. */
	fx.tg2->dumpable = 0;
	stat_path("/2/status", 0, &a);
	assert_int_equal(a.uid, 0);
	fx.tg2->dumpable = 1;
}

/* ------------------------------------------------------------------ */
/* Offsets, snapshots, writes                                          */

static void test_offsets(void **state)
{
	struct file *f = open_ok("/1/limits");
	struct linux_iovec seg;
	struct vfs_uio uio;
	char *whole, part[4096];
	size_t len, got = 0;
	ssize_t n;
	int64_t pos;

	(void)state;
	whole = read_all(f, &len);
	/* Small reads through the file offset give the same bytes. */
	assert_int_equal(f->ops->llseek(f, 0, LINUX_SEEK_SET), 0);
	do {
		vfs_uio_init_sentry(&uio, &seg, part + got, 7);
		n = vfs_read(f, &uio, NULL);
		assert_true(n >= 0);
		got += (size_t)n;
	} while (n > 0 && got + 7 < sizeof(part));
	assert_int_equal(got, len);
	assert_memory_equal(part, whole, len);
	/* Far past the end: nothing, and no harm. */
	assert_int_equal(f->ops->llseek(f, INT64_C(1) << 62, LINUX_SEEK_SET),
			 INT64_C(1) << 62);
	vfs_uio_init_sentry(&uio, &seg, part, sizeof(part));
	assert_int_equal(vfs_read(f, &uio, NULL), 0);
	assert_int_equal(f->ops->llseek(f, INT64_MAX, LINUX_SEEK_CUR), -EINVAL);
	assert_int_equal(f->ops->llseek(f, -1, LINUX_SEEK_SET), -EINVAL);
	assert_int_equal(f->ops->llseek(f, 0, LINUX_SEEK_END), -EINVAL);
	pos = INT64_MAX;
	vfs_uio_init_sentry(&uio, &seg, part, sizeof(part));
	assert_int_equal(vfs_read(f, &uio, &pos), 0);
	pos = -5;
	vfs_uio_init_sentry(&uio, &seg, part, sizeof(part));
	assert_int_equal(vfs_read(f, &uio, &pos), -EINVAL);
	free(whole);
	file_put(f);
}

static void test_snapshot(void **state)
{
	struct file *f = open_ok("/1/comm");
	char *s;

	(void)state;
	/* The text is made at open... */
	snprintf(fx.t1->comm, sizeof(fx.t1->comm), "renamed");
	s = read_all(f, NULL);
	assert_string_equal(s, "init\n");
	free(s);
	/* ...and again by a read from offset 0. */
	s = read_all(f, NULL);
	assert_string_equal(s, "renamed\n");
	free(s);
	file_put(f);
	snprintf(fx.t1->comm, sizeof(fx.t1->comm), "init");
}

static ssize_t write_str(struct file *f, const char *text)
{
	struct linux_iovec seg;
	struct vfs_uio uio;

	vfs_uio_init_sentry(&uio, &seg, (void *)text, strlen(text));
	return vfs_write(f, &uio, NULL);
}

static void test_writes(void **state)
{
	struct file *f;
	char *s;
	int err;

	(void)state;
	/* Read-only even for root. */
	assert_null(open_as(fx.t1, "/meminfo", LINUX_O_WRONLY, &err));
	assert_int_equal(err, -EACCES);
	assert_null(open_as(fx.t1, "/sys/kernel/hostname", LINUX_O_RDWR, &err));
	assert_int_equal(err, -EACCES);
	assert_null(open_as(fx.t1, "/1/status", LINUX_O_WRONLY, &err));
	assert_int_equal(err, -EACCES);
	assert_null(open_as(fx.t1, "/newfile", LINUX_O_WRONLY | LINUX_O_CREAT,
			    &err));
	assert_int_equal(err, -EACCES);

	/* comm: 15 bytes at most, from the same process. */
	f = open_as(fx.t1, "/1/task/3/comm", LINUX_O_WRONLY, &err);
	assert_non_null(f);
	assert_int_equal(write_str(f, "a-very-long-thread-name"), 23);
	file_put(f);
	assert_string_equal(fx.t3->comm, "a-very-long-thr");
	f = open_as(fx.t1, "/2/comm", LINUX_O_WRONLY, &err);
	assert_non_null(f);
	assert_int_equal(write_str(f, "x"), -EINVAL);
	file_put(f);
	snprintf(fx.t3->comm, sizeof(fx.t3->comm), "worker");

	f = open_as(fx.t1, "/2/oom_score_adj", LINUX_O_RDWR, &err);
	assert_non_null(f);
	assert_int_equal(write_str(f, "-500\n"), 5);
	assert_int_equal(write_str(f, "2000"), -EINVAL);
	assert_int_equal(write_str(f, "12abc"), -EINVAL);
	file_put(f);
	s = slurp("/2/oom_score_adj");
	assert_string_equal(s, "-500\n");
	free(s);
	/* uid 1000 may raise its own score but not lower it. */
	f = open_as(fx.t2, "/2/oom_score_adj", LINUX_O_WRONLY, &err);
	assert_non_null(f);
	task_set_current(fx.t2);
	assert_int_equal(write_str(f, "100"), 3);
	assert_int_equal(write_str(f, "-100"), -EACCES);
	task_set_current(fx.t1);
	file_put(f);
	fx.tg2->oom_score_adj = 0;

	/* Another user's private files stay closed. */
	task_set_current(fx.t2);
	assert_null(open_as(fx.t2, "/1/environ", LINUX_O_RDONLY, &err));
	assert_int_equal(err, -EACCES);
	task_set_current(fx.t1);
}

static void test_text_cap(void **state)
{
	static char chunk[65536];
	struct pbuf b;

	(void)state;
	pbuf_init(&b);
	memset(chunk, 'x', sizeof(chunk));
	for (int k = 0; k < 100; k++)
		pbuf_write(&b, chunk, sizeof(chunk));
	assert_int_equal(b.len, PROC_SNAPSHOT_MAX);
	assert_true(b.truncated);
	pbuf_printf(&b, "%s", "more");
	assert_int_equal(b.len, PROC_SNAPSHOT_MAX);
	pbuf_free(&b);
	pbuf_escape(&b, "a b\t\\\n", " \t\n\\");
	assert_int_equal(b.len, 18);
	assert_memory_equal(b.data, "a\\040b\\011\\134\\012", 18);
	pbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_listing),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_task_dir),
		cmocka_unit_test(test_mm_files),
		cmocka_unit_test(test_mem),
		cmocka_unit_test(test_fds),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_dead_process),
		cmocka_unit_test(test_meminfo),
		cmocka_unit_test(test_system_files),
		cmocka_unit_test(test_sys),
		cmocka_unit_test(test_mounts),
		cmocka_unit_test(test_attrs),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_writes),
		cmocka_unit_test(test_text_cap),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
