/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_int.h: the client's transport, shared by its request files (not
 * for use outside gofer/).
 */
#ifndef CVISOR_GOFER_CLIENT_INT_H
#define CVISOR_GOFER_CLIENT_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/uio.h>

#include "gofer/client.h"
#include "gofer/wire.h"

struct gofer_client {
	pthread_mutex_t lock; /* one request and its reply at a time */
	int sock;
	uint32_t tag;
	bool broken;
	char *rbuf;           /* the last reply, GOFER_MSG_MAX bytes */
};

void gofer_client_lock(struct gofer_client *);
void gofer_client_unlock(struct gofer_client *);

/*
 * With the lock held: send a request of `type` whose payload is the
 * concatenation of parts, and receive its reply into rbuf. Returns the
 * reply payload's length, the Gofer's -errno, or -EIO (broken). With fd
 * set, a successful reply must carry exactly one fd, stored there;
 * otherwise it must carry none.
 */
long gofer_transact(struct gofer_client *, unsigned type,
		    const struct iovec *parts, int nparts, int *fd);

/* With the lock held: the Gofer broke the protocol (`what`): mark the
 * client broken and return -EIO. */
long gofer_violation(struct gofer_client *, const char *what);

/* The reply payload of the last transaction. */
static inline const char *gofer_reply_payload(const struct gofer_client *c)
{
	return c->rbuf + sizeof(struct gofer_hdr);
}

/*
 * A whole request whose reply is a fixed struct of `replen` bytes (0 for
 * an empty one), copied to rep: 0 or -errno. Takes the lock.
 */
int gofer_call_fixed(struct gofer_client *, unsigned type,
		     const struct iovec *parts, int nparts, void *rep,
		     size_t replen);

/* A node-making request (ATTACH, MKDIR...): 0 or -errno, node and stat
 * (may be NULL) from the reply. */
int gofer_call_node(struct gofer_client *, unsigned type,
		    const struct iovec *parts, int nparts, uint64_t *node,
		    struct gofer_stat *);

/* Whether a donated fd is a regular file: only those are ever donated,
 * so anything else (a socket, a device, an O_PATH fd) from a compromised
 * Gofer is refused before the Sentry does I/O on it. */
bool gofer_fd_is_regular(int fd);

/* An iovec of a name with its NUL, after checking it is one component:
 * 0 or -EINVAL / -ENAMETOOLONG. */
int gofer_name_iov(struct iovec *, const char *name);

#endif
