/* SPDX-License-Identifier: Apache-2.0 */
/*
 * goferfs_dir.c: listing directories of the Gofer's tree.
 *
 * The Gofer's cookies are the host filesystem's (hashes on ext4, up to
 * 2^63 - 1) and cannot double as guest offsets next to "." (0) and ".."
 * (1). So an open directory fetches its whole listing at the first
 * getdents, as gVisor does, and the guest's offset is an index into it:
 * telldir/seekdir are exact, and rewinding (an offset of 0) fetches anew.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "lib/log.h"
#include "sentry/abi/dirent.h"
#include "sentry/fs/goferfs_int.h"

/* A compromised Gofer could list forever: bound what one listing may
 * hold. */
#define GOFERFS_DIR_MAX_ENTRIES (1u << 20)
#define GOFERFS_DIR_MAX_NAMES (64u << 20)

struct dir_entry {
	uint64_t ino;
	uint32_t name;    /* offset in names */
	uint8_t namelen;
	uint8_t type;
};

struct dir_list {
	struct dir_entry *v;
	uint32_t n, cap;
	char *names;
	size_t names_len, names_cap;
};

static void dir_list_free(struct dir_list *l)
{
	if (!l)
		return;
	free(l->v);
	free(l->names);
	free(l);
}

/* Append one checked record (the client validated every name). */
static int dir_list_add(struct dir_list *l, const struct gofer_dirent_view *v)
{
	if (l->n >= GOFERFS_DIR_MAX_ENTRIES ||
	    l->names_len + v->namelen + 1 > GOFERFS_DIR_MAX_NAMES) {
		log_warn("goferfs: a directory listing past %u entries; "
			 "refused", GOFERFS_DIR_MAX_ENTRIES);
		return -EIO;
	}
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? 2 * l->cap : 64;
		struct dir_entry *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	if (l->names_len + v->namelen + 1 > l->names_cap) {
		size_t cap = l->names_cap ? 2 * l->names_cap : 4096;
		char *nn;

		while (cap < l->names_len + v->namelen + 1)
			cap *= 2;
		nn = realloc(l->names, cap);
		if (!nn)
			return -ENOMEM;
		l->names = nn;
		l->names_cap = cap;
	}
	memcpy(l->names + l->names_len, v->name, v->namelen + 1);
	l->v[l->n++] = (struct dir_entry){
		.ino = v->ino,
		.name = (uint32_t)l->names_len,
		.namelen = (uint8_t)v->namelen,
		/* DT_* values are Linux's on both sides. */
		.type = v->type <= 14 ? (uint8_t)v->type : LINUX_DT_UNKNOWN,
	};
	l->names_len += v->namelen + 1;
	return 0;
}

/* Fetch the whole listing of a directory node. */
static int dir_fetch(struct inode *dir, struct dir_list **out)
{
	struct dir_list *l = calloc(1, sizeof(*l));
	char *buf = malloc(GOFER_MSG_MAX);
	uint64_t cookie = 0;
	long n;
	int err = 0;

	if (!l || !buf) {
		err = -ENOMEM;
		goto out;
	}
	while ((n = gofer_getdents(goferfs_client(dir), goferfs_i(dir)->node,
				   cookie, buf, GOFER_MSG_MAX)) > 0) {
		struct gofer_dirent_view v;
		size_t off = 0;

		while (!err && gofer_dirent_next(buf, (size_t)n, &off, &v)) {
			err = dir_list_add(l, &v);
			cookie = v.next;
		}
		if (err)
			goto out;
	}
	if (n < 0)
		err = goferfs_err((int)n);
out:
	free(buf);
	if (err) {
		dir_list_free(l);
		return err;
	}
	*out = l;
	return 0;
}

/* ".", "..", then the fetched entries: entry k is at offset k + 2. */
static int goferfs_getdents(struct file *f, struct dir_ctx *ctx)
{
	struct dir_list *l;

	if (!vfs_dir_emit_dots(f, ctx))
		return 0;
	if (!f->priv) {
		int err = dir_fetch(f->inode, &l);

		if (err)
			return err;
		f->priv = l;
	}
	l = f->priv;
	for (uint64_t k = (uint64_t)ctx->pos - 2; k < l->n; k++) {
		const struct dir_entry *e = &l->v[k];

		if (!ctx->emit(ctx, l->names + e->name, e->namelen, e->ino,
			       e->type, (int64_t)k + 3))
			return 0;
		ctx->pos = (int64_t)k + 3;
	}
	return 0;
}

/* Offsets are indexes: any non-negative one is a position; 0 rewinds and
 * drops the fetched listing. */
static int64_t goferfs_dir_llseek(struct file *f, int64_t off, int whence)
{
	off = vfs_offset_llseek(f, off, whence);
	if (off < 0)
		return off;
	if (off == 0) {
		dir_list_free(f->priv);
		f->priv = NULL;
	}
	f->pos = off;
	return off;
}

static void goferfs_dir_release(struct file *f)
{
	dir_list_free(f->priv);
	f->priv = NULL;
}

const struct file_ops goferfs_dir_fops = {
	.llseek = goferfs_dir_llseek,
	.getdents = goferfs_getdents,
	.release = goferfs_dir_release,
};
