/* SPDX-License-Identifier: Apache-2.0 */
/*
 * overlay_file.c: open regular files of the overlay. A description holds
 * an open description of the layer file with the data (the "real" file,
 * outside the mount tree, as overlayfs's ovl_open_realfile) and forwards
 * reads, writes, seeks, mmap, fsync and fallocate to it; the guest sees
 * only the overlay file (its path, its inode, its locks).
 */
#include <errno.h>
#include <stdlib.h>

#include "gen/linux_flags.h"
#include "sentry/fs/overlay_int.h"

struct ovl_file {
	struct file *real;
	bool upper; /* real is the upper file */
};

int ovl_layer_open(struct inode *real, uint32_t flags, struct file **out)
{
	struct file *f;
	int err;

	inode_get(real);
	err = file_new_pseudo(real, "overlay-layer", NULL, flags, NULL, &f);
	if (err)
		return err;
	f->fmode |= FMODE_LSEEK | FMODE_PREAD;
	if (real->ops && real->ops->open)
		err = real->ops->open(real, f);
	else
		f->ops = real->fops;
	if (!err && !f->ops)
		err = -EINVAL;
	if (err) {
		f->ops = NULL; /* no release of what did not open */
		file_put(f);
		return err;
	}
	*out = f;
	return 0;
}

/* The layer file's flags follow the overlay file's (F_SETFL changes
 * O_APPEND, O_NONBLOCK, O_NOATIME on the overlay description). */
static uint32_t real_flags(const struct file *f)
{
	return f->flags & ~(uint32_t)LINUX_O_PATH;
}

int ovl_open(struct inode *i, struct file *f)
{
	bool write = (f->flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY;
	struct ovl_file *of = calloc(1, sizeof(*of));
	int err = of ? 0 : -ENOMEM;

	if (!err && write)
		err = ovl_copy_up(i, true);
	if (!err)
		err = ovl_layer_open(ovl_real(i), real_flags(f), &of->real);
	if (err) {
		free(of);
		return err;
	}
	of->upper = OI(i)->upper != NULL;
	f->priv = of;
	f->ops = &ovl_file_fops;
	return 0;
}

/*
 * The real file to use now: a description opened on the lower file moves
 * to the upper copy once someone made one, so it sees the file's current
 * data from then on (only a mapping made before keeps the lower pages).
 */
static struct file *real_file(struct file *f)
{
	struct ovl_file *of = f->priv;
	struct inode *u = OI(f->inode)->upper;
	struct file *nf;

	if (!of->upper && u && ovl_layer_open(u, real_flags(f), &nf) == 0) {
		file_put(of->real);
		of->real = nf;
		of->upper = true;
	}
	of->real->flags = real_flags(f);
	return of->real;
}

static ssize_t ovl_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct file *r = real_file(f);

	if (!r->ops->read)
		return -EINVAL;
	return r->ops->read(r, uio, pos);
}

static ssize_t ovl_write(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct file *r = real_file(f);
	ssize_t n;

	if (!r->ops->write)
		return -EINVAL;
	n = r->ops->write(r, uio, pos);
	ovl_sync(f->inode);
	return n;
}

/* Seeks on the real file (SEEK_DATA/SEEK_HOLE know its holes), with the
 * overlay description's offset. */
static int64_t ovl_llseek(struct file *f, int64_t off, int whence)
{
	struct file *r = real_file(f);
	int64_t n;

	if (!r->ops->llseek)
		return -ESPIPE;
	r->pos = f->pos;
	n = r->ops->llseek(r, off, whence);
	if (n >= 0)
		f->pos = n;
	return n;
}

/* The right layer's page cache: the upper file's pages once copied up,
 * the lower file's cache before. */
static int ovl_mmap(struct file *f, struct mappable **out)
{
	struct file *r = real_file(f);

	if (!r->ops->mmap)
		return -ENODEV;
	return r->ops->mmap(r, out);
}

/* A lower file has nothing to write back: success, as fsync on a file
 * opened read-only is. */
static int ovl_fsync(struct file *f, bool datasync)
{
	struct file *r = real_file(f);

	return r->ops->fsync ? r->ops->fsync(r, datasync) : 0;
}

static int ovl_fallocate(struct file *f, int mode, uint64_t off, uint64_t len)
{
	struct file *r = real_file(f);
	int err;

	if (!r->ops->fallocate)
		return -EOPNOTSUPP;
	err = r->ops->fallocate(r, mode, off, len);
	ovl_sync(f->inode);
	return err;
}

static long ovl_ioctl(struct file *f, struct task *t, uint32_t cmd,
		      uint64_t arg)
{
	struct file *r = real_file(f);

	return r->ops->ioctl ? r->ops->ioctl(r, t, cmd, arg) : -ENOTTY;
}

static void ovl_release(struct file *f)
{
	struct ovl_file *of = f->priv;

	if (!of)
		return;
	file_put(of->real);
	free(of);
	f->priv = NULL;
}

const struct file_ops ovl_file_fops = {
	.read = ovl_read,
	.write = ovl_write,
	.llseek = ovl_llseek,
	.mmap = ovl_mmap,
	.fsync = ovl_fsync,
	.fallocate = ovl_fallocate,
	.ioctl = ovl_ioctl,
	.release = ovl_release,
};
