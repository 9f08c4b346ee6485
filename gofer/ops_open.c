/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ops_open.c: the requests that need more than an O_PATH fd: OPEN (a
 * readable fd donated to the Sentry) and GETDENTS (a directory listing).
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
 * Reopen a node read-only. An O_PATH fd cannot be read, and
 * openat(node, "", O_RDONLY) is refused, so the choice is between
 * openat(parent, name) and reopening /proc/self/fd/N. The first resolves
 * the name again: a file swapped in since the walk (a device, a fifo)
 * would be opened before any check could refuse it. The second opens the
 * very inode the node holds, whose type was checked above, and which the
 * walk proved is under the root; the magic link it follows is our own fd,
 * chosen here, never a name from the client.
 */
static int reopen_node(struct gofer_server *s, int fd)
{
	char name[16];
	int nfd;

	snprintf(name, sizeof(name), "%d", fd);
	nfd = openat(s->proc_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	return nfd < 0 ? -errno : nfd;
}

int gofer_op_open(struct gofer_server *s, struct gofer_cursor *c,
		  struct gofer_reply *rep)
{
	struct gofer_open_req req;
	struct gofer_stat_rep sr;
	cleanup_close int nfd = -1;
	struct stat st;
	int fd, err;

	if (!gofer_take(c, &req, sizeof(req)) || c->left)
		return -EBADMSG;
	if (req.pad || req.flags & ~GOFER_OPEN_KNOWN ||
	    !(req.flags & (GOFER_OPEN_READ | GOFER_OPEN_WRITE)))
		return -EINVAL;
	if (req.flags & ~GOFER_OPEN_READ)
		return -EROFS; /* the served tree is read-only for now */
	fd = gofer_nodes_fd(&s->nodes, req.node);
	if (fd < 0)
		return fd;
	err = gofer_fstat(fd, &st);
	if (err)
		return err;
	err = open_type_error(st.st_mode);
	if (err)
		return err;
	nfd = reopen_node(s, fd);
	if (nfd < 0)
		return nfd;
	err = gofer_fstat(nfd, &st);
	if (err)
		return err;
	/* The same inode as checked, unless /proc lied: never donate
	 * anything else. */
	if (!S_ISREG(st.st_mode))
		return -EIO;
	gofer_stat_from_host(&sr.stat, &st);
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
