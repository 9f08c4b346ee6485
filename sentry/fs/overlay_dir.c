/* SPDX-License-Identifier: Apache-2.0 */
/*
 * overlay_dir.c: the namespace operations of overlay directories. Each
 * works on the upper layer (copying up the directory, and for links and
 * renames the file, first): new entries replace a whiteout of their
 * name, removed lower names get one, a directory made or renamed where
 * the lower layer may have its name is opaque, and a lower directory is
 * never renamed (EXDEV, as overlayfs without redirect_dir: programs such
 * as mv fall back to copying).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "lib/log.h"
#include "sentry/fs/overlay_int.h"
#include "sentry/fs/tmpfs_ovl.h"

/* The upper directory of an overlay directory, copied up if need be. */
static int upper_dir(struct inode *dir, struct inode **out)
{
	int err = ovl_copy_up(dir, true);

	if (!err)
		*out = OI(dir)->upper;
	return err;
}

/* Whether the lower layer has `name` under dir (so removing or moving
 * the name needs a whiteout): 1, 0, or -errno. */
static int lower_has(struct inode *dir, const char *name)
{
	struct inode *lower = OI(dir)->lower, *i;
	int err;

	if (!ovl_dir_merges(dir))
		return 0;
	err = lower->ops->lookup(lower, name, &i);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	inode_put(i);
	return 1;
}

/* Put a whiteout at name in the upper directory. */
static int whiteout(struct inode *udir, const char *name)
{
	struct inode *wh;
	int err = udir->ops->mknod(udir, name, LINUX_S_IFCHR, 0, &ovl_creds,
				   &wh);

	if (!err)
		inode_put(wh);
	return err;
}

/* Remove a whiteout at name in the upper directory: 1 if there was one,
 * 0 if the name is free, -errno (EEXIST for anything else there). */
static int take_whiteout(struct inode *udir, const char *name)
{
	struct inode *u;
	int err = udir->ops->lookup(udir, name, &u);

	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	if (!ovl_is_whiteout(u)) {
		inode_put(u);
		return -EEXIST;
	}
	err = udir->ops->unlink(udir, name, u);
	inode_put(u);
	return err ? err : 1;
}

/* After a failed make over a whiteout, the whiteout comes back (the
 * lower name must stay hidden). */
static void restore_whiteout(struct inode *udir, const char *name, int had)
{
	if (had > 0 && whiteout(udir, name))
		log_warn("overlay: a whiteout could not be restored; a "
			 "removed lower file may show again");
}

/* Make `name` in dir with one of the upper directory's make ops. */
static int make(struct inode *dir, const char *name, uint32_t mode,
		uint64_t rdev, const char *target, const struct creds *c,
		struct inode **out)
{
	struct inode *udir, *u;
	int had, err = upper_dir(dir, &udir);

	if (err)
		return err;
	had = take_whiteout(udir, name);
	if (had < 0)
		return had;
	switch (mode & LINUX_S_IFMT) {
	case LINUX_S_IFREG:
		err = udir->ops->create(udir, name, mode & 07777, c, &u);
		break;
	case LINUX_S_IFDIR:
		err = udir->ops->mkdir(udir, name, mode, c, &u);
		break;
	case LINUX_S_IFLNK:
		err = udir->ops->symlink(udir, name, target, c, &u);
		break;
	default:
		err = udir->ops->mknod(udir, name, mode, rdev, c, &u);
		break;
	}
	if (err) {
		restore_whiteout(udir, name, had);
		return err;
	}
	/* A new directory where the lower layer has (or may get) one of
	 * the same name must not show the lower one's entries. */
	if (LINUX_S_ISDIR(u->mode) && (had || ovl_dir_merges(dir)))
		tmpfs_ovl_set_opaque(u, true);
	ovl_sync(dir);
	return ovl_inode_new(dir->sb, u, NULL, dir, name, out);
}

int ovl_create(struct inode *dir, const char *name, uint32_t mode,
	       const struct creds *c, struct inode **out)
{
	return make(dir, name, LINUX_S_IFREG | (mode & 07777), 0, NULL, c,
		    out);
}

int ovl_mkdir(struct inode *dir, const char *name, uint32_t mode,
	      const struct creds *c, struct inode **out)
{
	return make(dir, name, LINUX_S_IFDIR | (mode & 07777), 0, NULL, c,
		    out);
}

/* Device nodes too (the VFS checked CAP_MKNOD), but never a 0/0
 * character device: in the upper layer that is a whiteout, and making
 * one would hide a lower file instead. */
int ovl_mknod(struct inode *dir, const char *name, uint32_t mode,
	      uint64_t rdev, const struct creds *c, struct inode **out)
{
	if (LINUX_S_ISCHR(mode) && rdev == 0)
		return -EPERM;
	return make(dir, name, mode, rdev, NULL, c, out);
}

int ovl_symlink(struct inode *dir, const char *name, const char *target,
		const struct creds *c, struct inode **out)
{
	return make(dir, name, LINUX_S_IFLNK | 0777, 0, target, c, out);
}

int ovl_tmpfile(struct inode *dir, uint32_t mode, const struct creds *c,
		struct inode **out)
{
	struct inode *udir, *u;
	int err = upper_dir(dir, &udir);

	if (err)
		return err;
	if (!udir->ops->tmpfile)
		return -EOPNOTSUPP;
	err = udir->ops->tmpfile(udir, mode, c, &u);
	if (err)
		return err;
	err = ovl_inode_new(dir->sb, u, NULL, dir, "", out);
	if (!err)
		OI(*out)->deleted = true; /* no name to copy up to */
	return err;
}

/* A new name for a file: its upper copy gets it (the lower is never
 * linked), so the file is copied up first. */
int ovl_link(struct inode *dir, const char *name, struct inode *target)
{
	struct inode *udir;
	int had, err = ovl_copy_up(target, true);

	if (!err)
		err = upper_dir(dir, &udir);
	if (err)
		return err;
	had = take_whiteout(udir, name);
	if (had < 0)
		return had;
	err = udir->ops->link(udir, name, OI(target)->upper);
	if (err)
		restore_whiteout(udir, name, had);
	else
		OI(target)->deleted = false; /* an O_TMPFILE file got a name */
	ovl_sync(target);
	ovl_sync(dir);
	return err;
}

/* After a name was removed from the upper directory (or never was
 * there): the whiteout that keeps a lower file of that name hidden. */
static int hide_lower(struct inode *dir, struct inode *udir, const char *name,
		      struct inode *victim)
{
	int has = OI(victim)->lower ? 1 : lower_has(dir, name);

	if (has <= 0)
		return has;
	return whiteout(udir, name);
}

int ovl_unlink(struct inode *dir, const char *name, struct inode *victim)
{
	struct ovl_inode *vo = OI(victim);
	struct inode *udir;
	int err = upper_dir(dir, &udir);

	if (err)
		return err;
	if (vo->upper) {
		err = udir->ops->unlink(udir, name, vo->upper);
		if (err)
			return err;
	}
	err = hide_lower(dir, udir, name, victim);
	if (!vo->upper || vo->upper->nlink == 0)
		vo->deleted = true;
	ovl_sync(victim);
	ovl_sync(dir);
	return err;
}

int ovl_rmdir(struct inode *dir, const char *name, struct inode *victim)
{
	struct ovl_inode *vo = OI(victim);
	struct inode *udir;
	int err = ovl_dir_empty(victim);

	if (err < 0)
		return err;
	if (err == 0)
		return -ENOTEMPTY;
	err = upper_dir(dir, &udir);
	if (err)
		return err;
	if (vo->upper) {
		err = ovl_clear_whiteouts(vo->upper);
		if (!err)
			err = udir->ops->rmdir(udir, name, vo->upper);
		if (err)
			return err;
	}
	err = hide_lower(dir, udir, name, victim);
	vo->deleted = true;
	ovl_sync(victim);
	ovl_sync(dir);
	return err;
}

/* The checks a rename needs beyond the VFS's: a directory with a lower
 * part never moves (EXDEV), and a directory replaced must be empty in
 * the merged view, its whiteouts then cleared. */
static int rename_check(struct inode *victim, struct inode *target,
			bool exchange)
{
	int err;

	if (LINUX_S_ISDIR(victim->mode) && OI(victim)->lower)
		return -EXDEV;
	if (!target)
		return 0;
	if (exchange)
		return LINUX_S_ISDIR(target->mode) && OI(target)->lower
			       ? -EXDEV
			       : 0;
	if (!LINUX_S_ISDIR(target->mode))
		return 0;
	err = ovl_dir_empty(target);
	if (err < 0)
		return err;
	if (err == 0)
		return -ENOTEMPTY;
	return OI(target)->upper ? ovl_clear_whiteouts(OI(target)->upper) : 0;
}

/* The upper entry a rename to nname replaces: the target's copy, or a
 * whiteout of the name (taken away first: *had says so). */
static int rename_target(struct inode *undir, const char *nname,
			 struct inode *target, int *had, struct inode **ut)
{
	*ut = target ? OI(target)->upper : NULL;
	*had = 0;
	if (*ut)
		return 0;
	*had = take_whiteout(undir, nname);
	return *had < 0 ? *had : 0;
}

int ovl_rename(struct inode *odir, const char *oname, struct inode *ndir,
	       const char *nname, struct inode *victim, struct inode *target,
	       unsigned flags)
{
	bool exchange = flags & LINUX_RENAME_EXCHANGE;
	struct inode *uodir, *undir, *ut;
	int had, old_wh = 0, err = rename_check(victim, target, exchange);

	if (!err)
		err = ovl_copy_up(victim, true);
	if (!err && exchange)
		err = ovl_copy_up(target, true);
	if (!err)
		err = upper_dir(odir, &uodir);
	if (!err)
		err = upper_dir(ndir, &undir);
	/* Leaving oname needs a whiteout there if the lower has it. */
	if (!err && !exchange)
		old_wh = OI(victim)->lower ? 1 : lower_has(odir, oname);
	if (!err && old_wh < 0)
		err = old_wh;
	if (!err)
		err = rename_target(undir, nname, target, &had, &ut);
	if (err)
		return err;
	err = uodir->ops->rename(uodir, oname, undir, nname, OI(victim)->upper,
				 ut, flags & LINUX_RENAME_EXCHANGE);
	if (err) {
		restore_whiteout(undir, nname, had);
		return err;
	}
	/* A moved directory may now cover a lower name. */
	if (LINUX_S_ISDIR(victim->mode))
		tmpfs_ovl_set_opaque(OI(victim)->upper, true);
	if (exchange && LINUX_S_ISDIR(target->mode))
		tmpfs_ovl_set_opaque(OI(target)->upper, true);
	if (old_wh)
		err = whiteout(uodir, oname);
	ovl_set_name(victim, ndir, nname);
	if (exchange) {
		ovl_set_name(target, odir, oname);
	} else if (target) {
		struct ovl_inode *to = OI(target);

		if (!to->upper || to->upper->nlink == 0)
			to->deleted = true;
		ovl_sync(target);
	}
	ovl_sync(victim);
	ovl_sync(odir);
	ovl_sync(ndir);
	return err;
}
