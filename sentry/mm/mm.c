/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mm.c: address space objects: creation, references, teardown, the
 * platform calls every other file goes through, and the layout.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "platform/platform.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm_internal.h"

struct memfile *mm_mf;
struct platform *mm_platform;

void mm_init(struct memfile *mf, struct platform *p)
{
	mm_mf = mf;
	mm_platform = p;
}

struct memfile *mm_memfile(void)
{
	return mm_mf;
}

uint64_t mm_min_addr(void)
{
	uint64_t a =
		mm_platform ? mm_platform->info.min_addr : MM_DEFAULT_MIN_ADDR;

	a = page_up(a);
	return a ? a : PAGE_SIZE; /* never map page 0 */
}

uint64_t mm_max_addr(void)
{
	uint64_t a =
		mm_platform ? mm_platform->info.max_addr : MM_DEFAULT_MAX_ADDR;

	return page_down(a);
}

/* Linux's mmap_base() without randomization: below the stack by its
 * rlimit plus the guard gap, at least 128 MiB and at most 5/6 of the
 * address space away from the top. */
static uint64_t mmap_base(uint64_t stack_limit)
{
	uint64_t top = mm_max_addr(), gap = stack_limit;
	uint64_t gap_min = 128ULL << 20, gap_max = top / 6 * 5;

	if (gap + MM_STACK_GUARD_GAP > gap)
		gap += MM_STACK_GUARD_GAP;
	if (gap < gap_min)
		gap = gap_min;
	else if (gap > gap_max)
		gap = gap_max;
	return page_up(top - gap);
}

void mm_layout_default(struct mm_layout *l, uint64_t stack_limit)
{
	l->stack_limit = stack_limit;
	l->mmap_base = mmap_base(stack_limit);
}

void mm_exec_layout(struct mm *mm, uint64_t stack_limit)
{
	mm_layout_default(&mm->layout, stack_limit);
}

int mm_new(struct mm **out)
{
	struct mm *mm = calloc(1, sizeof(*mm));
	int err;

	if (!mm_mf) {
		/* Start-up must call mm_init() first. */
		log_error("mm: mm_new before mm_init");
		free(mm);
		return -EINVAL;
	}
	if (!mm)
		return -ENOMEM;
	mm->refs = 1;
	mm->spurious_addr = UINT64_MAX;
	RB_INIT(&mm->vmas);
	RB_INIT(&mm->pmas);
	mm_layout_default(&mm->layout, MM_DEFAULT_STACK_LIMIT);
	if (mm_platform) {
		err = mm_platform->ops->as_new(mm_platform, &mm->as);
		if (err) {
			free(mm);
			return err;
		}
	}
	*out = mm;
	return 0;
}

void mm_get(struct mm *mm)
{
	mm->refs++;
}

void mm_put(struct mm *mm)
{
	struct vma *v;

	if (!mm || --mm->refs)
		return;
	/* The stub goes first, so it can never touch a freed page. */
	if (mm->as)
		mm_platform->ops->as_release(mm->as);
	mm->as = NULL;
	pma_release_all(mm);
	while ((v = RB_MIN(vma_tree, &mm->vmas))) {
		vma_remove(mm, v);
		vma_free(v);
	}
	free(mm);
}

struct platform_as *mm_as(struct mm *mm)
{
	return mm->as;
}

struct mm_layout *mm_layout(struct mm *mm)
{
	return &mm->layout;
}

int mm_as_map(struct mm *mm, uint64_t addr, uint64_t len, uint64_t foff,
	      int prot)
{
	int err;

	if (!mm->as || !len)
		return 0;
	err = mm_platform->ops->as_map(mm->as, addr, len, foff, prot);
	if (err)
		log_warn("mm: as_map %#llx+%#llx: %s", (unsigned long long)addr,
			 (unsigned long long)len, strerror(-err));
	return err;
}

int mm_as_unmap(struct mm *mm, uint64_t addr, uint64_t len)
{
	int err;

	if (!mm->as || !len)
		return 0;
	err = mm_platform->ops->as_unmap(mm->as, addr, len);
	if (err)
		log_error("mm: as_unmap %#llx+%#llx: %s",
			  (unsigned long long)addr, (unsigned long long)len,
			  strerror(-err));
	return err;
}

void mm_as_protect(struct mm *mm, uint64_t addr, uint64_t len, int prot)
{
	int err;

	if (!mm->as || !len)
		return;
	err = mm_platform->ops->as_protect(mm->as, addr, len, prot);
	if (err)
		log_error("mm: as_protect %#llx+%#llx: %s",
			  (unsigned long long)addr, (unsigned long long)len,
			  strerror(-err));
}

/* The platform's pages stay the platform's: the vmas only reserve their
 * range and name it. */
static int map_special(struct mm *mm, uint64_t addr, uint64_t len, int prot,
		       const char *name)
{
	struct vma *v;
	int err;

	if (!addr || !len)
		return 0;
	if (vma_range_used(mm, addr, addr + len))
		return -EEXIST;
	v = vma_alloc();
	if (!v)
		return -ENOMEM;
	v->name = strdup(name);
	if (!v->name) {
		vma_free(v);
		return -ENOMEM;
	}
	v->start = addr;
	v->end = addr + page_up(len);
	v->prot = v->maxprot = prot;
	v->flags = VMA_SPECIAL | VMA_DONTDUMP;
	err = vma_insert(mm, v);
	if (err)
		vma_free(v);
	return err;
}

int mm_map_vdso(struct mm *mm, const struct platform *p)
{
	int err;

	err = map_special(mm, p->info.vvar_addr, p->info.vvar_len, MM_PROT_READ,
			  "[vvar]");
	if (!err)
		err = map_special(mm, p->info.vdso_addr, p->info.vdso_len,
				  MM_PROT_READ | MM_PROT_EXEC, "[vdso]");
	if (!err)
		mm->layout.vdso_base = p->info.vdso_addr;
	return err;
}

uint64_t mm_memfile_data(uint64_t foff, uint64_t n, uint8_t *vec)
{
	int fd = memfile_fd(mm_mf);
	uint64_t pos = foff, end = foff + (n << PAGE_SHIFT), count = 0;

	/* SEEK_DATA/SEEK_HOLE rather than mincore: the Sentry's seccomp
	 * filter allows lseek, and a swapped-out page still counts. */
	while (pos < end) {
		off_t d = lseek(fd, (off_t)pos, SEEK_DATA), h;

		if (d < 0 && errno != ENXIO)
			d = (off_t)pos; /* cannot tell: count it */
		if (d < 0 || (uint64_t)d >= end)
			d = (off_t)end;
		if (vec)
			memset(vec + ((pos - foff) >> PAGE_SHIFT), 0,
			       ((uint64_t)d - pos) >> PAGE_SHIFT);
		if ((uint64_t)d >= end)
			break;
		h = lseek(fd, d, SEEK_HOLE);
		if (h < 0 || (uint64_t)h > end)
			h = (off_t)end;
		h = (off_t)page_up((uint64_t)h);
		if ((uint64_t)h > end)
			h = (off_t)end;
		if (vec)
			memset(vec + (((uint64_t)d - foff) >> PAGE_SHIFT), 1,
			       (uint64_t)(h - d) >> PAGE_SHIFT);
		count += (uint64_t)(h - d) >> PAGE_SHIFT;
		pos = (uint64_t)h;
	}
	return count;
}

void mm_usage(struct mm *mm, uint64_t *total_pages, uint64_t *resident)
{
	struct pma *p;
	uint64_t res = 0;

	*total_pages = mm->total_pages;
	/* Fault-around gives pmas more pages than the guest touched; the
	 * host knows which ones hold memory. */
	RB_FOREACH(p, pma_tree, &mm->pmas)
	{
		res += mm_memfile_data(p->foff,
				       (p->end - p->start) >> PAGE_SHIFT, NULL);
	}
	*resident = res;
}

uint64_t mm_total_pages(struct mm *mm)
{
	return mm->total_pages;
}

int mm_check(struct mm *mm)
{
	struct vma *v, *pv = NULL;
	struct pma *p, *pp = NULL;
	uint64_t total = 0, locked = 0, pages = 0;
	unsigned n = 0;

	if (!vma_check_tree(mm))
		return __LINE__;
	RB_FOREACH(v, vma_tree, &mm->vmas)
	{
		if (v->start >= v->end || (v->start | v->end) & PAGE_MASK)
			return __LINE__;
		if (pv && pv->end > v->start)
			return __LINE__;
		if (v->mm != mm)
			return __LINE__;
		total += (v->end - v->start) >> PAGE_SHIFT;
		if (v->flags & VMA_LOCKED)
			locked += (v->end - v->start) >> PAGE_SHIFT;
		n++;
		pv = v;
	}
	if (n != mm->nvmas || total != mm->total_pages ||
	    locked != mm->locked_pages)
		return __LINE__;
	RB_FOREACH(p, pma_tree, &mm->pmas)
	{
		uint64_t i;

		if (p->start >= p->end ||
		    (p->start | p->end | p->foff) & PAGE_MASK)
			return __LINE__;
		if (pp && pp->end > p->start)
			return __LINE__;
		v = vma_find(mm, p->start);
		if (!v || p->end > v->end || (v->flags & VMA_SPECIAL))
			return __LINE__;
		if ((v->flags & VMA_SHARED) && p->cow)
			return __LINE__;
		for (i = p->foff; i < p->foff + (p->end - p->start);
		     i += PAGE_SIZE)
			if (!memfile_refs(mm_mf, i))
				return __LINE__;
		pages += (p->end - p->start) >> PAGE_SHIFT;
		pp = p;
	}
	if (pages != mm->pma_pages)
		return __LINE__;
	return 0;
}
