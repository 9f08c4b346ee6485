/* SPDX-License-Identifier: Apache-2.0 */
/*
 * goferfs_write.c: the namespace and attribute changes of a writable
 * goferfs instance (a host directory mounted writable), each one request
 * to the Gofer, which makes it on the host under the directory it serves.
 * On a read-only instance every one is EROFS (the VFS refuses them on the
 * mount first; this holds for any mount of it).
 *
 * What the Gofer answers is believed only as far as the client checked
 * it; a new node of an unexpected type is refused by
 * goferfs_inode_from_node. Attributes the host changes as a side effect
 * (a directory's mtime and link count, a file's ctime) are marked stale
 * and fetched again when next needed.
 */
#include <errno.h>
#include <unistd.h>

#include "gen/linux_flags.h"
#include "sentry/fs/goferfs_int.h"
#include "sentry/kernel/task.h"

static int check_rw(const struct inode *i)
{
	return goferfs_writable(i) ? 0 : -EROFS;
}

static void stale(struct inode *i)
{
	goferfs_i(i)->stale = true;
}

/* The owner a new file asks for: the fsuid, and the directory's group in
 * a set-group-ID directory (the host makes it so on its side too). */
static void new_owner(struct inode *dir, const struct creds *c, uint32_t *uid,
		      uint32_t *gid)
{
	goferfs_refresh(dir);
	*uid = c->fsuid;
	*gid = dir->mode & LINUX_S_ISGID ? dir->gid : c->fsgid;
}

/* A node-making reply becomes the new inode; the directory changed. */
static int made(struct inode *dir, int err, uint64_t node,
		const struct gofer_stat *st, struct inode **out)
{
	if (err)
		return goferfs_err(err);
	stale(dir);
	return goferfs_inode_from_node(dir->sb, node, st, out);
}

int goferfs_create(struct inode *dir, const char *name, uint32_t mode,
		   const struct creds *c, struct inode **out)
{
	struct gofer_stat st;
	uint32_t uid, gid;
	uint64_t node;
	int fd = check_rw(dir);

	if (fd)
		return fd;
	new_owner(dir, c, &uid, &gid);
	fd = gofer_create(goferfs_client(dir), goferfs_i(dir)->node, name,
			  GOFER_OPEN_READ | GOFER_OPEN_WRITE, mode & 07777, uid,
			  gid, &node, &st);
	if (fd < 0)
		return goferfs_err(fd);
	/* The open that follows gets its own host fd (shared from then on
	 * by the inode's descriptions). */
	close(fd);
	return made(dir, 0, node, &st, out);
}

int goferfs_mkdir(struct inode *dir, const char *name, uint32_t mode,
		  const struct creds *c, struct inode **out)
{
	struct gofer_stat st;
	uint32_t uid, gid;
	uint64_t node = 0;
	int err = check_rw(dir);

	if (err)
		return err;
	new_owner(dir, c, &uid, &gid);
	err = gofer_mkdir(goferfs_client(dir), goferfs_i(dir)->node, name,
			  mode & 07777, uid, gid, &node, &st);
	return made(dir, err, node, &st, out);
}

/* FIFOs and sockets (regular files come through create). No device
 * nodes: the Gofer would refuse them too, as a device node made in a host
 * directory is a host device for whoever finds it there. */
int goferfs_mknod(struct inode *dir, const char *name, uint32_t mode,
		  uint64_t rdev, const struct creds *c, struct inode **out)
{
	struct gofer_stat st;
	uint32_t uid, gid;
	uint64_t node = 0;
	int err = check_rw(dir);

	(void)rdev;
	if (err)
		return err;
	if (LINUX_S_ISCHR(mode) || LINUX_S_ISBLK(mode))
		return -EPERM;
	new_owner(dir, c, &uid, &gid);
	err = gofer_mknod(goferfs_client(dir), goferfs_i(dir)->node, name,
			  mode & (LINUX_S_IFMT | 07777), 0, uid, gid, &node, &st);
	return made(dir, err, node, &st, out);
}

int goferfs_symlink(struct inode *dir, const char *name, const char *target,
		    const struct creds *c, struct inode **out)
{
	struct gofer_stat st;
	uint32_t uid, gid;
	uint64_t node = 0;
	int err = check_rw(dir);

	if (err)
		return err;
	new_owner(dir, c, &uid, &gid);
	err = gofer_symlink(goferfs_client(dir), goferfs_i(dir)->node, name,
			    target, uid, gid, &node, &st);
	return made(dir, err, node, &st, out);
}

/* The VFS gives the new name the existing inode, so the node the Gofer
 * answers is dropped at once. */
int goferfs_link(struct inode *dir, const char *name, struct inode *target)
{
	struct gofer_stat st;
	uint64_t node;
	int err = check_rw(dir);

	if (err)
		return err;
	err = gofer_link(goferfs_client(dir), goferfs_i(dir)->node, name,
			 goferfs_i(target)->node, &node, &st);
	if (err)
		return goferfs_err(err);
	gofer_close(goferfs_client(dir), node);
	goferfs_set_attrs(target, &st);
	stale(dir);
	return 0;
}

static int remove_entry(struct inode *dir, const char *name,
			struct inode *victim, unsigned flags)
{
	int err = check_rw(dir);

	if (err)
		return err;
	err = gofer_unlink(goferfs_client(dir), goferfs_i(dir)->node, name,
			   flags);
	if (err)
		return goferfs_err(err);
	stale(dir);
	stale(victim);
	return 0;
}

int goferfs_unlink(struct inode *dir, const char *name, struct inode *victim)
{
	return remove_entry(dir, name, victim, 0);
}

int goferfs_rmdir(struct inode *dir, const char *name, struct inode *victim)
{
	return remove_entry(dir, name, victim, GOFER_UNLINK_DIR);
}

int goferfs_rename(struct inode *odir, const char *oname, struct inode *ndir,
		   const char *nname, struct inode *victim,
		   struct inode *target, unsigned flags)
{
	unsigned gf = 0;
	int err = check_rw(odir);

	if (err)
		return err;
	if (flags & LINUX_RENAME_NOREPLACE)
		gf |= GOFER_RENAME_NOREPLACE;
	if (flags & LINUX_RENAME_EXCHANGE)
		gf |= GOFER_RENAME_EXCHANGE;
	err = gofer_rename(goferfs_client(odir), goferfs_i(odir)->node, oname,
			   goferfs_i(ndir)->node, nname, gf);
	if (err)
		return goferfs_err(err);
	stale(odir);
	stale(ndir);
	stale(victim);
	if (target)
		stale(target);
	return 0;
}

/* The request of an iattr: ctime alone asks for nothing (the host sets
 * ctime with every change). */
static void setattr_req(const struct inode *i, const struct iattr *a,
			struct gofer_setattr_req *r)
{
	*r = (struct gofer_setattr_req){ .node = goferfs_i(i)->node };
	if (a->valid & ATTR_MODE) {
		r->mask |= GOFER_SETATTR_MODE;
		r->mode = a->mode & 07777;
	}
	if (a->valid & ATTR_UID) {
		r->mask |= GOFER_SETATTR_UID;
		r->uid = a->uid;
	}
	if (a->valid & ATTR_GID) {
		r->mask |= GOFER_SETATTR_GID;
		r->gid = a->gid;
	}
	if (a->valid & ATTR_SIZE) {
		r->mask |= GOFER_SETATTR_SIZE;
		r->size = a->size;
	}
	if (a->valid & ATTR_ATIME) {
		r->mask |= GOFER_SETATTR_ATIME;
		r->atime = (struct gofer_timespec){ a->atime.tv_sec,
						    a->atime.tv_nsec };
	}
	if (a->valid & ATTR_MTIME) {
		r->mask |= GOFER_SETATTR_MTIME;
		r->mtime = (struct gofer_timespec){ a->mtime.tv_sec,
						    a->mtime.tv_nsec };
	}
}

int goferfs_setattr(struct inode *i, const struct iattr *a)
{
	struct gofer_setattr_req r;
	struct gofer_stat st;
	uint64_t old = i->size;
	int err = check_rw(i);

	if (err)
		return err;
	setattr_req(i, a, &r);
	if (!r.mask)
		return 0;
	err = gofer_setattr(goferfs_client(i), &r, &st);
	if (err)
		return goferfs_err(err);
	goferfs_set_attrs(i, &st);
	goferfs_i(i)->stale = false;
	if (a->valid & ATTR_SIZE)
		goferfs_file_resized(i, old);
	return 0;
}
