/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ops_modify.c: the requests that change or remove what exists: UNLINK,
 * RENAME, SETATTR, and FSYNC.
 *
 * Names are single checked components under held directory nodes, and
 * attribute changes act on the held inode itself (AT_EMPTY_PATH on the
 * node, or the node's own /proc/self/fd magic link for a node that is no
 * symlink), never on a name resolved again: a symlink node is changed as
 * itself, never its target, so setattr on a planted link to /etc/shadow
 * touches only the link.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gofer/server_int.h"
#include "lib/cleanup.h"

/* A held node that must be a directory: its fd or -errno. */
static int dir_fd(struct gofer_server *s, uint64_t id)
{
	struct stat st;
	int fd = gofer_nodes_fd(&s->nodes, id), err;

	if (fd < 0)
		return fd;
	err = gofer_fstat(fd, &st);
	if (err)
		return err;
	return S_ISDIR(st.st_mode) ? fd : -ENOTDIR;
}

int gofer_op_unlink(struct gofer_server *s, struct gofer_cursor *c,
		    struct gofer_reply *rep)
{
	struct gofer_unlink_req req = { 0 };
	const char *name;
	long len;
	int dfd;

	(void)rep;
	gofer_take(c, &req, sizeof(req)); /* sized by the loop */
	len = gofer_take_name(c, &name);
	if (len < 0)
		return (int)len;
	if (c->left)
		return -EBADMSG;
	if (req.pad || req.flags & ~(uint32_t)GOFER_UNLINK_DIR)
		return -EINVAL;
	dfd = dir_fd(s, req.dir);
	if (dfd < 0)
		return dfd;
	if (unlinkat(dfd, name,
		     req.flags & GOFER_UNLINK_DIR ? AT_REMOVEDIR : 0) < 0)
		return -errno;
	return 0;
}

int gofer_op_rename(struct gofer_server *s, struct gofer_cursor *c,
		    struct gofer_reply *rep)
{
	const uint32_t known = GOFER_RENAME_NOREPLACE | GOFER_RENAME_EXCHANGE;
	struct gofer_rename_req req = { 0 };
	const char *oname, *nname;
	unsigned flags = 0;
	long len;
	int ofd, nfd;

	(void)rep;
	gofer_take(c, &req, sizeof(req));
	len = gofer_take_name(c, &oname);
	if (len < 0)
		return (int)len;
	len = gofer_take_name(c, &nname);
	if (len < 0)
		return (int)len;
	if (c->left)
		return -EBADMSG;
	if (req.pad || req.flags & ~known || req.flags == known)
		return -EINVAL;
	ofd = dir_fd(s, req.olddir);
	if (ofd < 0)
		return ofd;
	nfd = dir_fd(s, req.newdir);
	if (nfd < 0)
		return nfd;
	if (req.flags & GOFER_RENAME_NOREPLACE)
		flags |= RENAME_NOREPLACE;
	if (req.flags & GOFER_RENAME_EXCHANGE)
		flags |= RENAME_EXCHANGE;
	/* The syscall itself: glibc may turn flags 0 into renameat, which
	 * the filter need not list. */
	if (syscall(SYS_renameat2, ofd, oname, nfd, nname, flags) < 0)
		return -errno;
	return 0;
}

/* A wire timespec for utimensat, or -EINVAL out of range. */
static int host_time(const struct gofer_timespec *g, bool set, bool now,
		     struct timespec *out)
{
	if (!set) {
		out->tv_sec = 0;
		out->tv_nsec = UTIME_OMIT;
		return 0;
	}
	if (now) {
		out->tv_sec = 0;
		out->tv_nsec = UTIME_NOW;
		return 0;
	}
	if (g->nsec < 0 || g->nsec >= 1000000000)
		return -EINVAL;
	out->tv_sec = g->sec;
	out->tv_nsec = g->nsec;
	return 0;
}

/* Check a SETATTR request on its own (before any host call). */
static int setattr_check(const struct gofer_setattr_req *r)
{
	const uint32_t known = 0xff;

	if (r->mask & ~known)
		return -EINVAL;
	if ((r->mask & GOFER_SETATTR_MODE) && (r->mode & ~07777u))
		return -EINVAL;
	if ((r->mask & GOFER_SETATTR_SIZE) && r->size > (uint64_t)INT64_MAX)
		return -EINVAL;
	if ((r->mask & GOFER_SETATTR_ATIME_NOW) &&
	    !(r->mask & GOFER_SETATTR_ATIME))
		return -EINVAL;
	if ((r->mask & GOFER_SETATTR_MTIME_NOW) &&
	    !(r->mask & GOFER_SETATTR_MTIME))
		return -EINVAL;
	return 0;
}

/* Truncate a regular-file node through a write-only reopen of its own
 * inode. */
static int set_size(struct gofer_server *s, int fd, const struct stat *st,
		    uint64_t size)
{
	cleanup_close int wfd = -1;
	struct stat wst;
	int err;

	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	wfd = gofer_reopen(s, fd, O_WRONLY);
	if (wfd < 0)
		return wfd;
	err = gofer_fstat(wfd, &wst);
	if (err)
		return err;
	if (wst.st_ino != st->st_ino || wst.st_dev != st->st_dev)
		return -EIO;
	return ftruncate(wfd, (off_t)size) < 0 ? -errno : 0;
}

/* atime/mtime of a node: through the magic link for most types (it lands
 * on the inode, not following anything further), through AT_EMPTY_PATH on
 * the node for a symlink (never followed). */
static int set_times(struct gofer_server *s, int fd, const struct stat *st,
		     const struct gofer_setattr_req *r)
{
	struct timespec ts[2];
	char pname[16];
	int err;

	err = host_time(&r->atime, r->mask & GOFER_SETATTR_ATIME,
			r->mask & GOFER_SETATTR_ATIME_NOW, &ts[0]);
	if (!err)
		err = host_time(&r->mtime, r->mask & GOFER_SETATTR_MTIME,
				r->mask & GOFER_SETATTR_MTIME_NOW, &ts[1]);
	if (err)
		return err;
	if (S_ISLNK(st->st_mode)) {
		if (utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0)
			return 0;
		/* Kernels before AT_EMPTY_PATH in utimensat (5.8). */
		return errno == EINVAL ? -EOPNOTSUPP : -errno;
	}
	gofer_proc_name(pname, sizeof(pname), fd);
	return utimensat(s->proc_fd, pname, ts, 0) < 0 ? -errno : 0;
}

/*
 * Apply the changes in notify_change's order: owner first (a chown drops
 * set-ID bits, so a mode asked for with it must come after), then mode,
 * size, and times last (a truncation moves mtime).
 */
static int apply_setattr(struct gofer_server *s, int fd, const struct stat *st,
			 const struct gofer_setattr_req *r)
{
	char pname[16];

	if (r->mask & (GOFER_SETATTR_UID | GOFER_SETATTR_GID)) {
		uid_t uid = r->mask & GOFER_SETATTR_UID ? r->uid : (uid_t)-1;
		gid_t gid = r->mask & GOFER_SETATTR_GID ? r->gid : (gid_t)-1;

		if (fchownat(fd, "", uid, gid,
			     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
	}
	if (r->mask & GOFER_SETATTR_MODE) {
		/* Linux has no mode for symlinks (lchmod: EOPNOTSUPP). */
		if (S_ISLNK(st->st_mode))
			return -EOPNOTSUPP;
		gofer_proc_name(pname, sizeof(pname), fd);
		if (fchmodat(s->proc_fd, pname, (mode_t)r->mode, 0) < 0)
			return -errno;
	}
	if (r->mask & GOFER_SETATTR_SIZE) {
		int err = set_size(s, fd, st, r->size);

		if (err)
			return err;
	}
	if (r->mask & (GOFER_SETATTR_ATIME | GOFER_SETATTR_MTIME))
		return set_times(s, fd, st, r);
	return 0;
}

int gofer_op_setattr(struct gofer_server *s, struct gofer_cursor *c,
		     struct gofer_reply *rep)
{
	struct gofer_setattr_req req = { 0 };
	struct gofer_stat_rep sr;
	struct stat st;
	int fd, err;

	gofer_take(c, &req, sizeof(req));
	if (c->left)
		return -EBADMSG;
	err = setattr_check(&req);
	if (err)
		return err;
	fd = gofer_nodes_fd(&s->nodes, req.node);
	if (fd < 0)
		return fd;
	err = gofer_fstat(fd, &st);
	if (!err)
		err = apply_setattr(s, fd, &st, &req);
	if (!err)
		err = gofer_fstat(fd, &st);
	if (err)
		return err;
	gofer_stat_from_host(&sr.stat, &st);
	return gofer_reply_put(rep, &sr, sizeof(sr));
}

/*
 * fsync/fdatasync of a node's file, or syncfs of its filesystem
 * (GOFER_FSYNC_FS: the Sentry's sync(2) and syncfs(2)). A read-only Gofer
 * has nothing dirty and answers at once; symlinks and special files have
 * no data of their own to sync.
 */
int gofer_op_fsync(struct gofer_server *s, struct gofer_cursor *c,
		   struct gofer_reply *rep)
{
	const uint32_t known = GOFER_FSYNC_DATA | GOFER_FSYNC_FS;
	struct gofer_fsync_req req = { 0 };
	cleanup_close int dfd = -1;
	struct stat st;
	int fd, err, r;

	(void)rep;
	gofer_take(c, &req, sizeof(req));
	if (c->left)
		return -EBADMSG;
	if (req.pad || req.flags & ~known)
		return -EINVAL;
	fd = gofer_nodes_fd(&s->nodes, req.node);
	if (fd < 0)
		return fd;
	if (!s->writable)
		return 0;
	err = gofer_fstat(fd, &st);
	if (err)
		return err;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return 0;
	dfd = gofer_open_data(s, fd, st.st_mode);
	if (dfd < 0)
		return dfd;
	if (req.flags & GOFER_FSYNC_FS)
		r = syncfs(dfd);
	else if (req.flags & GOFER_FSYNC_DATA)
		r = fdatasync(dfd);
	else
		r = fsync(dfd);
	return r < 0 ? -errno : 0;
}
