/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ops_meta.c: STATFS and the extended-attribute requests (GETXATTR,
 * LISTXATTR on any Gofer; SETXATTR, REMOVEXATTR on a writable one).
 *
 * Only the "user." namespace is served. The others carry the host's
 * security state, and a Sentry subverted by its guest must not write
 * them on the host: security.capability on a file in a writable host
 * directory would give file capabilities to whoever runs it there later,
 * outside the sandbox; trusted.overlay.* would confuse a host overlayfs
 * that uses the directory; security.selinux would relabel it. Reading
 * them is refused too, so a guest learns nothing of the host's labels.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "gofer/server_int.h"
#include "lib/cleanup.h"

#define USER_PREFIX "user."

int gofer_op_statfs(struct gofer_server *s, struct gofer_cursor *c,
		    struct gofer_reply *rep)
{
	struct gofer_statfs_rep r;
	struct statfs sf;
	int fd = gofer_take_node(s, c);

	if (c->left)
		return -EBADMSG;
	if (fd < 0)
		return fd;
	/* fstatfs works on O_PATH fds: nothing is opened. */
	if (fstatfs(fd, &sf) < 0)
		return -errno;
	r = (struct gofer_statfs_rep){
		.type = (uint64_t)sf.f_type,
		.bsize = (uint64_t)sf.f_bsize,
		.blocks = sf.f_blocks,
		.bfree = sf.f_bfree,
		.bavail = sf.f_bavail,
		.files = sf.f_files,
		.ffree = sf.f_ffree,
		.namelen = (uint64_t)sf.f_namelen,
		.frsize = (uint64_t)sf.f_frsize,
		.flags = (uint64_t)sf.f_flags,
	};
	return gofer_reply_put(rep, &r, sizeof(r));
}

/* An xattr name from the request: 1..255 bytes and a NUL; -EOPNOTSUPP
 * outside "user." (see the top of the file). */
static int take_xname(struct gofer_cursor *c, const char **name)
{
	long len = gofer_take_string(c, GOFER_NAME_MAX, name);

	if (len == -ENAMETOOLONG)
		return -ERANGE; /* as getxattr(2) */
	if (len < 0)
		return (int)len;
	if (len == 0)
		return -EINVAL;
	if (strncmp(*name, USER_PREFIX, strlen(USER_PREFIX)) != 0)
		return -EOPNOTSUPP;
	return 0;
}

/* A readable fd of the request's node for the f*xattr calls (they do not
 * take O_PATH fds); -EOPNOTSUPP for symlinks and special files, which
 * have no user xattrs in Linux and are never opened here. */
static int xattr_fd(struct gofer_server *s, uint64_t id)
{
	struct stat st;
	int fd = gofer_nodes_fd(&s->nodes, id), err;

	if (fd < 0)
		return fd;
	err = gofer_fstat(fd, &st);
	if (err)
		return err;
	return gofer_open_data(s, fd, st.st_mode);
}

/* The xattr reply: the length, and the bytes when the client asked for
 * them (size != 0); a value the protocol cannot carry is E2BIG. */
static int xattr_reply(struct gofer_reply *rep, ssize_t n, uint32_t size,
		       const void *buf)
{
	struct gofer_xattr_rep xr = { 0 };
	int err;

	if (n < 0)
		return -errno;
	if (n > GOFER_XATTR_MAX)
		return -E2BIG;
	xr.len = (uint32_t)n;
	err = gofer_reply_put(rep, &xr, sizeof(xr));
	if (!err && size)
		err = gofer_reply_put(rep, buf, (size_t)n);
	return err;
}

int gofer_op_getxattr(struct gofer_server *s, struct gofer_cursor *c,
		      struct gofer_reply *rep)
{
	struct gofer_getxattr_req req = { 0 };
	cleanup_close int fd = -1;
	char buf[GOFER_XATTR_MAX];
	const char *name;
	uint32_t size;
	ssize_t n;
	int err;

	gofer_take(c, &req, sizeof(req)); /* sized by the loop */
	err = take_xname(c, &name);
	if (err)
		return err;
	if (c->left)
		return -EBADMSG;
	if (req.pad)
		return -EINVAL;
	size = req.size < GOFER_XATTR_MAX ? req.size : GOFER_XATTR_MAX;
	fd = xattr_fd(s, req.node);
	if (fd < 0)
		return fd;
	n = fgetxattr(fd, name, size ? buf : NULL, size);
	return xattr_reply(rep, n, size, buf);
}

/* A list with the "user." names only, in place; its new length. */
static size_t user_names_only(char *list, size_t len)
{
	size_t in = 0, out = 0;

	while (in < len) {
		size_t l = strnlen(list + in, len - in) + 1;

		if (strncmp(list + in, USER_PREFIX, strlen(USER_PREFIX)) == 0) {
			memmove(list + out, list + in, l);
			out += l;
		}
		in += l;
	}
	return out;
}

int gofer_op_listxattr(struct gofer_server *s, struct gofer_cursor *c,
		       struct gofer_reply *rep)
{
	struct gofer_listxattr_req req = { 0 };
	cleanup_close int fd = -1;
	char buf[GOFER_XATTR_MAX];
	ssize_t n;

	gofer_take(c, &req, sizeof(req));
	if (c->left)
		return -EBADMSG;
	if (req.pad)
		return -EINVAL;
	fd = xattr_fd(s, req.node);
	if (fd < 0)
		return fd;
	/* The whole list is read (and filtered) even for a length query:
	 * only the user names count. */
	n = flistxattr(fd, buf, sizeof(buf));
	if (n < 0)
		return -(errno == ERANGE ? E2BIG : errno);
	n = (ssize_t)user_names_only(buf, (size_t)n);
	if (req.size && (uint32_t)n > req.size)
		return -ERANGE;
	return xattr_reply(rep, n, req.size, buf);
}

int gofer_op_setxattr(struct gofer_server *s, struct gofer_cursor *c,
		      struct gofer_reply *rep)
{
	const uint32_t known = XATTR_CREATE | XATTR_REPLACE;
	struct gofer_setxattr_req req = { 0 };
	cleanup_close int fd = -1;
	const char *name;
	int err;

	(void)rep;
	gofer_take(c, &req, sizeof(req));
	err = take_xname(c, &name);
	if (err)
		return err;
	if (req.size > GOFER_XATTR_MAX)
		return -E2BIG;
	if (c->left != req.size)
		return -EBADMSG;
	if (req.flags & ~known || req.flags == known)
		return -EINVAL;
	fd = xattr_fd(s, req.node);
	if (fd < 0)
		return fd;
	return fsetxattr(fd, name, c->p, req.size, (int)req.flags) < 0
		       ? -errno
		       : 0;
}

int gofer_op_removexattr(struct gofer_server *s, struct gofer_cursor *c,
			 struct gofer_reply *rep)
{
	struct gofer_node_req req = { 0 };
	cleanup_close int fd = -1;
	const char *name;
	int err;

	(void)rep;
	gofer_take(c, &req, sizeof(req));
	err = take_xname(c, &name);
	if (err)
		return err;
	if (c->left)
		return -EBADMSG;
	fd = xattr_fd(s, req.node);
	if (fd < 0)
		return fd;
	return fremovexattr(fd, name) < 0 ? -errno : 0;
}
