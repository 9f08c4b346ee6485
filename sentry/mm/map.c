/* SPDX-License-Identifier: Apache-2.0 */
/*
 * map.c: mmap, munmap and mprotect, with Linux's checks in Linux's order
 * (mm/mmap.c do_mmap, mm/vma.c do_vmi_munmap, mm/mprotect.c), since a
 * guest may probe any of them and expects the errno Linux gives.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/mm/mm_internal.h"

/* The bits of a mapping type (MAP_SHARED, MAP_PRIVATE, ...). */
#define MAP_TYPE_MASK 0x0f
/* Flags MAP_SHARED_VALIDATE knows (Linux's LEGACY_MAP_MASK, with the
 * huge page size bits of MAP_HUGE_2MB and MAP_HUGE_1GB). */
#define LEGACY_MAP_MASK                                                        \
	(LINUX_MAP_SHARED | LINUX_MAP_PRIVATE | LINUX_MAP_FIXED |              \
	 LINUX_MAP_ANONYMOUS | LINUX_MAP_DENYWRITE | LINUX_MAP_EXECUTABLE |    \
	 LINUX_MAP_UNINITIALIZED | LINUX_MAP_GROWSDOWN | LINUX_MAP_LOCKED |    \
	 LINUX_MAP_NORESERVE | LINUX_MAP_POPULATE | LINUX_MAP_NONBLOCK |       \
	 LINUX_MAP_STACK | LINUX_MAP_HUGETLB | LINUX_MAP_32BIT |               \
	 (21ULL << 26) | (30ULL << 26))
/* The address space Linux validates ranges against (TASK_SIZE). */
#define TASK_SIZE MM_DEFAULT_MAX_ADDR
/* Where bottom-up searches start (TASK_UNMAPPED_BASE). */
#define UNMAPPED_BASE page_up(TASK_SIZE / 3)
/* MAP_POPULATE of more than this only backs the start: backing costs
 * memory-file space even where the host gives no memory yet. */
#define POPULATE_MAX (256ULL << 20)

/* Inode numbers of anonymous shared objects, as the shmem mount's. */
static uint64_t shmem_ino;

/*
 * Where a non-fixed mapping of len bytes goes: the hint if it is free,
 * else top-down below mmap_base, else bottom-up from a third of the
 * address space (Linux's fallback), as x86's
 * arch_get_unmapped_area_topdown.
 */
static int64_t unmapped_area(struct mm *mm, uint64_t hint, uint64_t len,
			     int flags)
{
	uint64_t min = mm_min_addr(), max = mm_max_addr();
	int64_t a;

	if (len > max - min)
		return -ENOMEM;
	if (hint) {
		hint = page_down(hint);
		if (hint < min)
			hint = min;
		if (hint <= max - len && vma_range_free(mm, hint, hint + len))
			return (int64_t)hint;
	}
	if (flags & LINUX_MAP_32BIT)
		return vma_find_gap_bottomup(mm, len, 0x40000000ULL,
					     0x80000000ULL);
	a = vma_find_gap_topdown(mm, len, min, mm->layout.mmap_base);
	if (a >= 0)
		return a;
	return vma_find_gap_bottomup(
		mm, len, UNMAPPED_BASE > min ? UNMAPPED_BASE : min, max);
}

/* The mapping type checks of do_mmap, after the address is known. */
static int check_type(const struct mm_map_args *a)
{
	int type = a->flags & MAP_TYPE_MASK;

	if (a->obj) {
		if (type == LINUX_MAP_SHARED_VALIDATE &&
		    ((uint64_t)(unsigned)a->flags & ~LEGACY_MAP_MASK))
			return -EOPNOTSUPP;
		if (type != LINUX_MAP_SHARED && type != LINUX_MAP_PRIVATE &&
		    type != LINUX_MAP_SHARED_VALIDATE)
			return -EINVAL;
		/* The file's open mode and mount (maxprot), in Linux's
		 * order: writable shared mappings need write access, any
		 * mapping read access, PROT_EXEC an exec mount. */
		if (type != LINUX_MAP_PRIVATE && (a->prot & MM_PROT_WRITE) &&
		    !(a->maxprot & MM_PROT_WRITE))
			return -EACCES;
		if (!(a->maxprot & MM_PROT_READ))
			return -EACCES;
		if ((a->prot & MM_PROT_EXEC) && !(a->maxprot & MM_PROT_EXEC))
			return -EPERM;
		if (a->flags & LINUX_MAP_GROWSDOWN)
			return -EINVAL;
		return 0;
	}
	if (type == LINUX_MAP_SHARED) {
		if (a->flags & LINUX_MAP_GROWSDOWN)
			return -EINVAL;
		return 0;
	}
	return type == LINUX_MAP_PRIVATE ? 0 : -EINVAL;
}

/* A new vma for the request (not yet in the tree). */
static struct vma *new_vma(struct mm *mm, const struct mm_map_args *a,
			   uint64_t addr, uint64_t len)
{
	int type = a->flags & MAP_TYPE_MASK;
	bool shared = type != LINUX_MAP_PRIVATE;
	struct vma *v = vma_alloc();

	if (!v)
		return NULL;
	v->start = addr;
	v->end = addr + len;
	v->prot = a->prot & MM_PROT_RWX;
	v->flags = mm->def_flags;
	if (a->flags & LINUX_MAP_LOCKED)
		v->flags |= VMA_LOCKED;
	if (a->flags & LINUX_MAP_GROWSDOWN)
		v->flags |= VMA_GROWSDOWN;
	if (a->flags & LINUX_MAP_NORESERVE)
		v->flags |= VMA_NORESERVE;
	if (a->obj) {
		v->obj = a->obj;
		mappable_get(v->obj);
		v->off = a->offset;
		v->dev = a->dev;
		v->ino = a->ino;
		/* A private mapping may always become writable: writes
		 * go to private copies. */
		v->maxprot = (a->maxprot & MM_PROT_RWX) |
			     (shared ? 0 : MM_PROT_WRITE);
		if (shared)
			v->flags |= VMA_SHARED;
		if (a->name) {
			v->name = strdup(a->name);
			if (!v->name)
				goto fail;
		}
	} else if (shared) {
		v->obj = mm_shmem_new(len);
		if (!v->obj)
			goto fail;
		v->flags |= VMA_SHARED | VMA_SHMEM;
		v->maxprot = MM_PROT_RWX;
		v->dev = 1; /* 00:01, as Linux shows shmem */
		v->ino = ++shmem_ino;
		v->name = strdup("/dev/zero (deleted)");
		if (!v->name)
			goto fail;
	} else {
		v->maxprot = MM_PROT_RWX;
	}
	return v;
fail:
	vma_free(v);
	return NULL;
}

int64_t mm_map(struct mm *mm, const struct mm_map_args *a)
{
	bool fixed = a->flags & (LINUX_MAP_FIXED | LINUX_MAP_FIXED_NOREPLACE);
	uint64_t len = a->len, addr = a->addr;
	struct vma *v;
	int64_t r;
	int err;

	if (a->flags & LINUX_MAP_HUGETLB)
		return a->obj ? -EINVAL : -ENOMEM; /* no huge pages here */
	if (!len)
		return -EINVAL;
	if (len > UINT64_MAX - PAGE_MASK)
		return -ENOMEM;
	len = page_up(len);
	if (a->obj) {
		if (a->offset & PAGE_MASK)
			return -EINVAL;
		/* Linux's file_mmap_ok: offset + len must fit a loff_t. */
		if (len > INT64_MAX || a->offset > (uint64_t)INT64_MAX - len)
			return -EOVERFLOW;
	}
	if (mm->nvmas > MM_MAX_MAP_COUNT)
		return -ENOMEM;
	if (fixed) {
		if (addr & PAGE_MASK)
			return -EINVAL;
		if (addr > mm_max_addr() || len > mm_max_addr() - addr)
			return -ENOMEM;
		if (addr < mm_min_addr())
			return -EPERM;
		if ((a->flags & LINUX_MAP_FIXED_NOREPLACE) &&
		    vma_range_used(mm, addr, addr + len))
			return -EEXIST;
		/* The platform keeps its vDSO in every stub. */
		if (vma_range_special(mm, addr, addr + len))
			return -EPERM;
	} else {
		r = unmapped_area(mm, addr, len, a->flags);
		if (r < 0)
			return r;
		addr = (uint64_t)r;
	}
	err = check_type(a);
	if (err)
		return err;
	v = new_vma(mm, a, addr, len);
	if (!v)
		return -ENOMEM;
	if (fixed) {
		err = vma_unmap_range(mm, addr, addr + len);
		if (err) {
			vma_free(v);
			return err;
		}
	}
	err = vma_insert(mm, v);
	if (err) {
		vma_free(v);
		return err;
	}
	v = vma_merge(mm, v);
	if (((a->flags & LINUX_MAP_POPULATE) &&
	     !(a->flags & LINUX_MAP_NONBLOCK)) ||
	    (v->flags & (VMA_LOCKED | VMA_LOCKONFAULT)) == VMA_LOCKED) {
		uint64_t end =
			len > POPULATE_MAX ? addr + POPULATE_MAX : addr + len;

		/* Like Linux, a failure to populate does not fail mmap. */
		if (mm_access_ok(a->prot, TRAP_ACCESS_READ))
			mm_populate(mm, addr, end,
				    (a->prot & MM_PROT_WRITE) &&
					    (a->flags & MAP_TYPE_MASK) ==
						    LINUX_MAP_PRIVATE &&
					    !a->obj);
	}
	return (int64_t)addr;
}

int mm_unmap(struct mm *mm, uint64_t addr, uint64_t len)
{
	if ((addr & PAGE_MASK) || addr > TASK_SIZE || len > TASK_SIZE - addr)
		return -EINVAL;
	len = page_up(len);
	if (!len)
		return -EINVAL;
	return vma_unmap_range(mm, addr, addr + len);
}

/* Give [start, end) of v (inside it) protection prot. Returns the vma
 * now covering `start`'s range, or NULL on ENOMEM. */
static struct vma *protect_piece(struct mm *mm, struct vma *v, uint64_t start,
				 uint64_t end, int prot)
{
	/* The platform's vDSO keeps its protection (the stub refuses to
	 * change it): accepted, as a no-op. */
	if (v->prot == prot || (v->flags & VMA_SPECIAL))
		return v;
	if (vma_isolate(mm, start, end))
		return NULL;
	v = vma_find(mm, start);
	v->prot = prot;
	pma_protect_range(mm, v, v->start, v->end);
	return vma_merge(mm, v);
}

int mm_protect(struct mm *mm, uint64_t addr, uint64_t len, uint64_t prot)
{
	uint64_t grows = prot & (LINUX_PROT_GROWSDOWN | LINUX_PROT_GROWSUP);
	uint64_t start = addr, end, tmp;
	struct vma *v;
	int err = 0;

	prot &= ~grows;
	if (grows == (LINUX_PROT_GROWSDOWN | LINUX_PROT_GROWSUP))
		return -EINVAL;
	if (addr & PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = page_up(len);
	end = addr + len;
	if (end <= addr)
		return -ENOMEM;
	if (prot & ~(uint64_t)(MM_PROT_RWX | LINUX_PROT_SEM))
		return -EINVAL;
	v = vma_next_of(mm, start);
	if (!v || v->start >= end)
		return -ENOMEM;
	if (grows & LINUX_PROT_GROWSDOWN) {
		start = v->start;
		if (!(v->flags & VMA_GROWSDOWN))
			return -EINVAL;
	} else if (grows & LINUX_PROT_GROWSUP) {
		return -EINVAL; /* no VM_GROWSUP on x86 */
	} else if (v->start > start) {
		return -ENOMEM;
	}
	/* Linux applies the change vma by vma and stops at the first
	 * problem, keeping what it already changed. */
	for (tmp = start; v && v->start < end; v = vma_next_of(mm, tmp)) {
		uint64_t s = v->start > start ? v->start : start;
		uint64_t e = v->end < end ? v->end : end;
		int np = (int)(prot & MM_PROT_RWX);

		if (v->start > tmp) {
			err = -ENOMEM;
			break;
		}
		if (np & ~v->maxprot) {
			err = -EACCES;
			break;
		}
		if (!protect_piece(mm, v, s, e, np)) {
			err = -ENOMEM;
			break;
		}
		tmp = e;
		if (tmp >= end)
			break;
	}
	if (!err && tmp < end)
		err = -ENOMEM;
	return err;
}
