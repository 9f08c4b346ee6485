/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fault.c: backing guest pages on demand, for guest faults and for the
 * Sentry's own accesses (copyin/copyout go through the same code, never
 * through the stub).
 *
 * What a fault allocates or maps is a window around the faulting page
 * (fault-around), clipped to the vma, to existing pmas and to the end of
 * the file, so one trap and one as_map serve many pages:
 *  - private anonymous: fresh memory-file pages (zero: free pages are
 *    holes), up to MM_ANON_WINDOW;
 *  - private file, read: the page cache's pages, mapped copy-on-write;
 *  - private file, write: a private copy of the written page;
 *  - shared (file or shmem): the cache's pages, writable per the vma;
 *  - a write to a copy-on-write page: if no one else holds the page
 *    (count 1), it simply becomes writable; otherwise the page is copied
 *    (for anonymous memory a window of pages, only their data: holes
 *    stay holes).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "platform/platform.h"
#include "sentry/abi/signal.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm_internal.h"

/* Grow a MAP_GROWSDOWN vma down to addr, as Linux's expand_downwards:
 * within the stack limit, above mmap_min_addr, and keeping the guard gap
 * to an accessible vma below. */
static bool grow_stack(struct mm *mm, struct vma *v, uint64_t addr)
{
	uint64_t start = page_down(addr), old = v->start;
	struct vma *prev = vma_prev(mm, v);

	if (start < mm_min_addr())
		return false;
	if (v->end - start > mm->layout.stack_limit)
		return false;
	if (prev) {
		if (prev->end > start)
			return false;
		if (!(prev->flags & VMA_GROWSDOWN) &&
		    (prev->prot & MM_PROT_RWX) &&
		    start - prev->end < MM_STACK_GUARD_GAP)
			return false;
	}
	v->start = start;
	vma_resized(mm, v, old, v->end);
	return true;
}

struct vma *mm_vma_for_fault(struct mm *mm, uint64_t addr)
{
	struct vma *v = vma_next_of(mm, addr);

	if (!v)
		return NULL;
	if (v->start <= addr)
		return v;
	if (!(v->flags & VMA_GROWSDOWN) || !grow_stack(mm, v, addr))
		return NULL;
	return v;
}

/* The `win`-aligned range around addr inside [lo, hi) that no pma
 * covers (addr itself has no pma). */
static void fault_window(struct mm *mm, uint64_t addr, uint64_t win,
			 uint64_t lo, uint64_t hi, uint64_t *s, uint64_t *e)
{
	uint64_t ws = addr & ~(win - 1), we = ws + win;
	struct pma *next = pma_next_of(mm, addr), *prev;

	if (ws < lo)
		ws = lo;
	if (we > hi)
		we = hi;
	if (next && next->start < we)
		we = next->start;
	prev = next ? pma_prev(mm, next) : RB_MAX(pma_tree, &mm->pmas);
	if (prev && prev->end > ws)
		ws = prev->end;
	*s = ws;
	*e = we;
}

/* Allocate for [*s, *e), or failing that for addr's page alone. */
static int alloc_window(uint64_t addr, uint64_t *s, uint64_t *e, uint64_t *foff)
{
	int err = memfile_alloc(mm_mf, (*e - *s) >> PAGE_SHIFT, foff);

	if (err && *e - *s > PAGE_SIZE) {
		*s = page_down(addr);
		*e = *s + PAGE_SIZE;
		err = memfile_alloc(mm_mf, 1, foff);
	}
	return err;
}

/* Copy n pages of the memory file, only where the source holds data:
 * reading a hole through the Sentry's view would allocate host memory
 * for nothing, and the destination is a hole already. */
static void copy_pages(uint64_t dst, uint64_t src, uint64_t n)
{
	int fd = memfile_fd(mm_mf);
	uint64_t pos = src, end = src + (n << PAGE_SHIFT);

	while (pos < end) {
		off_t d = lseek(fd, (off_t)pos, SEEK_DATA), h;

		if (d < 0) {
			if (errno == ENXIO)
				return; /* no data up to EOF */
			d = (off_t)pos; /* cannot tell: copy everything */
			h = (off_t)end;
		} else {
			if ((uint64_t)d >= end)
				return;
			h = lseek(fd, d, SEEK_HOLE);
			if (h < 0 || (uint64_t)h > end)
				h = (off_t)end;
		}
		memcpy(memfile_view(mm_mf, dst + ((uint64_t)d - src)),
		       memfile_view(mm_mf, (uint64_t)d), (uint64_t)(h - d));
		pos = (uint64_t)h;
	}
}

/* Insert a pma for fresh references and map it if asked; on failure
 * the references are dropped. */
static struct pma *install(struct mm *mm, const struct vma *v, uint64_t s,
			   uint64_t e, uint64_t foff, bool cow, bool map,
			   int *err)
{
	struct pma *p = pma_add(mm, s, e, foff, cow, false);

	if (!p) {
		memfile_decref(mm_mf, foff, (e - s) >> PAGE_SHIFT);
		*err = -ENOMEM;
		return NULL;
	}
	if (map) {
		*err = mm_as_map(mm, s, e - s, foff, pma_prot(v, p));
		if (*err) {
			pma_drop_range(mm, s, e);
			*err = -ENOMEM;
			return NULL;
		}
		p->mapped = true;
	}
	return pma_merge(mm, v, p);
}

static struct pma *fault_anon(struct mm *mm, struct vma *v, uint64_t addr,
			      bool map, int *err)
{
	uint64_t s, e, foff;

	fault_window(mm, addr, MM_ANON_WINDOW, v->start, v->end, &s, &e);
	*err = alloc_window(addr, &s, &e, &foff);
	if (*err)
		return NULL;
	return install(mm, v, s, e, foff, false, map, err);
}

/* One past the last page of the object's data. */
static uint64_t obj_pages(struct mappable *obj)
{
	uint64_t size = mappable_size(obj);

	if (size > UINT64_MAX - PAGE_MASK)
		return UINT64_MAX >> PAGE_SHIFT;
	return page_up(size) >> PAGE_SHIFT;
}

/*
 * Back addr from v's object. Returns the pma, or NULL with *err: -EIO
 * past EOF, -ENOMEM, or -EAGAIN when pages had to be read into the
 * cache first (which may have dropped the kernel lock: the caller looks
 * everything up again).
 */
static struct pma *fault_file(struct mm *mm, struct vma *v, uint64_t addr,
			      int access, bool map, int *err)
{
	struct mappable *obj = v->obj;
	uint64_t vpg = v->off >> PAGE_SHIFT, eof = obj_pages(obj);
	uint64_t pg = vpg + ((addr - v->start) >> PAGE_SHIFT);
	uint64_t hi = v->end, s, e, spg, n, i, foff, run;
	bool shared = v->flags & VMA_SHARED;
	bool copy = !shared && (access & TRAP_ACCESS_WRITE);
	struct pma *p, *found = NULL;

	if (pg >= eof) {
		*err = -EIO;
		return NULL;
	}
	if (eof - vpg < (v->end - v->start) >> PAGE_SHIFT)
		hi = v->start + ((eof - vpg) << PAGE_SHIFT);
	/* A private copy is made of the written page only: its neighbours
	 * must keep showing the file's current contents, as on Linux. */
	fault_window(mm, addr, copy ? PAGE_SIZE : MM_FILE_WINDOW, v->start, hi,
		     &s, &e);
	spg = vpg + ((s - v->start) >> PAGE_SHIFT);
	n = (e - s) >> PAGE_SHIFT;
	for (i = 0; i < n; i += run) {
		if (mappable_lookup(obj, spg + i, n - i, &foff, &run)) {
			*err = mappable_populate(obj, spg, n, false);
			if (!*err)
				*err = -EAGAIN;
			else if (*err != -ENOMEM)
				*err = -EIO;
			return NULL;
		}
	}
	if (copy) {
		uint64_t nf;

		*err = alloc_window(addr, &s, &e, &nf);
		if (*err)
			return NULL;
		spg = vpg + ((s - v->start) >> PAGE_SHIFT);
		n = (e - s) >> PAGE_SHIFT;
		for (i = 0; i < n; i += run) {
			mappable_lookup(obj, spg + i, n - i, &foff, &run);
			copy_pages(nf + (i << PAGE_SHIFT), foff, run);
		}
		return install(mm, v, s, e, nf, false, map, err);
	}
	/* Writes through a shared mapping bypass the Sentry: count pages
	 * dirty as soon as they are mapped where they could be written. */
	if (shared && (v->maxprot & MM_PROT_WRITE))
		mappable_mark_dirty(obj, spg, n);
	for (i = 0; i < n; i += run) {
		uint64_t a = s + (i << PAGE_SHIFT);

		mappable_lookup(obj, spg + i, n - i, &foff, &run);
		memfile_incref(mm_mf, foff, run);
		p = install(mm, v, a, a + (run << PAGE_SHIFT), foff, !shared,
			    map, err);
		if (!p)
			return NULL;
		if (p->start <= addr && addr < p->end)
			found = p;
	}
	/* Later installs may have merged into the one holding addr. */
	return found ? pma_find(mm, addr) : NULL;
}

/* A write to a copy-on-write page of a private vma. */
static struct pma *break_cow(struct mm *mm, struct vma *v, struct pma *p,
			     uint64_t addr, bool map, int *err)
{
	uint64_t page = page_down(addr), s, e, nf, old, n;
	struct pma *q;

	if (memfile_refs(mm_mf, p->foff + (page - p->start)) == 1) {
		/* Nobody else holds it: claim the run of such pages (within
		 * an anon window, to bound the scan). */
		uint64_t lo = page & ~(MM_ANON_WINDOW - 1),
			 hi = lo + MM_ANON_WINDOW;

		lo = lo > p->start ? lo : p->start;
		hi = hi < p->end ? hi : p->end;
		for (s = page;
		     s > lo && memfile_refs(mm_mf, p->foff + (s - PAGE_SIZE -
							      p->start)) == 1;
		     s -= PAGE_SIZE)
			;
		for (e = page + PAGE_SIZE;
		     e < hi &&
		     memfile_refs(mm_mf, p->foff + (e - p->start)) == 1;
		     e += PAGE_SIZE)
			;
		*err = pma_isolate(mm, s, e);
		if (*err)
			return NULL;
		q = pma_find(mm, page);
		q->cow = false;
		if (q->mapped) {
			mm_as_protect(mm, s, e - s, v->prot);
		} else if (map) {
			*err = mm_as_map(mm, s, e - s, q->foff, v->prot);
			if (*err) {
				*err = -ENOMEM;
				return NULL;
			}
			q->mapped = true;
		}
		return pma_merge(mm, v, q);
	}
	/* Copy a window of anonymous memory (no one can tell), but only the
	 * written page of a file mapping, whose other pages may still be
	 * the page cache's and must go on showing the file's changes. */
	n = v->obj ? PAGE_SIZE : MM_COW_WINDOW;
	s = page & ~(n - 1);
	e = s + n;
	s = s > p->start ? s : p->start;
	e = e < p->end ? e : p->end;
	*err = alloc_window(addr, &s, &e, &nf);
	if (*err)
		return NULL;
	n = (e - s) >> PAGE_SHIFT;
	copy_pages(nf, p->foff + (s - p->start), n);
	*err = pma_isolate(mm, s, e);
	if (*err) {
		memfile_decref(mm_mf, nf, n);
		return NULL;
	}
	q = pma_find(mm, page);
	old = q->foff;
	q->foff = nf;
	q->cow = false;
	if (q->mapped || map) {
		/* MAP_FIXED replaces the old page in the stub atomically. */
		*err = mm_as_map(mm, s, e - s, nf, v->prot);
		if (*err) {
			/* The old pages stay reachable if this fails too:
			 * then they are leaked, never reused. */
			if (q->mapped && mm_as_unmap(mm, s, e - s))
				n = 0;
			q->mapped = false;
		} else {
			q->mapped = true;
		}
	}
	if (n)
		memfile_decref(mm_mf, old, n);
	if (*err) {
		*err = -ENOMEM;
		return NULL;
	}
	return pma_merge(mm, v, q);
}

struct pma *mm_fault_in(struct mm *mm, uint64_t addr, int access, bool force,
			bool map, int *err, int *code)
{
	struct vma *v;
	struct pma *p;
	int tries = 0;

	if (!access)
		access = TRAP_ACCESS_READ;
again:
	*code = LINUX_SEGV_MAPERR;
	v = mm_vma_for_fault(mm, addr);
	if (!v) {
		*err = -EFAULT;
		return NULL;
	}
	*code = LINUX_SEGV_ACCERR;
	*err = -EFAULT;
	if (!force && !mm_access_ok(v->prot, access))
		return NULL;
	/* A forced write may break copy-on-write of a private mapping but
	 * never write through a shared one the guest cannot write (Linux's
	 * FOLL_FORCE rule: a ptrace poke must not corrupt a file). */
	if (force && (access & TRAP_ACCESS_WRITE) && (v->flags & VMA_SHARED) &&
	    !(v->prot & MM_PROT_WRITE))
		return NULL;
	if (v->flags & VMA_SPECIAL)
		return NULL; /* the platform's pages, not in the memory file */
	p = pma_find(mm, addr);
	if (p) {
		if ((access & TRAP_ACCESS_WRITE) && p->cow)
			return break_cow(mm, v, p, addr, map, err);
		if (!p->mapped && map) {
			*err = mm_as_map(mm, p->start, p->end - p->start,
					 p->foff, pma_prot(v, p));
			if (*err) {
				*err = -ENOMEM;
				return NULL;
			}
			p->mapped = true;
			p = pma_merge(mm, v, p);
		}
		return p;
	}
	if (!v->obj)
		return fault_anon(mm, v, addr, map, err);
	p = fault_file(mm, v, addr, access, map, err);
	if (!p && *err == -EAGAIN) {
		if (++tries < 4)
			goto again;
		*err = -EIO;
	}
	if (!p && *err == -EIO)
		*code = LINUX_BUS_ADRERR;
	return p;
}

int mm_fault(struct mm *mm, uint64_t addr, int access, int *si_code)
{
	struct vma *v = vma_find(mm, addr);
	struct pma *p = v ? pma_find(mm, addr) : NULL;
	int err, code;

	if (!access)
		access = TRAP_ACCESS_READ;
	/* Nothing to do: another thread resolved it first, or the stub
	 * lost the mapping. Remap the page if it keeps happening, and give
	 * up rather than loop forever. */
	if (p && p->mapped && mm_access_ok(v->prot, access) &&
	    !((access & TRAP_ACCESS_WRITE) && p->cow) &&
	    !(v->flags & VMA_SPECIAL)) {
		if (mm->spurious_addr == page_down(addr)) {
			mm->spurious_count++;
		} else {
			mm->spurious_addr = page_down(addr);
			mm->spurious_count = 1;
		}
		if (mm->spurious_count > 16) {
			*si_code = LINUX_SEGV_ACCERR;
			return -EFAULT;
		}
		if (mm->spurious_count > 2 &&
		    mm_as_map(mm, page_down(addr), PAGE_SIZE,
			      p->foff + (page_down(addr) - p->start),
			      pma_prot(v, p)))
			return -ENOMEM;
		return 0;
	}
	mm->spurious_addr = UINT64_MAX;
	if (mm_fault_in(mm, addr, access, false, true, &err, &code))
		return 0;
	*si_code = code;
	return err;
}

int mm_populate(struct mm *mm, uint64_t start, uint64_t end, bool write)
{
	uint64_t addr = start;
	int err, code;

	while (addr < end) {
		struct pma *p = mm_fault_in(
			mm, addr, write ? TRAP_ACCESS_WRITE : TRAP_ACCESS_READ,
			false, true, &err, &code);

		if (!p)
			return err == -EFAULT && code == LINUX_SEGV_MAPERR
				       ? -ENOMEM
				       : err;
		addr = p->end;
	}
	return 0;
}
