/* SPDX-License-Identifier: Apache-2.0 */
/*
 * remap.c: mremap and brk.
 *
 * mremap moves pmas, not data: the memory-file pages behind the old range
 * simply appear at the new address, so contents survive without a copy
 * and copy-on-write state travels along. Checks and errnos follow Linux
 * 6.x mm/mremap.c.
 */
#include <errno.h>

#include "gen/linux_flags.h"
#include "sentry/mm/mm_internal.h"

#define TASK_SIZE MM_DEFAULT_MAX_ADDR

/* vma_to_resize()/check_prep_vma(): may [addr, addr + old_len) of v
 * become new_len bytes? */
static int check_resize(struct vma *v, uint64_t addr, uint64_t old_len,
			uint64_t new_len, uint64_t flags)
{
	uint64_t pgoff;

	if (!old_len && !(v->flags & VMA_SHARED))
		return -EINVAL; /* "duplicating" a private mapping */
	if ((flags & LINUX_MREMAP_DONTUNMAP) && (v->flags & VMA_SPECIAL))
		return -EINVAL;
	if (old_len > v->end - addr)
		return -EFAULT;
	if (new_len == old_len)
		return 0;
	pgoff = (v->obj ? v->off : v->start) >> PAGE_SHIFT;
	pgoff += (addr - v->start) >> PAGE_SHIFT;
	if (pgoff + (new_len >> PAGE_SHIFT) < pgoff)
		return -EINVAL;
	if (v->flags & VMA_SPECIAL)
		return -EFAULT;
	return 0;
}

/* Map the moved pmas at their new place now: the guest uses a moved
 * buffer right away (realloc), and this saves it a fault per pma. */
static void map_moved(struct mm *mm, const struct vma *v, uint64_t start,
		      uint64_t end)
{
	struct pma *p;

	for (p = pma_next_of(mm, start); p && p->start < end;
	     p = pma_next(mm, p)) {
		if (mm_as_map(mm, p->start, p->end - p->start, p->foff,
			      pma_prot(v, p)) == 0)
			p->mapped = true;
	}
}

/* Move [addr, addr + old_len) of v to [new_addr, new_addr + new_len). */
static int64_t move_vma(struct mm *mm, struct vma *v, uint64_t addr,
			uint64_t old_len, uint64_t new_len, uint64_t new_addr,
			uint64_t flags)
{
	struct vma *n = vma_clone(v), *old;
	struct pma *p;
	bool mapped = false;
	int err;

	if (!n)
		return -ENOMEM;
	n->start = new_addr;
	n->end = new_addr + new_len;
	if (n->obj)
		n->off = v->off + (addr - v->start);
	if (old_len) {
		err = vma_isolate(mm, addr, addr + old_len);
		if (!err)
			err = pma_isolate(mm, addr, addr + old_len);
		if (err) {
			vma_free(n);
			return err;
		}
		for (p = pma_next_of(mm, addr); p && p->start < addr + old_len;
		     p = pma_next(mm, p))
			mapped |= p->mapped;
		/* The stub stops seeing the old range before its pages
		 * show up elsewhere. */
		if (mapped)
			mm_as_unmap(mm, addr, old_len);
		pma_move_range(mm, addr, addr + old_len,
			       (int64_t)(new_addr - addr));
		old = vma_find(mm, addr);
		if (!(flags & LINUX_MREMAP_DONTUNMAP)) {
			vma_remove(mm, old);
			vma_free(old);
		} else if (old->flags & VMA_LOCKED) {
			/* Linux clears VM_LOCKED on the old range. */
			uint64_t s = old->start, e = old->end;

			old->flags &= ~(VMA_LOCKED | VMA_LOCKONFAULT);
			mm->locked_pages -= (e - s) >> PAGE_SHIFT;
		}
	}
	err = vma_insert(mm, n);
	if (err) {
		vma_free(n);
		return err;
	}
	map_moved(mm, n, new_addr, new_addr + old_len);
	vma_merge(mm, n);
	return (int64_t)new_addr;
}

/* mremap with MREMAP_FIXED or MREMAP_DONTUNMAP (mremap_to()). */
static int64_t remap_to(struct mm *mm, uint64_t addr, uint64_t old_len,
			uint64_t new_len, uint64_t flags, uint64_t new_addr)
{
	struct vma *v;
	int64_t r;
	int err;

	if (flags & LINUX_MREMAP_FIXED) {
		if (new_addr < mm_min_addr() ||
		    vma_range_special(mm, new_addr, new_addr + new_len))
			return -EPERM;
		if (new_addr + new_len > mm_max_addr())
			return -ENOMEM;
		err = vma_unmap_range(mm, new_addr, new_addr + new_len);
		if (err)
			return err;
	}
	if (old_len > new_len) {
		err = vma_unmap_range(mm, addr + new_len, addr + old_len);
		if (err)
			return err;
		old_len = new_len;
	}
	v = vma_find(mm, addr);
	if (!v)
		return -EFAULT;
	err = check_resize(v, addr, old_len, new_len, flags);
	if (err)
		return err;
	if (!(flags & LINUX_MREMAP_FIXED)) {
		uint64_t hint = new_addr, min = mm_min_addr(),
			 max = mm_max_addr();

		/* A hint, as for mmap. */
		if (hint && page_down(hint) >= min &&
		    page_down(hint) <= max - new_len &&
		    vma_range_free(mm, page_down(hint),
				   page_down(hint) + new_len)) {
			new_addr = page_down(hint);
		} else {
			r = vma_find_gap_topdown(mm, new_len, min,
						 mm->layout.mmap_base);
			if (r < 0)
				r = vma_find_gap_bottomup(mm, new_len, min,
							  max);
			if (r < 0)
				return r;
			new_addr = (uint64_t)r;
		}
	}
	return move_vma(mm, v, addr, old_len, new_len, new_addr, flags);
}

int64_t mm_remap(struct mm *mm, uint64_t addr, uint64_t old_len,
		 uint64_t new_len, uint64_t flags, uint64_t new_addr)
{
	bool to = flags & (LINUX_MREMAP_FIXED | LINUX_MREMAP_DONTUNMAP);
	struct vma *v;
	int64_t r;
	int err;

	if (flags & ~(uint64_t)(LINUX_MREMAP_FIXED | LINUX_MREMAP_MAYMOVE |
				LINUX_MREMAP_DONTUNMAP))
		return -EINVAL;
	if (addr & PAGE_MASK)
		return -EINVAL;
	old_len = page_up(old_len);
	new_len = page_up(new_len);
	if (!new_len || new_len > TASK_SIZE)
		return -EINVAL;
	if (to) {
		if (new_addr > TASK_SIZE - new_len || (new_addr & PAGE_MASK))
			return -EINVAL;
		if (!(flags & LINUX_MREMAP_MAYMOVE))
			return -EINVAL;
		if ((flags & LINUX_MREMAP_DONTUNMAP) && old_len != new_len)
			return -EINVAL;
		if (addr + old_len > new_addr && new_addr + new_len > addr)
			return -EINVAL;
		if (mm->nvmas + 2 >= MM_MAX_MAP_COUNT - 3)
			return -ENOMEM;
	}
	v = vma_find(mm, addr);
	if (!v)
		return -EFAULT;
	/* The platform's vDSO cannot move or grow (only shrinking, a no-op
	 * for it, goes through). */
	if ((v->flags & VMA_SPECIAL) && (to || new_len > old_len))
		return -EINVAL;
	if (to)
		return remap_to(mm, addr, old_len, new_len, flags, new_addr);
	/* Shrinking always works: it just unmaps the tail (even past the
	 * vma, as on Linux). */
	if (old_len >= new_len) {
		if (old_len == new_len)
			return (int64_t)addr;
		err = vma_unmap_range(mm, addr + new_len, addr + old_len);
		return err ? err : (int64_t)addr;
	}
	err = check_resize(v, addr, old_len, new_len, flags);
	if (err)
		return err;
	/* Grow in place when the range ends the vma and room follows. */
	if (old_len == v->end - addr) {
		uint64_t end = addr + new_len, old_end = v->end;

		if (end <= mm_max_addr() && end > v->end &&
		    !vma_range_used(mm, v->end, end)) {
			v->end = end;
			vma_resized(mm, v, v->start, old_end);
			vma_merge(mm, v);
			return (int64_t)addr;
		}
	}
	if (!(flags & LINUX_MREMAP_MAYMOVE))
		return -ENOMEM;
	r = vma_find_gap_topdown(mm, new_len, mm_min_addr(),
				 mm->layout.mmap_base);
	if (r < 0)
		r = vma_find_gap_bottomup(mm, new_len, mm_min_addr(),
					  mm_max_addr());
	if (r < 0)
		return r;
	return move_vma(mm, v, addr, old_len, new_len, (uint64_t)r, flags);
}

uint64_t mm_brk(struct mm *mm, uint64_t brk, uint64_t data_limit)
{
	struct mm_layout *l = &mm->layout;
	uint64_t orig = l->brk, newbrk, oldbrk;
	struct mm_map_args a = {0};
	struct vma *next;

	if (brk < l->start_brk || brk > mm_max_addr())
		return orig;
	if (data_limit != UINT64_MAX &&
	    (brk - l->start_brk) + (l->end_data - l->start_data) > data_limit)
		return orig;
	newbrk = page_up(brk);
	oldbrk = page_up(l->brk);
	if (oldbrk == newbrk) {
		l->brk = brk;
		return brk;
	}
	if (brk <= l->brk) {
		/* Shrink, if [newbrk, oldbrk) is still the heap's. */
		struct vma *v = vma_next_of(mm, newbrk);

		if (!v || v->start >= oldbrk)
			return orig;
		if (vma_unmap_range(mm, newbrk, oldbrk))
			return orig;
		l->brk = brk;
		return brk;
	}
	/* Grow, keeping a page (and a stack's guard gap) free above. */
	next = vma_next_of(mm, oldbrk);
	if (next && newbrk + PAGE_SIZE > vma_start_gap(next))
		return orig;
	a.addr = oldbrk;
	a.len = newbrk - oldbrk;
	a.prot = MM_PROT_READ | MM_PROT_WRITE;
	a.flags = LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS | LINUX_MAP_FIXED;
	a.maxprot = MM_PROT_RWX;
	if (mm_map(mm, &a) < 0)
		return orig;
	l->brk = brk;
	return brk;
}
