/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client.h: the Sentry's end of the Gofer protocol (gofer/protocol.h).
 *
 * One function per request; each sends it, waits for its reply and
 * returns 0 (or a count, or an fd) or -errno: the errno the Gofer answered,
 * or one found locally (-EINVAL for a bad name, before any round trip).
 *
 * The Gofer is untrusted too: a compromised Gofer must not crash or
 * confuse the Sentry. Every reply is checked (its size, tag, type, the
 * counts and records inside, the fds it carries); the first violation
 * marks the connection broken, and that call and every later one returns
 * -EIO, as a dead Gofer (hang-up, socket error) does. A reply whose fds
 * could not all be received (the Sentry's fd table is full) fails with
 * -ENFILE, its fds closed, and the connection goes on.
 *
 * Safe to call from several threads: one mutex covers each request and its
 * reply, so requests are serialised as the server expects.
 */
#ifndef CVISOR_GOFER_CLIENT_H
#define CVISOR_GOFER_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gofer/protocol.h"

struct gofer_client;

/* A client on `sock` (SOCK_SEQPACKET), which it owns from now on (closed
 * by gofer_client_free, even when this fails). NULL on ENOMEM. */
struct gofer_client *gofer_client_new(int sock);
void gofer_client_free(struct gofer_client *);
/* Whether a violation or a hang-up has made the client unusable. */
bool gofer_client_broken(struct gofer_client *);

/* The root of the served tree, as a new node. */
int gofer_attach(struct gofer_client *, uint64_t *node, struct gofer_stat *);

/*
 * Walk n (1..GOFER_WALK_MAX) components from dir; nodes[i] and stats[i]
 * get the i-th (stats may be NULL). Returns how many were walked (the walk
 * stops at the first that fails, *stop_error saying why; 0 when all were),
 * or -errno when the request itself failed. A symlink is returned as
 * itself, never followed.
 */
int gofer_walk(struct gofer_client *, uint64_t dir, const char *const *names,
	       unsigned n, uint64_t *nodes, struct gofer_stat *stats,
	       int *stop_error);
/* One component: 0 or -errno (ENOENT, ENOTDIR...). */
int gofer_walk_one(struct gofer_client *, uint64_t dir, const char *name,
		   uint64_t *node, struct gofer_stat *);

int gofer_stat(struct gofer_client *, uint64_t node, struct gofer_stat *);

/* The target of a symlink node, not NUL-terminated, cut at `size` as
 * readlink(2) does: its length or -errno (EINVAL: not a symlink). */
long gofer_readlink(struct gofer_client *, uint64_t node, char *buf,
		    size_t size);

/* A host fd of a regular file node (GOFER_OPEN_* flags; only READ is
 * granted for now), and its stat (may be NULL); or -errno. */
int gofer_open(struct gofer_client *, uint64_t node, unsigned flags,
	       struct gofer_stat *);

/*
 * List a directory node from `cookie` (0 at first): fills buf with up to
 * `size` bytes of checked records and returns their length (0: the end),
 * or -errno. Walk them with gofer_dirent_next; continue from the last
 * one's `next`.
 */
long gofer_getdents(struct gofer_client *, uint64_t dir, uint64_t cookie,
		    void *buf, size_t size);

struct gofer_dirent_view {
	uint64_t ino;
	uint64_t next;
	unsigned type;    /* DT_* */
	unsigned namelen;
	const char *name; /* NUL-terminated, inside the caller's buffer */
};

/* The record at *off of a gofer_getdents buffer, advancing *off; false at
 * the end. */
bool gofer_dirent_next(const void *buf, size_t len, size_t *off,
		       struct gofer_dirent_view *);

/* Drop nodes: 0, or -EBADF if any id was not live (the others are still
 * dropped). */
int gofer_close(struct gofer_client *, uint64_t node);
int gofer_close_nodes(struct gofer_client *, const uint64_t *nodes,
		      unsigned n);

/* The write path (the Gofer answers EROFS or EOPNOTSUPP for now: see
 * gofer/server.c). Calls that make a file return its node and stat. */
int gofer_create(struct gofer_client *, uint64_t dir, const char *name,
		 unsigned flags, uint32_t mode, uint32_t uid, uint32_t gid,
		 uint64_t *node, struct gofer_stat *); /* returns an fd */
int gofer_mkdir(struct gofer_client *, uint64_t dir, const char *name,
		uint32_t mode, uint32_t uid, uint32_t gid, uint64_t *node,
		struct gofer_stat *);
int gofer_mknod(struct gofer_client *, uint64_t dir, const char *name,
		uint32_t mode, uint64_t rdev, uint32_t uid, uint32_t gid,
		uint64_t *node, struct gofer_stat *);
int gofer_symlink(struct gofer_client *, uint64_t dir, const char *name,
		  const char *target, uint32_t uid, uint32_t gid,
		  uint64_t *node, struct gofer_stat *);
int gofer_link(struct gofer_client *, uint64_t dir, const char *name,
	       uint64_t target, uint64_t *node, struct gofer_stat *);
int gofer_unlink(struct gofer_client *, uint64_t dir, const char *name,
		 unsigned flags);
int gofer_rename(struct gofer_client *, uint64_t olddir, const char *oldname,
		 uint64_t newdir, const char *newname, unsigned flags);
/* attr->node names the node; the result's stat in st (may be NULL). */
int gofer_setattr(struct gofer_client *, const struct gofer_setattr_req *attr,
		  struct gofer_stat *st);
int gofer_statfs(struct gofer_client *, uint64_t node,
		 struct gofer_statfs_rep *);
long gofer_getxattr(struct gofer_client *, uint64_t node, const char *name,
		    void *buf, size_t size);
int gofer_setxattr(struct gofer_client *, uint64_t node, const char *name,
		   const void *value, size_t size, unsigned flags);
long gofer_listxattr(struct gofer_client *, uint64_t node, char *buf,
		     size_t size);
int gofer_removexattr(struct gofer_client *, uint64_t node,
		      const char *name);
int gofer_fsync(struct gofer_client *, uint64_t node, unsigned flags);

#endif
