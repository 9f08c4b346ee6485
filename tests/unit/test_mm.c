/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_mm: the memory file, vmas, copy-in/out, faults, fork, mremap and
 * madvise, against an in-process platform (test_mm_fake.c) whose mappings
 * the tests touch with real loads and stores.
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
#include "sentry/abi/signal.h"

#include "tests/unit/test_mm_fake.c"

#define PG 4096ULL

static int64_t map_anon(struct mm *mm, uint64_t addr, uint64_t len, int prot,
			int flags)
{
	struct mm_map_args a = {
		.addr = addr,
		.len = len,
		.prot = prot,
		.flags = flags | LINUX_MAP_ANONYMOUS |
			 ((flags & 3) ? 0 : LINUX_MAP_PRIVATE),
		.maxprot = 7,
	};

	return mm_map(mm, &a);
}

static struct mm *new_mm(bool platform)
{
	struct mm *mm;

	fake_setup(platform);
	assert_int_equal(mm_new(&mm), 0);
	return mm;
}

/* ---- memory file ---- */

static void test_memfile_alloc(void **state)
{
	struct memfile *mf;
	struct memfile_stats st;
	uint64_t a, b, c, d;

	(void)state;
	assert_int_equal(memfile_new(1ULL << 30, &mf), 0);
	assert_int_equal(memfile_alloc(mf, 4, &a), 0);
	assert_int_equal(memfile_alloc(mf, 4, &b), 0);
	assert_int_equal(memfile_alloc(mf, 4, &c), 0);
	assert_int_not_equal(a, b);
	assert_int_equal(memfile_refs(mf, a), 1);
	assert_int_equal(memfile_refs(mf, b + 3 * PG), 1);
	memset(memfile_view(mf, b), 0x5a, 4 * PG);
	memfile_incref(mf, b, 4);
	assert_int_equal(memfile_refs(mf, b), 2);
	memfile_decref(mf, b, 4);
	assert_int_equal(memfile_refs(mf, b), 1);
	assert_int_equal(((uint8_t *)memfile_view(mf, b))[5], 0x5a);
	/* Free a and b: they coalesce once punched, and b's data is gone. */
	memfile_decref(mf, a, 4);
	memfile_decref(mf, b, 4);
	memfile_stats(mf, &st);
	assert_int_equal(st.used_pages, 4);
	assert_int_equal(st.pending_pages, 8);
	memfile_flush(mf);
	memfile_stats(mf, &st);
	assert_int_equal(st.pending_pages, 0);
	assert_int_equal(memfile_alloc(mf, 8, &d), 0);
	assert_true(d == (a < b ? a : b)); /* the coalesced 8 pages */
	for (uint64_t i = 0; i < 8 * PG; i++)
		assert_int_equal(((uint8_t *)memfile_view(mf, d))[i], 0);
	/* Partial release of a range: the middle page alone goes. */
	memfile_decref(mf, d + PG, 1);
	assert_int_equal(memfile_refs(mf, d + PG), 0);
	assert_int_equal(memfile_refs(mf, d), 1);
	memfile_decref(mf, d, 1);
	memfile_decref(mf, d + 2 * PG, 6);
	memfile_decref(mf, c, 4);
	memfile_flush(mf);
	memfile_stats(mf, &st);
	assert_int_equal(st.used_pages, 0);
	assert_int_equal(st.free_extents, 1);
	memfile_release(mf);
}

static void test_memfile_limits(void **state)
{
	struct memfile *mf;
	uint64_t a, b;

	(void)state;
	assert_int_equal(memfile_new(16 * PG, &mf), 0);
	assert_int_equal(memfile_alloc(mf, 0, &a), -ENOMEM);
	assert_int_equal(memfile_alloc(mf, 17, &a), -ENOMEM);
	assert_int_equal(memfile_alloc(mf, UINT64_MAX, &a), -ENOMEM);
	assert_int_equal(memfile_alloc(mf, 16, &a), 0);
	assert_int_equal(memfile_alloc(mf, 1, &b), -ENOMEM);
	memfile_decref(mf, a + 15 * PG, 1);
	/* Pending pages are given back when they are needed. */
	assert_int_equal(memfile_alloc(mf, 1, &b), 0);
	assert_int_equal(b, a + 15 * PG);
	memfile_release(mf);
}

/* Random allocations and frees against a model of page ownership. */
static void test_memfile_random(void **state)
{
	struct memfile *mf;
	struct {
		uint64_t off, n;
	} live[64] = {{0}};
	static uint8_t owner[4096];
	unsigned seed = 1;

	(void)state;
	assert_int_equal(memfile_new(4096 * PG, &mf), 0);
	for (int i = 0; i < 20000; i++) {
		int k = rand_r(&seed) % 64;

		if (live[k].n) {
			for (uint64_t p = 0; p < live[k].n; p++)
				owner[(live[k].off >> 12) + p] = 0;
			memfile_decref(mf, live[k].off, live[k].n);
			live[k].n = 0;
		} else {
			uint64_t n = 1 + rand_r(&seed) % 40, off;

			if (memfile_alloc(mf, n, &off))
				continue;
			for (uint64_t p = 0; p < n; p++) {
				assert_int_equal(owner[(off >> 12) + p], 0);
				assert_int_equal(*(uint8_t *)memfile_view(
							 mf, off + p * PG),
						 0);
				owner[(off >> 12) + p] = (uint8_t)(k + 1);
			}
			memset(memfile_view(mf, off), 0xee, n * PG);
			live[k].off = off;
			live[k].n = n;
		}
	}
	memfile_release(mf);
}

/* ---- vmas ---- */

static void test_vma_map_unmap(void **state)
{
	struct mm *mm = new_mm(false);
	int64_t a, b;
	char *text;
	size_t len;

	(void)state;
	a = map_anon(mm, 0, 4 * PG, 3, 0);
	assert_true(a > 0 && !(a & 4095));
	b = map_anon(mm, 0, 4 * PG, 3, 0);
	/* Top-down: right below the first, merged with it. */
	assert_int_equal(b, a - 4 * PG);
	assert_int_equal(mm->nvmas, 1);
	/* munmap of a middle page splits. */
	assert_int_equal(mm_unmap(mm, (uint64_t)b + 2 * PG, PG), 0);
	assert_int_equal(mm->nvmas, 2);
	assert_null(vma_find(mm, (uint64_t)b + 2 * PG));
	assert_non_null(vma_find(mm, (uint64_t)b + 3 * PG));
	assert_int_equal(mm_check(mm), 0);
	/* mprotect of a middle part splits in three, and back merges. */
	assert_int_equal(mm_protect(mm, (uint64_t)a + PG, 2 * PG, 1), 0);
	assert_int_equal(mm->nvmas, 4);
	assert_int_equal(vma_find(mm, (uint64_t)a + PG)->prot, 1);
	assert_int_equal(vma_find(mm, (uint64_t)a)->prot, 3);
	assert_int_equal(mm_protect(mm, (uint64_t)a + PG, 2 * PG, 3), 0);
	assert_int_equal(mm->nvmas, 2);
	assert_int_equal(mm_check(mm), 0);
	assert_int_equal(mm_maps_text(mm, &text, &len), 0);
	assert_int_equal(len, strlen(text));
	assert_non_null(strstr(text, " rw-p 00000000 00:00 0 \n"));
	free(text);
	/* Unmapping everything, holes included. */
	assert_int_equal(mm_unmap(mm, (uint64_t)b, 8 * PG), 0);
	assert_int_equal(mm->nvmas, 0);
	assert_int_equal(mm_unmap(mm, (uint64_t)b, 8 * PG), 0);
	mm_put(mm);
}

static void test_vma_errors(void **state)
{
	struct mm *mm = new_mm(false);
	uint64_t top = mm_max_addr();
	int64_t a;

	(void)state;
	assert_int_equal(map_anon(mm, 0, 0, 3, 0), -EINVAL);
	assert_int_equal(map_anon(mm, 0, UINT64_MAX, 3, 0), -ENOMEM);
	assert_int_equal(map_anon(mm, 0, 1ULL << 62, 3, 0), -ENOMEM);
	assert_int_equal(map_anon(mm, 0x10001, PG, 3, LINUX_MAP_FIXED),
			 -EINVAL);
	assert_int_equal(map_anon(mm, top - PG, 2 * PG, 3, LINUX_MAP_FIXED),
			 -ENOMEM);
	assert_int_equal(
		map_anon(mm, UINT64_MAX & ~4095ULL, PG, 3, LINUX_MAP_FIXED),
		-ENOMEM);
	assert_int_equal(map_anon(mm, 0x1000, PG, 3, LINUX_MAP_FIXED), -EPERM);
	assert_int_equal(map_anon(mm, 0, PG, 3, LINUX_MAP_SHARED_VALIDATE),
			 -EINVAL);
	assert_int_equal(map_anon(mm, 0, PG, 3, 0x08 | LINUX_MAP_PRIVATE),
			 -EINVAL);
	assert_int_equal(
		map_anon(mm, 0, PG, 3, LINUX_MAP_SHARED | LINUX_MAP_GROWSDOWN),
		-EINVAL);
	assert_int_equal(map_anon(mm, 0, PG, 3, LINUX_MAP_HUGETLB), -ENOMEM);
	/* A huge lazy mapping fits and costs nothing. */
	a = map_anon(mm, 0, 1ULL << 46, 3, LINUX_MAP_NORESERVE);
	assert_true(a > 0);
	assert_int_equal(mm->pma_pages, 0);
	/* Hints: rounded down, below mmap_min_addr raised. */
	a = map_anon(mm, 0x20000001, PG, 3, 0);
	assert_int_equal(a, 0x20000000);
	a = map_anon(mm, 0x1000, PG, 3, 0);
	assert_int_equal(a, (int64_t)mm_min_addr());
	assert_int_equal(
		map_anon(mm, 0x20000000, PG, 3, LINUX_MAP_FIXED_NOREPLACE),
		-EEXIST);
	/* No map type is EINVAL, but NOREPLACE's EEXIST comes first. */
	assert_int_equal(map_anon(mm, 0x20000000, PG, 3,
				  LINUX_MAP_FIXED_NOREPLACE | 0x0c),
			 -EEXIST);
	a = map_anon(mm, 0, PG, 3, LINUX_MAP_32BIT);
	assert_true(a >= 0x40000000 && a < 0x80000000);
	/* munmap / mprotect argument checks. */
	assert_int_equal(mm_unmap(mm, 0x20000000, 0), -EINVAL);
	assert_int_equal(mm_unmap(mm, 0x20000001, PG), -EINVAL);
	assert_int_equal(mm_unmap(mm, 0x7ffffffff000ULL, PG), -EINVAL);
	assert_int_equal(mm_unmap(mm, 0x20000000, -4096ULL), -EINVAL);
	assert_int_equal(mm_protect(mm, 0x20000001, PG, 1), -EINVAL);
	assert_int_equal(mm_protect(mm, 0x20000000, 0, 0x10), 0);
	assert_int_equal(mm_protect(mm, 0x20000000, PG, 0x10), -EINVAL);
	assert_int_equal(mm_protect(mm, 0x20000000, PG, 8 | 1), 0);
	assert_int_equal(mm_protect(mm, 0x20000000, UINT64_MAX, 1), -ENOMEM);
	assert_int_equal(mm_protect(mm, 0x20000000, PG, 0x03000001), -EINVAL);
	assert_int_equal(mm_protect(mm, 0x20000000, PG, 0x01000001), -EINVAL);
	assert_int_equal(mm_protect(mm, 0x30000000, PG, 1), -ENOMEM);
	assert_int_equal(mm_check(mm), 0);
	mm_put(mm);
}

static void test_vma_protect_hole(void **state)
{
	struct mm *mm = new_mm(false);
	int64_t a = map_anon(mm, 0, 3 * PG, 3, 0);

	(void)state;
	assert_int_equal(mm_unmap(mm, (uint64_t)a + PG, PG), 0);
	/* Linux changes the first vma, then reports the hole. */
	assert_int_equal(mm_protect(mm, (uint64_t)a, 3 * PG, 1), -ENOMEM);
	assert_int_equal(vma_find(mm, (uint64_t)a)->prot, 1);
	assert_int_equal(vma_find(mm, (uint64_t)a + 2 * PG)->prot, 3);
	assert_int_equal(mm_check(mm), 0);
	mm_put(mm);
}

/* Random maps and unmaps; the gap-augmented tree must stay right and
 * the free-range search must agree with a linear scan. */
static void test_vma_random(void **state)
{
	struct mm *mm = new_mm(false);
	unsigned seed = 7;
	uint64_t base = 0x100000000ULL;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		uint64_t a = base + (uint64_t)(rand_r(&seed) % 4096) * PG;
		uint64_t n = (1 + rand_r(&seed) % 16) * PG;
		int r = rand_r(&seed) % 4;
		int gd = rand_r(&seed) % 5 ? 0 : LINUX_MAP_GROWSDOWN;

		if (r == 0)
			assert_int_equal(mm_unmap(mm, a, n), 0);
		else if (r == 1)
			assert_true(mm_protect(mm, a, n,
					       1 + rand_r(&seed) % 3) <= 0);
		else
			assert_int_equal(
				map_anon(mm, a, n, 3, LINUX_MAP_FIXED | gd),
				(int64_t)a);
		assert_int_equal(mm_check(mm), 0);
		if (i % 50 == 0) {
			/* The search finds the highest fit below the limit,
			 * checked by scanning. */
			uint64_t len = (1 + rand_r(&seed) % 64) * PG;
			uint64_t lo = base, hi = base + 4200 * PG;
			int64_t got = vma_find_gap_topdown(mm, len, lo, hi);
			int64_t want = -ENOMEM;

			for (uint64_t s = hi - len; s >= lo; s -= PG) {
				if (vma_range_free(mm, s, s + len)) {
					want = (int64_t)s;
					break;
				}
			}
			assert_int_equal(got, want);
			got = vma_find_gap_bottomup(mm, len, lo, hi);
			want = -ENOMEM;
			for (uint64_t s = lo; s + len <= hi; s += PG) {
				if (vma_range_free(mm, s, s + len)) {
					want = (int64_t)s;
					break;
				}
			}
			assert_int_equal(got, want);
		}
	}
	mm_put(mm);
}

/* ---- copy in/out ---- */

static void test_copy(void **state)
{
	struct mm *mm = new_mm(false);
	char buf[3 * 4096], out[3 * 4096];
	int64_t a, b;

	(void)state;
	/* Two adjacent vmas with different protections. */
	a = map_anon(mm, 0x40000000, 2 * PG, 3, LINUX_MAP_FIXED);
	b = map_anon(mm, 0x40000000 + 2 * PG, PG, 1, LINUX_MAP_FIXED);
	assert_int_equal(b, a + 2 * PG);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)i;
	/* Crossing pages works, crossing into the read-only vma does not
	 * (and what could be written was). */
	assert_int_equal(mm_copy_out(mm, (uint64_t)a + 100, buf, 2 * PG - 100),
			 0);
	assert_int_equal(mm_copy_out(mm, (uint64_t)a + 100, buf, 2 * PG),
			 -EFAULT);
	assert_int_equal(mm_copy_in(mm, (uint64_t)a + 100, out, 3 * PG - 100),
			 0);
	assert_memory_equal(out, buf, 2 * PG - 100);
	/* Forced writes ignore PROT_WRITE (ptrace, loader). */
	assert_int_equal(mm_copy_out_force(mm, (uint64_t)b + 10, "xyz", 3), 0);
	assert_int_equal(mm_copy_in(mm, (uint64_t)b + 10, out, 3), 0);
	assert_memory_equal(out, "xyz", 3);
	/* PROT_NONE: no access, but a forced read works. */
	assert_int_equal(mm_protect(mm, (uint64_t)b, PG, 0), 0);
	assert_int_equal(mm_copy_in(mm, (uint64_t)b + 10, out, 3), -EFAULT);
	assert_int_equal(mm_copy_in_force(mm, (uint64_t)b + 10, out, 3), 0);
	/* Unmapped, wrapping and empty ranges. */
	assert_int_equal(mm_copy_in(mm, 0x50000000, out, 1), -EFAULT);
	assert_int_equal(mm_copy_in(mm, UINT64_MAX - 1, out, 4), -EFAULT);
	assert_int_equal(mm_copy_in(mm, 0, out, 0), 0);
	assert_int_equal(mm_zero(mm, (uint64_t)a + 102, 10), 0);
	assert_int_equal(mm_copy_in(mm, (uint64_t)a + 101, out, 12), 0);
	assert_int_equal(out[0], 1);
	for (int i = 1; i < 11; i++)
		assert_int_equal(out[i], 0);
	assert_int_equal(out[11], 12);
	assert_int_equal(mm_check(mm), 0);
	mm_put(mm);
}

static void test_copy_string(void **state)
{
	struct mm *mm = new_mm(false);
	char dst[64];
	int64_t a = map_anon(mm, 0x40000000, 2 * PG, 3, LINUX_MAP_FIXED);

	(void)state;
	/* A string across a page boundary. */
	assert_int_equal(mm_copy_out(mm, (uint64_t)a + PG - 3, "hello", 6), 0);
	assert_int_equal(mm_copy_string_in(mm, (uint64_t)a + PG - 3, dst, 64),
			 5);
	assert_string_equal(dst, "hello");
	assert_int_equal(mm_copy_string_in(mm, (uint64_t)a + PG - 3, dst, 6),
			 5);
	assert_int_equal(mm_copy_string_in(mm, (uint64_t)a + PG - 3, dst, 5),
			 -ENAMETOOLONG);
	/* No NUL before the end of the mapping. */
	memset(dst, 'x', sizeof(dst));
	assert_int_equal(mm_copy_out(mm, (uint64_t)a + 2 * PG - 8, dst, 8), 0);
	assert_int_equal(
		mm_copy_string_in(mm, (uint64_t)a + 2 * PG - 8, dst, 64),
		-EFAULT);
	assert_int_equal(
		mm_copy_string_in(mm, (uint64_t)a + 2 * PG - 8, dst, 8),
		-ENAMETOOLONG);
	assert_int_equal(mm_copy_string_in(mm, 0x50000000, dst, 8), -EFAULT);
	mm_put(mm);
}

static void test_io_vectors(void **state)
{
	struct mm *mm = new_mm(false);
	struct iovec iov[4];
	int n;
	long r;
	int64_t a = map_anon(mm, 0x40000000, 8 * PG, 3, LINUX_MAP_FIXED);

	(void)state;
	/* One fault-around allocation: one contiguous vector. */
	r = mm_io_vectors(mm, (uint64_t)a + 10, 8 * PG - 10, true, iov, 4, &n);
	assert_int_equal(r, 8 * PG - 10);
	assert_int_equal(n, 1);
	memcpy(iov[0].iov_base, "abc", 3);
	r = mm_io_vectors_pinned(mm, (uint64_t)a, 8 * PG + 5, false, iov, 4,
				 &n);
	assert_int_equal(r, 8 * PG); /* short at the end of the mapping */
	assert_int_equal(
		memfile_refs(mm_mf, memfile_offset_of(mm_mf, iov[0].iov_base)),
		2);
	assert_int_equal(mm_unmap(mm, (uint64_t)a, 8 * PG), 0);
	/* Pinned pages outlive the unmap. */
	assert_memory_equal((char *)iov[0].iov_base + 10, "abc", 3);
	mm_io_unpin(iov, n);
	assert_int_equal(mm_io_vectors(mm, (uint64_t)a, PG, false, iov, 4, &n),
			 -EFAULT);
	mm_put(mm);
}

/* ---- faults through the fake platform ---- */

static void test_fault_anon(void **state)
{
	struct mm *mm = new_mm(true);
	uint8_t v = 0;
	int64_t a;

	(void)state;
	fake_signals();
	a = map_anon(mm, 0, 64 * PG, 3, 0);
	assert_int_equal(guest_write(mm, (uint64_t)a + 5 * PG + 7, 42), 0);
	assert_int_equal(fake_faults, 1);
	/* Fault-around: the neighbours need no fault. */
	assert_int_equal(guest_write(mm, (uint64_t)a + 63 * PG, 1), 0);
	assert_int_equal(fake_faults, 1);
	assert_int_equal(mm_copy_in(mm, (uint64_t)a + 5 * PG + 7, &v, 1), 0);
	assert_int_equal(v, 42);
	assert_int_equal(fake_check(mm), 0);
	/* Read-only: a write gets SEGV_ACCERR, reads work, data stays. */
	assert_int_equal(mm_protect(mm, (uint64_t)a + 5 * PG, PG, 1), 0);
	assert_int_equal(fake_check(mm), 0);
	assert_int_equal(guest_write(mm, (uint64_t)a + 5 * PG, 1), SIGSEGV);
	assert_int_equal(fake_code, LINUX_SEGV_ACCERR);
	assert_int_equal(guest_read(mm, (uint64_t)a + 5 * PG + 7, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(mm_protect(mm, (uint64_t)a + 5 * PG, PG, 0), 0);
	assert_int_equal(guest_read(mm, (uint64_t)a + 5 * PG, &v), SIGSEGV);
	assert_int_equal(mm_protect(mm, (uint64_t)a, 64 * PG, 3), 0);
	assert_int_equal(guest_read(mm, (uint64_t)a + 5 * PG + 7, &v), 0);
	assert_int_equal(v, 42);
	/* Unmapped: SEGV_MAPERR. */
	assert_int_equal(mm_unmap(mm, (uint64_t)a + 6 * PG, PG), 0);
	assert_int_equal(guest_read(mm, (uint64_t)a + 6 * PG, &v), SIGSEGV);
	assert_int_equal(fake_code, LINUX_SEGV_MAPERR);
	assert_int_equal(fake_check(mm), 0);
	/* MAP_FIXED over it: fresh zero pages. */
	assert_int_equal(map_anon(mm, (uint64_t)a, PG * 8, 3, LINUX_MAP_FIXED),
			 a);
	assert_int_equal(guest_read(mm, (uint64_t)a + 5 * PG + 7, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(fake_check(mm), 0);
	mm_put(mm);
}

static void test_fault_stack(void **state)
{
	struct mm *mm = new_mm(true);
	uint64_t top = 0x800000000ULL;
	uint8_t v;
	int64_t s;

	(void)state;
	fake_signals();
	s = map_anon(mm, top - 4 * PG, 4 * PG, 3,
		     LINUX_MAP_FIXED | LINUX_MAP_GROWSDOWN);
	assert_int_equal(s, (int64_t)(top - 4 * PG));
	/* Below the stack: it grows. */
	assert_int_equal(guest_write(mm, top - 100 * PG + 8, 9), 0);
	assert_int_equal(vma_find(mm, top - 100 * PG)->start, top - 100 * PG);
	assert_int_equal(guest_read(mm, top - 100 * PG + 8, &v), 0);
	assert_int_equal(v, 9);
	/* Past the stack limit: SIGSEGV. */
	assert_int_equal(guest_write(mm, top - (8ULL << 20) - PG, 1), SIGSEGV);
	assert_int_equal(fake_code, LINUX_SEGV_MAPERR);
	/* A mapping within the guard gap stops growth. */
	assert_int_equal(map_anon(mm, top - 400 * PG, PG, 3, LINUX_MAP_FIXED),
			 (int64_t)(top - 400 * PG));
	assert_int_equal(guest_write(mm, top - 300 * PG, 1), SIGSEGV);
	/* And mmap keeps the guard gap free. */
	assert_false(vma_range_free(mm, top - 102 * PG, top - 101 * PG));
	assert_int_equal(fake_check(mm), 0);
	mm_put(mm);
}

static void test_fork_cow(void **state)
{
	struct mm *parent = new_mm(true), *child;
	uint8_t v;
	int64_t a, sh;

	(void)state;
	fake_signals();
	a = map_anon(parent, 0, 64 * PG, 3, 0);
	sh = map_anon(parent, 0, PG, 3, LINUX_MAP_SHARED);
	assert_int_equal(guest_write(parent, (uint64_t)a, 1), 0);
	assert_int_equal(guest_write(parent, (uint64_t)a + PG, 2), 0);
	assert_int_equal(guest_write(parent, (uint64_t)sh, 3), 0);
	assert_int_equal(mm_fork(parent, &child), 0);
	assert_int_equal(fake_check(parent), 0);
	assert_int_equal(fake_check(child), 0);
	/* The child sees the parent's memory. */
	assert_int_equal(guest_read(child, (uint64_t)a, &v), 0);
	assert_int_equal(v, 1);
	/* A write in the child is its own... */
	assert_int_equal(guest_write(child, (uint64_t)a, 10), 0);
	assert_int_equal(guest_read(parent, (uint64_t)a, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(guest_read(child, (uint64_t)a, &v), 0);
	assert_int_equal(v, 10);
	/* ...and so is one in the parent. */
	assert_int_equal(guest_write(parent, (uint64_t)a + PG, 20), 0);
	assert_int_equal(guest_read(child, (uint64_t)a + PG, &v), 0);
	assert_int_equal(v, 2);
	/* Copy-out breaks copy-on-write too. */
	assert_int_equal(mm_copy_out(child, (uint64_t)a + 2 * PG, "c", 1), 0);
	assert_int_equal(guest_read(parent, (uint64_t)a + 2 * PG, &v), 0);
	assert_int_equal(v, 0);
	/* Shared memory stays shared, and futexes in it have one key. */
	{
		const void *o1, *o2;
		uint64_t f1, f2;

		assert_int_equal(
			mm_shared_key(parent, (uint64_t)sh + 8, &o1, &f1), 0);
		assert_int_equal(
			mm_shared_key(child, (uint64_t)sh + 8, &o2, &f2), 0);
		assert_ptr_equal(o1, o2);
		assert_int_equal(f1, 8);
		assert_int_equal(f2, 8);
		assert_int_equal(mm_shared_key(parent, (uint64_t)a, &o1, &f1),
				 -ENOENT);
		assert_int_equal(mm_shared_key(parent, 0x1000, &o1, &f1),
				 -EFAULT);
	}
	assert_int_equal(guest_write(child, (uint64_t)sh, 33), 0);
	assert_int_equal(guest_read(parent, (uint64_t)sh, &v), 0);
	assert_int_equal(v, 33);
	assert_int_equal(fake_check(parent), 0);
	assert_int_equal(fake_check(child), 0);
	/* Once the child is gone the parent's pages are its own again: a
	 * write claims them without copying. */
	mm_put(child);
	{
		uint64_t x = (uint64_t)a + 40 * PG;
		struct pma *p = pma_find(parent, x);
		uint64_t before = p->foff + (x - p->start);

		assert_true(p->cow);
		assert_int_equal(guest_write(parent, x, 4), 0);
		p = pma_find(parent, x);
		assert_false(p->cow);
		assert_int_equal(p->foff + (x - p->start), before);
	}
	assert_int_equal(fake_check(parent), 0);
	mm_put(parent);
}

static void test_fork_flags(void **state)
{
	struct mm *parent = new_mm(true), *child;
	uint8_t v;
	int64_t a, w;

	(void)state;
	fake_signals();
	a = map_anon(parent, 0, PG, 3, 0);
	w = map_anon(parent, 0, PG, 3, 0);
	assert_int_equal(mm_unmap(parent, (uint64_t)a + PG, 0), -EINVAL);
	assert_int_equal(guest_write(parent, (uint64_t)a, 1), 0);
	assert_int_equal(guest_write(parent, (uint64_t)w, 2), 0);
	assert_int_equal(
		mm_advise(parent, (uint64_t)a, PG, LINUX_MADV_DONTFORK), 0);
	assert_int_equal(
		mm_advise(parent, (uint64_t)w, PG, LINUX_MADV_WIPEONFORK), 0);
	assert_int_equal(mm_fork(parent, &child), 0);
	assert_null(vma_find(child, (uint64_t)a));
	assert_int_equal(guest_read(child, (uint64_t)w, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(guest_read(parent, (uint64_t)w, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(fake_check(child), 0);
	mm_put(child);
	mm_put(parent);
}

static void test_remap(void **state)
{
	struct mm *mm = new_mm(true);
	uint8_t v;
	int64_t m, g, blk, mv, target, fx;

	(void)state;
	fake_signals();
	m = map_anon(mm, 0, 4 * PG, 3, 0);
	assert_int_equal(mm_unmap(mm, (uint64_t)m + PG, 3 * PG), 0);
	assert_int_equal(guest_write(mm, (uint64_t)m + 5, 'm'), 0);
	g = mm_remap(mm, (uint64_t)m, PG, 4 * PG, 0, 0);
	assert_int_equal(g, m);
	assert_int_equal(guest_read(mm, (uint64_t)m + 5, &v), 0);
	assert_int_equal(v, 'm');
	assert_int_equal(guest_read(mm, (uint64_t)m + 3 * PG, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(mm_remap(mm, (uint64_t)m, 4 * PG, PG, 0, 0), m);
	assert_null(vma_find(mm, (uint64_t)m + PG));
	blk = map_anon(mm, (uint64_t)m + PG, PG, 1, LINUX_MAP_FIXED_NOREPLACE);
	assert_int_equal(blk, m + PG);
	assert_int_equal(mm_remap(mm, (uint64_t)m, PG, 2 * PG, 0, 0), -ENOMEM);
	mv = mm_remap(mm, (uint64_t)m, PG, 16 * PG, LINUX_MREMAP_MAYMOVE, 0);
	assert_true(mv > 0 && mv != m);
	assert_int_equal(fake_check(mm), 0);
	assert_int_equal(guest_read(mm, (uint64_t)mv + 5, &v), 0);
	assert_int_equal(v, 'm');
	assert_null(vma_find(mm, (uint64_t)m));
	target = map_anon(mm, 0, 16 * PG, 1, 0);
	fx = mm_remap(mm, (uint64_t)mv, 16 * PG, 16 * PG,
		      LINUX_MREMAP_MAYMOVE | LINUX_MREMAP_FIXED,
		      (uint64_t)target);
	assert_int_equal(fx, target);
	assert_int_equal(guest_read(mm, (uint64_t)fx + 5, &v), 0);
	assert_int_equal(v, 'm');
	assert_int_equal(guest_write(mm, (uint64_t)fx + 3, 'w'), 0);
	/* Errors. */
	assert_int_equal(mm_remap(mm, (uint64_t)fx, 16 * PG, 8 * PG,
				  LINUX_MREMAP_FIXED,
				  (uint64_t)target + 32 * PG),
			 -EINVAL);
	assert_int_equal(mm_remap(mm, (uint64_t)fx + 1, PG, PG, 0, 0), -EINVAL);
	assert_int_equal(mm_remap(mm, (uint64_t)fx, PG, 0, 0, 0), -EINVAL);
	assert_int_equal(
		mm_remap(mm, (uint64_t)fx, 0, PG, LINUX_MREMAP_MAYMOVE, 0),
		-EINVAL);
	assert_int_equal(mm_remap(mm, (uint64_t)fx, PG, 1ULL << 62,
				  LINUX_MREMAP_MAYMOVE, 0),
			 -EINVAL);
	assert_int_equal(mm_remap(mm, (uint64_t)fx, 32 * PG, 64 * PG,
				  LINUX_MREMAP_MAYMOVE, 0),
			 -EFAULT);
	assert_int_equal(mm_remap(mm, (uint64_t)fx, PG, PG, 8, 0), -EINVAL);
	assert_int_equal(
		mm_remap(mm, (uint64_t)fx, PG, PG, LINUX_MREMAP_DONTUNMAP, 0),
		-EINVAL);
	/* DONTUNMAP: the old range stays mapped, empty. */
	mv = mm_remap(mm, (uint64_t)fx, PG, PG,
		      LINUX_MREMAP_MAYMOVE | LINUX_MREMAP_DONTUNMAP, 0);
	assert_true(mv > 0);
	assert_int_equal(guest_read(mm, (uint64_t)mv + 5, &v), 0);
	assert_int_equal(v, 'm');
	assert_int_equal(guest_read(mm, (uint64_t)fx + 5, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(fake_check(mm), 0);
	mm_unmap(mm, (uint64_t)fx, 16 * PG);
	mm_unmap(mm, (uint64_t)blk, PG);
	assert_int_equal(
		mm_remap(mm, (uint64_t)fx, PG, 2 * PG, LINUX_MREMAP_MAYMOVE, 0),
		-EFAULT);
	mm_put(mm);
}

static void test_madvise(void **state)
{
	struct mm *mm = new_mm(true);
	uint8_t v, vec[4];
	int64_t p, sh;

	(void)state;
	fake_signals();
	p = map_anon(mm, 0, 2 * PG, 3, 0);
	assert_int_equal(guest_write(mm, (uint64_t)p, 5), 0);
	assert_int_equal(guest_write(mm, (uint64_t)p + PG, 6), 0);
	assert_int_equal(mm_incore(mm, (uint64_t)p, 2, vec), 2);
	assert_int_equal(vec[0] & 1, 1);
	assert_int_equal(vec[1] & 1, 1);
	assert_int_equal(mm_incore(mm, (uint64_t)p + 1, 1, vec), -EINVAL);
	{
		/* Fault-around backs untouched pages: not resident. */
		int64_t q = map_anon(mm, 0, 16 * PG, 3, 0);

		assert_int_equal(guest_write(mm, (uint64_t)q, 1), 0);
		assert_non_null(pma_find(mm, (uint64_t)q + 5 * PG));
		assert_int_equal(mm_incore(mm, (uint64_t)q + 4 * PG, 2, vec),
				 2);
		assert_int_equal(vec[0] | vec[1], 0);
		assert_int_equal(mm_incore(mm, (uint64_t)q, 1, vec), 1);
		assert_int_equal(vec[0], 1);
		assert_int_equal(mm_unmap(mm, (uint64_t)q, 16 * PG), 0);
	}
	assert_int_equal(mm_advise(mm, (uint64_t)p, PG, LINUX_MADV_DONTNEED),
			 0);
	assert_int_equal(fake_check(mm), 0);
	assert_int_equal(guest_read(mm, (uint64_t)p, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(guest_read(mm, (uint64_t)p + PG, &v), 0);
	assert_int_equal(v, 6);
	sh = map_anon(mm, 0, PG, 3, LINUX_MAP_SHARED);
	assert_int_equal(guest_write(mm, (uint64_t)sh, 7), 0);
	assert_int_equal(mm_advise(mm, (uint64_t)sh, PG, LINUX_MADV_DONTNEED),
			 0);
	assert_int_equal(guest_read(mm, (uint64_t)sh, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(mm_advise(mm, (uint64_t)sh, PG, LINUX_MADV_FREE),
			 -EINVAL);
	assert_int_equal(mm_advise(mm, (uint64_t)sh, PG, LINUX_MADV_WIPEONFORK),
			 -EINVAL);
	assert_int_equal(mm_advise(mm, (uint64_t)sh, PG, LINUX_MADV_REMOVE), 0);
	assert_int_equal(guest_read(mm, (uint64_t)sh, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(mm_advise(mm, (uint64_t)p, PG, LINUX_MADV_REMOVE),
			 -EINVAL);
	assert_int_equal(
		mm_advise(mm, (uint64_t)p + 1, PG, LINUX_MADV_DONTNEED),
		-EINVAL);
	assert_int_equal(mm_advise(mm, (uint64_t)p, PG, 12345), -EINVAL);
	assert_int_equal(mm_advise(mm, (uint64_t)p, 0, 12345), -EINVAL);
	assert_int_equal(
		mm_advise(mm, (uint64_t)p, -4096ULL, LINUX_MADV_NORMAL),
		-EINVAL);
	assert_int_equal(mm_advise(mm, (uint64_t)p, PG, LINUX_MADV_HWPOISON),
			 -EINVAL);
	assert_int_equal(mm_lock(mm, (uint64_t)p, PG, MM_LOCK), 0);
	assert_int_equal(mm_locked_pages(mm), 1);
	assert_int_equal(mm_advise(mm, (uint64_t)p, PG, LINUX_MADV_DONTNEED),
			 -EINVAL);
	assert_int_equal(
		mm_advise(mm, (uint64_t)p, PG, LINUX_MADV_DONTNEED_LOCKED), 0);
	assert_int_equal(mm_lock(mm, (uint64_t)p, PG, 0), 0);
	assert_int_equal(mm_locked_pages(mm), 0);
	/* Holes: ENOMEM, after applying to what is mapped. */
	assert_int_equal(guest_write(mm, (uint64_t)p + PG, 6), 0);
	assert_int_equal(mm_unmap(mm, (uint64_t)p, PG), 0);
	assert_int_equal(
		mm_advise(mm, (uint64_t)p, 2 * PG, LINUX_MADV_DONTNEED),
		-ENOMEM);
	assert_int_equal(guest_read(mm, (uint64_t)p + PG, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(mm_incore(mm, (uint64_t)p, 2, vec), -ENOMEM);
	assert_int_equal(mm_incore(mm, (uint64_t)p + PG, 2, vec), 1);
	assert_int_equal(mm_sync(mm, (uint64_t)p, 2 * PG, LINUX_MS_ASYNC),
			 -ENOMEM);
	assert_int_equal(mm_sync(mm, (uint64_t)p + PG, PG, LINUX_MS_SYNC), 0);
	assert_int_equal(mm_sync(mm, (uint64_t)p + PG, PG,
				 LINUX_MS_SYNC | LINUX_MS_ASYNC),
			 -EINVAL);
	assert_int_equal(
		mm_sync(mm, (uint64_t)p + PG, UINT64_MAX, LINUX_MS_SYNC), 0);
	assert_int_equal(fake_check(mm), 0);
	mm_put(mm);
}

static void test_brk(void **state)
{
	struct mm *mm = new_mm(true);
	struct mm_layout *l = mm_layout(mm);
	uint64_t cur;
	uint8_t v;

	(void)state;
	fake_signals();
	l->start_brk = l->brk = 0x10000000;
	cur = mm_brk(mm, 0, UINT64_MAX);
	assert_int_equal(cur, 0x10000000);
	assert_int_equal(mm_brk(mm, cur + 65536, UINT64_MAX), cur + 65536);
	assert_int_equal(guest_write(mm, cur + 65535, 1), 0);
	assert_int_equal(mm_brk(mm, cur + 100, UINT64_MAX), cur + 100);
	assert_null(vma_find(mm, cur + PG));
	assert_int_equal(guest_read(mm, cur + 99, &v), 0);
	assert_int_equal(mm_brk(mm, cur + 2 * PG, UINT64_MAX), cur + 2 * PG);
	assert_int_equal(mm_brk(mm, 4096, UINT64_MAX), cur + 2 * PG);
	assert_int_equal(mm_brk(mm, UINT64_MAX, UINT64_MAX), cur + 2 * PG);
	assert_int_equal(mm_brk(mm, cur + (1 << 20), 4096), cur + 2 * PG);
	/* A mapping in the way stops growth. */
	assert_int_equal(map_anon(mm, cur + 16 * PG, PG, 3, LINUX_MAP_FIXED),
			 (int64_t)(cur + 16 * PG));
	assert_int_equal(mm_brk(mm, cur + 16 * PG, UINT64_MAX), cur + 2 * PG);
	assert_int_equal(mm_brk(mm, cur + 15 * PG, UINT64_MAX), cur + 15 * PG);
	assert_int_equal(fake_check(mm), 0);
	{
		char *text;
		size_t len;

		assert_int_equal(mm_maps_text(mm, &text, &len), 0);
		assert_non_null(strstr(text, "[heap]"));
		free(text);
	}
	mm_put(mm);
}

/* ---- page caches ---- */

/* A backing file in memory, with a log of writebacks and a failure
 * switch. */
static char backing[3 * 4096 + 100];
static uint64_t backing_size = sizeof(backing);
static int wb_calls, fill_fail;
static uint64_t wb_off, wb_len;

static long back_fill(struct mappable *m, uint64_t off, void *dst, size_t len)
{
	(void)m;
	if (fill_fail)
		return -EIO;
	if (off >= backing_size)
		return 0;
	if (len > backing_size - off)
		len = backing_size - off;
	memcpy(dst, backing + off, len);
	return (long)len;
}

static uint64_t back_size(struct mappable *m)
{
	(void)m;
	return backing_size;
}

static int back_writeback(struct mappable *m, uint64_t off, uint64_t len)
{
	wb_calls++;
	wb_off = off;
	wb_len = len;
	/* Write the cache back, as a Gofer file would. */
	if (off < backing_size) {
		if (len > backing_size - off)
			len = backing_size - off;
		mappable_read(m, off, backing + off, len);
	}
	return 0;
}

static const struct mappable_ops back_ops = {
	.fill = back_fill, .size = back_size, .writeback = back_writeback};

static void test_mappable(void **state)
{
	struct mm *mm = new_mm(true);
	struct mappable *m;
	char buf[64];
	uint8_t v;
	int64_t sh, pr;
	struct mm_map_args a = {.len = 4 * PG, .prot = 3, .maxprot = 7};

	(void)state;
	fake_signals();
	for (size_t i = 0; i < sizeof(backing); i++)
		backing[i] = (char)('a' + i % 26);
	backing_size = sizeof(backing);
	wb_calls = fill_fail = 0;
	m = mappable_new(&back_ops, NULL);
	/* Reads are clipped at EOF. */
	assert_int_equal(mappable_read(m, 3 * PG + 90, buf, 64), 10);
	assert_int_equal(mappable_read(m, 4 * PG, buf, 64), 0);
	assert_int_equal(buf[0], backing[3 * PG + 90]);
	/* Writes make pages dirty, writeback cleans them. */
	assert_int_equal(mappable_write(m, 5, "XY", 2), 2);
	assert_int_equal(mappable_writeback(m, 0, 4 * PG), 0);
	assert_int_equal(wb_calls, 1);
	assert_int_equal(wb_off, 0);
	assert_int_equal(wb_len, PG);
	assert_int_equal(backing[5], 'X');
	assert_int_equal(mappable_writeback(m, 0, 4 * PG), 0);
	assert_int_equal(wb_calls, 1);
	/* A shared writable mapping: its pages stay dirty. */
	a.obj = m;
	a.flags = LINUX_MAP_SHARED;
	sh = mm_map(mm, &a);
	a.flags = LINUX_MAP_PRIVATE;
	pr = mm_map(mm, &a);
	assert_true(sh > 0 && pr > 0);
	assert_int_equal(guest_write(mm, (uint64_t)sh + PG, 'S'), 0);
	assert_int_equal(mm_sync(mm, (uint64_t)sh, 4 * PG, LINUX_MS_SYNC), 0);
	assert_int_equal(backing[PG], 'S');
	assert_int_equal(guest_write(mm, (uint64_t)sh + PG + 1, 'T'), 0);
	assert_int_equal(mm_sync(mm, (uint64_t)sh, 4 * PG, LINUX_MS_SYNC), 0);
	assert_int_equal(backing[PG + 1], 'T');
	/* Past the last page of the file: SIGBUS; the last page's tail
	 * reads zero. */
	assert_int_equal(guest_read(mm, (uint64_t)pr + 3 * PG + 200, &v), 0);
	assert_int_equal(v, 0);
	/* Truncation mid-page: the tail of that page reads zero, later
	 * pages fault with SIGBUS in every mapping. */
	assert_int_equal(guest_read(mm, (uint64_t)pr + 2 * PG, &v), 0);
	backing_size = PG + 10;
	mappable_truncate(m, PG + 10);
	assert_int_equal(fake_check(mm), 0);
	assert_int_equal(guest_read(mm, (uint64_t)sh + PG + 9, &v), 0);
	assert_int_equal(v, backing[PG + 9]);
	assert_int_equal(guest_read(mm, (uint64_t)sh + PG + 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(guest_read(mm, (uint64_t)pr + 2 * PG, &v), SIGBUS);
	assert_int_equal(guest_read(mm, (uint64_t)sh + 2 * PG, &v), SIGBUS);
	/* A backing that fails: reads fail, faults are SIGBUS. */
	backing_size = sizeof(backing);
	fill_fail = 1;
	assert_int_equal(mappable_read(m, 3 * PG, buf, 8), -EIO);
	assert_int_equal(guest_read(mm, (uint64_t)pr + 3 * PG, &v), SIGBUS);
	fill_fail = 0;
	assert_int_equal(guest_read(mm, (uint64_t)pr + 3 * PG, &v), 0);
	assert_int_equal(v, backing[3 * PG]);
	/* The mapping holds the cache: dropping the caller's reference and
	 * then the mappings frees it (ASan checks the rest). */
	mappable_put(m);
	assert_int_equal(fake_check(mm), 0);
	mm_put(mm);
}

/* The line format, compared with the host's own /proc/self/maps. */
static void test_maps_format(void **state)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[1024], mine[1024];
	int checked = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e, off, ino;
		unsigned maj, min;
		char perms[5];
		int name_at = 0;
		const char *name;

		if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu %n", &s, &e,
			   perms, &off, &maj, &min, &ino, &name_at) < 7)
			continue;
		name = line[name_at] && line[name_at] != '\n' ? line + name_at
							      : NULL;
		if (name)
			line[strlen(line) - 1] = 0;
		mm_maps_line(mine, sizeof(mine), s, e,
			     (perms[0] == 'r' ? 1 : 0) |
				     (perms[1] == 'w' ? 2 : 0) |
				     (perms[2] == 'x' ? 4 : 0),
			     perms[3] == 's', off, ((uint64_t)maj << 8) | min,
			     ino, name);
		if (name)
			strcat(line, "\n");
		assert_string_equal(mine, line);
		checked++;
	}
	fclose(f);
	assert_true(checked > 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memfile_alloc),
		cmocka_unit_test(test_memfile_limits),
		cmocka_unit_test(test_memfile_random),
		cmocka_unit_test(test_vma_map_unmap),
		cmocka_unit_test(test_vma_errors),
		cmocka_unit_test(test_vma_protect_hole),
		cmocka_unit_test(test_vma_random),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_copy_string),
		cmocka_unit_test(test_io_vectors),
		cmocka_unit_test(test_fault_anon),
		cmocka_unit_test(test_fault_stack),
		cmocka_unit_test(test_fork_cow),
		cmocka_unit_test(test_fork_flags),
		cmocka_unit_test(test_remap),
		cmocka_unit_test(test_madvise),
		cmocka_unit_test(test_brk),
		cmocka_unit_test(test_mappable),
		cmocka_unit_test(test_maps_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
