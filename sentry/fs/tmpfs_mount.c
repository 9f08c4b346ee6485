/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tmpfs_mount.c: "tmpfs" for mount(2): the options of Linux's shmem
 * (mode=, uid=, gid=, size=, nr_blocks=, nr_inodes=, and the ones that
 * change nothing here), and the default limits a new instance gets.
 *
 * Limits matter more here than on Linux: a tmpfs's pages are the
 * sandbox's memory, so a mount without size= gets half of it, as Linux's
 * default, and writes past it fail with ENOSPC.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/fs/fs.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/vfs/vfs.h"

#define PG 4096ULL

static uint64_t memory_bytes = 1ULL << 37;

void tmpfs_set_memory(uint64_t bytes)
{
	if (bytes >= 2 * PG)
		memory_bytes = bytes;
}

uint64_t tmpfs_default_pages(void)
{
	return memory_bytes / 2 / PG;
}

/* Linux's memparse: a number (0x hex, 0 octal) with an optional K, M, G,
 * T, P or E suffix; *rest is what follows. -EINVAL on no digits or an
 * overflow. */
static int memparse(const char *s, uint64_t *out, const char **rest)
{
	const char *units = "KMGTPE", *u;
	char *end;
	unsigned long long v;
	int shift = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -EINVAL;
	u = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
	if (u) {
		shift = 10 * (int)(u - units + 1);
		end++;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	*rest = end;
	return 0;
}

/* A uid or gid: a decimal number that is not -1 (make_kuid's invalid
 * id). */
static int parse_id(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v >= 0xffffffffUL)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

struct tmpfs_opts {
	uint32_t mode, uid, gid;
	uint64_t bytes, inodes;
	bool has_bytes, has_inodes;
};

/* Options that exist but change nothing in the Sentry (NUMA policy,
 * huge pages, inode number width, swap, quotas, generic sb flags). */
static bool ignored_option(const char *o)
{
	static const char *const names[] = {
		"inode32",  "inode64",	"noswap",   "quota",
		"usrquota", "grpquota", "ro",	    "rw",
		"sync",	    "dirsync",	"lazytime", "nolazytime",
		"mand",	    "nomand",	"posixacl", "silent",
	};
	static const char *const valued[] = {"mpol=",
					     "huge=",
					     "usrquota_block_hardlimit=",
					     "usrquota_inode_hardlimit=",
					     "grpquota_block_hardlimit=",
					     "grpquota_inode_hardlimit="};

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (!strcmp(o, names[k]))
			return true;
	for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); k++)
		if (!strncmp(o, valued[k], strlen(valued[k])))
			return true;
	return false;
}

/* One "key=value" option (shmem_parse_one). */
static int parse_one(struct tmpfs_opts *op, const char *o)
{
	const char *rest;
	uint64_t v;
	char *end;
	int err;

	if (!strncmp(o, "mode=", 5)) {
		unsigned long m;

		errno = 0;
		m = strtoul(o + 5, &end, 8);
		if (errno || end == o + 5 || *end || m > 0xffffffffUL)
			return -EINVAL;
		op->mode = (uint32_t)m & 07777;
		return 0;
	}
	if (!strncmp(o, "uid=", 4))
		return parse_id(o + 4, &op->uid);
	if (!strncmp(o, "gid=", 4))
		return parse_id(o + 4, &op->gid);
	if (!strncmp(o, "size=", 5)) {
		err = memparse(o + 5, &v, &rest);
		if (err)
			return err;
		if (*rest == '%') {
			/* A percentage of memory, in whole pages. */
			v = (uint64_t)((unsigned __int128)memory_bytes * v /
				       100);
			rest++;
		}
		if (*rest)
			return -EINVAL;
		op->bytes = v;
		op->has_bytes = true;
		return 0;
	}
	if (!strncmp(o, "nr_blocks=", 10)) {
		err = memparse(o + 10, &v, &rest);
		if (err || *rest || v > UINT64_MAX / PG)
			return -EINVAL;
		op->bytes = v * PG;
		op->has_bytes = true;
		return 0;
	}
	if (!strncmp(o, "nr_inodes=", 10)) {
		err = memparse(o + 10, &v, &rest);
		if (err || *rest || v > UINT64_MAX / TMPFS_BOGO_INODE_SIZE)
			return -EINVAL;
		op->inodes = v;
		op->has_inodes = true;
		return 0;
	}
	return ignored_option(o) ? 0 : -EINVAL;
}

/* mount -t tmpfs: a new instance with the options' limits, or half of
 * memory and as many inodes (Linux's defaults) where none are given;
 * size=0 and nr_inodes=0 mean unlimited. */
static int tmpfs_mount(const char *source, unsigned long flags,
		       const char *data, struct superblock **out)
{
	struct tmpfs_opts op = {.mode = 01777};
	char *opts = data ? strdup(data) : NULL, *save = NULL, *o;
	int err = 0;

	(void)source;
	(void)flags;
	if (data && !opts)
		return -ENOMEM;
	for (o = opts ? strtok_r(opts, ",", &save) : NULL; o && !err;
	     o = strtok_r(NULL, ",", &save))
		err = parse_one(&op, o);
	free(opts);
	if (err)
		return err;
	if (!op.has_bytes)
		op.bytes = tmpfs_default_pages() * PG;
	if (!op.has_inodes)
		op.inodes = tmpfs_default_pages();
	return tmpfs_new_limited(op.mode, op.uid, op.gid, op.bytes, op.inodes,
				 out);
}

static struct fs_type tmpfs_type = {
	.name = "tmpfs",
	.mount = tmpfs_mount,
};

void tmpfs_register(void)
{
	if (!vfs_find_fs("tmpfs"))
		vfs_register_fs(&tmpfs_type);
}
