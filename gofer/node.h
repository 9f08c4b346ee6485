/* SPDX-License-Identifier: Apache-2.0 */
/*
 * node.h: the Gofer's table of nodes, the files a client has resolved.
 *
 * A node is an O_PATH|O_NOFOLLOW fd the Gofer holds; the client names it
 * by an id that packs a slot index and the slot's generation, so a stale
 * or forged id is refused (EBADF) rather than naming whatever file a
 * recycled slot holds now. The table is sized once, at the limit, so a
 * client can never make the Gofer allocate without bound: past the limit,
 * new nodes get EMFILE.
 */
#ifndef CVISOR_GOFER_NODE_H
#define CVISOR_GOFER_NODE_H

#include <stdint.h>

struct gofer_node {
	int fd;            /* O_PATH; -1 when the slot is free */
	uint32_t gen;      /* bumped each time the slot is freed */
	uint32_t next_free;
};

struct gofer_nodes {
	struct gofer_node *v;
	uint32_t max;      /* slots in v: the most nodes a client may hold */
	uint32_t used;     /* slots ever handed out (v[used..] untouched) */
	uint32_t live;     /* nodes held now */
	uint32_t free_head; /* a freed slot + 1, or 0 */
};

/* Set up a table of `max` nodes (memory is touched only as slots are
 * used). Returns 0 or -errno. */
int gofer_nodes_init(struct gofer_nodes *, uint32_t max);
/* Close every fd and free the table. */
void gofer_nodes_destroy(struct gofer_nodes *);
/* Whether one more node fits. */
int gofer_nodes_check_room(const struct gofer_nodes *);
/* Take ownership of fd as a new node; its id, or 0 (EMFILE) when full. */
uint64_t gofer_nodes_add(struct gofer_nodes *, int fd);
/* The fd of a live node, or -EBADF. */
int gofer_nodes_fd(const struct gofer_nodes *, uint64_t id);
/* Close a node: 0 or -EBADF. */
int gofer_nodes_remove(struct gofer_nodes *, uint64_t id);

#endif
