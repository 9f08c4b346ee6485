/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_read.c: the client's read-path requests (attach, walk, stat,
 * readlink, open, getdents, close), each checking the variable part of its
 * reply before the Sentry uses it.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "gofer/client_int.h"

int gofer_attach(struct gofer_client *c, uint64_t *node, struct gofer_stat *st)
{
	struct gofer_attach_req req = { .version = GOFER_PROTOCOL_VERSION };
	struct iovec iov = { &req, sizeof(req) };

	return gofer_call_node(c, GOFER_T_ATTACH, &iov, 1, node, st);
}

/* Check a walk reply of n bytes for a request of `asked` names and copy
 * it out: the number walked or -EIO. */
static long walk_reply(struct gofer_client *c, long n, unsigned asked,
		       uint64_t *nodes, struct gofer_stat *stats,
		       int *stop_error)
{
	struct gofer_cursor cur = gofer_cursor(gofer_reply_payload(c),
					       (size_t)n);
	struct gofer_walk_rep wr;

	if (!gofer_take(&cur, &wr, sizeof(wr)) || wr.nwalked > asked ||
	    cur.left != wr.nwalked * sizeof(struct gofer_walk_entry))
		return gofer_violation(c, "walk reply size");
	/* A short walk says why it stopped; a full one has no reason. */
	if (wr.nwalked < asked ? wr.stop_error <= 0 || wr.stop_error > 4095
			       : wr.stop_error != 0)
		return gofer_violation(c, "walk stop error");
	for (uint32_t i = 0; i < wr.nwalked; i++) {
		struct gofer_walk_entry e;

		gofer_take(&cur, &e, sizeof(e));
		nodes[i] = e.node;
		if (stats)
			stats[i] = e.stat;
	}
	if (stop_error)
		*stop_error = wr.stop_error;
	return wr.nwalked;
}

int gofer_walk(struct gofer_client *c, uint64_t dir, const char *const *names,
	       unsigned n, uint64_t *nodes, struct gofer_stat *stats,
	       int *stop_error)
{
	struct iovec iov[GOFER_WALK_MAX + 1];
	struct gofer_walk_req req = { .node = dir, .nnames = n };
	long r;

	if (n == 0 || n > GOFER_WALK_MAX)
		return -EINVAL;
	iov[0] = (struct iovec){ &req, sizeof(req) };
	for (unsigned i = 0; i < n; i++) {
		int err = gofer_name_iov(&iov[i + 1], names[i]);

		if (err)
			return err;
	}
	gofer_client_lock(c);
	r = gofer_transact(c, GOFER_T_WALK, iov, (int)n + 1, NULL);
	if (r >= 0)
		r = walk_reply(c, r, n, nodes, stats, stop_error);
	gofer_client_unlock(c);
	return (int)r;
}

int gofer_walk_one(struct gofer_client *c, uint64_t dir, const char *name,
		   uint64_t *node, struct gofer_stat *st)
{
	int stop = 0, r = gofer_walk(c, dir, &name, 1, node, st, &stop);

	if (r < 0)
		return r;
	return r == 1 ? 0 : -stop;
}

int gofer_stat(struct gofer_client *c, uint64_t node, struct gofer_stat *st)
{
	struct gofer_node_req req = { .node = node };
	struct iovec iov = { &req, sizeof(req) };
	struct gofer_stat_rep r;
	int err = gofer_call_fixed(c, GOFER_T_STAT, &iov, 1, &r, sizeof(r));

	if (!err)
		*st = r.stat;
	return err;
}

long gofer_readlink(struct gofer_client *c, uint64_t node, char *buf,
		    size_t size)
{
	struct gofer_node_req req = { .node = node };
	struct iovec iov = { &req, sizeof(req) };
	struct gofer_readlink_rep rr;
	struct gofer_cursor cur;
	long n;

	gofer_client_lock(c);
	n = gofer_transact(c, GOFER_T_READLINK, &iov, 1, NULL);
	if (n < 0)
		goto out;
	cur = gofer_cursor(gofer_reply_payload(c), (size_t)n);
	if (!gofer_take(&cur, &rr, sizeof(rr)) || rr.pad ||
	    rr.len >= GOFER_PATH_MAX || cur.left != rr.len ||
	    memchr(cur.p, '\0', rr.len)) {
		n = gofer_violation(c, "readlink reply");
		goto out;
	}
	n = rr.len < size ? rr.len : (long)size;
	memcpy(buf, cur.p, (size_t)n);
out:
	gofer_client_unlock(c);
	return n;
}

int gofer_open(struct gofer_client *c, uint64_t node, unsigned flags,
	       struct gofer_stat *st)
{
	struct gofer_open_req req = { .node = node, .flags = flags };
	struct iovec iov = { &req, sizeof(req) };
	struct gofer_stat_rep r;
	int fd = -1;
	long n;

	gofer_client_lock(c);
	n = gofer_transact(c, GOFER_T_OPEN, &iov, 1, &fd);
	if (n >= 0 && (size_t)n != sizeof(r))
		n = gofer_violation(c, "open reply size");
	else if (n >= 0 && !gofer_fd_is_regular(fd))
		n = gofer_violation(c, "donated fd is not a regular file");
	if (n >= 0)
		memcpy(&r, gofer_reply_payload(c), sizeof(r));
	gofer_client_unlock(c);
	if (n < 0) {
		if (fd >= 0)
			close(fd);
		return (int)n;
	}
	if (st)
		*st = r.stat;
	return fd;
}

/* Check the records of a getdents reply: every one inside, aligned, its
 * name one NUL-terminated component; true if there are exactly `nent`. */
static bool dirents_ok(const char *p, size_t len, uint32_t nent)
{
	size_t off = 0;
	uint32_t seen = 0;

	while (off < len) {
		struct gofer_dirent d;

		if (len - off < GOFER_DIRENT_HDR)
			return false;
		memcpy(&d, p + off, GOFER_DIRENT_HDR);
		if (d.reclen > len - off || d.reclen % 8 ||
		    d.reclen < gofer_dirent_reclen(d.namelen) ||
		    p[off + GOFER_DIRENT_HDR + d.namelen] != '\0' ||
		    gofer_check_name(p + off + GOFER_DIRENT_HDR, d.namelen))
			return false;
		off += d.reclen;
		seen++;
	}
	return seen == nent;
}

long gofer_getdents(struct gofer_client *c, uint64_t dir, uint64_t cookie,
		    void *buf, size_t size)
{
	const size_t most = GOFER_MSG_MAX - sizeof(struct gofer_hdr) -
			    sizeof(struct gofer_getdents_rep);
	struct gofer_getdents_req req = {
		.node = dir,
		.cookie = cookie,
		.count = (uint32_t)(size < most ? size : most),
	};
	struct iovec iov = { &req, sizeof(req) };
	struct gofer_getdents_rep gr;
	struct gofer_cursor cur;
	long n;

	if (size == 0)
		return -EINVAL;
	gofer_client_lock(c);
	n = gofer_transact(c, GOFER_T_GETDENTS, &iov, 1, NULL);
	if (n < 0)
		goto out;
	cur = gofer_cursor(gofer_reply_payload(c), (size_t)n);
	if (!gofer_take(&cur, &gr, sizeof(gr)) || cur.left > req.count ||
	    !dirents_ok(cur.p, cur.left, gr.nentries)) {
		n = gofer_violation(c, "getdents records");
		goto out;
	}
	memcpy(buf, cur.p, cur.left);
	n = (long)cur.left;
out:
	gofer_client_unlock(c);
	return n;
}

bool gofer_dirent_next(const void *buf, size_t len, size_t *off,
		       struct gofer_dirent_view *v)
{
	const char *p = (const char *)buf + *off;
	struct gofer_dirent d;

	if (*off >= len || len - *off < GOFER_DIRENT_HDR)
		return false;
	memcpy(&d, p, GOFER_DIRENT_HDR);
	if (d.reclen < gofer_dirent_reclen(d.namelen) || d.reclen > len - *off)
		return false;
	*v = (struct gofer_dirent_view){
		.ino = d.ino,
		.next = d.next,
		.type = d.type,
		.namelen = d.namelen,
		.name = p + GOFER_DIRENT_HDR,
	};
	*off += d.reclen;
	return true;
}

int gofer_close_nodes(struct gofer_client *c, const uint64_t *nodes,
		      unsigned n)
{
	struct gofer_close_req req = { 0 };
	struct iovec iov[2];
	int ret = 0;

	while (n > 0) {
		unsigned k = n < GOFER_CLOSE_MAX ? n : GOFER_CLOSE_MAX;
		int err;

		req.n = k;
		iov[0] = (struct iovec){ &req, sizeof(req) };
		iov[1] = (struct iovec){ (void *)nodes, k * sizeof(*nodes) };
		err = gofer_call_fixed(c, GOFER_T_CLOSE, iov, 2, NULL, 0);
		if (err == -EIO)
			return err;
		if (err)
			ret = err; /* the other batches are still dropped */
		nodes += k;
		n -= k;
	}
	return ret;
}

int gofer_close(struct gofer_client *c, uint64_t node)
{
	return gofer_close_nodes(c, &node, 1);
}
