/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mappable.c: page caches in the memory file.
 *
 * A mappable maps page indexes of an object (a file, a shared anonymous
 * region) to memory-file pages, as extents of pages contiguous in both,
 * so one as_map covers many pages. The cache holds one reference on each
 * page; mappings hold their own. Caches with a fill callback (Gofer files)
 * read missing pages from their backing in read-ahead chunks; caches
 * without one (tmpfs, shmem) are the data itself and a missing page is a
 * page of zeros.
 *
 * Every vma mapping the object is on its reverse map, so truncation and
 * hole punching can take the dropped pages out of every address space:
 * the next access faults again and, past EOF, gets SIGBUS.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm_internal.h"

/* Pages a fill reads at once: 512 KiB, matching the file fault-around
 * window (each fault costs several ptrace round trips, reading ahead from
 * the host page cache costs little). */
#define FILL_PAGES 128

struct cache_ext {
	RB_ENTRY(cache_ext) link;
	uint64_t pgoff, npages, foff;
};

static int cache_cmp(struct cache_ext *a, struct cache_ext *b)
{
	return a->pgoff < b->pgoff ? -1 : a->pgoff > b->pgoff;
}

RB_HEAD(cache_tree, cache_ext);
MM_RB_GENERATE_STATIC(cache_tree, cache_ext, link, cache_cmp)

struct page_range {
	uint64_t start, end; /* page indexes */
};

struct mappable {
	unsigned refs;
	const struct mappable_ops *ops;
	void *priv;
	struct cache_tree cache;
	uint64_t cached_pages;
	LIST_HEAD(, vma) vmas;	  /* the reverse map */
	unsigned writable_maps;	  /* shared vmas that may be writable */
	struct page_range *dirty; /* sorted, disjoint */
	size_t ndirty, dirty_cap;
};

struct mappable *mappable_new(const struct mappable_ops *ops, void *priv)
{
	struct mappable *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->refs = 1;
	m->ops = ops;
	m->priv = priv;
	RB_INIT(&m->cache);
	LIST_INIT(&m->vmas);
	return m;
}

void *mappable_priv(struct mappable *m)
{
	return m->priv;
}

void mappable_get(struct mappable *m)
{
	m->refs++;
}

/* Drop the cache extents of pages [start, end). */
static void cache_drop(struct mappable *m, uint64_t start, uint64_t end)
{
	struct cache_ext *e, *next, key = {.pgoff = start};

	/* The extent straddling `start`, if any. */
	e = RB_NFIND(cache_tree, &m->cache, &key);
	e = e ? RB_PREV(cache_tree, &m->cache, e)
	      : RB_MAX(cache_tree, &m->cache);
	if (!e || e->pgoff + e->npages <= start)
		e = RB_NFIND(cache_tree, &m->cache, &key);
	for (; e && e->pgoff < end; e = next) {
		uint64_t s = e->pgoff > start ? e->pgoff : start;
		uint64_t t =
			e->pgoff + e->npages < end ? e->pgoff + e->npages : end;
		uint64_t foff = e->foff + ((s - e->pgoff) << PAGE_SHIFT);

		next = RB_NEXT(cache_tree, &m->cache, e);
		if (s >= t)
			continue;
		if (s > e->pgoff && t < e->pgoff + e->npages) {
			/* A hole in the middle: keep both ends. */
			struct cache_ext *tail = malloc(sizeof(*tail));

			if (!tail) {
				log_error("mappable: out of memory dropping "
					  "pages; keeping them");
				return;
			}
			tail->pgoff = t;
			tail->npages = e->pgoff + e->npages - t;
			tail->foff = e->foff + ((t - e->pgoff) << PAGE_SHIFT);
			e->npages = s - e->pgoff;
			RB_INSERT(cache_tree, &m->cache, tail);
			next = tail;
		} else if (s > e->pgoff) {
			e->npages = s - e->pgoff;
		} else if (t < e->pgoff + e->npages) {
			e->npages -= t - e->pgoff;
			e->foff += (t - e->pgoff) << PAGE_SHIFT;
			e->pgoff = t; /* order with its neighbours is kept */
		} else {
			RB_REMOVE(cache_tree, &m->cache, e);
			free(e);
		}
		memfile_decref(mm_mf, foff, t - s);
		m->cached_pages -= t - s;
	}
}

void mappable_put(struct mappable *m)
{
	if (!m || --m->refs)
		return;
	if (m->ndirty)
		mappable_writeback(m, 0, UINT64_MAX & ~PAGE_MASK);
	cache_drop(m, 0, UINT64_MAX);
	free(m->dirty);
	if (m->ops->release)
		m->ops->release(m);
	free(m);
}

uint64_t mappable_size(struct mappable *m)
{
	return m->ops->size ? m->ops->size(m) : 0;
}

unsigned mappable_writable_maps(struct mappable *m)
{
	return m->writable_maps;
}

bool mappable_authoritative(struct mappable *m)
{
	return m->ops->fill == NULL;
}

void mappable_link(struct mappable *m, struct vma *v)
{
	LIST_INSERT_HEAD(&m->vmas, v, obj_link);
	if ((v->flags & VMA_SHARED) && (v->maxprot & MM_PROT_WRITE))
		m->writable_maps++;
}

void mappable_unlink(struct mappable *m, struct vma *v)
{
	LIST_REMOVE(v, obj_link);
	if ((v->flags & VMA_SHARED) && (v->maxprot & MM_PROT_WRITE))
		m->writable_maps--;
}

static struct cache_ext *cache_find(struct mappable *m, uint64_t pgoff)
{
	struct cache_ext *e = RB_ROOT(&m->cache);

	while (e) {
		if (pgoff < e->pgoff)
			e = RB_LEFT(e, link);
		else if (pgoff >= e->pgoff + e->npages)
			e = RB_RIGHT(e, link);
		else
			return e;
	}
	return NULL;
}

int mappable_lookup(struct mappable *m, uint64_t pgoff, uint64_t max,
		    uint64_t *foff, uint64_t *run)
{
	struct cache_ext *e = cache_find(m, pgoff);
	uint64_t n;

	if (!e)
		return -ENOENT;
	n = e->pgoff + e->npages - pgoff;
	*foff = e->foff + ((pgoff - e->pgoff) << PAGE_SHIFT);
	*run = n < max ? n : max;
	return 0;
}

/* The first cached page at or after pgoff (UINT64_MAX if none). */
static uint64_t next_cached(struct mappable *m, uint64_t pgoff)
{
	struct cache_ext key = {.pgoff = pgoff}, *e;

	if (cache_find(m, pgoff))
		return pgoff;
	e = RB_NFIND(cache_tree, &m->cache, &key);
	return e ? e->pgoff : UINT64_MAX;
}

/* Add an extent, merged with neighbours contiguous in the memory file. */
static int cache_insert(struct mappable *m, uint64_t pgoff, uint64_t n,
			uint64_t foff)
{
	struct cache_ext key = {.pgoff = pgoff}, *next, *prev, *e;

	next = RB_NFIND(cache_tree, &m->cache, &key);
	prev = next ? RB_PREV(cache_tree, &m->cache, next)
		    : RB_MAX(cache_tree, &m->cache);
	m->cached_pages += n;
	if (prev && prev->pgoff + prev->npages == pgoff &&
	    prev->foff + (prev->npages << PAGE_SHIFT) == foff) {
		prev->npages += n;
		if (next && next->pgoff == pgoff + n &&
		    foff + (n << PAGE_SHIFT) == next->foff) {
			prev->npages += next->npages;
			RB_REMOVE(cache_tree, &m->cache, next);
			free(next);
		}
		return 0;
	}
	if (next && next->pgoff == pgoff + n &&
	    foff + (n << PAGE_SHIFT) == next->foff) {
		next->pgoff = pgoff;
		next->npages += n;
		next->foff = foff;
		return 0;
	}
	e = malloc(sizeof(*e));
	if (!e) {
		m->cached_pages -= n;
		return -ENOMEM;
	}
	e->pgoff = pgoff;
	e->npages = n;
	e->foff = foff;
	RB_INSERT(cache_tree, &m->cache, e);
	return 0;
}

/* Allocate, fill and insert the missing pages [pgoff, pgoff + n). */
static int cache_fill(struct mappable *m, uint64_t pgoff, uint64_t n)
{
	uint64_t foff, i;
	int err;

	err = memfile_alloc(mm_mf, n, &foff);
	if (err)
		return err;
	if (m->ops->fill) {
		uint64_t len = n << PAGE_SHIFT;
		long got = m->ops->fill(m, pgoff << PAGE_SHIFT,
					memfile_view(mm_mf, foff), len);

		if (got < 0) {
			memfile_decref(mm_mf, foff, n);
			return (int)got;
		}
		/* Short: EOF; the fresh pages are already zero. The fill
		 * may have dropped the kernel lock: if someone else cached
		 * any of these pages meanwhile, theirs win. */
		for (i = 0; i < n; i++) {
			if (cache_find(m, pgoff + i)) {
				memfile_decref(mm_mf, foff, n);
				return 0;
			}
		}
	}
	err = cache_insert(m, pgoff, n, foff);
	if (err)
		memfile_decref(mm_mf, foff, n);
	return err;
}

/* The first page at or after pgoff that is not cached. */
static uint64_t next_missing(struct mappable *m, uint64_t pgoff)
{
	struct cache_ext *e;

	while ((e = cache_find(m, pgoff)))
		pgoff = e->pgoff + e->npages;
	return pgoff;
}

/* One past the last page that exists (pages past it are beyond EOF). */
static uint64_t eof_pages(struct mappable *m)
{
	uint64_t size = mappable_size(m);

	if (size > UINT64_MAX - PAGE_MASK)
		return UINT64_MAX >> PAGE_SHIFT;
	return page_up(size) >> PAGE_SHIFT;
}

int mappable_populate(struct mappable *m, uint64_t pgoff, uint64_t n,
		      bool past_eof)
{
	uint64_t limit = past_eof ? UINT64_MAX : eof_pages(m);
	uint64_t end = pgoff + n < pgoff ? UINT64_MAX : pgoff + n;
	uint64_t p = pgoff;
	int err = 0;

	if (end > limit)
		end = limit;
	mappable_get(m); /* a fill may drop the kernel lock */
	while (p < end && !err) {
		uint64_t s = next_missing(m, p), t, want = end;

		if (s >= end)
			break;
		/* Read ahead to the next aligned chunk when filling from a
		 * backing; zero pages need no read-ahead. */
		if (m->ops->fill) {
			uint64_t chunk = (s / FILL_PAGES + 1) * FILL_PAGES;

			if (chunk > want)
				want = chunk < limit ? chunk : limit;
		}
		t = next_cached(m, s);
		if (t > want)
			t = want;
		err = cache_fill(m, s, t - s);
		p = t;
	}
	mappable_put(m);
	return err;
}

/* Mark pages [start, end) dirty, keeping the list sorted and merged. */
static void dirty_add(struct mappable *m, uint64_t start, uint64_t end)
{
	size_t i, j;

	for (i = 0; i < m->ndirty && m->dirty[i].end < start; i++)
		;
	/* Ranges i..j-1 touch [start, end): fold them in. */
	for (j = i; j < m->ndirty && m->dirty[j].start <= end; j++) {
		if (m->dirty[j].start < start)
			start = m->dirty[j].start;
		if (m->dirty[j].end > end)
			end = m->dirty[j].end;
	}
	if (j > i) {
		m->dirty[i].start = start;
		m->dirty[i].end = end;
		memmove(&m->dirty[i + 1], &m->dirty[j],
			(m->ndirty - j) * sizeof(*m->dirty));
		m->ndirty -= j - i - 1;
		return;
	}
	if (m->ndirty == m->dirty_cap) {
		size_t cap = m->dirty_cap ? 2 * m->dirty_cap : 8;
		struct page_range *d = reallocarray(m->dirty, cap, sizeof(*d));

		if (!d) {
			/* Forgetting dirtiness loses data: write back now. */
			log_warn("mappable: out of memory tracking dirty "
				 "pages; writing back");
			m->ops->writeback(m, start << PAGE_SHIFT,
					  (end - start) << PAGE_SHIFT);
			return;
		}
		m->dirty = d;
		m->dirty_cap = cap;
	}
	memmove(&m->dirty[i + 1], &m->dirty[i],
		(m->ndirty - i) * sizeof(*m->dirty));
	m->dirty[i].start = start;
	m->dirty[i].end = end;
	m->ndirty++;
}

/* Forget dirtiness of pages [start, end). */
static void dirty_clear(struct mappable *m, uint64_t start, uint64_t end)
{
	size_t i = 0;

	while (i < m->ndirty) {
		struct page_range *d = &m->dirty[i];

		if (d->end <= start || d->start >= end) {
			i++;
		} else if (d->start >= start && d->end <= end) {
			memmove(d, d + 1,
				(m->ndirty - i - 1) * sizeof(*m->dirty));
			m->ndirty--;
		} else if (d->start < start && d->end > end) {
			uint64_t tail = d->end;

			d->end = start;
			dirty_add(m, end, tail);
			return;
		} else if (d->start < start) {
			d->end = start;
			i++;
		} else {
			d->start = end;
			i++;
		}
	}
}

void mappable_mark_dirty(struct mappable *m, uint64_t pgoff, uint64_t n)
{
	if (!m->ops->writeback || !n)
		return;
	dirty_add(m, pgoff, pgoff + n < pgoff ? UINT64_MAX : pgoff + n);
}

int mappable_writeback(struct mappable *m, uint64_t off, uint64_t len)
{
	uint64_t start = off >> PAGE_SHIFT, end;
	size_t i;
	int err = 0;

	if (!m->ops->writeback || !m->ndirty || !len)
		return 0;
	end = off + len < off ? UINT64_MAX : page_up(off + len) >> PAGE_SHIFT;
	if (off + len > UINT64_MAX - PAGE_MASK)
		end = UINT64_MAX >> PAGE_SHIFT;
	for (i = 0; i < m->ndirty && !err; i++) {
		uint64_t s = m->dirty[i].start, t = m->dirty[i].end;

		if (t <= start || s >= end)
			continue;
		if (s < start)
			s = start;
		if (t > end)
			t = end;
		err = m->ops->writeback(m, s << PAGE_SHIFT,
					(t - s) << PAGE_SHIFT);
	}
	/* Pages a shared writable mapping may still write stay dirty:
	 * their writes do not pass through the Sentry. */
	if (!err && !m->writable_maps)
		dirty_clear(m, start, end);
	return err;
}

/* Take pages [start, end) out of every address space mapping them. */
static void rmap_unmap(struct mappable *m, uint64_t start, uint64_t end)
{
	struct vma *v, *next;

	for (v = LIST_FIRST(&m->vmas); v; v = next) {
		uint64_t vs = v->off >> PAGE_SHIFT;
		uint64_t ve = vs + ((v->end - v->start) >> PAGE_SHIFT);
		uint64_t s = vs > start ? vs : start;
		uint64_t t = ve < end ? ve : end;

		next = LIST_NEXT(v, obj_link);
		if (s >= t)
			continue;
		if (pma_drop_range(v->mm, v->start + ((s - vs) << PAGE_SHIFT),
				   v->start + ((t - vs) << PAGE_SHIFT)))
			log_error("mappable: out of memory unmapping "
				  "dropped pages");
	}
}

void mappable_truncate(struct mappable *m, uint64_t size)
{
	uint64_t first = size > UINT64_MAX - PAGE_MASK
				 ? UINT64_MAX >> PAGE_SHIFT
				 : page_up(size) >> PAGE_SHIFT;
	uint64_t foff, run;

	/* Bytes past EOF in the last page read as zero if the file grows
	 * again (and in mappings of that page right now, as on Linux). */
	if ((size & PAGE_MASK) &&
	    mappable_lookup(m, size >> PAGE_SHIFT, 1, &foff, &run) == 0)
		memset((char *)memfile_view(mm_mf, foff) + (size & PAGE_MASK),
		       0, PAGE_SIZE - (size & PAGE_MASK));
	rmap_unmap(m, first, UINT64_MAX);
	cache_drop(m, first, UINT64_MAX);
	dirty_clear(m, first, UINT64_MAX);
}

void mappable_invalidate(struct mappable *m, uint64_t off, uint64_t len)
{
	uint64_t start = off >> PAGE_SHIFT, end;

	if (!len)
		return;
	end = off + len < off || off + len > UINT64_MAX - PAGE_MASK
		      ? UINT64_MAX
		      : page_up(off + len) >> PAGE_SHIFT;
	rmap_unmap(m, start, end);
	cache_drop(m, start, end);
	dirty_clear(m, start, end);
}

/* Copy between the cache and a Sentry buffer, page by page. */
static long cache_copy(struct mappable *m, uint64_t off, void *buf, size_t len,
		       bool write)
{
	size_t done = 0;
	int err = 0;

	while (done < len) {
		uint64_t pg = (off + done) >> PAGE_SHIFT, foff, run;
		size_t in = (off + done) & PAGE_MASK, n = PAGE_SIZE - in;
		char *b = (char *)buf + done;

		if (n > len - done)
			n = len - done;
		if (mappable_lookup(m, pg, 1, &foff, &run)) {
			if (!write && !m->ops->fill) {
				memset(b, 0, n); /* a hole reads as zeros */
				done += n;
				continue;
			}
			uint64_t np =
				(len - done + in + PAGE_MASK) >> PAGE_SHIFT;

			/* Bounded, so one huge request allocates and reads
			 * in steps rather than all at once. */
			if (np > 256)
				np = 256;
			err = mappable_populate(m, pg, np, write);
			if (!err && mappable_lookup(m, pg, 1, &foff, &run))
				err = -EIO;
			if (err)
				break;
		}
		if (write) {
			memcpy((char *)memfile_view(mm_mf, foff) + in, b, n);
			mappable_mark_dirty(m, pg, 1);
		} else {
			memcpy(b, (char *)memfile_view(mm_mf, foff) + in, n);
		}
		done += n;
	}
	if (done == 0 && err)
		return err;
	return (long)done;
}

long mappable_read(struct mappable *m, uint64_t off, void *dst, size_t len)
{
	uint64_t size = mappable_size(m);

	if (off >= size)
		return 0;
	if (len > size - off)
		len = size - off;
	if (len > LONG_MAX)
		len = LONG_MAX & ~PAGE_MASK;
	return cache_copy(m, off, dst, len, false);
}

long mappable_write(struct mappable *m, uint64_t off, const void *src,
		    size_t len)
{
	if (len > UINT64_MAX - off)
		len = UINT64_MAX - off;
	if (len > LONG_MAX)
		len = LONG_MAX & ~PAGE_MASK;
	return cache_copy(m, off, (void *)src, len, true);
}

/* Anonymous shared memory: an authoritative cache of fixed size. */
struct shmem {
	uint64_t size;
};

static uint64_t shmem_size(struct mappable *m)
{
	return ((struct shmem *)mappable_priv(m))->size;
}

static void shmem_release(struct mappable *m)
{
	free(mappable_priv(m));
}

static const struct mappable_ops shmem_ops = {
	.size = shmem_size,
	.release = shmem_release,
};

struct mappable *mm_shmem_new(uint64_t size)
{
	struct shmem *s = malloc(sizeof(*s));
	struct mappable *m;

	if (!s)
		return NULL;
	s->size = size;
	m = mappable_new(&shmem_ops, s);
	if (!m)
		free(s);
	return m;
}

bool mappable_has_ops(const struct mappable *m, const struct mappable_ops *ops)
{
	return m->ops == ops;
}

unsigned mappable_map_count(struct mappable *m)
{
	const struct vma *v;
	unsigned n = 0;

	LIST_FOREACH(v, &m->vmas, obj_link)
		n++;
	return n;
}
