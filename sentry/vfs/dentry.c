/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dentry.c: the dentry cache: a hash of (parent, name) -> dentry and an LRU
 * of unused dentries.
 *
 * A dentry references its parent and its inode, so a cached subtree pins
 * its ancestors and unused dentries can only be leaves; evicting the LRU's
 * oldest entries frees leaves first, which may make their parents unused.
 * The cache is bounded so that a walk over a large tree (find /) cannot
 * hold every Gofer file the guest ever looked at.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/vfs/fsnotify.h"
#include "sentry/vfs/internal.h"

#define DCACHE_BUCKETS (1u << 14)
#define DCACHE_MAX_UNUSED 8192

LIST_HEAD(dentry_list, dentry);
static struct dentry_list dcache[DCACHE_BUCKETS];
static TAILQ_HEAD(, dentry) dcache_lru = TAILQ_HEAD_INITIALIZER(dcache_lru);
static unsigned dcache_unused;

/* FNV-1a of the name mixed with the parent's address. */
static unsigned d_hash(const struct dentry *parent, const char *name)
{
	uint64_t h = 1469598103934665603ULL ^ ((uintptr_t)parent >> 4);

	for (; *name; name++) {
		h ^= (unsigned char)*name;
		h *= 1099511628211ULL;
	}
	return (unsigned)(h ^ (h >> 29)) & (DCACHE_BUCKETS - 1);
}

bool d_hashed(const struct dentry *d)
{
	return d->hash_link.le_prev != NULL;
}

static void d_unhash(struct dentry *d)
{
	if (d_hashed(d)) {
		LIST_REMOVE(d, hash_link);
		d->hash_link.le_prev = NULL;
	}
}

static void d_hash_insert(struct dentry *d)
{
	LIST_INSERT_HEAD(&dcache[d_hash(d->parent, d->name)], d, hash_link);
}

static void lru_remove(struct dentry *d)
{
	TAILQ_REMOVE(&dcache_lru, d, lru_link);
	dcache_unused--;
}

/* Free an unused dentry; returns its parent, whose reference the caller
 * must drop (NULL for a root). */
static struct dentry *d_free(struct dentry *d)
{
	struct dentry *parent = d->parent == d ? NULL : d->parent;

	d_unhash(d);
	if (parent)
		parent->nchildren--;
	/* The last name of a removed file goes (dentry_unlink_inode). */
	if (!d->inode->nlink)
		fsnotify_inoderemove(d->inode);
	inode_put(d->inode);
	free(d->name);
	free(d);
	return parent;
}

void dget(struct dentry *d)
{
	if (d->refs++ == 0 && !(d->flags & DENTRY_ROOT) && d_hashed(d))
		lru_remove(d);
}

/* Evict the oldest unused dentries beyond the cache bound. */
static void d_prune(void)
{
	while (dcache_unused > DCACHE_MAX_UNUSED) {
		struct dentry *d = TAILQ_FIRST(&dcache_lru);

		lru_remove(d);
		dput(d_free(d));
	}
}

void dput(struct dentry *d)
{
	while (d) {
		if (--d->refs)
			return;
		if (d->flags & DENTRY_ROOT) {
			/* A root goes with its superblock or pseudo file. */
			d_free(d);
			return;
		}
		if (d_hashed(d) && !(d->sb->flags & SB_NOCACHE) &&
		    !(d->flags & DENTRY_DELETED)) {
			TAILQ_INSERT_TAIL(&dcache_lru, d, lru_link);
			dcache_unused++;
			d_prune();
			return;
		}
		d = d_free(d);
	}
}

int d_alloc(struct dentry *parent, const char *name, struct inode *inode,
	    struct dentry **out)
{
	struct dentry *d = calloc(1, sizeof(*d));

	if (!d || !(d->name = strdup(name))) {
		free(d);
		return -ENOMEM;
	}
	d->refs = 1;
	d->inode = inode;
	d->sb = parent->sb;
	d->parent = parent;
	dget(parent);
	parent->nchildren++;
	d_hash_insert(d);
	*out = d;
	return 0;
}

int d_alloc_root(struct superblock *sb, struct inode *inode, const char *name,
		 unsigned flags, struct dentry **out)
{
	struct dentry *d = calloc(1, sizeof(*d));

	if (!d || !(d->name = strdup(name))) {
		free(d);
		return -ENOMEM;
	}
	d->refs = 1;
	d->flags = flags | DENTRY_ROOT;
	d->inode = inode;
	d->sb = sb;
	d->parent = d;
	*out = d;
	return 0;
}

struct dentry *d_lookup(struct dentry *parent, const char *name)
{
	struct dentry *d;

	LIST_FOREACH(d, &dcache[d_hash(parent, name)], hash_link)
	if (d->parent == parent && !strcmp(d->name, name)) {
		dget(d);
		return d;
	}
	return NULL;
}

void d_drop(struct dentry *d, bool deleted)
{
	if (deleted)
		d->flags |= DENTRY_DELETED;
	if (d_hashed(d)) {
		d_unhash(d);
		if (d->refs == 0) {
			/* An unused cached dentry: free it now. */
			lru_remove(d);
			dput(d_free(d));
		}
	}
}

int d_move(struct dentry *d, struct dentry *newparent, const char *newname)
{
	char *name = strdup(newname);
	struct dentry *old = d->parent;

	if (!name)
		return -ENOMEM;
	d_unhash(d);
	free(d->name);
	d->name = name;
	if (newparent != old) {
		dget(newparent);
		newparent->nchildren++;
		d->parent = newparent;
		old->nchildren--;
		dput(old);
	}
	d_hash_insert(d);
	return 0;
}

void d_exchange(struct dentry *a, struct dentry *b)
{
	struct dentry *pa = a->parent;
	char *na = a->name;

	/* Each keeps the reference on its parent it holds: swapping the
	 * parents swaps the references with them. */
	d_unhash(a);
	d_unhash(b);
	a->name = b->name;
	a->parent = b->parent;
	b->name = na;
	b->parent = pa;
	d_hash_insert(a);
	d_hash_insert(b);
}

void d_shrink_sb(struct superblock *sb)
{
	bool again = true;

	/* Freeing a leaf may put its parent on the LRU: repeat until no
	 * unused dentry of sb is left. */
	while (again) {
		struct dentry *d, *next;

		again = false;
		for (d = TAILQ_FIRST(&dcache_lru); d; d = next) {
			next = TAILQ_NEXT(d, lru_link);
			if (d->sb != sb)
				continue;
			lru_remove(d);
			dput(d_free(d));
			again = true;
			break;
		}
	}
}
