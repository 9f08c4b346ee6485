/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VFS unit tests, part three: what programs do with open files beyond
 * plain I/O: reopening a pipe through its inode (/proc/PID/fd/N).
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
#include "gen/syscall_names.h"
#include "sentry/abi/poll.h"
#include "sentry/fs/fs.h"
#include "sentry/fs/pipe.h"
#include "tests/unit/vfs_fixture.h"

#define SYS(name, ...) kern_##name(T, &(struct name##_args){__VA_ARGS__})

static long fio(struct file *f, void *buf, size_t len, bool wr)
{
	struct linux_iovec seg;
	struct vfs_uio u;

	vfs_uio_init_sentry(&u, &seg, buf, len);
	return wr ? vfs_write(f, &u, NULL) : vfs_read(f, &u, NULL);
}

static void test_pipe_reopen(void **state)
{
	struct file *r, *w, *w2, *r2;
	char buf[8] = {0};

	(void)state;
	assert_int_equal(pipe_create(T, 0, &r, &w), 0);
	/* A write-only open of the pipe's inode joins the same pipe: the
	 * reader is there, so it does not wait. */
	assert_int_equal(vfs_open_path(T, &w->path, LINUX_O_WRONLY, &w2), 0);
	assert_int_equal(fio(w2, "via", 3, true), 3);
	assert_int_equal(fio(r, buf, sizeof(buf), false), 3);
	assert_string_equal(buf, "via");
	/* The first writer gone, the second keeps the pipe alive. */
	file_put(w);
	assert_false(r->ops->poll(r, NULL) & LINUX_POLLHUP);
	file_put(w2);
	assert_true(r->ops->poll(r, NULL) & LINUX_POLLHUP);
	/* A read-write reopen while the reader is still open. */
	assert_int_equal(vfs_open_path(T, &r->path, LINUX_O_RDWR, &r2), 0);
	assert_int_equal(fio(r2, "x", 1, true), 1);
	assert_int_equal(fio(r, buf, 1, false), 1);
	file_put(r);
	file_put(r2);
}

const struct CMUnitTest vfs_files_tests[] = {
#define T_(f)                                                                  \
	cmocka_unit_test_setup_teardown(f, vfs_test_setup, vfs_test_teardown)
	T_(test_pipe_reopen),
#undef T_
};
const size_t vfs_files_tests_count =
	sizeof(vfs_files_tests) / sizeof(vfs_files_tests[0]);
