/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memfile.h: the memory file, where all guest memory lives.
 *
 * One memfd per sandbox. The Sentry maps the whole file once (a large
 * PROT_NONE reservation the file is mapped over as it grows), so the
 * Sentry reaches any guest page at memfile_view(mf, off) with plain loads
 * and stores. Stubs map ranges of the same file (platform as_map).
 *
 * Pages are handed out in contiguous extents, each page with its own
 * reference count; a page whose count drops to zero is freed: its memory
 * is given back to the host (a batched FALLOC_FL_PUNCH_HOLE) before it can
 * be handed out again, so every allocation is zero-filled for free.
 *
 * Runs under the kernel lock, like the rest of sentry/mm.
 */
#ifndef CVISOR_MM_MEMFILE_H
#define CVISOR_MM_MEMFILE_H

#include <stdint.h>

struct memfile;

/* Default size limit of the memory file (and of the Sentry's reservation). */
#define MEMFILE_DEFAULT_MAX (64ULL << 30)

/* Create the memory file, at most `max_size` bytes (0: the default). */
int memfile_new(uint64_t max_size, struct memfile **out);
void memfile_release(struct memfile *);
int memfile_fd(const struct memfile *);

/* The Sentry's view of byte `off` of the file. */
void *memfile_view(const struct memfile *, uint64_t off);
/* The file offset of a pointer into the view, or UINT64_MAX if it is not
 * one. */
uint64_t memfile_offset_of(const struct memfile *, const void *p);

/*
 * Allocate `npages` contiguous zero-filled pages, each with a reference
 * count of one. Returns 0 and the byte offset in *off, or -ENOMEM.
 */
int memfile_alloc(struct memfile *, uint64_t npages, uint64_t *off);
/* Take or drop one reference on each page of [off, off + npages pages). */
void memfile_incref(struct memfile *, uint64_t off, uint64_t npages);
void memfile_decref(struct memfile *, uint64_t off, uint64_t npages);
/* The reference count of the page at `off`. */
uint32_t memfile_refs(const struct memfile *, uint64_t off);

/* Give freed pages back to the host now rather than at the next batch. */
void memfile_flush(struct memfile *);

struct memfile_stats {
	uint64_t file_size;     /* bytes the file currently spans */
	uint64_t used_pages;    /* pages with a non-zero count */
	uint64_t free_pages;    /* pages ready to be handed out */
	uint64_t pending_pages; /* freed pages not yet given back */
	uint64_t free_extents;  /* fragmentation of the free space */
};
void memfile_stats(const struct memfile *, struct memfile_stats *);

#endif
