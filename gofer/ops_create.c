/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ops_create.c: the requests that make a file (CREATE, MKDIR, MKNOD,
 * SYMLINK, LINK) on a writable Gofer; each answers the new file's node.
 *
 * Every one names its new entry as one checked component under a held
 * directory node, and the host calls used never follow a symlink in that
 * component: O_CREAT|O_EXCL fails on an existing symlink instead of
 * creating its target, mkdirat/mknodat/symlinkat/linkat never follow the
 * new name. So a hostile Sentry can only make entries directly inside a
 * directory it reached from the root, whatever names and links it plants.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gofer/server_int.h"
#include "lib/cleanup.h"

/* The fd of a directory node, or -errno (ENOTDIR for other nodes, before
 * any *at call could resolve a name under a non-directory). */
static int dir_node(struct gofer_server *s, uint64_t id)
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

/*
 * Give a new file the owner the Sentry asked for. A Gofer without
 * CAP_CHOWN (runsc run by an ordinary user) cannot, and the file keeps the
 * Gofer's own ids, which is what such a user's files are on the host
 * anyway: EPERM is not an error here. AT_EMPTY_PATH changes the held
 * inode itself, never following a symlink node.
 */
static int set_owner(int fd, uint32_t uid, uint32_t gid)
{
	struct stat st;
	int err = gofer_fstat(fd, &st);

	if (err)
		return err;
	if (st.st_uid == uid && st.st_gid == gid)
		return 0;
	if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0 && errno != EPERM)
		return -errno;
	return 0;
}

/*
 * The node of an entry just made by name in dirfd: opened O_PATH with
 * O_NOFOLLOW, and of the expected type, or -EIO. A host process could
 * swap the entry in between; whatever it swapped in is still a child of
 * dirfd, and a symlink is held as itself.
 */
static int new_node(int dirfd, const char *name, mode_t type)
{
	struct stat st;
	int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = gofer_fstat(fd, &st);
	if (!err && (st.st_mode & S_IFMT) != type)
		err = -EIO;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/* The open(2) access flags of a CREATE, or -EINVAL. */
static int create_flags(uint32_t gf)
{
	int flags = O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC;

	if (gf & ~GOFER_OPEN_KNOWN ||
	    !(gf & (GOFER_OPEN_READ | GOFER_OPEN_WRITE)))
		return -EINVAL;
	if ((gf & (GOFER_OPEN_READ | GOFER_OPEN_WRITE)) ==
	    (GOFER_OPEN_READ | GOFER_OPEN_WRITE))
		flags |= O_RDWR;
	else
		flags |= gf & GOFER_OPEN_WRITE ? O_WRONLY : O_RDONLY;
	if (gf & GOFER_OPEN_APPEND)
		flags |= O_APPEND;
	return flags; /* TRUNC means nothing for a new file */
}

int gofer_op_create(struct gofer_server *s, struct gofer_cursor *c,
		    struct gofer_reply *rep)
{
	struct gofer_create_req req = { 0 };
	cleanup_close int ffd = -1;
	struct stat st;
	const char *name;
	long len;
	int dfd, flags, nfd, err;

	gofer_take(c, &req, sizeof(req)); /* sized by the loop */
	len = gofer_take_name(c, &name);
	if (len < 0)
		return (int)len;
	if (c->left)
		return -EBADMSG;
	flags = create_flags(req.flags);
	if (flags < 0)
		return flags;
	if (req.mode & ~07777u)
		return -EINVAL;
	dfd = dir_node(s, req.dir);
	if (dfd < 0)
		return dfd;
	/* Room for the node before anything exists on the host. */
	err = gofer_nodes_check_room(&s->nodes);
	if (err)
		return err;
	ffd = openat(dfd, name, flags, (mode_t)req.mode);
	if (ffd < 0)
		return -errno;
	err = gofer_fstat(ffd, &st);
	if (err)
		return err;
	if (!S_ISREG(st.st_mode))
		return -EIO; /* O_EXCL made it: never anything else */
	err = set_owner(ffd, req.uid, req.gid);
	if (err)
		return err;
	/* The node is the created inode itself, not the name again. */
	nfd = gofer_reopen(s, ffd, O_PATH);
	if (nfd < 0)
		return nfd;
	err = gofer_add_node(s, nfd, rep);
	if (err)
		return err;
	rep->fd = steal_fd(&ffd);
	return 0;
}

int gofer_op_mkdir(struct gofer_server *s, struct gofer_cursor *c,
		   struct gofer_reply *rep)
{
	struct gofer_mkdir_req req = { 0 };
	const char *name;
	long len;
	int dfd, fd, err;

	gofer_take(c, &req, sizeof(req));
	len = gofer_take_name(c, &name);
	if (len < 0)
		return (int)len;
	if (c->left)
		return -EBADMSG;
	if (req.pad || req.mode & ~07777u)
		return -EINVAL;
	dfd = dir_node(s, req.dir);
	if (dfd < 0)
		return dfd;
	err = gofer_nodes_check_room(&s->nodes);
	if (err)
		return err;
	if (mkdirat(dfd, name, (mode_t)req.mode) < 0)
		return -errno;
	fd = new_node(dfd, name, S_IFDIR);
	if (fd < 0)
		return fd;
	err = set_owner(fd, req.uid, req.gid);
	if (err) {
		close(fd);
		return err;
	}
	return gofer_add_node(s, fd, rep);
}

/*
 * The node types MKNOD makes: regular files, FIFOs and sockets. Device
 * nodes are refused (EPERM, as mknod(2) without CAP_MKNOD): a device node
 * planted in a host directory would open the host's device to whoever
 * finds it there later, outside the sandbox. The Gofer's filter enforces
 * the same on mknodat's mode.
 */
static int mknod_type_ok(uint32_t mode, uint64_t rdev)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		return rdev ? -EINVAL : 0;
	case S_IFCHR:
	case S_IFBLK:
		return -EPERM;
	default:
		return -EINVAL;
	}
}

int gofer_op_mknod(struct gofer_server *s, struct gofer_cursor *c,
		   struct gofer_reply *rep)
{
	struct gofer_mknod_req req = { 0 };
	const char *name;
	long len;
	int dfd, fd, err;

	gofer_take(c, &req, sizeof(req));
	len = gofer_take_name(c, &name);
	if (len < 0)
		return (int)len;
	if (c->left)
		return -EBADMSG;
	if (req.pad || req.mode & ~(uint32_t)(S_IFMT | 07777))
		return -EINVAL;
	err = mknod_type_ok(req.mode, req.rdev);
	if (err)
		return err;
	dfd = dir_node(s, req.dir);
	if (dfd < 0)
		return dfd;
	err = gofer_nodes_check_room(&s->nodes);
	if (err)
		return err;
	if (mknodat(dfd, name, (mode_t)req.mode, 0) < 0)
		return -errno;
	fd = new_node(dfd, name, req.mode & S_IFMT);
	if (fd < 0)
		return fd;
	err = set_owner(fd, req.uid, req.gid);
	if (err) {
		close(fd);
		return err;
	}
	return gofer_add_node(s, fd, rep);
}

/* The target is text stored in the link: the Gofer never resolves it (it
 * may well name /etc/shadow or ../../..; walks return the link itself and
 * the Sentry resolves it in its own tree). */
int gofer_op_symlink(struct gofer_server *s, struct gofer_cursor *c,
		     struct gofer_reply *rep)
{
	struct gofer_symlink_req req = { 0 };
	const char *name, *target;
	long len, tlen;
	int dfd, fd, err;

	gofer_take(c, &req, sizeof(req));
	len = gofer_take_name(c, &name);
	if (len < 0)
		return (int)len;
	tlen = gofer_take_string(c, GOFER_PATH_MAX - 1, &target);
	if (tlen < 0)
		return (int)tlen;
	if (c->left)
		return -EBADMSG;
	if (tlen == 0)
		return -ENOENT; /* as symlink(2) */
	dfd = dir_node(s, req.dir);
	if (dfd < 0)
		return dfd;
	err = gofer_nodes_check_room(&s->nodes);
	if (err)
		return err;
	if (symlinkat(target, dfd, name) < 0)
		return -errno;
	fd = new_node(dfd, name, S_IFLNK);
	if (fd < 0)
		return fd;
	err = set_owner(fd, req.uid, req.gid);
	if (err) {
		close(fd);
		return err;
	}
	return gofer_add_node(s, fd, rep);
}

/*
 * A new name for a held inode. AT_EMPTY_PATH links the inode of the node
 * itself (it needs CAP_DAC_READ_SEARCH); without it, the documented
 * alternative follows the node's /proc/self/fd magic link, which lands on
 * that same inode, but only for a node that is no symlink: following a
 * symlink node there could link whatever its target names on the host.
 * Either way the target was reached from the root, so no inode from
 * outside can get a name inside.
 */
static int link_inode(struct gofer_server *s, int tfd, const struct stat *st,
		      int dfd, const char *name)
{
	char pname[16];

	if (linkat(tfd, "", dfd, name, AT_EMPTY_PATH) == 0)
		return 0;
	if ((errno != ENOENT && errno != EPERM) || S_ISLNK(st->st_mode))
		return -errno;
	gofer_proc_name(pname, sizeof(pname), tfd);
	return linkat(s->proc_fd, pname, dfd, name, AT_SYMLINK_FOLLOW) < 0
		       ? -errno
		       : 0;
}

int gofer_op_link(struct gofer_server *s, struct gofer_cursor *c,
		  struct gofer_reply *rep)
{
	struct gofer_link_req req = { 0 };
	struct stat st;
	const char *name;
	long len;
	int dfd, tfd, fd, err;

	gofer_take(c, &req, sizeof(req));
	len = gofer_take_name(c, &name);
	if (len < 0)
		return (int)len;
	if (c->left)
		return -EBADMSG;
	dfd = dir_node(s, req.dir);
	if (dfd < 0)
		return dfd;
	tfd = gofer_nodes_fd(&s->nodes, req.target);
	if (tfd < 0)
		return tfd;
	err = gofer_fstat(tfd, &st);
	if (err)
		return err;
	if (S_ISDIR(st.st_mode))
		return -EPERM; /* as link(2) */
	err = gofer_nodes_check_room(&s->nodes);
	if (err)
		return err;
	err = link_inode(s, tfd, &st, dfd, name);
	if (err)
		return err;
	/* The new name's node is the same inode: a second handle of it. */
	fd = fcntl(tfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	return gofer_add_node(s, fd, rep);
}
