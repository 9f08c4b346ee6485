/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vfs_fixture.h: the fixture the VFS unit tests share: a sandbox root on a
 * tmpfs and a fake task whose "guest memory" is the test's own memory.
 */
#ifndef CVISOR_VFS_FIXTURE_H
#define CVISOR_VFS_FIXTURE_H

#include <stdint.h>

#include "sentry/kernel/task.h"
#include "sentry/vfs/vfs.h"

extern int fake_signals_sent;
extern int fake_last_signal;
extern int fake_mappables_live;
extern uint64_t fake_ro_start, fake_ro_end;
/* When set, the next task_wait calls it once (and clears it) instead of
 * reporting a signal: its result is task_wait's. */
extern int (*fake_wait_hook)(struct task *);

/* The fake task of the current test (root creds, a fresh tmpfs root). */
extern struct task *T;
extern struct creds test_creds;

int vfs_test_setup(void **state);
int vfs_test_teardown(void **state);
/* Become uid/gid with no capabilities (or root with all). */
void test_become(uint32_t uid, uint32_t gid, bool caps);
/* Guest-address helpers: the tests pass their own pointers. */
#define G(p) ((uint64_t)(uintptr_t)(p))

/* The tests of test_vfs_io.c (the array is of cmocka's CMUnitTest). */
extern const size_t vfs_io_tests_count;
/* The tests of test_vfs_files.c. */
extern const size_t vfs_files_tests_count;
/* The tests of test_vfs_events.c. */
extern const size_t vfs_events_tests_count;
/* The tests of test_vfs_xattr.c. */
extern const size_t vfs_xattr_tests_count;

#endif
