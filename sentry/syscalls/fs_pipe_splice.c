/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs_pipe_splice.c: splice, tee and vmsplice, the calls that move data
 * into, out of and between pipes (fs/splice.c), with Linux's checks in
 * its order.
 *
 * Pages are never shared here: splice copies through a bounded Sentry
 * buffer (one chunk at a time), tee copies a pipe's bytes without
 * consuming them, and vmsplice copies from or to the caller's memory, so
 * SPLICE_F_MOVE and SPLICE_F_GIFT are the hints Linux allows them to be
 * and SPLICE_F_MORE changes nothing. SPLICE_F_NONBLOCK (or O_NONBLOCK on
 * the pipe) makes the pipe side answer EAGAIN instead of waiting; the
 * other file's own mode decides for it.
 */
#include <errno.h>
#include <stdlib.h>

#include "sentry/fs/pipe.h"
#include "sentry/syscalls/fs_common.h"

#define SPLICE_CHUNK (64u * 1024)

/* Move up to len bytes from the pipe `in` into `out` at *pos: waits (in
 * the pipe) only while nothing has moved, then drains what is there, as
 * splice_from_pipe. */
static long from_pipe(struct task *t, struct file *in, struct file *out,
		      int64_t *pos, uint64_t len, bool nonblock)
{
	char *buf = malloc(SPLICE_CHUNK);
	uint64_t done = 0;
	long ret = 0;

	if (!buf)
		return -ENOMEM;
	while (done < len) {
		struct linux_iovec seg;
		struct vfs_uio u;
		size_t want = len - done < SPLICE_CHUNK ? (size_t)(len - done)
							: SPLICE_CHUNK;
		long avail = done ? pipe_bytes(in)
				  : pipe_wait_readable(in, t, nonblock);

		if (avail <= 0) {
			ret = avail;
			break;
		}
		want = pipe_peek(in, buf, want, 0);
		vfs_uio_init_sentry(&u, &seg, buf, want);
		u.t = t;
		ret = vfs_write(out, &u, pos);
		if (ret <= 0)
			break;
		pipe_consume(in, (size_t)ret);
		done += (uint64_t)ret;
		if ((size_t)ret < want)
			break;
	}
	free(buf);
	return done ? (long)done : ret;
}

/* Move up to len bytes read from `in` at *pos into the pipe `out`, at
 * most what fits in it; only the first read may block. */
static long to_pipe(struct task *t, struct file *in, int64_t *pos,
		    struct file *out, uint64_t len, bool nonblock)
{
	long room = pipe_wait_writable(out, t, nonblock);
	char *buf;
	uint64_t done = 0;
	long ret = 0;

	if (room <= 0)
		return room;
	if (len > (uint64_t)room)
		len = (uint64_t)room;
	buf = malloc(SPLICE_CHUNK);
	if (!buf)
		return -ENOMEM;
	while (done < len) {
		struct linux_iovec seg;
		struct vfs_uio u;
		size_t want = len - done < SPLICE_CHUNK ? (size_t)(len - done)
							: SPLICE_CHUNK;

		vfs_uio_init_sentry(&u, &seg, buf, want);
		u.t = done || nonblock ? NULL : t;
		ret = vfs_read(in, &u, pos);
		if (ret <= 0)
			break;
		ret = pipe_append(out, buf, (size_t)ret);
		if (ret <= 0)
			break;
		done += (uint64_t)ret;
		if ((size_t)ret < want)
			break;
	}
	free(buf);
	return done ? (long)done : ret;
}

/* Between two pipes: what the input holds and the output has room for,
 * consumed from the input (splice) or not (tee). */
static long pipe_to_pipe(struct task *t, struct file *in, struct file *out,
			 uint64_t len, bool nonblock, bool consume)
{
	long avail = pipe_wait_readable(in, t, nonblock), room;
	char *buf;
	size_t n;

	if (avail <= 0)
		return avail;
	room = pipe_wait_writable(out, t, nonblock);
	if (room <= 0)
		return room;
	n = (size_t)avail;
	if ((uint64_t)n > len)
		n = (size_t)len;
	if (n > (size_t)room)
		n = (size_t)room;
	buf = malloc(n);
	if (!buf)
		return -ENOMEM;
	/* Waiting for room may have let a reader take some. */
	n = pipe_peek(in, buf, n, 0);
	avail = pipe_append(out, buf, n);
	if (avail > 0 && consume)
		pipe_consume(in, (size_t)avail);
	free(buf);
	return avail;
}

/* rw_verify_area for the file side: a negative offset is EINVAL, and
 * the count is clamped to MAX_RW_COUNT. */
static long verify_area(int64_t pos, uint64_t *len)
{
	if (pos < 0 || (int64_t)(pos + (int64_t)*len) < 0)
		return -EINVAL;
	if (*len > LINUX_MAX_RW_COUNT)
		*len = LINUX_MAX_RW_COUNT;
	return 0;
}

/* do_splice once both descriptors are known and the offsets copied in:
 * which side is a pipe decides. */
static long do_splice(struct task *t, struct file *in, int64_t *off_in,
		      struct file *out, int64_t *off_out, uint64_t len,
		      unsigned flags)
{
	bool ipipe = pipe_is(in), opipe = pipe_is(out);
	bool nonblock = flags & LINUX_SPLICE_F_NONBLOCK;
	int64_t pos;
	long ret;

	if (!(in->fmode & FMODE_READ) || !(out->fmode & FMODE_WRITE))
		return -EBADF;
	if (ipipe && opipe) {
		if (in->inode == out->inode)
			return -EINVAL;
		nonblock |= (in->flags | out->flags) & LINUX_O_NONBLOCK;
		return pipe_to_pipe(t, in, out, len, nonblock, true);
	}
	if (ipipe) {
		if (off_out && !(out->fmode & FMODE_PREAD))
			return -EINVAL;
		pos = off_out ? *off_out : out->pos;
		if (out->flags & LINUX_O_APPEND)
			return -EINVAL;
		ret = verify_area(pos, &len);
		if (ret)
			return ret;
		nonblock |= in->flags & LINUX_O_NONBLOCK;
		ret = from_pipe(t, in, out, &pos, len, nonblock);
		*(off_out ? off_out : &out->pos) = pos;
		return ret;
	}
	if (opipe) {
		if (off_in && !(in->fmode & FMODE_PREAD))
			return -EINVAL;
		pos = off_in ? *off_in : in->pos;
		ret = verify_area(pos, &len);
		if (ret)
			return ret;
		/* A directory has no splice_read. */
		if (LINUX_S_ISDIR(in->inode->mode))
			return -EINVAL;
		nonblock |= out->flags & LINUX_O_NONBLOCK;
		ret = to_pipe(t, in, &pos, out, len, nonblock);
		*(off_in ? off_in : &in->pos) = pos;
		return ret;
	}
	return -EINVAL;
}

long kern_splice(struct task *t, const struct splice_args *a)
{
	struct file *in, *out = NULL;
	int64_t oin, oout;
	long ret;

	if (!a->len)
		return 0;
	if (a->flags & ~(LINUX_SPLICE_F_MOVE | LINUX_SPLICE_F_NONBLOCK |
			 LINUX_SPLICE_F_MORE | LINUX_SPLICE_F_GIFT))
		return -EINVAL;
	in = fd_get_nopath(t, a->fd_in);
	if (!in)
		return -EBADF;
	out = fd_get_nopath(t, a->fd_out);
	ret = -EBADF;
	if (!out)
		goto done;
	/* __do_splice: a pipe takes no offset; offsets are read first. */
	ret = -ESPIPE;
	if ((pipe_is(in) && a->off_in) || (pipe_is(out) && a->off_out))
		goto done;
	ret = -EFAULT;
	if (a->off_out && task_copy_in(t, a->off_out, &oout, sizeof(oout)))
		goto done;
	if (a->off_in && task_copy_in(t, a->off_in, &oin, sizeof(oin)))
		goto done;
	ret = do_splice(t, in, a->off_in ? &oin : NULL, out,
			a->off_out ? &oout : NULL, a->len, a->flags);
	if (ret < 0)
		goto done;
	if ((a->off_out && task_copy_out(t, a->off_out, &oout, sizeof(oout))) ||
	    (a->off_in && task_copy_out(t, a->off_in, &oin, sizeof(oin))))
		ret = -EFAULT;
done:
	if (out)
		file_put(out);
	file_put(in);
	return ret;
}

/* tee: copy between two pipes, leaving the input's bytes in place. */
long kern_tee(struct task *t, const struct tee_args *a)
{
	struct file *in, *out;
	long ret = -EBADF;

	if (!a->len)
		return 0;
	in = fd_get_nopath(t, a->fd_in);
	if (!in)
		return -EBADF;
	out = fd_get_nopath(t, a->fd_out);
	if (!out)
		goto done;
	if (!(in->fmode & FMODE_READ) || !(out->fmode & FMODE_WRITE))
		goto done;
	ret = -EINVAL;
	if (!pipe_is(in) || !pipe_is(out) || in->inode == out->inode)
		goto done;
	ret = pipe_to_pipe(
		t, in, out, a->len,
		(a->flags & LINUX_SPLICE_F_NONBLOCK) ||
			((in->flags | out->flags) & LINUX_O_NONBLOCK),
		false);
done:
	if (out)
		file_put(out);
	file_put(in);
	return ret;
}

/* vmsplice into a pipe: what fits of the caller's buffers, after
 * waiting for room (once). */
static long vmsplice_to_pipe(struct task *t, struct file *f, struct vfs_uio *u,
			     bool nonblock)
{
	long room = pipe_wait_writable(f, t, nonblock);
	size_t n;
	char *buf;
	long got;

	if (room <= 0)
		return room;
	n = u->resid < (uint64_t)room ? (size_t)u->resid : (size_t)room;
	buf = malloc(n);
	if (!buf)
		return -ENOMEM;
	got = vfs_uio_copy_from(u, buf, n);
	if (got > 0)
		got = pipe_append(f, buf, (size_t)got);
	free(buf);
	return got;
}

/* vmsplice out of a pipe: a read into the caller's buffers that waits
 * only while the pipe is empty. */
static long vmsplice_to_user(struct task *t, struct file *f, struct vfs_uio *u,
			     bool nonblock)
{
	long avail = pipe_wait_readable(f, t, nonblock), got;
	size_t n;
	char *buf;

	if (avail <= 0)
		return avail;
	n = u->resid < (uint64_t)avail ? (size_t)u->resid : (size_t)avail;
	buf = malloc(n);
	if (!buf)
		return -ENOMEM;
	n = pipe_peek(f, buf, n, 0);
	got = vfs_uio_copy_to(u, buf, n);
	if (got > 0)
		pipe_consume(f, (size_t)got);
	free(buf);
	return got;
}

long kern_vmsplice(struct task *t, const struct vmsplice_args *a)
{
	struct linux_iovec fast[8], *iov = fast;
	struct file *f = fd_get_nopath(t, a->fd);
	bool nonblock = a->flags & LINUX_SPLICE_F_NONBLOCK;
	bool to_pipe_dir;
	struct vfs_uio u;
	long ret;

	if (!f)
		return -EBADF;
	/* The direction is the description's: written to if it may be. */
	if (f->fmode & FMODE_WRITE)
		to_pipe_dir = true;
	else if (f->fmode & FMODE_READ)
		to_pipe_dir = false;
	else {
		file_put(f);
		return -EBADF;
	}
	ret = vfs_import_iovec(t, a->iov, a->nr_segs, fast, 8, &iov);
	if (ret < 0)
		goto done;
	vfs_uio_init_guest(&u, t, iov, (int)a->nr_segs, (uint64_t)ret);
	if (!u.resid)
		ret = 0;
	else if (!pipe_is(f))
		ret = -EBADF;
	else if (to_pipe_dir)
		ret = vmsplice_to_pipe(t, f, &u, nonblock);
	else
		ret = vmsplice_to_user(t, f, &u, nonblock);
	if (iov != fast)
		free(iov);
done:
	file_put(f);
	return ret;
}
