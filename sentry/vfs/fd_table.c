/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fd_table.c: file descriptor tables: lowest-free allocation under
 * RLIMIT_NOFILE, dup2-style replacement, close-on-exec, sharing and
 * copying.
 *
 * A table grows by doubling up to the caller's limit, and never past
 * NR_OPEN (Linux's fs.nr_open default): a guest raising RLIMIT_NOFILE and
 * asking for fd 1e9 must not make the Sentry allocate gigabytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/abi/resource.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/internal.h"

#define NR_OPEN 1048576

/* A description leaves table fdt (close, dup2 over it, exec, the table's
 * end): the table's POSIX locks on the file go, then the reference. */
static void fdt_drop(struct fd_table *fdt, struct file *f)
{
	if (!f)
		return;
	vfs_locks_remove_posix(f, fdt);
	file_put(f);
}

int fd_table_new(struct fd_table **out)
{
	struct fd_table *fdt = calloc(1, sizeof(*fdt));

	if (!fdt)
		return -ENOMEM;
	fdt->refs = 1;
	*out = fdt;
	return 0;
}

void fd_table_get(struct fd_table *fdt)
{
	fdt->refs++;
}

void fd_table_put(struct fd_table *fdt)
{
	if (!fdt || --fdt->refs)
		return;
	for (int fd = 0; fd < fdt->size; fd++) {
		struct file *f = fdt->fds[fd].file;

		fdt->fds[fd].file = NULL;
		fdt_drop(fdt, f);
	}
	free(fdt->fds);
	free(fdt);
}

int fd_table_copy(struct fd_table *src, struct fd_table **out)
{
	struct fd_table *fdt;
	int err = fd_table_new(&fdt);

	if (err)
		return err;
	if (src->size) {
		fdt->fds = calloc((size_t)src->size, sizeof(*fdt->fds));
		if (!fdt->fds) {
			free(fdt);
			return -ENOMEM;
		}
		memcpy(fdt->fds, src->fds,
		       (size_t)src->size * sizeof(*fdt->fds));
		for (int fd = 0; fd < src->size; fd++)
			if (fdt->fds[fd].file)
				file_get(fdt->fds[fd].file);
	}
	fdt->size = src->size;
	fdt->next = src->next;
	*out = fdt;
	return 0;
}

/* Make room for descriptor `fd`. */
static int fdt_grow(struct fd_table *fdt, int fd)
{
	struct fd_entry *n;
	int size = fdt->size ? fdt->size : 64;

	if (fd < fdt->size)
		return 0;
	if (fd >= NR_OPEN)
		return -EMFILE;
	while (size <= fd)
		size *= 2;
	if (size > NR_OPEN)
		size = NR_OPEN;
	n = realloc(fdt->fds, (size_t)size * sizeof(*n));
	if (!n)
		return -ENOMEM;
	memset(n + fdt->size, 0, (size_t)(size - fdt->size) * sizeof(*n));
	fdt->fds = n;
	fdt->size = size;
	return 0;
}

int fdt_alloc(struct fd_table *fdt, int minfd, uint64_t limit, struct file *f,
	      unsigned fdflags)
{
	int fd = minfd > fdt->next ? minfd : fdt->next;
	int err;

	if (minfd < 0)
		return -EINVAL;
	if (limit > NR_OPEN)
		limit = NR_OPEN;
	while (fd < fdt->size && fdt->fds[fd].file)
		fd++;
	if ((uint64_t)fd >= limit)
		return -EMFILE;
	err = fdt_grow(fdt, fd);
	if (err)
		return err;
	fdt->fds[fd].file = f;
	fdt->fds[fd].flags = fdflags;
	file_get(f);
	if (minfd <= fdt->next)
		fdt->next = fd + 1;
	return fd;
}

int fdt_replace(struct fd_table *fdt, int fd, uint64_t limit, struct file *f,
		unsigned fdflags)
{
	struct file *old;
	int err;

	if (limit > NR_OPEN)
		limit = NR_OPEN;
	if (fd < 0 || (uint64_t)fd >= limit)
		return -EBADF;
	err = fdt_grow(fdt, fd);
	if (err)
		return err;
	old = fdt->fds[fd].file;
	file_get(f);
	fdt->fds[fd].file = f;
	fdt->fds[fd].flags = fdflags;
	/* Release the old description only once the slot is consistent: its
	 * release may run arbitrary file code. */
	fdt_drop(fdt, old);
	return fd;
}

struct file *fdt_get(struct fd_table *fdt, int fd, unsigned *fdflags)
{
	struct file *f;

	if (fd < 0 || fd >= fdt->size || !(f = fdt->fds[fd].file))
		return NULL;
	if (fdflags)
		*fdflags = fdt->fds[fd].flags;
	file_get(f);
	return f;
}

int fdt_close(struct fd_table *fdt, int fd)
{
	struct file *f;

	if (fd < 0 || fd >= fdt->size || !(f = fdt->fds[fd].file))
		return -EBADF;
	fdt->fds[fd].file = NULL;
	fdt->fds[fd].flags = 0;
	if (fd < fdt->next)
		fdt->next = fd;
	fdt_drop(fdt, f);
	return 0;
}

int fdt_next(struct fd_table *fdt, int fd)
{
	if (fd < 0)
		fd = 0;
	for (; fd < fdt->size; fd++)
		if (fdt->fds[fd].file)
			return fd;
	return -1;
}

uint64_t fd_limit(struct task *t)
{
	uint64_t lim;

	if (!t || !t->tg)
		return 1024;
	lim = t->tg->rlimits[LINUX_RLIMIT_NOFILE].cur;
	return lim > NR_OPEN ? NR_OPEN : lim;
}

void fd_table_exec(struct task *t)
{
	struct fd_table *fdt = t->fdt;

	for (int fd = 0; fd < fdt->size; fd++)
		if (fdt->fds[fd].file && (fdt->fds[fd].flags & FD_CLOEXEC_FLAG))
			fdt_close(fdt, fd);
}

int fd_install(struct task *t, struct file *f, unsigned fdflags)
{
	return fdt_alloc(t->fdt, 0, fd_limit(t), f, fdflags);
}

int fd_install_from(struct task *t, int minfd, struct file *f, unsigned fdflags)
{
	if (minfd < 0 || (uint64_t)minfd >= fd_limit(t))
		return -EINVAL;
	return fdt_alloc(t->fdt, minfd, fd_limit(t), f, fdflags);
}

int fd_check_free(struct task *t)
{
	struct fd_table *fdt = t->fdt;
	uint64_t lim = fd_limit(t);
	int fd = fdt->next;

	while (fd < fdt->size && fdt->fds[fd].file)
		fd++;
	return (uint64_t)fd < lim ? 0 : -EMFILE;
}

int fd_replace(struct task *t, int fd, struct file *f, unsigned fdflags)
{
	return fdt_replace(t->fdt, fd, fd_limit(t), f, fdflags);
}

struct file *fd_get(struct task *t, int fd)
{
	return fdt_get(t->fdt, fd, NULL);
}

struct file *fd_get_nopath(struct task *t, int fd)
{
	struct file *f = fdt_get(t->fdt, fd, NULL);

	if (f && (f->fmode & FMODE_PATH)) {
		file_put(f);
		return NULL;
	}
	return f;
}

int fd_close(struct task *t, int fd)
{
	return fdt_close(t->fdt, fd);
}

int fd_get_flags(struct task *t, int fd)
{
	struct fd_table *fdt = t->fdt;

	if (fd < 0 || fd >= fdt->size || !fdt->fds[fd].file)
		return -EBADF;
	return (int)fdt->fds[fd].flags;
}

int fd_set_flags(struct task *t, int fd, unsigned fdflags)
{
	struct fd_table *fdt = t->fdt;

	if (fd < 0 || fd >= fdt->size || !fdt->fds[fd].file)
		return -EBADF;
	fdt->fds[fd].flags = fdflags;
	return 0;
}
