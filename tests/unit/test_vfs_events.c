/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VFS unit tests, part four: events. The fsnotify hooks of the VFS core
 * as a recording backend sees them (including IN_UNMOUNT, which no
 * syscall reaches yet), and the epoll core's handling of a wait queue
 * that goes away under an interest (WAITQ_EV_FREE).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen/linux_flags.h"
#include "sentry/abi/epoll.h"
#include "sentry/abi/poll.h"
#include "sentry/fs/eventpoll.h"
#include "sentry/fs/fs.h"
#include "sentry/kernel/waitq.h"
#include "sentry/vfs/fsnotify.h"
#include "tests/unit/vfs_fixture.h"

/* A backend that writes down what it gets. */
struct rec_mark {
	struct fsnotify_mark m;
	char log[512];
	bool freed;
};

static void rec_event(struct fsnotify_mark *m, uint32_t mask, const char *name,
		      uint32_t cookie)
{
	struct rec_mark *r = (struct rec_mark *)m;
	size_t n = strlen(r->log);

	snprintf(r->log + n, sizeof(r->log) - n, "%s%x%s%s%s", n ? " " : "",
		 mask, name ? ":" : "", name ? name : "", cookie ? ":c" : "");
}

static void rec_freed(struct fsnotify_mark *m)
{
	struct rec_mark *r = (struct rec_mark *)m;
	size_t n = strlen(r->log);

	snprintf(r->log + n, sizeof(r->log) - n, "%sfreed", n ? " " : "");
	r->freed = true;
}

static const struct fsnotify_ops rec_ops = {
	.event = rec_event,
	.freed = rec_freed,
};

static void watch(struct rec_mark *r, const char *path, uint32_t mask)
{
	struct path p;

	memset(r, 0, sizeof(*r));
	r->m.ops = &rec_ops;
	r->m.group = r;
	r->m.mask = mask;
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, path, 0, &p), 0);
	fsnotify_add_mark(&r->m, p.dentry->inode);
	assert_ptr_equal(fsnotify_find_mark(p.dentry->inode, r), &r->m);
	path_put(&p);
}

static void test_notify_namespace(void **state)
{
	struct rec_mark d, f;
	struct file *file;

	(void)state;
	assert_int_equal(vfs_mkdir(T, LINUX_AT_FDCWD, "/d", 0755), 0);
	watch(&d, "/d", 0xfff);
	assert_int_equal(vfs_open(T, LINUX_AT_FDCWD, "/d/a",
				  LINUX_O_CREAT | LINUX_O_WRONLY, 0644, &file),
			 0);
	watch(&f, "/d/a", 0xfff);
	file_put(file);
	assert_int_equal(vfs_mkdir(T, LINUX_AT_FDCWD, "/d/s", 0755), 0);
	assert_int_equal(vfs_rename(T, LINUX_AT_FDCWD, "/d/a", LINUX_AT_FDCWD,
				    "/d/b", 0),
			 0);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/d/b"), 0);
	/* CREATE, OPEN, CLOSE_WRITE, CREATE|ISDIR, the move, DELETE. */
	assert_string_equal(d.log, "100:a 20:a 8:a 40000100:s 40:a:c 80:b:c "
				   "200:b");
	/* CLOSE_WRITE, MOVE_SELF, ATTRIB, DELETE_SELF, then the mark goes. */
	assert_string_equal(f.log, "8 800 4 400 freed");
	assert_true(f.freed);
	fsnotify_remove_mark(&d.m);
}

static void test_notify_unmount(void **state)
{
	struct superblock *sb;
	struct rec_mark r, root;
	struct mount *m;
	struct path p;

	(void)state;
	assert_int_equal(vfs_mkdir(T, LINUX_AT_FDCWD, "/mnt", 0755), 0);
	assert_int_equal(tmpfs_new(0755, 0, 0, &sb), 0);
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/mnt", 0, &p), 0);
	assert_int_equal(vfs_mount(sb, &p, 0, "tmpfs", &m), 0);
	path_put(&p);
	superblock_put(sb);
	assert_int_equal(vfs_mkdir(T, LINUX_AT_FDCWD, "/mnt/x", 0755), 0);
	watch(&r, "/mnt/x", LINUX_IN_CREATE);
	watch(&root, "/", LINUX_IN_CREATE);
	assert_int_equal(vfs_umount(m), 0);
	assert_string_equal(r.log, "2000 freed");
	assert_string_equal(root.log, "");
	fsnotify_remove_mark(&root.m);
}

/* A file whose queue the test controls, as a signalfd's goes with its
 * thread group. */
static struct waitq test_wq;

static uint32_t test_poll(struct file *f, struct waitq **wq)
{
	(void)f;
	if (wq)
		*wq = &test_wq;
	return 0;
}

static const struct file_ops test_fops = {.poll = test_poll};

static void test_epoll_queue_freed(void **state)
{
	struct linux_epoll_event ev = {.events = LINUX_POLLIN, .data = 7};
	struct file *ep, *f;
	struct inode *i;

	(void)state;
	waitq_init(&test_wq);
	assert_int_equal(eventpoll_create(&ep), 0);
	i = inode_new(vfs_pseudo_sb(), NULL, NULL, 0600, 0);
	assert_int_equal(file_new_pseudo(i, "anon_inode:[test]", &test_fops,
					 LINUX_O_RDWR, NULL, &f),
			 0);
	assert_int_equal(eventpoll_ctl(ep, LINUX_EPOLL_CTL_ADD, 3, f, &ev), 0);
	assert_false(waitq_empty(&test_wq));
	waitq_notify(&test_wq, WAITQ_EV_FREE);
	assert_true(waitq_empty(&test_wq));
	assert_false(eventpoll_maybe_ready(ep));
	/* The interest itself stays until the file goes. */
	assert_int_equal(eventpoll_ctl(ep, LINUX_EPOLL_CTL_ADD, 3, f, &ev),
			 -EEXIST);
	file_put(f);
	assert_int_equal(eventpoll_ctl(ep, LINUX_EPOLL_CTL_DEL, 3, ep, NULL),
			 -EINVAL);
	file_put(ep);
}

const struct CMUnitTest vfs_events_tests[] = {
#define T_(f)                                                                  \
	cmocka_unit_test_setup_teardown(f, vfs_test_setup, vfs_test_teardown)
	T_(test_notify_namespace),
	T_(test_notify_unmount),
	T_(test_epoll_queue_freed),
#undef T_
};
const size_t vfs_events_tests_count =
	sizeof(vfs_events_tests) / sizeof(vfs_events_tests[0]);
