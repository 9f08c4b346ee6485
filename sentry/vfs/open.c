/* SPDX-License-Identifier: Apache-2.0 */
/*
 * open.c: open file descriptions: opening a path (open/openat/creat with
 * Linux's checks and errno order), pseudo files, and the generic read,
 * write, seek and directory helpers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/abi/capability.h"
#include "sentry/abi/dirent.h"
#include "sentry/fs/eventpoll.h"
#include "sentry/fs/pipe.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fasync.h"
#include "sentry/vfs/fsnotify.h"
#include "sentry/vfs/internal.h"

/* What an O_PATH description can do: nothing but exist. */
static const struct file_ops path_fops;

static struct superblock *pseudo_sb;
static struct mount *pseudo_mnt;

/* A pipe inode reopened through /proc/PID/fd after its pipe went got a
 * FIFO pipe of its own: it goes with the inode. */
static void pseudo_evict(struct inode *i)
{
	if (i->fifo)
		pipe_fifo_release(i);
}

static const struct superblock_ops pseudo_sops = {
	.evict = pseudo_evict,
};

/* The pseudo superblock and its internal mount, made on first use so that
 * pipes work even before (or without) vfs_init. */
static int pseudo_init(void)
{
	struct inode *root;
	struct mount *m;
	int err;

	if (pseudo_mnt)
		return 0;
	err = superblock_new(&pseudo_sops, "pipefs",
			     0x50495045 /* PIPEFS_MAGIC */,
			     SB_PSEUDO | SB_NOCACHE, &pseudo_sb);
	if (err)
		return err;
	root = inode_new(pseudo_sb, NULL, NULL, LINUX_S_IFDIR | 0500, 0);
	if (!root)
		return -ENOMEM;
	err = superblock_set_root(pseudo_sb, root);
	if (err)
		return err;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->refs = 1;
	m->flags = MNT_INTERNAL;
	m->sb = pseudo_sb;
	m->root = pseudo_sb->root;
	dget(m->root);
	m->source = strdup("none");
	LIST_INIT(&m->children);
	pseudo_mnt = m;
	return 0;
}

struct superblock *vfs_pseudo_sb(void)
{
	return pseudo_init() ? NULL : pseudo_sb;
}

int vfs_init(void)
{
	return pseudo_init();
}

void file_get(struct file *f)
{
	f->refs++;
}

void file_put(struct file *f)
{
	if (!f || --f->refs)
		return;
	fsnotify_close(f);
	eventpoll_release(f);
	if (f->async) {
		waitq_remove(&f->async->w);
		if (f->async->dn_active)
			fsnotify_remove_mark(&f->async->dn_mark);
		free(f->async);
	}
	vfs_locks_remove_file(f);
	if (f->counts_as_writer)
		f->inode->writers--;
	if (f->ops && f->ops->release)
		f->ops->release(f);
	inode_put(f->inode);
	path_put(&f->path);
	free(f);
}

/* The description shell: flags as Linux keeps them in f_flags, f_mode
 * from the access mode. */
static struct file *file_alloc(const struct path *p, uint32_t flags)
{
	struct file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->refs = 1;
	f->path = *p;
	path_get(&f->path);
	f->inode = p->dentry->inode;
	inode_get(f->inode);
	/* O_NOCTTY stays for the open op (a terminal reads it), and goes
	 * in file_new after it, as Linux's do_dentry_open. */
	f->flags = flags & ~(LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_TRUNC |
			     LINUX_O_CLOEXEC);
	if (flags & LINUX_O_PATH) {
		f->fmode = FMODE_PATH;
		f->flags &= LINUX_O_PATH | LINUX_O_DIRECTORY | LINUX_O_NOFOLLOW;
		return f;
	}
	switch (flags & LINUX_O_ACCMODE) {
	case LINUX_O_RDONLY:
		f->fmode = FMODE_READ;
		break;
	case LINUX_O_WRONLY:
		f->fmode = FMODE_WRITE;
		break;
	case LINUX_O_RDWR:
		f->fmode = FMODE_READ | FMODE_WRITE;
		break;
	default:
		f->fmode = 0; /* 3: ioctl only, as Linux */
		break;
	}
	f->fmode |= FMODE_LSEEK | FMODE_PREAD;
	return f;
}

/* Give f its ops: devices through the chrdev table, FIFOs through the
 * pipe code, the rest through the inode. */
static int file_do_open(struct file *f)
{
	struct inode *i = f->inode;
	const struct chrdev *cd;

	if (f->fmode & FMODE_PATH) {
		f->ops = &path_fops;
		return 0;
	}
	switch (i->mode & LINUX_S_IFMT) {
	case LINUX_S_IFCHR:
		if (i->ops && i->ops->open)
			return i->ops->open(i, f);
		cd = vfs_find_chrdev(i->rdev);
		if (!cd)
			return -ENXIO;
		return cd->open(i, f);
	case LINUX_S_IFBLK:
	case LINUX_S_IFSOCK:
		return -ENXIO;
	case LINUX_S_IFIFO:
		return pipe_fifo_open(i, f);
	default:
		if (i->ops && i->ops->open)
			return i->ops->open(i, f);
		f->ops = i->fops;
		return 0;
	}
}

int file_new(const struct path *p, uint32_t flags, struct file **out)
{
	struct file *f = file_alloc(p, flags);
	int err;

	if (!f)
		return -ENOMEM;
	/* A running program's file cannot be opened for writing. */
	if (f->fmode & FMODE_WRITE) {
		if (f->inode->deny_write) {
			file_put(f);
			return -ETXTBSY;
		}
		f->inode->writers++;
		f->counts_as_writer = true;
	}
	err = file_do_open(f);
	f->flags &= ~LINUX_O_NOCTTY;
	if (err) {
		f->ops = NULL; /* no release of what did not open */
		file_put(f);
		return err;
	}
	if (!f->ops)
		f->ops = &path_fops;
	*out = f;
	return 0;
}

int vfs_deny_write_access(struct inode *i)
{
	if (i->writers)
		return -ETXTBSY;
	i->deny_write++;
	return 0;
}

void vfs_allow_write_access(struct inode *i)
{
	if (i->deny_write)
		i->deny_write--;
}

int file_new_pseudo(struct inode *inode, const char *name,
		    const struct file_ops *ops, uint32_t flags, void *priv,
		    struct file **out)
{
	char buf[64];
	struct dentry *d;
	struct path p;
	struct file *f;
	int err = pseudo_init();

	if (err) {
		inode_put(inode);
		return err;
	}
	if (!name) {
		snprintf(buf, sizeof(buf), "%s:[%llu]",
			 LINUX_S_ISFIFO(inode->mode) ? "pipe" : "anon_inode",
			 (unsigned long long)inode->ino);
		name = buf;
	}
	err = d_alloc_root(inode->sb, inode, name, DENTRY_PSEUDO, &d);
	if (err) {
		inode_put(inode);
		return err;
	}
	p.mnt = pseudo_mnt;
	p.dentry = d;
	f = file_alloc(&p, flags);
	dput(d); /* the file holds it now */
	if (!f)
		return -ENOMEM;
	f->fmode &= ~(FMODE_LSEEK | FMODE_PREAD);
	f->ops = ops;
	f->priv = priv;
	*out = f;
	return 0;
}

/* Linux's may_open: the checks on an existing object before opening it. */
static int may_open(struct task *t, const struct path *p, int acc,
		    uint32_t *flags)
{
	struct inode *i = p->dentry->inode;
	const struct creds *c = vfs_task_creds(t);
	int err;

	switch (i->mode & LINUX_S_IFMT) {
	case LINUX_S_IFLNK:
		return -ELOOP;
	case LINUX_S_IFDIR:
		if (acc & MAY_WRITE)
			return -EISDIR;
		if (acc & MAY_EXEC)
			return -EACCES;
		break;
	case LINUX_S_IFBLK:
	case LINUX_S_IFCHR:
		if (p->mnt && (p->mnt->flags & MNT_NODEV))
			return -EACCES;
		/* fallthrough */
	case LINUX_S_IFIFO:
	case LINUX_S_IFSOCK:
		if (acc & MAY_EXEC)
			return -EACCES;
		*flags &= ~LINUX_O_TRUNC;
		break;
	case LINUX_S_IFREG:
		if ((acc & MAY_EXEC) && p->mnt && (p->mnt->flags & MNT_NOEXEC))
			return -EACCES;
		break;
	}
	err = vfs_permission(p->mnt, i, acc, c);
	if (err)
		return err;
	if ((*flags & LINUX_O_NOATIME) && c->fsuid != i->uid &&
	    !((c->cap_effective >> LINUX_CAP_FOWNER) & 1))
		return -EPERM;
	return 0;
}

/* The access mask an open asks for (build_open_flags). */
static int open_acc_mode(uint32_t flags)
{
	static const int acc[4] = {MAY_READ, MAY_WRITE, MAY_READ | MAY_WRITE,
				   MAY_READ | MAY_WRITE};
	int a = acc[flags & LINUX_O_ACCMODE];

	if (flags & LINUX_O_TRUNC)
		a |= MAY_WRITE;
	if (flags & LINUX_O_APPEND)
		a |= MAY_APPEND;
	return a;
}

/* Open an existing, resolved object: checks, the file, then truncation
 * (do_open's order: watchers see IN_OPEN before the truncation's
 * IN_MODIFY, and a failed truncation closes the file again). */
static int open_existing(struct task *t, const struct path *p, uint32_t flags,
			 bool created, struct file **out)
{
	bool trunc = false;
	int err;

	if (!(flags & LINUX_O_PATH)) {
		if (!created) {
			err = may_open(t, p, open_acc_mode(flags), &flags);
			if (err)
				return err;
		}
		trunc = (flags & LINUX_O_TRUNC) && !created &&
			LINUX_S_ISREG(p->dentry->inode->mode);
		if (trunc) {
			err = vfs_mnt_want_write(p->mnt);
			if (err)
				return err;
		}
	}
	err = file_new(p, flags, out);
	if (err)
		return err;
	fsnotify_open(*out);
	if (trunc) {
		err = vfs_truncate_open(t, p);
		if (err) {
			file_put(*out);
			*out = NULL;
		}
	}
	return err;
}

int vfs_open_path(struct task *t, const struct path *p, uint32_t flags,
		  struct file **out)
{
	return open_existing(t, p, flags, false, out);
}

/* Create the regular file `last` in parent (O_CREAT when it is absent). */
static int open_create(struct task *t, struct path *parent,
		       const struct lookup_last *last, uint32_t mode,
		       struct path *out)
{
	struct inode *dir = parent->dentry->inode, *i;
	const struct creds *c = vfs_task_creds(t);
	struct dentry *d;
	int err;

	err = vfs_mnt_want_write(parent->mnt);
	if (err)
		return err;
	if (parent->dentry->flags & DENTRY_DELETED)
		return -ENOENT;
	err = vfs_permission(parent->mnt, dir, MAY_WRITE | MAY_EXEC, c);
	if (err)
		return err;
	if (!dir->ops || !dir->ops->create)
		return -EACCES;
	mode = (mode & 07777 & ~t->fs->umask) | LINUX_S_IFREG;
	err = dir->ops->create(dir, last->name, mode, c, &i);
	if (err)
		return err;
	fsnotify_create(dir, last->name, i);
	err = d_alloc(parent->dentry, last->name, i, &d);
	if (err) {
		inode_put(i);
		return err;
	}
	out->mnt = parent->mnt;
	mnt_get(out->mnt);
	out->dentry = d;
	return 0;
}

/* open(O_CREAT): the parent, then the name: create it, or open what is
 * there (following a final symlink to create its target). */
static int open_creat(struct task *t, int dirfd, const char *path,
		      uint32_t flags, uint32_t mode, int lflags,
		      struct file **out)
{
	struct lookup_last last;
	struct path parent, p = {0}, root = {0};
	bool created = false;
	int links = 0, err;

	if (lflags & LOOKUP_SCOPED) {
		err = vfs_lookup_root(t, dirfd, path, lflags, &root);
		if (err)
			return err;
	}
	err = vfs_lookup_parent(t, dirfd, path, lflags, &parent, &last);
	if (err) {
		path_put(&root);
		return err;
	}
	for (;;) {
		if (last.type != LAST_NORM || last.trailing_slash) {
			err = -EISDIR;
			break;
		}
		err = vfs_walk_one(&parent, last.name, &p);
		if (err == -ENOENT) {
			err = open_create(t, &parent, &last, mode, &p);
			created = !err;
			break;
		}
		if (err)
			break;
		if ((lflags & LOOKUP_NO_XDEV) && p.mnt != parent.mnt) {
			err = -EXDEV;
			break;
		}
		if (flags & LINUX_O_EXCL) {
			err = -EEXIST;
			break;
		}
		if (!LINUX_S_ISLNK(p.dentry->inode->mode))
			break;
		if ((flags & LINUX_O_NOFOLLOW) ||
		    (lflags & LOOKUP_NO_SYMLINKS)) {
			err = -ELOOP;
			break;
		}
		if (p.dentry->inode->ops && p.dentry->inode->ops->follow) {
			/* A magic link: open what it points at. */
			struct path jump;

			err = p.dentry->inode->ops->follow(p.dentry->inode, t,
							   &jump);
			path_put(&p);
			if (!err) {
				p = jump;
				err = vfs_may_jump_link(lflags, parent.mnt, &p);
			}
			break;
		}
		err = vfs_follow_create_link(t, &parent, p.dentry->inode, &last,
					     &links, lflags,
					     root.mnt ? &root : NULL);
		path_put(&p);
		if (err)
			break;
	}
	path_put(&parent);
	path_put(&root);
	if (err) {
		path_put(&p);
		return err;
	}
	if (!created && LINUX_S_ISDIR(p.dentry->inode->mode))
		err = -EISDIR;
	else
		err = open_existing(t, &p, flags, created, out);
	path_put(&p);
	return err;
}

/* The nameless dentry of an O_TMPFILE inode: a child of the directory
 * it was made in, never hashed, "#ino (deleted)" in its path. */
static int tmpfile_dentry(const struct path *dir, struct inode *i,
			  struct path *out)
{
	char name[32];
	struct dentry *d;
	int err;

	snprintf(name, sizeof(name), "#%llu", (unsigned long long)i->ino);
	err = d_alloc(dir->dentry, name, i, &d);
	if (err)
		return err;
	d_drop(d, true);
	out->mnt = dir->mnt;
	mnt_get(out->mnt);
	out->dentry = d;
	return 0;
}

/* O_TMPFILE (do_tmpfile + vfs_tmpfile): an unnamed regular file in the
 * directory at `path`, which linkat can name later unless O_EXCL. */
static int open_tmpfile(struct task *t, int dirfd, const char *path,
			uint32_t flags, uint32_t mode, int lflags,
			struct file **out)
{
	const struct creds *c = vfs_task_creds(t);
	int lf = LOOKUP_DIRECTORY | lflags, err;
	struct path dir, p = {0};
	struct inode *di, *i;

	if (!(flags & LINUX_O_NOFOLLOW))
		lf |= LOOKUP_FOLLOW;
	err = vfs_lookup(t, dirfd, path, lf, &dir);
	if (err)
		return err;
	di = dir.dentry->inode;
	err = vfs_mnt_want_write(dir.mnt);
	if (!err)
		err = vfs_permission(dir.mnt, di, MAY_WRITE | MAY_EXEC, c);
	if (!err && (!di->ops || !di->ops->tmpfile))
		err = -EOPNOTSUPP;
	if (err)
		goto out;
	mode = (mode & 07777 & ~t->fs->umask) | LINUX_S_IFREG;
	err = di->ops->tmpfile(di, mode, c, &i);
	if (err)
		goto out;
	err = tmpfile_dentry(&dir, i, &p);
	if (err) {
		inode_put(i);
		goto out;
	}
	err = file_new(&p, flags, out);
	if (!err)
		fsnotify_open(*out);
	if (!err && !(flags & LINUX_O_EXCL))
		i->iflags |= INODE_LINKABLE;
out:
	path_put(&p);
	path_put(&dir);
	return err;
}

int vfs_open(struct task *t, int dirfd, const char *path, uint32_t flags,
	     uint32_t mode, struct file **out)
{
	return vfs_open_resolve(t, dirfd, path, flags, mode, 0, out);
}

int vfs_open_resolve(struct task *t, int dirfd, const char *path,
		     uint32_t flags, uint32_t mode, int lflags,
		     struct file **out)
{
	struct path p;
	int lf = lflags, err;

	if (flags & LINUX_O_PATH)
		flags &= LINUX_O_PATH | LINUX_O_DIRECTORY | LINUX_O_NOFOLLOW |
			 LINUX_O_CLOEXEC;
	if ((flags & LINUX___O_TMPFILE) && !(flags & LINUX_O_PATH)) {
		/* build_open_flags: O_DIRECTORY without O_CREAT, and an
		 * access mode that includes writing (3 does, as Linux's
		 * ACC_MODE table says). */
		if ((flags & LINUX_O_TMPFILE) != LINUX_O_TMPFILE ||
		    !(flags & LINUX_O_ACCMODE) || (flags & LINUX_O_CREAT))
			return -EINVAL;
		return open_tmpfile(t, dirfd, path, flags, mode, lflags, out);
	}
	/* Linux 6.4+: O_CREAT|O_DIRECTORY is meaningless. */
	if ((flags & (LINUX_O_CREAT | LINUX_O_DIRECTORY)) ==
	    (LINUX_O_CREAT | LINUX_O_DIRECTORY))
		return -EINVAL;
	if ((flags & LINUX_O_CREAT) && !(flags & LINUX_O_PATH))
		return open_creat(t, dirfd, path, flags, mode, lflags, out);
	if (!(flags & LINUX_O_NOFOLLOW))
		lf |= LOOKUP_FOLLOW;
	if (flags & LINUX_O_DIRECTORY)
		lf |= LOOKUP_DIRECTORY;
	err = vfs_lookup(t, dirfd, path, lf, &p);
	if (err)
		return err;
	err = open_existing(t, &p, flags, false, out);
	path_put(&p);
	return err;
}

ssize_t vfs_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	ssize_t ret;

	if (!(f->fmode & FMODE_READ))
		return -EBADF;
	if (LINUX_S_ISDIR(f->inode->mode))
		return -EISDIR;
	if (!f->ops->read)
		return -EINVAL;
	if (uio->resid == 0)
		return 0;
	ret = f->ops->read(f, uio, pos ? pos : &f->pos);
	if (ret > 0)
		fsnotify_access(f);
	return ret;
}

ssize_t vfs_write(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	ssize_t ret;

	if (!(f->fmode & FMODE_WRITE))
		return -EBADF;
	if (!f->ops->write)
		return -EINVAL;
	if (uio->resid == 0 && LINUX_S_ISREG(f->inode->mode))
		return 0;
	ret = f->ops->write(f, uio, pos ? pos : &f->pos);
	if (ret > 0)
		fsnotify_modify(f);
	return ret;
}

ssize_t vfs_file_pread(struct file *f, void *buf, size_t len, uint64_t off)
{
	struct linux_iovec seg;
	struct vfs_uio uio;
	int64_t pos = (int64_t)off;
	size_t done = 0;

	if ((int64_t)off < 0)
		return -EINVAL;
	if (!f->ops->read)
		return -EINVAL;
	vfs_uio_init_sentry(&uio, &seg, buf, len);
	/* Short reads before EOF are legal: loop until EOF or full. */
	while (uio.resid) {
		ssize_t n = f->ops->read(f, &uio, &pos);

		if (n < 0)
			return done ? (ssize_t)done : n;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int64_t vfs_generic_llseek(struct file *f, int64_t off, int whence)
{
	int64_t size = (int64_t)f->inode->size, base;

	switch (whence) {
	case LINUX_SEEK_SET:
		base = 0;
		break;
	case LINUX_SEEK_CUR:
		base = f->pos;
		break;
	case LINUX_SEEK_END:
		base = size;
		break;
	case LINUX_SEEK_DATA:
		if (off < 0 || off >= size)
			return -ENXIO;
		f->pos = off;
		return off;
	case LINUX_SEEK_HOLE:
		if (off < 0 || off >= size)
			return -ENXIO;
		f->pos = size;
		return size;
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, off, &base) || base < 0)
		return -EINVAL;
	f->pos = base;
	return base;
}

int64_t vfs_offset_llseek(struct file *f, int64_t off, int whence)
{
	switch (whence) {
	case LINUX_SEEK_SET:
		break;
	case LINUX_SEEK_CUR:
		if (__builtin_add_overflow(off, f->pos, &off))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (off < 0)
		return -EINVAL;
	f->pos = off;
	return off;
}

int64_t vfs_noop_llseek(struct file *f, int64_t off, int whence)
{
	(void)off;
	(void)whence;
	return f->pos;
}

bool vfs_dir_emit_dots(struct file *f, struct dir_ctx *ctx)
{
	struct dentry *d = f->path.dentry;

	if (ctx->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, d->inode->ino, LINUX_DT_DIR, 1))
			return false;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		if (!ctx->emit(ctx, "..", 2, d->parent->inode->ino,
			       LINUX_DT_DIR, 2))
			return false;
		ctx->pos = 2;
	}
	return true;
}

int vfs_getdents(struct file *f, struct dir_ctx *ctx)
{
	int err;

	if (!f->ops->getdents)
		return -ENOTDIR;
	if (f->path.dentry->flags & DENTRY_DELETED)
		return -ENOENT;
	ctx->pos = f->pos;
	err = f->ops->getdents(f, ctx);
	f->pos = ctx->pos;
	fsnotify_access(f); /* iterate_dir: whatever the result */
	return err;
}
