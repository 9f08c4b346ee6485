/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pma.c: the tree of an mm's backed ranges (guest range -> memory file).
 *
 * A pma holds one memory-file reference per page it covers. The order of
 * operations matters for isolation between guest processes: a range is
 * unmapped from the platform before its references are dropped, so the
 * stub can never reach a page after it has been freed and handed to
 * someone else.
 */
#include <errno.h>
#include <stdlib.h>

#include "sentry/mm/memfile.h"
#include "sentry/mm/mm_internal.h"

static int pma_cmp(struct pma *a, struct pma *b)
{
	return a->start < b->start ? -1 : a->start > b->start;
}

RB_GENERATE(pma_tree, pma, link, pma_cmp)

struct pma *pma_find(struct mm *mm, uint64_t addr)
{
	struct pma *p = RB_ROOT(&mm->pmas);

	while (p) {
		if (addr < p->start)
			p = RB_LEFT(p, link);
		else if (addr >= p->end)
			p = RB_RIGHT(p, link);
		else
			return p;
	}
	return NULL;
}

struct pma *pma_next_of(struct mm *mm, uint64_t addr)
{
	struct pma *p = RB_ROOT(&mm->pmas), *best = NULL;

	while (p) {
		if (p->end > addr) {
			best = p;
			p = RB_LEFT(p, link);
		} else {
			p = RB_RIGHT(p, link);
		}
	}
	return best;
}

struct pma *pma_next(struct mm *mm, struct pma *p)
{
	(void)mm;
	return pma_tree_RB_NEXT(p);
}

struct pma *pma_prev(struct mm *mm, struct pma *p)
{
	(void)mm;
	return pma_tree_RB_PREV(p);
}

int pma_prot(const struct vma *v, const struct pma *p)
{
	return p->cow ? v->prot & ~MM_PROT_WRITE : v->prot;
}

struct pma *pma_add(struct mm *mm, uint64_t start, uint64_t end, uint64_t foff,
		    bool cow, bool mapped)
{
	struct pma *p = malloc(sizeof(*p));

	if (!p)
		return NULL;
	p->start = start;
	p->end = end;
	p->foff = foff;
	p->cow = cow;
	p->mapped = mapped;
	pma_tree_RB_INSERT(&mm->pmas, p);
	mm->pma_pages += (end - start) >> PAGE_SHIFT;
	return p;
}

struct pma *pma_split(struct mm *mm, struct pma *p, uint64_t at)
{
	struct pma *n = malloc(sizeof(*n));

	if (!n)
		return NULL;
	*n = *p;
	n->start = at;
	n->foff = p->foff + (at - p->start);
	p->end = at;
	pma_tree_RB_INSERT(&mm->pmas, n);
	return n;
}

int pma_isolate(struct mm *mm, uint64_t start, uint64_t end)
{
	struct pma *p = pma_find(mm, start);

	if (p && p->start < start && !pma_split(mm, p, start))
		return -ENOMEM;
	if (end > start) {
		p = pma_find(mm, end - 1);
		if (p && p->end > end && !pma_split(mm, p, end))
			return -ENOMEM;
	}
	return 0;
}

/* Remove p; its pages are released unless `leak` (see below). */
static void pma_free(struct mm *mm, struct pma *p, bool leak)
{
	uint64_t n = (p->end - p->start) >> PAGE_SHIFT;

	pma_tree_RB_REMOVE(&mm->pmas, p);
	mm->pma_pages -= n;
	if (!leak)
		memfile_decref(mm_mf, p->foff, n);
	free(p);
}

/* Unmap the runs of mapped pmas in [start, end) from the platform, one
 * call per run; a run may bridge unbacked gaps (nothing is mapped there)
 * but never a platform-owned vma, which the platform refuses to touch.
 * Returns false if an unmap failed: the stub may still reach the pages. */
static bool unmap_runs(struct mm *mm, uint64_t start, uint64_t end)
{
	struct pma *p;
	uint64_t lo = 0, hi = 0;
	bool ok = true;

	for (p = pma_next_of(mm, start); p && p->start < end;
	     p = pma_tree_RB_NEXT(p)) {
		if (!p->mapped)
			continue;
		if (lo < hi && p->start != hi &&
		    vma_range_special(mm, hi, p->start)) {
			ok &= mm_as_unmap(mm, lo, hi - lo) == 0;
			lo = hi = 0;
		}
		if (lo == hi)
			lo = p->start;
		hi = p->end;
	}
	if (lo < hi)
		ok &= mm_as_unmap(mm, lo, hi - lo) == 0;
	return ok;
}

int pma_drop_range(struct mm *mm, uint64_t start, uint64_t end)
{
	struct pma *p, *next;
	bool ok;
	int err;

	if (start >= end)
		return 0;
	err = pma_isolate(mm, start, end);
	if (err)
		return err;
	ok = unmap_runs(mm, start, end);
	/* If the stub may still map the pages, they must never be handed
	 * to anyone else: leaking them is the safe failure. */
	for (p = pma_next_of(mm, start); p && p->start < end; p = next) {
		next = pma_tree_RB_NEXT(p);
		pma_free(mm, p, !ok && p->mapped);
	}
	return 0;
}

void pma_protect_range(struct mm *mm, const struct vma *v, uint64_t start,
		       uint64_t end)
{
	struct pma *p;
	uint64_t lo = 0, hi = 0;
	int prot = 0;

	/* Runs of adjacent mapped pmas with one protection: a host
	 * mprotect must not cross an unmapped hole. */
	for (p = pma_next_of(mm, start); p && p->start < end;
	     p = pma_tree_RB_NEXT(p)) {
		int pp = pma_prot(v, p);

		if (!p->mapped)
			continue;
		if (lo < hi && (p->start != hi || pp != prot)) {
			mm_as_protect(mm, lo, hi - lo, prot);
			lo = hi = 0;
		}
		if (lo == hi) {
			lo = p->start;
			prot = pp;
		}
		hi = p->end;
	}
	if (lo < hi)
		mm_as_protect(mm, lo, hi - lo, prot);
}

int pma_move_range(struct mm *mm, uint64_t start, uint64_t end, int64_t delta)
{
	struct pma *p, *next, **moved = NULL;
	size_t n = 0, cap = 0, i;
	int err;

	err = pma_isolate(mm, start, end);
	if (err)
		return err;
	for (p = pma_next_of(mm, start); p && p->start < end; p = next) {
		next = pma_tree_RB_NEXT(p);
		if (n == cap) {
			size_t c = cap ? 2 * cap : 16;
			struct pma **m = reallocarray(moved, c, sizeof(*m));

			if (!m) {
				err = -ENOMEM;
				break;
			}
			moved = m;
			cap = c;
		}
		pma_tree_RB_REMOVE(&mm->pmas, p);
		moved[n++] = p;
	}
	/* On failure the pmas taken so far still move: the caller's vma
	 * bookkeeping decides what they mean, and nothing leaks. */
	for (i = 0; i < n; i++) {
		p = moved[i];
		p->start = (uint64_t)((int64_t)p->start + delta);
		p->end = (uint64_t)((int64_t)p->end + delta);
		p->mapped = false;
		pma_tree_RB_INSERT(&mm->pmas, p);
	}
	free(moved);
	return err;
}

static bool pma_joinable(const struct pma *a, const struct pma *b)
{
	return a->end == b->start && a->cow == b->cow &&
	       a->mapped == b->mapped &&
	       a->foff + (a->end - a->start) == b->foff;
}

struct pma *pma_merge(struct mm *mm, const struct vma *v, struct pma *p)
{
	struct pma *prev = pma_tree_RB_PREV(p), *next = pma_tree_RB_NEXT(p);

	if (next && next->end <= v->end && pma_joinable(p, next)) {
		p->end = next->end;
		pma_tree_RB_REMOVE(&mm->pmas, next);
		free(next);
	}
	if (prev && prev->start >= v->start && pma_joinable(prev, p)) {
		prev->end = p->end;
		pma_tree_RB_REMOVE(&mm->pmas, p);
		free(p);
		p = prev;
	}
	return p;
}

void pma_release_all(struct mm *mm)
{
	struct pma *p;

	while ((p = RB_MIN(pma_tree, &mm->pmas)))
		pma_free(mm, p, false);
}
