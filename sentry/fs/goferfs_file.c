/* SPDX-License-Identifier: Apache-2.0 */
/*
 * goferfs_file.c: regular files of the Gofer's tree. Their data is read
 * from a host fd the Gofer donates: read(2) goes straight from it into the
 * guest's pages with preadv, and mmap maps a page cache in the memory file
 * filled from it, shared by every mapping of the file (executables and
 * libraries).
 *
 * The donated fd is opened read-only by the Gofer, so nothing here can
 * write the host's file even if the Sentry were subverted.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "gen/linux_flags.h"
#include "sentry/fs/goferfs_int.h"
#include "sentry/mm/mm.h"

/* The most one preadv moves, so a huge read(2) is done in steps that each
 * have their own set of vectors. */
#define GOFERFS_READ_CHUNK (1u << 20)

static void hfd_put(struct goferfs_hfd *h)
{
	if (!h || --h->refs)
		return;
	if (h->owner)
		h->owner->hfd = NULL;
	close(h->fd);
	free(h);
}

/* The inode's host fd with a new reference, opened through the Gofer if
 * no description or mapping of the file holds one. */
static int hfd_get(struct inode *i, struct goferfs_hfd **out)
{
	struct goferfs_inode *gi = goferfs_i(i);
	struct goferfs_hfd *h = gi->hfd;
	struct gofer_stat st;
	int fd;

	if (h) {
		h->refs++;
		*out = h;
		return 0;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	fd = gofer_open(goferfs_client(i), gi->node, GOFER_OPEN_READ, &st);
	if (fd < 0) {
		free(h);
		return goferfs_err(fd);
	}
	h->refs = 1;
	h->fd = fd;
	h->size = st.size < 0 ? 0 : (uint64_t)st.size;
	h->owner = gi;
	gi->hfd = h;
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

/* Only read access: the tree is read-only (the VFS refuses writes on the
 * read-only mount already; this holds for any mount of it). */
int goferfs_file_open(struct inode *i, struct file *f)
{
	struct goferfs_hfd *h;
	int err;

	if ((f->flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY)
		return -EROFS;
	err = hfd_get(i, &h);
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

/* read(2) and friends: preadv from the host fd into the guest's pages
 * (or the Sentry's buffer), no copy in between. */
static ssize_t goferfs_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct goferfs_hfd *h = f->priv;
	uint64_t done = 0;

	if (*pos < 0)
		return -EINVAL;
	while (uio->resid) {
		struct iovec iov[16];
		int niov = 0;
		long got = vfs_uio_host_iovecs(uio, true, iov, 16, &niov,
					       GOFERFS_READ_CHUNK);
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

/* The page cache's misses: pread from the host fd (short at EOF). */
static long hfd_fill(struct mappable *m, uint64_t off, void *dst, size_t len)
{
	struct goferfs_hfd *h = mappable_priv(m);
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(h->fd, (char *)dst + done, len - done,
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

static uint64_t hfd_size(struct mappable *m)
{
	return ((struct goferfs_hfd *)mappable_priv(m))->size;
}

static void hfd_release(struct mappable *m)
{
	hfd_put(mappable_priv(m));
}

static const struct mappable_ops goferfs_mappable_ops = {
	.fill = hfd_fill,
	.size = hfd_size,
	.release = hfd_release,
};

/* One page cache per inode, made at the first mmap and kept while the
 * inode is cached, so every process mapping a library shares its pages. */
static int goferfs_mmap(struct file *f, struct mappable **out)
{
	struct goferfs_inode *gi = goferfs_i(f->inode);
	struct goferfs_hfd *h = f->priv;

	if (!gi->cache) {
		h->refs++;
		gi->cache = mappable_new(&goferfs_mappable_ops, h);
		if (!gi->cache) {
			hfd_put(h);
			return -ENOMEM;
		}
	}
	mappable_get(gi->cache);
	*out = gi->cache;
	return 0;
}

const struct file_ops goferfs_file_fops = {
	.read = goferfs_read,
	.llseek = vfs_generic_llseek,
	.mmap = goferfs_mmap,
	.release = goferfs_release,
};
