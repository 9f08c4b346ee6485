/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs_splice.c: moving data between two files inside the kernel:
 * sendfile and copy_file_range. (splice, tee and vmsplice, which work on
 * a pipe's buffer, are in fs_pipe_splice.c.)
 *
 * The Sentry has no page-cache splicing: the data goes through a bounded
 * Sentry buffer, one chunk at a time, so a huge count costs a loop, not
 * memory.
 */
#include <errno.h>
#include <stdlib.h>

#include "sentry/syscalls/fs_common.h"

#define SENDFILE_CHUNK (64u * 1024)

/* Copy up to `count` bytes from in at *pos to out at *opos (NULL: its
 * offset): bytes moved, or -errno when nothing moved. Only the first read
 * may block (a pipe or host fd with nothing yet); later ones stop at what
 * is ready. */
static long copy_chunks(struct task *t, struct file *in, int64_t *pos,
			struct file *out, int64_t *opos, uint64_t count)
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
		put = vfs_write(out, &u, opos ? opos : &out->pos);
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
	ret = copy_chunks(t, in, &pos, out, NULL, count);
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

/* generic_copy_file_checks as Linux 6.18 orders them: the files' types
 * and modes, the same filesystem (EXDEV otherwise, as since Linux 5.19
 * for filesystems without a copy_file_range of their own), offsets that
 * do not wrap, no overlap within one file (of the count asked for), the
 * count cut at the input's end and at RLIMIT_FSIZE. */
static long copy_checks(struct task *t, struct file *in, int64_t pin,
			struct file *out, int64_t pout, uint64_t *count)
{
	struct inode *ii = in->inode, *oi = out->inode;
	uint64_t lim = UINT64_MAX, c = *count;

	if (LINUX_S_ISDIR(ii->mode) || LINUX_S_ISDIR(oi->mode))
		return -EISDIR;
	if (!LINUX_S_ISREG(ii->mode) || !LINUX_S_ISREG(oi->mode))
		return -EINVAL;
	if (!(in->fmode & FMODE_READ) || !(out->fmode & FMODE_WRITE) ||
	    (out->flags & LINUX_O_APPEND))
		return -EBADF;
	if (ii->sb != oi->sb)
		return -EXDEV;
	if ((uint64_t)pin + c < (uint64_t)pin ||
	    (uint64_t)pout + c < (uint64_t)pout)
		return -EOVERFLOW;
	if (ii == oi && (uint64_t)pout + c > (uint64_t)pin &&
	    (uint64_t)pout < (uint64_t)pin + c)
		return -EINVAL;
	if (pin < 0 || pout < 0)
		return -EINVAL;
	if ((uint64_t)pin >= ii->size)
		c = 0;
	else if (c > ii->size - (uint64_t)pin)
		c = ii->size - (uint64_t)pin;
	/* generic_write_check_limits: RLIMIT_FSIZE. */
	if (t->tg)
		lim = t->tg->rlimits[LINUX_RLIMIT_FSIZE].cur;
	if (c && (uint64_t)pout >= lim) {
		struct linux_siginfo si = {.signo = LINUX_SIGXFSZ,
					   .code = LINUX_SI_USER};

		signal_send_task(t, &si);
		return -EFBIG;
	}
	if (c > lim - (uint64_t)pout)
		c = lim - (uint64_t)pout;
	*count = c;
	return 0;
}

/* An optional guest offset argument: 0, -EFAULT, or *has false. */
static long get_off(struct task *t, uint64_t uoff, int64_t *off, bool *has)
{
	*has = uoff != 0;
	if (!*has)
		return 0;
	return task_copy_in(t, uoff, off, sizeof(*off)) ? -EFAULT : 0;
}

long kern_copy_file_range(struct task *t, const struct copy_file_range_args *a)
{
	struct file *in = fd_get_nopath(t, a->fd_in), *out = NULL;
	uint64_t count = a->len;
	int64_t pin, pout;
	bool has_in, has_out;
	long ret = -EBADF;

	if (!in)
		return -EBADF;
	out = fd_get_nopath(t, a->fd_out);
	if (!out)
		goto done;
	ret = get_off(t, a->off_in, &pin, &has_in);
	if (!ret)
		ret = get_off(t, a->off_out, &pout, &has_out);
	if (ret)
		goto done;
	if (!has_in)
		pin = in->pos;
	if (!has_out)
		pout = out->pos;
	ret = a->flags ? -EINVAL : copy_checks(t, in, pin, out, pout, &count);
	if (ret || !count)
		goto done;
	if (count > LINUX_MAX_RW_COUNT)
		count = LINUX_MAX_RW_COUNT;
	ret = copy_chunks(t, in, &pin, out, &pout, count);
	if (ret <= 0)
		goto done;
	/* Both offsets moved by what reached the output. */
	if (!has_in)
		in->pos = pin;
	else if (task_copy_out(t, a->off_in, &pin, sizeof(pin)))
		ret = -EFAULT;
	if (!has_out)
		out->pos = pout;
	else if (task_copy_out(t, a->off_out, &pout, sizeof(pout)))
		ret = -EFAULT;
done:
	if (out)
		file_put(out);
	file_put(in);
	return ret;
}
