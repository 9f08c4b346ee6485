/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ops_open.c: the requests that need more than an O_PATH fd: OPEN (a
 * readable, or on a writable Gofer writable, fd donated to the Sentry) and
 * GETDENTS (a directory listing), and the reopening they share with the
 * other handlers.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gofer/server_int.h"
#include "lib/cleanup.h"

/*
 * The errno for opening a node of this type, 0 for a regular file. Only
 * regular files are donated: a directory is listed with GETDENTS (a
 * directory fd in the Sentry would be a handle to resolve paths under),
 * a symlink gives ELOOP as open(O_NOFOLLOW) does, a socket ENXIO as Linux
 * does, a fifo ENXIO too (opening a host fifo could block the Gofer or
 * join the sandbox to a host process at its other end; the Sentry makes
 * its own pipes for fifos), and a device EACCES, as on a nodev mount (a
 * device node planted in an image must never open the host's device).
 */
static int open_type_error(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return 0;
	case S_IFDIR:
		return -EISDIR;
	case S_IFLNK:
		return -ELOOP;
	case S_IFSOCK:
	case S_IFIFO:
		return -ENXIO;
	default:
		return -EACCES;
	}
}

/*
 * Reopen a node. An O_PATH fd cannot be read or written, and
 * openat(node, "", ...) is refused, so the choice is between
 * openat(parent, name) and reopening /proc/self/fd/N. The first resolves
 * the name again: a file swapped in since the walk (a device, a fifo, a
 * symlink to a host file) would be opened before any check could refuse
 * it. The second opens the very inode the node holds, whose type the
 * caller checked, and which the walk proved is under the root; the magic
 * link it follows is our own fd, chosen here, never a name from the
 * client.
 */
void gofer_proc_name(char *buf, size_t size, int node_fd)
{
	snprintf(buf, size, "%d", node_fd);
}

int gofer_reopen(struct gofer_server *s, int fd, int flags)
{
	char name[16];
	int nfd;

	gofer_proc_name(name, sizeof(name), fd);
	nfd = openat(s->proc_fd, name, flags | O_CLOEXEC | O_NOCTTY);
	return nfd < 0 ? -errno : nfd;
}

int gofer_open_data(struct gofer_server *s, int fd, mode_t type)
{
	int nfd;

	switch (type & S_IFMT) {
	case S_IFREG:
		return gofer_reopen(s, fd, O_RDONLY);
	case S_IFDIR:
		/* "." of the directory itself: nothing to resolve. */
		nfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		return nfd < 0 ? -errno : nfd;
	default:
		return -EOPNOTSUPP;
	}
}

/* The open(2) flags of an OPEN request's GOFER_OPEN_* flags, or -errno:
 * writing, truncating and appending only on a writable Gofer. */
static int open_flags(const struct gofer_server *s, uint32_t gf)
{
	int flags;

	if (gf & ~GOFER_OPEN_KNOWN ||
	    !(gf & (GOFER_OPEN_READ | GOFER_OPEN_WRITE)))
		return -EINVAL;
	if (gf & ~GOFER_OPEN_READ && !s->writable)
		return -EROFS; /* the served tree is read-only */
	if ((gf & (GOFER_OPEN_READ | GOFER_OPEN_WRITE)) ==
	    (GOFER_OPEN_READ | GOFER_OPEN_WRITE))
		flags = O_RDWR;
	else
		flags = gf & GOFER_OPEN_WRITE ? O_WRONLY : O_RDONLY;
	if (gf & GOFER_OPEN_TRUNC)
		flags |= O_TRUNC;
	if (gf & GOFER_OPEN_APPEND)
		flags |= O_APPEND;
	return flags;
}

int gofer_op_open(struct gofer_server *s, struct gofer_cursor *c,
		  struct gofer_reply *rep)
{
	struct gofer_open_req req;
	struct gofer_stat_rep sr;
	cleanup_close int nfd = -1;
	struct stat st, nst;
	int fd, err, flags;

	if (!gofer_take(c, &req, sizeof(req)) || c->left)
		return -EBADMSG;
	if (req.pad)
		return -EINVAL;
	flags = open_flags(s, req.flags);
	if (flags < 0)
		return flags;
	fd = gofer_nodes_fd(&s->nodes, req.node);
	if (fd < 0)
		return fd;
	err = gofer_fstat(fd, &st);
	if (err)
		return err;
	err = open_type_error(st.st_mode);
	if (err)
		return err;
	nfd = gofer_reopen(s, fd, flags);
	if (nfd < 0)
		return nfd;
	err = gofer_fstat(nfd, &nst);
	if (err)
		return err;
	/* The same inode as checked, unless /proc lied: never donate
	 * anything else. */
	if (!S_ISREG(nst.st_mode) || nst.st_ino != st.st_ino ||
	    nst.st_dev != st.st_dev)
		return -EIO;
	gofer_stat_from_host(&sr.stat, &nst);
	err = gofer_reply_put(rep, &sr, sizeof(sr));
	if (err)
		return err;
	rep->fd = steal_fd(&nfd);
	return 0;
}

/* Append one host entry as a record; 1 if it did not fit in `count`. */
static int put_dirent(struct gofer_reply *rep, size_t end,
		      const struct dirent64 *d)
{
	size_t namelen = strlen(d->d_name);
	size_t reclen = gofer_dirent_reclen(namelen);
	struct gofer_dirent g = {
		.ino = d->d_ino,
		.next = (uint64_t)d->d_off,
		.reclen = (uint16_t)reclen,
		.type = d->d_type,
		.namelen = (uint8_t)namelen,
	};

	if (reclen > end - rep->len)
		return 1;
	memset(rep->p + rep->len, 0, reclen);
	memcpy(rep->p + rep->len, &g, GOFER_DIRENT_HDR);
	memcpy(rep->p + rep->len + GOFER_DIRENT_HDR, d->d_name, namelen);
	rep->len += reclen;
	return 0;
}

/* List dfd (positioned) into the reply up to `end`; the number of
 * records, or -errno. */
static long list_dir(struct gofer_server *s, int dfd, size_t end,
		     struct gofer_reply *rep)
{
	long nent = 0;

	for (;;) {
		ssize_t n = getdents64(dfd, s->dbuf, GOFER_DBUF_SIZE);

		if (n < 0)
			return -errno;
		if (n == 0)
			return nent; /* the end of the directory */
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(s->dbuf + off);
			size_t len = strlen(d->d_name);

			off += d->d_reclen;
			/* "." and ".." come from the Sentry's own tree (the
			 * root's ".." is outside what is served); a name the
			 * protocol cannot carry is left out. */
			if (gofer_check_name(d->d_name, len))
				continue;
			if (put_dirent(rep, end, d))
				/* Full: the client goes on from the last
				 * record's cookie; none fitted at all is
				 * getdents(2)'s EINVAL. */
				return nent ? nent : -EINVAL;
			nent++;
		}
	}
}

int gofer_op_getdents(struct gofer_server *s, struct gofer_cursor *c,
		      struct gofer_reply *rep)
{
	struct gofer_getdents_req req;
	struct gofer_getdents_rep gr = { 0 };
	cleanup_close int dfd = -1;
	size_t at, room;
	long n;
	int fd;

	if (!gofer_take(c, &req, sizeof(req)) || c->left)
		return -EBADMSG;
	if (req.pad || req.count == 0)
		return -EINVAL;
	fd = gofer_nodes_fd(&s->nodes, req.node);
	if (fd < 0)
		return fd;
	/* A readable fd of the directory the node is ("." of itself),
	 * opened per request so a node costs one fd; directory cookies
	 * stay valid across opens (NFS relies on it). */
	dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (req.cookie && lseek(dfd, (off_t)req.cookie, SEEK_SET) < 0)
		return -errno;
	at = rep->len;
	gofer_reply_put(rep, &gr, sizeof(gr));
	/* A huge count is clamped to what one reply holds. */
	room = rep->cap - rep->len;
	n = list_dir(s, dfd, rep->len + (req.count < room ? req.count : room),
		     rep);
	if (n < 0)
		return (int)n;
	gr.nentries = (uint32_t)n;
	memcpy(rep->p + at, &gr, sizeof(gr));
	return 0;
}
