/* SPDX-License-Identifier: Apache-2.0 */
/*
 * maps.c: the text of /proc/PID/maps, byte for byte as Linux prints it
 * (fs/proc/task_mmu.c show_map_vma), since programs parse it (sanitizers,
 * JITs finding their libraries, `ldd`-style tools).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "sentry/mm/mm_internal.h"

/* Major and minor of a device number in stat's st_dev encoding (glibc's
 * gnu_dev_major/minor). */
static unsigned dev_major(uint64_t dev)
{
	return (unsigned)(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffULL));
}

static unsigned dev_minor(uint64_t dev)
{
	return (unsigned)((dev & 0xff) | ((dev >> 12) & ~0xffULL));
}

/* One line: the fields, then the name from column 73 (Linux pads the
 * first 72 columns and adds one space), or nothing after the inode's
 * trailing space when there is no name. */
int mm_maps_line(char *buf, size_t size, uint64_t start, uint64_t end, int prot,
		 bool shared, uint64_t off, uint64_t dev, uint64_t ino,
		 const char *name)
{
	int n = snprintf(buf, size,
			 "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ",
			 (unsigned long long)start, (unsigned long long)end,
			 prot & MM_PROT_READ ? 'r' : '-',
			 prot & MM_PROT_WRITE ? 'w' : '-',
			 prot & MM_PROT_EXEC ? 'x' : '-', shared ? 's' : 'p',
			 (unsigned long long)off, dev_major(dev),
			 dev_minor(dev), (unsigned long long)ino);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	if (name)
		n += snprintf(buf + n, size - (size_t)n, "%*s%s\n",
			      n < 72 ? 72 - n + 1 : 1, "", name);
	else
		n += snprintf(buf + n, size - (size_t)n, "\n");
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	return n;
}

/* The name Linux derives for an anonymous vma. */
static const char *anon_name(struct mm *mm, const struct vma *v)
{
	const struct mm_layout *l = &mm->layout;

	if (v->start <= l->brk && v->end >= l->start_brk && l->start_brk)
		return "[heap]";
	if (v->start <= l->start_stack && v->end >= l->start_stack)
		return "[stack]";
	return NULL;
}

int mm_maps_text(struct mm *mm, char **out, size_t *len)
{
	char *buf = NULL, line[4096 + 256];
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct vma *v;
	int n;

	if (!f)
		return -ENOMEM;
	RB_FOREACH(v, vma_tree, &mm->vmas)
	{
		const char *name = v->name;

		if (!name && !v->obj)
			name = anon_name(mm, v);
		n = mm_maps_line(line, sizeof(line), v->start, v->end, v->prot,
				 v->flags & VMA_SHARED, v->obj ? v->off : 0,
				 v->dev, v->ino, name);
		if (n < 0) /* a name too long for a line: cut it */
			n = (int)sizeof(line) - 1;
		fwrite(line, 1, (size_t)n, f);
	}
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	*len = size;
	return 0;
}
