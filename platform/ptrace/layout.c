// SPDX-License-Identifier: Apache-2.0
/*
 * layout.c: where the stub region goes and what guests may map.
 *
 * Read once at start-up (the Sentry cannot read /proc later): the host
 * [vdso] and [vvar*] pages, which stay where the kernel put them in every
 * stub, the lowest mappable address, and a free range at the top of the user
 * address space for the stub region.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/ptrace/internal.h"

/* One line of /proc/PID/maps, as much as the platform cares about. */
struct maps_line {
	uint64_t start, end;
	char name[64];
};

/* Parse one maps line; returns 0, or -1 for a line we cannot read. */
static int maps_parse(const char *line, struct maps_line *m)
{
	int off = 0;

	m->name[0] = '\0';
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %*s %*s %*s %n",
		   &m->start, &m->end, &off) < 2)
		return -1;
	if (off > 0)
		sscanf(line + off, "%63s", m->name);
	return 0;
}

/* qsort order of ranges: by start address. */
static int keep_cmp(const void *a, const void *b)
{
	const struct pt_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Add a range the guest must not touch. */
static int keep_add(struct pt_platform *p, uint64_t start, uint64_t end)
{
	if (p->nkeep == PT_MAX_KEEP)
		return -E2BIG;
	p->keep[p->nkeep].start = start;
	p->keep[p->nkeep].end = end;
	p->nkeep++;
	return 0;
}

/* Read the vm.mmap_min_addr sysctl; 65536 if it cannot be read. */
static uint64_t read_mmap_min_addr(void)
{
	unsigned long long v = 65536;
	FILE *f = fopen("/proc/sys/vm/mmap_min_addr", "re");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 65536;
		fclose(f);
	}
	if (v < PT_PAGE)
		v = PT_PAGE; /* never let a guest map page zero */
	return (v + PT_PAGE - 1) & ~(PT_PAGE - 1);
}

/* Append a mapping to a growing array; 0 or -ENOMEM. */
static int maps_push(struct pt_range **maps, size_t *n, size_t *cap,
		     const struct maps_line *m)
{
	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 256;
		struct pt_range *nm = realloc(*maps, nc * sizeof(*nm));

		if (!nm)
			return -ENOMEM;
		*maps = nm;
		*cap = nc;
	}
	(*maps)[*n].start = m->start;
	(*maps)[*n].end = m->end;
	(*n)++;
	return 0;
}

/*
 * Read the Sentry's own map (the master is its fork, so it has the same
 * layout): all mappings below PT_USER_TOP, sorted, into *maps; the vdso and
 * vvar pages into p->keep and p->pub.info.
 */
static int maps_read(struct pt_platform *p, struct pt_range **maps,
		     size_t *nmaps)
{
	struct platform_info *info = &p->pub.info;
	uint64_t vv_lo = 0, vv_hi = 0;
	size_t cap = 0, lcap = 0;
	struct maps_line m;
	char *line = NULL;
	int rc = 0;
	FILE *f;

	f = fopen("/proc/self/maps", "re");
	if (!f)
		return -errno;
	while (rc == 0 && getline(&line, &lcap, f) > 0) {
		if (maps_parse(line, &m) < 0 || m.start >= PT_USER_TOP)
			continue; /* [vsyscall] is above */
		rc = maps_push(maps, nmaps, &cap, &m);
		if (rc == 0 && !strcmp(m.name, "[vdso]")) {
			info->vdso_addr = m.start;
			info->vdso_len = m.end - m.start;
			rc = keep_add(p, m.start, m.end);
		} else if (rc == 0 && !strncmp(m.name, "[vvar", 5)) {
			/* [vvar] and, since Linux 6.13, [vvar_vclock]. */
			if (!vv_lo || m.start < vv_lo)
				vv_lo = m.start;
			if (m.end > vv_hi)
				vv_hi = m.end;
			rc = keep_add(p, m.start, m.end);
		}
	}
	info->vvar_addr = vv_lo;
	info->vvar_len = vv_hi - vv_lo;
	free(line);
	fclose(f);
	return rc;
}

/* The start of the highest gap of PT_STUB_REGION_LEN below PT_USER_TOP
 * between sorted mappings, or 0 if there is none. */
static uint64_t stub_place(const struct pt_range *maps, size_t nmaps)
{
	uint64_t top = PT_USER_TOP;
	size_t i;

	for (i = nmaps;; i--) {
		uint64_t bottom = i ? maps[i - 1].end : 0;

		if (top > bottom && top - bottom >= PT_STUB_REGION_LEN)
			return top - PT_STUB_REGION_LEN;
		if (!i)
			return 0;
		if (maps[i - 1].start < top)
			top = maps[i - 1].start;
	}
}

/*
 * Learn the layout every stub shares: the host vdso and vvar pages, the
 * lowest mappable address, and the stub region, as high as it fits. Fills
 * p->keep (sorted), p->stub (base and len) and p->pub.info.
 */
int pt_layout_probe(struct pt_platform *p)
{
	struct platform_info *info = &p->pub.info;
	struct pt_range *maps = NULL;
	size_t nmaps = 0;
	uint64_t base;
	int rc;

	p->nkeep = 0;
	memset(info, 0, sizeof(*info));
	rc = maps_read(p, &maps, &nmaps);
	if (rc < 0)
		goto out;
	base = stub_place(maps, nmaps);
	if (base < (1UL << 32)) {
		rc = -ENOMEM;
		goto out;
	}
	p->stub.base = base;
	p->stub.len = PT_STUB_REGION_LEN;
	p->stub.code = base;
	p->stub.data = base + PT_PAGE;
	p->stub.slots = base + 2 * PT_PAGE;
	rc = keep_add(p, base, base + PT_STUB_REGION_LEN);
	if (rc < 0)
		goto out;
	qsort(p->keep, p->nkeep, sizeof(p->keep[0]), keep_cmp);
	info->min_addr = read_mmap_min_addr();
	info->max_addr = base;
out:
	free(maps);
	return rc;
}

/*
 * Check a guest range for as_map/as_unmap/as_protect: page aligned, inside
 * [min_addr, max_addr), and clear of the vdso/vvar and the stub region (a
 * guest able to map over the stub code would run its own code in the
 * injection path, where syscalls are not intercepted).
 */
int pt_check_range(const struct pt_platform *p, uint64_t addr, uint64_t len)
{
	const struct platform_info *info = &p->pub.info;
	uint64_t end = addr + len;
	int i;

	if (!len || (addr | len) & (PT_PAGE - 1) || end < addr)
		return -EINVAL;
	if (addr < info->min_addr || end > info->max_addr)
		return -EINVAL;
	for (i = 0; i < p->nkeep; i++)
		if (addr < p->keep[i].end && p->keep[i].start < end)
			return -EPERM;
	return 0;
}

/*
 * Check that a stub's address space holds nothing but the kept ranges and
 * [vsyscall]: no Sentry memory, stack or file may survive in a stub.
 */
int pt_verify_stub_maps(const struct pt_platform *p, pid_t pid)
{
	char path[64], *line = NULL;
	struct maps_line m;
	size_t cap = 0;
	int i, rc = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		if (maps_parse(line, &m) < 0)
			continue;
		if (m.start >= PT_USER_TOP && !strcmp(m.name, "[vsyscall]"))
			continue;
		for (i = 0; i < p->nkeep; i++)
			if (m.start >= p->keep[i].start &&
			    m.end <= p->keep[i].end)
				break;
		if (i == p->nkeep) {
			rc = -ENOTEMPTY;
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}
