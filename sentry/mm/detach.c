/* SPDX-License-Identifier: Apache-2.0 */
/*
 * detach.c: what System V shared memory needs of the mm: shmdt's search
 * for the pieces of one attached object, and the attach count.
 */
#include <errno.h>

#include "sentry/mm/mm_internal.h"

/* Linux's test that v is a piece of an object attached at addr: its
 * offset in the object is its distance from addr (unsigned, as Linux
 * computes it, so a vma below addr never matches). */
static bool attached_at(const struct vma *v, uint64_t addr,
			const struct mappable_ops *ops)
{
	return v->obj && mappable_has_ops(v->obj, ops) &&
	       (v->start - addr) / MM_PAGE_SIZE == v->off / MM_PAGE_SIZE &&
	       !(v->off & MM_PAGE_MASK);
}

int mm_detach_object(struct mm *mm, uint64_t addr,
		     const struct mappable_ops *ops, struct mappable **out)
{
	struct vma *v = vma_next_of(mm, addr);
	struct mappable *obj = NULL;
	uint64_t size = 0;

	if (addr & MM_PAGE_MASK)
		return -EINVAL;
	/* The first piece tells which object and how far to look. */
	for (; v; v = vma_next(mm, v)) {
		if (attached_at(v, addr, ops)) {
			uint64_t end = v->end;

			obj = v->obj;
			/* The caller's: it outlives the last mapping. */
			mappable_get(obj);
			size = page_up(mappable_size(obj));
			vma_unmap_range(mm, v->start, v->end);
			v = vma_next_of(mm, end);
			break;
		}
	}
	if (!obj)
		return -EINVAL;
	/* Fragments mprotect or munmap left of the same attachment. */
	while (v && v->end - addr <= size) {
		uint64_t end = v->end;

		if (v->obj == obj && attached_at(v, addr, ops))
			vma_unmap_range(mm, v->start, v->end);
		v = vma_next_of(mm, end);
	}
	*out = obj;
	return 0;
}
