/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cleanup.h: scope-bound release of memory and fds (after bubblewrap and
 * crun). Every destructor accepts NULL / -1.
 */
#ifndef CVISOR_CLEANUP_H
#define CVISOR_CLEANUP_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

#define cleanup_free __attribute__((cleanup(cleanup_freep)))
#define cleanup_close __attribute__((cleanup(cleanup_closep)))

/* Take ownership out of a cleanup variable. */
#define steal_pointer(pp)                                                   \
	({                                                                  \
		__typeof__(*(pp)) steal_tmp_ = *(pp);                       \
		*(pp) = NULL;                                               \
		steal_tmp_;                                                 \
	})

static inline int steal_fd(int *fd)
{
	int r = *fd;

	*fd = -1;
	return r;
}

#endif
