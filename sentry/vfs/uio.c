/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uio.c: guest I/O descriptions: copying file data to and from guest
 * iovecs (or Sentry buffers), and handing host-addressable vectors of guest
 * pages to files that do host I/O, so preadv lands in guest memory with no
 * bounce copy.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/vfs/internal.h"

/* access_ok(): the top of the x86-64 user address space. */
#define TASK_SIZE_MAX 0x00007ffffffff000ULL

void vfs_uio_init_sentry(struct vfs_uio *u, struct linux_iovec *seg, void *buf,
			 size_t len)
{
	seg->base = (uint64_t)(uintptr_t)buf;
	seg->len = len;
	memset(u, 0, sizeof(*u));
	u->sentry = true;
	u->iov = seg;
	u->iovcnt = 1;
	u->resid = len;
}

void vfs_uio_init_guest(struct vfs_uio *u, struct task *t,
			const struct linux_iovec *iov, int iovcnt,
			uint64_t total)
{
	memset(u, 0, sizeof(*u));
	u->t = t;
	u->iov = iov;
	u->iovcnt = iovcnt;
	u->resid = total;
}

void vfs_uio_advance(struct vfs_uio *u, size_t n)
{
	if (n > u->resid)
		n = u->resid;
	u->resid -= n;
	while (n && u->idx < u->iovcnt) {
		uint64_t left = u->iov[u->idx].len - u->skip;

		if (n < left) {
			u->skip += n;
			return;
		}
		n -= left;
		u->idx++;
		u->skip = 0;
	}
	/* Skip empty segments so idx points at data (or the end). */
	while (u->idx < u->iovcnt && u->iov[u->idx].len == u->skip) {
		u->idx++;
		u->skip = 0;
	}
}

long vfs_uio_host_iovecs(struct vfs_uio *u, bool into, struct iovec *iov,
			 int maxiov, int *niov, size_t max_bytes)
{
	int idx = u->idx, n = 0;
	uint64_t skip = u->skip, want = u->resid, got = 0;

	if (want > max_bytes)
		want = max_bytes;
	while (got < want && idx < u->iovcnt && n < maxiov) {
		uint64_t base = u->iov[idx].base + skip;
		uint64_t len = u->iov[idx].len - skip;

		if (len > want - got)
			len = want - got;
		if (len == 0) {
			idx++;
			skip = 0;
			continue;
		}
		if (u->sentry) {
			iov[n].iov_base = (void *)(uintptr_t)base;
			iov[n].iov_len = len;
			n++;
			got += len;
		} else {
			int k = 0;
			long r = mm_io_vectors(u->t->mm, base, len, into,
					       iov + n, maxiov - n, &k);

			if (r < 0)
				break;
			n += k;
			got += (uint64_t)r;
			if ((uint64_t)r < len)
				break; /* a fault, or out of vectors */
		}
		idx++;
		skip = 0;
	}
	*niov = n;
	if (got == 0 && want > 0)
		return n < maxiov ? -EFAULT : 0;
	return (long)got;
}

/* Copy between a Sentry buffer and the described memory. */
static long uio_copy(struct vfs_uio *u, void *buf, size_t n, bool into)
{
	size_t done = 0;

	while (done < n && u->resid) {
		struct iovec iov[16];
		int niov = 0;
		long got =
			vfs_uio_host_iovecs(u, into, iov, 16, &niov, n - done);

		if (got <= 0) {
			if (done)
				break;
			return got < 0 ? got : -EFAULT;
		}
		for (int k = 0; k < niov; k++) {
			if (into)
				memcpy(iov[k].iov_base, (char *)buf + done,
				       iov[k].iov_len);
			else
				memcpy((char *)buf + done, iov[k].iov_base,
				       iov[k].iov_len);
			done += iov[k].iov_len;
		}
		vfs_uio_advance(u, (size_t)got);
		if (niov == 0)
			break;
	}
	return (long)done;
}

long vfs_uio_copy_to(struct vfs_uio *u, const void *src, size_t n)
{
	return uio_copy(u, (void *)src, n, true);
}

long vfs_uio_copy_from(struct vfs_uio *u, void *dst, size_t n)
{
	return uio_copy(u, dst, n, false);
}

long vfs_import_iovec(struct task *t, uint64_t addr, uint64_t iovcnt,
		      struct linux_iovec *fast, int nfast,
		      struct linux_iovec **out)
{
	struct linux_iovec *iov = fast;
	uint64_t total = 0;
	int err;

	*out = NULL;
	if (iovcnt > LINUX_IOV_MAX)
		return -EINVAL;
	if (iovcnt == 0) {
		*out = fast;
		return 0;
	}
	if (iovcnt > (uint64_t)nfast) {
		iov = calloc(iovcnt, sizeof(*iov));
		if (!iov)
			return -ENOMEM;
	}
	err = task_copy_in(t, addr, iov, iovcnt * sizeof(*iov));
	if (err) {
		if (iov != fast)
			free(iov);
		return err;
	}
	for (uint64_t k = 0; k < iovcnt; k++) {
		/* A length that is negative as ssize_t is EINVAL; the sum is
		 * clamped to MAX_RW_COUNT (rw_copy_check_uvector). */
		if ((int64_t)iov[k].len < 0) {
			if (iov != fast)
				free(iov);
			return -EINVAL;
		}
		if (iov[k].len && (iov[k].base > TASK_SIZE_MAX ||
				   iov[k].len > TASK_SIZE_MAX - iov[k].base)) {
			if (iov != fast)
				free(iov);
			return -EFAULT;
		}
		if (iov[k].len > LINUX_MAX_RW_COUNT - total) {
			iov[k].len = LINUX_MAX_RW_COUNT - total;
		}
		total += iov[k].len;
	}
	*out = iov;
	return (long)total;
}
