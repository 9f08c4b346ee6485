/* SPDX-License-Identifier: Apache-2.0 */
/*
 * goferfs_file.c: regular files of the Gofer's tree. Their data moves
 * through a host fd the Gofer donates: read(2) and write(2) go straight
 * between it and the guest's pages with preadv/pwritev, and mmap maps a
 * page cache in the memory file filled from it, shared by every mapping
 * of the file (executables and libraries). On a writable instance the
 * cache writes its dirty pages (MAP_SHARED writes) back through the same
 * fd, before any read or write of the range by fd and at fsync, and a
 * write by fd drops the cached pages it changed.
 *
 * On a read-only instance the donated fd is opened read-only by the
 * Gofer, so nothing here can write the host's file even if the Sentry
 * were subverted.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gen/linux_flags.h"
#include "sentry/fs/goferfs_int.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

/* The most one preadv/pwritev moves, so a huge read(2) is done in steps
 * that each have their own set of vectors. */
#define GOFERFS_IO_CHUNK (1u << 20)

static void hfd_put(struct goferfs_hfd *h)
{
	if (!h || --h->refs)
		return;
	if (h->owner && h->owner->hfd == h)
		h->owner->hfd = NULL;
	close(h->fd);
	free(h);
}

/* The cache now fills from and writes back to h (a read-write fd that
 * replaced the read-only one). */
static void cache_set_hfd(struct mappable *m, struct goferfs_hfd *h)
{
	struct goferfs_cache *c = mappable_priv(m);

	h->refs++;
	hfd_put(c->h);
	c->h = h;
}

/*
 * The inode's host fd with a new reference: the one in use if it allows
 * the access, else a new one opened through the Gofer, which then serves
 * the inode (and its page cache) from now on.
 */
static int hfd_get(struct inode *i, bool write, struct goferfs_hfd **out)
{
	struct goferfs_inode *gi = goferfs_i(i);
	struct goferfs_hfd *h = gi->hfd;
	struct gofer_stat st;
	unsigned flags = GOFER_OPEN_READ | (write ? GOFER_OPEN_WRITE : 0);
	int fd;

	if (h && (h->writable || !write)) {
		h->refs++;
		*out = h;
		return 0;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	fd = gofer_open(goferfs_client(i), gi->node, flags, &st);
	if (fd < 0) {
		free(h);
		return goferfs_err(fd);
	}
	h->refs = 1;
	h->fd = fd;
	h->writable = write;
	h->owner = gi;
	if (gi->hfd)
		gi->hfd->owner = NULL; /* its descriptions keep it */
	gi->hfd = h;
	if (gi->cache)
		cache_set_hfd(gi->cache, h);
	*out = h;
	return 0;
}

void goferfs_file_evict(struct goferfs_inode *gi)
{
	/* Mappings may keep the page cache, and it the fd: they no longer
	 * belong to an inode. */
	if (gi->hfd)
		gi->hfd->owner = NULL;
	gi->hfd = NULL;
	if (gi->cache)
		mappable_put(gi->cache);
	gi->cache = NULL;
}

/* Writing needs a writable instance (the VFS refuses writes on a
 * read-only mount already; this holds for any mount of it). */
int goferfs_file_open(struct inode *i, struct file *f)
{
	bool write = (f->flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY;
	struct goferfs_hfd *h;
	int err;

	if (write && !goferfs_writable(i))
		return -EROFS;
	err = hfd_get(i, write, &h);
	if (err)
		return err;
	f->priv = h;
	f->ops = &goferfs_file_fops;
	return 0;
}

static void goferfs_release(struct file *f)
{
	hfd_put(f->priv);
	f->priv = NULL;
}

/* Dirty cached pages of [off, off + len) reach the host before it is
 * read or written by fd. */
static int sync_cache(struct inode *i, uint64_t off, uint64_t len)
{
	struct mappable *m = goferfs_i(i)->cache;

	if (!m || !goferfs_writable(i))
		return 0;
	return mappable_writeback(m, off, len);
}

/* read(2) and friends: preadv from the host fd into the guest's pages
 * (or the Sentry's buffer), no copy in between. */
static ssize_t goferfs_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct goferfs_hfd *h = f->priv;
	uint64_t done = 0;
	int err;

	if (*pos < 0)
		return -EINVAL;
	err = sync_cache(f->inode, (uint64_t)*pos, uio->resid);
	if (err)
		return err;
	while (uio->resid) {
		struct iovec iov[16];
		int niov = 0;
		long got = vfs_uio_host_iovecs(uio, true, iov, 16, &niov,
					       GOFERFS_IO_CHUNK);
		ssize_t n;

		if (got <= 0) {
			if (done)
				break;
			return got < 0 ? got : -EFAULT;
		}
		do
			n = preadv(h->fd, iov, niov, *pos);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			if (done)
				break;
			return -errno;
		}
		vfs_uio_advance(uio, (size_t)n);
		*pos += n;
		done += (uint64_t)n;
		if (n < got)
			break; /* the end of the file */
	}
	return (ssize_t)done;
}

/* Where a write starts: *pos, or the host file's end for O_APPEND (the
 * fstat syscall itself, as the Sentry's filter allows). */
static int64_t write_start(struct file *f, struct goferfs_hfd *h, int64_t pos)
{
	struct stat st;

	if (!(f->flags & LINUX_O_APPEND))
		return pos;
	if (syscall(SYS_fstat, h->fd, &st) < 0)
		return -errno;
	return st.st_size;
}

/* RLIMIT_FSIZE: the bytes a write at off may move (SIGXFSZ and EFBIG
 * when none), as tmpfs does it. */
static int64_t fsize_room(struct task *t, uint64_t off, uint64_t count)
{
	uint64_t lim = t && t->tg ? t->tg->rlimits[LINUX_RLIMIT_FSIZE].cur
				  : UINT64_MAX;

	if (off >= lim) {
		struct linux_siginfo si = { .signo = LINUX_SIGXFSZ,
					    .code = LINUX_SI_USER };

		if (t)
			signal_send_task(t, &si);
		return -EFBIG;
	}
	return (int64_t)(count < lim - off ? count : lim - off);
}

/* After a write of [start, end) by fd: the new size, and the cached pages
 * of the range dropped (mappings fault them in again from the host). */
static void written(struct inode *i, uint64_t start, uint64_t end)
{
	struct goferfs_inode *gi = goferfs_i(i);
	uint64_t first = start & ~(MM_PAGE_SIZE - 1);

	if (end > i->size)
		i->size = end;
	gi->stale = true; /* mtime, ctime, blocks */
	if (!gi->cache)
		return;
	((struct goferfs_cache *)mappable_priv(gi->cache))->size = i->size;
	mappable_invalidate(gi->cache, first,
			    (end - first + MM_PAGE_SIZE - 1) &
				    ~(MM_PAGE_SIZE - 1));
}

/* pwritev from the guest's pages straight to the host file. */
static ssize_t goferfs_write(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct goferfs_hfd *h = f->priv;
	int64_t off = write_start(f, h, *pos), room;
	uint64_t start, done = 0;
	int err;

	if (!h->writable)
		return -EBADF;
	if (off < 0)
		return off;
	room = fsize_room(uio->t, (uint64_t)off, uio->resid);
	if (room < 0)
		return room;
	start = (uint64_t)off;
	err = sync_cache(f->inode, start, (uint64_t)room);
	if (err)
		return err;
	while (done < (uint64_t)room) {
		uint64_t left = (uint64_t)room - done;
		struct iovec iov[16];
		int niov = 0;
		long got = vfs_uio_host_iovecs(uio, false, iov, 16, &niov,
					       left < GOFERFS_IO_CHUNK
						       ? left
						       : GOFERFS_IO_CHUNK);
		ssize_t n;

		if (got <= 0) {
			if (done)
				break;
			return got < 0 ? got : -EFAULT;
		}
		do
			n = pwritev(h->fd, iov, niov, off);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			if (done)
				break;
			return -errno;
		}
		vfs_uio_advance(uio, (size_t)n);
		off += n;
		done += (uint64_t)n;
		if (n < got)
			break;
	}
	if (done)
		written(f->inode, start, (uint64_t)off);
	*pos = off;
	return (ssize_t)done;
}

void goferfs_file_resized(struct inode *i, uint64_t old_size)
{
	struct mappable *m = goferfs_i(i)->cache;

	if (!m)
		return;
	((struct goferfs_cache *)mappable_priv(m))->size = i->size;
	if (i->size < old_size)
		mappable_truncate(m, i->size);
}

/* Dirty mapped pages first, then the host's own fsync. */
static int goferfs_fsync(struct file *f, bool datasync)
{
	struct inode *i = f->inode;
	int err;

	if (!goferfs_writable(i))
		return 0;
	err = sync_cache(i, 0, UINT64_MAX);
	if (err)
		return err;
	return goferfs_err(gofer_fsync(goferfs_client(i), goferfs_i(i)->node,
				       datasync ? GOFER_FSYNC_DATA : 0));
}

/* The page cache's misses: pread from the host fd (short at EOF). */
static long cache_fill(struct mappable *m, uint64_t off, void *dst, size_t len)
{
	struct goferfs_cache *c = mappable_priv(m);
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(c->h->fd, (char *)dst + done, len - done,
				  (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done ? (long)done : -errno;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (long)done;
}

/* Dirty pages of a shared writable mapping, written to the host file
 * (never past its size: a mapping cannot grow a file). */
static int cache_writeback(struct mappable *m, uint64_t off, uint64_t len)
{
	struct goferfs_cache *c = mappable_priv(m);
	char *buf;
	int err = 0;

	if (off >= c->size)
		return 0;
	if (len > c->size - off)
		len = c->size - off;
	if (!c->h->writable)
		return -EBADF;
	buf = malloc(len < GOFERFS_IO_CHUNK ? len : GOFERFS_IO_CHUNK);
	if (!buf)
		return -ENOMEM;
	while (!err && len) {
		size_t n = len < GOFERFS_IO_CHUNK ? (size_t)len
						  : GOFERFS_IO_CHUNK;
		long r = mappable_read(m, off, buf, n);

		if (r <= 0) {
			err = r < 0 ? (int)r : -EIO;
			break;
		}
		for (size_t w = 0; w < (size_t)r;) {
			ssize_t k = pwrite(c->h->fd, buf + w, (size_t)r - w,
					   (off_t)(off + w));

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				err = k < 0 ? -errno : -EIO;
				break;
			}
			w += (size_t)k;
		}
		off += (uint64_t)r;
		len -= (uint64_t)r;
	}
	free(buf);
	return err;
}

static uint64_t cache_size(struct mappable *m)
{
	return ((struct goferfs_cache *)mappable_priv(m))->size;
}

static void cache_release(struct mappable *m)
{
	struct goferfs_cache *c = mappable_priv(m);

	hfd_put(c->h);
	free(c);
}

static const struct mappable_ops goferfs_mappable_ops = {
	.fill = cache_fill,
	.size = cache_size,
	.release = cache_release,
};

/* A writable instance's caches write back. */
static const struct mappable_ops goferfs_rw_mappable_ops = {
	.fill = cache_fill,
	.size = cache_size,
	.writeback = cache_writeback,
	.release = cache_release,
};

/* One page cache per inode, made at the first mmap and kept while the
 * inode is cached, so every process mapping a library shares its pages. */
static int goferfs_mmap(struct file *f, struct mappable **out)
{
	struct goferfs_inode *gi = goferfs_i(f->inode);
	struct goferfs_hfd *h = f->priv;
	struct goferfs_cache *c;

	if (!gi->cache) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
		c->h = gi->hfd ? gi->hfd : h;
		c->h->refs++;
		c->size = f->inode->size;
		gi->cache = mappable_new(goferfs_writable(f->inode)
						 ? &goferfs_rw_mappable_ops
						 : &goferfs_mappable_ops,
					 c);
		if (!gi->cache) {
			hfd_put(c->h);
			free(c);
			return -ENOMEM;
		}
	}
	mappable_get(gi->cache);
	*out = gi->cache;
	return 0;
}

const struct file_ops goferfs_file_fops = {
	.read = goferfs_read,
	.write = goferfs_write,
	.llseek = vfs_generic_llseek,
	.mmap = goferfs_mmap,
	.fsync = goferfs_fsync,
	.release = goferfs_release,
};
