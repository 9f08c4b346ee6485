/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_mm_syscalls: the kern_* handlers of sentry/syscalls/mm.c with a
 * minimal task, a stand-in vfs (fds 3-6 are files with given open modes)
 * and the fake platform: fd lookups, file mappings (private copies,
 * shared writes, EOF and truncation), rlimits and capabilities.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/capability.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mmap_file.h"

#include "tests/unit/test_mm_fake.c"

#define PG 4096ULL

/* ---- what the kernel and the vfs provide ---- */

static uint64_t caps;

bool creds_capable(const struct creds *c, int cap)
{
	(void)c;
	return caps & (1ULL << cap);
}

int task_copy_out(struct task *t, uint64_t addr, const void *src, size_t len)
{
	return mm_copy_out(t->mm, addr, src, len);
}

/* A tmpfs-like file: an authoritative cache with a size. */
static uint64_t file_size = 3 * PG;

static uint64_t file_size_op(struct mappable *m)
{
	(void)m;
	return file_size;
}

static const struct mappable_ops file_ops = {.size = file_size_op};
static struct mappable *file;

int vfs_mmap_fd(struct task *t, int fd, uint64_t off, int prot, int flags,
		struct mm_map_args *io)
{
	(void)t;
	(void)off;
	(void)prot;
	(void)flags;
	switch (fd) {
	case 3: /* O_RDWR */
		io->maxprot = 7;
		break;
	case 4: /* O_RDONLY */
		io->maxprot = LINUX_PROT_READ | LINUX_PROT_EXEC;
		break;
	case 5: /* O_WRONLY */
		io->maxprot = LINUX_PROT_WRITE | LINUX_PROT_EXEC;
		break;
	case 6: /* noexec mount */
		io->maxprot = LINUX_PROT_READ | LINUX_PROT_WRITE;
		break;
	case 7:
		return -ENODEV; /* a directory */
	default:
		return -EBADF;
	}
	mappable_get(file);
	io->obj = file;
	io->name = strdup("/tmp/file");
	io->dev = 0x801;
	io->ino = 42;
	return 0;
}

/* ---- a task ---- */

static struct thread_group tg;
static struct task task = {.tg = &tg};

static int setup(void **state)
{
	(void)state;
	fake_setup(true);
	for (int i = 0; i < RLIM_NLIMITS_; i++)
		tg.rlimits[i].cur = tg.rlimits[i].max = UINT64_MAX;
	tg.rlimits[LINUX_RLIMIT_MEMLOCK].cur = 8 * PG;
	caps = 0;
	if (mm_new(&task.mm))
		return -1;
	file_size = 3 * PG;
	file = mappable_new(&file_ops, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mm_put(task.mm);
	mappable_put(file);
	return 0;
}

static long do_mmap(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags,
		    int fd, int64_t off)
{
	struct mmap_args a = {addr, len, prot, flags, fd, off};

	return kern_mmap(&task, &a);
}

static void test_mmap_errors(void **state)
{
	(void)state;
	fake_signals(); /* cmocka installs its own handlers per test */
	assert_int_equal(do_mmap(0, PG, 1,
				 LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS, -1,
				 1),
			 -EINVAL);
	assert_true(do_mmap(0, PG, 1, LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS,
			    -1, -4096) > 0);
	assert_int_equal(do_mmap(0, PG, 1, LINUX_MAP_PRIVATE, -1, 0), -EBADF);
	assert_int_equal(do_mmap(0, PG, 1, LINUX_MAP_PRIVATE, 99, 0), -EBADF);
	assert_int_equal(do_mmap(0, PG, 1, LINUX_MAP_PRIVATE, 7, 0), -ENODEV);
	assert_int_equal(do_mmap(0, PG, 3, LINUX_MAP_SHARED, 4, 0), -EACCES);
	assert_true(do_mmap(0, PG, 3, LINUX_MAP_PRIVATE, 4, 0) > 0);
	assert_int_equal(do_mmap(0, PG, 1, LINUX_MAP_SHARED, 5, 0), -EACCES);
	assert_int_equal(do_mmap(0, PG, 5, LINUX_MAP_PRIVATE, 6, 0), -EPERM);
	assert_int_equal(do_mmap(0, PG, 1, LINUX_MAP_PRIVATE, 3, 100), -EINVAL);
	assert_int_equal(do_mmap(0, PG, 1, LINUX_MAP_PRIVATE, 3, -4096),
			 -EOVERFLOW);
	assert_int_equal(
		do_mmap(0, PG, 1, LINUX_MAP_PRIVATE, 3, 0x7ffffffffffff000LL),
		-EOVERFLOW);
	assert_int_equal(
		do_mmap(0, PG, 1, LINUX_MAP_PRIVATE | LINUX_MAP_HUGETLB, 3, 0),
		-EINVAL);
	assert_int_equal(do_mmap(0, PG, 1,
				 LINUX_MAP_SHARED_VALIDATE | LINUX_MAP_SYNC, 3,
				 0),
			 -EOPNOTSUPP);
	assert_int_equal(do_mmap(0, PG, 1,
				 LINUX_MAP_PRIVATE | LINUX_MAP_GROWSDOWN, 3, 0),
			 -EINVAL);
	assert_int_equal(do_mmap(0, 0, 1, LINUX_MAP_SHARED, 3, 0), -EINVAL);
	/* Unknown prot bits are ignored by mmap (not by mprotect). */
	assert_true(do_mmap(0, PG, 0x11,
			    LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS, -1,
			    0) > 0);
	/* RLIMIT_AS. */
	tg.rlimits[LINUX_RLIMIT_AS].cur = 1ULL << 30;
	assert_int_equal(do_mmap(0, 1ULL << 31, 1,
				 LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS, -1,
				 0),
			 -ENOMEM);
	tg.rlimits[LINUX_RLIMIT_AS].cur = UINT64_MAX;
	/* MAP_LOCKED needs RLIMIT_MEMLOCK room. */
	assert_int_equal(do_mmap(0, 16 * PG, 3,
				 LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS |
					 LINUX_MAP_LOCKED,
				 -1, 0),
			 -EAGAIN);
	tg.rlimits[LINUX_RLIMIT_MEMLOCK].cur = 0;
	assert_int_equal(do_mmap(0, PG, 3,
				 LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS |
					 LINUX_MAP_LOCKED,
				 -1, 0),
			 -EPERM);
	caps = 1ULL << LINUX_CAP_IPC_LOCK;
	assert_true(do_mmap(0, 16 * PG, 3,
			    LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS |
				    LINUX_MAP_LOCKED,
			    -1, 0) > 0);
	assert_int_equal(fake_check(task.mm), 0);
}

static void test_file_mappings(void **state)
{
	long priv, sh, ro;
	uint8_t v;
	char buf[8];

	(void)state;
	fake_signals();
	assert_int_equal(mappable_write(file, 0, "ABCDEFGH", 8), 8);
	priv = do_mmap(0, 3 * PG, 3, LINUX_MAP_PRIVATE, 3, 0);
	sh = do_mmap(0, 3 * PG, 3, LINUX_MAP_SHARED, 3, 0);
	assert_true(priv > 0 && sh > 0);
	assert_int_equal(guest_read(task.mm, (uint64_t)priv + 1, &v), 0);
	assert_int_equal(v, 'B');
	/* A private write is private... */
	assert_int_equal(guest_write(task.mm, (uint64_t)priv, '#'), 0);
	assert_int_equal(mappable_read(file, 0, buf, 1), 1);
	assert_int_equal(buf[0], 'A');
	/* ...a shared one reaches the file and the other mappings. */
	assert_int_equal(guest_write(task.mm, (uint64_t)sh + 2, '!'), 0);
	assert_int_equal(mappable_read(file, 2, buf, 1), 1);
	assert_int_equal(buf[0], '!');
	assert_int_equal(guest_read(task.mm, (uint64_t)priv + 2, &v), 0);
	assert_int_equal(v, 'C'); /* copied by the private write */
	/* Pages the process has not written show the file's changes. */
	assert_int_equal(guest_read(task.mm, (uint64_t)priv + PG, &v), 0);
	assert_int_equal(mappable_write(file, PG, "%", 1), 1);
	assert_int_equal(guest_read(task.mm, (uint64_t)priv + PG, &v), 0);
	assert_int_equal(v, '%');
	/* write() to the file shows in the shared mapping. */
	assert_int_equal(mappable_write(file, 3, "@", 1), 1);
	assert_int_equal(guest_read(task.mm, (uint64_t)sh + 3, &v), 0);
	assert_int_equal(v, '@');
	/* Read-only shared mapping: mprotect(RW) is EACCES. */
	ro = do_mmap(0, PG, 1, LINUX_MAP_SHARED, 4, 0);
	assert_true(ro > 0);
	{
		struct mprotect_args m = {(uint64_t)ro, PG, 3};

		assert_int_equal(kern_mprotect(&task, &m), -EACCES);
	}
	/* Truncation: pages past EOF go away; touching them is SIGBUS. */
	assert_int_equal(guest_read(task.mm, (uint64_t)sh + 2 * PG, &v), 0);
	file_size = PG + 10;
	mappable_truncate(file, file_size);
	assert_int_equal(fake_check(task.mm), 0);
	assert_int_equal(guest_read(task.mm, (uint64_t)sh + 2 * PG, &v),
			 SIGBUS);
	assert_int_equal(guest_read(task.mm, (uint64_t)priv + 2 * PG, &v),
			 SIGBUS);
	assert_int_equal(guest_read(task.mm, (uint64_t)sh + PG + 9, &v), 0);
	/* msync. */
	{
		struct msync_args m = {(uint64_t)sh, PG, LINUX_MS_SYNC};

		assert_int_equal(kern_msync(&task, &m), 0);
		m.flags = LINUX_MS_SYNC | LINUX_MS_ASYNC;
		assert_int_equal(kern_msync(&task, &m), -EINVAL);
	}
	assert_int_equal(fake_check(task.mm), 0);
}

static void test_mincore_mlock_brk(void **state)
{
	long p = do_mmap(0, 4 * PG, 3, LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS,
			 -1, 0);
	long vec = do_mmap(0, PG, 3, LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS,
			   -1, 0);
	uint8_t v[4];

	(void)state;
	fake_signals();
	assert_int_equal(guest_write(task.mm, (uint64_t)p + PG, 1), 0);
	{
		struct mincore_args m = {(uint64_t)p, 4 * PG, (uint64_t)vec};

		assert_int_equal(kern_mincore(&task, &m), 0);
		assert_int_equal(mm_copy_in(task.mm, (uint64_t)vec, v, 4), 0);
		assert_int_equal(v[1], 1);
		m.length = 0;
		assert_int_equal(kern_mincore(&task, &m), 0);
		m.length = UINT64_MAX;
		assert_int_equal(kern_mincore(&task, &m), -ENOMEM);
		m.length = PG;
		m.vec = 1;
		assert_int_equal(kern_mincore(&task, &m), -EFAULT);
	}
	{
		struct mlock_args m = {(uint64_t)p, 4 * PG};
		struct mlockall_args all = {0};

		assert_int_equal(kern_mlock(&task, &m), 0);
		m.len = 16 * PG;
		assert_int_equal(kern_mlock(&task, &m), -ENOMEM);
		{
			struct munlock_args u = {(uint64_t)p, 4 * PG};

			assert_int_equal(kern_munlock(&task, &u), 0);
			assert_int_equal(mm_locked_pages(task.mm), 0);
		}
		assert_int_equal(kern_mlockall(&task, &all), -EINVAL);
		all.flags = LINUX_MCL_ONFAULT;
		assert_int_equal(kern_mlockall(&task, &all), -EINVAL);
		all.flags = LINUX_MCL_CURRENT;
		assert_int_equal(kern_mlockall(&task, &all), 0);
		assert_int_equal(mm_locked_pages(task.mm),
				 mm_total_pages(task.mm));
		assert_int_equal(kern_munlockall(&task, NULL), 0);
		assert_int_equal(mm_locked_pages(task.mm), 0);
		/* MCL_FUTURE: later mappings come locked. */
		all.flags = LINUX_MCL_FUTURE;
		assert_int_equal(kern_mlockall(&task, &all), 0);
		assert_true(do_mmap(0, PG, 3,
				    LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS, -1,
				    0) > 0);
		assert_int_equal(mm_locked_pages(task.mm), 1);
		assert_int_equal(kern_munlockall(&task, NULL), 0);
		do_mmap(0, 64 * PG, 3, LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS,
			-1, 0);
		all.flags = LINUX_MCL_CURRENT;
		assert_int_equal(kern_mlockall(&task, &all), -ENOMEM);
		tg.rlimits[LINUX_RLIMIT_MEMLOCK].cur = 0;
		assert_int_equal(kern_mlock(&task, &m), -EPERM);
	}
	{
		struct brk_args b = {0};
		struct mm_layout *l = mm_layout(task.mm);

		l->start_brk = l->brk = 0x20000000;
		assert_int_equal(kern_brk(&task, &b), 0x20000000);
		b.brk = 0x20010000;
		tg.rlimits[LINUX_RLIMIT_DATA].cur = PG;
		assert_int_equal(kern_brk(&task, &b), 0x20000000);
		tg.rlimits[LINUX_RLIMIT_DATA].cur = UINT64_MAX;
		assert_int_equal(kern_brk(&task, &b), 0x20010000);
	}
	{
		struct pkey_mprotect_args k = {(uint64_t)p, PG, 1, 5};

		assert_int_equal(kern_pkey_mprotect(&task, &k), -EINVAL);
		k.pkey = -1;
		assert_int_equal(kern_pkey_mprotect(&task, &k), 0);
	}
	assert_int_equal(fake_check(task.mm), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mmap_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_file_mappings, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mincore_mlock_brk, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
