/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vma.c: the sorted tree of an mm's vmas.
 *
 * Each vma remembers where the previous one ends (prev_end), so the free
 * gap before it is known locally, and each node carries the largest gap in
 * its subtree (max_gap, the augmentation), so a free range of a given size
 * is found in O(log n) even with the tens of thousands of mappings of a
 * large program, as Linux's rb_subtree_gap does. The augmentation is
 * recomputed locally on every rotation (RB_AUGMENT) and along the path to
 * the root after every structural change.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define RB_AUGMENT(x) vma_augment(x)
struct vma;
static void vma_augment(struct vma *);

#include "sentry/mm/mm_internal.h"

#include "lib/log.h"

static int vma_cmp(struct vma *a, struct vma *b)
{
	return a->start < b->start ? -1 : a->start > b->start;
}

uint64_t vma_start_gap(const struct vma *v)
{
	if (!(v->flags & VMA_GROWSDOWN))
		return v->start;
	return v->start > MM_STACK_GUARD_GAP ? v->start - MM_STACK_GUARD_GAP
					     : 0;
}

static uint64_t own_gap(const struct vma *v)
{
	uint64_t s = vma_start_gap(v);

	return s > v->prev_end ? s - v->prev_end : 0;
}

/* Recompute v's augmentation from its children (which must be right). */
static void vma_augment(struct vma *v)
{
	struct vma *l = RB_LEFT(v, link), *r = RB_RIGHT(v, link);
	uint64_t g = own_gap(v);

	if (l && l->max_gap > g)
		g = l->max_gap;
	if (r && r->max_gap > g)
		g = r->max_gap;
	v->max_gap = g;
}

RB_GENERATE(vma_tree, vma, link, vma_cmp)

/* Fix the augmentation from v up to the root. */
static void propagate(struct vma *v)
{
	for (; v; v = RB_PARENT(v, link))
		vma_augment(v);
}

struct vma *vma_find(struct mm *mm, uint64_t addr)
{
	struct vma *v = RB_ROOT(&mm->vmas);

	while (v) {
		if (addr < v->start)
			v = RB_LEFT(v, link);
		else if (addr >= v->end)
			v = RB_RIGHT(v, link);
		else
			return v;
	}
	return NULL;
}

struct vma *vma_next_of(struct mm *mm, uint64_t addr)
{
	struct vma *v = RB_ROOT(&mm->vmas), *best = NULL;

	while (v) {
		if (v->end > addr) {
			best = v;
			v = RB_LEFT(v, link);
		} else {
			v = RB_RIGHT(v, link);
		}
	}
	return best;
}

struct vma *vma_next(struct mm *mm, struct vma *v)
{
	(void)mm;
	return vma_tree_RB_NEXT(v);
}

struct vma *vma_prev(struct mm *mm, struct vma *v)
{
	(void)mm;
	return vma_tree_RB_PREV(v);
}

struct vma *vma_first(struct mm *mm)
{
	return RB_MIN(vma_tree, &mm->vmas);
}

struct vma *vma_alloc(void)
{
	return calloc(1, sizeof(struct vma));
}

/* Free a vma that is not in a tree, with its object reference. */
void vma_free(struct vma *v)
{
	if (!v)
		return;
	if (v->obj)
		mappable_put(v->obj);
	free(v->name);
	free(v);
}

static void account(struct mm *mm, const struct vma *v, int sign)
{
	uint64_t pages = (v->end - v->start) >> PAGE_SHIFT;

	if (sign > 0) {
		mm->total_pages += pages;
		if (v->flags & VMA_LOCKED)
			mm->locked_pages += pages;
	} else {
		mm->total_pages -= pages;
		if (v->flags & VMA_LOCKED)
			mm->locked_pages -= pages;
	}
}

int vma_insert(struct mm *mm, struct vma *v)
{
	struct vma *prev, *next;

	v->mm = mm;
	v->max_gap = 0;
	if (vma_tree_RB_INSERT(&mm->vmas, v)) {
		log_error("mm: overlapping vma at %#llx",
			  (unsigned long long)v->start);
		return -EEXIST;
	}
	prev = vma_tree_RB_PREV(v);
	next = vma_tree_RB_NEXT(v);
	v->prev_end = prev ? prev->end : 0;
	propagate(v);
	if (next) {
		next->prev_end = v->end;
		propagate(next);
	}
	mm->nvmas++;
	account(mm, v, 1);
	if (v->obj)
		mappable_link(v->obj, v);
	return 0;
}

void vma_remove(struct mm *mm, struct vma *v)
{
	struct vma *prev = vma_tree_RB_PREV(v), *next = vma_tree_RB_NEXT(v);
	struct vma *fix;

	/* Where the tree's shape changes: the removed node's parent, or
	 * with two children its successor's old parent (the successor
	 * itself when that parent is v). */
	if (RB_LEFT(v, link) && RB_RIGHT(v, link)) {
		fix = RB_PARENT(next, link);
		if (fix == v)
			fix = next;
	} else {
		fix = RB_PARENT(v, link);
	}
	vma_tree_RB_REMOVE(&mm->vmas, v);
	propagate(fix);
	if (next) {
		next->prev_end = prev ? prev->end : 0;
		propagate(next);
	}
	mm->nvmas--;
	account(mm, v, -1);
	if (v->obj)
		mappable_unlink(v->obj, v);
}

void vma_resized(struct mm *mm, struct vma *v, uint64_t old_start,
		 uint64_t old_end)
{
	struct vma *next = vma_tree_RB_NEXT(v);
	uint64_t pages_old = (old_end - old_start) >> PAGE_SHIFT;
	uint64_t pages_new = (v->end - v->start) >> PAGE_SHIFT;

	mm->total_pages = mm->total_pages - pages_old + pages_new;
	if (v->flags & VMA_LOCKED)
		mm->locked_pages = mm->locked_pages - pages_old + pages_new;
	propagate(v);
	if (next && next->prev_end != v->end) {
		next->prev_end = v->end;
		propagate(next);
	}
}

/* A copy of v's attributes (not its range), with its own references. */
struct vma *vma_clone(const struct vma *v)
{
	struct vma *n = vma_alloc();

	if (!n)
		return NULL;
	n->start = v->start;
	n->end = v->end;
	n->prot = v->prot;
	n->maxprot = v->maxprot;
	n->flags = v->flags;
	n->off = v->off;
	n->dev = v->dev;
	n->ino = v->ino;
	if (v->name) {
		n->name = strdup(v->name);
		if (!n->name) {
			free(n);
			return NULL;
		}
	}
	n->obj = v->obj;
	if (n->obj)
		mappable_get(n->obj);
	return n;
}

struct vma *vma_split(struct mm *mm, struct vma *v, uint64_t at)
{
	struct vma *n;
	uint64_t old_end = v->end;

	if (mm->nvmas >= MM_MAX_MAP_COUNT)
		return NULL;
	n = vma_clone(v);
	if (!n)
		return NULL;
	if (pma_isolate(mm, at, at)) {
		vma_free(n);
		return NULL;
	}
	n->start = at;
	n->end = old_end;
	if (n->obj)
		n->off = v->off + (at - v->start);
	v->end = at;
	vma_resized(mm, v, v->start, old_end);
	if (vma_insert(mm, n)) {
		/* Cannot happen: [at, old_end) was v's. */
		v->end = old_end;
		vma_resized(mm, v, v->start, at);
		vma_free(n);
		return NULL;
	}
	return n;
}

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool vma_mergeable(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start)
		return false;
	if (a->prot != b->prot || a->maxprot != b->maxprot ||
	    a->flags != b->flags || a->obj != b->obj || a->dev != b->dev ||
	    a->ino != b->ino || (a->flags & VMA_SPECIAL))
		return false;
	if (a->obj && a->off + (a->end - a->start) != b->off)
		return false;
	return str_eq(a->name, b->name);
}

/* Fold `b` (right after `a`) into `a`. */
static void absorb(struct mm *mm, struct vma *a, struct vma *b)
{
	uint64_t old_end = a->end, end = b->end;
	struct pma *p;

	vma_remove(mm, b);
	vma_free(b);
	a->end = end;
	vma_resized(mm, a, a->start, old_end);
	/* The pmas at the seam may now merge. */
	p = pma_find(mm, old_end);
	if (p && p->start == old_end)
		pma_merge(mm, a, p);
}

struct vma *vma_merge(struct mm *mm, struct vma *v)
{
	struct vma *prev = vma_tree_RB_PREV(v), *next = vma_tree_RB_NEXT(v);

	if (next && vma_mergeable(v, next))
		absorb(mm, v, next);
	if (prev && vma_mergeable(prev, v)) {
		absorb(mm, prev, v);
		v = prev;
	}
	return v;
}

int vma_isolate(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v = vma_find(mm, start);

	/* The platform's vDSO is one piece: nothing applies to part of it. */
	if (v && v->start < start && !(v->flags & VMA_SPECIAL) &&
	    !vma_split(mm, v, start))
		return -ENOMEM;
	if (end > start) {
		v = vma_find(mm, end - 1);
		if (v && v->end > end && !(v->flags & VMA_SPECIAL) &&
		    !vma_split(mm, v, end))
			return -ENOMEM;
	}
	return 0;
}

bool vma_range_special(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v;

	for (v = vma_next_of(mm, start); v && v->start < end;
	     v = vma_tree_RB_NEXT(v))
		if (v->flags & VMA_SPECIAL)
			return true;
	return false;
}

int vma_unmap_range(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v, *next;
	int err;

	if (start >= end || !vma_range_used(mm, start, end))
		return 0;
	/* Linux fails an munmap that would split past the map count. */
	err = vma_isolate(mm, start, end);
	if (!err)
		err = pma_drop_range(mm, start, end);
	if (err)
		return err;
	for (v = vma_next_of(mm, start); v && v->start < end; v = next) {
		next = vma_tree_RB_NEXT(v);
		/* The platform's vDSO cannot be unmapped from the stub (it
		 * refuses): it stays, as if the guest had not asked. */
		if (v->flags & VMA_SPECIAL)
			continue;
		vma_remove(mm, v);
		vma_free(v);
	}
	return 0;
}

bool vma_range_free(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *next = vma_next_of(mm, start);

	return !next || end <= vma_start_gap(next);
}

bool vma_range_used(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *next = vma_next_of(mm, start);

	return next && next->start < end;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* The highest fit in the gap [lo, hi) clipped to [low, high). */
static bool fit_top(uint64_t lo, uint64_t hi, uint64_t len, uint64_t low,
		    uint64_t high, uint64_t *out)
{
	lo = max64(lo, low);
	hi = min64(hi, high);
	if (hi < lo || hi - lo < len)
		return false;
	*out = hi - len;
	return true;
}

static bool fit_bottom(uint64_t lo, uint64_t hi, uint64_t len, uint64_t low,
		       uint64_t high, uint64_t *out)
{
	lo = max64(lo, low);
	hi = min64(hi, high);
	if (hi < lo || hi - lo < len)
		return false;
	*out = lo;
	return true;
}

/*
 * Gaps in v's right subtree and v's own gap all lie at or above
 * v->prev_end; gaps in its left subtree lie below it. Subtrees whose
 * largest gap is too small, or that lie outside [low, high), are skipped.
 */
static bool search_top(struct vma *v, uint64_t len, uint64_t low, uint64_t high,
		       uint64_t *out)
{
	if (!v || v->max_gap < len)
		return false;
	if (v->prev_end < high) {
		if (search_top(RB_RIGHT(v, link), len, low, high, out))
			return true;
		if (fit_top(v->prev_end, vma_start_gap(v), len, low, high, out))
			return true;
	}
	if (v->prev_end <= low)
		return false;
	return search_top(RB_LEFT(v, link), len, low, high, out);
}

static bool search_bottom(struct vma *v, uint64_t len, uint64_t low,
			  uint64_t high, uint64_t *out)
{
	if (!v || v->max_gap < len)
		return false;
	if (v->prev_end > low &&
	    search_bottom(RB_LEFT(v, link), len, low, high, out))
		return true;
	if (v->prev_end >= high)
		return false;
	if (fit_bottom(v->prev_end, vma_start_gap(v), len, low, high, out))
		return true;
	return search_bottom(RB_RIGHT(v, link), len, low, high, out);
}

int64_t vma_find_gap_topdown(struct mm *mm, uint64_t len, uint64_t low,
			     uint64_t high)
{
	struct vma *last = RB_MAX(vma_tree, &mm->vmas);
	uint64_t out;

	if (fit_top(last ? last->end : 0, UINT64_MAX, len, low, high, &out))
		return (int64_t)out;
	if (search_top(RB_ROOT(&mm->vmas), len, low, high, &out))
		return (int64_t)out;
	return -ENOMEM;
}

int64_t vma_find_gap_bottomup(struct mm *mm, uint64_t len, uint64_t low,
			      uint64_t high)
{
	struct vma *last = RB_MAX(vma_tree, &mm->vmas);
	uint64_t out;

	if (search_bottom(RB_ROOT(&mm->vmas), len, low, high, &out))
		return (int64_t)out;
	if (fit_bottom(last ? last->end : 0, UINT64_MAX, len, low, high, &out))
		return (int64_t)out;
	return -ENOMEM;
}

/* Recompute every node's augmentation bottom-up and compare. */
static bool check_node(struct vma *v, uint64_t *gap)
{
	uint64_t l = 0, r = 0, g;

	if (!v) {
		*gap = 0;
		return true;
	}
	if (!check_node(RB_LEFT(v, link), &l) ||
	    !check_node(RB_RIGHT(v, link), &r))
		return false;
	g = max64(own_gap(v), max64(l, r));
	*gap = g;
	return g == v->max_gap;
}

bool vma_check_tree(struct mm *mm)
{
	struct vma *v, *prev = NULL;
	uint64_t g;

	RB_FOREACH(v, vma_tree, &mm->vmas)
	{
		if (v->prev_end != (prev ? prev->end : 0))
			return false;
		prev = v;
	}
	return check_node(RB_ROOT(&mm->vmas), &g);
}
