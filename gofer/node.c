/* SPDX-License-Identifier: Apache-2.0 */
/* node.c: see node.h. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "gofer/node.h"

int gofer_nodes_init(struct gofer_nodes *t, uint32_t max)
{
	*t = (struct gofer_nodes){ .max = max };
	if (max == 0 || max > UINT32_MAX - 1)
		return -EINVAL;
	/* Allocated once at the limit; never grown inside the serving loop. */
	t->v = malloc((size_t)max * sizeof(*t->v));
	return t->v ? 0 : -ENOMEM;
}

void gofer_nodes_destroy(struct gofer_nodes *t)
{
	for (uint32_t i = 0; t->v && i < t->used; i++)
		if (t->v[i].fd >= 0)
			close(t->v[i].fd);
	free(t->v);
	t->v = NULL;
	t->used = t->live = t->free_head = 0;
}

int gofer_nodes_check_room(const struct gofer_nodes *t)
{
	return t->live < t->max ? 0 : -EMFILE;
}

static uint64_t node_id(const struct gofer_nodes *t, uint32_t slot)
{
	return (uint64_t)t->v[slot].gen << 32 | (uint64_t)(slot + 1);
}

uint64_t gofer_nodes_add(struct gofer_nodes *t, int fd)
{
	uint32_t slot;

	if (t->live >= t->max)
		return 0;
	if (t->free_head) {
		slot = t->free_head - 1;
		t->free_head = t->v[slot].next_free;
	} else {
		slot = t->used++;
		t->v[slot].gen = 1;
	}
	t->v[slot].fd = fd;
	t->v[slot].next_free = 0;
	t->live++;
	return node_id(t, slot);
}

/* The slot of a live node, or -1: ids come from the client, so both the
 * index and the generation are checked before anything is indexed. */
static long lookup(const struct gofer_nodes *t, uint64_t id)
{
	uint32_t idx = (uint32_t)id, gen = (uint32_t)(id >> 32);

	if (idx == 0 || idx > t->used)
		return -1;
	if (t->v[idx - 1].fd < 0 || t->v[idx - 1].gen != gen)
		return -1;
	return (long)idx - 1;
}

int gofer_nodes_fd(const struct gofer_nodes *t, uint64_t id)
{
	long slot = lookup(t, id);

	return slot < 0 ? -EBADF : t->v[slot].fd;
}

int gofer_nodes_remove(struct gofer_nodes *t, uint64_t id)
{
	long slot = lookup(t, id);
	struct gofer_node *n;

	if (slot < 0)
		return -EBADF;
	n = &t->v[slot];
	close(n->fd);
	n->fd = -1;
	/* A stale id of this slot no longer matches (until 2^32 reuses; even
	 * then it could only name another node of the same client). */
	n->gen++;
	n->next_free = t->free_head;
	t->free_head = (uint32_t)slot + 1;
	t->live--;
	return 0;
}
