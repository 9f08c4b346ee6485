/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server.c: the Gofer's serving loop: receive one request, check its
 * framing, dispatch it through the table below, send one reply.
 *
 * The client is the Sentry, which runs the sandboxed program: if that
 * program subverts it, every byte that arrives here is an attack. So a
 * request is parsed completely before anything is done, every size comes
 * from the message actually received (never from a field the client
 * wrote), nothing is allocated per request, and every malformed message
 * is answered with an errno and the loop goes on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gofer/server_int.h"
#include "lib/cleanup.h"
#include "lib/log.h"

/*
 * The request table. A request that would change the served tree is a
 * `write`: a read-only Gofer answers it with EROFS (what Linux answers for
 * a write to a read-only mount, so the Sentry may pass it on unchanged)
 * once its fixed part is there, and never runs its handler; that is also
 * why the read-only filter can leave out every write syscall.
 */
struct gofer_op {
	gofer_handler_fn *fn;
	size_t fixed;   /* the fixed payload every request of the type has */
	bool write;     /* changes the tree: EROFS unless writable */
};

#define OP(t, f, s) [GOFER_T_##t] = { .fn = (f), .fixed = sizeof(s) }
#define WOP(t, f, s)                                                        \
	[GOFER_T_##t] = { .fn = (f), .fixed = sizeof(s), .write = true }

static const struct gofer_op gofer_ops[GOFER_T_NTYPES] = {
	OP(ATTACH, gofer_op_attach, struct gofer_attach_req),
	OP(WALK, gofer_op_walk, struct gofer_walk_req),
	OP(STAT, gofer_op_stat, struct gofer_node_req),
	OP(READLINK, gofer_op_readlink, struct gofer_node_req),
	OP(OPEN, gofer_op_open, struct gofer_open_req),
	OP(GETDENTS, gofer_op_getdents, struct gofer_getdents_req),
	OP(CLOSE, gofer_op_close, struct gofer_close_req),
	WOP(CREATE, gofer_op_create, struct gofer_create_req),
	WOP(MKDIR, gofer_op_mkdir, struct gofer_mkdir_req),
	WOP(MKNOD, gofer_op_mknod, struct gofer_mknod_req),
	WOP(SYMLINK, gofer_op_symlink, struct gofer_symlink_req),
	WOP(LINK, gofer_op_link, struct gofer_link_req),
	WOP(UNLINK, gofer_op_unlink, struct gofer_unlink_req),
	WOP(RENAME, gofer_op_rename, struct gofer_rename_req),
	WOP(SETATTR, gofer_op_setattr, struct gofer_setattr_req),
	OP(STATFS, gofer_op_statfs, struct gofer_node_req),
	OP(GETXATTR, gofer_op_getxattr, struct gofer_getxattr_req),
	WOP(SETXATTR, gofer_op_setxattr, struct gofer_setxattr_req),
	OP(LISTXATTR, gofer_op_listxattr, struct gofer_listxattr_req),
	WOP(REMOVEXATTR, gofer_op_removexattr, struct gofer_node_req),
	/* Not a write: a read-only tree has nothing dirty, and the
	 * handler answers success without a syscall. */
	OP(FSYNC, gofer_op_fsync, struct gofer_fsync_req),
};

int gofer_reply_put(struct gofer_reply *r, const void *src, size_t n)
{
	if (n > r->cap - r->len)
		return -EMSGSIZE;
	memcpy(r->p + r->len, src, n);
	r->len += n;
	return 0;
}

/*
 * Check a request's framing and run its handler; returns 0 or the errno
 * to answer. `len` is what recvmsg returned and `trunc` whether the kernel
 * cut the message, so a header's size field is only ever compared, never
 * trusted.
 */
static int dispatch(struct gofer_server *s, size_t len, bool trunc,
		    struct gofer_reply *rep)
{
	struct gofer_hdr h;
	struct gofer_cursor c;
	const struct gofer_op *op;

	if (trunc)
		return -EMSGSIZE;
	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, s->rbuf, sizeof(h));
	if (h.size != len || h.error != 0)
		return -EBADMSG;
	if (h.flags != 0)
		return -EINVAL;
	if (h.type == 0 || h.type >= GOFER_T_NTYPES)
		return -ENOSYS; /* also a reply sent back to us */
	op = &gofer_ops[h.type];
	c = gofer_cursor(s->rbuf + sizeof(h), len - sizeof(h));
	if (c.left < op->fixed)
		return -EBADMSG;
	if (op->write && !s->writable)
		return -EROFS;
	return op->fn(s, &c, rep);
}

/* Receive one request into rbuf: its length, 0 when the client has hung
 * up, or -errno. */
static ssize_t recv_request(struct gofer_server *s, bool *trunc)
{
	struct iovec iov = { .iov_base = s->rbuf, .iov_len = GOFER_MSG_MAX };
	/* No control buffer: fds a client sends are closed by the kernel
	 * (MSG_CTRUNC), so a hostile client cannot fill our fd table. */
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	do
		n = recvmsg(s->sock, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*trunc = m.msg_flags & MSG_TRUNC;
	return n;
}

/* Send the reply in sbuf, with rep->fd donated if set. 0 or -errno. */
static int send_reply(struct gofer_server *s, const struct gofer_hdr *h,
		      const struct gofer_reply *rep)
{
	struct iovec iov = { .iov_base = s->sbuf, .iov_len = h->size };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	memcpy(s->sbuf, h, sizeof(*h));
	if (rep->fd >= 0) {
		struct cmsghdr *cm;

		memset(&ctl, 0, sizeof(ctl));
		m.msg_control = ctl.buf;
		m.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &rep->fd, sizeof(int));
	}
	/* MSG_NOSIGNAL: a client that hangs up ends the loop, not the
	 * process. */
	do
		n = sendmsg(s->sock, &m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

/* Answer one received request. 0, or -errno when the socket failed. */
static int serve_one(struct gofer_server *s, size_t len, bool trunc)
{
	struct gofer_reply rep = {
		.p = s->sbuf + sizeof(struct gofer_hdr),
		.cap = GOFER_MSG_MAX - sizeof(struct gofer_hdr),
		.fd = -1,
	};
	struct gofer_hdr in = { 0 }, out = { 0 };
	int err, rc;

	memcpy(&in, s->rbuf, len < sizeof(in) ? len : sizeof(in));
	err = dispatch(s, len, trunc, &rep);
	if (err) {
		log_debug("gofer: request type %u tag %u: %s", in.type, in.tag,
			  strerror(-err));
		if (rep.fd >= 0)
			close(rep.fd);
		rep.fd = -1;
		rep.len = 0;
	}
	out.size = (uint32_t)(sizeof(out) + rep.len);
	out.type = (uint16_t)(in.type | GOFER_REPLY);
	out.tag = in.tag;
	out.error = -err;
	rc = send_reply(s, &out, &rep);
	if (rc && rc != -EPIPE && rc != -ECONNRESET && rep.fd >= 0) {
		/* The fd could not go (ETOOMANYREFS, ENOMEM): answer the
		 * error instead of ending the Sentry's file service. */
		out = (struct gofer_hdr){ .size = sizeof(out),
					  .type = out.type,
					  .tag = out.tag,
					  .error = -rc };
		close(rep.fd);
		rep.fd = -1;
		rc = send_reply(s, &out, &rep);
	}
	/* The fd now lives in the client (or nowhere): the Gofer keeps only
	 * its O_PATH nodes. */
	if (rep.fd >= 0)
		close(rep.fd);
	return rc;
}

/* Allocate everything the loop will use, before the first request. */
static int server_init(struct gofer_server *s, int sock, int root_fd,
		       const struct gofer_options *o)
{
	uint32_t max = o && o->max_nodes ? o->max_nodes
					 : GOFER_DEFAULT_MAX_NODES;
	int err;

	*s = (struct gofer_server){ .sock = sock, .root_fd = root_fd,
				    .proc_fd = -1,
				    .writable = o && o->writable };
	err = gofer_nodes_init(&s->nodes, max);
	if (err)
		return err;
	s->rbuf = malloc(GOFER_MSG_MAX);
	s->sbuf = malloc(GOFER_MSG_MAX);
	s->dbuf = malloc(GOFER_DBUF_SIZE);
	if (!s->rbuf || !s->sbuf || !s->dbuf)
		return -ENOMEM;
	/* Modes arrive with the guest's umask applied; the host's must not
	 * take bits away a second time. */
	if (s->writable)
		umask(0);
	if (o && o->proc_self_fd >= 0) {
		s->proc_fd = o->proc_self_fd;
		return 0;
	}
	s->proc_fd = open("/proc/self/fd",
			  O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (s->proc_fd < 0)
		return -errno;
	s->own_proc_fd = true;
	return 0;
}

static void server_fini(struct gofer_server *s)
{
	gofer_nodes_destroy(&s->nodes);
	free(s->rbuf);
	free(s->sbuf);
	free(s->dbuf);
	if (s->own_proc_fd)
		close(s->proc_fd);
}

int gofer_serve(int sock, int root_fd, const struct gofer_options *opts)
{
	struct gofer_server s;
	int rc = server_init(&s, sock, root_fd, opts);

	if (rc) {
		log_error("gofer: cannot start serving: %s", strerror(-rc));
		server_fini(&s);
		return rc;
	}
	for (;;) {
		bool trunc = false;
		ssize_t n = recv_request(&s, &trunc);

		/* 0 is the client hanging up (or sending an empty message,
		 * which only ends its own service). */
		if (n <= 0) {
			rc = (int)n;
			break;
		}
		rc = serve_one(&s, (size_t)n, trunc);
		if (rc)
			break;
	}
	if (rc == -EPIPE || rc == -ECONNRESET)
		rc = 0;
	if (rc)
		log_error("gofer: connection failed: %s", strerror(-rc));
	server_fini(&s);
	return rc;
}
