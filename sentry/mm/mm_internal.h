/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mm_internal.h: what the files of sentry/mm share (not for other
 * subsystems: they use mm.h).
 *
 * An mm has two sorted trees:
 *  - vmas: what the guest asked for (range, protection, sharing, backing
 *    object and offset, name). The tree is augmented with the largest free
 *    gap below each subtree so finding room for mmap is O(log n).
 *  - pmas: which guest ranges are backed by which memory-file ranges right
 *    now. A pma lies inside one vma, covers memory-file pages it holds one
 *    reference on each of, and is either exclusive (mapped with the vma's
 *    protection) or copy-on-write (mapped without PROT_WRITE because other
 *    pmas or a page cache share its pages). A pma may also be known but
 *    not yet mapped into the platform address space (a fork child's, or
 *    one created by a Sentry copy): the guest's first touch maps it.
 *
 * Invariants (mm_check() verifies them in tests): vmas sorted and
 * disjoint; every pma inside exactly one vma; a page mapped into the
 * platform is always one the pma holds a reference on, so a page is
 * unmapped from the stub before its last reference is dropped.
 */
#ifndef CVISOR_MM_INTERNAL_H
#define CVISOR_MM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "platform/platform.h"
#include "sentry/mm/rb.h"
#include "sentry/mm/mm.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE MM_PAGE_SIZE
#define PAGE_MASK MM_PAGE_MASK

static inline uint64_t page_down(uint64_t a)
{
	return a & ~PAGE_MASK;
}

/* Round up; callers check for wrap-around to 0 themselves. */
static inline uint64_t page_up(uint64_t a)
{
	return (a + PAGE_MASK) & ~PAGE_MASK;
}

/* Protection bits of the guest ABI (the same values as the host's). */
#define MM_PROT_READ 0x1
#define MM_PROT_WRITE 0x2
#define MM_PROT_EXEC 0x4
#define MM_PROT_RWX (MM_PROT_READ | MM_PROT_WRITE | MM_PROT_EXEC)

/* Whether `prot` allows a TRAP_ACCESS_* access. x86: PROT_WRITE implies
 * read; exec-only is not readable (it is not where the host has
 * protection keys, so a fault can never loop on it). */
static inline bool mm_access_ok(int prot, int access)
{
	if ((access & TRAP_ACCESS_WRITE) && !(prot & MM_PROT_WRITE))
		return false;
	if ((access & TRAP_ACCESS_EXEC) && !(prot & MM_PROT_EXEC))
		return false;
	if (((access & TRAP_ACCESS_READ) || !access) &&
	    !(prot & (MM_PROT_READ | MM_PROT_WRITE)))
		return false;
	return true;
}

/* Linux's default and x86-64 layout constants. */
#define MM_DEFAULT_MIN_ADDR 0x10000ULL
#define MM_DEFAULT_MAX_ADDR 0x7ffffffff000ULL /* TASK_SIZE */
#define MM_STACK_GUARD_GAP (256ULL * PAGE_SIZE)
#define MM_DEFAULT_STACK_LIMIT (8ULL << 20)
#define MM_MAX_MAP_COUNT 65530

/* Fault-around: how much one fault allocates or maps, at most (aligned
 * windows around the faulting page, clipped to the vma and to existing
 * pmas). Private anonymous memory costs nothing until touched, so its
 * window is large; copies and file pages use a smaller one. */
#define MM_ANON_WINDOW (2ULL << 20)
#define MM_FILE_WINDOW (512ULL << 10)
#define MM_COW_WINDOW (64ULL << 10)

enum vma_flag {
	VMA_SHARED = 1 << 0,      /* writes reach the object (MAP_SHARED) */
	VMA_GROWSDOWN = 1 << 1,
	VMA_DONTFORK = 1 << 2,
	VMA_WIPEONFORK = 1 << 3,
	VMA_LOCKED = 1 << 4,
	VMA_LOCKONFAULT = 1 << 5,
	VMA_SPECIAL = 1 << 6,     /* the platform's vdso/vvar: no pmas */
	VMA_DONTDUMP = 1 << 7,
	VMA_NORESERVE = 1 << 8,
	VMA_SHMEM = 1 << 9,       /* obj is an anonymous shared object */
};

struct vma {
	RB_ENTRY(vma) link;
	struct mm *mm;
	uint64_t start, end;
	uint64_t prev_end;        /* end of the previous vma, 0 if none */
	uint64_t max_gap;         /* largest gap before a vma in this subtree */
	int prot, maxprot;
	unsigned flags;           /* VMA_* */
	struct mappable *obj;     /* NULL: private anonymous memory */
	uint64_t off;             /* offset in obj of `start` */
	char *name;               /* NULL: anonymous ([heap]/[stack] derived) */
	uint64_t dev, ino;
	LIST_ENTRY(vma) obj_link; /* in obj's reverse map */
};

struct pma {
	RB_ENTRY(pma) link;
	uint64_t start, end;
	uint64_t foff;            /* memory-file offset of `start` */
	bool cow;                 /* shared pages: mapped without PROT_WRITE */
	bool mapped;              /* present in the platform address space */
};

RB_HEAD(vma_tree, vma);
RB_HEAD(pma_tree, pma);
RB_PROTOTYPE(vma_tree, vma, link, vma_cmp)
RB_PROTOTYPE(pma_tree, pma, link, pma_cmp)

struct mm {
	unsigned refs;
	struct platform_as *as;
	struct vma_tree vmas;
	struct pma_tree pmas;
	unsigned nvmas;
	uint64_t total_pages;     /* size of all vmas */
	uint64_t pma_pages;       /* pages with a pma (resident-ish) */
	uint64_t locked_pages;    /* size of VMA_LOCKED vmas */
	unsigned def_flags;       /* VMA_LOCKED[ONFAULT] after MCL_FUTURE */
	uint64_t spurious_addr;   /* a fault with nothing to do, repeated */
	unsigned spurious_count;
	struct mm_layout layout;
};

/* The globals of mm_init. */
extern struct memfile *mm_mf;
extern struct platform *mm_platform;

/* mm.c: platform address-space operations (no-ops without a platform). */
int mm_as_map(struct mm *, uint64_t addr, uint64_t len, uint64_t foff,
	      int prot);
int mm_as_unmap(struct mm *, uint64_t addr, uint64_t len);
void mm_as_protect(struct mm *, uint64_t addr, uint64_t len, int prot);
void mm_layout_default(struct mm_layout *, uint64_t stack_limit);
/* Which pages of [foff, foff + n pages) of the memory file hold data
 * (were touched; holes read as zero and cost nothing): 1/0 into vec if
 * not NULL. Returns how many do. */
uint64_t mm_memfile_data(uint64_t foff, uint64_t n, uint8_t *vec);

/* vma.c */
struct vma *vma_find(struct mm *, uint64_t addr);      /* containing addr */
struct vma *vma_next_of(struct mm *, uint64_t addr);   /* first end > addr */
struct vma *vma_next(struct mm *, struct vma *);
struct vma *vma_prev(struct mm *, struct vma *);
struct vma *vma_first(struct mm *);
struct vma *vma_alloc(void);
/* A copy of v (range, attributes, a new reference on its object), not
 * in any tree. */
struct vma *vma_clone(const struct vma *);
/* Free a vma that is in no tree (dropping its object reference). */
void vma_free(struct vma *);
int vma_insert(struct mm *, struct vma *);
void vma_remove(struct mm *, struct vma *);
/* The vma changed its start or end in place: fix the gap bookkeeping. */
void vma_resized(struct mm *, struct vma *, uint64_t old_start,
		 uint64_t old_end);
/* Split v at `at` (strictly inside): v keeps [start, at), the new vma
 * [at, end) is returned (NULL when out of memory). Pmas split too. */
struct vma *vma_split(struct mm *, struct vma *, uint64_t at);
/* Merge v with its neighbours where nothing tells them apart; returns the
 * vma now holding v's range. */
struct vma *vma_merge(struct mm *, struct vma *);
/* Same attributes (everything but the range; objects must line up). */
bool vma_mergeable(const struct vma *a, const struct vma *b);
/* Make [start, end) begin and end on vma boundaries (for a change that
 * applies to exactly that range): -ENOMEM if a split fails. */
int vma_isolate(struct mm *, uint64_t start, uint64_t end);
/* Drop [start, end) from the address space: pmas unmapped and released,
 * vmas trimmed, split or removed. -ENOMEM if a split fails. */
int vma_unmap_range(struct mm *, uint64_t start, uint64_t end);
/* Free room for len bytes: highest start within [low, high) top-down or
 * lowest bottom-up; -ENOMEM if none. */
int64_t vma_find_gap_topdown(struct mm *, uint64_t len, uint64_t low,
			     uint64_t high);
int64_t vma_find_gap_bottomup(struct mm *, uint64_t len, uint64_t low,
			      uint64_t high);
/* Nothing mapped in [start, end), counting stack guard gaps. */
bool vma_range_free(struct mm *, uint64_t start, uint64_t end);
/* Any vma intersects [start, end). */
bool vma_range_used(struct mm *, uint64_t start, uint64_t end);
/* A platform-owned (VMA_SPECIAL) vma intersects [start, end). */
bool vma_range_special(struct mm *, uint64_t start, uint64_t end);
/* The start of v counting its stack guard gap. */
uint64_t vma_start_gap(const struct vma *);
/* Verify the gap augmentation (tests). */
bool vma_check_tree(struct mm *);

/* pma.c */
struct pma *pma_find(struct mm *, uint64_t addr);      /* containing addr */
struct pma *pma_next_of(struct mm *, uint64_t addr);   /* first end > addr */
struct pma *pma_next(struct mm *, struct pma *);
struct pma *pma_prev(struct mm *, struct pma *);
/* A new pma (taking over `foff`'s references) inserted into the tree. */
struct pma *pma_add(struct mm *, uint64_t start, uint64_t end, uint64_t foff,
		    bool cow, bool mapped);
/* Split p at `at` (strictly inside); returns the upper half. */
struct pma *pma_split(struct mm *, struct pma *, uint64_t at);
/* Make [start, end) begin and end on pma boundaries. */
int pma_isolate(struct mm *, uint64_t start, uint64_t end);
/* Unmap and release every pma in [start, end) (split at the edges):
 * -ENOMEM only if a split fails (nothing is dropped then). */
int pma_drop_range(struct mm *, uint64_t start, uint64_t end);
/* Apply the vma protection to the mapped pmas of [start, end). */
void pma_protect_range(struct mm *, const struct vma *, uint64_t start,
		       uint64_t end);
/* Move the pmas of [start, end) by `delta` bytes (mremap); they come out
 * unmapped: the caller unmaps the old range from the platform first. */
int pma_move_range(struct mm *, uint64_t start, uint64_t end, int64_t delta);
/* Merge p with adjacent pmas it lines up with (same vma, contiguous
 * memory-file range, same state). */
struct pma *pma_merge(struct mm *, const struct vma *, struct pma *);
/* The protection a pma is mapped with inside vma v. */
int pma_prot(const struct vma *, const struct pma *);
/* Free every pma (mm teardown: the platform side is already gone). */
void pma_release_all(struct mm *);

/* fault.c: make [addr] backed so `access` (TRAP_ACCESS_*) works; force
 * ignores the vma protection (ptrace, loader); map: install into the
 * platform address space now. Returns the pma or NULL with *err set:
 * -EFAULT (*code SEGV_MAPERR/ACCERR), -EIO (SIGBUS), -ENOMEM. */
struct pma *mm_fault_in(struct mm *, uint64_t addr, int access, bool force,
			bool map, int *err, int *code);
/* MAP_POPULATE / MADV_POPULATE_*: fault every page of [start, end). */
int mm_populate(struct mm *, uint64_t start, uint64_t end, bool write);
/* Find the vma for addr, growing a MAP_GROWSDOWN stack down to it. */
struct vma *mm_vma_for_fault(struct mm *, uint64_t addr);

/* mappable.c: the page cache side used by faults and the reverse map. */
void mappable_link(struct mappable *, struct vma *);
void mappable_unlink(struct mappable *, struct vma *);
/* Bring pages [pgoff, pgoff + n) into the cache (filling them; pages
 * past EOF are not created unless `past_eof`). May drop the kernel lock
 * while filling. 0 or -errno. */
int mappable_populate(struct mappable *, uint64_t pgoff, uint64_t n,
		      bool past_eof);
/* The cached page at pgoff: 0 and its memory-file offset plus how many
 * following pages are contiguous in the memory file (at most `max`), or
 * -ENOENT. */
int mappable_lookup(struct mappable *, uint64_t pgoff, uint64_t max,
		    uint64_t *foff, uint64_t *run);
uint64_t mappable_size(struct mappable *);
/* Shared writable mappings count: their pages stay dirty. */
void mappable_mark_dirty(struct mappable *, uint64_t pgoff, uint64_t n);
void mappable_writable_map(struct mappable *, int delta);
bool mappable_authoritative(struct mappable *);

/* maps.c: one /proc/PID/maps line into buf; its length or -ENAMETOOLONG. */
int mm_maps_line(char *buf, size_t size, uint64_t start, uint64_t end,
		 int prot, bool shared, uint64_t off, uint64_t dev,
		 uint64_t ino, const char *name);

/* Consistency check of an mm (tests): 0 or a line number that failed. */
int mm_check(struct mm *);

#endif
