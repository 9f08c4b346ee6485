/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memfile.c: the memory file's page allocator and reference counts.
 *
 * Free space is a set of extents kept in two trees: by offset, to coalesce
 * neighbours on free, and by (length, offset), for a best-fit allocation
 * that keeps large extents whole for fault-around. Reference counts are a
 * flat array indexed by page, reserved for the largest file and touched
 * (so backed by host memory) only where pages are used.
 *
 * A page whose count drops to zero first goes on a pending list; a batch
 * of them is punched out of the file (FALLOC_FL_PUNCH_HOLE) and only then
 * becomes free. So a free page is always a hole and reads as zero: no
 * allocation ever has to clear memory, and freed guest data never leaks
 * into another allocation.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sentry/mm/rb.h"

#include "lib/log.h"
#include "sentry/mm/memfile.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ULL << PAGE_SHIFT)

/* The file grows by at least this much: growth costs an ftruncate and an
 * mmap, and costs no memory until pages are touched. */
#define GROW_PAGES (64ULL << (20 - PAGE_SHIFT))
/* Freed pages are given back to the host once this many are pending. */
#define PUNCH_BATCH_PAGES (16ULL << (20 - PAGE_SHIFT))

struct extent {
	RB_ENTRY(extent) by_off;
	RB_ENTRY(extent) by_len;
	uint64_t start, len; /* in pages */
};

static int extent_off_cmp(struct extent *a, struct extent *b)
{
	return a->start < b->start ? -1 : a->start > b->start;
}

static int extent_len_cmp(struct extent *a, struct extent *b)
{
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return extent_off_cmp(a, b);
}

RB_HEAD(ext_off_tree, extent);
RB_HEAD(ext_len_tree, extent);
MM_RB_GENERATE_STATIC(ext_off_tree, extent, by_off, extent_off_cmp)
MM_RB_GENERATE_STATIC(ext_len_tree, extent, by_len, extent_len_cmp)

struct pending {
	uint64_t start, len; /* in pages */
};

struct memfile {
	int fd;
	uint8_t *base;	     /* the Sentry's view */
	uint64_t max_pages;  /* size of the reservation */
	uint64_t size_pages; /* current file size */
	uint32_t *refs;	     /* max_pages counts */
	struct ext_off_tree free_off;
	struct ext_len_tree free_len;
	uint64_t free_pages, free_extents, used_pages;
	struct pending *pend;
	size_t npend, pend_cap;
	uint64_t pending_pages;
};

int memfile_new(uint64_t max_size, struct memfile **out)
{
	struct memfile *mf;
	int err;

	if (!max_size)
		max_size = MEMFILE_DEFAULT_MAX;
	max_size &= ~(PAGE_SIZE - 1);
	if (!max_size)
		return -EINVAL;
	mf = calloc(1, sizeof(*mf));
	if (!mf)
		return -ENOMEM;
	mf->max_pages = max_size >> PAGE_SHIFT;
	RB_INIT(&mf->free_off);
	RB_INIT(&mf->free_len);
	mf->fd = memfd_create("cvisor-memory", MFD_CLOEXEC);
	if (mf->fd < 0) {
		err = -errno;
		goto fail;
	}
	mf->base = mmap(NULL, max_size, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mf->base == MAP_FAILED) {
		err = -errno;
		mf->base = NULL;
		goto fail;
	}
	mf->refs = mmap(NULL, mf->max_pages * sizeof(uint32_t),
			PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mf->refs == MAP_FAILED) {
		err = -errno;
		mf->refs = NULL;
		goto fail;
	}
	*out = mf;
	return 0;
fail:
	memfile_release(mf);
	return err;
}

void memfile_release(struct memfile *mf)
{
	struct extent *e;

	if (!mf)
		return;
	while ((e = RB_MIN(ext_off_tree, &mf->free_off))) {
		ext_off_tree_RB_REMOVE(&mf->free_off, e);
		free(e);
	}
	if (mf->refs)
		munmap(mf->refs, mf->max_pages * sizeof(uint32_t));
	if (mf->base)
		munmap(mf->base, mf->max_pages << PAGE_SHIFT);
	if (mf->fd >= 0)
		close(mf->fd);
	free(mf->pend);
	free(mf);
}

int memfile_fd(const struct memfile *mf)
{
	return mf->fd;
}

void *memfile_view(const struct memfile *mf, uint64_t off)
{
	return mf->base + off;
}

uint64_t memfile_offset_of(const struct memfile *mf, const void *p)
{
	const uint8_t *b = p;

	if (b < mf->base || b >= mf->base + (mf->size_pages << PAGE_SHIFT))
		return UINT64_MAX;
	return (uint64_t)(b - mf->base);
}

static void free_insert(struct memfile *mf, struct extent *e)
{
	ext_off_tree_RB_INSERT(&mf->free_off, e);
	ext_len_tree_RB_INSERT(&mf->free_len, e);
	mf->free_extents++;
}

static void free_remove(struct memfile *mf, struct extent *e)
{
	ext_off_tree_RB_REMOVE(&mf->free_off, e);
	ext_len_tree_RB_REMOVE(&mf->free_len, e);
	mf->free_extents--;
}

/* Return [start, start+len) to the free trees, merged with its neighbours
 * so a later large allocation finds one extent rather than many. */
static void free_add(struct memfile *mf, uint64_t start, uint64_t len)
{
	struct extent key = {.start = start}, *next, *prev, *e;

	next = RB_NFIND(ext_off_tree, &mf->free_off, &key);
	prev = next ? RB_PREV(ext_off_tree, &mf->free_off, next)
		    : RB_MAX(ext_off_tree, &mf->free_off);
	mf->free_pages += len;
	if (prev && prev->start + prev->len == start) {
		free_remove(mf, prev);
		prev->len += len;
		if (next && prev->start + prev->len == next->start) {
			free_remove(mf, next);
			prev->len += next->len;
			free(next);
		}
		free_insert(mf, prev);
		return;
	}
	if (next && start + len == next->start) {
		free_remove(mf, next);
		next->start = start;
		next->len += len;
		free_insert(mf, next);
		return;
	}
	e = malloc(sizeof(*e));
	if (!e) {
		/* Losing track of free pages only wastes file space. */
		mf->free_pages -= len;
		log_warn("memfile: out of memory, leaking %llu pages",
			 (unsigned long long)len);
		return;
	}
	e->start = start;
	e->len = len;
	free_insert(mf, e);
}

/* Make the file `pages` long and the view cover it. */
static int grow(struct memfile *mf, uint64_t pages)
{
	uint64_t old = mf->size_pages;
	void *p;

	if (pages > mf->max_pages)
		return -ENOMEM;
	if (ftruncate(mf->fd, (off_t)(pages << PAGE_SHIFT)) < 0)
		return -errno;
	p = mmap(mf->base + (old << PAGE_SHIFT), (pages - old) << PAGE_SHIFT,
		 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, mf->fd,
		 (off_t)(old << PAGE_SHIFT));
	if (p == MAP_FAILED) {
		int err = -errno;

		if (ftruncate(mf->fd, (off_t)(old << PAGE_SHIFT)) < 0)
			log_warn("memfile: cannot shrink back: %m");
		return err;
	}
	mf->size_pages = pages;
	free_add(mf, old, pages - old);
	return 0;
}

static int pending_cmp(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Give the host back the memory of one run of freed pages; the run reads
 * as zero afterwards, which is what makes it allocatable again. */
static void punch(struct memfile *mf, uint64_t start, uint64_t len)
{
	if (fallocate(mf->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)(start << PAGE_SHIFT),
		      (off_t)(len << PAGE_SHIFT)) < 0)
		memset(mf->base + (start << PAGE_SHIFT), 0, len << PAGE_SHIFT);
}

void memfile_flush(struct memfile *mf)
{
	size_t i, j;

	if (!mf->npend)
		return;
	qsort(mf->pend, mf->npend, sizeof(*mf->pend), pending_cmp);
	for (i = 0; i < mf->npend; i = j) {
		uint64_t start = mf->pend[i].start, len = mf->pend[i].len;

		for (j = i + 1;
		     j < mf->npend && mf->pend[j].start == start + len; j++)
			len += mf->pend[j].len;
		punch(mf, start, len);
		free_add(mf, start, len);
	}
	mf->npend = 0;
	mf->pending_pages = 0;
}

/* Queue a run of pages whose last reference went away. */
static void pending_add(struct memfile *mf, uint64_t start, uint64_t len)
{
	struct pending *last = mf->npend ? &mf->pend[mf->npend - 1] : NULL;

	if (last && last->start + last->len == start) {
		last->len += len;
	} else {
		if (mf->npend == mf->pend_cap) {
			size_t cap = mf->pend_cap ? 2 * mf->pend_cap : 64;
			struct pending *p =
				reallocarray(mf->pend, cap, sizeof(*p));

			if (!p) {
				/* No room to batch: give this run back now. */
				punch(mf, start, len);
				free_add(mf, start, len);
				return;
			}
			mf->pend = p;
			mf->pend_cap = cap;
		}
		mf->pend[mf->npend].start = start;
		mf->pend[mf->npend].len = len;
		mf->npend++;
	}
	mf->pending_pages += len;
	if (mf->pending_pages >= PUNCH_BATCH_PAGES)
		memfile_flush(mf);
}

/* Best fit: the smallest free extent that holds npages, lowest first. */
static struct extent *best_fit(struct memfile *mf, uint64_t npages)
{
	struct extent key = {.start = 0, .len = npages};

	return RB_NFIND(ext_len_tree, &mf->free_len, &key);
}

int memfile_alloc(struct memfile *mf, uint64_t npages, uint64_t *off)
{
	struct extent *e;
	uint64_t start, i;
	int err;

	if (!npages || npages > mf->max_pages)
		return -ENOMEM;
	e = best_fit(mf, npages);
	if (!e && mf->npend) {
		memfile_flush(mf);
		e = best_fit(mf, npages);
	}
	if (!e) {
		/* Grow; a free extent at the end of the file counts. */
		struct extent *last = RB_MAX(ext_off_tree, &mf->free_off);
		uint64_t have = 0, want;

		if (last && last->start + last->len == mf->size_pages)
			have = last->len;
		want = mf->size_pages + (npages - have);
		if (want - mf->size_pages < GROW_PAGES)
			want = mf->size_pages + GROW_PAGES;
		if (want > mf->max_pages)
			want = mf->size_pages + (npages - have);
		err = grow(mf, want);
		if (err)
			return err;
		e = best_fit(mf, npages);
		if (!e)
			return -ENOMEM;
	}
	start = e->start;
	free_remove(mf, e);
	if (e->len > npages) {
		e->start += npages;
		e->len -= npages;
		free_insert(mf, e);
	} else {
		free(e);
	}
	mf->free_pages -= npages;
	mf->used_pages += npages;
	for (i = 0; i < npages; i++)
		mf->refs[start + i] = 1;
	*off = start << PAGE_SHIFT;
	return 0;
}

void memfile_incref(struct memfile *mf, uint64_t off, uint64_t npages)
{
	uint64_t p = off >> PAGE_SHIFT, i;

	for (i = 0; i < npages; i++) {
		if (!mf->refs[p + i])
			log_error("memfile: incref of free page %#llx",
				  (unsigned long long)((p + i) << PAGE_SHIFT));
		mf->refs[p + i]++;
	}
}

void memfile_decref(struct memfile *mf, uint64_t off, uint64_t npages)
{
	uint64_t p = off >> PAGE_SHIFT, i, run = 0;

	for (i = 0; i < npages; i++) {
		uint32_t *r = &mf->refs[p + i];

		if (!*r) {
			log_error("memfile: decref of free page %#llx",
				  (unsigned long long)((p + i) << PAGE_SHIFT));
		} else if (--*r == 0) {
			run++;
			continue;
		}
		if (run) {
			pending_add(mf, p + i - run, run);
			mf->used_pages -= run;
			run = 0;
		}
	}
	if (run) {
		pending_add(mf, p + npages - run, run);
		mf->used_pages -= run;
	}
}

uint32_t memfile_refs(const struct memfile *mf, uint64_t off)
{
	return mf->refs[off >> PAGE_SHIFT];
}

void memfile_stats(const struct memfile *mf, struct memfile_stats *st)
{
	st->file_size = mf->size_pages << PAGE_SHIFT;
	st->used_pages = mf->used_pages;
	st->free_pages = mf->free_pages;
	st->pending_pages = mf->pending_pages;
	st->free_extents = mf->free_extents;
}
