/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_write.c: the client's write-path requests and the metadata
 * queries beyond the read path. The Gofer answers them with EROFS or
 * EOPNOTSUPP for now; they exist so the wire format is exercised from
 * both ends before the writable layer arrives.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "gofer/client_int.h"

int gofer_create(struct gofer_client *c, uint64_t dir, const char *name,
		 unsigned flags, uint32_t mode, uint32_t uid, uint32_t gid,
		 uint64_t *node, struct gofer_stat *st)
{
	struct gofer_create_req req = { .dir = dir, .flags = flags,
					.mode = mode, .uid = uid, .gid = gid };
	struct iovec iov[2] = { { &req, sizeof(req) } };
	struct gofer_node_rep r;
	int fd = -1, err = gofer_name_iov(&iov[1], name);
	long n;

	if (err)
		return err;
	gofer_client_lock(c);
	n = gofer_transact(c, GOFER_T_CREATE, iov, 2, &fd);
	if (n >= 0 && (size_t)n != sizeof(r))
		n = gofer_violation(c, "create reply size");
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
	*node = r.node;
	if (st)
		*st = r.stat;
	return fd;
}

int gofer_mkdir(struct gofer_client *c, uint64_t dir, const char *name,
		uint32_t mode, uint32_t uid, uint32_t gid, uint64_t *node,
		struct gofer_stat *st)
{
	struct gofer_mkdir_req req = { .dir = dir, .mode = mode, .uid = uid,
				       .gid = gid };
	struct iovec iov[2] = { { &req, sizeof(req) } };
	int err = gofer_name_iov(&iov[1], name);

	return err ? err
		   : gofer_call_node(c, GOFER_T_MKDIR, iov, 2, node, st);
}

int gofer_mknod(struct gofer_client *c, uint64_t dir, const char *name,
		uint32_t mode, uint64_t rdev, uint32_t uid, uint32_t gid,
		uint64_t *node, struct gofer_stat *st)
{
	struct gofer_mknod_req req = { .dir = dir, .rdev = rdev, .mode = mode,
				       .uid = uid, .gid = gid };
	struct iovec iov[2] = { { &req, sizeof(req) } };
	int err = gofer_name_iov(&iov[1], name);

	return err ? err
		   : gofer_call_node(c, GOFER_T_MKNOD, iov, 2, node, st);
}

int gofer_symlink(struct gofer_client *c, uint64_t dir, const char *name,
		  const char *target, uint32_t uid, uint32_t gid,
		  uint64_t *node, struct gofer_stat *st)
{
	struct gofer_symlink_req req = { .dir = dir, .uid = uid, .gid = gid };
	size_t tlen = strlen(target);
	struct iovec iov[3] = {
		{ &req, sizeof(req) },
		{ 0 },
		{ (void *)target, tlen + 1 },
	};
	int err = gofer_name_iov(&iov[1], name);

	if (err)
		return err;
	if (tlen == 0)
		return -ENOENT; /* as symlink(2) */
	if (tlen >= GOFER_PATH_MAX)
		return -ENAMETOOLONG;
	return gofer_call_node(c, GOFER_T_SYMLINK, iov, 3, node, st);
}

int gofer_link(struct gofer_client *c, uint64_t dir, const char *name,
	       uint64_t target, uint64_t *node, struct gofer_stat *st)
{
	struct gofer_link_req req = { .dir = dir, .target = target };
	struct iovec iov[2] = { { &req, sizeof(req) } };
	int err = gofer_name_iov(&iov[1], name);

	return err ? err : gofer_call_node(c, GOFER_T_LINK, iov, 2, node, st);
}

int gofer_unlink(struct gofer_client *c, uint64_t dir, const char *name,
		 unsigned flags)
{
	struct gofer_unlink_req req = { .dir = dir, .flags = flags };
	struct iovec iov[2] = { { &req, sizeof(req) } };
	int err = gofer_name_iov(&iov[1], name);

	return err ? err
		   : gofer_call_fixed(c, GOFER_T_UNLINK, iov, 2, NULL, 0);
}

int gofer_rename(struct gofer_client *c, uint64_t olddir, const char *oldname,
		 uint64_t newdir, const char *newname, unsigned flags)
{
	struct gofer_rename_req req = { .olddir = olddir, .newdir = newdir,
					.flags = flags };
	struct iovec iov[3] = { { &req, sizeof(req) } };
	int err = gofer_name_iov(&iov[1], oldname);

	if (!err)
		err = gofer_name_iov(&iov[2], newname);
	return err ? err
		   : gofer_call_fixed(c, GOFER_T_RENAME, iov, 3, NULL, 0);
}

int gofer_setattr(struct gofer_client *c, const struct gofer_setattr_req *attr,
		  struct gofer_stat *st)
{
	struct iovec iov = { (void *)attr, sizeof(*attr) };
	struct gofer_stat_rep r;
	int err = gofer_call_fixed(c, GOFER_T_SETATTR, &iov, 1, &r, sizeof(r));

	if (!err && st)
		*st = r.stat;
	return err;
}

int gofer_statfs(struct gofer_client *c, uint64_t node,
		 struct gofer_statfs_rep *out)
{
	struct gofer_node_req req = { .node = node };
	struct iovec iov = { &req, sizeof(req) };

	return gofer_call_fixed(c, GOFER_T_STATFS, &iov, 1, out, sizeof(*out));
}

/* An xattr name: NUL-terminated, 1..255 bytes (XATTR_NAME_MAX). */
static int xattr_name_iov(struct iovec *iov, const char *name)
{
	size_t len = strlen(name);

	if (len == 0)
		return -EINVAL;
	if (len > GOFER_NAME_MAX)
		return -ERANGE; /* as getxattr(2) */
	*iov = (struct iovec){ (void *)name, len + 1 };
	return 0;
}

/* GETXATTR and LISTXATTR replies: bytes copied to buf, or the length
 * when size is 0, as getxattr(2); -ERANGE when buf is too small. */
static long xattr_call(struct gofer_client *c, unsigned type,
		       const struct iovec *iov, int niov, void *buf,
		       size_t size)
{
	struct gofer_xattr_rep xr;
	struct gofer_cursor cur;
	long n;

	gofer_client_lock(c);
	n = gofer_transact(c, type, iov, niov, NULL);
	if (n < 0)
		goto out;
	cur = gofer_cursor(gofer_reply_payload(c), (size_t)n);
	if (!gofer_take(&cur, &xr, sizeof(xr)) || xr.pad ||
	    xr.len > GOFER_XATTR_MAX ||
	    cur.left != (size ? xr.len : 0)) {
		n = gofer_violation(c, "xattr reply");
		goto out;
	}
	if (size && xr.len > size) {
		n = gofer_violation(c, "xattr reply larger than asked");
		goto out;
	}
	if (cur.left)
		memcpy(buf, cur.p, cur.left);
	n = xr.len;
out:
	gofer_client_unlock(c);
	return n;
}

long gofer_getxattr(struct gofer_client *c, uint64_t node, const char *name,
		    void *buf, size_t size)
{
	struct gofer_getxattr_req req = { .node = node };
	struct iovec iov[2] = { { &req, sizeof(req) } };
	int err = xattr_name_iov(&iov[1], name);

	if (err)
		return err;
	req.size = (uint32_t)(size < GOFER_XATTR_MAX ? size : GOFER_XATTR_MAX);
	return xattr_call(c, GOFER_T_GETXATTR, iov, 2, buf, req.size);
}

int gofer_setxattr(struct gofer_client *c, uint64_t node, const char *name,
		   const void *value, size_t size, unsigned flags)
{
	struct gofer_setxattr_req req = { .node = node, .flags = flags,
					  .size = (uint32_t)size };
	struct iovec iov[3] = {
		{ &req, sizeof(req) },
		{ 0 },
		{ (void *)value, size },
	};
	int err = xattr_name_iov(&iov[1], name);

	if (err)
		return err;
	if (size > GOFER_XATTR_MAX)
		return -E2BIG; /* as setxattr(2) past XATTR_SIZE_MAX */
	return gofer_call_fixed(c, GOFER_T_SETXATTR, iov, 3, NULL, 0);
}

long gofer_listxattr(struct gofer_client *c, uint64_t node, char *buf,
		     size_t size)
{
	struct gofer_listxattr_req req = { .node = node };
	struct iovec iov = { &req, sizeof(req) };

	req.size = (uint32_t)(size < GOFER_XATTR_MAX ? size : GOFER_XATTR_MAX);
	return xattr_call(c, GOFER_T_LISTXATTR, &iov, 1, buf, req.size);
}

int gofer_removexattr(struct gofer_client *c, uint64_t node,
		      const char *name)
{
	struct gofer_node_req req = { .node = node };
	struct iovec iov[2] = { { &req, sizeof(req) } };
	int err = xattr_name_iov(&iov[1], name);

	return err ? err
		   : gofer_call_fixed(c, GOFER_T_REMOVEXATTR, iov, 2, NULL, 0);
}

int gofer_fsync(struct gofer_client *c, uint64_t node, unsigned flags)
{
	struct gofer_fsync_req req = { .node = node, .flags = flags };
	struct iovec iov = { &req, sizeof(req) };

	return gofer_call_fixed(c, GOFER_T_FSYNC, &iov, 1, NULL, 0);
}
