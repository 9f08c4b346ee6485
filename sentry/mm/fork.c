/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fork.c: copy-on-write duplication of an address space.
 *
 * The child gets the same vmas and pmas over the same memory-file pages
 * (one more reference each). Private pages become copy-on-write in both
 * parent and child: the parent's writable mappings are write-protected
 * in its stub now, the child maps nothing until it touches a page, which
 * keeps fork + exec cheap. Shared mappings stay shared; MADV_DONTFORK
 * ranges are left out and MADV_WIPEONFORK ones start empty (zero).
 */
#include <errno.h>

#include "sentry/mm/memfile.h"
#include "sentry/mm/mm_internal.h"

/* Give the child v's pmas, making private ones copy-on-write. */
static int fork_pmas(struct mm *parent, struct mm *child, struct vma *v)
{
	bool shared = v->flags & VMA_SHARED, protect = false;
	struct pma *p;

	for (p = pma_next_of(parent, v->start); p && p->start < v->end;
	     p = pma_next(parent, p)) {
		uint64_t n = (p->end - p->start) >> PAGE_SHIFT;

		memfile_incref(mm_mf, p->foff, n);
		if (!pma_add(child, p->start, p->end, p->foff, !shared,
			     false)) {
			memfile_decref(mm_mf, p->foff, n);
			return -ENOMEM;
		}
		if (!shared && !p->cow) {
			p->cow = true;
			protect |= p->mapped;
		}
	}
	if (protect && (v->prot & MM_PROT_WRITE))
		pma_protect_range(parent, v, v->start, v->end);
	return 0;
}

int mm_fork(struct mm *parent, struct mm **out)
{
	struct mm *child;
	struct vma *v;
	int err;

	err = mm_new(&child);
	if (err)
		return err;
	child->layout = parent->layout;
	RB_FOREACH(v, vma_tree, &parent->vmas)
	{
		struct vma *n;

		if (v->flags & VMA_DONTFORK)
			continue;
		n = vma_clone(v);
		if (!n) {
			err = -ENOMEM;
			break;
		}
		/* Memory locks are not inherited. */
		n->flags &= ~(VMA_LOCKED | VMA_LOCKONFAULT);
		err = vma_insert(child, n);
		if (err) {
			vma_free(n);
			break;
		}
		if (v->flags & (VMA_SPECIAL | VMA_WIPEONFORK))
			continue;
		err = fork_pmas(parent, child, v);
		if (err)
			break;
	}
	if (err) {
		mm_put(child);
		return err;
	}
	*out = child;
	return 0;
}
