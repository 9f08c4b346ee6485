/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysfs.c: the Sentry's /sys: the little of Linux's sysfs that C
 * libraries and language runtimes read to size themselves, synthesized
 * from what the sandbox reports (sysinfo_ncpus):
 *
 *   devices/system/cpu/{online,possible,present,offline,kernel_max}
 *   devices/system/cpu/cpuN/topology/{core_id,physical_package_id,
 *       die_id,thread_siblings_list,core_siblings_list,core_cpus_list,
 *       package_cpus_list}      (one core per CPU, one package)
 *   fs/cgroup/                  (empty: no cgroup filesystem inside)
 *
 * Anything else is ENOENT. The tree is built once per instance and never
 * changes; it is read-only (EROFS) and owned by root, and attribute files
 * report st_size 4096 as sysfs does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/dirent.h"
#include "sentry/fs/fs.h"
#include "sentry/kernel/sysinfo.h"
#include "sentry/vfs/vfs.h"

#define SYSFS_MAGIC 0x62656572
#define SYSFS_ATTR_SIZE 4096

/* One file or directory of the tree. */
struct sysfs_node {
	char *name;
	uint32_t mode;
	uint64_t ino;
	char *text;		     /* files: the content */
	struct sysfs_node *children; /* directories: first child */
	struct sysfs_node *next;     /* sibling */
	unsigned nsubdirs;
};

static const struct inode_ops sysfs_iops;
static const struct file_ops sysfs_dir_fops;
static const struct file_ops sysfs_file_fops;

static void node_free(struct sysfs_node *n)
{
	while (n) {
		struct sysfs_node *next = n->next;

		node_free(n->children);
		free(n->name);
		free(n->text);
		free(n);
		n = next;
	}
}

/* A new child of dir (appended, so listings keep the build order). */
static struct sysfs_node *add(struct sysfs_node *dir, const char *name,
			      uint32_t mode, uint64_t *ino)
{
	struct sysfs_node *n = calloc(1, sizeof(*n)), **pp;

	if (!n)
		return NULL;
	n->name = strdup(name);
	if (!n->name) {
		free(n);
		return NULL;
	}
	n->mode = mode;
	n->ino = (*ino)++;
	for (pp = &dir->children; *pp; pp = &(*pp)->next)
		;
	*pp = n;
	if (LINUX_S_ISDIR(mode))
		dir->nsubdirs++;
	return n;
}

static struct sysfs_node *add_dir(struct sysfs_node *dir, const char *name,
				  uint64_t *ino)
{
	return dir ? add(dir, name, LINUX_S_IFDIR | 0755, ino) : NULL;
}

/* A read-only attribute file with printf content. */
__attribute__((format(printf, 5, 6))) static int
add_file(struct sysfs_node *dir, const char *name, uint32_t perm, uint64_t *ino,
	 const char *fmt, ...)
{
	struct sysfs_node *n;
	va_list ap;
	int len;

	if (!dir)
		return -ENOMEM;
	n = add(dir, name, LINUX_S_IFREG | perm, ino);
	if (!n)
		return -ENOMEM;
	va_start(ap, fmt);
	len = vasprintf(&n->text, fmt, ap);
	va_end(ap);
	if (len < 0) {
		n->text = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* A CPU range as Linux prints cpumask lists: "0" or "0-N". */
static void range(char *buf, size_t size, unsigned ncpus)
{
	if (ncpus <= 1)
		snprintf(buf, size, "0");
	else
		snprintf(buf, size, "0-%u", ncpus - 1);
}

/* Add name/value files ("value\n") to dir. */
static int add_files(struct sysfs_node *dir, const char *const (*kv)[2],
		     size_t n, uint64_t *ino)
{
	for (size_t k = 0; k < n; k++) {
		int err = add_file(dir, kv[k][0], 0444, ino, "%s\n", kv[k][1]);

		if (err)
			return err;
	}
	return 0;
}

/* devices/system/cpu: ranges, and one topology directory per CPU (one
 * core per CPU, one package). */
static int build_cpu(struct sysfs_node *cpu, uint64_t *ino)
{
	unsigned ncpus = sysinfo_ncpus() ? sysinfo_ncpus() : 1;
	char all[32], max[16];
	int err;

	range(all, sizeof(all), ncpus);
	snprintf(max, sizeof(max), "%u", SYSINFO_MAX_CPUS - 1);
	{
		const char *const kv[][2] = {
			{"kernel_max", max}, {"offline", ""},  {"online", all},
			{"possible", all},   {"present", all},
		};

		err = add_files(cpu, kv, sizeof(kv) / sizeof(kv[0]), ino);
	}
	for (unsigned c = 0; !err && c < ncpus; c++) {
		char name[32], own[16];
		struct sysfs_node *topo;

		snprintf(name, sizeof(name), "cpu%u", c);
		snprintf(own, sizeof(own), "%u", c);
		const char *const kv[][2] = {
			{"core_cpus_list", own},
			{"core_id", own},
			{"core_siblings_list", all},
			{"die_id", "0"},
			{"package_cpus_list", all},
			{"physical_package_id", "0"},
			{"thread_siblings_list", own},
		};

		topo = add_dir(add_dir(cpu, name, ino), "topology", ino);
		err = topo ? add_files(topo, kv, sizeof(kv) / sizeof(kv[0]),
				       ino)
			   : -ENOMEM;
	}
	return err;
}

static int build_tree(struct sysfs_node *root, uint64_t *ino)
{
	struct sysfs_node *cpu;

	cpu = add_dir(add_dir(add_dir(root, "devices", ino), "system", ino),
		      "cpu", ino);
	if (!cpu || !add_dir(add_dir(root, "fs", ino), "cgroup", ino))
		return -ENOMEM;
	return build_cpu(cpu, ino);
}

/* The inode of a node: root-owned, times of the mount. */
static struct inode *node_inode(struct superblock *sb, struct sysfs_node *n)
{
	bool dir = LINUX_S_ISDIR(n->mode);
	struct inode *i = inode_new(sb, &sysfs_iops,
				    dir ? &sysfs_dir_fops : &sysfs_file_fops,
				    n->mode, n->ino);

	if (!i)
		return NULL;
	i->priv = n;
	i->size = dir ? 0 : SYSFS_ATTR_SIZE;
	if (dir)
		i->nlink = 2 + n->nsubdirs;
	return i;
}

static int sysfs_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct sysfs_node *d = dir->priv;

	for (struct sysfs_node *n = d->children; n; n = n->next) {
		if (strcmp(n->name, name))
			continue;
		*out = node_inode(dir->sb, n);
		return *out ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

/* Entries in build order, numbered from 2 after "." and "..". */
static int sysfs_getdents(struct file *f, struct dir_ctx *ctx)
{
	struct sysfs_node *d = f->inode->priv;
	int64_t pos = 2;

	if (!vfs_dir_emit_dots(f, ctx))
		return 0;
	for (struct sysfs_node *n = d->children; n; n = n->next, pos++) {
		if (pos < ctx->pos)
			continue;
		if (!ctx->emit(ctx, n->name, strlen(n->name), n->ino,
			       linux_mode_to_dtype(n->mode), pos + 1))
			return 0;
		ctx->pos = pos + 1;
	}
	return 0;
}

static ssize_t sysfs_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	const char *text = ((struct sysfs_node *)f->inode->priv)->text;
	size_t len = strlen(text);
	long n;

	if (*pos < 0)
		return -EINVAL;
	if ((uint64_t)*pos >= len)
		return 0;
	n = vfs_uio_copy_to(uio, text + *pos, len - (size_t)*pos);
	if (n > 0)
		*pos += n;
	return n;
}

static const struct inode_ops sysfs_iops = {
	.lookup = sysfs_lookup,
};

static const struct file_ops sysfs_dir_fops = {
	.llseek = vfs_offset_llseek,
	.getdents = sysfs_getdents,
};

static const struct file_ops sysfs_file_fops = {
	.read = sysfs_read,
	.llseek = vfs_generic_llseek,
};

static void sysfs_release(struct superblock *sb)
{
	node_free(sb->priv);
	sb->priv = NULL;
}

static const struct superblock_ops sysfs_sops = {
	.release = sysfs_release,
};

int sysfs_new(struct superblock **out)
{
	struct sysfs_node *root = calloc(1, sizeof(*root));
	struct superblock *sb;
	struct inode *i;
	uint64_t ino = 2;
	int err;

	if (!root)
		return -ENOMEM;
	root->mode = LINUX_S_IFDIR | 0555;
	root->ino = 1;
	err = build_tree(root, &ino);
	if (!err)
		err = superblock_new(&sysfs_sops, "sysfs", SYSFS_MAGIC,
				     SB_RDONLY, &sb);
	if (err) {
		node_free(root->children);
		free(root);
		return err;
	}
	sb->priv = root;
	i = node_inode(sb, root);
	err = i ? superblock_set_root(sb, i) : -ENOMEM;
	if (err) {
		if (i)
			inode_put(i);
		superblock_put(sb);
		return err;
	}
	*out = sb;
	return 0;
}

/* mount -t sysfs: a new instance; options are ignored, as sysfs has
 * none of its own. */
static int sysfs_mount(const char *source, unsigned long flags,
		       const char *data, struct superblock **out)
{
	(void)source;
	(void)flags;
	(void)data;
	return sysfs_new(out);
}

static struct fs_type sysfs_type = {
	.name = "sysfs",
	.mount = sysfs_mount,
};

void sysfs_register(void)
{
	if (!vfs_find_fs("sysfs"))
		vfs_register_fs(&sysfs_type);
}
