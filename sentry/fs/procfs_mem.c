/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs_mem.c: the files that show a process's address space: cmdline,
 * environ and auxv (ranges the loader recorded in mm_layout), maps, and
 * mem. Everything read from guest memory is the guest's to change: ranges
 * are bounds-checked, reads stop at the first inaccessible page, and no
 * text grows past PROC_SNAPSHOT_MAX.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/fs/procfs_internal.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

/* How much of mem one read or write moves at most (the kernel lock is
 * held throughout: a 2 GiB read must not stall the sandbox). */
#define PROC_MEM_CHUNK (1u << 20)

/* Read guest bytes [start, start + len) into buf page by page; the
 * number of bytes read before the first page that cannot be read
 * (access_remote_vm's partial result). */
static size_t read_prefix(struct mm *mm, uint64_t start, char *buf,
			  size_t len)
{
	size_t got = 0;

	while (got < len) {
		uint64_t a = start + got;
		size_t n = MM_PAGE_SIZE - (a & MM_PAGE_MASK);

		if (n > len - got)
			n = len - got;
		if (mm_copy_in(mm, a, buf + got, n))
			break;
		got += n;
	}
	return got;
}

/* Append guest bytes [start, end) until the first unreadable page. */
static void copy_range(struct mm *mm, uint64_t start, uint64_t end,
		       struct pbuf *b)
{
	char page[MM_PAGE_SIZE];

	while (start < end && !b->truncated && !b->nomem) {
		size_t n = MM_PAGE_SIZE - (start & MM_PAGE_MASK), got;

		if (n > end - start)
			n = end - start;
		got = read_prefix(mm, start, page, n);
		pbuf_write(b, page, got);
		if (got < n)
			break;
		start += n;
	}
}

/*
 * get_mm_cmdline: the argument area; when the byte before arg_end is not
 * NUL the process rewrote its title (setproctitle) and may have run into
 * the environment: then the title is the first string from arg_start, at
 * most a page.
 */
static void show_cmdline(struct mm *mm, struct pbuf *b)
{
	const struct mm_layout *l = mm_layout(mm);
	uint64_t arg_start = l->arg_start, arg_end = l->arg_end;
	uint64_t env_start = l->env_start, env_end = l->env_end, len;
	char c, page[MM_PAGE_SIZE];

	if (!arg_end || arg_start >= arg_end)
		return;
	if (env_start != arg_end || env_end < env_start)
		env_start = env_end = arg_end;
	if (mm_copy_in(mm, arg_end - 1, &c, 1) || !c) {
		copy_range(mm, arg_start, arg_end, b);
		return;
	}
	len = env_end - arg_start;
	if (len > sizeof(page))
		len = sizeof(page);
	/* As much of the page as is readable, up to its first NUL. */
	len = read_prefix(mm, arg_start, page, len);
	if (len) {
		size_t n = strnlen(page, len);

		pbuf_write(b, page, n < len ? n + 1 : n);
	}
}

/* Reading guest memory may fault in file pages, which drops the kernel
 * lock: the address space is held so that it outlives a task exiting
 * meanwhile. */
int proc_show_cmdline(struct proc_ctx *ctx, struct pbuf *b)
{
	struct mm *mm = ctx->t->mm;

	if (!mm)
		return 0;
	mm_get(mm);
	show_cmdline(mm, b);
	mm_put(mm);
	return 0;
}

int proc_show_environ(struct proc_ctx *ctx, struct pbuf *b)
{
	struct mm *mm = ctx->t->mm;
	const struct mm_layout *l;

	if (!mm)
		return 0;
	l = mm_layout(mm);
	if (l->env_start < l->env_end) {
		mm_get(mm);
		copy_range(mm, l->env_start, l->env_end, b);
		mm_put(mm);
	}
	return 0;
}

/* The auxiliary vector the loader gave the process, through AT_NULL. */
int proc_show_auxv(struct proc_ctx *ctx, struct pbuf *b)
{
	static const uint64_t at_null[2];
	struct mm *mm = ctx->t->mm;
	const struct mm_layout *l;
	unsigned n, k;

	if (!mm)
		return 0;
	l = mm_layout(mm);
	n = l->auxv_len;
	if (n > sizeof(l->auxv) / sizeof(l->auxv[0]))
		n = sizeof(l->auxv) / sizeof(l->auxv[0]);
	n &= ~1u;
	for (k = 0; k < n; k += 2) {
		pbuf_write(b, &l->auxv[k], 2 * sizeof(uint64_t));
		if (l->auxv[k] == 0)
			return 0;
	}
	pbuf_write(b, at_null, sizeof(at_null));
	return 0;
}

int proc_show_maps(struct proc_ctx *ctx, struct pbuf *b)
{
	struct mm *mm = ctx->t->mm;
	char *text = NULL;
	size_t len = 0;
	int err;

	if (!mm)
		return 0;
	err = mm_maps_text(mm, &text, &len);
	if (err)
		return err;
	pbuf_write(b, text, len);
	free(text);
	if (b->truncated) {
		/* Cut at a line: readers parse whole lines. */
		while (b->len && b->data[b->len - 1] != '\n')
			b->len--;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* /proc/PID/mem                                                       */

/*
 * The address space is taken at open, as Linux's mem_open does: a file
 * opened before the process executed a setuid program must not read the
 * new image. The reference keeps the mm alive until the file is closed.
 */
struct proc_mem {
	struct mm *mm;
};

static ssize_t proc_mem_rw(struct file *f, struct vfs_uio *uio, int64_t *pos,
			   bool write)
{
	struct proc_mem *pm = f->priv;
	char page[MM_PAGE_SIZE];
	uint64_t addr = (uint64_t)*pos;
	size_t done = 0;

	if (*pos < 0)
		return -EINVAL;
	while (uio->resid && done < PROC_MEM_CHUNK) {
		size_t n = MM_PAGE_SIZE - (addr & MM_PAGE_MASK);
		long moved;
		int err;

		if (n > uio->resid)
			n = uio->resid;
		if (write) {
			moved = vfs_uio_copy_from(uio, page, n);
			if (moved <= 0)
				break;
			err = mm_copy_out_force(pm->mm, addr, page,
						(size_t)moved);
		} else {
			err = mm_copy_in_force(pm->mm, addr, page, n);
			moved = err ? 0 : vfs_uio_copy_to(uio, page, n);
		}
		if (err) {
			if (!done)
				return -EIO;
			break;
		}
		if (moved <= 0)
			break;
		done += (size_t)moved;
		addr += (uint64_t)moved;
		if ((size_t)moved < n)
			break;
	}
	if (!done && uio->resid)
		return -EFAULT;
	*pos = (int64_t)addr;
	return (ssize_t)done;
}

static ssize_t proc_mem_read(struct file *f, struct vfs_uio *uio,
			     int64_t *pos)
{
	return proc_mem_rw(f, uio, pos, false);
}

static ssize_t proc_mem_write(struct file *f, struct vfs_uio *uio,
			      int64_t *pos)
{
	return proc_mem_rw(f, uio, pos, true);
}

static void proc_mem_release(struct file *f)
{
	struct proc_mem *pm = f->priv;

	if (!pm)
		return;
	mm_put(pm->mm);
	free(pm);
	f->priv = NULL;
}

static const struct file_ops proc_mem_fops = {
	.read = proc_mem_read,
	.write = proc_mem_write,
	.llseek = vfs_offset_llseek,
	.release = proc_mem_release,
};

/* Reading or writing another process's memory is ptrace attach (the
 * threat: a user's process reading a setuid program's secrets). */
int proc_mem_open(struct proc_ctx *ctx, struct file *f)
{
	struct proc_mem *pm;

	if (!proc_may_access(ctx->caller, ctx->t))
		return -EACCES;
	if (!ctx->t->mm)
		return -ESRCH;
	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return -ENOMEM;
	pm->mm = ctx->t->mm;
	mm_get(pm->mm);
	f->ops = &proc_mem_fops;
	f->priv = pm;
	return 0;
}
