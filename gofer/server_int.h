/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server_int.h: what the Gofer's serving loop shares with its request
 * handlers (not for use outside gofer/).
 *
 * A handler gets the request's payload as a cursor whose fixed part the
 * loop has already sized, builds its reply payload with gofer_reply_put,
 * and returns 0 or -errno; on an error the loop discards what the handler
 * put and answers the errno alone.
 */
#ifndef CVISOR_GOFER_SERVER_INT_H
#define CVISOR_GOFER_SERVER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "gofer/node.h"
#include "gofer/protocol.h"
#include "gofer/server.h"
#include "gofer/wire.h"

struct gofer_server {
	int sock;
	int root_fd;
	int proc_fd;          /* /proc/self/fd, for reopening nodes */
	bool own_proc_fd;     /* opened by gofer_serve, so closed by it */
	bool writable;        /* gofer_options.writable */
	struct gofer_nodes nodes;
	char *rbuf;           /* one request */
	char *sbuf;           /* one reply */
	char *dbuf;           /* getdents64 scratch */
};

#define GOFER_DBUF_SIZE 32768

struct gofer_reply {
	char *p;              /* the payload, after the header */
	size_t len, cap;
	int fd;               /* donated with the reply, then closed; or -1 */
};

/* Append n bytes to the reply; 0, or -EMSGSIZE if they do not fit (replies
 * are bounded by construction, so that is a Gofer bug, not a crash). */
int gofer_reply_put(struct gofer_reply *, const void *src, size_t n);

/* The wire form of a host stat. */
void gofer_stat_from_host(struct gofer_stat *, const struct stat *);
/* fstat of a held fd (newfstatat with AT_EMPTY_PATH, which works on O_PATH
 * fds and never follows a symlink node). 0 or -errno. */
int gofer_fstat(int fd, struct stat *);

/* Take a request's node id (the first field of most payloads) and return
 * its fd, or -EBADF. */
int gofer_take_node(struct gofer_server *, struct gofer_cursor *);
/* Register fd (owned: closed on failure) as a new node and put
 * {node, stat} in the reply. */
int gofer_add_node(struct gofer_server *, int fd, struct gofer_reply *);

/*
 * Open the very inode a node holds, through its /proc/self/fd magic link
 * (never a name the client chose), with open(2) flags; -errno. The caller
 * checks the node's type first: this is for regular files only (a fifo
 * could block, a device must never be opened).
 */
int gofer_reopen(struct gofer_server *, int node_fd, int flags);
/* A readable fd of a regular-file or directory node (directories by "."
 * of themselves), for fsync and the xattr calls; -EOPNOTSUPP for other
 * types, which are never opened. */
int gofer_open_data(struct gofer_server *, int node_fd, mode_t type);
/* The name of a node's magic link under proc_fd ("%d" of the fd). */
void gofer_proc_name(char *buf, size_t size, int node_fd);

typedef int gofer_handler_fn(struct gofer_server *, struct gofer_cursor *,
			     struct gofer_reply *);

gofer_handler_fn gofer_op_attach, gofer_op_walk, gofer_op_stat,
	gofer_op_readlink, gofer_op_open, gofer_op_getdents, gofer_op_close;
/* ops_create.c: requests that make a file, each answering a new node. */
gofer_handler_fn gofer_op_create, gofer_op_mkdir, gofer_op_mknod,
	gofer_op_symlink, gofer_op_link;
/* ops_modify.c: requests that change or remove what exists. */
gofer_handler_fn gofer_op_unlink, gofer_op_rename, gofer_op_setattr,
	gofer_op_fsync;
/* ops_meta.c: statfs and extended attributes. */
gofer_handler_fn gofer_op_statfs, gofer_op_getxattr, gofer_op_setxattr,
	gofer_op_listxattr, gofer_op_removexattr;

#endif
