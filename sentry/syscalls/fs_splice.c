/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs_splice.c: moving data between two files inside the kernel: sendfile.
 *
 * The Sentry has no page-cache splicing: the data goes through a bounded
 * Sentry buffer, one chunk at a time, so a huge count costs a loop, not
 * memory.
 */
#include <errno.h>
#include <stdlib.h>

#include "sentry/syscalls/fs_common.h"

#define SENDFILE_CHUNK (64u * 1024)

/* Copy up to `count` bytes from in at *pos to out at its offset: bytes
 * moved, or -errno when nothing moved. Only the first read may block (a
 * pipe or host fd with nothing yet); later ones stop at what is ready. */
static long copy_chunks(struct task *t, struct file *in, int64_t *pos,
			struct file *out, uint64_t count)
{
	char *buf = malloc(SENDFILE_CHUNK);
	uint64_t done = 0;
	long ret = 0;

	if (!buf)
		return -ENOMEM;
	while (done < count) {
		size_t want = count - done < SENDFILE_CHUNK
				      ? (size_t)(count - done)
				      : SENDFILE_CHUNK;
		struct linux_iovec seg;
		struct vfs_uio u;
		int64_t rpos = *pos;
		long got, put;

		vfs_uio_init_sentry(&u, &seg, buf, want);
		u.t = done ? NULL : t;
		got = vfs_read(in, &u, &rpos);
		if (got <= 0) {
			ret = got;
			break;
		}
		vfs_uio_init_sentry(&u, &seg, buf, (size_t)got);
		u.t = t;
		put = vfs_write(out, &u, &out->pos);
		if (put <= 0) {
			ret = put;
			break;
		}
		/* The input advances by what reached the output. */
		*pos += put;
		done += (uint64_t)put;
		if (put < got)
			break;
	}
	free(buf);
	return done ? (long)done : ret;
}

/* do_sendfile: Linux's checks in its order, then the copy. */
static long do_sendfile(struct task *t, int out_fd, int in_fd, int64_t *ppos,
			uint64_t count)
{
	struct file *in = fd_get_nopath(t, in_fd), *out = NULL;
	int64_t pos;
	long ret;

	if (!in)
		return -EBADF;
	ret = -EBADF;
	if (!(in->fmode & FMODE_READ))
		goto out;
	ret = -ESPIPE;
	if (ppos && !(in->fmode & FMODE_PREAD))
		goto out;
	pos = ppos ? *ppos : in->pos;
	/* rw_verify_area: a negative count, offset or end. */
	ret = -EINVAL;
	if ((int64_t)count < 0 || pos < 0 || (int64_t)(pos + count) < 0)
		goto out;
	if (count > LINUX_MAX_RW_COUNT)
		count = LINUX_MAX_RW_COUNT;
	out = fd_get_nopath(t, out_fd);
	ret = -EBADF;
	if (!out || !(out->fmode & FMODE_WRITE))
		goto out;
	/* do_splice_direct: a file cannot be appended to at an offset. */
	ret = -EINVAL;
	if ((out->flags & LINUX_O_APPEND) && !LINUX_S_ISFIFO(out->inode->mode))
		goto out;
	/* A directory has no splice_read. */
	if (LINUX_S_ISDIR(in->inode->mode))
		goto out;
	ret = 0;
	if (!count)
		goto out;
	ret = copy_chunks(t, in, &pos, out, count);
	if (ret > 0) {
		if (ppos)
			*ppos = pos;
		else
			in->pos = pos;
	}
out:
	if (out)
		file_put(out);
	file_put(in);
	return ret;
}

long kern_sendfile(struct task *t, const struct sendfile_args *a)
{
	int64_t pos;
	long ret, err;

	if (!a->offset)
		return do_sendfile(t, a->out_fd, a->in_fd, NULL, a->count);
	if (task_copy_in(t, a->offset, &pos, sizeof(pos)))
		return -EFAULT;
	ret = do_sendfile(t, a->out_fd, a->in_fd, &pos, a->count);
	err = task_copy_out(t, a->offset, &pos, sizeof(pos));
	return err ? -EFAULT : ret;
}
