/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsnotify.c: marks and the delivery of VFS events to them (see
 * fsnotify.h), after fs/notify/fsnotify.c.
 *
 * Marks hang in a hash keyed by inode, so struct inode needs no field
 * for them; a mark holds a reference on its inode, which keeps the
 * pointer unique while it is hashed.
 */
#include <stdint.h>
#include <stdlib.h>

#include "sentry/vfs/fsnotify.h"
#include "sentry/vfs/internal.h"

#define MARK_HASH_SIZE 1024u

/* Events a directory's watchers hear about its children. */
#define EVENTS_ON_CHILD                                                        \
	(LINUX_IN_ACCESS | LINUX_IN_MODIFY | LINUX_IN_ATTRIB |                 \
	 LINUX_IN_CLOSE_WRITE | LINUX_IN_CLOSE_NOWRITE | LINUX_IN_OPEN)

LIST_HEAD(mark_list, fsnotify_mark);
static struct mark_list marks[MARK_HASH_SIZE];
static unsigned long nmarks;
static uint32_t move_cookie;

static struct mark_list *bucket(const struct inode *i)
{
	uint64_t h = (uintptr_t)i * 0x9e3779b97f4a7c15ULL;

	return &marks[(h >> 40) & (MARK_HASH_SIZE - 1)];
}

void fsnotify_add_mark(struct fsnotify_mark *m, struct inode *i)
{
	inode_get(i);
	m->inode = i;
	LIST_INSERT_HEAD(bucket(i), m, link);
	nmarks++;
}

void fsnotify_remove_mark(struct fsnotify_mark *m)
{
	struct inode *i = m->inode;

	LIST_REMOVE(m, link);
	nmarks--;
	m->inode = NULL;
	inode_put(i);
}

struct fsnotify_mark *fsnotify_find_mark(struct inode *i, void *group)
{
	struct fsnotify_mark *m;

	LIST_FOREACH(m, bucket(i), link)
	if (m->inode == i && m->group == group)
		return m;
	return NULL;
}

static uint32_t isdir(const struct inode *i)
{
	return i && LINUX_S_ISDIR(i->mode) ? LINUX_IN_ISDIR : 0;
}

/* Hand `mask` to the marks on i that want it. `unlinked`: the event
 * concerns a file by an unlinked name (IN_EXCL_UNLINK marks skip it).
 * A mark may go while it handles the event (IN_ONESHOT). */
static void send(struct inode *i, uint32_t mask, const char *name,
		 uint32_t cookie, bool unlinked)
{
	struct fsnotify_mark *m, *next;

	for (m = LIST_FIRST(bucket(i)); m; m = next) {
		next = LIST_NEXT(m, link);
		/* Every mark hears of its unmount (inotify_arg_to_mask). */
		if (m->inode != i ||
		    !((m->mask | LINUX_IN_UNMOUNT) & mask & ~LINUX_IN_ISDIR))
			continue;
		if (unlinked && (m->flags & FSNOTIFY_MARK_EXCL_UNLINK))
			continue;
		m->ops->event(m, mask, name, cookie);
	}
}

/* A file event: the directory's watchers first (with the name), then
 * the file's own (fsnotify_handle_event's order). */
static void file_event(struct dentry *d, uint32_t mask, bool by_path)
{
	struct inode *i = d->inode;
	bool unlinked;

	if (!nmarks)
		return;
	mask |= isdir(i);
	unlinked = by_path && !(d->flags & DENTRY_ROOT) && !d_hashed(d);
	if (!(d->flags & DENTRY_ROOT) && (mask & EVENTS_ON_CHILD) &&
	    LINUX_S_ISDIR(d->parent->inode->mode))
		send(d->parent->inode, mask, d->name, 0, unlinked);
	send(i, mask, NULL, 0, unlinked);
}

/* Files opened by path (not O_PATH ones) report their I/O. */
static bool notifies(const struct file *f)
{
	return nmarks && f && !(f->fmode & FMODE_PATH);
}

void fsnotify_access(struct file *f)
{
	if (notifies(f))
		file_event(f->path.dentry, LINUX_IN_ACCESS, true);
}

void fsnotify_modify(struct file *f)
{
	if (notifies(f))
		file_event(f->path.dentry, LINUX_IN_MODIFY, true);
}

void fsnotify_open(struct file *f)
{
	if (notifies(f))
		file_event(f->path.dentry, LINUX_IN_OPEN, true);
}

void fsnotify_close(struct file *f)
{
	/* A description whose open failed (no ops) was never opened. */
	if (notifies(f) && f->ops)
		file_event(f->path.dentry,
			   (f->fmode & FMODE_WRITE) ? LINUX_IN_CLOSE_WRITE
						    : LINUX_IN_CLOSE_NOWRITE,
			   true);
}

void fsnotify_change(struct dentry *d, unsigned v)
{
	uint32_t mask = 0;

	if (!nmarks)
		return;
	if (v & (ATTR_UID | ATTR_GID | ATTR_MODE))
		mask |= LINUX_IN_ATTRIB;
	if (v & ATTR_SIZE)
		mask |= LINUX_IN_MODIFY;
	/* Both times is utimes(2); one alone reads as access or write. */
	if ((v & (ATTR_ATIME | ATTR_MTIME)) == (ATTR_ATIME | ATTR_MTIME))
		mask |= LINUX_IN_ATTRIB;
	else if (v & ATTR_ATIME)
		mask |= LINUX_IN_ACCESS;
	else if (v & ATTR_MTIME)
		mask |= LINUX_IN_MODIFY;
	if (mask)
		file_event(d, mask, false);
}

void fsnotify_xattr(struct dentry *d)
{
	file_event(d, LINUX_IN_ATTRIB, false);
}

void fsnotify_link_count(struct inode *i)
{
	if (nmarks)
		send(i, LINUX_IN_ATTRIB | isdir(i), NULL, 0, false);
}

void fsnotify_create(struct inode *dir, const char *name, struct inode *i)
{
	if (nmarks)
		send(dir, LINUX_IN_CREATE | isdir(i), name, 0, false);
}

void fsnotify_delete(struct inode *dir, const char *name, bool dir_victim)
{
	if (nmarks)
		send(dir, LINUX_IN_DELETE | (dir_victim ? LINUX_IN_ISDIR : 0),
		     name, 0, false);
}

void fsnotify_move(struct inode *odir, const char *oname, struct inode *ndir,
		   const char *nname, struct inode *moved, struct inode *target)
{
	uint32_t cookie, d = isdir(moved);

	if (!nmarks)
		return;
	/* One cookie per move, never 0 (fsnotify_get_cookie). */
	cookie = ++move_cookie ? move_cookie : ++move_cookie;
	send(odir, LINUX_IN_MOVED_FROM | d, oname, cookie, false);
	send(ndir, LINUX_IN_MOVED_TO | d, nname, cookie, false);
	if (target)
		fsnotify_link_count(target);
	/* inotify never reported IN_ISDIR with the self events. */
	send(moved, LINUX_IN_MOVE_SELF, NULL, 0, false);
}

/* Every mark on i goes, each backend told. */
static void marks_free(struct inode *i)
{
	struct fsnotify_mark *m, *next;

	for (m = LIST_FIRST(bucket(i)); m; m = next) {
		next = LIST_NEXT(m, link);
		if (m->inode != i)
			continue;
		/* The inode may lose its last reference with the mark. */
		inode_get(i);
		fsnotify_remove_mark(m);
		m->ops->freed(m);
		next = LIST_FIRST(bucket(i));
		inode_put(i);
	}
}

void fsnotify_inoderemove(struct inode *i)
{
	if (!nmarks)
		return;
	send(i, LINUX_IN_DELETE_SELF, NULL, 0, false);
	marks_free(i);
}

void fsnotify_unmount(struct superblock *sb)
{
	if (!nmarks)
		return;
	for (unsigned b = 0; b < MARK_HASH_SIZE; b++) {
		struct fsnotify_mark *m;

		/* Each pass frees the first mark of sb found, restarting
		 * the bucket: handlers change the list. */
		for (m = LIST_FIRST(&marks[b]); m;) {
			struct inode *i = m->inode;

			if (i->sb != sb) {
				m = LIST_NEXT(m, link);
				continue;
			}
			inode_get(i);
			send(i, LINUX_IN_UNMOUNT, NULL, 0, false);
			marks_free(i);
			inode_put(i);
			m = LIST_FIRST(&marks[b]);
		}
	}
}
