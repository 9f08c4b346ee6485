/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs_seq.c: procfs text buffers and the open files that serve them,
 * as Linux's seq_file: the text is made at open under the kernel lock (a
 * consistent snapshot), read at any offset, and made again when a read
 * starts at offset 0 after an earlier read (tools that keep /proc/stat
 * open and re-read it with lseek(0)). The buffer is capped at
 * PROC_SNAPSHOT_MAX so a guest cannot make the Sentry allocate without
 * bound.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/fs/procfs_internal.h"

/* The largest write a procfs file takes in (comm, oom_score_adj). */
#define PROC_WRITE_MAX 256

void pbuf_init(struct pbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void pbuf_free(struct pbuf *b)
{
	free(b->data);
	pbuf_init(b);
}

/* Make room for n more bytes, up to the cap; false if none can be made. */
static bool pbuf_reserve(struct pbuf *b, size_t n)
{
	size_t want, cap;
	char *d;

	if (b->nomem || b->truncated)
		return false;
	if (n <= b->cap - b->len)
		return true;
	want = b->len + n;
	if (want > PROC_SNAPSHOT_MAX)
		want = PROC_SNAPSHOT_MAX;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap *= 2;
	if (cap > PROC_SNAPSHOT_MAX)
		cap = PROC_SNAPSHOT_MAX;
	if (cap <= b->cap) {
		/* At the cap: what still fits goes in, the rest is cut. */
		if (b->cap == b->len)
			b->truncated = true;
		return !b->truncated;
	}
	d = realloc(b->data, cap);
	if (!d) {
		b->nomem = true;
		return false;
	}
	b->data = d;
	b->cap = cap;
	return true;
}

void pbuf_write(struct pbuf *b, const void *src, size_t n)
{
	size_t room;

	if (!n || !pbuf_reserve(b, n))
		return;
	room = b->cap - b->len;
	if (n > room) {
		n = room;
		b->truncated = true;
	}
	memcpy(b->data + b->len, src, n);
	b->len += n;
}

void pbuf_puts(struct pbuf *b, const char *s)
{
	pbuf_write(b, s, strlen(s));
}

void pbuf_printf(struct pbuf *b, const char *fmt, ...)
{
	char small[256], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		pbuf_write(b, small, (size_t)n);
		return;
	}
	/* Long lines (a path in maps, cpuinfo flags): format once more. */
	va_start(ap, fmt);
	n = vasprintf(&big, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->nomem = true;
		return;
	}
	pbuf_write(b, big, (size_t)n);
	free(big);
}

void pbuf_escape(struct pbuf *b, const char *s, const char *esc)
{
	for (; *s; s++) {
		if (strchr(esc, *s)) {
			char o[5];

			snprintf(o, sizeof(o), "\\%03o", (unsigned char)*s);
			pbuf_write(b, o, 4);
		} else {
			pbuf_write(b, s, 1);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Snapshot files                                                      */

struct proc_seq {
	struct pbuf text;
	bool served;                   /* a read happened since it was made */
};

static const struct file_ops proc_seq_fops;

/* Make the text of f's node anew (under the kernel lock). */
static int proc_seq_fill(struct inode *i, struct proc_seq *s)
{
	struct proc_ctx ctx;
	struct pbuf b;
	int err = proc_ctx_init(&ctx, i);

	if (err)
		return err;
	pbuf_init(&b);
	err = ctx.pi->node->show(&ctx, &b);
	if (!err && b.nomem)
		err = -ENOMEM;
	if (err) {
		pbuf_free(&b);
		return err;
	}
	pbuf_free(&s->text);
	s->text = b;
	s->served = false;
	return 0;
}

int proc_seq_open(struct inode *i, struct file *f)
{
	const struct proc_inode *pi = i->priv;
	struct proc_ctx ctx;
	struct proc_seq *s;
	int err = proc_ctx_init(&ctx, i);

	if (err)
		return err;
	if ((pi->node->flags & PROC_F_PTRACE) && ctx.t &&
	    !proc_may_access(ctx.caller, ctx.t))
		return -EACCES;
	if (pi->node->open)
		return pi->node->open(&ctx, f);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if ((f->fmode & FMODE_READ) && pi->node->show) {
		err = proc_seq_fill(i, s);
		if (err) {
			free(s);
			return err;
		}
	}
	f->ops = &proc_seq_fops;
	f->priv = s;
	return 0;
}

static ssize_t proc_seq_read(struct file *f, struct vfs_uio *uio,
			     int64_t *pos)
{
	struct proc_seq *s = f->priv;
	const struct proc_inode *pi = f->inode->priv;
	uint64_t off;
	long n;

	if (*pos < 0)
		return -EINVAL;
	if (!pi->node->show)
		return -EINVAL;
	if (*pos == 0 && s->served) {
		/* seq_read_iter restarts at offset 0: a fresh text. */
		int err = proc_seq_fill(f->inode, s);

		if (err)
			return err;
	}
	s->served = true;
	off = (uint64_t)*pos;
	if (off >= s->text.len)
		return 0;
	n = vfs_uio_copy_to(uio, s->text.data + off,
			    s->text.len - (size_t)off);
	if (n > 0)
		*pos += n;
	return n;
}

/* Writes go to the node's handler in one piece of at most PROC_WRITE_MAX
 * bytes: what Linux's small proc writers (comm, oom_score_adj) take. */
static ssize_t proc_seq_write(struct file *f, struct vfs_uio *uio,
			      int64_t *pos)
{
	const struct proc_inode *pi = f->inode->priv;
	char buf[PROC_WRITE_MAX + 1];
	size_t count = uio->resid, len = count;
	struct proc_ctx ctx;
	long n;
	int err;

	(void)pos;
	if (!pi->node->write)
		return -EINVAL;
	if (len > PROC_WRITE_MAX)
		len = PROC_WRITE_MAX;
	n = vfs_uio_copy_from(uio, buf, len);
	if (n < 0)
		return n;
	buf[n] = '\0';
	err = proc_ctx_init(&ctx, f->inode);
	if (err)
		return err;
	return pi->node->write(&ctx, buf, (size_t)n, count);
}

static void proc_seq_release(struct file *f)
{
	struct proc_seq *s = f->priv;

	if (!s)
		return;
	pbuf_free(&s->text);
	free(s);
	f->priv = NULL;
}

static const struct file_ops proc_seq_fops = {
	.read = proc_seq_read,
	.write = proc_seq_write,
	.llseek = vfs_offset_llseek,
	.release = proc_seq_release,
};
