/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ops_walk.c: the node requests: ATTACH, WALK, STAT, READLINK, CLOSE.
 *
 * Every file the client can name was reached from the root one component
 * at a time by openat(parent, name, O_PATH|O_NOFOLLOW) with a name that is
 * neither "." nor ".." nor contains '/': so no request, however crafted,
 * makes the Gofer resolve a symlink or step above the root it was given.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gofer/server_int.h"

void gofer_stat_from_host(struct gofer_stat *g, const struct stat *st)
{
	*g = (struct gofer_stat){
		.dev = st->st_dev,
		.ino = st->st_ino,
		.nlink = st->st_nlink,
		.mode = st->st_mode,
		.uid = st->st_uid,
		.gid = st->st_gid,
		.rdev = st->st_rdev,
		.size = st->st_size,
		.blksize = st->st_blksize,
		.blocks = st->st_blocks,
		.atime = { st->st_atim.tv_sec, st->st_atim.tv_nsec },
		.mtime = { st->st_mtim.tv_sec, st->st_mtim.tv_nsec },
		.ctime = { st->st_ctim.tv_sec, st->st_ctim.tv_nsec },
	};
}

int gofer_fstat(int fd, struct stat *st)
{
	return fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0
		       ? -errno
		       : 0;
}

int gofer_take_node(struct gofer_server *s, struct gofer_cursor *c)
{
	struct gofer_node_req req;

	if (!gofer_take(c, &req, sizeof(req)))
		return -EBADMSG;
	return gofer_nodes_fd(&s->nodes, req.node);
}

int gofer_add_node(struct gofer_server *s, int fd, struct gofer_reply *rep)
{
	struct gofer_node_rep nr;
	struct stat st;
	int err = gofer_fstat(fd, &st);

	if (!err)
		err = gofer_nodes_check_room(&s->nodes);
	if (err) {
		close(fd);
		return err;
	}
	nr.node = gofer_nodes_add(&s->nodes, fd);
	gofer_stat_from_host(&nr.stat, &st);
	return gofer_reply_put(rep, &nr, sizeof(nr));
}

int gofer_op_attach(struct gofer_server *s, struct gofer_cursor *c,
		    struct gofer_reply *rep)
{
	struct gofer_attach_req req;
	struct stat st;
	int fd, err;

	if (!gofer_take(c, &req, sizeof(req)) || c->left)
		return -EBADMSG;
	if (req.version != GOFER_PROTOCOL_VERSION)
		return -EPROTONOSUPPORT;
	if (req.flags)
		return -EINVAL;
	err = gofer_nodes_check_room(&s->nodes);
	if (err)
		return err;
	err = gofer_fstat(s->root_fd, &st);
	if (err)
		return err;
	if (S_ISDIR(st.st_mode)) {
		/* "." of the root fd itself: the one place a dot is resolved,
		 * by the Gofer and never on a client's behalf. */
		fd = openat(s->root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	} else if (S_ISREG(st.st_mode)) {
		/* A one-file mount (a bind of a host file): the very inode
		 * of the root fd, reopened through our own magic link. Every
		 * request that names a child of it gets ENOTDIR from the
		 * host, so this file is all the client can ever reach. */
		fd = gofer_reopen(s, s->root_fd, O_PATH);
		if (fd < 0)
			return fd;
	} else {
		return -ENOTDIR;
	}
	return gofer_add_node(s, fd, rep);
}

/* Resolve the components of a checked walk from fd `cur`, filling the
 * entries; returns the number walked and sets *stop to why it stopped. */
static uint32_t walk_names(struct gofer_server *s, int cur,
			   const char *const *names, uint32_t n, int *stop,
			   struct gofer_reply *rep)
{
	uint32_t i;

	*stop = 0;
	for (i = 0; i < n; i++) {
		struct gofer_walk_entry e;
		struct stat st;
		int fd, err = gofer_nodes_check_room(&s->nodes);

		if (err) {
			*stop = -err;
			break;
		}
		/* O_NOFOLLOW: a symlink is returned as itself, whatever it
		 * points to (/etc/shadow, ../../..); the Sentry resolves
		 * it in its own tree. A non-directory `cur` gives ENOTDIR. */
		fd = openat(cur, names[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			*stop = errno;
			break;
		}
		err = gofer_fstat(fd, &st);
		if (err) {
			close(fd);
			*stop = -err;
			break;
		}
		e.node = gofer_nodes_add(&s->nodes, fd);
		gofer_stat_from_host(&e.stat, &st);
		/* Fits: GOFER_WALK_MAX entries are less than a message. */
		gofer_reply_put(rep, &e, sizeof(e));
		cur = fd;
	}
	return i;
}

int gofer_op_walk(struct gofer_server *s, struct gofer_cursor *c,
		  struct gofer_reply *rep)
{
	const char *names[GOFER_WALK_MAX];
	struct gofer_walk_req req;
	struct gofer_walk_rep wr = { 0 };
	size_t at;
	int fd;

	if (!gofer_take(c, &req, sizeof(req)))
		return -EBADMSG;
	if (req.pad || req.nnames == 0 || req.nnames > GOFER_WALK_MAX)
		return -EINVAL;
	/* Parse every name before resolving any. */
	for (uint32_t i = 0; i < req.nnames; i++) {
		long len = gofer_take_name(c, &names[i]);

		if (len < 0)
			return (int)len;
	}
	if (c->left)
		return -EBADMSG;
	fd = gofer_nodes_fd(&s->nodes, req.node);
	if (fd < 0)
		return fd;
	at = rep->len;
	gofer_reply_put(rep, &wr, sizeof(wr));
	wr.nwalked = walk_names(s, fd, names, req.nnames, &wr.stop_error, rep);
	memcpy(rep->p + at, &wr, sizeof(wr));
	return 0;
}

int gofer_op_stat(struct gofer_server *s, struct gofer_cursor *c,
		  struct gofer_reply *rep)
{
	struct gofer_stat_rep sr;
	struct stat st;
	int fd = gofer_take_node(s, c), err;

	if (c->left)
		return -EBADMSG;
	if (fd < 0)
		return fd;
	err = gofer_fstat(fd, &st);
	if (err)
		return err;
	gofer_stat_from_host(&sr.stat, &st);
	return gofer_reply_put(rep, &sr, sizeof(sr));
}

int gofer_op_readlink(struct gofer_server *s, struct gofer_cursor *c,
		      struct gofer_reply *rep)
{
	struct gofer_readlink_rep rr = { 0 };
	struct stat st;
	char *target;
	ssize_t n;
	int fd = gofer_take_node(s, c), err;

	if (c->left)
		return -EBADMSG;
	if (fd < 0)
		return fd;
	err = gofer_fstat(fd, &st);
	if (err)
		return err;
	if (!S_ISLNK(st.st_mode))
		return -EINVAL; /* as readlink(2) on a non-link */
	if (rep->cap - rep->len < sizeof(rr) + GOFER_PATH_MAX)
		return -EMSGSIZE;
	/* The empty path reads the link the O_PATH fd itself is. */
	target = rep->p + rep->len + sizeof(rr);
	n = readlinkat(fd, "", target, GOFER_PATH_MAX);
	if (n < 0)
		return -errno;
	if (n >= GOFER_PATH_MAX)
		return -ENAMETOOLONG;
	rr.len = (uint32_t)n;
	memcpy(rep->p + rep->len, &rr, sizeof(rr));
	rep->len += sizeof(rr) + (size_t)n;
	return 0;
}

int gofer_op_close(struct gofer_server *s, struct gofer_cursor *c,
		   struct gofer_reply *rep)
{
	struct gofer_close_req req;
	int err = 0;

	(void)rep;
	if (!gofer_take(c, &req, sizeof(req)))
		return -EBADMSG;
	if (req.pad || req.n == 0 || req.n > GOFER_CLOSE_MAX)
		return -EINVAL;
	if (c->left != (size_t)req.n * sizeof(uint64_t))
		return -EBADMSG;
	/* Close every valid id even when some are not. */
	for (uint32_t i = 0; i < req.n; i++) {
		uint64_t id = 0;

		gofer_take(c, &id, sizeof(id)); /* sized above */
		if (gofer_nodes_remove(&s->nodes, id))
			err = -EBADF;
	}
	return err;
}
