/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire.h: bounds-checked reading of protocol messages, for both ends.
 *
 * Each side treats what the other sends as hostile (a compromised Sentry
 * attacking the Gofer, a compromised Gofer attacking the Sentry), so every
 * field is taken through a cursor that cannot read past the message.
 */
#ifndef CVISOR_GOFER_WIRE_H
#define CVISOR_GOFER_WIRE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "gofer/protocol.h"

struct gofer_cursor {
	const char *p;
	size_t left;
};

static inline struct gofer_cursor gofer_cursor(const void *p, size_t len)
{
	return (struct gofer_cursor){ .p = p, .left = len };
}

/* Copy the next n bytes out (any alignment); false if fewer remain. */
static inline bool gofer_take(struct gofer_cursor *c, void *dst, size_t n)
{
	if (c->left < n)
		return false;
	memcpy(dst, c->p, n);
	c->p += n;
	c->left -= n;
	return true;
}

/*
 * The next NUL-terminated string of at most `max` bytes before its NUL:
 * its length, or -EBADMSG when no NUL ends it inside the message (a peer
 * must not make us read past the message) and -ENAMETOOLONG past max.
 */
static inline long gofer_take_string(struct gofer_cursor *c, size_t max,
				     const char **s)
{
	const char *nul = memchr(c->p, '\0', c->left);
	size_t len;

	if (!nul)
		return -EBADMSG;
	len = (size_t)(nul - c->p);
	if (len > max)
		return -ENAMETOOLONG;
	*s = c->p;
	c->p += len + 1;
	c->left -= len + 1;
	return (long)len;
}

/*
 * Whether a name is one path component: 1..NAME_MAX bytes, no '/', not
 * "." or "..". Both ends enforce it: the Gofer so that a hostile Sentry
 * cannot resolve anything but a child of a node it holds (never a parent,
 * never a multi-component path), the Sentry so that a hostile Gofer cannot
 * plant names in its dentry tree that alias other paths.
 */
static inline int gofer_check_name(const char *s, size_t len)
{
	if (len == 0 || memchr(s, '\0', len))
		return -EINVAL;
	if (len > GOFER_NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(s, '/', len))
		return -EINVAL;
	if (s[0] == '.' && (len == 1 || (len == 2 && s[1] == '.')))
		return -EINVAL;
	return 0;
}

/* A component, NUL-terminated in the message, checked as above. */
static inline long gofer_take_name(struct gofer_cursor *c, const char **s)
{
	long len = gofer_take_string(c, GOFER_NAME_MAX, s);
	int err;

	if (len < 0)
		return len;
	err = gofer_check_name(*s, (size_t)len);
	return err ? err : len;
}

/* The size of a directory record with a name of `namelen` bytes. */
static inline size_t gofer_dirent_reclen(size_t namelen)
{
	return (GOFER_DIRENT_HDR + namelen + 1 + 7) & ~(size_t)7;
}

#endif
