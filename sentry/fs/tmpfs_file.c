/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tmpfs_file.c: tmpfs regular files: data in a mappable (the page cache in
 * the memory file, which mmap maps directly), read/write straight between
 * it and guest pages, truncation, SEEK_DATA/SEEK_HOLE.
 *
 * Which pages were ever written is kept as sorted extents rather than a
 * bitmap: a guest writing one byte at offset 2^62 must cost one extent,
 * not petabits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/capability.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

#define PG 4096ULL

/* The written-page extents: [start, end) in pages, sorted, disjoint,
 * not adjacent. Stored in tmpfs_data's `pages` array as pairs. */
struct extent {
	uint64_t start, end;
};

static struct extent *ext(const struct tmpfs_data *d)
{
	return (struct extent *)d->pages;
}

static size_t next_count(const struct tmpfs_data *d)
{
	return (size_t)d->npages_bits; /* number of extents */
}

/* Mark pages [s, e) written. */
static int ext_add(struct tmpfs_data *d, uint64_t s, uint64_t e)
{
	struct extent *x = ext(d);
	size_t n = next_count(d), i = 0, j;

	/* Fast path: appending to the last extent. */
	if (n && x[n - 1].start <= s && s <= x[n - 1].end) {
		if (e > x[n - 1].end) {
			d->nwritten += e - x[n - 1].end;
			x[n - 1].end = e;
		}
		return 0;
	}
	while (i < n && x[i].end < s)
		i++;
	/* Extents i..j-1 touch [s, e): merge them into one. */
	for (j = i; j < n && x[j].start <= e; j++) {
		if (x[j].start < s)
			s = x[j].start;
		if (x[j].end > e)
			e = x[j].end;
		d->nwritten -= x[j].end - x[j].start;
	}
	if (j == i) {
		struct extent *nx = realloc(x, (n + 1) * sizeof(*x));

		if (!nx)
			return -ENOMEM;
		x = nx;
		memmove(x + i + 1, x + i, (n - i) * sizeof(*x));
		d->pages = (uint64_t *)x;
		d->npages_bits = n + 1;
	} else if (j > i + 1) {
		memmove(x + i + 1, x + j, (n - j) * sizeof(*x));
		d->npages_bits = n - (j - i - 1);
	}
	x[i].start = s;
	x[i].end = e;
	d->nwritten += e - s;
	return 0;
}

/* Forget pages at and past page p. */
static void ext_cut(struct tmpfs_data *d, uint64_t p)
{
	struct extent *x = ext(d);
	size_t n = next_count(d);

	while (n && x[n - 1].start >= p) {
		d->nwritten -= x[n - 1].end - x[n - 1].start;
		n--;
	}
	if (n && x[n - 1].end > p) {
		d->nwritten -= x[n - 1].end - p;
		x[n - 1].end = p;
	}
	d->npages_bits = n;
}

/* Forget pages [s, e) (a punched hole): an extent across the hole splits
 * in two. */
static int ext_del(struct tmpfs_data *d, uint64_t s, uint64_t e)
{
	struct extent *x = ext(d);
	size_t n = next_count(d), i = 0, j;

	if (s >= e)
		return 0;
	while (i < n && x[i].end <= s)
		i++;
	if (i < n && x[i].start < s && x[i].end > e) {
		struct extent *nx = realloc(x, (n + 1) * sizeof(*x));

		if (!nx)
			return -ENOMEM;
		x = nx;
		d->pages = (uint64_t *)x;
		memmove(x + i + 1, x + i, (n - i) * sizeof(*x));
		d->npages_bits = n + 1;
		x[i].end = s;
		x[i + 1].start = e;
		d->nwritten -= e - s;
		return 0;
	}
	if (i < n && x[i].start < s) {
		d->nwritten -= x[i].end - s;
		x[i].end = s;
		i++;
	}
	for (j = i; j < n && x[j].end <= e; j++)
		d->nwritten -= x[j].end - x[j].start;
	if (j < n && x[j].start < e) {
		d->nwritten -= e - x[j].start;
		x[j].start = e;
	}
	memmove(x + i, x + j, (n - j) * sizeof(*x));
	d->npages_bits = n - (j - i);
	return 0;
}

static bool page_written(const struct tmpfs_data *d, uint64_t p)
{
	const struct extent *x = ext(d);
	size_t lo = 0, hi = next_count(d);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (x[mid].end <= p)
			lo = mid + 1;
		else if (x[mid].start > p)
			hi = mid;
		else
			return true;
	}
	return false;
}

/* Pages of [s, e) no extent covers. */
static uint64_t ext_unwritten(const struct tmpfs_data *d, uint64_t s,
			      uint64_t e)
{
	const struct extent *x = ext(d);
	size_t n = next_count(d), k = 0;
	uint64_t covered = 0;

	while (k < n && x[k].end <= s)
		k++;
	for (; k < n && x[k].start < e; k++) {
		uint64_t a = x[k].start > s ? x[k].start : s;
		uint64_t b = x[k].end < e ? x[k].end : e;

		covered += b - a;
	}
	return (e - s) - covered;
}

/* The instance's count follows a change of d->nwritten from `before`. */
static void acct_update(struct tmpfs_data *d, uint64_t before)
{
	if (d->acct)
		d->acct->used_blocks += d->nwritten - before;
}

/*
 * How much of a write of `count` bytes at `off` fits the instance's
 * size= limit: all of it, or the bytes before the first new page past
 * the limit (0: ENOSPC), as shmem fails the page it cannot allocate.
 */
static uint64_t space_clip(const struct tmpfs_data *d, uint64_t off,
			   uint64_t count)
{
	const struct tmpfs_sb *s = d->acct;
	uint64_t first = off / PG, end = (off + count + PG - 1) / PG, budget;

	if (!s || !s->max_blocks || !count ||
	    s->used_blocks + ext_unwritten(d, first, end) <= s->max_blocks)
		return count;
	budget = s->used_blocks < s->max_blocks ? s->max_blocks - s->used_blocks
						: 0;
	for (uint64_t p = first; p < end; p++) {
		if (page_written(d, p))
			continue;
		if (!budget)
			return p == first ? 0 : p * PG - off;
		budget--;
	}
	return count;
}

uint64_t tmpfs_data_blocks(const struct tmpfs_data *d)
{
	return d->nwritten * (PG / 512);
}

static uint64_t data_size(struct mappable *m)
{
	return ((struct tmpfs_data *)mappable_priv(m))->size;
}

/* The mappable's last reference went (inode evicted, mappings gone). */
static void data_release(struct mappable *m)
{
	struct tmpfs_data *d = mappable_priv(m);

	free(d->pages);
	free(d);
}

/* No fill: tmpfs pages are authoritative and missing ones are zero. */
static const struct mappable_ops tmpfs_mappable_ops = {
	.size = data_size,
	.release = data_release,
};

int tmpfs_data_new(struct inode *i)
{
	struct tmpfs_node *n = i->priv;
	struct tmpfs_data *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->m = mappable_new(&tmpfs_mappable_ops, d);
	if (!d->m) {
		free(d);
		return -ENOMEM;
	}
	d->acct = tmpfs_sbi(i->sb);
	n->data = d;
	return 0;
}

void tmpfs_data_put(struct tmpfs_data *d)
{
	mappable_put(d->m);
}

static struct tmpfs_data *data_of(const struct inode *i)
{
	return ((struct tmpfs_node *)i->priv)->data;
}

int tmpfs_data_truncate(struct inode *i, uint64_t size)
{
	static const char zeros[PG];
	struct tmpfs_data *d = data_of(i);

	if (size > (uint64_t)LINUX_MAX_LFS_FILESIZE)
		return -EFBIG;
	if (size < d->size) {
		/* Zero the tail of a partial last page so a later extension
		 * reads zeros, as Linux does. */
		uint64_t tail = size & (PG - 1), before = d->nwritten;

		if (tail && page_written(d, size / PG)) {
			long r = mappable_write(d->m, size, zeros, PG - tail);

			if (r < 0)
				return (int)r;
		}
		mappable_truncate(d->m, size);
		ext_cut(d, (size + PG - 1) / PG);
		acct_update(d, before);
	}
	d->size = size;
	i->size = size;
	return 0;
}

/* Data moves between the page cache at *off and the uio's buffers, in
 * host-addressable chunks. `into`: a read. */
static ssize_t data_io(struct tmpfs_data *d, struct vfs_uio *uio, uint64_t *off,
		       uint64_t count, bool into)
{
	uint64_t done = 0;

	while (done < count) {
		struct iovec iov[16];
		int niov = 0;
		uint64_t moved = 0;
		long got = vfs_uio_host_iovecs(uio, into, iov, 16, &niov,
					       count - done);

		if (got <= 0) {
			if (done)
				break;
			return got < 0 ? got : -EFAULT;
		}
		for (int k = 0; k < niov; k++) {
			long r = into ? mappable_read(d->m, *off,
						      iov[k].iov_base,
						      iov[k].iov_len)
				      : mappable_write(d->m, *off,
						       iov[k].iov_base,
						       iov[k].iov_len);

			if (r > 0 && !into) {
				uint64_t before = d->nwritten;

				if (ext_add(d, *off / PG,
					    (*off + (uint64_t)r + PG - 1) / PG))
					r = -ENOMEM;
				acct_update(d, before);
			}
			if (r <= 0) {
				if (done + moved == 0)
					return r < 0 ? r : -EIO;
				vfs_uio_advance(uio, moved);
				return (ssize_t)(done + moved);
			}
			*off += (uint64_t)r;
			moved += (uint64_t)r;
			if ((size_t)r < iov[k].iov_len)
				break;
		}
		vfs_uio_advance(uio, moved);
		done += moved;
		if (moved < (uint64_t)got)
			break;
	}
	return (ssize_t)done;
}

/* relatime: update atime only when it is older than mtime or ctime, or a
 * day old. */
static void touch_atime(struct file *f)
{
	struct inode *i = f->inode;
	struct timespec now;

	if ((f->flags & LINUX_O_NOATIME) ||
	    (f->path.mnt && (f->path.mnt->flags & MNT_NOATIME)))
		return;
	vfs_now(&now);
	if (i->atime.tv_sec < i->mtime.tv_sec ||
	    (i->atime.tv_sec == i->mtime.tv_sec &&
	     i->atime.tv_nsec <= i->mtime.tv_nsec) ||
	    i->atime.tv_sec <= i->ctime.tv_sec ||
	    now.tv_sec - i->atime.tv_sec >= 24 * 3600)
		i->atime = now;
}

/* Read up to the end of file straight from the page cache. */
static ssize_t tmpfs_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct tmpfs_data *d = data_of(f->inode);
	uint64_t off = (uint64_t)*pos, count = uio->resid;
	ssize_t n;

	if (*pos < 0)
		return -EINVAL;
	if (off >= d->size)
		return 0;
	if (count > d->size - off)
		count = d->size - off;
	n = data_io(d, uio, &off, count, true);
	if (n > 0) {
		*pos = (int64_t)off;
		touch_atime(f);
	}
	return n;
}

/* A write by someone without CAP_FSETID drops set-user-ID and (group
 * executable) set-group-ID bits, so modifying a setuid binary cannot keep
 * its privileges (file_remove_privs). */
static void remove_privs(struct inode *i, struct task *t)
{
	const struct creds *c = t ? t->creds : NULL;

	if (c && ((c->cap_effective >> LINUX_CAP_FSETID) & 1))
		return;
	if (i->mode & LINUX_S_ISUID)
		i->mode &= ~LINUX_S_ISUID;
	if ((i->mode & (LINUX_S_ISGID | LINUX_S_IXGRP)) ==
	    (LINUX_S_ISGID | LINUX_S_IXGRP))
		i->mode &= ~LINUX_S_ISGID;
}

/* shmem_write_begin's seal checks, made per page as Linux writes: a
 * write seal refuses the write; a grow seal the pages that would grow
 * the file, so a write ending past the size stops at the last page
 * boundary within it (EPERM if that leaves nothing). */
static int seal_write(const struct inode *i, uint64_t off, uint64_t *count)
{
	uint32_t seals = ((struct tmpfs_node *)i->priv)->seals;
	uint64_t end;

	if (seals & (LINUX_F_SEAL_WRITE | LINUX_F_SEAL_FUTURE_WRITE))
		return -EPERM;
	if (!(seals & LINUX_F_SEAL_GROW) || off + *count <= i->size)
		return 0;
	end = i->size & ~(PG - 1);
	if (end <= off)
		return -EPERM;
	*count = end - off;
	return 0;
}

/* Write at *pos (or the end for O_APPEND) within RLIMIT_FSIZE and the
 * largest file size, growing the file. */
static ssize_t tmpfs_write(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct inode *i = f->inode;
	struct tmpfs_data *d = data_of(i);
	struct task *t = uio->t;
	uint64_t off, count = uio->resid, lim = UINT64_MAX;
	ssize_t n;

	off = (f->flags & LINUX_O_APPEND) ? d->size : (uint64_t)*pos;
	if ((int64_t)off < 0)
		return -EINVAL;
	if (count == 0)
		return 0;
	if (t && t->tg)
		lim = t->tg->rlimits[LINUX_RLIMIT_FSIZE].cur;
	if (off >= lim) {
		struct linux_siginfo si = {.signo = LINUX_SIGXFSZ,
					   .code = LINUX_SI_USER};

		signal_send_task(t, &si);
		return -EFBIG;
	}
	if (count > lim - off)
		count = lim - off;
	if (off >= (uint64_t)LINUX_MAX_LFS_FILESIZE)
		return -EFBIG;
	if (count > (uint64_t)LINUX_MAX_LFS_FILESIZE - off)
		count = (uint64_t)LINUX_MAX_LFS_FILESIZE - off;
	n = seal_write(i, off, &count);
	if (n)
		return n;
	count = space_clip(d, off, count);
	if (!count)
		return -ENOSPC;
	remove_privs(i, t);
	n = data_io(d, uio, &off, count, false);
	if (n > 0) {
		if (off > d->size) {
			d->size = off;
			i->size = off;
		}
		vfs_now(&i->mtime);
		i->ctime = i->mtime;
		*pos = (int64_t)off;
	}
	return n;
}

static int64_t tmpfs_llseek(struct file *f, int64_t off, int whence)
{
	struct tmpfs_data *d = data_of(f->inode);
	const struct extent *x = ext(d);
	size_t n = next_count(d), k;
	uint64_t o = (uint64_t)off;

	if (whence != LINUX_SEEK_DATA && whence != LINUX_SEEK_HOLE)
		return vfs_generic_llseek(f, off, whence);
	if (off < 0 || o >= d->size)
		return -ENXIO;
	for (k = 0; k < n && x[k].end * PG <= o; k++)
		;
	if (whence == LINUX_SEEK_DATA) {
		if (k == n || x[k].start * PG >= d->size)
			return -ENXIO;
		if (x[k].start * PG > o)
			o = x[k].start * PG;
	} else if (k < n && x[k].start * PG <= o) {
		o = x[k].end * PG;
		if (o > d->size)
			o = d->size;
	}
	f->pos = (int64_t)o;
	return (int64_t)o;
}

/* Zero [off, end) within one page if that page holds data. */
static int zero_partial(struct tmpfs_data *d, uint64_t off, uint64_t end)
{
	static const char zeros[PG];
	long r;

	if (off >= end || !page_written(d, off / PG))
		return 0;
	r = mappable_write(d->m, off, zeros, end - off);
	return r < 0 ? (int)r : 0;
}

/* FALLOC_FL_PUNCH_HOLE: partial pages at the edges are zeroed, whole
 * pages freed (and unmapped from the guest), as shmem does. */
static int punch_hole(struct tmpfs_data *d, uint64_t off, uint64_t end)
{
	uint64_t first = (off + PG - 1) / PG, last = end / PG;
	int err;

	if (first > last) /* inside one page */
		return zero_partial(d, off, end);
	err = zero_partial(d, off, first * PG);
	if (!err)
		err = zero_partial(d, last * PG, end);
	if (err)
		return err;
	if (first < last) {
		uint64_t before = d->nwritten;

		mappable_invalidate(d->m, first * PG, (last - first) * PG);
		err = ext_del(d, first, last);
		acct_update(d, before);
	}
	return err;
}

/* fallocate: what shmem offers: allocation (pages count in st_blocks
 * and as data for SEEK_DATA) with or without a size change, and holes
 * punched with KEEP_SIZE. The VFS checked the arguments and
 * RLIMIT_FSIZE. */
static int tmpfs_fallocate(struct file *f, int mode, uint64_t off, uint64_t len)
{
	struct inode *i = f->inode;
	struct tmpfs_data *d = data_of(i);
	uint64_t end = off + len, before;
	uint32_t seals = ((struct tmpfs_node *)i->priv)->seals;
	int err;

	if (mode & ~(LINUX_FALLOC_FL_KEEP_SIZE | LINUX_FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	/* Seals: a hole is a write, an allocation past the end a growth. */
	if ((mode & LINUX_FALLOC_FL_PUNCH_HOLE) &&
	    (seals & (LINUX_F_SEAL_WRITE | LINUX_F_SEAL_FUTURE_WRITE)))
		return -EPERM;
	if (!(mode & LINUX_FALLOC_FL_PUNCH_HOLE) &&
	    (seals & LINUX_F_SEAL_GROW) && end > i->size)
		return -EPERM;
	if (mode & LINUX_FALLOC_FL_PUNCH_HOLE) {
		err = punch_hole(d, off, end);
		if (err)
			return err;
		vfs_now(&i->mtime);
		i->ctime = i->mtime;
		return 0;
	}
	/* shmem_fallocate: all the pages or ENOSPC. */
	if (space_clip(d, off, len) < len)
		return -ENOSPC;
	before = d->nwritten;
	err = ext_add(d, off / PG, (end + PG - 1) / PG);
	acct_update(d, before);
	if (err)
		return err;
	if (!(mode & LINUX_FALLOC_FL_KEEP_SIZE) && end > d->size) {
		d->size = end;
		i->size = end;
	}
	vfs_now(&i->ctime);
	return 0;
}

static int tmpfs_mmap(struct file *f, struct mappable **out)
{
	struct tmpfs_data *d = data_of(f->inode);

	mappable_get(d->m);
	*out = d->m;
	return 0;
}

static int tmpfs_file_getattr(struct inode *i, struct kstat *st)
{
	generic_fillattr(i, st);
	st->blocks = tmpfs_data_blocks(data_of(i));
	return 0;
}

static int tmpfs_file_setattr(struct inode *i, const struct iattr *a)
{
	uint32_t seals = ((struct tmpfs_node *)i->priv)->seals;
	struct iattr b = *a;

	/* shmem_setattr's seal checks: the exec bits, then the size. */
	if ((seals & LINUX_F_SEAL_EXEC) && (a->valid & ATTR_MODE) &&
	    ((i->mode ^ a->mode) & 0111))
		return -EPERM;
	if ((a->valid & ATTR_SIZE) &&
	    ((a->size < i->size && (seals & LINUX_F_SEAL_SHRINK)) ||
	     (a->size > i->size && (seals & LINUX_F_SEAL_GROW))))
		return -EPERM;
	if (a->valid & ATTR_SIZE) {
		uint64_t old = i->size;
		int err = tmpfs_data_truncate(i, a->size);

		if (err)
			return err;
		/* A real size change updates the times (shmem_setattr);
		 * ftruncate and O_TRUNC ask for them anyway. */
		if (old != a->size && !(a->valid & ATTR_MTIME)) {
			vfs_now(&b.mtime);
			b.ctime = b.mtime;
			b.valid |= ATTR_MTIME | ATTR_CTIME;
		}
		b.valid &= ~ATTR_SIZE;
	}
	vfs_setattr_copy(i, &b);
	return 0;
}

const struct inode_ops tmpfs_file_iops = {
	.getattr = tmpfs_file_getattr,
	.setattr = tmpfs_file_setattr,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
	.removexattr = tmpfs_removexattr,
};

static int tmpfs_file_fsync(struct file *f, bool datasync)
{
	(void)f;
	(void)datasync;
	return 0;
}

const struct file_ops tmpfs_file_fops = {
	.fsync = tmpfs_file_fsync,
	.read = tmpfs_read,
	.write = tmpfs_write,
	.llseek = tmpfs_llseek,
	.mmap = tmpfs_mmap,
	.fallocate = tmpfs_fallocate,
};
