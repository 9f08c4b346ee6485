/* SPDX-License-Identifier: Apache-2.0 */
/*
 * advise.c: madvise, mincore, msync and the mlock family.
 *
 * Their range walks differ on purpose, as on Linux: madvise and msync
 * skip holes and report ENOMEM at the end, mlock stops at the first hole,
 * mincore fails at it.
 */
#include <errno.h>

#include "gen/linux_flags.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm_internal.h"

/* Set and clear vma flags on [start, end) of v; NULL on ENOMEM. */
static struct vma *set_flags(struct mm *mm, struct vma *v, uint64_t start,
			     uint64_t end, unsigned set, unsigned clear)
{
	unsigned nf = (v->flags & ~clear) | set;
	uint64_t s, e;

	if (nf == v->flags || (v->flags & VMA_SPECIAL))
		return v;
	if (vma_isolate(mm, start, end))
		return NULL;
	v = vma_find(mm, start);
	s = v->start;
	e = v->end;
	/* Keep the locked-page count in step with the flag. */
	if ((nf & VMA_LOCKED) && !(v->flags & VMA_LOCKED))
		mm->locked_pages += (e - s) >> PAGE_SHIFT;
	else if (!(nf & VMA_LOCKED) && (v->flags & VMA_LOCKED))
		mm->locked_pages -= (e - s) >> PAGE_SHIFT;
	v->flags = nf;
	return vma_merge(mm, v);
}

static bool advice_valid(int advice)
{
	switch (advice) {
	case LINUX_MADV_NORMAL:
	case LINUX_MADV_RANDOM:
	case LINUX_MADV_SEQUENTIAL:
	case LINUX_MADV_WILLNEED:
	case LINUX_MADV_DONTNEED:
	case LINUX_MADV_DONTNEED_LOCKED:
	case LINUX_MADV_FREE:
	case LINUX_MADV_REMOVE:
	case LINUX_MADV_DONTFORK:
	case LINUX_MADV_DOFORK:
	case LINUX_MADV_MERGEABLE:
	case LINUX_MADV_UNMERGEABLE:
	case LINUX_MADV_HUGEPAGE:
	case LINUX_MADV_NOHUGEPAGE:
	case LINUX_MADV_DONTDUMP:
	case LINUX_MADV_DODUMP:
	case LINUX_MADV_WIPEONFORK:
	case LINUX_MADV_KEEPONFORK:
	case LINUX_MADV_COLD:
	case LINUX_MADV_PAGEOUT:
	case LINUX_MADV_POPULATE_READ:
	case LINUX_MADV_POPULATE_WRITE:
		return true;
	default:
		/* MADV_HWPOISON and MADV_SOFT_OFFLINE as on a kernel
		 * without memory-failure support; no MADV_COLLAPSE (no
		 * huge pages). */
		return false;
	}
}

/* The populate advices: errors as Linux's madvise_populate reports. */
static int populate(struct mm *mm, struct vma *v, uint64_t s, uint64_t e,
		    bool write)
{
	int access = write ? TRAP_ACCESS_WRITE : TRAP_ACCESS_READ;
	int err;

	if ((v->flags & VMA_SPECIAL) || !mm_access_ok(v->prot, access))
		return -EINVAL;
	err = mm_populate(mm, s, e, write);
	if (err == -EIO)
		return -EFAULT; /* it would have been SIGBUS */
	return err;
}

/* Apply one advice to [s, e) inside v. */
static int advise_vma(struct mm *mm, struct vma *v, uint64_t s, uint64_t e,
		      int advice)
{
	bool anon_private = !v->obj;

	switch (advice) {
	case LINUX_MADV_DONTNEED:
	case LINUX_MADV_DONTNEED_LOCKED:
	case LINUX_MADV_FREE:
		if ((v->flags & VMA_SPECIAL) ||
		    ((v->flags & VMA_LOCKED) &&
		     advice != LINUX_MADV_DONTNEED_LOCKED))
			return -EINVAL;
		if (advice == LINUX_MADV_FREE && !anon_private)
			return -EINVAL;
		/* Private memory reads back as zero (anonymous) or as the
		 * file again; shared memory keeps its contents. */
		return pma_drop_range(mm, s, e);
	case LINUX_MADV_REMOVE:
		if (v->flags & VMA_LOCKED)
			return -EINVAL;
		if (!(v->flags & VMA_SHARED) || !v->obj)
			return -EINVAL;
		if (!(v->prot & MM_PROT_WRITE))
			return -EACCES;
		if (!mappable_authoritative(v->obj))
			return -EOPNOTSUPP;
		mappable_invalidate(v->obj, v->off + (s - v->start), e - s);
		return 0;
	case LINUX_MADV_COLD:
	case LINUX_MADV_PAGEOUT:
		return (v->flags & (VMA_LOCKED | VMA_SPECIAL)) ? -EINVAL : 0;
	case LINUX_MADV_POPULATE_READ:
	case LINUX_MADV_POPULATE_WRITE:
		return populate(mm, v, s, e,
				advice == LINUX_MADV_POPULATE_WRITE);
	case LINUX_MADV_DONTFORK:
		return set_flags(mm, v, s, e, VMA_DONTFORK, 0) ? 0 : -ENOMEM;
	case LINUX_MADV_DOFORK:
		return set_flags(mm, v, s, e, 0, VMA_DONTFORK) ? 0 : -ENOMEM;
	case LINUX_MADV_WIPEONFORK:
		if (!anon_private || (v->flags & VMA_SPECIAL))
			return -EINVAL;
		return set_flags(mm, v, s, e, VMA_WIPEONFORK, 0) ? 0 : -ENOMEM;
	case LINUX_MADV_KEEPONFORK:
		return set_flags(mm, v, s, e, 0, VMA_WIPEONFORK) ? 0 : -ENOMEM;
	case LINUX_MADV_DONTDUMP:
		return set_flags(mm, v, s, e, VMA_DONTDUMP, 0) ? 0 : -ENOMEM;
	case LINUX_MADV_DODUMP:
		if (v->flags & VMA_SPECIAL)
			return -EINVAL;
		return set_flags(mm, v, s, e, 0, VMA_DONTDUMP) ? 0 : -ENOMEM;
	default:
		/* Hints about access patterns, page merging and huge
		 * pages: accepted, nothing to do here. */
		return 0;
	}
}

int mm_advise(struct mm *mm, uint64_t addr, uint64_t len, int advice)
{
	uint64_t start = addr, end, alen;
	int unmapped = 0, err;
	struct vma *v;

	if (!advice_valid(advice))
		return -EINVAL;
	if (addr & PAGE_MASK)
		return -EINVAL;
	alen = page_up(len);
	if (len && !alen)
		return -EINVAL;
	end = addr + alen;
	if (end < addr)
		return -EINVAL;
	if (end == addr)
		return 0;
	v = vma_next_of(mm, start);
	for (;;) {
		uint64_t t;

		if (!v)
			return -ENOMEM;
		if (start < v->start) {
			unmapped = -ENOMEM;
			start = v->start;
			if (start >= end)
				break;
		}
		t = v->end < end ? v->end : end;
		err = advise_vma(mm, v, start, t, advice);
		if (err)
			return err;
		start = t;
		if (start >= end)
			break;
		v = vma_next_of(mm, start);
	}
	return unmapped;
}

long mm_incore(struct mm *mm, uint64_t addr, uint64_t npages, uint8_t *vec)
{
	uint64_t i = 0;

	if (addr & PAGE_MASK)
		return -EINVAL;
	while (i < npages) {
		uint64_t a = addr + (i << PAGE_SHIFT), n = npages - i, k;
		struct vma *v = vma_find(mm, a);
		struct pma *p;

		if (!v)
			return i ? (long)i : -ENOMEM;
		if ((v->end - a) >> PAGE_SHIFT < n)
			n = (v->end - a) >> PAGE_SHIFT;
		p = pma_find(mm, a);
		if (p) {
			k = (p->end - a) >> PAGE_SHIFT;
			k = k < n ? k : n;
			mm_memfile_data(p->foff + (a - p->start), k, vec + i);
		} else if (v->obj && !(v->flags & VMA_SPECIAL)) {
			/* A file page counts when it is in the cache. */
			uint64_t pg = (v->off + (a - v->start)) >> PAGE_SHIFT;
			uint64_t foff, run;
			struct pma *next = pma_next_of(mm, a);

			if (next && (next->start - a) >> PAGE_SHIFT < n)
				n = (next->start - a) >> PAGE_SHIFT;
			if (mappable_lookup(v->obj, pg, n, &foff, &run) == 0) {
				k = run;
				mm_memfile_data(foff, k, vec + i);
			} else {
				k = 1;
				vec[i] = 0;
			}
		} else {
			struct pma *next = pma_next_of(mm, a);

			k = n;
			if (next && (next->start - a) >> PAGE_SHIFT < k)
				k = (next->start - a) >> PAGE_SHIFT;
			/* The platform's own pages are always resident. */
			for (uint64_t j = 0; j < k; j++)
				vec[i + j] = (v->flags & VMA_SPECIAL) ? 1 : 0;
		}
		i += k;
	}
	return (long)i;
}

int mm_sync(struct mm *mm, uint64_t addr, uint64_t len, int flags)
{
	uint64_t start = addr, end;
	int unmapped = 0, err = 0;
	struct vma *v;

	if (flags & ~(LINUX_MS_ASYNC | LINUX_MS_INVALIDATE | LINUX_MS_SYNC))
		return -EINVAL;
	if (addr & PAGE_MASK)
		return -EINVAL;
	if ((flags & LINUX_MS_ASYNC) && (flags & LINUX_MS_SYNC))
		return -EINVAL;
	len = (len + PAGE_MASK) & ~PAGE_MASK;
	end = addr + len;
	if (end < addr)
		return -ENOMEM;
	if (end == addr)
		return 0;
	v = vma_next_of(mm, start);
	for (;;) {
		uint64_t t;

		if (!v)
			return -ENOMEM;
		if (start < v->start) {
			if (flags == LINUX_MS_ASYNC)
				return -ENOMEM;
			start = v->start;
			if (start >= end)
				return -ENOMEM;
			unmapped = -ENOMEM;
		}
		if ((flags & LINUX_MS_INVALIDATE) && (v->flags & VMA_LOCKED))
			return -EBUSY;
		t = v->end < end ? v->end : end;
		if ((flags & LINUX_MS_SYNC) && v->obj &&
		    (v->flags & VMA_SHARED)) {
			err = mappable_writeback(
				v->obj, v->off + (start - v->start), t - start);
			if (err)
				return err;
		}
		start = v->end;
		if (start >= end)
			break;
		v = vma_next_of(mm, start);
	}
	return unmapped;
}

int mm_lock(struct mm *mm, uint64_t addr, uint64_t len, int how)
{
	uint64_t start = page_down(addr), end, tmp;
	unsigned set = 0;
	struct vma *v;

	len = page_up(len + (addr & PAGE_MASK));
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	if (how & MM_LOCK)
		set = VMA_LOCKED |
		      ((how & MM_LOCK_ONFAULT) ? VMA_LOCKONFAULT : 0);
	v = vma_find(mm, start);
	if (!v)
		return -ENOMEM;
	for (tmp = start; v && v->start < end; v = vma_next_of(mm, tmp)) {
		uint64_t e = v->end < end ? v->end : end;

		if (v->start > tmp)
			return -ENOMEM;
		/* Linux leaves its special mappings alone. */
		if (!(v->flags & VMA_SPECIAL) &&
		    !set_flags(mm, v, tmp, e, set,
			       (VMA_LOCKED | VMA_LOCKONFAULT) & ~set))
			return -ENOMEM;
		tmp = e;
		if (tmp >= end)
			break;
	}
	return tmp < end ? -ENOMEM : 0;
}

/* Lock or unlock every vma. */
static int lock_every(struct mm *mm, unsigned set)
{
	struct vma *v;
	uint64_t a = 0;

	for (v = vma_first(mm); v; v = vma_next_of(mm, a)) {
		a = v->end;
		if ((v->flags & VMA_SPECIAL))
			continue;
		v = set_flags(mm, v, v->start, v->end, set,
			      (VMA_LOCKED | VMA_LOCKONFAULT) & ~set);
		if (!v)
			return -ENOMEM;
		a = v->end;
	}
	return 0;
}

int mm_lock_all(struct mm *mm, int flags)
{
	unsigned set = VMA_LOCKED;

	if (flags & LINUX_MCL_ONFAULT)
		set |= VMA_LOCKONFAULT;
	mm->def_flags = (flags & LINUX_MCL_FUTURE) ? set : 0;
	if (!(flags & LINUX_MCL_CURRENT))
		return 0;
	return lock_every(mm, set);
}

int mm_unlock_all(struct mm *mm)
{
	mm->def_flags = 0;
	return lock_every(mm, 0);
}

uint64_t mm_locked_pages(struct mm *mm)
{
	return mm->locked_pages;
}

uint64_t mm_locked_pages_in(struct mm *mm, uint64_t addr, uint64_t len)
{
	uint64_t start = page_down(addr), end = start + page_up(len), n = 0;
	struct vma *v;

	if (end < start)
		end = UINT64_MAX;
	for (v = vma_next_of(mm, start); v && v->start < end;
	     v = vma_next(mm, v)) {
		uint64_t s = v->start > start ? v->start : start;
		uint64_t e = v->end < end ? v->end : end;

		if (v->flags & VMA_LOCKED)
			n += (e - s) >> PAGE_SHIFT;
	}
	return n;
}
