/* SPDX-License-Identifier: Apache-2.0 */
/*
 * copy.c: the Sentry reading and writing guest memory.
 *
 * Guest memory is reached through the Sentry's view of the memory file,
 * never through the stub: a walk finds the pma behind each address
 * (faulting it in with the same code as a guest fault, which also breaks
 * copy-on-write before the Sentry writes) and hands the caller the view
 * of the longest run it can, so a copy within one pma is one memcpy.
 * Permissions are the guest's (from the vmas), as for Linux's
 * copy_from_user, unless a caller forces (ptrace, the loader).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "sentry/mm/memfile.h"
#include "sentry/mm/mm_internal.h"

/* Consume a run of n bytes at view; return how many were used (fewer
 * stops the walk). */
typedef size_t (*chunk_fn)(void *view, size_t n, void *ctx);

/* The backed run at addr allowing `access`: its view and length (up to
 * `max`), or 0 with *err set. */
static size_t chunk_at(struct mm *mm, uint64_t addr, size_t max, int access,
		       bool force, void **view, int *err)
{
	struct vma *v = vma_find(mm, addr);
	struct pma *p = NULL;
	uint64_t n;
	int code;

	if (v && (force || mm_access_ok(v->prot, access)) &&
	    !(v->flags & VMA_SPECIAL)) {
		p = pma_find(mm, addr);
		if (p && (access & TRAP_ACCESS_WRITE) && p->cow)
			p = NULL;
		if (p && force && (access & TRAP_ACCESS_WRITE) &&
		    (v->flags & VMA_SHARED) && !(v->prot & MM_PROT_WRITE))
			p = NULL; /* let mm_fault_in refuse it */
	}
	if (!p) {
		/* Map what a write creates: the guest will read it soon. */
		p = mm_fault_in(mm, addr, access, force,
				access & TRAP_ACCESS_WRITE, err, &code);
		if (!p)
			return 0;
	}
	n = p->end - addr;
	*view = memfile_view(mm_mf, p->foff + (addr - p->start));
	return n < max ? n : max;
}

/* Walk [addr, addr + len); returns the bytes consumed, and *err when it
 * stopped at a fault. */
static size_t walk(struct mm *mm, uint64_t addr, size_t len, int access,
		   bool force, chunk_fn fn, void *ctx, int *err)
{
	size_t done = 0;

	*err = 0;
	while (done < len) {
		void *view;
		size_t n = chunk_at(mm, addr + done, len - done, access, force,
				    &view, err);
		size_t used;

		if (!n)
			break;
		used = fn(view, n, ctx);
		done += used;
		if (used < n)
			break;
	}
	return done;
}

struct buf_ctx {
	char *buf;
};

static size_t to_buf(void *view, size_t n, void *ctx)
{
	struct buf_ctx *c = ctx;

	memcpy(c->buf, view, n);
	c->buf += n;
	return n;
}

static size_t from_buf(void *view, size_t n, void *ctx)
{
	struct buf_ctx *c = ctx;

	memcpy(view, c->buf, n);
	c->buf += n;
	return n;
}

static size_t zero_fn(void *view, size_t n, void *ctx)
{
	(void)ctx;
	memset(view, 0, n);
	return n;
}

/* An access must not wrap around the address space. */
static bool range_ok(uint64_t addr, size_t len)
{
	return len <= UINT64_MAX - addr;
}

static int copy_in(struct mm *mm, uint64_t addr, void *dst, size_t len,
		   bool force)
{
	struct buf_ctx c = {dst};
	int err;

	if (!len)
		return 0;
	if (!range_ok(addr, len))
		return -EFAULT;
	return walk(mm, addr, len, TRAP_ACCESS_READ, force, to_buf, &c, &err) ==
			       len
		       ? 0
		       : -EFAULT;
}

static int copy_out(struct mm *mm, uint64_t addr, const void *src, size_t len,
		    bool force)
{
	struct buf_ctx c = {(char *)src};
	int err;

	if (!len)
		return 0;
	if (!range_ok(addr, len))
		return -EFAULT;
	return walk(mm, addr, len, TRAP_ACCESS_WRITE, force, from_buf, &c,
		    &err) == len
		       ? 0
		       : -EFAULT;
}

int mm_copy_in(struct mm *mm, uint64_t addr, void *dst, size_t len)
{
	return copy_in(mm, addr, dst, len, false);
}

int mm_copy_in_force(struct mm *mm, uint64_t addr, void *dst, size_t len)
{
	return copy_in(mm, addr, dst, len, true);
}

int mm_copy_out(struct mm *mm, uint64_t addr, const void *src, size_t len)
{
	return copy_out(mm, addr, src, len, false);
}

int mm_copy_out_force(struct mm *mm, uint64_t addr, const void *src, size_t len)
{
	return copy_out(mm, addr, src, len, true);
}

int mm_zero(struct mm *mm, uint64_t addr, size_t len)
{
	int err;

	if (!len)
		return 0;
	if (!range_ok(addr, len))
		return -EFAULT;
	return walk(mm, addr, len, TRAP_ACCESS_WRITE, false, zero_fn, NULL,
		    &err) == len
		       ? 0
		       : -EFAULT;
}

struct str_ctx {
	char *dst;
	bool found;
};

/* Copy up to and including a NUL; stop there. */
static size_t str_fn(void *view, size_t n, void *ctx)
{
	struct str_ctx *c = ctx;
	char *nul = memchr(view, 0, n);

	if (nul) {
		size_t k = (size_t)(nul - (char *)view);

		memcpy(c->dst, view, k + 1);
		c->found = true;
		return k;
	}
	memcpy(c->dst, view, n);
	c->dst += n;
	return n;
}

long mm_copy_string_in(struct mm *mm, uint64_t addr, char *dst, size_t max)
{
	struct str_ctx c = {dst, false};
	size_t n;
	int err;

	if (!max)
		return -ENAMETOOLONG;
	if (max > UINT64_MAX - addr)
		max = UINT64_MAX - addr; /* a fault comes first anyway */
	n = walk(mm, addr, max, TRAP_ACCESS_READ, false, str_fn, &c, &err);
	if (c.found)
		return (long)n;
	return n == max ? -ENAMETOOLONG : -EFAULT;
}

struct iov_ctx {
	struct iovec *iov;
	int max, n;
};

/* Append a run, extending the last vector when the view is contiguous. */
static size_t iov_fn(void *view, size_t len, void *ctx)
{
	struct iov_ctx *c = ctx;

	if (c->n &&
	    (char *)c->iov[c->n - 1].iov_base + c->iov[c->n - 1].iov_len ==
		    (char *)view) {
		c->iov[c->n - 1].iov_len += len;
		return len;
	}
	if (c->n == c->max)
		return 0;
	c->iov[c->n].iov_base = view;
	c->iov[c->n].iov_len = len;
	c->n++;
	return len;
}

long mm_io_vectors(struct mm *mm, uint64_t addr, size_t len, bool write,
		   struct iovec *iov, int maxiov, int *niov)
{
	struct iov_ctx c = {iov, maxiov, 0};
	size_t n;
	int err;

	*niov = 0;
	if (!len || maxiov <= 0)
		return 0;
	if (len > UINT64_MAX - addr)
		len = UINT64_MAX - addr;
	if (len > (size_t)LONG_MAX)
		len = (size_t)LONG_MAX & ~PAGE_MASK;
	n = walk(mm, addr, len, write ? TRAP_ACCESS_WRITE : TRAP_ACCESS_READ,
		 false, iov_fn, &c, &err);
	*niov = c.n;
	if (!n && err)
		return -EFAULT;
	return (long)n;
}

/* Take or drop a reference on each page behind the vectors. */
static void pin(const struct iovec *iov, int niov, bool get)
{
	int i;

	for (i = 0; i < niov; i++) {
		uint64_t off = memfile_offset_of(mm_mf, iov[i].iov_base);
		uint64_t start = page_down(off);
		uint64_t n =
			(page_up(off + iov[i].iov_len) - start) >> PAGE_SHIFT;

		if (off == UINT64_MAX || !iov[i].iov_len)
			continue;
		if (get)
			memfile_incref(mm_mf, start, n);
		else
			memfile_decref(mm_mf, start, n);
	}
}

long mm_io_vectors_pinned(struct mm *mm, uint64_t addr, size_t len, bool write,
			  struct iovec *iov, int maxiov, int *niov)
{
	long n = mm_io_vectors(mm, addr, len, write, iov, maxiov, niov);

	if (n > 0)
		pin(iov, *niov, true);
	return n;
}

void mm_io_unpin(const struct iovec *iov, int niov)
{
	pin(iov, niov, false);
}

int mm_shared_key(struct mm *mm, uint64_t addr, const void **obj, uint64_t *off)
{
	struct vma *v = vma_find(mm, addr);

	if (!v)
		return -EFAULT;
	if (!(v->flags & VMA_SHARED) || !v->obj)
		return -ENOENT;
	*obj = v->obj;
	*off = v->off + (addr - v->start);
	return 0;
}
