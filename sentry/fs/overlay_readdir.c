/* SPDX-License-Identifier: Apache-2.0 */
/*
 * overlay_readdir.c: listing overlay directories. A directory's listing
 * is the upper directory's entries (whiteouts left out) followed by the
 * lower directory's entries whose names the upper does not have (as an
 * entry or a whiteout), unless the directory is opaque. It is built once
 * per open description at the first getdents, as goferfs does, and the
 * guest's offsets are indexes into it: telldir/seekdir are exact, and
 * rewinding (offset 0) builds it anew. Inode numbers are the ones stat
 * gives (overlay_int.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/dirent.h"
#include "sentry/fs/overlay_int.h"
#include "sentry/fs/tmpfs_ovl.h"

struct ovl_dirent {
	uint64_t ino;
	unsigned type;
	char *name;
};

/* A listing, and the set of names the upper layer claims (a small open
 * hash of indexes into `names`). */
struct ovl_dirlist {
	struct ovl_dirent *v;
	size_t n, cap;
	char **names; /* every upper name, whiteouts included */
	size_t nnames, names_cap;
	size_t *hash; /* slots: index + 1 into names, 0 free */
	size_t hash_cap;
	struct superblock *sb;
};

static void dirlist_free(struct ovl_dirlist *l)
{
	if (!l)
		return;
	for (size_t k = 0; k < l->n; k++)
		free(l->v[k].name);
	for (size_t k = 0; k < l->nnames; k++)
		free(l->names[k]);
	free(l->v);
	free(l->names);
	free(l->hash);
	free(l);
}

static size_t name_hash(const char *s)
{
	size_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Rehash into a table twice the names' count (at least 64 slots). */
static int grow_hash(struct ovl_dirlist *l)
{
	size_t cap = l->hash_cap ? 2 * l->hash_cap : 64;
	size_t *h = calloc(cap, sizeof(*h));

	if (!h)
		return -ENOMEM;
	for (size_t k = 0; k < l->nnames; k++) {
		size_t s = name_hash(l->names[k]) & (cap - 1);

		while (h[s])
			s = (s + 1) & (cap - 1);
		h[s] = k + 1;
	}
	free(l->hash);
	l->hash = h;
	l->hash_cap = cap;
	return 0;
}

static bool upper_has(const struct ovl_dirlist *l, const char *name)
{
	if (!l->hash_cap)
		return false;
	for (size_t s = name_hash(name) & (l->hash_cap - 1); l->hash[s];
	     s = (s + 1) & (l->hash_cap - 1))
		if (!strcmp(l->names[l->hash[s] - 1], name))
			return true;
	return false;
}

static int claim_name(struct ovl_dirlist *l, const char *name)
{
	size_t s;

	if (2 * (l->nnames + 1) > l->hash_cap && grow_hash(l))
		return -ENOMEM;
	if (l->nnames == l->names_cap) {
		size_t cap = l->names_cap ? 2 * l->names_cap : 32;
		char **nv = realloc(l->names, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->names = nv;
		l->names_cap = cap;
	}
	l->names[l->nnames] = strdup(name);
	if (!l->names[l->nnames])
		return -ENOMEM;
	s = name_hash(name) & (l->hash_cap - 1);
	while (l->hash[s])
		s = (s + 1) & (l->hash_cap - 1);
	l->hash[s] = ++l->nnames;
	return 0;
}

static int add_entry(struct ovl_dirlist *l, const char *name, size_t len,
		     uint64_t ino, unsigned type)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 32;
		struct ovl_dirent *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n].name = strndup(name, len);
	if (!l->v[l->n].name)
		return -ENOMEM;
	l->v[l->n].ino = ino;
	l->v[l->n].type = type;
	l->n++;
	return 0;
}

/* An upper entry: claimed, and listed unless it is a whiteout. */
static int upper_entry(void *arg, const char *name, struct inode *u)
{
	struct ovl_dirlist *l = arg;
	int err = claim_name(l, name);

	if (err || ovl_is_whiteout(u))
		return err;
	return add_entry(l, name, strlen(name), ovl_upper_ino(l->sb, u),
			 linux_mode_to_dtype(u->mode));
}

/* The lower directory's getdents emits here. */
struct lower_ctx {
	struct dir_ctx ctx;
	struct ovl_dirlist *l;
	uint64_t dev; /* the lower directory's st_dev */
	int err;
};

static bool lower_emit(struct dir_ctx *ctx, const char *name, size_t len,
		       uint64_t ino, unsigned type, int64_t next)
{
	struct lower_ctx *c = (struct lower_ctx *)ctx;
	char buf[LINUX_NAME_MAX + 1];

	(void)next;
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	if (len > LINUX_NAME_MAX)
		return true;
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (upper_has(c->l, buf))
		return true;
	c->err = add_entry(c->l, buf, len, ovl_xino(c->l->sb, c->dev, ino),
			   type);
	return c->err == 0;
}

/* Read the whole lower directory into the listing. */
static int list_lower(struct ovl_dirlist *l, struct inode *lower)
{
	struct lower_ctx c = { .ctx = { .emit = lower_emit },
			       .l = l,
			       .dev = ovl_layer_dev(lower) };
	struct file *f;
	int err = ovl_layer_open(lower, LINUX_O_RDONLY | LINUX_O_DIRECTORY,
				 &f);

	if (err)
		return err;
	if (!f->ops->getdents) {
		file_put(f);
		return -ENOTDIR;
	}
	/* A getdents call stops only when the emitter refuses (an error
	 * here) or at the end. */
	c.ctx.pos = 0;
	err = f->ops->getdents(f, &c.ctx);
	file_put(f);
	return err ? err : c.err;
}

static int dirlist_build(struct inode *dir, struct ovl_dirlist **out)
{
	struct ovl_inode *oi = OI(dir);
	struct ovl_dirlist *l = calloc(1, sizeof(*l));
	int err = 0;

	if (!l)
		return -ENOMEM;
	l->sb = dir->sb;
	if (oi->upper)
		err = tmpfs_ovl_foreach(oi->upper, upper_entry, l);
	if (!err && ovl_dir_merges(dir))
		err = list_lower(l, oi->lower);
	if (err) {
		dirlist_free(l);
		return err;
	}
	*out = l;
	return 0;
}

int ovl_dir_empty(struct inode *dir)
{
	struct ovl_dirlist *l;
	int err = dirlist_build(dir, &l);

	if (err)
		return err;
	err = l->n == 0;
	dirlist_free(l);
	return err;
}

/* Collect the whiteout names of an upper directory. */
static int whiteout_name(void *arg, const char *name, struct inode *u)
{
	return ovl_is_whiteout(u) ? claim_name(arg, name) : 0;
}

int ovl_clear_whiteouts(struct inode *udir)
{
	struct ovl_dirlist *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return -ENOMEM;
	/* Opaque first: if the removal or rename that follows fails, the
	 * lower entries the whiteouts hid stay hidden. */
	tmpfs_ovl_set_opaque(udir, true);
	err = tmpfs_ovl_foreach(udir, whiteout_name, l);
	for (size_t k = 0; !err && k < l->nnames; k++) {
		struct inode *u;

		err = udir->ops->lookup(udir, l->names[k], &u);
		if (!err) {
			err = udir->ops->unlink(udir, l->names[k], u);
			inode_put(u);
		}
	}
	dirlist_free(l);
	return err;
}

/* ".", "..", then the listing: entry k is at offset k + 2. */
static int ovl_getdents(struct file *f, struct dir_ctx *ctx)
{
	struct ovl_dirlist *l;

	if (!vfs_dir_emit_dots(f, ctx))
		return 0;
	if (!f->priv) {
		int err = dirlist_build(f->inode, &l);

		if (err)
			return err;
		f->priv = l;
	}
	l = f->priv;
	for (uint64_t k = (uint64_t)ctx->pos - 2; k < l->n; k++) {
		const struct ovl_dirent *e = &l->v[k];

		if (!ctx->emit(ctx, e->name, strlen(e->name), e->ino, e->type,
			       (int64_t)k + 3))
			return 0;
		ctx->pos = (int64_t)k + 3;
	}
	return 0;
}

/* Offsets are indexes: any non-negative one is a position; 0 rewinds and
 * drops the listing, so the next getdents sees the directory as it is. */
static int64_t ovl_dir_llseek(struct file *f, int64_t off, int whence)
{
	off = vfs_offset_llseek(f, off, whence);
	if (off < 0)
		return off;
	if (off == 0) {
		dirlist_free(f->priv);
		f->priv = NULL;
	}
	f->pos = off;
	return off;
}

/* Directories of the upper layer live in memory: nothing to write back. */
static int ovl_dir_fsync(struct file *f, bool datasync)
{
	(void)f, (void)datasync;
	return 0;
}

static void ovl_dir_release(struct file *f)
{
	dirlist_free(f->priv);
	f->priv = NULL;
}

const struct file_ops ovl_dir_fops = {
	.llseek = ovl_dir_llseek,
	.getdents = ovl_getdents,
	.fsync = ovl_dir_fsync,
	.release = ovl_dir_release,
};
